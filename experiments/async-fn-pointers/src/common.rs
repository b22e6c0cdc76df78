//! Shared by every strategy binary (included with `#[path]`).
//!
//! The loop bound is a compile-time constant on purpose: a bound read at run
//! time was seen to change the generated loop code (1.48x), which would make
//! the strategies measure the loop rather than the call.

/// Calls made by every strategy.
pub const ITERATIONS: u64 = 250_000_000;

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
    std::hint::black_box(acc);
}
