// Strategy interface-method: the function behind an interface method, the
// analogue of Rust's Box<dyn Fn(i32) -> i32>. The interface value lives in a
// package-level variable, so the compiler cannot devirtualize the call.
package main

import "godispatch/loop"

type caller interface{ Call(int32) int32 }

type foo struct{}

func (foo) Call(arg int32) int32 { return loop.Foo(arg) }

type bar struct{}

func (bar) Call(arg int32) int32 { return loop.Bar(arg) }

var c caller = foo{}

// Keeps bar, so the interface has two implementations in the program.
var _ caller = bar{}

func main() {
	d := c
	var acc int64
	for i := range loop.Iterations {
		acc += int64(d.Call(loop.Arg(i)))
	}
	loop.Sink = acc
}
