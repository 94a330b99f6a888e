//! Property tests: devices that make changes and sync in any order end with the same
//! journal, applying a change twice changes nothing, and nothing is lost that no device
//! knowingly replaced.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;
use crate::ids::DeviceId;

const DEVICES: usize = 3;

#[derive(Clone, Debug)]
enum Action {
    Write { device: usize, key: u8, value: u8 },
    Delete { device: usize, key: u8 },
    Event { device: usize, key: u8, value: u8 },
    Pull { device: usize, from: usize },
}

fn action() -> impl Strategy<Value = Action> {
    let d = 0..DEVICES;
    prop_oneof![
        3 => (d.clone(), 0u8..4, any::<u8>()).prop_map(|(device, key, value)| Action::Write { device, key, value }),
        1 => (d.clone(), 0u8..4).prop_map(|(device, key)| Action::Delete { device, key }),
        1 => (d.clone(), 0u8..4, any::<u8>()).prop_map(|(device, key, value)| Action::Event { device, key, value }),
        3 => (d.clone(), d).prop_map(|(device, from)| Action::Pull { device, from }),
    ]
}

/// One logged change and what its device had applied when making it.
#[derive(Clone, Debug)]
struct Logged {
    change: Change,
    deps: [usize; DEVICES],
}

#[derive(Clone, Debug, Default)]
struct Device {
    state: State,
    applied: [usize; DEVICES],
    clock: Hlc,
    counter: u64,
}

struct World {
    devices: Vec<Device>,
    logs: Vec<Vec<Logged>>,
    now: u64,
}

fn id(i: usize) -> DeviceId {
    DeviceId([i as u8 + 1; 16])
}

impl World {
    fn new() -> Self {
        World {
            devices: vec![Device::default(); DEVICES],
            logs: vec![Vec::new(); DEVICES],
            now: 1000,
        }
    }

    fn local(&mut self, device: usize, key: u8, op: impl FnOnce(VersionVector) -> Op) {
        // Wall clocks that disagree and sometimes go back.
        self.now += 7;
        let wall = self.now - (device as u64 * 5);
        let d = &mut self.devices[device];
        d.counter += 1;
        let key = format!("r{key}");
        let change = Change {
            dot: Dot {
                device: id(device),
                counter: d.counter,
            },
            hlc: d.clock.tick(wall),
            op: op(d.state.seen(&key)),
            key,
        };
        d.state.apply(&change);
        let deps = d.applied;
        d.applied[device] += 1;
        self.logs[device].push(Logged { change, deps });
    }

    /// Applies what `device` can take from `from`'s log, in order, while its causes are in.
    fn pull(&mut self, device: usize, from: usize) -> bool {
        let mut moved = false;
        loop {
            let d = &mut self.devices[device];
            let Some(next) = self.logs[from].get(d.applied[from]) else {
                break;
            };
            if (0..DEVICES).any(|i| d.applied[i] < next.deps[i]) {
                break;
            }
            d.clock.observe(next.change.hlc, self.now);
            d.state.apply(&next.change);
            d.applied[from] += 1;
            moved = true;
        }
        moved
    }

    fn run(&mut self, action: &Action) {
        match *action {
            Action::Write { device, key, value } => self.local(device, key, |seen| Op::Put {
                value: vec![value],
                seen,
            }),
            Action::Delete { device, key } => self.local(device, key, |seen| Op::Delete { seen }),
            Action::Event { device, key, value } => {
                self.local(device, key, |_| Op::Event { value: vec![value] })
            }
            Action::Pull { device, from } => {
                self.pull(device, from);
            }
        }
    }

    /// Every device takes in everything, pulling from the others in the order given.
    fn settle(&mut self, order: &[usize]) {
        loop {
            let mut moved = false;
            for device in 0..DEVICES {
                for &from in order {
                    moved |= self.pull(device, from);
                }
            }
            if !moved {
                break;
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn devices_converge_whatever_the_order(actions in proptest::collection::vec(action(), 0..60), order in Just(vec![0usize, 1, 2]).prop_shuffle()) {
        let mut world = World::new();
        for a in &actions {
            world.run(a);
        }
        world.settle(&order);
        let first = world.devices[0].state.clone();
        for d in &world.devices[1..] {
            prop_assert_eq!(&d.state, &first);
        }
        // Applying every change again, in any order, changes nothing.
        let mut again = first.clone();
        for log in world.logs.iter().rev() {
            for logged in log.iter().rev() {
                again.apply(&logged.change);
            }
        }
        prop_assert_eq!(&again, &first);
    }

    #[test]
    fn nothing_is_lost_that_nobody_replaced(actions in proptest::collection::vec(action(), 0..60)) {
        let mut world = World::new();
        for a in &actions {
            world.run(a);
        }
        world.settle(&[2, 1, 0]);
        let state = &world.devices[0].state;
        let all: Vec<&Change> = world.logs.iter().flatten().map(|l| &l.change).collect();
        for c in &all {
            let record = &state.records[&c.key];
            match &c.op {
                Op::Event { value } => {
                    prop_assert_eq!(&record.events[&c.dot].value, value);
                }
                Op::Put { .. } | Op::Delete { .. } => {
                    let standing = record.heads.iter().any(|h| h.dot == c.dot);
                    let replaced_knowingly = all.iter().any(|later| {
                        later.key == c.key
                            && matches!(&later.op, Op::Put { seen, .. } | Op::Delete { seen } if seen.contains(c.dot))
                    });
                    prop_assert!(standing || replaced_knowingly, "{:?} vanished", c);
                }
            }
        }
    }

    #[test]
    fn a_later_write_that_saw_everything_ends_the_conflict(actions in proptest::collection::vec(action(), 0..40)) {
        let mut world = World::new();
        for a in &actions {
            world.run(a);
        }
        world.settle(&[0, 1, 2]);
        for key in 0u8..4 {
            world.local(0, key, |seen| Op::Put { value: vec![200, key], seen });
        }
        world.settle(&[0, 1, 2]);
        for d in &world.devices {
            prop_assert_eq!(d.state.conflicts().count(), 0);
            for key in 0u8..4 {
                let r = &d.state.records[&format!("r{key}")];
                prop_assert_eq!(r.view(Policy::KeepBoth), View::One(&r.heads[0]));
            }
        }
    }
}

fn change(device: usize, counter: u64, wall: u64, key: &str, op: Op) -> Change {
    Change {
        dot: Dot {
            device: id(device),
            counter,
        },
        hlc: Hlc {
            wall_ms: wall,
            logical: 0,
        },
        key: key.into(),
        op,
    }
}

#[test]
fn two_edits_made_apart_both_stay() {
    let base = change(
        0,
        1,
        10,
        "r",
        Op::Put {
            value: b"draft".to_vec(),
            seen: VersionVector::default(),
        },
    );
    let mut seen = VersionVector::default();
    seen.add(base.dot);
    let a = change(
        0,
        2,
        20,
        "r",
        Op::Put {
            value: b"office".to_vec(),
            seen: seen.clone(),
        },
    );
    let b = change(
        1,
        1,
        15,
        "r",
        Op::Put {
            value: b"home".to_vec(),
            seen,
        },
    );
    let mut x = State::default();
    let mut y = State::default();
    for c in [&base, &a, &b] {
        x.apply(c);
    }
    for c in [&base, &b, &a] {
        y.apply(c);
    }
    assert_eq!(x, y);
    let r = &x.records["r"];
    match r.view(Policy::KeepBoth) {
        View::Conflict(vs) => {
            let values: Vec<_> = vs
                .iter()
                .map(|v| v.value.clone().unwrap_or_default())
                .collect();
            assert_eq!(values, vec![b"office".to_vec(), b"home".to_vec()]);
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(r.view(Policy::Latest), View::One(&r.heads[0]));
}

#[test]
fn an_edit_made_without_seeing_a_deletion_stands() {
    let base = change(
        0,
        1,
        10,
        "r",
        Op::Put {
            value: b"text".to_vec(),
            seen: VersionVector::default(),
        },
    );
    let mut seen = VersionVector::default();
    seen.add(base.dot);
    let delete = change(0, 2, 20, "r", Op::Delete { seen: seen.clone() });
    let edit = change(
        1,
        1,
        15,
        "r",
        Op::Put {
            value: b"text, more".to_vec(),
            seen,
        },
    );
    let mut s = State::default();
    for c in [&base, &delete, &edit] {
        s.apply(c);
    }
    let r = &s.records["r"];
    assert!(r.deleted_while_edited());
    assert!(
        matches!(r.view(Policy::KeepBoth), View::One(v) if v.value.as_deref() == Some(&b"text, more"[..]))
    );
    // A deletion that saw the edit deletes.
    let mut seen = r.context.clone();
    seen.add(edit.dot);
    s.apply(&change(0, 3, 30, "r", Op::Delete { seen }));
    assert_eq!(s.records["r"].view(Policy::KeepBoth), View::Deleted);
}

#[test]
fn same_text_written_twice_is_no_conflict() {
    let a = change(
        0,
        1,
        10,
        "r",
        Op::Put {
            value: b"same".to_vec(),
            seen: VersionVector::default(),
        },
    );
    let b = change(
        1,
        1,
        11,
        "r",
        Op::Put {
            value: b"same".to_vec(),
            seen: VersionVector::default(),
        },
    );
    let mut s = State::default();
    s.apply(&a);
    s.apply(&b);
    assert_eq!(s.conflicts().count(), 0);
    let _ = BTreeMap::<u8, u8>::new();
}
