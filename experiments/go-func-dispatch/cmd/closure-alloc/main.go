// Strategy closure-alloc: the analogue of Rust's
// fn(i32) -> Pin<Box<dyn Future>>: each call first makes a closure holding
// its argument on the heap (the "future"), then calls it. bind returns the
// closure, so it escapes and is heap-allocated on every call; build.sh
// checks that with -gcflags=-m ("func literal escapes to heap").
package main

import "godispatch/loop"

// bind makes the deferred call foo(arg): one heap allocation.
//
//go:noinline
func bind(arg int32) func() int32 {
	return func() int32 { return loop.Foo(arg) }
}

// binder holds bind as a func value, as the Rust holds foo_boxed as a
// function pointer.
var binder func(int32) func() int32 = bind

func main() {
	b := binder
	var acc int64
	for i := range loop.Iterations {
		acc += int64(b(loop.Arg(i))())
	}
	loop.Sink = acc
}
