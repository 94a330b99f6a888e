//! Small-group protection: the rule that no figure in a summary speaks for fewer members
//! than the threshold, not even by subtraction.
//!
//! A figure's *members* are the contributions that add something to it. Figures come in
//! groups; a group may have a total that is the sum of its cells (a value's reflections are
//! the sum of its rating buckets and its unrated reflections). The rules:
//!
//! 1. A cell or total drawn from fewer than `min` members is hidden (zeros included:
//!    "fewer than 3 members" is true of nobody, too).
//! 2. When a group's total is shown, the total minus the shown cells is the sum of the
//!    hidden ones: a figure in its own right. So if exactly one cell is hidden, or the hidden
//!    cells together come from some but fewer than `min` members (one member's lone rating
//!    of 1 hidden beside a rating of 2 that nobody gave), one more cell is hidden: the
//!    smallest shown one (ties by position). Being shown, it comes from at least `min`
//!    members, which settles both. If there is none, the total is hidden instead.
//!
//! 3. When a reader could tell from the shown figures that every count of the group lies in
//!    one cell (one shown cell equals the shown total: "everyone who rated it rated it 4"),
//!    the cells are hidden and only the total stays.
//! 4. A group is withheld whole unless the rows of its members (every contributor to the
//!    summary, one row each, a row of zeros for someone who gave nothing to it) are diverse:
//!    at least `min - 1` rows differ from the most common one ([`diverse`]). Then whoever
//!    knows up to `min - 2` members' rows still finds, for any other member, someone else
//!    whose row differs; swapping the two changes no figure of the summary, so the figures
//!    cannot say which of the two rows is whose.
//!
//! After this, every group with a shown total has no hidden cells, or at least two whose
//! sum is drawn from no member or from at least `min` members.

/// One figure of a group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Cell {
    /// The sum over members.
    pub count: u64,
    /// How many members add something to it.
    pub members: usize,
    /// Whether it may be shown.
    pub shown: bool,
}

impl Cell {
    /// The count, when it may be shown.
    pub fn figure(&self) -> Option<u64> {
        self.shown.then_some(self.count)
    }
}

/// A group of figures, and their total when the summary shows one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Group {
    pub cells: Vec<Cell>,
    pub total: Option<Cell>,
    /// For each member, which cells they add something to.
    pub rows: Vec<Vec<bool>>,
}

impl Group {
    /// Tallies `rows` (one per member, one count per cell) into a group of `width` cells,
    /// with a total when `with_total`, and applies the protection rules.
    #[cfg(test)]
    pub fn tally<I>(rows: I, width: usize, with_total: bool, min: usize) -> Self
    where
        I: IntoIterator<Item = Vec<u64>>,
    {
        Self::tally_with(rows, width, with_total, min, None)
    }

    /// [`Group::tally`], with rule 4 deciding on `profile` when one is given instead of on
    /// the rows themselves (a co-facilitated build has stand-in rows, and the members'
    /// rows' profile from the aggregate).
    pub fn tally_with<I>(
        rows: I,
        width: usize,
        with_total: bool,
        min: usize,
        profile: Option<RowProfile>,
    ) -> Self
    where
        I: IntoIterator<Item = Vec<u64>>,
    {
        let rows: Vec<Vec<u64>> = rows.into_iter().collect();
        let profile = profile.unwrap_or_else(|| RowProfile::of(&rows));
        let withheld = !profile.diverse(min);
        let mut cells = vec![Cell::default(); width];
        let mut total = Cell::default();
        let mut present = Vec::new();
        for row in rows {
            let mut adds = vec![false; width];
            for ((cell, n), add) in cells.iter_mut().zip(row).zip(&mut adds) {
                if n > 0 {
                    cell.count = cell.count.saturating_add(n);
                    cell.members += 1;
                    total.count = total.count.saturating_add(n);
                    *add = true;
                }
            }
            if adds.contains(&true) {
                total.members += 1;
                present.push(adds);
            }
        }
        let mut group = Group {
            cells,
            total: with_total.then_some(total),
            rows: present,
        };
        group.protect(min);
        if withheld {
            group.withhold();
        }
        group
    }

    /// Hides every figure of the group.
    pub fn withhold(&mut self) {
        for cell in &mut self.cells {
            cell.shown = false;
        }
        if let Some(total) = &mut self.total {
            total.shown = false;
        }
    }

    /// Whether any figure of the group is shown.
    pub fn any_shown(&self) -> bool {
        self.cells.iter().any(|c| c.shown) || self.total.is_some_and(|t| t.shown)
    }

    fn protect(&mut self, min: usize) {
        self.protect_cells(min);
        // Rule 3: a shown total that one shown cell accounts for says everyone answered alike.
        if let Some(total) = self.total.filter(|t| t.shown) {
            let shown_sum: u64 = self.cells.iter().filter_map(Cell::figure).sum();
            let nonzero = self.cells.iter().filter(|c| c.shown && c.count > 0).count();
            if shown_sum == total.count && nonzero <= 1 {
                for cell in &mut self.cells {
                    cell.shown = false;
                }
            }
        }
    }

    fn protect_cells(&mut self, min: usize) {
        for cell in &mut self.cells {
            cell.shown = cell.members >= min;
        }
        let Some(total) = &mut self.total else {
            return;
        };
        total.shown = total.members >= min;
        if !total.shown {
            return;
        }
        let hidden = self.cells.iter().filter(|c| !c.shown).count();
        let behind_hidden = self
            .rows
            .iter()
            .filter(|row| row.iter().zip(&self.cells).any(|(add, c)| *add && !c.shown))
            .count();
        if hidden == 1 || (behind_hidden > 0 && behind_hidden < min) {
            let complement = self
                .cells
                .iter()
                .enumerate()
                .filter(|(_, c)| c.shown)
                .min_by_key(|(i, c)| (c.count, c.members, *i))
                .map(|(i, _)| i);
            match complement {
                Some(i) => self.cells[i].shown = false,
                None => total.shown = false,
            }
        }
    }

    /// The total's figure, when there is one and it may be shown.
    pub fn total_figure(&self) -> Option<u64> {
        self.total.and_then(|t| t.figure())
    }
}

/// What rules 4 and 6 read of the members' rows beyond the totals: how many rows there
/// are, how many are not all zeros, and how often the most common row and the most common
/// non-zero row occur. Nothing else about the rows matters to them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RowProfile {
    /// How many rows (every contributor has one).
    pub rows: usize,
    /// How many rows are not all zeros.
    pub nonzero: usize,
    /// How often the most common row occurs.
    pub most_common: usize,
    /// How often the most common non-zero row occurs (0 when every row is zeros).
    pub most_common_nonzero: usize,
}

impl RowProfile {
    /// The profile of `rows`.
    pub fn of(rows: &[Vec<u64>]) -> Self {
        let nonzero: Vec<&Vec<u64>> = rows.iter().filter(|r| r.iter().any(|n| *n > 0)).collect();
        RowProfile {
            rows: rows.len(),
            nonzero: nonzero.len(),
            most_common: most_common(rows.iter()),
            most_common_nonzero: most_common(nonzero.iter().copied()),
        }
    }

    /// Rule 4: whether at least `min - 1` rows differ from the most common row.
    pub(crate) fn diverse(&self, min: usize) -> bool {
        self.rows.saturating_sub(self.most_common) >= min.saturating_sub(1)
    }

    /// Rule 6, as [`names_safe`] says it.
    pub(crate) fn names_safe(&self, named: usize, min: usize) -> bool {
        let need = min.saturating_sub(1);
        let varied = self.nonzero.saturating_sub(self.most_common_nonzero) >= need;
        let zeros = self.rows > self.nonzero;
        varied && (!zeros || self.nonzero.saturating_sub(named) >= need)
    }
}

/// Rule 4: whether at least `min - 1` of `rows` differ from the most common row.
#[cfg(test)]
pub(crate) fn diverse(rows: &[Vec<u64>], min: usize) -> bool {
    RowProfile::of(rows).diverse(min)
}

/// How often the most common of `rows` occurs.
fn most_common<'a>(rows: impl Iterator<Item = &'a Vec<u64>>) -> usize {
    let mut counts: std::collections::BTreeMap<&Vec<u64>, usize> = Default::default();
    for row in rows {
        *counts.entry(row).or_default() += 1;
    }
    counts.into_values().max().unwrap_or(0)
}

/// Rule 6: whether names may stand beside excerpts about a value whose rows are `rows`
/// (every contributor's, zeros included), when `named` members would be named there.
///
/// A named member's row is known not to be zero, so the member a reader cannot tell them
/// apart from must also have a row that is not zero, and a different one: at least `min - 1`
/// of the non-zero rows must differ from the most common non-zero row. And a member who gave
/// nothing to the value must still be confusable with someone who did and is not named
/// there: at least `min - 1` members with a non-zero row must be unnamed, when anyone's row
/// is zero. Both depend only on how many rows of each kind there are, never on whose row is
/// whose, so swapping two rows never changes whether names are shown.
#[cfg(test)]
pub(crate) fn names_safe(rows: &[Vec<u64>], named: usize, min: usize) -> bool {
    RowProfile::of(rows).names_safe(named, min)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protect_hides_a_distribution_everyone_shares() {
        // Four members, every rating a 4: "4 · mostly: 4" would tell each member's rating.
        let rows = vec![vec![0, 2, 0], vec![0, 1, 0], vec![0, 3, 0], vec![0, 1, 0]];
        let g = Group::tally(rows, 3, true, 3);
        assert_eq!(shown(&g), vec![None, None, None]);
        assert_eq!(g.total_figure(), Some(7));
    }

    #[test]
    fn protect_withholds_a_group_whose_rows_are_too_alike() {
        // Three of four rows alike: who knows the odd one out knows the other three.
        let rows = vec![vec![1, 1], vec![1, 1], vec![1, 1], vec![2, 0]];
        let g = Group::tally(rows, 2, true, 3);
        assert!(!g.any_shown());
        assert!(diverse(&[vec![1], vec![2], vec![3]], 3));
        assert!(!diverse(&[vec![1], vec![1], vec![3]], 3));
    }

    #[test]
    fn protect_names_need_varied_rows_that_are_not_zero() {
        let rows = vec![vec![1], vec![2], vec![3], vec![0]];
        assert!(names_safe(&rows, 1, 3));
        assert!(!names_safe(&rows, 2, 3), "only one unnamed non-zero row");
        assert!(!names_safe(&[vec![1], vec![1], vec![1], vec![5]], 1, 3));
        assert!(names_safe(&[vec![1], vec![2], vec![3]], 3, 3));
    }

    fn shown(g: &Group) -> Vec<Option<u64>> {
        g.cells.iter().map(Cell::figure).collect()
    }

    #[test]
    fn protect_hides_cells_from_few_members() {
        // Three members; one alone gave rating 2.
        let rows = vec![vec![0, 0, 2], vec![0, 0, 1], vec![0, 1, 1]];
        let g = Group::tally(rows, 3, false, 3);
        assert_eq!(shown(&g), vec![None, None, Some(4)]);
    }

    #[test]
    fn protect_hides_a_second_cell_when_one_could_be_subtracted() {
        // Cells: [a, b, c]; b comes from one member, the total from three.
        let rows = vec![vec![2, 0, 3], vec![1, 0, 4], vec![1, 5, 2], vec![3, 0, 1]];
        let g = Group::tally(rows, 3, true, 3);
        assert_eq!(g.total_figure(), Some(22));
        // b (5, one member) is hidden; a (7) is the smallest shown cell, so it goes too.
        assert_eq!(shown(&g), vec![None, None, Some(10)]);
    }

    #[test]
    fn protect_hides_the_total_when_no_complement_exists() {
        let mut g = Group {
            cells: vec![Cell {
                count: 4,
                members: 1,
                shown: false,
            }],
            total: Some(Cell {
                count: 4,
                members: 3,
                shown: false,
            }),
            rows: vec![vec![true]],
        };
        g.protect(3);
        assert_eq!(g.total_figure(), None);
    }

    #[test]
    fn protect_hidden_cells_together_must_not_single_anyone_out() {
        // Rating 1: one member, twice; rating 2: nobody. Two hidden cells, but their sum
        // (total minus shown = 2) would still come from one member.
        let rows = vec![vec![2, 0, 1, 1], vec![0, 0, 1, 1], vec![0, 0, 2, 1]];
        let g = Group::tally(rows, 4, true, 3);
        assert_eq!(
            shown(&g),
            vec![None, None, Some(4), None],
            "3 is the smallest shown"
        );
        assert_eq!(g.total_figure(), Some(9));
    }

    #[test]
    fn protect_keeps_everything_when_every_figure_is_large_enough() {
        let rows = vec![vec![1, 1], vec![1, 2], vec![2, 1]];
        let g = Group::tally(rows, 2, true, 3);
        assert_eq!(shown(&g), vec![Some(4), Some(4)]);
        assert_eq!(g.total_figure(), Some(8));
    }
}
