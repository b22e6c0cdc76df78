//! Strategy async-boxed: the work in an `async fn` stored as
//! `fn(i32) -> Pin<Box<dyn Future<Output = u64>>>`, one Box::pin per call
//! (async-fn-pointers' async-boxed-naive).

#[path = "../common.rs"]
mod common;

use common::{arg, block_on, main_for, work, AsyncFnPtr, Strategy};
use std::future::Future;
use std::hint::black_box;
use std::pin::Pin;

struct AsyncBoxed;

async fn user<const BYTES: usize>(arg: i32) -> u64 {
    work::<BYTES>(arg)
}

fn user_boxed<const BYTES: usize>(arg: i32) -> Pin<Box<dyn Future<Output = u64>>> {
    Box::pin(user::<BYTES>(arg))
}

impl Strategy for AsyncBoxed {
    fn run<const BYTES: usize, const CALLS: u64>() -> u64 {
        block_on(async {
            let f: AsyncFnPtr = black_box(user_boxed::<BYTES> as AsyncFnPtr);
            let mut acc = 0u64;
            for i in 0..CALLS {
                acc = acc.wrapping_add(f(arg(i)).await);
            }
            acc
        })
    }
}

fn main() {
    main_for::<AsyncBoxed>();
}
