//! The workspace's only unsafe code, all of it used by tests alone (the server never links
//! this crate): every other crate has `unsafe_code = "forbid"`. Each function here is safe to
//! call; the `SAFETY` comments say why.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::process::Command;

thread_local! {
    static TRACKING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATED: Cell<usize> = const { Cell::new(0) };
    static LARGEST: Cell<usize> = const { Cell::new(0) };
    static REFUSE_ABOVE: Cell<usize> = const { Cell::new(usize::MAX) };
}

/// A pass-through allocator that, on threads that ask for it ([`measure_alloc`]), records how
/// much is allocated and can refuse large requests, so yrs's fallible reservations can be
/// observed without the machine handing out gigabytes. Install it with `#[global_allocator]`.
pub struct Accounting;

impl Accounting {
    /// Whether to hand out `size` bytes; records the request on tracked threads.
    fn admit(size: usize) -> bool {
        let tracking = TRACKING.try_with(Cell::get).unwrap_or(false);
        if !tracking {
            return true;
        }
        let _ = ALLOCATED.try_with(|a| a.set(a.get().saturating_add(size)));
        let _ = LARGEST.try_with(|l| l.set(l.get().max(size)));
        size <= REFUSE_ABOVE.try_with(Cell::get).unwrap_or(usize::MAX)
    }
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, or returns
// null (which `GlobalAlloc` allows for a refused allocation); the bookkeeping allocates nothing.
unsafe impl GlobalAlloc for Accounting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !Self::admit(layout.size()) {
            return std::ptr::null_mut();
        }
        // SAFETY: the caller's contract for `alloc` is passed on unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` (every allocation here does), with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if !Self::admit(layout.size()) {
            return std::ptr::null_mut();
        }
        // SAFETY: the caller's contract for `alloc_zeroed` is passed on unchanged.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if !Self::admit(new_size) {
            return std::ptr::null_mut();
        }
        // SAFETY: `ptr` came from `System` with `layout`; the caller's contract is passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Allocation seen on this thread while running a closure ([`measure_alloc`]).
#[derive(Debug, Clone, Copy)]
pub struct AllocStats {
    /// Bytes asked for, in total.
    pub total: usize,
    /// The largest single request.
    pub largest: usize,
}

/// Runs `f`, counting what this thread allocates and refusing any request above
/// `refuse_above` bytes. Counts only when [`Accounting`] is the global allocator.
pub fn measure_alloc<T>(refuse_above: usize, f: impl FnOnce() -> T) -> (T, AllocStats) {
    ALLOCATED.with(|a| a.set(0));
    LARGEST.with(|l| l.set(0));
    REFUSE_ABOVE.with(|r| r.set(refuse_above));
    TRACKING.with(|t| t.set(true));
    let out = f();
    TRACKING.with(|t| t.set(false));
    REFUSE_ABOVE.with(|r| r.set(usize::MAX));
    let stats = AllocStats {
        total: ALLOCATED.with(Cell::get),
        largest: LARGEST.with(Cell::get),
    };
    (out, stats)
}

/// Makes the child started by `command` ignore SIGXFSZ, so a write beyond its file-size limit
/// fails like a full disk instead of killing it. An ignored signal stays ignored across exec.
pub fn ignore_sigxfsz_in_child(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: between fork and exec the closure makes one async-signal-safe call and
    // allocates nothing (the error is built from errno only on failure).
    unsafe {
        command.pre_exec(|| {
            if libc::signal(libc::SIGXFSZ, libc::SIG_IGN) == libc::SIG_ERR {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// Caps the size any file of process `pid` may grow to (`RLIMIT_FSIZE`); `None` lifts the cap.
pub fn limit_file_size(pid: i32, bytes: Option<u64>) -> std::io::Result<()> {
    let value = bytes.unwrap_or(libc::RLIM_INFINITY);
    let limit = libc::rlimit {
        rlim_cur: value,
        rlim_max: libc::RLIM_INFINITY,
    };
    // SAFETY: a plain syscall with a valid pointer to an initialised struct and a null one
    // for the old limit, which the kernel then does not write.
    let result = unsafe { libc::prlimit(pid, libc::RLIMIT_FSIZE, &limit, std::ptr::null_mut()) };
    if result == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Sends `signal` to process `pid`. The caller makes sure `pid` is its own unreaped child, so
/// the number cannot belong to another process by now.
pub fn send_signal(pid: i32, signal: i32) -> std::io::Result<()> {
    // SAFETY: `kill` takes plain integers and touches no memory of ours.
    if unsafe { libc::kill(pid, signal) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Whether this process runs as root (who ignores file modes).
pub fn is_root() -> bool {
    // SAFETY: `geteuid` has no arguments, no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// The kernel's clock ticks per second (`/proc` counts CPU time in them).
pub fn clock_ticks_per_second() -> f64 {
    // SAFETY: `sysconf` takes a plain integer and has no preconditions.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if ticks > 0 { ticks as f64 } else { 100.0 }
}
