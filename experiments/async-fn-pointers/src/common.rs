//! Shared by every strategy binary (included with `#[path]`).
//!
//! The loop bound is a compile-time constant on purpose: a bound read at run
//! time was seen to change the generated loop code (1.48x), which would make
//! the strategies measure the loop rather than the call.

// `pub const ITERATIONS: u64`, the calls made by every strategy: 250M unless
// benchlab's build-time parameter `iterations` says otherwise (build.rs).
include!(concat!(env!("OUT_DIR"), "/iterations.rs"));

/// The argument of call `i`: `i` itself, which stays below 2^28, so `arg * 2`
/// never overflows an i32.
#[inline(always)]
pub fn arg(i: u64) -> i32 {
    i as i32
}

/// Adds one result to the running total (wrapping, so it cannot panic).
#[inline(always)]
pub fn accumulate(acc: u64, value: i32) -> u64 {
    acc.wrapping_add(value as u64)
}

/// Hands the total to `black_box`, so that the loop producing it is kept.
#[inline(always)]
pub fn finish(acc: u64) {
    black_box(acc);
}

/// `std::hint::black_box`, stable since Rust 1.66, on compilers that have it.
#[cfg(not(benchlab_no_std_black_box))]
pub use std::hint::black_box;

/// On older compilers (build.rs sets `benchlab_no_std_black_box`) the same
/// barrier std's lowers to: an empty inline-asm statement that is handed the
/// value's address and may read or write any memory, so the value must be
/// in memory before it and is reloaded after it.
#[cfg(benchlab_no_std_black_box)]
#[inline(always)]
pub fn black_box<T>(dummy: T) -> T {
    // SAFETY: the statement is empty; it only makes the compiler assume the
    // value may have been read and changed.
    unsafe {
        std::arch::asm!("/* {0} */", in(reg) &dummy as *const T, options(nostack, preserves_flags));
    }
    dummy
}
