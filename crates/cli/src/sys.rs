//! The few things tend asks of the operating system directly: no core dumps while a journal
//! may be unlocked, and leaving Ctrl-C to the editor while it runs.
#![allow(unsafe_code)]

/// Turns core dumps off for this process, so an unlocked data key or a reflection can never
/// land in a core file; and lets a file-size limit surface as an error ("no room") that leaves
/// the journal as it was, instead of a signal that kills tend mid-write.
pub fn no_core_dumps() {
    #[cfg(unix)]
    {
        // SAFETY: ignoring SIGXFSZ runs no code of ours in signal context.
        unsafe {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
        }
        let zero = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: setrlimit only reads the struct we pass; failure leaves the limit as it was.
        unsafe {
            libc::setrlimit(libc::RLIMIT_CORE, &zero);
        }
        #[cfg(target_os = "linux")]
        // SAFETY: PR_SET_DUMPABLE with 0 takes no pointers; it also keeps other users'
        // debuggers out of this process.
        unsafe {
            libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
        }
    }
}

/// While alive, interrupt and hang-up signals do not end tend: they reach the editor (which
/// shares the terminal) and tend cleans up after it. Dropping it restores the defaults.
pub struct SignalsToChild {
    #[cfg(unix)]
    saved: Vec<(libc::c_int, libc::sighandler_t)>,
}

impl SignalsToChild {
    /// Starts ignoring SIGINT, SIGQUIT, SIGHUP and SIGTERM.
    pub fn new() -> Self {
        #[cfg(unix)]
        {
            let saved = [libc::SIGINT, libc::SIGQUIT, libc::SIGHUP, libc::SIGTERM]
                .into_iter()
                // SAFETY: installing SIG_IGN runs no code of ours in signal context.
                .map(|sig| (sig, unsafe { libc::signal(sig, libc::SIG_IGN) }))
                .collect();
            Self { saved }
        }
        #[cfg(not(unix))]
        Self {}
    }
}

impl Drop for SignalsToChild {
    fn drop(&mut self) {
        #[cfg(unix)]
        for (sig, handler) in self.saved.drain(..) {
            // SAFETY: restores the disposition that was in place before.
            unsafe {
                libc::signal(sig, handler);
            }
        }
    }
}

/// The real user id of this process.
#[cfg(unix)]
pub fn user_id() -> u32 {
    // SAFETY: getuid takes nothing and cannot fail.
    unsafe { libc::getuid() }
}

/// Caps this process's address space at `memory` bytes and its processor time at `seconds`,
/// for good (soft and hard limits alike). The child that renders a user template calls it
/// first thing, so a template that doubles a string or loops stops there, not in the
/// facilitator's machine. Returns whether both limits took.
pub fn limit_self(memory: u64, seconds: u64) -> bool {
    #[cfg(unix)]
    {
        let set = |resource, value: u64| {
            let limit = libc::rlimit {
                rlim_cur: value as libc::rlim_t,
                rlim_max: value as libc::rlim_t,
            };
            // SAFETY: setrlimit only reads the struct we pass; lowering a limit is always
            // allowed, and failure leaves the limit as it was.
            unsafe { libc::setrlimit(resource, &limit) == 0 }
        };
        set(libc::RLIMIT_AS, memory) && set(libc::RLIMIT_CPU, seconds)
    }
    #[cfg(not(unix))]
    {
        let _ = (memory, seconds);
        false
    }
}
