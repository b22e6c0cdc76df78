// Strategy switch-enum: an enum naming each function and a switch over it,
// the analogue of Rust's async-enum. The value lives in a package-level
// variable, so the compiler cannot tell which case runs.
package main

import "godispatch/loop"

type op uint8

const (
	opFoo op = iota
	opBar
)

var which = opFoo

func main() {
	o := which
	var acc int64
	for i := range loop.Iterations {
		// The switch is written in the loop, as Rust inlines async-enum's
		// run(): one compare and one direct call per call.
		var v int32
		switch o {
		case opFoo:
			v = loop.Foo(loop.Arg(i))
		case opBar:
			v = loop.Bar(loop.Arg(i))
		}
		acc += int64(v)
	}
	loop.Sink = acc
}
