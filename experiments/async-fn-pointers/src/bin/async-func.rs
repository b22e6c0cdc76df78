//! Strategy async-func: a plain `async fn` awaited in the loop. Its future
//! has a concrete type, so the compiler may inline it; that is the point of
//! comparison.

#[path = "../common.rs"]
mod common;

use common::{accumulate, arg, black_box, finish, ITERATIONS};

async fn foo(arg: i32) -> i32 {
    black_box(arg * 2)
}

#[tokio::main]
async fn main() {
    // A fn item is zero-sized and its type names the function, so black_box
    // here hides nothing: it is kept only for the same shape as the others.
    let f = black_box(foo);
    let mut acc = 0u64;
    for i in 0..ITERATIONS {
        acc = accumulate(acc, f(arg(i)).await);
    }
    finish(acc);
}
