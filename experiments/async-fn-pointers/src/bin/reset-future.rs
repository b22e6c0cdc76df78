//! Strategy reset-future: the async function is stored behind one boxed,
//! type-erased future slot that is allocated once and re-armed in place for
//! every call, so the allocation is reused, as tower's rate limiter keeps one
//! `Pin<Box<Sleep>>` and calls `Sleep::reset` on it. Each call is two dynamic
//! calls through the slot's vtable (re-arm, then poll) and no allocation.

#[path = "../common.rs"]
mod common;

use common::{accumulate, arg, black_box, finish, ITERATIONS};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

async fn foo(arg: i32) -> i32 {
    black_box(arg * 2)
}

/// A future that can be re-armed with a new argument without moving or
/// reallocating it: what a framework would store per registered function.
trait ResetFuture: Future<Output = i32> {
    /// Drops the future in the slot (finished or not) and starts a new call.
    fn reset(self: Pin<&mut Self>, arg: i32);
}

/// The slot for one async function `F`: its future lives inline, in place,
/// and is replaced with `Pin::set`, which drops the old value where it lies
/// and writes the new one into the same memory.
struct Slot<F, Fut> {
    make: F,
    fut: Option<Fut>,
}

impl<F, Fut> Slot<F, Fut> {
    /// Projects the pinned slot onto its future. `fut` is structurally
    /// pinned: it is never moved out, only dropped in place or replaced
    /// through the returned `Pin`, and `Slot` has no `Drop` or `Unpin` impl
    /// of its own that could move it.
    fn project(self: Pin<&mut Self>) -> (&F, Pin<&mut Option<Fut>>) {
        // SAFETY: see above; `make` is never pinned and only read.
        unsafe {
            let this = self.get_unchecked_mut();
            (&this.make, Pin::new_unchecked(&mut this.fut))
        }
    }
}

impl<F, Fut> Future for Slot<F, Fut>
where
    F: Fn(i32) -> Fut,
    Fut: Future<Output = i32>,
{
    type Output = i32;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<i32> {
        let (_, mut fut) = self.project();
        let out = match fut.as_mut().as_pin_mut() {
            Some(f) => f.poll(cx),
            None => panic!("reset-future: polled before reset or after completion"),
        };
        if out.is_ready() {
            // Drop the finished future now, in place, as a fresh future would
            // be dropped after its await.
            fut.set(None);
        }
        out
    }
}

impl<F, Fut> ResetFuture for Slot<F, Fut>
where
    F: Fn(i32) -> Fut,
    Fut: Future<Output = i32>,
{
    fn reset(self: Pin<&mut Self>, arg: i32) {
        let (make, mut fut) = self.project();
        fut.set(Some(make(arg)));
    }
}

#[tokio::main]
async fn main() {
    // The one allocation. The box (data pointer and vtable) goes through
    // black_box, so reset and poll stay calls through the vtable.
    let mut slot: Pin<Box<dyn ResetFuture>> = black_box(Box::pin(Slot {
        make: foo,
        fut: None,
    }));
    let mut acc = 0u64;
    for i in 0..ITERATIONS {
        slot.as_mut().reset(arg(i));
        acc = accumulate(acc, slot.as_mut().await);
    }
    finish(acc);
}
