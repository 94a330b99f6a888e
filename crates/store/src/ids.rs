//! From what a person typed to a record: an old record number, or the letters of a handle.
//!
//! Format 1 names records by numbers counted per kind, so a number is all it can resolve;
//! the handles of format 2's random ids (see `tend_core::id`) are looked up here too, so the
//! commands that take an id already read both.

use tend_core::id::{Handles, IdQuery, Prefix, RecordId, Resolved};

use crate::error::{Error, Result};
use crate::journal::Journal;
use crate::records::Record;

impl Journal {
    /// The id of the record of kind `T` that `query` names. A number names the record it
    /// always named (whether it still exists is for the read to say); letters name the one
    /// record whose handle starts with them, and otherwise say that none or several do.
    pub fn resolve<T: Record>(&self, query: &IdQuery) -> Result<u64> {
        match query {
            IdQuery::Alias(n) => Ok(*n),
            // A format 1 journal gives no record a handle, so no letters pick one.
            IdQuery::Prefix(p) => match pick(T::KIND, p, &Handles::default()) {
                Err(e) => Err(e),
                Ok(_) => Err(Error::NoSuchHandle {
                    kind: T::KIND,
                    handle: p.to_string(),
                }),
            },
        }
    }
}

/// The one id among `handles` that `prefix` names, or why there is none.
pub(crate) fn pick(kind: &'static str, prefix: &Prefix, handles: &Handles) -> Result<RecordId> {
    match handles.resolve(prefix) {
        Resolved::One(id) => Ok(id),
        Resolved::None => Err(Error::NoSuchHandle {
            kind,
            handle: prefix.to_string(),
        }),
        Resolved::Many(ids) => Err(Error::AmbiguousHandle {
            kind,
            handle: prefix.to_string(),
            candidates: ids.into_iter().map(|id| handles.handle(id)).collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(bytes: [u8; 2]) -> RecordId {
        let mut b = [0u8; 16];
        b[..2].copy_from_slice(&bytes);
        RecordId::from_bytes(b)
    }

    #[test]
    fn an_ambiguous_handle_names_every_candidate_by_its_own_handle() {
        let handles = Handles::new([id([0x12, 0x34]), id([0x12, 0x35]), id([0x99, 0])]);
        let typed = Prefix::parse("cd").expect("letters");
        let err = pick("reflection", &typed, &handles).expect_err("two start so");
        assert_eq!(
            err.to_string(),
            "cd could be any of 2 reflections: cdfg, cdfh"
        );
        let typed = Prefix::parse("nn").expect("letters");
        assert_eq!(pick("repair", &typed, &handles).ok(), Some(id([0x99, 0])));
        let typed = Prefix::parse("xx").expect("letters");
        assert_eq!(
            pick("repair", &typed, &handles)
                .expect_err("none")
                .to_string(),
            "there is no repair with the handle xx"
        );
    }
}
