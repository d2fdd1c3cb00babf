// A program whose types embed types of two other packages (example.com/wrappers/hidden and the
// standard library), so the compiler writes promoted-method wrappers: on named types, named after
// the method's package (main.(*Both).example.com/wrappers/hidden.bump), and on anonymous structs,
// filed under the pseudo-package go (go.(*struct { … }).…). Run under -race it also exercises the
// race runtime's C++ code.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"example.com/wrappers/hidden"
)

type Both struct {
	*hidden.Counter
	*strings.Builder
}

type ByValue struct {
	hidden.Value
	io.Reader
}

func main() {
	b := &Both{&hidden.Counter{}, &strings.Builder{}}
	anon := &struct {
		*hidden.Counter
		io.Writer
	}{&hidden.Counter{}, os.Stdout}
	v := ByValue{hidden.Value{V: 2}, strings.NewReader("x")}
	anonValue := struct {
		hidden.Value
		fmt.Stringer
	}{hidden.Value{V: 3}, b}
	var wg sync.WaitGroup
	total := 0
	var mu sync.Mutex
	for _, x := range []any{b, anon, v, &v, anonValue, &anonValue} {
		wg.Add(1)
		go func(x any) {
			defer wg.Done()
			n := hidden.Bump(x) + hidden.Peek(x)
			mu.Lock()
			total += n
			mu.Unlock()
		}(x)
	}
	wg.Wait()
	fmt.Fprintln(anon, total, b.Len())
}
