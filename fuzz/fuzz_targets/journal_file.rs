//! A journal file that is not what it should be: damaged on disk, cut short, from another
//! program, or changed on purpose. Opening it must end in an error, never a panic. A file
//! that still opens (the seed journals are sealed to the fuzzing identity) is then read
//! through every route the CLI takes, and closed.
#![no_main]

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use tend_core::commitment::Commitment;
use tend_core::contribution::ConsentRecord;
use tend_core::reflection::{Filter, Query, Reflection};
use tend_core::repair::Repair;
use tend_store::{Journal, OpenOptions, Secret};

/// Whether the last panic started inside redb.
static IN_REDB: AtomicBool = AtomicBool::new(false);
/// Whether the journal has opened (so a panic now is in a read or the close).
static OPENED: AtomicBool = AtomicBool::new(false);

fuzz_target!(
    init: {
        // libfuzzer-sys aborts at any panic, even one tend contains (redb's panics on
        // damaged files while opening and closing; see crates/store/src/contain.rs). Only a
        // panic that escapes is a finding, and libfuzzer-sys still aborts on those. One line
        // each, without a backtrace: contained panics are many.
        std::panic::set_hook(Box::new(|info| {
            let in_redb = info.location().is_some_and(|l| l.file().contains("/redb-"));
            IN_REDB.store(in_redb, Ordering::SeqCst);
            let when = if OPENED.load(Ordering::SeqCst) {
                "reading"
            } else {
                "opening"
            };
            eprintln!("panic while {when}: {info}");
        }));
    },
    |data: &[u8]| open_and_read(data)
);

fn open_and_read(data: &[u8]) {
    let path = path();
    std::fs::write(path, data).expect("the temporary file is writable");
    // The identity only: a passphrase unlocker in a changed file may ask scrypt for up to
    // MAX_WORK_FACTOR (gigabytes, seconds), which is by design and would only slow the
    // search. The file format and every read past the unlocker are the same either way.
    let secret = Secret::Identities(vec![tend_fuzz::identity()]);
    let options = OpenOptions {
        busy_timeout: Duration::ZERO,
    };
    // The contract: whatever the bytes, an error or a journal, never a panic.
    OPENED.store(false, Ordering::SeqCst);
    let Ok(mut journal) = Journal::open_with(path, &secret, &options) else {
        return;
    };
    OPENED.store(true, Ordering::SeqCst);
    // Reads of a damaged file that opened can still reach a panic inside redb (its b-tree
    // pages carry no check a plain read verifies); those are redb's, known upstream, and
    // reported in the fuzzing notes. A panic anywhere else is a finding.
    let read = catch_unwind(AssertUnwindSafe(|| {
        let _ = journal.unlockers();
        let _ = journal.pack();
        let _ = journal.pseudonym("Spring retreat 2026");
        let _ = journal.count::<Reflection>();
        let _ = journal.all::<Reflection>();
        let _ = journal.all::<Commitment>();
        let _ = journal.all::<Repair>();
        let _ = journal.all::<ConsentRecord>();
        let _ = journal.entries();
        let _ = journal.get::<Reflection>(1);
        let _ = journal.search(&Query::new(&["numbers"]), &Filter::default());
        let _ = journal.check();
    }));
    if let Err(panic) = read
        && !IN_REDB.load(Ordering::SeqCst)
    {
        resume_unwind(panic);
    }
    drop(journal);
}

/// One file, rewritten for every input, in a folder that lasts as long as the fuzzer.
fn path() -> &'static PathBuf {
    static PATH: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &PATH
        .get_or_init(|| {
            // In memory where there is a tmpfs: redb syncs the file when it repairs it.
            let shm = Path::new("/dev/shm");
            let dir = if shm.is_dir() {
                tempfile::tempdir_in(shm)
            } else {
                tempfile::tempdir()
            }
            .expect("a temporary folder");
            let path = dir.path().join("journal.tend");
            (dir, path)
        })
        .1
}
