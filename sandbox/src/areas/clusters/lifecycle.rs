//! The stored cluster and its declared lifecycle ([`crate::lifecycle`]): CREATING and
//! UPDATING settle to IDLE, DELETING ends in removal, each after `transition_seconds`; an
//! update while CREATING keeps CREATING (its clock restarts), while UPDATING or IDLE enters
//! UPDATING; a deletion is accepted in every phase but DELETING.
//!
//! Transitions are evaluated lazily from timestamps (no background tasks): [`settle`] makes
//! them explicit in the store; [`Cluster::is_gone`] answers without mutating.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value};

use crate::lifecycle::{Life, Phases, Request, Then, Timed};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Phase {
    Creating,
    Updating,
    Idle,
    Deleting,
}

impl Phase {
    pub fn state_name(self) -> &'static str {
        self.name()
    }
}

const fn timed(from: Phase, then: Then<Phase>) -> Timed<Phase> {
    Timed {
        from,
        then,
        lasts: 1.0,
    }
}

const fn request(from: Phase, requested: Phase, becomes: Phase) -> Request<Phase> {
    Request {
        from,
        requested,
        becomes,
    }
}

impl Phases for Phase {
    const TIMED: &'static [Timed<Self>] = &[
        timed(Phase::Creating, Then::Phase(Phase::Idle)),
        timed(Phase::Updating, Then::Phase(Phase::Idle)),
        timed(Phase::Deleting, Then::Gone),
    ];
    const REQUESTS: &'static [Request<Self>] = &[
        request(Phase::Creating, Phase::Updating, Phase::Creating),
        request(Phase::Updating, Phase::Updating, Phase::Updating),
        request(Phase::Idle, Phase::Updating, Phase::Updating),
        request(Phase::Creating, Phase::Deleting, Phase::Deleting),
        request(Phase::Updating, Phase::Deleting, Phase::Deleting),
        request(Phase::Idle, Phase::Deleting, Phase::Deleting),
    ];

    fn name(self) -> &'static str {
        match self {
            Self::Creating => "CREATING",
            Self::Updating => "UPDATING",
            Self::Idle => "IDLE",
            Self::Deleting => "DELETING",
        }
    }
}

/// One cluster. `config` holds the normalized writable fields (every default filled in,
/// replication specs with their ids); read-only fields are derived when rendering.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Cluster {
    pub id: String,
    pub name: String,
    pub created: DateTime<Utc>,
    pub config: Map<String, Value>,
    /// `ClusterDescriptionProcessArgs20240805` fields, every key present.
    pub process_args: Map<String, Value>,
    /// `phase` and `settles_at` (when the current transitional phase ends).
    #[serde(flatten)]
    pub life: Life<Phase>,
}

impl Cluster {
    /// The stored phase (settle first for the current one).
    #[cfg(test)]
    pub fn phase(&self) -> Phase {
        self.life.phase
    }

    /// The phase as of `now` (a finished DELETING reports DELETING; see [`Cluster::is_gone`]).
    pub fn phase_at(&self, now: DateTime<Utc>) -> Phase {
        // Every cluster phase lasts one unit, already counted in `settles_at`.
        self.life.phase_at(now, Duration::zero())
    }

    pub fn is_gone(&self, now: DateTime<Utc>) -> bool {
        self.life.is_gone(now, Duration::zero())
    }

    pub fn bool_field(&self, name: &str) -> bool {
        self.config.get(name).and_then(Value::as_bool) == Some(true)
    }

    pub fn str_field(&self, name: &str) -> &str {
        self.config.get(name).and_then(Value::as_str).unwrap_or("")
    }

    pub fn specs(&self) -> &[Value] {
        self.config
            .get("replicationSpecs")
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice)
    }

    /// Tenant (M0/M2/M5) clusters have a single TENANT region config.
    pub fn is_tenant(&self) -> bool {
        self.specs().iter().any(|s| {
            s.get("regionConfigs")
                .and_then(Value::as_array)
                .is_some_and(|rcs| {
                    rcs.iter()
                        .any(|rc| rc.get("providerName").and_then(Value::as_str) == Some("TENANT"))
                })
        })
    }
}

/// Apply every transition that has finished by `now`: settle CREATING/UPDATING to IDLE and
/// drop clusters whose deletion is complete.
pub fn settle(clusters: &mut Vec<Cluster>, now: DateTime<Utc>) {
    clusters.retain_mut(|c| c.life.settle(now, Duration::zero()));
}

/// Finish every pending transition immediately (control plane). Returns how many changed.
pub fn complete_all(clusters: &mut Vec<Cluster>, now: DateTime<Utc>) -> usize {
    let pending = clusters.iter().filter(|c| c.life.is_pending()).count();
    for c in clusters.iter_mut() {
        c.life.finish_now(now);
    }
    settle(clusters, now);
    pending
}

/// Clusters that still exist at `now` (any state but a finished deletion).
pub fn count_active(clusters: &[Cluster], now: DateTime<Utc>) -> usize {
    clusters.iter().filter(|c| !c.is_gone(now)).count()
}

/// `transition_seconds` as a chrono duration (millisecond precision).
pub fn transition(seconds: f64) -> Duration {
    crate::lifecycle::unit(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cluster(phase: Phase, settles_at: DateTime<Utc>) -> Cluster {
        Cluster {
            id: "a".into(),
            name: "c".into(),
            created: settles_at,
            config: Map::new(),
            process_args: Map::new(),
            life: Life { phase, settles_at },
        }
    }

    #[test]
    fn phases_settle_from_timestamps() {
        let t0 = Utc::now();
        let later = t0 + Duration::seconds(2);
        let c = cluster(Phase::Creating, t0 + Duration::seconds(1));
        assert_eq!(c.phase_at(t0), Phase::Creating);
        assert_eq!(c.phase_at(later), Phase::Idle);
        let d = cluster(Phase::Deleting, t0 + Duration::seconds(1));
        assert!(!d.is_gone(t0));
        assert!(d.is_gone(later));
        let mut all = vec![c, d];
        assert_eq!(count_active(&all, t0), 2);
        assert_eq!(count_active(&all, later), 1);
        settle(&mut all, later);
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].phase(), Phase::Idle);
    }

    #[test]
    fn complete_all_finishes_pending_transitions_now() {
        let t0 = Utc::now();
        let far = t0 + Duration::hours(1);
        let mut all = vec![
            cluster(Phase::Updating, far),
            cluster(Phase::Deleting, far),
            cluster(Phase::Idle, t0),
        ];
        assert_eq!(complete_all(&mut all, t0), 2);
        assert_eq!(all.len(), 2);
        assert!(all.iter().all(|c| c.phase() == Phase::Idle));
    }

    #[test]
    fn transition_converts_fractional_seconds() {
        assert_eq!(transition(0.2), Duration::milliseconds(200));
        assert_eq!(transition(-1.0), Duration::zero());
    }
}
