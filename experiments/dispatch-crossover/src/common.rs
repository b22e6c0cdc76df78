//! Shared by every strategy binary (included with `#[path]`): the per-call
//! work, the work levels, the loop and a minimal executor.
//!
//! Each call does `work::<BYTES>(arg)`: FNV-1a over BYTES bytes of a fixed
//! table, seeded with the argument, a serial chain of one xor and one
//! multiply per byte. BYTES and the number of calls are compile-time
//! constants of each level (const generics), as the loop bound is in
//! async-fn-pointers; the level is chosen at run time by name only to pick
//! which monomorphized loop runs.

use std::future::Future;
use std::hint::black_box;
use std::pin::Pin;
use std::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

/// The bytes that `work` hashes: fixed, but not all equal.
static DATA: [u8; 8192] = table();

const fn table() -> [u8; 8192] {
    let mut t = [0u8; 8192];
    let mut x: u32 = 0x9e37_79b9;
    let mut i = 0;
    while i < t.len() {
        // xorshift32
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        t[i] = x as u8;
        i += 1;
    }
    t
}

/// The per-call work: FNV-1a of the first BYTES bytes of DATA, seeded with
/// arg. BYTES = 0 is no work at all: the call returns its seed.
///
/// The argument passes through black_box, as the post's `foo` passes its
/// result: where the call is inlined (direct, async-static) this stops the
/// compiler from folding the loop away at BYTES = 0 and from vectorizing
/// across calls (computing several calls' chains in SIMD lanes at once),
/// which no framework calling user code could do.
#[inline(always)]
pub fn work<const BYTES: usize>(arg: i32) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ (black_box(arg) as u64);
    let mut i = 0;
    while i < BYTES {
        h = (h ^ DATA[i] as u64).wrapping_mul(0x0000_0100_0000_01b3);
        i += 1;
    }
    h
}

/// The argument of call `i`.
#[inline(always)]
pub fn arg(i: u64) -> i32 {
    i as i32
}

/// One dispatch strategy: `run` makes CALLS calls of work::<BYTES> its own
/// way and returns the wrapping sum of the results.
pub trait Strategy {
    fn run<const BYTES: usize, const CALLS: u64>() -> u64;
}

/// Runs strategy S at the level named by the first argument, such as
/// `1000ns`, and keeps the result alive.
pub fn main_for<S: Strategy>() {
    let level = std::env::args().nth(1).unwrap_or_default();
    // name => (bytes hashed per call, calls): BYTES calibrated on the lab
    // machine so that one call of `work` costs about the named time; CALLS so
    // that a trial of the slowest strategy takes a few tenths of a second.
    // Keep in step with the strategy descriptions in experiment.toml.
    let acc = match level.as_str() {
        "0ns" => S::run::<0, 20_000_000>(),
        "10ns" => S::run::<16, 15_000_000>(),
        "30ns" => S::run::<40, 8_000_000>(),
        "100ns" => S::run::<100, 2_500_000>(),
        "300ns" => S::run::<280, 1_000_000>(),
        "1000ns" => S::run::<920, 300_000>(),
        "3000ns" => S::run::<2750, 100_000>(),
        _ => {
            eprintln!(
                "usage: {} LEVEL (0ns, 10ns, 30ns, 100ns, 300ns, 1000ns or 3000ns)",
                std::env::args().next().unwrap_or_default()
            );
            std::process::exit(2);
        }
    };
    black_box(acc);
}

/// Polls a future to completion on the current thread. The futures here
/// never wait, so the waker does nothing; it exists because poll needs one.
/// (Under tokio's block_on, as in async-fn-pointers, a loop of ready futures
/// runs the same way: the runtime is not involved between awaits.)
#[allow(dead_code)] // only the async strategies use it
pub fn block_on<F: Future>(fut: F) -> F::Output {
    fn clone(_: *const ()) -> RawWaker {
        RawWaker::new(std::ptr::null(), &VTABLE)
    }
    fn noop(_: *const ()) {}
    static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, noop, noop, noop);
    // SAFETY: the vtable's functions ignore the (null) data pointer.
    let waker = unsafe { Waker::from_raw(RawWaker::new(std::ptr::null(), &VTABLE)) };
    let mut cx = Context::from_waker(&waker);
    let mut fut = Box::pin(fut);
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// The boxed-future function type of async-fn-pointers' async-boxed-naive.
#[allow(dead_code)] // only async-boxed uses it
pub type AsyncFnPtr = fn(i32) -> Pin<Box<dyn Future<Output = u64>>>;
