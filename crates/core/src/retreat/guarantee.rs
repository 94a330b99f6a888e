//! The guarantee of docs/retreat-guide.md, checked on random retreats.
//!
//! With `--min-group` k ≥ 3, a reader of the summary who also knows the figures of up to
//! k − 2 contributors (their own included) cannot work out any single other contributor's
//! figures, and cannot tell that all contributors gave one answer.
//!
//! A *group* is a set of figures that belong together (one value's ratings and reflections;
//! commitments by state; repairs open and closed; the parts of repair tended), and a
//! contributor's *row* in it is what they added to each of its figures (all zeros for someone
//! who added nothing). The property checked, for every group the summary shows anything of:
//!
//! **Swap.** For every contributor t there are at least k − 1 other contributors u whose row
//! differs from t's and who could trade rows with t without changing one character of the
//! summary. A name stays with its person, and shows only beside their excerpts; an excerpt
//! either stays with its author (who must keep a row that is not zero for the value it is
//! about) or goes with the row, and so may the choice to be named; the summary must not show
//! the difference. Whoever knows at most k − 2 rows then
//! still has such a u outside what they know: the world in which t and u traded is
//! consistent with everything they see and know, and in it t's row is different. So t's row
//! cannot be worked out.
//!
//! **One answer.** Where a group has a shown total, the shown cells never account for all of
//! it with one of them: a reader never sees that every count lies in one cell.
//!
//! Contributions cover the values their members reflected on, as `tend share` does by
//! default, so trading a value's rows also trades who covered it.
//!
//! What it does not cover: a reader who knows everyone's rows but one can subtract and read
//! the last one's figures from any exact total; and groups of which nothing is shown say only
//! that they were withheld.

use proptest::prelude::*;

use super::proptests::{Counts, IDS, counts, member};
use super::tests::{day, received};
use super::*;
use crate::contribution::{Contribution, Excerpt};

/// A member of a random retreat: their counts, whether they give a name, and their excerpts
/// (each about one value they reflected on).
#[derive(Debug, Clone)]
struct Member {
    counts: Counts,
    named: bool,
    excerpts: Vec<(usize, String)>,
}

/// The groups of a summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    Value(usize),
    Commitments,
    RepairStatus,
    Tended,
}

const GROUPS: [Group; 6] = [
    Group::Value(0),
    Group::Value(1),
    Group::Value(2),
    Group::Commitments,
    Group::RepairStatus,
    Group::Tended,
];

fn row(m: &Member, g: Group) -> Vec<u64> {
    let (values, commitments, (open, closed), tended) = &m.counts;
    let wide = |xs: &[u32]| xs.iter().map(|n| u64::from(*n)).collect::<Vec<_>>();
    match g {
        Group::Value(j) => {
            let (present, ratings, unrated) = &values[j];
            let mut row = wide(ratings);
            row.push(u64::from(*unrated));
            if !present {
                row.iter_mut().for_each(|n| *n = 0);
            }
            row
        }
        Group::Commitments => wide(commitments),
        Group::RepairStatus => wide(&[*open, *closed]),
        Group::Tended => wide(tended),
    }
}

/// `a` and `b` with their rows in `g` traded; with `words`, their excerpts about the value
/// go with the rows (an excerpt shown without a name says nothing of who wrote it); with
/// `choice`, so does the choice to be named (which shows only beside an excerpt).
fn trade(a: &Member, b: &Member, g: Group, words: bool, choice: bool) -> (Member, Member) {
    let (mut a, mut b) = (a.clone(), b.clone());
    if choice {
        std::mem::swap(&mut a.named, &mut b.named);
    }
    match g {
        Group::Value(j) => {
            std::mem::swap(&mut a.counts.0[j], &mut b.counts.0[j]);
            if words {
                let about = |m: &mut Member| {
                    let (go, stay) = m.excerpts.drain(..).partition(|(v, _)| *v == j);
                    m.excerpts = stay;
                    go
                };
                let (from_a, from_b): (Vec<_>, Vec<_>) = (about(&mut a), about(&mut b));
                a.excerpts.extend(from_b);
                b.excerpts.extend(from_a);
            }
        }
        Group::Commitments => std::mem::swap(&mut a.counts.1, &mut b.counts.1),
        Group::RepairStatus => std::mem::swap(&mut a.counts.2, &mut b.counts.2),
        Group::Tended => std::mem::swap(&mut a.counts.3, &mut b.counts.3),
    }
    (a, b)
}

/// Whether an author has a row that is not zero for every value their excerpts are about.
fn consistent(m: &Member) -> bool {
    m.excerpts
        .iter()
        .all(|(j, _)| row(m, Group::Value(*j)).iter().any(|n| *n > 0))
}

fn contribution(i: usize, m: &Member) -> Contribution {
    let mut c = member(i, &m.counts);
    // As `tend share` does by default: the values covered are those reflected on.
    c.pack.values.retain(|v| {
        c.aggregates
            .values
            .iter()
            .any(|a| a.id == v.id && a.reflections > 0)
    });
    c.aggregates.values.retain(|a| a.reflections > 0);
    c.pack.fingerprint = crate::contribution::covered_fingerprint(&c.pack.values, &c.pack.scale);
    if m.named {
        c.consent.name = Some(format!("Member {i}"));
    }
    for (j, text) in &m.excerpts {
        c.excerpts.push(Excerpt {
            values: vec![IDS[*j].to_owned()],
            text: text.clone(),
            content_note: None,
        });
    }
    c
}

fn summary(members: &[Member], min: usize) -> Summary {
    let options = Options {
        min_group: min,
        ..Options::new(day(6, 10))
    };
    let received = members
        .iter()
        .enumerate()
        .map(|(i, m)| received(contribution(i, m)))
        .collect();
    build(received, &[], vec![], &options).expect("builds").0
}

fn shows(s: &Summary, g: Group) -> bool {
    match g {
        Group::Value(j) => s.values.iter().any(|v| v.id == IDS[j]),
        Group::Commitments => {
            s.commitments.total.is_some() || s.commitments.states.iter().any(|f| f.count.is_some())
        }
        Group::RepairStatus => {
            s.repairs.total.is_some() || s.repairs.open.is_some() || s.repairs.closed.is_some()
        }
        Group::Tended => s.repairs.tended.iter().any(|f| f.count.is_some()),
    }
}

/// The shown total and cells of a group that has a total.
fn total_and_cells(s: &Summary, g: Group) -> Option<(Option<u64>, Vec<Option<u64>>)> {
    match g {
        Group::Value(j) => s.values.iter().find(|v| v.id == IDS[j]).map(|v| {
            let mut cells: Vec<Option<u64>> = v.ratings.iter().map(|r| r.count).collect();
            cells.push(v.unrated);
            (v.reflections, cells)
        }),
        Group::Commitments => Some((
            s.commitments.total,
            s.commitments.states.iter().map(|f| f.count).collect(),
        )),
        Group::RepairStatus => Some((s.repairs.total, vec![s.repairs.open, s.repairs.closed])),
        Group::Tended => None,
    }
}

/// `m` with every count of each group moved into cell `c` of it (as far as it has one).
fn one_answer(mut m: Member, c: usize) -> Member {
    let (values, commitments, (open, closed), _) = &mut m.counts;
    for (_, ratings, unrated) in values.iter_mut() {
        let all = ratings.iter().sum::<u32>() + *unrated;
        *ratings = [0; 5];
        *unrated = 0;
        match ratings.get_mut(c) {
            Some(cell) => *cell = all,
            None => *unrated = all,
        }
    }
    let all = commitments.iter().sum::<u32>();
    *commitments = [0; 4];
    commitments[c % 4] = all;
    let all = *open + *closed;
    (*open, *closed) = if c.is_multiple_of(2) {
        (all, 0)
    } else {
        (0, all)
    };
    m
}

fn members() -> impl Strategy<Value = Vec<Member>> {
    proptest::collection::vec(
        (
            counts(),
            prop_oneof![3 => Just(false), 1 => Just(true)],
            0usize..5,
        ),
        0..9,
    )
    .prop_map(|ms| {
        ms.into_iter()
            .enumerate()
            .map(|(i, (counts, named, about))| {
                let mut m = Member {
                    counts,
                    named,
                    excerpts: Vec::new(),
                };
                // An excerpt is about a value the member reflected on, or there is none.
                if about < IDS.len() && row(&m, Group::Value(about)).iter().any(|n| *n > 0) {
                    m.excerpts.push((about, format!("Words of member {i}.")));
                }
                m
            })
            .collect()
    })
}

/// The other worlds, as the sets of members (besides `t`) each one changes, in which `t`'s
/// row in `g` differs and the summary is the same: `t` trades everything, or only the row,
/// with one member `u` (whose row differs), and where that leaves an excerpt with an author
/// who gave the value nothing, the excerpt goes to a third member `w` who did.
fn other_worlds(ms: &[Member], min: usize, s: &Summary, g: Group, t: usize) -> Vec<Vec<usize>> {
    let mine = row(&ms[t], g);
    let ways = [(false, false), (true, false), (true, true), (false, true)];
    let mut found = Vec::new();
    for u in (0..ms.len()).filter(|u| *u != t && row(&ms[*u], g) != mine) {
        let mut by_a_third = Vec::new();
        // Two people of whom the summary names neither can trade everything unseen.
        let mut everything = ms.to_vec();
        everything.swap(t, u);
        let mut alone = summary(&everything, min) == *s;
        for (words, choice) in ways {
            if alone {
                break;
            }
            let (a, b) = trade(&ms[t], &ms[u], g, words, choice);
            let mut world = ms.to_vec();
            world[t] = a;
            world[u] = b;
            if world.iter().all(consistent) {
                if summary(&world, min) == *s {
                    alone = true;
                    break;
                }
                continue;
            }
            let Group::Value(j) = g else { continue };
            for w in 0..ms.len() {
                if w == t || w == u || by_a_third.contains(&w) {
                    continue;
                }
                let mut moved = world.clone();
                for x in [t, u] {
                    if !consistent(&moved[x]) {
                        let (go, stay): (Vec<_>, Vec<_>) =
                            moved[x].excerpts.drain(..).partition(|(v, _)| *v == j);
                        moved[x].excerpts = stay;
                        moved[w].excerpts.extend(go);
                    }
                }
                if moved.iter().all(consistent) && summary(&moved, min) == *s {
                    by_a_third.push(w);
                }
            }
        }
        if alone {
            found.push(vec![u]);
        } else {
            found.extend(by_a_third.into_iter().map(|w| vec![u, w]));
        }
    }
    found
}

/// Checks the swap property for one group of one retreat: for every member `t` and every set
/// of at most `min - 2` others a reader might know, some other world leaves them all alone.
fn check_swap(ms: &[Member], min: usize, s: &Summary, g: Group) -> Result<(), TestCaseError> {
    let shown_names: Vec<String> = s
        .values
        .iter()
        .flat_map(|v| &v.excerpts)
        .chain(&s.other_excerpts)
        .filter_map(|e| e.name.clone())
        .collect();
    for t in 0..ms.len() {
        // A member whose name the summary shows, for a value their named words are not about:
        // the other worlds there change counts, not just places, and are not searched.
        let seen = shown_names.contains(&format!("Member {t}"));
        if let Group::Value(j) = g
            && seen
            && ms[t].excerpts.iter().all(|(v, _)| *v != j)
        {
            continue;
        }
        let worlds = other_worlds(ms, min, s, g, t);
        let others: Vec<usize> = (0..ms.len()).filter(|x| *x != t).collect();
        for known in subsets(&others, min - 2) {
            prop_assert!(
                worlds.iter().any(|w| w.iter().all(|x| !known.contains(x))),
                "{:?}: whoever knows the rows of members {:?} can read member {}'s row {:?} \
                 (other worlds: {:?})",
                g,
                known,
                t,
                row(&ms[t], g),
                worlds
            );
        }
    }
    Ok(())
}

/// Every subset of `items` with at most `most` members.
fn subsets(items: &[usize], most: usize) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new()];
    for item in items {
        let grown: Vec<Vec<usize>> = out
            .iter()
            .filter(|s| s.len() < most)
            .map(|s| {
                let mut s = s.clone();
                s.push(*item);
                s
            })
            .collect();
        out.extend(grown);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn retreat_guarantee_no_contributor_is_singled_out(ms in members(), min in 3usize..6) {
        let s = summary(&ms, min);
        for g in GROUPS {
            if shows(&s, g) {
                check_swap(&ms, min, &s, g)?;
            }
        }
    }

    #[test]
    fn retreat_guarantee_one_answer_is_never_shown(
        ms in members(),
        min in 3usize..6,
        one in proptest::option::of(0usize..6),
    ) {
        // Half the time, everyone's answers in every group are gathered into one cell.
        let ms: Vec<Member> = ms.into_iter().map(|m| match one {
            Some(c) => one_answer(m, c),
            None => m,
        }).collect();
        let s = summary(&ms, min);
        for g in GROUPS {
            let Some((Some(total), cells)) = total_and_cells(&s, g) else { continue };
            let shown: Vec<u64> = cells.iter().flatten().copied().collect();
            let nonzero = shown.iter().filter(|n| **n > 0).count();
            prop_assert!(
                !(nonzero == 1 && shown.iter().sum::<u64>() == total),
                "{:?}: the shown cells {:?} say every one of {} counts lies in one cell",
                g, cells, total
            );
            // And when every count truly lies in one cell, no cell of the group is shown.
            let rows: Vec<Vec<u64>> = ms.iter().map(|m| row(m, g)).collect();
            let used = (0..cells.len()).filter(|c| rows.iter().any(|r| r[*c] > 0)).count();
            if used == 1 {
                prop_assert!(cells.iter().all(Option::is_none), "{:?}: {:?}", g, cells);
            }
        }
    }
}
