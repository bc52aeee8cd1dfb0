//! Retry policy seam.
//!
//! The client asks its [`RetryPolicy`] after every failed attempt whether to try again. The
//! default policy never retries; backoff with `Retry-After` for 429/503 comes later. Whatever
//! the policy, non-idempotent requests (POST, PATCH) are never retried: a lost response to a
//! create could otherwise create twice.

use std::time::Duration;

use reqwest::Method;

use crate::Error;

/// When and how often failed requests are retried.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Extra attempts after the first one (0 disables retries).
    pub max_retries: u32,
    /// Delay before the first retry; doubled on each further retry.
    pub initial_backoff: Duration,
    /// Upper bound of a single delay.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy::disabled()
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn disabled() -> Self {
        RetryPolicy {
            max_retries: 0,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
        }
    }

    /// Whether `method` may be sent twice without changing the outcome.
    pub fn is_idempotent(method: &Method) -> bool {
        matches!(
            *method,
            Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE
        )
    }

    /// The delay before retry number `retry` (0-based) of a request that failed with `error`,
    /// or `None` to give up.
    pub fn next_delay(&self, method: &Method, error: &Error, retry: u32) -> Option<Duration> {
        if retry >= self.max_retries || !Self::is_idempotent(method) || !error.is_retryable() {
            return None;
        }
        let factor = 2u32.saturating_pow(retry);
        Some(
            self.initial_backoff
                .saturating_mul(factor)
                .min(self.max_backoff),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ApiError;

    #[test]
    fn retry_disabled_by_default() {
        let e = Error::Api(ApiError::from_response(503, b""));
        assert_eq!(RetryPolicy::default().next_delay(&Method::GET, &e, 0), None);
    }

    #[test]
    fn retry_never_for_non_idempotent_methods() {
        let p = RetryPolicy {
            max_retries: 3,
            ..RetryPolicy::disabled()
        };
        let e = Error::Api(ApiError::from_response(503, b""));
        assert_eq!(p.next_delay(&Method::POST, &e, 0), None);
        assert_eq!(p.next_delay(&Method::PATCH, &e, 0), None);
        assert_eq!(
            p.next_delay(&Method::GET, &e, 0),
            Some(Duration::from_secs(1))
        );
        assert_eq!(
            p.next_delay(&Method::GET, &e, 2),
            Some(Duration::from_secs(4))
        );
        assert_eq!(p.next_delay(&Method::GET, &e, 3), None);
        let nf = Error::Api(ApiError::from_response(404, b""));
        assert_eq!(p.next_delay(&Method::GET, &nf, 0), None);
    }
}
