//! Strategy fn-pointer: the work function behind a `fn(i32) -> u64` that
//! goes through black_box, so every call is an indirect call.

#[path = "../common.rs"]
mod common;

use common::{arg, main_for, work, Strategy};
use std::hint::black_box;

struct FnPointer;

fn user<const BYTES: usize>(arg: i32) -> u64 {
    work::<BYTES>(arg)
}

impl Strategy for FnPointer {
    fn run<const BYTES: usize, const CALLS: u64>() -> u64 {
        let f: fn(i32) -> u64 = black_box(user::<BYTES> as fn(i32) -> u64);
        let mut acc = 0u64;
        for i in 0..CALLS {
            acc = acc.wrapping_add(f(arg(i)));
        }
        acc
    }
}

fn main() {
    main_for::<FnPointer>();
}
