// Package greet is a dependency module so that build info has a dep and a replacement.
package greet

import "strings"

// Pair is generic so that instantiated names (with brackets and spaces) appear in the pclntab.
type Pair[K comparable, V any] struct {
	Key   K
	Value V
}

// Swap returns the pair with its fields swapped.
func Swap[K comparable, V comparable](p Pair[K, V]) Pair[V, K] {
	return Pair[V, K]{Key: p.Value, Value: p.Key}
}

// Greeter has a pointer-receiver method.
type Greeter struct{ Name string }

// Hello greets.
func (g *Greeter) Hello() string { return "hello, " + strings.ToUpper(g.Name) }
