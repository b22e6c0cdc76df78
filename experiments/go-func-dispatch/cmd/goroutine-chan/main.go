// Strategy goroutine-chan: every call is its own goroutine that sends the
// result on a channel made for that call, the analogue of one tokio::spawn
// per call awaited through its JoinHandle. It makes loop.GoroutineIterations
// calls (2.5M, a hundredth of the others): divide its time by that.
package main

import "godispatch/loop"

var fn func(int32) int32 = loop.Foo

func main() {
	f := fn
	var acc int64
	for i := range loop.GoroutineIterations {
		ch := make(chan int32, 1)
		go func(arg int32) { ch <- f(arg) }(loop.Arg(i))
		acc += int64(<-ch)
	}
	loop.Sink = acc
}
