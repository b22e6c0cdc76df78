// Strategy direct: loop.Foo called by name. The call is static; only
// //go:noinline keeps it a call.
package main

import "godispatch/loop"

func main() {
	var acc int64
	for i := range loop.Iterations {
		acc += int64(loop.Foo(loop.Arg(i)))
	}
	loop.Sink = acc
}
