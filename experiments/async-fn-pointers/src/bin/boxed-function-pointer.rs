//! Strategy boxed-function-pointer: a `Box<dyn Fn(i32) -> i32>` called in a
//! loop.

#[path = "../common.rs"]
mod common;

use common::{accumulate, arg, black_box, finish, ITERATIONS};

fn foo(arg: i32) -> i32 {
    black_box(arg * 2)
}

fn main() {
    // The box (data pointer and vtable) goes through black_box, so every call
    // is dispatched through the vtable and foo is not inlined into the loop.
    let f: Box<dyn Fn(i32) -> i32> = black_box(Box::new(foo));
    let mut acc = 0u64;
    for i in 0..ITERATIONS {
        acc = accumulate(acc, f(arg(i)));
    }
    finish(acc);
}
