//! Strategy async-boxed-spawn: every call is its own tokio task,
//! `tokio::spawn(foo(arg))`, awaited through its `JoinHandle<i32>`. The task
//! is the type erasure: the runtime allocates it (future and state together)
//! and the handle names only the output type.
//!
//! This is far slower per call than the others, so it makes
//! SPAWN_ITERATIONS = ITERATIONS / 1000 calls (250K of the 250M): divide its
//! time by that count, not by ITERATIONS, to compare per call.

#[path = "../common.rs"]
mod common;

use common::{accumulate, arg, black_box, finish, ITERATIONS};

/// Calls made by this strategy: a thousandth of everyone else's.
const SPAWN_ITERATIONS: u64 = ITERATIONS / 1000;

async fn foo(arg: i32) -> i32 {
    black_box(arg * 2)
}

#[tokio::main]
async fn main() {
    // Same shape as async-func: the fn item goes through black_box.
    let f = black_box(foo);
    let mut acc = 0u64;
    for i in 0..SPAWN_ITERATIONS {
        let v = tokio::spawn(f(arg(i))).await.expect("task panicked");
        acc = accumulate(acc, v);
    }
    finish(acc);
}
