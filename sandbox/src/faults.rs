//! Fault injection for API requests: added latency, random 500 `UNEXPECTED_ERROR` / 503
//! `SERVICE_UNAVAILABLE`, random 429 `RATE_LIMITED_TOKEN_BUCKET` with `Retry-After`.
//!
//! Runs after digest authentication (challenges are never faulted or delayed) and before the
//! version check. The control plane is never faulted.
//!
//! * Throttled requests (429) are refused before anything happens.
//! * Failed reads (GET/HEAD) fail before the handler runs.
//! * Failed writes (POST/PUT/PATCH/DELETE) fail **before** the handler runs in half of the
//!   cases and **after** it in the other half: the handler runs, the state changes (and is
//!   persisted with `--data-dir`), then the client gets the 5xx instead of the real answer —
//!   the ambiguous failure real clients must reconcile.
//!
//! Every authenticated API request consumes exactly three draws of a dedicated RNG (seeded
//! from `--seed` when given), whatever the settings, so the same sequence of sequential
//! requests gets the same faults in every run. Concurrent requests take their draws in
//! arrival order, which the scheduler may reorder.

use std::time::Duration;

use axum::extract::Request;
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::versions::ResolvedVersion;
use crate::AppState;

/// `Retry-After` of injected 429s unless configured.
pub const DEFAULT_RETRY_AFTER_SECONDS: u64 = 1;

fn default_retry_after() -> u64 {
    DEFAULT_RETRY_AFTER_SECONDS
}

/// Tunable at start (flags) and at run time (`POST /_sandbox/faults`). The JSON names are a
/// public contract.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct FaultSettings {
    /// Share of API requests answered 500 `UNEXPECTED_ERROR` or 503 `SERVICE_UNAVAILABLE`
    /// (half each).
    #[serde(default)]
    pub fail_rate: f64,
    /// Share of API requests answered 429 `RATE_LIMITED_TOKEN_BUCKET`. When
    /// `fail_rate + throttle_rate > 1`, failures take precedence.
    #[serde(default)]
    pub throttle_rate: f64,
    /// Added to every authenticated API request.
    #[serde(default)]
    pub latency_ms: u64,
    /// `Retry-After` (seconds) of injected 429s.
    #[serde(default = "default_retry_after")]
    pub retry_after_seconds: u64,
}

impl Default for FaultSettings {
    fn default() -> Self {
        Self {
            fail_rate: 0.0,
            throttle_rate: 0.0,
            latency_ms: 0,
            retry_after_seconds: DEFAULT_RETRY_AFTER_SECONDS,
        }
    }
}

impl FaultSettings {
    pub fn validate(&self) -> Result<(), String> {
        for (name, rate) in [
            ("fail_rate", self.fail_rate),
            ("throttle_rate", self.throttle_rate),
        ] {
            if !(0.0..=1.0).contains(&rate) {
                return Err(format!("{name} must be within 0..=1, got {rate}"));
            }
        }
        // Bounds that keep a typo from hanging every request for days.
        if self.latency_ms > 600_000 {
            return Err(format!(
                "latency_ms must be <= 600000, got {}",
                self.latency_ms
            ));
        }
        if self.retry_after_seconds > 3600 {
            return Err(format!(
                "retry_after_seconds must be <= 3600, got {}",
                self.retry_after_seconds
            ));
        }
        Ok(())
    }
}

/// The status of an injected failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailStatus {
    /// 500 `UNEXPECTED_ERROR`.
    Internal,
    /// 503 `SERVICE_UNAVAILABLE`.
    Unavailable,
}

impl FailStatus {
    fn error(self) -> ApiError {
        match self {
            Self::Internal => ApiError::unexpected_error(),
            Self::Unavailable => ApiError::service_unavailable(),
        }
    }

    pub fn code(self) -> u16 {
        match self {
            Self::Internal => 500,
            Self::Unavailable => 503,
        }
    }
}

/// What to do with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Pass,
    /// 429 before anything happens.
    Throttle,
    /// A 5xx; `after_write`: run the handler first (writes only), then fail.
    Fail {
        status: FailStatus,
        after_write: bool,
    },
}

impl Decision {
    /// The name `/_sandbox/stats` counts this fault under (`None` for `Pass`).
    pub fn kind(self) -> Option<&'static str> {
        match self {
            Self::Pass => None,
            Self::Throttle => Some("throttle"),
            Self::Fail {
                after_write: false, ..
            } => Some("fail_before"),
            Self::Fail {
                after_write: true, ..
            } => Some("fail_after_write"),
        }
    }

    pub fn status(self) -> Option<u16> {
        match self {
            Self::Pass => None,
            Self::Throttle => Some(429),
            Self::Fail { status, .. } => Some(status.code()),
        }
    }
}

pub struct Faults {
    pub settings: FaultSettings,
    rng: StdRng,
}

/// A different stream from the id generator's, still reproducible.
const SEED_SALT: u64 = 0x5eed_fa17;

impl Faults {
    pub fn new(settings: FaultSettings, seed: Option<u64>) -> Self {
        let rng = match seed {
            Some(seed) => StdRng::seed_from_u64(seed ^ SEED_SALT),
            None => StdRng::from_os_rng(),
        };
        Self { settings, rng }
    }

    /// Decide the fate of one request. Always takes three draws (see the module docs).
    pub fn decide(&mut self, is_write: bool) -> Decision {
        let which: f64 = self.rng.random();
        let status_draw: bool = self.rng.random();
        let when_draw: bool = self.rng.random();
        let FaultSettings {
            fail_rate,
            throttle_rate,
            ..
        } = self.settings;
        if which < fail_rate {
            Decision::Fail {
                status: if status_draw {
                    FailStatus::Internal
                } else {
                    FailStatus::Unavailable
                },
                after_write: is_write && when_draw,
            }
        } else if which < fail_rate + throttle_rate {
            Decision::Throttle
        } else {
            Decision::Pass
        }
    }
}

/// Methods that may change state.
pub fn is_write(method: &Method) -> bool {
    !matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

/// A request's fault, decided when it arrives (after authentication); see [`Pending::wait`].
pub struct Pending {
    latency: Duration,
    decision: Decision,
    /// The answer of a throttled or failed-before request.
    refusal: Option<Response>,
}

/// What the API pipeline does once the added latency has passed.
pub enum Proceed {
    /// Run the request.
    Pass,
    /// Run the request (a write), then answer this failure instead.
    FailAfter(FailStatus),
}

/// Decide one API request's fault (the draws happen in arrival order).
pub fn decide(state: &AppState, req: &Request) -> Pending {
    let (settings, decision) = {
        let mut faults = state.faults();
        let decision = faults.decide(is_write(req.method()));
        (faults.settings, decision)
    };
    let refusal = match decision {
        Decision::Pass
        | Decision::Fail {
            after_write: true, ..
        } => None,
        Decision::Throttle => {
            let path = crate::router::original_path_str(req);
            Some(
                ApiError::rate_limited(path.trim_start_matches('/'), settings.retry_after_seconds)
                    .into_response(),
            )
        }
        Decision::Fail {
            status,
            after_write: false,
        } => Some(status.error().into_response()),
    };
    Pending {
        latency: Duration::from_millis(settings.latency_ms),
        decision,
        refusal,
    }
}

impl Pending {
    /// Wait the added latency, count the fault, and say whether the request runs (`Err`: the
    /// injected answer instead).
    pub async fn wait(self, state: &AppState) -> Result<Proceed, Response> {
        if !self.latency.is_zero() {
            tokio::time::sleep(self.latency).await;
        }
        if let (Some(kind), Some(status)) = (self.decision.kind(), self.decision.status()) {
            state.stats().count_fault(kind, status);
        }
        match (self.refusal, self.decision) {
            (Some(refusal), _) => Err(refusal),
            (
                None,
                Decision::Fail {
                    status,
                    after_write: true,
                },
            ) => Ok(Proceed::FailAfter(status)),
            (None, _) => Ok(Proceed::Pass),
        }
    }
}

/// The answer to a write that failed after it took effect: the handler's answer `real` is
/// dropped, the client gets the failure. Keeps the operation for the per-operation counters.
pub fn fail_after_write(status: FailStatus, real: Response) -> Response {
    tracing::debug!(
        real_status = real.status().as_u16(),
        injected = status.code(),
        "fault injected after the write"
    );
    let mut resp = status.error().into_response();
    if let Some(op) = real.extensions().get::<ResolvedVersion>() {
        resp.extensions_mut().insert(op.clone());
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(fail_rate: f64, throttle_rate: f64) -> FaultSettings {
        FaultSettings {
            fail_rate,
            throttle_rate,
            ..FaultSettings::default()
        }
    }

    #[test]
    fn zero_rates_always_pass_and_one_always_faults() {
        let mut f = Faults::new(settings(0.0, 0.0), Some(1));
        assert!((0..1000).all(|i| f.decide(i % 2 == 0) == Decision::Pass));
        f.settings.fail_rate = 1.0;
        assert!(matches!(f.decide(false), Decision::Fail { .. }));
        f.settings = settings(0.0, 1.0);
        assert_eq!(f.decide(true), Decision::Throttle);
    }

    #[test]
    fn reads_never_fail_after_and_writes_split_about_evenly() {
        let mut f = Faults::new(settings(1.0, 0.0), Some(9));
        for _ in 0..200 {
            assert!(matches!(
                f.decide(false),
                Decision::Fail {
                    after_write: false,
                    ..
                }
            ));
        }
        let decisions: Vec<Decision> = (0..1000).map(|_| f.decide(true)).collect();
        let after = decisions
            .iter()
            .filter(|d| {
                matches!(
                    d,
                    Decision::Fail {
                        after_write: true,
                        ..
                    }
                )
            })
            .count();
        let unavailable = decisions.iter().filter(|d| d.status() == Some(503)).count();
        assert!((400..600).contains(&after), "{after}");
        assert!((400..600).contains(&unavailable), "{unavailable}");
    }

    #[test]
    fn rates_are_shares_of_requests() {
        let mut f = Faults::new(settings(0.2, 0.3), Some(3));
        let ds: Vec<Decision> = (0..10_000).map(|_| f.decide(true)).collect();
        let fails = ds
            .iter()
            .filter(|d| matches!(d, Decision::Fail { .. }))
            .count();
        let throttles = ds.iter().filter(|d| **d == Decision::Throttle).count();
        assert!((1800..2200).contains(&fails), "{fails}");
        assert!((2700..3300).contains(&throttles), "{throttles}");
    }

    #[test]
    fn same_seed_same_sequence_whatever_the_mix() {
        let run = |seed| {
            let mut f = Faults::new(settings(0.3, 0.3), Some(seed));
            (0..100).map(|i| f.decide(i % 3 == 0)).collect::<Vec<_>>()
        };
        assert_eq!(run(42), run(42));
        assert_ne!(run(42), run(43));
    }

    #[test]
    fn validate_rejects_out_of_range_values() {
        assert!(settings(1.5, 0.0).validate().is_err());
        assert!(settings(f64::NAN, 0.0).validate().is_err());
        assert!(settings(0.0, -0.1).validate().is_err());
        let mut s = settings(0.0, 0.0);
        s.retry_after_seconds = 3601;
        assert!(s.validate().is_err());
        s.retry_after_seconds = 0;
        s.latency_ms = 600_001;
        assert!(s.validate().is_err());
        assert!(settings(1.0, 1.0).validate().is_ok());
    }

    #[test]
    fn settings_json_names_are_the_public_contract() {
        let s: FaultSettings =
            serde_json::from_str(r#"{"fail_rate":0.5,"throttle_rate":0.25,"latency_ms":7}"#)
                .expect("parses");
        assert_eq!(s.retry_after_seconds, DEFAULT_RETRY_AFTER_SECONDS);
        assert!(serde_json::from_str::<FaultSettings>(r#"{"failRate":1}"#).is_err());
    }
}
