// Package hidden has unexported methods that other packages' types get by embedding.
package hidden

type Counter struct{ n int }

func (c *Counter) bump() int { c.n++; return c.n }

type Value struct{ V int }

func (v Value) peek() int { return v.V }

type bumper interface{ bump() int }

type peeker interface{ peek() int }

// Bump and Peek call the unexported methods through interfaces, so the linker keeps the
// promoted-method wrappers of every type that reaches them.
func Bump(x any) int {
	if b, ok := x.(bumper); ok {
		return b.bump()
	}
	return -1
}

func Peek(x any) int {
	if p, ok := x.(peeker); ok {
		return p.peek()
	}
	return -1
}
