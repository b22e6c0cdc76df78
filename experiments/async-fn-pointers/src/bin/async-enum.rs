//! Strategy async-enum: an enum naming each async function; its async `run()`
//! matches on the variant and awaits that function.

#[path = "../common.rs"]
mod common;

use common::{accumulate, arg, black_box, finish, ITERATIONS};

async fn foo(arg: i32) -> i32 {
    black_box(arg * 2)
}

async fn bar(arg: i32) -> i32 {
    black_box(arg * 3)
}

#[allow(dead_code)] // Bar is never chosen; it is there so the match is real.
#[derive(Clone, Copy)]
enum AsyncFn {
    Foo,
    Bar,
}

impl AsyncFn {
    async fn run(&self, arg: i32) -> i32 {
        match self {
            AsyncFn::Foo => foo(arg).await,
            AsyncFn::Bar => bar(arg).await,
        }
    }
}

#[tokio::main]
async fn main() {
    // The variant goes through black_box, so the compiler cannot tell which
    // arm runs.
    let f = black_box(AsyncFn::Foo);
    let mut acc = 0u64;
    for i in 0..ITERATIONS {
        acc = accumulate(acc, f.run(arg(i)).await);
    }
    finish(acc);
}
