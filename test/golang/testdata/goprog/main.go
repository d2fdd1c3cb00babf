// goprog is the test program for the Go binary analysis: generics, methods, closures, a dep module.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"

	"example.com/greet"
)

type counter map[string]int

func (c counter) keys() []string {
	out := make([]string, 0, len(c))
	for k := range c {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func main() {
	g := &greet.Greeter{Name: "world"}
	p := greet.Swap(greet.Pair[string, int]{Key: "a", Value: 1})
	c := counter{"x": 1, "y": 2}
	b, _ := json.Marshal(map[string]any{"greeting": g.Hello(), "pair": p, "keys": c.keys(), "c": cgoAnswer()})
	fmt.Fprintln(os.Stdout, string(b))
}
