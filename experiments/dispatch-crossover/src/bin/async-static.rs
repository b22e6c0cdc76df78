//! Strategy async-static: the work in an `async fn` awaited in the loop, its
//! future's type known, so the compiler may inline it (async-fn-pointers'
//! async-func).

#[path = "../common.rs"]
mod common;

use common::{arg, block_on, main_for, work, Strategy};

struct AsyncStatic;

async fn user<const BYTES: usize>(arg: i32) -> u64 {
    work::<BYTES>(arg)
}

impl Strategy for AsyncStatic {
    fn run<const BYTES: usize, const CALLS: u64>() -> u64 {
        block_on(async {
            let mut acc = 0u64;
            for i in 0..CALLS {
                acc = acc.wrapping_add(user::<BYTES>(arg(i)).await);
            }
            acc
        })
    }
}

fn main() {
    main_for::<AsyncStatic>();
}
