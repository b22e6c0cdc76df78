//! Strategy function-pointer: a plain `fn(i32) -> i32` called in a loop.

#[path = "../common.rs"]
mod common;

use common::{accumulate, arg, black_box, finish, ITERATIONS};

fn foo(arg: i32) -> i32 {
    black_box(arg * 2)
}

fn main() {
    // The pointer goes through black_box, so the compiler cannot know which
    // function it calls: each call stays an indirect call and foo is not
    // inlined into the loop.
    let f: fn(i32) -> i32 = black_box(foo as fn(i32) -> i32);
    let mut acc = 0u64;
    for i in 0..ITERATIONS {
        acc = accumulate(acc, f(arg(i)));
    }
    finish(acc);
}
