//go:build !cgo

package main

func cgoAnswer() int { return 0 }
