//! The measurement: a member's figures as one vector of bits, the shape Prio3 proves.
//!
//! The summary's small-group rules need, for every group of figures, each cell's sum, how
//! many members add to each cell, and — where the group has a total — how many members add
//! to each *combination* of cells (the rules ask how many members stand behind the hidden
//! cells together). So each group becomes:
//!
//! - every cell's count in binary, [`COUNT_BITS`] bits, lowest first;
//! - for a group with a total, a one-hot vector over the 2^width combinations of cells the
//!   member adds to (the empty combination included); for a group without one, one "I add
//!   here" bit per cell.
//!
//! - a *row sketch*: [`SKETCH_HASHES`] one-hot vectors of [`SKETCH_BUCKETS`] entries, each
//!   marking a bucket picked by hashing the member's whole row (its exact counts) with one
//!   of [`SKETCH_HASHES`] public hash functions; a row of zeros always marks bucket 0.
//!
//! The sketch is there for the rule that withholds a group whose members' rows are too
//! alike (and the one that decides where names may stand): those read how often the most
//! common row occurs, which no total says. Bucket 0 counts the rows of zeros exactly; the
//! fullest other bucket of each hash counts the most common non-zero row *and* any other
//! rows that fell into its bucket, so the smallest of these over the hashes is never less
//! than the truth. The rules only ever grow more cautious with a larger count, so a sketch
//! can make the co-facilitated build withhold what the single build would show (when the
//! few rows that differ from the most common one collide with it under every hash: about
//! one chance in 63^4 per group), and never the other way round.
//!
//! Every entry is 0 or 1, and Prio3SumVec's proof checks exactly that. What it cannot check
//! (that a one-hot vector has exactly one bit, that it matches the counts) is checked on the
//! totals by [`Tally::from_aggregate`]: a lone member who lies there makes the totals
//! disagree, and the build stops rather than show figures it cannot vouch for.

use tend_core::commitment::CommitmentState;
use tend_core::contribution::{Contribution, PackRef};
use tend_core::repair::RepairPart;

use sha2::{Digest, Sha256};
use tend_core::retreat::{RowProfile, RowProfiles};

use crate::ProtocolError;

/// Bits per count: a member's count in one cell is at most 2^12 − 1 = 4095.
pub const COUNT_BITS: usize = 12;
/// The largest count one member may give in one cell.
pub const MAX_COUNT: u64 = (1 << COUNT_BITS) - 1;
/// How many hash functions the row sketch has.
pub const SKETCH_HASHES: usize = 4;
/// Buckets per hash function in the row sketch (bucket 0 is the row of zeros).
pub const SKETCH_BUCKETS: usize = 64;
/// The longest measurement a plan may ask for (entries of one bit).
pub const MAX_MEASUREMENT_LEN: usize = 1 << 15;

/// One group of figures in the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupShape {
    /// How many cells.
    pub width: usize,
    /// Whether the summary shows the group's total (then combinations are measured).
    pub with_total: bool,
}

impl GroupShape {
    fn membership_len(&self) -> usize {
        if self.with_total {
            1 << self.width
        } else {
            self.width
        }
    }

    /// Entries of the measurement this group takes.
    pub fn len(&self) -> usize {
        self.width * COUNT_BITS + self.membership_len() + SKETCH_HASHES * SKETCH_BUCKETS
    }

    /// Whether the group has no entries (never, for a real group).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The shape of every member's measurement for one plan: one group per value (its rating
/// buckets, lowest first, then "no rating"), then commitments by state, repairs open and
/// closed, and repairs by the parts tended — the same groups, in the same order, as
/// `tend_core::retreat` adds up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pack: PackRef,
    groups: Vec<GroupShape>,
}

impl Layout {
    /// The layout for a plan's pack; refused when the measurement would be too long.
    pub fn new(pack: &PackRef) -> Result<Self, ProtocolError> {
        let cells = pack.scale.points() + 1;
        if cells > 12 {
            return Err(ProtocolError::TooLarge(format!(
                "a rating scale of {} points is more than a co-facilitated retreat can measure \
                 (at most 11)",
                pack.scale.points()
            )));
        }
        let mut groups = vec![
            GroupShape {
                width: cells,
                with_total: true,
            };
            pack.values.len()
        ];
        groups.push(GroupShape {
            width: CommitmentState::ALL.len(),
            with_total: true,
        });
        groups.push(GroupShape {
            width: 2,
            with_total: true,
        });
        groups.push(GroupShape {
            width: RepairPart::ALL.len(),
            with_total: false,
        });
        let layout = Layout {
            pack: pack.clone(),
            groups,
        };
        if layout.len() > MAX_MEASUREMENT_LEN {
            return Err(ProtocolError::TooLarge(format!(
                "{} values on a {}-point scale make a measurement of {} entries; a plan may \
                 have at most {MAX_MEASUREMENT_LEN} (choose fewer values)",
                pack.values.len(),
                pack.scale.points(),
                layout.len()
            )));
        }
        Ok(layout)
    }

    /// The pack the figures are counted against.
    pub fn pack(&self) -> &PackRef {
        &self.pack
    }

    /// The groups, in order.
    pub fn groups(&self) -> &[GroupShape] {
        &self.groups
    }

    /// The measurement's length.
    pub fn len(&self) -> usize {
        self.groups.iter().map(GroupShape::len).sum()
    }

    /// Whether the measurement is empty (never: commitments and repairs are always there).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// One row per group: the counts this contribution adds to each cell, exactly as the
    /// summary reads them (a rating off the plan's scale counts nowhere; a value's unrated
    /// reflections are its reflections less its rated ones).
    pub fn rows(&self, c: &Contribution) -> Vec<Vec<u64>> {
        let scale = &self.pack.scale;
        let mut rows = Vec::with_capacity(self.groups.len());
        for value in &self.pack.values {
            let mut row = vec![0u64; scale.points() + 1];
            if let Some(agg) = c.aggregates.values.iter().find(|v| v.id == value.id) {
                for (slot, rating) in row.iter_mut().zip(scale.min..=scale.max) {
                    let on_scale = c.pack.scale.contains(rating);
                    *slot = u64::from(
                        agg.ratings
                            .get(&rating)
                            .copied()
                            .filter(|_| on_scale)
                            .unwrap_or(0),
                    );
                }
                let rated: u64 = row.iter().sum();
                row[scale.points()] = u64::from(agg.reflections).saturating_sub(rated);
            }
            rows.push(row);
        }
        rows.push(
            CommitmentState::ALL
                .iter()
                .map(|s| u64::from(c.aggregates.commitments.get(s).copied().unwrap_or(0)))
                .collect(),
        );
        let r = &c.aggregates.repairs;
        rows.push(vec![u64::from(r.open), u64::from(r.closed)]);
        rows.push(
            RepairPart::ALL
                .iter()
                .map(|p| u64::from(r.tended.get(p).copied().unwrap_or(0)))
                .collect(),
        );
        rows
    }

    /// The measurement for one contribution: refused when a count is over [`MAX_COUNT`].
    pub fn encode(&self, c: &Contribution) -> Result<Vec<u128>, ProtocolError> {
        self.encode_rows(&self.rows(c))
    }

    /// The measurement for rows shaped like [`Layout::rows`].
    pub fn encode_rows(&self, rows: &[Vec<u64>]) -> Result<Vec<u128>, ProtocolError> {
        if rows.len() != self.groups.len() {
            return Err(ProtocolError::Inconsistent(
                "the figures do not fit the plan".into(),
            ));
        }
        let mut out = Vec::with_capacity(self.len());
        for (g, (shape, row)) in self.groups.iter().zip(rows).enumerate() {
            if row.len() != shape.width {
                return Err(ProtocolError::Inconsistent(
                    "the figures do not fit the plan".into(),
                ));
            }
            for &n in row {
                if n > MAX_COUNT {
                    return Err(ProtocolError::TooLarge(format!(
                        "a count of {n} in one place is more than a co-facilitated retreat \
                         measures (at most {MAX_COUNT}); share a shorter period"
                    )));
                }
                out.extend((0..COUNT_BITS).map(|bit| u128::from((n >> bit) & 1)));
            }
            if shape.with_total {
                let pattern = pattern_of(row);
                out.extend((0..1usize << shape.width).map(|p| u128::from(p == pattern)));
            } else {
                out.extend(row.iter().map(|&n| u128::from(n > 0)));
            }
            for hash in 0..SKETCH_HASHES {
                let bucket = self.bucket(g, hash, row);
                out.extend((0..SKETCH_BUCKETS).map(|b| u128::from(b == bucket)));
            }
        }
        debug_assert_eq!(out.len(), self.len());
        Ok(out)
    }
}

impl Layout {
    /// The sketch bucket of `row` (of group `group`) under hash `hash`: 0 for a row of
    /// zeros, else one of the others by SHA-256 over the pack's fingerprint, the group, the
    /// hash's number and the row's exact counts. Public and fixed by the plan: it hides
    /// nothing, it only has to be the same for every member.
    pub fn bucket(&self, group: usize, hash: usize, row: &[u64]) -> usize {
        if row.iter().all(|n| *n == 0) {
            return 0;
        }
        let mut h = Sha256::new();
        h.update(b"tend retreat row sketch v1\0");
        h.update(self.pack.fingerprint.as_bytes());
        h.update([0]);
        h.update((group as u64).to_le_bytes());
        h.update((hash as u64).to_le_bytes());
        for n in row {
            h.update(n.to_le_bytes());
        }
        let digest = h.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        1 + (u64::from_le_bytes(first) % (SKETCH_BUCKETS as u64 - 1)) as usize
    }
}

/// The combination of cells a row adds to, as a bit mask.
fn pattern_of(row: &[u64]) -> usize {
    row.iter()
        .enumerate()
        .filter(|(_, n)| **n > 0)
        .fold(0, |mask, (i, _)| mask | (1 << i))
}

/// The totals of one group, after aggregation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupTally {
    /// Each cell's sum over members.
    pub sums: Vec<u64>,
    /// With a total: how many members add to each combination of cells (by bit mask).
    /// Without: how many members add to each cell.
    pub membership: Vec<u64>,
    /// The row sketch: per hash, how many members' rows fell into each bucket.
    pub sketch: Vec<Vec<u64>>,
    /// The group's shape.
    pub shape: GroupShape,
}

impl GroupTally {
    /// What the rules read of the members' rows, from the sketch: the rows of zeros exactly,
    /// and a count never below the truth for the most common non-zero row.
    pub fn profile(&self, members: usize) -> RowProfile {
        let zeros = self.sketch.first().map_or(0, |h| h[0]) as usize;
        let most_common_nonzero = self
            .sketch
            .iter()
            .map(|h| h.iter().skip(1).copied().max().unwrap_or(0))
            .min()
            .unwrap_or(0) as usize;
        let nonzero = members.saturating_sub(zeros);
        let most_common_nonzero = most_common_nonzero.min(nonzero);
        RowProfile {
            rows: members,
            nonzero,
            most_common: zeros.max(most_common_nonzero),
            most_common_nonzero,
        }
    }

    /// How many members add to cell `i`.
    pub fn members_in(&self, i: usize) -> u64 {
        if self.shape.with_total {
            self.membership
                .iter()
                .enumerate()
                .filter(|(p, _)| p & (1 << i) != 0)
                .map(|(_, n)| n)
                .sum()
        } else {
            self.membership[i]
        }
    }

    /// One row per member (`members` of them, most all zero) whose sums, members per cell
    /// and combinations equal this tally's: stand-ins for the members, who are not known.
    pub fn stand_in_rows(&self, members: usize) -> Vec<Vec<u64>> {
        let width = self.shape.width;
        let mut rows: Vec<Vec<u64>> = Vec::with_capacity(members);
        if self.shape.with_total {
            // Empty combination last, so members who add nothing come last.
            for (pattern, &n) in self.membership.iter().enumerate().skip(1) {
                for _ in 0..n {
                    rows.push(
                        (0..width)
                            .map(|i| u64::from(pattern & (1 << i) != 0))
                            .collect(),
                    );
                }
            }
        } else {
            let most = self.membership.iter().copied().max().unwrap_or(0);
            for j in 0..most {
                rows.push(
                    (0..width)
                        .map(|i| u64::from(j < self.membership[i]))
                        .collect(),
                );
            }
        }
        rows.resize(members.max(rows.len()), vec![0; width]);
        for i in 0..width {
            let extra = self.sums[i].saturating_sub(self.members_in(i));
            if let Some(row) = rows.iter_mut().find(|r| r[i] > 0) {
                row[i] += extra;
            }
        }
        rows
    }
}

/// Every group's totals, for `members` members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    /// How many members' reports are in it.
    pub members: usize,
    /// One per group of the layout.
    pub groups: Vec<GroupTally>,
}

impl Tally {
    /// Reads the aggregate (the sum of `members` measurements) back into totals, and checks
    /// what the proof could not: one combination per member in every group, and counts that
    /// agree with the members said to stand behind them.
    pub fn from_aggregate(
        layout: &Layout,
        aggregate: &[u128],
        members: usize,
    ) -> Result<Self, ProtocolError> {
        if aggregate.len() != layout.len() {
            return Err(ProtocolError::Inconsistent(
                "the aggregate does not fit the plan".into(),
            ));
        }
        let crafted = |what: &str| {
            ProtocolError::Inconsistent(format!(
                "{what}: at least one report was crafted by hand, and these totals cannot be \
                 vouched for"
            ))
        };
        let n = members as u128;
        let mut groups = Vec::with_capacity(layout.groups.len());
        let mut at = 0;
        for shape in &layout.groups {
            let mut sums = Vec::with_capacity(shape.width);
            for _ in 0..shape.width {
                let mut sum: u128 = 0;
                for bit in 0..COUNT_BITS {
                    let column = aggregate[at + bit];
                    if column > n {
                        return Err(crafted("a total is larger than the number of members"));
                    }
                    sum += column << bit;
                }
                at += COUNT_BITS;
                sums.push(u64::try_from(sum).map_err(|_| crafted("a total overflows"))?);
            }
            let membership: Vec<u64> = aggregate[at..at + shape.membership_len()]
                .iter()
                .map(|&m| {
                    if m > n {
                        Err(crafted("more members in one place than in the batch"))
                    } else {
                        Ok(m as u64)
                    }
                })
                .collect::<Result<_, _>>()?;
            at += shape.membership_len();
            let sketch: Vec<Vec<u64>> = (0..SKETCH_HASHES)
                .map(|_| {
                    let h: Vec<u64> = aggregate[at..at + SKETCH_BUCKETS]
                        .iter()
                        .map(|&m| u64::try_from(m).unwrap_or(u64::MAX))
                        .collect();
                    at += SKETCH_BUCKETS;
                    h
                })
                .collect();
            if sketch.iter().any(|h| {
                h.iter().map(|&m| u128::from(m)).sum::<u128>() != n || h[0] != sketch[0][0]
            }) {
                return Err(crafted("a group's row sketch does not add up to the batch"));
            }
            if shape.with_total && membership.iter().map(|&m| u128::from(m)).sum::<u128>() != n {
                return Err(crafted("a group's members do not add up to the batch"));
            }
            let tally = GroupTally {
                sums,
                membership,
                sketch,
                shape: *shape,
            };
            let zeros = tally.sketch[0][0];
            let nonzero_rows = if shape.with_total {
                n as u64 - tally.membership[0]
            } else {
                (0..shape.width)
                    .map(|i| tally.members_in(i))
                    .max()
                    .unwrap_or(0)
            };
            if (shape.with_total && zeros != tally.membership[0])
                || (!shape.with_total && n as u64 - zeros < nonzero_rows)
            {
                return Err(crafted("a group's rows of zeros disagree with its members"));
            }
            for i in 0..shape.width {
                let behind = tally.members_in(i);
                let sum = tally.sums[i];
                if sum < behind || (sum > 0 && behind == 0) {
                    return Err(crafted("a count disagrees with the members behind it"));
                }
            }
            groups.push(tally);
        }
        Ok(Tally { members, groups })
    }

    /// What the small-group rules read of the members' rows, per group of the summary.
    pub fn profiles(&self, layout: &Layout) -> RowProfiles {
        let values = layout.pack.values.len();
        let profile = |g: usize| self.groups.get(g).map(|t| t.profile(self.members));
        RowProfiles {
            values: layout
                .pack
                .values
                .iter()
                .enumerate()
                .filter_map(|(g, v)| Some((v.id.clone(), profile(g)?)))
                .collect(),
            commitments: profile(values),
            repair_status: profile(values + 1),
            repair_parts: profile(values + 2),
        }
    }

    /// The totals of plain rows (one `Vec<Vec<u64>>` per member, shaped like
    /// [`Layout::rows`]), as aggregation would give them.
    pub fn of_rows(layout: &Layout, rows: &[Vec<Vec<u64>>]) -> Result<Self, ProtocolError> {
        let mut sum = vec![0u128; layout.len()];
        for member in rows {
            for (s, e) in sum.iter_mut().zip(layout.encode_rows(member)?) {
                *s += e;
            }
        }
        Self::from_aggregate(layout, &sum, rows.len())
    }
}
