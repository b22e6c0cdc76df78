//! Strategy direct: the work function called statically; the compiler may
//! inline it into the loop, as static dispatch allows.

#[path = "../common.rs"]
mod common;

use common::{arg, main_for, work, Strategy};

struct Direct;

impl Strategy for Direct {
    fn run<const BYTES: usize, const CALLS: u64>() -> u64 {
        let mut acc = 0u64;
        for i in 0..CALLS {
            acc = acc.wrapping_add(work::<BYTES>(arg(i)));
        }
        acc
    }
}

fn main() {
    main_for::<Direct>();
}
