//! Strategy async-boxed-closure: the boxed-future function type of
//! async-boxed-naive, `fn(i32) -> Pin<Box<dyn Future<Output = i32>>>`, filled
//! with a non-capturing closure (`|x| Box::pin(foo(x))`) coerced to it,
//! instead of a named wrapper function. Still one Box::pin per call.

#[path = "../common.rs"]
mod common;

use common::{accumulate, arg, black_box, finish, ITERATIONS};
use std::future::Future;
use std::pin::Pin;

type AsyncFnPtr = fn(i32) -> Pin<Box<dyn Future<Output = i32>>>;

async fn foo(arg: i32) -> i32 {
    black_box(arg * 2)
}

#[tokio::main]
async fn main() {
    // A closure that captures nothing coerces to a plain fn pointer; it goes
    // through black_box, so the call and the allocation inside stay opaque.
    let f: AsyncFnPtr = black_box(|x| Box::pin(foo(x)));
    let mut acc = 0u64;
    for i in 0..ITERATIONS {
        acc = accumulate(acc, f(arg(i)).await);
    }
    finish(acc);
}
