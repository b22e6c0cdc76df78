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

func call(o op, arg int32) int32 {
	switch o {
	case opFoo:
		return loop.Foo(arg)
	case opBar:
		return loop.Bar(arg)
	}
	panic("unknown op")
}

func main() {
	o := which
	var acc int64
	for i := range loop.Iterations {
		acc += int64(call(o, loop.Arg(i)))
	}
	loop.Sink = acc
}
