//! What can go wrong in a co-facilitated retreat, in words a co-facilitator can act on.

/// A protocol step that could not be taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// A file is not the kind of tend retreat file expected.
    #[error("this is not a {expected} (it looks like {found})")]
    WrongKind {
        /// What was expected.
        expected: &'static str,
        /// What it looks like.
        found: String,
    },
    /// Written by a newer tend.
    #[error("this {kind} was written by a newer tend (version {version}); update tend to read it")]
    NewerVersion {
        /// What kind of file.
        kind: &'static str,
        /// Its version.
        version: u64,
    },
    /// A file is damaged or not well formed.
    #[error("this file is not well formed: {0}")]
    Malformed(String),
    /// A file is larger than any honest one.
    #[error("this file is larger than any tend retreat file ({size} bytes; at most {limit})")]
    Oversized {
        /// Its size.
        size: usize,
        /// The cap.
        limit: usize,
    },
    /// Figures or a plan too large for the protocol.
    #[error("{0}")]
    TooLarge(String),
    /// Parts that must agree do not.
    #[error("{0}")]
    Inconsistent(String),
    /// A file made for another plan or batch.
    #[error("this {kind} was made for another {what}")]
    Mismatch {
        /// What kind of file.
        kind: &'static str,
        /// "plan", "batch".
        what: &'static str,
    },
    /// Fewer reports than the plan's minimum group.
    #[error(
        "only {count} report{} can be aggregated, fewer than the plan's minimum group of {min}",
        if *count == 1 { "" } else { "s" }
    )]
    BelowMinGroup {
        /// How many reports are left.
        count: usize,
        /// The plan's minimum group.
        min: usize,
    },
    /// A report that was aggregated before is offered again.
    #[error(
        "{count} of these reports were aggregated before, in batch {batch}; a report is never aggregated twice"
    )]
    AlreadyAggregated {
        /// How many.
        count: usize,
        /// The earlier batch (its short id).
        batch: String,
    },
    /// The VDAF refused a share (its proof does not hold, or it does not decode).
    #[error("the figures did not pass the check: {0}")]
    Rejected(String),
    /// The VDAF library failed where it should not.
    #[error("the secure aggregation failed: {0}")]
    Vdaf(String),
    /// age could not seal or open a layer.
    #[error("{0}")]
    Seal(String),
}
