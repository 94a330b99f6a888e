//! A co-facilitated retreat: two co-facilitators, the *leader* and the *helper*, each see
//! only random-looking shares of every member's figures; together they learn the totals,
//! and never one member's figures.
//!
//! Each member's figures become one Prio3SumVec measurement ([`layout`]), sharded in two
//! ([`vdaf`]); the helper collects the reports, checks them against the roster and passes
//! the leader's still-sealed shares on in a shuffled batch; one round of verification
//! between the two rejects a malformed measurement without either seeing it; each adds up
//! its output shares, and the two aggregate shares give the totals ([`roles`]). The totals
//! become stand-in contributions ([`standin`]) so that `tend_core::retreat` builds the
//! summary under exactly the small-group rules of the single-facilitator build.
//!
//! ```
//! use tend_protocol::layout::{Layout, Tally};
//! use tend_core::contribution::{PackRef, ValueRef};
//! use tend_core::pack::Scale;
//!
//! let pack = PackRef {
//!     fingerprint: "0000-0000-0000-0000".into(),
//!     values: vec![ValueRef { id: "equity".into(), name: "Equity".into() }],
//!     scale: Scale::default(),
//! };
//! let layout = Layout::new(&pack)?;
//! // Three members' rows: a value's rating buckets and "no rating", commitments by state,
//! // repairs open and closed, repairs by part.
//! let member = vec![vec![0, 0, 1, 2, 0, 1], vec![1, 0, 0, 0], vec![1, 0], vec![1, 0, 0, 0]];
//! let tally = Tally::of_rows(&layout, &[member.clone(), member.clone(), member])?;
//! assert_eq!(tally.groups[0].sums, vec![0, 0, 3, 6, 0, 3]);
//! assert_eq!(tally.groups[0].members_in(3), 3);
//! # Ok::<(), tend_protocol::ProtocolError>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod error;
pub mod files;
pub mod layout;
pub mod ledger;
pub mod plan;
pub mod roles;
pub mod seal;
pub mod standin;
pub mod vdaf;

#[cfg(test)]
mod tests;

pub use error::ProtocolError;
pub use files::Role;
pub use plan::Plan;
