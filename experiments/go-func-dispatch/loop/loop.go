// Package loop is what every strategy of go-func-dispatch shares: the
// number of calls, the argument of each call, the function called and the
// sink that keeps the result alive, so that strategies differ only in how
// they reach the function.
//
// It mirrors the Rust experiment async-fn-pointers: 250M calls of
// foo(arg) = arg*2. Where the Rust passes the function through
// std::hint::black_box, here foo is marked //go:noinline and the total is
// stored in a package-level variable.
package loop

// Iterations is the number of calls every strategy makes, except the
// goroutine-per-call one (GoroutineIterations). A constant, as in the Rust,
// so the loop bound is known to the compiler.
const Iterations = 250_000_000

// GoroutineIterations is the number of calls of the goroutine-plus-channel
// strategy: a hundredth of Iterations, since each call costs far more.
const GoroutineIterations = Iterations / 100

// Sink receives each strategy's total, so that the loop cannot be removed.
var Sink int64

// Arg is the argument of call i: i itself, below 2^28, so Arg(i)*2 never
// overflows an int32.
func Arg(i int) int32 { return int32(i) }

// Foo is the function every strategy calls. It is never inlined, so each
// call stays a call.
//
//go:noinline
func Foo(arg int32) int32 { return arg * 2 }

// Bar is a second function of Foo's type, so that a switch or an interface
// has a real alternative. No strategy calls it.
//
//go:noinline
func Bar(arg int32) int32 { return arg * 3 }
