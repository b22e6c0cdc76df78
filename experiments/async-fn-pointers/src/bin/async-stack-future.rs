//! Strategy async-stack-future: the boxed-future function type with the box
//! replaced by a fixed-size inline buffer, as "stack futures" do:
//! `fn(i32) -> StackFuture`, where a StackFuture holds any future of at most
//! CAPACITY bytes (alignment at most 16) in place, with a table of poll and
//! drop function pointers for that future's type. The caller's await keeps it
//! in the caller's own future state, so no call allocates; each poll is one
//! call through the table. Written with std alone.

#[path = "../common.rs"]
mod common;

use common::{accumulate, arg, black_box, finish, ITERATIONS};
use std::future::Future;
use std::marker::{PhantomData, PhantomPinned};
use std::mem::{self, MaybeUninit};
use std::pin::Pin;
use std::task::{Context, Poll};

/// Bytes a StackFuture can hold. foo's future needs 8; 64 leaves room for
/// a realistic async fn without being the size of a page.
const CAPACITY: usize = 64;
/// The buffer's alignment; a future needing more is rejected at compile time.
const ALIGN: usize = 16;

/// The buffer, aligned for any future whose alignment is at most ALIGN.
#[repr(C, align(16))]
struct Buf(MaybeUninit<[u8; CAPACITY]>);

/// What a StackFuture knows of the future type it holds.
struct VTable {
    poll: unsafe fn(*mut u8, &mut Context<'_>) -> Poll<i32>,
    drop: unsafe fn(*mut u8),
}

/// A type-erased `Future<Output = i32>` stored inline. It is `!Unpin`: once
/// polled, the future inside must not move.
struct StackFuture {
    buf: Buf,
    vtable: &'static VTable,
    _pinned: PhantomPinned,
}

/// Compile-time proof that F fits the buffer: evaluating `FITS` for an F
/// that is too big or too strictly aligned fails the build.
struct Fits<F>(PhantomData<F>);

impl<F> Fits<F> {
    const FITS: () = assert!(
        mem::size_of::<F>() <= CAPACITY && mem::align_of::<F>() <= ALIGN,
        "future does not fit a StackFuture"
    );
}

/// The table for one future type F: a constant, so `&Table::<F>::VTABLE`
/// is promoted to a static.
struct Table<F>(PhantomData<F>);

impl<F: Future<Output = i32>> Table<F> {
    const VTABLE: VTable = VTable {
        poll: poll_erased::<F>,
        drop: drop_erased::<F>,
    };
}

/// SAFETY: `p` points at a pinned, live F inside a StackFuture.
unsafe fn poll_erased<F: Future<Output = i32>>(p: *mut u8, cx: &mut Context<'_>) -> Poll<i32> {
    Pin::new_unchecked(&mut *(p as *mut F)).poll(cx)
}

/// SAFETY: `p` points at a live F that is not used again.
unsafe fn drop_erased<F>(p: *mut u8) {
    std::ptr::drop_in_place(p as *mut F);
}

impl StackFuture {
    fn new<F: Future<Output = i32>>(fut: F) -> StackFuture {
        #[allow(clippy::let_unit_value)]
        let () = Fits::<F>::FITS;
        let mut buf = Buf(MaybeUninit::uninit());
        // SAFETY: the buffer is large and aligned enough (checked above).
        unsafe { (buf.0.as_mut_ptr() as *mut F).write(fut) };
        StackFuture {
            buf,
            vtable: &Table::<F>::VTABLE,
            _pinned: PhantomPinned,
        }
    }
}

impl Future for StackFuture {
    type Output = i32;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<i32> {
        // SAFETY: the buffer is never moved out of a pinned StackFuture, so
        // the future in it stays pinned.
        unsafe {
            let this = self.get_unchecked_mut();
            (this.vtable.poll)(this.buf.0.as_mut_ptr() as *mut u8, cx)
        }
    }
}

impl Drop for StackFuture {
    fn drop(&mut self) {
        // SAFETY: the buffer holds the live future written by `new`.
        unsafe { (self.vtable.drop)(self.buf.0.as_mut_ptr() as *mut u8) }
    }
}

type AsyncFnPtr = fn(i32) -> StackFuture;

async fn foo(arg: i32) -> i32 {
    black_box(arg * 2)
}

fn foo_stack(arg: i32) -> StackFuture {
    StackFuture::new(foo(arg))
}

#[tokio::main]
async fn main() {
    // As in async-boxed-naive, the pointer is opaque.
    let f: AsyncFnPtr = black_box(foo_stack as AsyncFnPtr);
    let mut acc = 0u64;
    for i in 0..ITERATIONS {
        acc = accumulate(acc, f(arg(i)).await);
    }
    finish(acc);
}
