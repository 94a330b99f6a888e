//! Hybrid logical clocks: times that follow the wall clock where it is right and never run
//! backwards where it is wrong.
//!
//! Each change carries one. If a change was made after another was seen, its time is
//! later, whatever the two devices' clocks said; between changes made without seeing each
//! other it orders by wall time, which is what a person means by "the later edit". Ties
//! are broken by the change's [`Dot`](crate::Dot), so every device picks the same one.

use serde::{Deserialize, Serialize};

/// How far ahead of this device's wall clock a remote time may be before it is not
/// followed (a device whose clock is a year ahead would otherwise win every tie for a year).
pub const MAX_AHEAD_MS: u64 = 24 * 60 * 60 * 1000;

/// One hybrid logical time: wall-clock milliseconds and a counter for changes within one.
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default, Serialize, Deserialize,
)]
pub struct Hlc {
    /// Milliseconds since 1970 (the highest wall time seen, not necessarily this device's).
    pub wall_ms: u64,
    /// Changes within one millisecond.
    pub logical: u32,
}

impl Hlc {
    /// The time for a new local change, given this device's wall clock.
    pub fn tick(&mut self, now_ms: u64) -> Hlc {
        if now_ms > self.wall_ms {
            self.wall_ms = now_ms;
            self.logical = 0;
        } else {
            self.logical = self.logical.saturating_add(1);
        }
        *self
    }

    /// Takes in a time seen in a remote change, so later local changes order after it.
    /// A time more than [`MAX_AHEAD_MS`] ahead of `now_ms` is not followed (it still orders
    /// among the changes that carry it).
    pub fn observe(&mut self, remote: Hlc, now_ms: u64) {
        if remote.wall_ms > now_ms.saturating_add(MAX_AHEAD_MS) {
            return;
        }
        if remote > *self {
            *self = remote;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_grow_even_when_the_wall_clock_goes_back() {
        let mut c = Hlc::default();
        let a = c.tick(1000);
        let b = c.tick(900);
        let d = c.tick(1000);
        assert!(a < b && b < d);
        assert_eq!(
            c.tick(2000),
            Hlc {
                wall_ms: 2000,
                logical: 0
            }
        );
    }

    #[test]
    fn observing_a_later_time_orders_local_changes_after_it() {
        let mut c = Hlc::default();
        c.tick(1000);
        c.observe(
            Hlc {
                wall_ms: 5000,
                logical: 3,
            },
            1000,
        );
        let next = c.tick(1001);
        assert!(
            next > Hlc {
                wall_ms: 5000,
                logical: 3
            }
        );
    }

    #[test]
    fn a_time_far_in_the_future_is_not_followed() {
        let mut c = Hlc::default();
        c.tick(1000);
        c.observe(
            Hlc {
                wall_ms: 1000 + MAX_AHEAD_MS + 1,
                logical: 0,
            },
            1000,
        );
        assert_eq!(c.wall_ms, 1000);
    }
}
