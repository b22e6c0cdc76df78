// Strategy generic: the loop is a generic function over the callee's type,
// the analogue of Rust's generic load_test<F: Fn(i32) -> Fut>. Go compiles
// generics by GC shape with a dictionary, not one copy per type as Rust
// does, so whether the method call is direct is the compiler's choice: this
// measures what it chose.
package main

import "godispatch/loop"

type caller interface{ Call(int32) int32 }

type foo struct{}

// Call is the callee itself (loop.Foo's body, kept out of line), as in
// interface-method.
//
//go:noinline
func (foo) Call(arg int32) int32 { return arg * 2 }

//go:noinline
func run[C caller](c C) int64 {
	var acc int64
	for i := range loop.Iterations {
		acc += int64(c.Call(loop.Arg(i)))
	}
	return acc
}

func main() {
	loop.Sink = run(foo{})
}
