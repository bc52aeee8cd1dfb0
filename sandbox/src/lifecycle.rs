//! One declared asynchronous lifecycle for every area whose objects change state over time
//! (clusters: CREATING → IDLE, UPDATING → IDLE, DELETING → gone; access-list entries:
//! PENDING → ACTIVE).
//!
//! An area declares its phases as an enum implementing [`Phases`]:
//! * [`Phases::TIMED`]: the transitions that happen by themselves, each lasting a share of
//!   `--transition-seconds` (the *unit*, [`unit`]), into another phase or out of existence;
//! * [`Phases::REQUESTS`]: what a request may ask in which phase (`from`, `requested`) and the
//!   phase it then enters (`becomes`, which restarts that phase's clock); a request the table
//!   does not list is refused (the area answers its own error).
//!
//! A [`Life`] is the stored state: the phase and when its timed transition ends. Transitions
//! are evaluated lazily from timestamps (no background tasks): [`Life::at`] answers the phase
//! at any instant without changing anything, [`Life::settle`] writes it back.

use std::fmt::Debug;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Where a timed transition leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Then<P> {
    /// Into another phase.
    Phase(P),
    /// The object no longer exists (e.g. a finished deletion).
    Gone,
}

/// A transition that happens by itself once `from` has lasted `lasts` × the unit.
#[derive(Debug, Clone, Copy)]
pub struct Timed<P> {
    pub from: P,
    pub then: Then<P>,
    /// Share of `--transition-seconds` the phase lasts.
    pub lasts: f64,
}

/// A transition a request may cause: in `from`, asking for `requested` enters `becomes`.
#[derive(Debug, Clone, Copy)]
pub struct Request<P> {
    pub from: P,
    pub requested: P,
    pub becomes: P,
}

/// An area's declared phases.
pub trait Phases: Copy + Eq + Debug + 'static {
    /// The transitions that happen by themselves. A phase not listed is steady.
    const TIMED: &'static [Timed<Self>];
    /// The transitions requests may cause; others are refused.
    const REQUESTS: &'static [Request<Self>];

    /// The API's name of the phase (`stateName`, `STATUS`).
    fn name(self) -> &'static str;

    /// The timed transition out of this phase, if any.
    fn timed(self) -> Option<&'static Timed<Self>> {
        Self::TIMED.iter().find(|t| t.from == self)
    }

    /// The phase a request for `requested` enters from this one (`None`: refused).
    fn on_request(self, requested: Self) -> Option<Self> {
        Self::REQUESTS
            .iter()
            .find(|r| r.from == self && r.requested == requested)
            .map(|r| r.becomes)
    }
}

/// `--transition-seconds` as a duration (millisecond precision; negative counts as 0).
pub fn unit(transition_seconds: f64) -> Duration {
    // Config validation keeps transition_seconds finite and >= 0; the cast saturates.
    Duration::milliseconds((transition_seconds.max(0.0) * 1000.0).round() as i64)
}

/// `lasts` × `unit`.
fn scaled(unit: Duration, lasts: f64) -> Duration {
    if lasts == 1.0 {
        return unit;
    }
    Duration::milliseconds((unit.num_milliseconds() as f64 * lasts.max(0.0)).round() as i64)
}

/// What a [`Life`] is at some instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Observed<P> {
    Phase(P),
    Gone,
}

/// The stored state of one object: its phase and when the phase's timed transition ends
/// (meaningless in a steady phase). Serialized as `{"phase", "settles_at"}` (areas flatten it
/// into their records, which keeps existing data dirs loadable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Life<P> {
    pub phase: P,
    pub settles_at: DateTime<Utc>,
}

impl<P: Phases> Life<P> {
    /// Enter `phase` at `at`; its timed transition (if any) ends after its share of `unit`.
    pub fn start(phase: P, at: DateTime<Utc>, unit: Duration) -> Self {
        let lasts = phase.timed().map_or(0.0, |t| t.lasts);
        Self {
            phase,
            settles_at: at + scaled(unit, lasts),
        }
    }

    /// The state at `now`, following every timed transition that has ended. A phase entered
    /// by a timed transition starts when the previous one ended.
    fn follow(&self, now: DateTime<Utc>, unit: Duration) -> (Observed<P>, DateTime<Utc>) {
        let mut phase = self.phase;
        let mut settles_at = self.settles_at;
        // A declaration could loop (A → B → A); the table is finite, so this bounds it.
        for _ in 0..=P::TIMED.len() {
            let Some(t) = phase.timed() else { break };
            if now < settles_at {
                break;
            }
            match t.then {
                Then::Gone => return (Observed::Gone, settles_at),
                Then::Phase(next) => {
                    phase = next;
                    if let Some(n) = next.timed() {
                        settles_at += scaled(unit, n.lasts);
                    }
                }
            }
        }
        (Observed::Phase(phase), settles_at)
    }

    /// The phase or absence at `now` (nothing changes).
    pub fn at(&self, now: DateTime<Utc>, unit: Duration) -> Observed<P> {
        self.follow(now, unit).0
    }

    /// The phase at `now`; a life that ended reports the phase it ended in.
    pub fn phase_at(&self, now: DateTime<Utc>, unit: Duration) -> P {
        match self.at(now, unit) {
            Observed::Phase(p) => p,
            Observed::Gone => self.phase,
        }
    }

    pub fn is_gone(&self, now: DateTime<Utc>, unit: Duration) -> bool {
        self.at(now, unit) == Observed::Gone
    }

    /// Apply the timed transitions that ended by `now`; `false` when the object is gone.
    pub fn settle(&mut self, now: DateTime<Utc>, unit: Duration) -> bool {
        match self.follow(now, unit) {
            (Observed::Gone, _) => false,
            (Observed::Phase(p), settles_at) => {
                if p != self.phase {
                    self.phase = p;
                    self.settles_at = settles_at;
                }
                true
            }
        }
    }

    /// Whether a request for `requested` is allowed in the phase at `now`.
    pub fn allows(&self, requested: P, now: DateTime<Utc>, unit: Duration) -> bool {
        self.phase_at(now, unit).on_request(requested).is_some()
    }

    /// A request for `requested` at `now`: enters the declared phase (its clock restarts), or
    /// `Err(current phase)` when the declaration refuses it.
    pub fn request(&mut self, requested: P, now: DateTime<Utc>, unit: Duration) -> Result<(), P> {
        let current = self.phase_at(now, unit);
        let next = current.on_request(requested).ok_or(current)?;
        *self = Self::start(next, now, unit);
        Ok(())
    }

    /// Whether a timed transition is still to come (as stored; settle first).
    pub fn is_pending(&self) -> bool {
        self.phase.timed().is_some()
    }

    /// End the pending transition now (the control plane's "complete transitions").
    pub fn finish_now(&mut self, now: DateTime<Utc>) {
        self.settles_at = self.settles_at.min(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum P {
        Making,
        Ready,
        Changing,
        Leaving,
    }

    impl Phases for P {
        const TIMED: &'static [Timed<Self>] = &[
            Timed {
                from: P::Making,
                then: Then::Phase(P::Ready),
                lasts: 1.0,
            },
            Timed {
                from: P::Changing,
                then: Then::Phase(P::Leaving),
                lasts: 0.5,
            },
            Timed {
                from: P::Leaving,
                then: Then::Gone,
                lasts: 2.0,
            },
        ];
        const REQUESTS: &'static [Request<Self>] = &[
            Request {
                from: P::Ready,
                requested: P::Changing,
                becomes: P::Changing,
            },
            Request {
                from: P::Making,
                requested: P::Changing,
                becomes: P::Making,
            },
        ];

        fn name(self) -> &'static str {
            "x"
        }
    }

    fn t(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + s, 0).expect("valid time")
    }

    #[test]
    fn timed_transitions_chain_and_end() {
        let u = unit(10.0);
        let l = Life::start(P::Changing, t(0), u);
        assert_eq!(l.at(t(4), u), Observed::Phase(P::Changing));
        assert_eq!(l.at(t(5), u), Observed::Phase(P::Leaving));
        assert_eq!(l.at(t(24), u), Observed::Phase(P::Leaving));
        assert_eq!(l.at(t(25), u), Observed::Gone);
        assert_eq!(l.phase_at(t(25), u), P::Changing);
        let mut s = l;
        assert!(s.settle(t(6), u));
        assert_eq!((s.phase, s.settles_at), (P::Leaving, t(25)));
        assert!(!s.settle(t(25), u));
    }

    #[test]
    fn requests_follow_the_declaration() {
        let u = unit(1.0);
        let mut l = Life::start(P::Making, t(0), u);
        assert!(l.allows(P::Changing, t(0), u));
        l.request(P::Changing, t(0), u).expect("restart");
        assert_eq!(l.phase, P::Making);
        assert_eq!(l.settles_at, t(1));
        l.request(P::Changing, t(2), u).expect("ready → changing");
        assert_eq!(l.phase, P::Changing);
        assert_eq!(l.request(P::Making, t(2), u), Err(P::Changing));
        l.finish_now(t(2));
        assert_eq!(l.at(t(2), u), Observed::Phase(P::Leaving));
    }

    #[test]
    fn unit_converts_fractional_seconds() {
        assert_eq!(unit(0.2), Duration::milliseconds(200));
        assert_eq!(unit(-1.0), Duration::zero());
        assert_eq!(scaled(unit(2.0), 0.5), Duration::seconds(1));
    }
}
