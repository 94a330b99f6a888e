//! Every use of a record's id in the interface goes through here, so that a change of the
//! store's id type (a newtype with short handles, say) is an edit to this file.

use tend_core::reflection::Entry;

/// The store's id for a record, as the interface holds it.
pub type Id = u64;

/// The id of the reflection an entry digests.
pub fn of(entry: &Entry) -> Id {
    entry.id
}

/// How an id is shown to a person (and typed back, for excerpts).
pub fn handle(id: Id) -> String {
    id.to_string()
}

/// Reads an id as a person types it.
pub fn parse(typed: &str) -> Option<Id> {
    typed.trim().trim_start_matches('#').parse().ok()
}
