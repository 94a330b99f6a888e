//! Containing redb's panics on damaged files.
//!
//! redb 4.5 panics, rather than returning an error, on some damaged files: while opening
//! one, and while closing one (a close commits the allocator state). The journal_file fuzz
//! target finds such files within seconds. A damaged journal must end in an error tend can
//! explain, so opening runs inside [`contain`] and the database is held in a [`Db`], whose
//! close cannot take the program down with it.

use std::ops::{Deref, DerefMut};
use std::panic::{AssertUnwindSafe, catch_unwind};

use redb::Database;

use crate::error::{Error, Result};

/// Runs `f`; a panic inside it becomes [`Error::Damaged`]. Only for work on a database that
/// is dropped with the panic, so no half-changed state outlives it.
pub(crate) fn contain<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err(Error::Damaged("its structure could not be read".into())))
}

/// A redb database that is closed inside [`catch_unwind`].
pub(crate) struct Db(Option<Database>);

impl Db {
    pub(crate) fn new(db: Database) -> Self {
        Self(Some(db))
    }
}

impl Deref for Db {
    type Target = Database;

    fn deref(&self) -> &Database {
        self.0
            .as_ref()
            .expect("the database is there until it is dropped")
    }
}

impl DerefMut for Db {
    fn deref_mut(&mut self) -> &mut Database {
        self.0
            .as_mut()
            .expect("the database is there until it is dropped")
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Some(db) = self.0.take() {
            // Nothing to report to: the file was damaged, and the next open will say so.
            let _ = catch_unwind(AssertUnwindSafe(move || drop(db)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_inside_becomes_a_damaged_file() {
        let contained: Result<()> = contain(|| panic!("as redb does on some damaged files"));
        assert!(matches!(contained, Err(Error::Damaged(_))));
        assert_eq!(contain(|| Ok(7)).ok(), Some(7));
    }
}
