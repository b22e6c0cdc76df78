//! Strategy async-boxed-naive: the usual way to store an async function as a
//! pointer, `fn(i32) -> Pin<Box<dyn Future<Output = i32>>>`, which allocates
//! one boxed future per call.

#[path = "../common.rs"]
mod common;

use common::{accumulate, arg, black_box, finish, ITERATIONS};
use std::future::Future;
use std::pin::Pin;

type AsyncFnPtr = fn(i32) -> Pin<Box<dyn Future<Output = i32>>>;

async fn foo(arg: i32) -> i32 {
    black_box(arg * 2)
}

fn foo_boxed(arg: i32) -> Pin<Box<dyn Future<Output = i32>>> {
    Box::pin(foo(arg))
}

#[tokio::main]
async fn main() {
    // As in function-pointer: the pointer is opaque, so neither the call nor
    // the allocation inside it can be inlined or elided.
    let f: AsyncFnPtr = black_box(foo_boxed as AsyncFnPtr);
    let mut acc = 0u64;
    for i in 0..ITERATIONS {
        acc = accumulate(acc, f(arg(i)).await);
    }
    finish(acc);
}
