// Strategy func-value: loop.Foo held in a func value, the analogue of Rust's
// fn(i32) -> i32. The value lives in a package-level variable, which the
// compiler cannot assume constant, so every call is an indirect call.
package main

import "godispatch/loop"

var fn func(int32) int32 = loop.Foo

func main() {
	f := fn
	var acc int64
	for i := range loop.Iterations {
		acc += int64(f(loop.Arg(i)))
	}
	loop.Sink = acc
}
