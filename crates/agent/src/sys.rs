//! The few system calls the agent makes directly: peer credentials, locked memory, no core
//! dumps, a session of its own, and the clock that counts suspend.
#![allow(unsafe_code)]

use std::os::fd::AsRawFd;

/// This process's real user id.
pub(crate) fn user_id() -> u32 {
    // SAFETY: getuid takes nothing and cannot fail.
    unsafe { libc::getuid() }
}

/// The user id of the process at the other end of a connected Unix socket, as the kernel
/// recorded it when the connection was made (SO_PEERCRED); `None` if it cannot say.
#[cfg(target_os = "linux")]
pub(crate) fn peer_uid(socket: &impl AsRawFd) -> Option<u32> {
    let mut cred = libc::ucred {
        pid: 0,
        uid: u32::MAX,
        gid: u32::MAX,
    };
    let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: `cred` and `len` are valid for writes of the size passed; the fd is open for
    // the lifetime of `socket`.
    let rc = unsafe {
        libc::getsockopt(
            socket.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&mut cred as *mut libc::ucred).cast(),
            &mut len,
        )
    };
    (rc == 0 && len as usize == std::mem::size_of::<libc::ucred>()).then_some(cred.uid)
}

/// The user id of the process at the other end (getpeereid on the BSDs and macOS).
#[cfg(all(unix, not(target_os = "linux")))]
pub(crate) fn peer_uid(socket: &impl AsRawFd) -> Option<u32> {
    let mut uid: libc::uid_t = u32::MAX;
    let mut gid: libc::gid_t = u32::MAX;
    // SAFETY: both out-pointers are valid; the fd is open.
    let rc = unsafe { libc::getpeereid(socket.as_raw_fd(), &mut uid, &mut gid) };
    (rc == 0).then_some(uid)
}

/// Locks `len` bytes at `ptr` into memory so they never reach swap; whether it worked.
pub(crate) fn lock_memory(ptr: *const u8, len: usize) -> bool {
    // SAFETY: mlock only changes the pages' residency; it reads and writes nothing.
    unsafe { libc::mlock(ptr.cast(), len) == 0 }
}

/// Undoes [`lock_memory`].
pub(crate) fn unlock_memory(ptr: *const u8, len: usize) {
    // SAFETY: as for mlock.
    unsafe {
        libc::munlock(ptr.cast(), len);
    }
}

/// No core dumps, not dumpable (which also keeps other users' debuggers out), its own
/// session (no terminal's signals reach it), and files it makes private.
pub(crate) fn harden() {
    let zero = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: setrlimit only reads the struct passed; failure leaves the limit as it was.
    unsafe {
        libc::setrlimit(libc::RLIMIT_CORE, &zero);
    }
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_DUMPABLE with 0 takes no pointers.
    unsafe {
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
    // SAFETY: setsid and umask take no pointers; setsid fails harmlessly when the process
    // already leads a session.
    unsafe {
        libc::setsid();
        libc::umask(0o077);
        libc::signal(libc::SIGHUP, libc::SIG_IGN);
    }
}

/// Seconds the machine has spent suspended since it booted: CLOCK_BOOTTIME counts suspend,
/// CLOCK_MONOTONIC does not. `None` where there is no such clock.
#[cfg(target_os = "linux")]
pub(crate) fn slept_seconds() -> Option<i64> {
    let read = |clock| {
        let mut t = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `t` is valid for writes.
        (unsafe { libc::clock_gettime(clock, &mut t) } == 0).then_some(t.tv_sec)
    };
    Some(read(libc::CLOCK_BOOTTIME)? - read(libc::CLOCK_MONOTONIC)?)
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn slept_seconds() -> Option<i64> {
    None
}
