//! The stored cluster and its asynchronous state machine.
//!
//! Transitions are evaluated lazily from timestamps (no background tasks): a cluster in
//! CREATING/UPDATING is IDLE once `settles_at` has passed, and a DELETING one is gone.
//! [`settle`] makes that explicit in the store; [`is_gone`] answers it without mutating.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Phase {
    Creating,
    Updating,
    Idle,
    Deleting,
}

impl Phase {
    pub fn state_name(self) -> &'static str {
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
    pub phase: Phase,
    /// When the current transitional phase ends (ignored when IDLE).
    pub settles_at: DateTime<Utc>,
}

impl Cluster {
    /// The phase as of `now` (a finished DELETING reports DELETING; see [`is_gone`]).
    pub fn phase_at(&self, now: DateTime<Utc>) -> Phase {
        match self.phase {
            Phase::Creating | Phase::Updating if now >= self.settles_at => Phase::Idle,
            p => p,
        }
    }

    pub fn is_gone(&self, now: DateTime<Utc>) -> bool {
        self.phase == Phase::Deleting && now >= self.settles_at
    }

    /// Enter a transitional phase lasting `transition`.
    pub fn begin(&mut self, phase: Phase, now: DateTime<Utc>, transition: Duration) {
        self.phase = phase;
        self.settles_at = now + transition;
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
    clusters.retain(|c| !c.is_gone(now));
    for c in clusters.iter_mut() {
        c.phase = c.phase_at(now);
    }
}

/// Finish every pending transition immediately (control plane). Returns how many changed.
pub fn complete_all(clusters: &mut Vec<Cluster>, now: DateTime<Utc>) -> usize {
    let pending = clusters.iter().filter(|c| c.phase != Phase::Idle).count();
    for c in clusters.iter_mut() {
        c.settles_at = c.settles_at.min(now);
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
    Duration::milliseconds((seconds.max(0.0) * 1000.0).round() as i64)
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
            phase,
            settles_at,
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
        assert_eq!(all[0].phase, Phase::Idle);
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
        assert!(all.iter().all(|c| c.phase == Phase::Idle));
    }

    #[test]
    fn transition_converts_fractional_seconds() {
        assert_eq!(transition(0.2), Duration::milliseconds(200));
        assert_eq!(transition(-1.0), Duration::zero());
    }
}
