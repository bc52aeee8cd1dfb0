//! Fault injection for API requests (after authentication, before the version check and any
//! state change, so a faulted request never half-applies): added latency, random 500
//! `UNEXPECTED_ERROR`, random 429 `RATE_LIMITED_TOKEN_BUCKET` with `Retry-After`.
//! The control plane is never faulted.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::AppState;

/// Tunable at start (flags) and at run time (`POST /_sandbox/faults`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct FaultSettings {
    #[serde(default)]
    pub fail_rate: f64,
    #[serde(default)]
    pub throttle_rate: f64,
    #[serde(default)]
    pub latency_ms: u64,
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
        Ok(())
    }
}

/// What to do with one request.
#[derive(Debug, PartialEq, Eq)]
pub enum Decision {
    Pass,
    Fail,
    Throttle,
}

pub struct Faults {
    pub settings: FaultSettings,
    rng: StdRng,
}

impl Faults {
    pub fn new(settings: FaultSettings, seed: Option<u64>) -> Self {
        let rng = match seed {
            // A different stream from the id generator's, still reproducible.
            Some(seed) => StdRng::seed_from_u64(seed ^ 0x5eed_fa17),
            None => StdRng::from_os_rng(),
        };
        Self { settings, rng }
    }

    pub fn decide(&mut self) -> Decision {
        let FaultSettings {
            fail_rate,
            throttle_rate,
            ..
        } = self.settings;
        if fail_rate > 0.0 && self.rng.random_bool(fail_rate.clamp(0.0, 1.0)) {
            return Decision::Fail;
        }
        if throttle_rate > 0.0 && self.rng.random_bool(throttle_rate.clamp(0.0, 1.0)) {
            return Decision::Throttle;
        }
        Decision::Pass
    }
}

pub async fn inject(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (latency, decision) = {
        let mut faults = state.faults();
        (faults.settings.latency_ms, faults.decide())
    };
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    match decision {
        Decision::Pass => next.run(req).await,
        Decision::Fail => {
            state.stats().count_fault();
            ApiError::unexpected_error().into_response()
        }
        Decision::Throttle => {
            state.stats().count_fault();
            let path = crate::router::original_path(&req);
            ApiError::rate_limited(path.trim_start_matches('/'), 1).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_rates_always_pass_and_one_always_fails() {
        let mut f = Faults::new(
            FaultSettings {
                fail_rate: 0.0,
                throttle_rate: 0.0,
                latency_ms: 0,
            },
            Some(1),
        );
        assert!((0..100).all(|_| f.decide() == Decision::Pass));
        f.settings.fail_rate = 1.0;
        assert_eq!(f.decide(), Decision::Fail);
        f.settings = FaultSettings {
            fail_rate: 0.0,
            throttle_rate: 1.0,
            latency_ms: 0,
        };
        assert_eq!(f.decide(), Decision::Throttle);
    }

    #[test]
    fn validate_rejects_out_of_range_rates() {
        let s = FaultSettings {
            fail_rate: 1.5,
            throttle_rate: 0.0,
            latency_ms: 0,
        };
        assert!(s.validate().is_err());
        let s = FaultSettings {
            fail_rate: f64::NAN,
            throttle_rate: 0.0,
            latency_ms: 0,
        };
        assert!(s.validate().is_err());
    }
}
