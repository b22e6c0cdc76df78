//! Strategy async-boxed-invert: instead of boxing each call's future, the
//! whole generic load-test loop is boxed once. Inside it the function and its
//! future have concrete types, so the calls are static.

#[path = "../common.rs"]
mod common;

use common::{accumulate, arg, black_box, finish, ITERATIONS};
use std::future::Future;

async fn foo(arg: i32) -> i32 {
    black_box(arg * 2)
}

async fn load_test<F, Fut>(f: F) -> u64
where
    F: Fn(i32) -> Fut,
    Fut: Future<Output = i32>,
{
    let mut acc = 0u64;
    for i in 0..ITERATIONS {
        acc = accumulate(acc, f(arg(i)).await);
    }
    acc
}

#[tokio::main]
async fn main() {
    // A fn item is zero-sized and its type names the function, so black_box
    // hides nothing here (see async-func); the one allocation is the Box::pin.
    let acc = Box::pin(load_test(black_box(foo))).await;
    finish(acc);
}
