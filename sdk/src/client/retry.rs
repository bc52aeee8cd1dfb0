//! The retry policy applied by [`crate::Client`] to every request.
//!
//! After a failed attempt the client asks its [`RetryPolicy`] whether to try again and how long
//! to wait first. Which failures are retried depends on whether the request may already have
//! been processed:
//!
//! | failure | GET, PUT, DELETE (idempotent) | POST, PATCH |
//! |---|---|---|
//! | 429 (rate limited: not processed) | retried, honouring `Retry-After` | retried, honouring `Retry-After` |
//! | 502, 503, 504 | retried | **not** retried: ambiguous ([`Error::is_ambiguous`]) |
//! | connection failed (refused, DNS, TLS handshake: nothing sent) | retried | retried |
//! | connection lost after sending, request timeout | retried | **not** retried: ambiguous |
//! | anything else (4xx, 500, decode errors) | not retried | not retried |
//!
//! Delays grow exponentially from `initial_backoff` (×2 per retry) up to `max_backoff`, each
//! multiplied by a random factor in `[1 − jitter, 1 + jitter]`; a `Retry-After` (seconds or an
//! HTTP-date) is a lower bound. The whole call is bounded by `max_elapsed`: no retry is
//! scheduled whose delay would end after it (the last error is returned instead), and a retry
//! attempt still running at that point ends with [`Error::Timeout`]. The first attempt is
//! bounded by the request timeout only ([`crate::ClientBuilder::timeout`]).
//!
//! Backoff sleeps are plain `tokio` timers: dropping the future returned by a client call stops
//! both the request in flight and any pending retry.

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderValue;
use reqwest::Method;

use crate::{ApiError, Error};

/// When and how often failed requests are retried. The default is on: up to 6 retries,
/// 250 ms doubling up to 8 s, ±20 % jitter, at most 60 s per call.
///
/// ```
/// use std::time::Duration;
/// use atlas_admin_sdk::RetryPolicy;
///
/// let quick = RetryPolicy::new(
///     3,                          // max_retries
///     Duration::from_millis(10),  // initial_backoff
///     Duration::from_millis(100), // max_backoff
///     Duration::from_secs(2),     // max_elapsed
/// );
/// assert_eq!(quick.max_retries, 3);
/// assert_eq!(RetryPolicy::disabled().max_retries, 0);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Extra attempts after the first one (0 disables retries).
    pub max_retries: u32,
    /// Delay before the first retry; doubled on each further retry.
    pub initial_backoff: Duration,
    /// Upper bound of a single backoff delay (a longer `Retry-After` is still honoured).
    pub max_backoff: Duration,
    /// Upper bound of the time spent retrying one call, measured from its start
    /// (`Duration::MAX`: unbounded).
    pub max_elapsed: Duration,
    /// Relative jitter in `[0, 1)` (0.2 = ±20 %).
    pub jitter: f64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 6,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(8),
            max_elapsed: Duration::from_secs(60),
            jitter: 0.2,
        }
    }
}

impl RetryPolicy {
    /// A policy with the default jitter (±20 %).
    pub fn new(
        max_retries: u32,
        initial_backoff: Duration,
        max_backoff: Duration,
        max_elapsed: Duration,
    ) -> Self {
        RetryPolicy {
            max_retries,
            initial_backoff,
            max_backoff,
            max_elapsed,
            ..RetryPolicy::default()
        }
    }

    /// Never retry (and no deadline beyond the request timeout).
    pub fn disabled() -> Self {
        RetryPolicy {
            max_retries: 0,
            max_elapsed: Duration::MAX,
            ..RetryPolicy::default()
        }
    }

    /// Sets the relative jitter (clamped to `[0, 0.99]` when used).
    pub fn with_jitter(mut self, jitter: f64) -> Self {
        self.jitter = jitter;
        self
    }

    /// Sets the deadline of one call (see the module documentation).
    pub fn with_max_elapsed(mut self, max_elapsed: Duration) -> Self {
        self.max_elapsed = max_elapsed;
        self
    }

    /// Whether `method` may be sent twice without changing the outcome.
    pub fn is_idempotent(method: &Method) -> bool {
        matches!(
            *method,
            Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE
        )
    }

    /// Whether a request with `method` that failed with `error` may be sent again: see the
    /// table in the [module documentation](self). Ignores the retry budget.
    pub fn is_retry_safe(method: &Method, error: &Error) -> bool {
        Self::retry_safe(Self::is_idempotent(method), error)
    }

    /// `idempotent`: the request may be repeated whatever happened to it (an idempotent method,
    /// or a failure known to have happened before the request was sent).
    pub(crate) fn retry_safe(idempotent: bool, error: &Error) -> bool {
        match error {
            Error::Api(e) => match e.status {
                429 => true,
                502..=504 => idempotent,
                _ => false,
            },
            Error::Transport { source, .. } => idempotent || source.is_connect(),
            Error::Timeout { .. } => idempotent,
            _ => false,
        }
    }

    /// The delay before retry number `retry` (0-based) of a request with `method` that failed
    /// with `error`, or `None` to give up. Includes jitter and honours the `Retry-After` of a
    /// 429/503; does not know about the deadline (the client applies it).
    pub fn next_delay(&self, method: &Method, error: &Error, retry: u32) -> Option<Duration> {
        self.delay_if_safe(Self::is_idempotent(method), error, retry)
    }

    pub(crate) fn delay_if_safe(
        &self,
        idempotent: bool,
        error: &Error,
        retry: u32,
    ) -> Option<Duration> {
        if retry >= self.max_retries || !Self::retry_safe(idempotent, error) {
            return None;
        }
        let retry_after = error.as_api_error().and_then(ApiError::retry_after);
        Some(self.delay_with(retry, retry_after, rand::random::<f64>()))
    }

    /// The backoff before retry number `retry` without jitter: `initial × 2^retry`, capped.
    pub fn base_delay(&self, retry: u32) -> Duration {
        let factor = 2u32.checked_pow(retry).unwrap_or(u32::MAX);
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }

    /// The delay before retry number `retry` with `unit` ∈ `[0, 1]` choosing the jitter
    /// (0 → `1 − jitter`, 0.5 → none, 1 → `1 + jitter`), never below `retry_after`.
    pub fn delay_with(&self, retry: u32, retry_after: Option<Duration>, unit: f64) -> Duration {
        let backoff =
            jittered(self.base_delay(retry), self.jitter, unit).unwrap_or(self.max_backoff);
        backoff.max(retry_after.unwrap_or_default())
    }
}

/// `base` multiplied by a jitter factor in `[1 − jitter, 1 + jitter]`, `unit` ∈ `[0, 1]`
/// choosing it (0 → `1 − jitter`, 0.5 → none, 1 → `1 + jitter`). `jitter` is clamped to
/// `[0, 0.99]` (not finite: 0), `unit` to `[0, 1]` (not finite: 0.5). `None` when the result
/// does not fit a `Duration` (the caller caps it). Shared by the retry policy and
/// [`crate::wait::Backoff`].
pub(crate) fn jittered(base: Duration, jitter: f64, unit: f64) -> Option<Duration> {
    let jitter = if jitter.is_finite() {
        jitter.clamp(0.0, 0.99)
    } else {
        0.0
    };
    let unit = if unit.is_finite() {
        unit.clamp(0.0, 1.0)
    } else {
        0.5
    };
    let scale = 1.0 - jitter + 2.0 * jitter * unit;
    Duration::try_from_secs_f64(base.as_secs_f64() * scale).ok()
}

/// Parses a `Retry-After` value: delta-seconds (`120`) or an HTTP-date
/// (`Wed, 21 Oct 2015 07:28:00 GMT`, relative to `now`; a past date means no wait).
pub(crate) fn parse_retry_after(value: &HeaderValue, now: SystemTime) -> Option<Duration> {
    let text = value.to_str().ok()?.trim();
    if let Ok(secs) = text.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(text).ok()?;
    let when = SystemTime::UNIX_EPOCH
        .checked_add(Duration::from_secs(u64::try_from(when.timestamp()).ok()?))?;
    Some(when.duration_since(now).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16) -> Error {
        Error::Api(ApiError::from_response(status, b""))
    }

    fn fixed() -> RetryPolicy {
        RetryPolicy::new(
            3,
            Duration::from_secs(1),
            Duration::from_secs(30),
            Duration::from_secs(60),
        )
        .with_jitter(0.0)
    }

    #[test]
    fn retry_default_is_on_and_disabled_is_off() {
        let d = RetryPolicy::default();
        assert_eq!(d.max_retries, 6);
        assert_eq!(d.initial_backoff, Duration::from_millis(250));
        assert_eq!(d.max_backoff, Duration::from_secs(8));
        assert_eq!(d.max_elapsed, Duration::from_secs(60));
        assert!(d.next_delay(&Method::GET, &api(503), 0).is_some());
        assert_eq!(
            RetryPolicy::disabled().next_delay(&Method::GET, &api(503), 0),
            None
        );
    }

    #[test]
    fn retry_backoff_doubles_caps_and_jitters() {
        let p = RetryPolicy::default();
        assert_eq!(p.base_delay(0), Duration::from_millis(250));
        assert_eq!(p.base_delay(1), Duration::from_millis(500));
        assert_eq!(p.base_delay(5), Duration::from_secs(8));
        assert_eq!(p.base_delay(u32::MAX), Duration::from_secs(8));
        assert_eq!(p.delay_with(0, None, 0.0), Duration::from_millis(200));
        assert_eq!(p.delay_with(0, None, 1.0), Duration::from_millis(300));
        assert_eq!(p.delay_with(0, None, f64::NAN), Duration::from_millis(250));
        for _ in 0..100 {
            let d = p.next_delay(&Method::GET, &api(502), 1).unwrap_or_default();
            assert!(
                d >= Duration::from_millis(400) && d <= Duration::from_millis(600),
                "{d:?}"
            );
        }
        let wild = RetryPolicy::default().with_jitter(f64::INFINITY);
        assert_eq!(wild.delay_with(0, None, 0.0), Duration::from_millis(250));
    }

    #[test]
    fn jittered_scales_within_bounds_and_clamps_inputs() {
        let base = Duration::from_secs(1);
        assert_eq!(jittered(base, 0.2, 0.0), Some(Duration::from_millis(800)));
        assert_eq!(jittered(base, 0.2, 0.5), Some(base));
        assert_eq!(jittered(base, 0.2, 1.0), Some(Duration::from_millis(1200)));
        assert_eq!(jittered(base, 0.2, 7.0), Some(Duration::from_millis(1200)));
        assert_eq!(jittered(base, 0.2, f64::NAN), Some(base));
        assert_eq!(jittered(base, 5.0, 0.0), Some(Duration::from_millis(10)));
        assert_eq!(jittered(base, f64::NAN, 0.0), Some(base));
        assert_eq!(jittered(Duration::MAX, 0.2, 1.0), None);
    }

    #[test]
    fn retry_after_is_a_lower_bound() {
        let p = fixed();
        let mut e = ApiError::from_response(429, b"");
        e.set_retry_after(Some(Duration::from_millis(4200)));
        let e = Error::Api(e);
        assert_eq!(
            p.next_delay(&Method::POST, &e, 0),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            p.next_delay(&Method::GET, &e, 2),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            p.delay_with(3, Some(Duration::from_secs(5)), 0.5),
            Duration::from_secs(8)
        );
    }

    #[test]
    fn retry_idempotent_methods_on_5xx_only_429_for_writes() {
        let p = fixed();
        for status in [502, 503, 504] {
            assert_eq!(
                p.next_delay(&Method::GET, &api(status), 0),
                Some(Duration::from_secs(1))
            );
            assert_eq!(
                p.next_delay(&Method::DELETE, &api(status), 1),
                Some(Duration::from_secs(2))
            );
            assert_eq!(p.next_delay(&Method::POST, &api(status), 0), None);
            assert_eq!(p.next_delay(&Method::PATCH, &api(status), 0), None);
        }
        assert!(p.next_delay(&Method::POST, &api(429), 0).is_some());
        assert!(p.next_delay(&Method::PATCH, &api(429), 0).is_some());
        for status in [400, 401, 404, 409, 500] {
            assert_eq!(p.next_delay(&Method::GET, &api(status), 0), None);
        }
        let timeout = Error::Timeout {
            operation: "GET x".into(),
        };
        assert!(p.next_delay(&Method::GET, &timeout, 0).is_some());
        assert_eq!(p.next_delay(&Method::POST, &timeout, 0), None);
        assert_eq!(p.next_delay(&Method::GET, &api(503), 3), None);
        assert_eq!(
            p.next_delay(&Method::GET, &Error::InvalidRequest("x".into()), 0),
            None
        );
    }

    #[test]
    fn retry_after_parses_seconds_and_http_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_470);
        let v = |s: &'static str| HeaderValue::from_static(s);
        assert_eq!(
            parse_retry_after(&v("120"), now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after(&v(" 0 "), now),
            Some(Duration::from_secs(0))
        );
        // 2015-10-21T07:28:00Z = 1445412480.
        assert_eq!(
            parse_retry_after(&v("Wed, 21 Oct 2015 07:28:00 GMT"), now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after(&v("Wed, 21 Oct 2015 07:00:00 GMT"), now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after(&v("soon"), now), None);
        assert_eq!(parse_retry_after(&v("-5"), now), None);
        assert_eq!(parse_retry_after(&v("1.5"), now), None);
    }
}
