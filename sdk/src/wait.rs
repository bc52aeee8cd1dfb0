//! Waiting for long-running operations (cluster create/update/delete, access-list entries
//! becoming active).
//!
//! [`wait_for`] calls a poll function until it reports [`Poll::Ready`], sleeping between polls
//! with jittered exponential backoff ([`Backoff`]: 200 ms, ×1.5, capped at 10 s, ±20 %), until a
//! hard deadline ([`Error::Timeout`] naming the last observed state) or until the caller's
//! cancellation future completes ([`Error::Cancelled`]). Retryable errors while polling (429,
//! 502, 503, 504, transport errors, request timeouts — Atlas answers 503 mid-poll) count as
//! "still pending"; any other error ends the wait and is returned.
//!
//! ```no_run
//! # async fn demo(client: atlas_admin_sdk::Client) -> atlas_admin_sdk::Result<()> {
//! use std::time::Duration;
//! use atlas_admin_sdk::wait::{wait_for, Poll};
//!
//! let clusters = client.clusters();
//! let cluster = wait_for("cluster c1 to become IDLE", Duration::from_secs(3 * 3600),
//!     std::future::pending::<()>(), || async {
//!         let c = clusters.get("5f1d5c2b8a1e4c3d2b1a0f9e", "c1").await?;
//!         Ok(if c.is_idle() { Poll::Ready(c) } else {
//!             Poll::Pending(c.state_name.clone().unwrap_or_default())
//!         })
//!     }).await?;
//! # Ok(()) }
//! ```

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use crate::client::retry::jittered;
use crate::{Error, Result};

/// What one poll observed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Poll<T> {
    /// Done, with the final value.
    Ready(T),
    /// Not done; the current state, for messages (`"UPDATING"`).
    Pending(String),
}

/// Delays between polls: `initial × factor^n`, capped at `max`, each multiplied by a random
/// factor in `[1 − jitter, 1 + jitter]` and capped at `max` again.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Backoff {
    /// Delay after the first poll.
    pub initial: Duration,
    /// Growth per poll (≥ 1).
    pub factor: f64,
    /// Upper bound of a delay.
    pub max: Duration,
    /// Relative jitter in `[0, 1)`.
    pub jitter: f64,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            initial: Duration::from_millis(200),
            factor: 1.5,
            max: Duration::from_secs(10),
            jitter: 0.2,
        }
    }
}

impl Backoff {
    /// A backoff from `initial` up to `max`, with the default factor (1.5) and jitter (±20 %).
    pub fn new(initial: Duration, max: Duration) -> Self {
        Backoff {
            initial,
            max,
            ..Backoff::default()
        }
    }

    /// Sets the growth factor (values below 1 are treated as 1).
    pub fn factor(mut self, factor: f64) -> Self {
        self.factor = factor;
        self
    }

    /// Sets the relative jitter (clamped to `[0, 0.99]`).
    pub fn jitter(mut self, jitter: f64) -> Self {
        self.jitter = jitter;
        self
    }

    /// The delay after poll number `attempt` (0-based) before jitter.
    pub fn base_delay(&self, attempt: u32) -> Duration {
        let factor = if self.factor.is_finite() {
            self.factor.max(1.0)
        } else {
            1.0
        };
        let exp = i32::try_from(attempt).unwrap_or(i32::MAX);
        let secs = self.initial.as_secs_f64() * factor.powi(exp);
        let max = self.max.as_secs_f64();
        if !secs.is_finite() || secs >= max {
            self.max
        } else {
            Duration::from_secs_f64(secs.max(0.0))
        }
    }

    /// The delay after poll number `attempt` with `unit` ∈ `[0, 1]` choosing the jitter:
    /// 0 → `1 − jitter`, 0.5 → none, 1 → `1 + jitter`. Never above `max`.
    pub fn delay_with(&self, attempt: u32, unit: f64) -> Duration {
        jittered(self.base_delay(attempt), self.jitter, unit).map_or(self.max, |d| d.min(self.max))
    }

    /// The delay after poll number `attempt`, with random jitter.
    pub fn delay(&self, attempt: u32) -> Duration {
        self.delay_with(attempt, rand::random::<f64>())
    }
}

/// Polls with the default [`Backoff`] until `poll` is ready, `deadline` has passed or `cancel`
/// completes. See [`wait_for_with`].
pub async fn wait_for<T, F, Fut, C>(
    operation: &str,
    deadline: Duration,
    cancel: C,
    poll: F,
) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Poll<T>>>,
    C: Future<Output = ()>,
{
    wait_for_with(operation, deadline, &Backoff::default(), cancel, poll).await
}

/// Polls until `poll` returns [`Poll::Ready`].
///
/// * `operation` names what is awaited in messages (`cluster "c1" to become IDLE`).
/// * `deadline` is measured from the call. The first poll happens immediately; after the
///   deadline no new poll starts and [`Error::Timeout`] is returned naming the last observed
///   state. A poll in flight is given at least `backoff.max` to answer, so a wait can overrun
///   the deadline by up to that much.
/// * `cancel`: when this future completes the wait stops with [`Error::Cancelled`] (pass
///   `std::future::pending()` for none; a `tokio::sync::watch`, `Notify` or
///   `CancellationToken::cancelled()` future all fit).
/// * Retryable errors ([`Error::is_retryable`]) are treated as "still pending"; other errors
///   are returned at once.
pub async fn wait_for_with<T, F, Fut, C>(
    operation: &str,
    deadline: Duration,
    backoff: &Backoff,
    cancel: C,
    mut poll: F,
) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Poll<T>>>,
    C: Future<Output = ()>,
{
    let start = Instant::now();
    let end = start + deadline;
    let mut cancel = std::pin::pin!(cancel);
    let mut seen = Observed::default();
    let mut attempt: u32 = 0;
    loop {
        let poll_limit = end.max(Instant::now() + backoff.max);
        let outcome = tokio::select! {
            biased;
            () = &mut cancel => return Err(seen.cancelled(operation)),
            r = tokio::time::timeout_at(poll_limit, poll()) => r,
        };
        match outcome {
            Ok(Ok(Poll::Ready(value))) => {
                tracing::debug!(operation, polls = attempt + 1, elapsed = ?start.elapsed(), "wait finished");
                return Ok(value);
            }
            Ok(Ok(Poll::Pending(state))) => {
                tracing::debug!(operation, state = %state, "still waiting");
                seen.state = Some(state);
                seen.error = None;
            }
            Ok(Err(e)) if e.is_retryable() => {
                tracing::debug!(operation, error = %e, "poll failed, still waiting");
                seen.error = Some(e.to_string());
            }
            Ok(Err(e)) => return Err(e),
            Err(_elapsed) => {
                seen.error = Some("the last poll did not answer in time".to_owned());
                return Err(seen.timed_out(operation, deadline));
            }
        }
        let now = Instant::now();
        if now >= end {
            return Err(seen.timed_out(operation, deadline));
        }
        let delay = backoff.delay(attempt).min(end - now);
        attempt = attempt.saturating_add(1);
        tokio::select! {
            biased;
            () = &mut cancel => return Err(seen.cancelled(operation)),
            () = tokio::time::sleep(delay) => {}
        }
    }
}

/// Runs `operation_future` (any SDK call) until it finishes or `cancel` completes, whichever
/// comes first; on cancellation the call is dropped — which aborts its HTTP request and any
/// retry backoff — and [`Error::Cancelled`] naming `operation` is returned.
///
/// Dropping an SDK future is always a valid way to cancel it (e.g. in a `tokio::select!` on a
/// `CancellationToken`); this helper only turns that into an error value. A cancelled POST or
/// PATCH may or may not have been applied: read the resource back.
///
/// ```no_run
/// # async fn demo(client: atlas_admin_sdk::Client, stop: tokio::sync::watch::Receiver<bool>) {
/// use atlas_admin_sdk::{with_cancellation, ListOptions};
/// let mut stop = stop;
/// let cancel = async move { let _ = stop.wait_for(|s| *s).await; };
/// let page = with_cancellation("listing projects", cancel,
///     client.projects().list(ListOptions::default())).await;
/// # }
/// ```
pub async fn with_cancellation<T, F, C>(
    operation: &str,
    cancel: C,
    operation_future: F,
) -> Result<T>
where
    F: Future<Output = Result<T>>,
    C: Future<Output = ()>,
{
    tokio::select! {
        biased;
        () = cancel => Err(Error::Cancelled { operation: operation.to_owned() }),
        r = operation_future => r,
    }
}

/// What the polls have seen so far, for error messages.
#[derive(Default)]
struct Observed {
    state: Option<String>,
    error: Option<String>,
}

impl Observed {
    fn describe(&self) -> String {
        let mut out = match &self.state {
            Some(s) => format!("last state: {s}"),
            None => "no state observed".to_owned(),
        };
        if let Some(e) = &self.error {
            out.push_str("; last poll error: ");
            out.push_str(e);
        }
        out
    }

    fn timed_out(&self, operation: &str, deadline: Duration) -> Error {
        Error::Timeout {
            operation: format!(
                "waiting for {operation} after {} ({})",
                human(deadline),
                self.describe()
            ),
        }
    }

    fn cancelled(&self, operation: &str) -> Error {
        Error::Cancelled {
            operation: format!("waiting for {operation} ({})", self.describe()),
        }
    }
}

/// `1h2m3s`, `45s`, `1.5s`, `250ms`.
fn human(d: Duration) -> String {
    let secs = d.as_secs();
    if secs == 0 {
        return format!("{}ms", d.as_millis());
    }
    if secs < 60 && d.subsec_millis() != 0 {
        return format!("{:.1}s", d.as_secs_f64());
    }
    let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    if s > 0 || out.is_empty() {
        out.push_str(&format!("{s}s"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ApiError;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn fast() -> Backoff {
        Backoff::new(Duration::from_millis(1), Duration::from_millis(5))
    }

    fn api(status: u16) -> Error {
        Error::Api(ApiError::from_response(status, b""))
    }

    #[test]
    fn backoff_grows_and_caps() {
        let b = Backoff::default();
        assert_eq!(b.base_delay(0), Duration::from_millis(200));
        assert_eq!(b.base_delay(1), Duration::from_millis(300));
        assert_eq!(b.base_delay(2), Duration::from_millis(450));
        assert_eq!(b.base_delay(20), Duration::from_secs(10));
        assert_eq!(b.base_delay(u32::MAX), Duration::from_secs(10));
        let flat = Backoff::default().factor(0.5);
        assert_eq!(flat.base_delay(5), Duration::from_millis(200));
    }

    #[test]
    fn backoff_jitter_bounds() {
        let b = Backoff::default();
        for attempt in 0..30 {
            let base = b.base_delay(attempt).as_secs_f64();
            assert!((b.delay_with(attempt, 0.0).as_secs_f64() - base * 0.8).abs() < 1e-9);
            assert!(b.delay_with(attempt, 1.0) <= b.max);
            for _ in 0..50 {
                let d = b.delay(attempt).as_secs_f64();
                assert!(d >= base * 0.8 - 1e-9, "{attempt}: {d} < {base}*0.8");
                assert!(d <= (base * 1.2).min(10.0) + 1e-9, "{attempt}: {d}");
            }
        }
        assert_eq!(b.delay_with(1, 0.5), Duration::from_millis(300));
        assert_eq!(b.delay_with(1, 1.0), Duration::from_millis(360));
        // Jitter is clamped; NaN inputs do not panic.
        let wild = Backoff::default().jitter(5.0);
        assert!(wild.delay_with(0, 0.0) > Duration::ZERO);
        assert_eq!(b.delay_with(0, f64::NAN), Duration::from_millis(200));
        // A jittered delay beyond `Duration::MAX` is capped at `max` (it used to panic).
        let unbounded = Backoff::new(Duration::MAX, Duration::MAX);
        assert_eq!(unbounded.delay_with(0, 1.0), Duration::MAX);
    }

    #[tokio::test]
    async fn wait_returns_ready_value_after_pending_polls() {
        let calls = AtomicU32::new(0);
        let r = wait_for_with(
            "thing",
            Duration::from_secs(5),
            &fast(),
            std::future::pending(),
            || {
                let n = calls.fetch_add(1, Ordering::SeqCst);
                async move {
                    Ok(if n < 3 {
                        Poll::Pending("CREATING".to_owned())
                    } else {
                        Poll::Ready(n)
                    })
                }
            },
        )
        .await;
        assert_eq!(r.ok(), Some(3));
        assert_eq!(calls.load(Ordering::SeqCst), 4);
    }

    #[tokio::test]
    async fn wait_times_out_naming_last_state() {
        let started = std::time::Instant::now();
        let r: Result<()> = wait_for_with(
            "cluster \"c1\" to become IDLE",
            Duration::from_millis(60),
            &fast(),
            std::future::pending(),
            || async { Ok(Poll::Pending("UPDATING".to_owned())) },
        )
        .await;
        let elapsed = started.elapsed();
        match r {
            Err(Error::Timeout { operation }) => {
                assert!(
                    operation.contains("cluster \"c1\" to become IDLE"),
                    "{operation}"
                );
                assert!(operation.contains("last state: UPDATING"), "{operation}");
                assert!(operation.contains("60ms"), "{operation}");
            }
            other => panic!("expected timeout, got {other:?}"),
        }
        assert!(elapsed >= Duration::from_millis(60), "{elapsed:?}");
        assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    }

    #[tokio::test]
    async fn wait_treats_retryable_errors_as_pending() {
        let calls = AtomicU32::new(0);
        let r = wait_for_with(
            "x",
            Duration::from_secs(5),
            &fast(),
            std::future::pending(),
            || {
                let n = calls.fetch_add(1, Ordering::SeqCst);
                async move {
                    match n {
                        0 => Ok(Poll::Pending("CREATING".to_owned())),
                        1 => Err(api(503)),
                        2 => Err(api(429)),
                        3 => Err(api(502)),
                        4 => Err(Error::Timeout {
                            operation: "GET x".into(),
                        }),
                        _ => Ok(Poll::Ready("done")),
                    }
                }
            },
        )
        .await;
        assert_eq!(r.ok(), Some("done"));
        assert_eq!(calls.load(Ordering::SeqCst), 6);
    }

    #[tokio::test]
    async fn wait_returns_other_errors_at_once() {
        let calls = AtomicU32::new(0);
        let r: Result<()> = wait_for_with(
            "x",
            Duration::from_secs(5),
            &fast(),
            std::future::pending(),
            || {
                calls.fetch_add(1, Ordering::SeqCst);
                async { Err(api(404)) }
            },
        )
        .await;
        assert!(matches!(&r, Err(e) if e.is_not_found()), "{r:?}");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn wait_timeout_mentions_last_retryable_error() {
        let r: Result<()> = wait_for_with(
            "x",
            Duration::from_millis(30),
            &fast(),
            std::future::pending(),
            || async { Err(api(503)) },
        )
        .await;
        match r {
            Err(Error::Timeout { operation }) => {
                assert!(operation.contains("no state observed"), "{operation}");
                assert!(operation.contains("503"), "{operation}");
            }
            other => panic!("expected timeout, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn wait_is_cancellable() {
        let (tx, mut rx) = tokio::sync::watch::channel(false);
        let cancel = async move {
            let _ = rx.wait_for(|v| *v).await;
        };
        let calls = AtomicU32::new(0);
        let backoff = Backoff::new(Duration::from_millis(5), Duration::from_millis(5));
        let wait = wait_for_with("thing", Duration::from_secs(60), &backoff, cancel, || {
            calls.fetch_add(1, Ordering::SeqCst);
            async { Ok::<_, Error>(Poll::<()>::Pending("PENDING".to_owned())) }
        });
        let canceller = async {
            tokio::time::sleep(Duration::from_millis(30)).await;
            let _ = tx.send(true);
        };
        let (r, ()) = tokio::join!(wait, canceller);
        match r {
            Err(Error::Cancelled { operation }) => {
                assert!(operation.contains("thing"), "{operation}");
                assert!(operation.contains("PENDING"), "{operation}");
            }
            other => panic!("expected cancellation, got {other:?}"),
        }
        assert!(calls.load(Ordering::SeqCst) >= 2);
    }

    #[tokio::test]
    async fn wait_bounds_a_hanging_poll() {
        let started = std::time::Instant::now();
        let r: Result<()> = wait_for_with(
            "x",
            Duration::from_millis(20),
            &fast(),
            std::future::pending(),
            std::future::pending::<Result<Poll<()>>>,
        )
        .await;
        assert!(matches!(r, Err(Error::Timeout { .. })), "{r:?}");
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn human_durations() {
        assert_eq!(human(Duration::from_millis(250)), "250ms");
        assert_eq!(human(Duration::from_millis(1500)), "1.5s");
        assert_eq!(human(Duration::from_secs(45)), "45s");
        assert_eq!(human(Duration::from_secs(3 * 3600 + 62)), "3h1m2s");
        assert_eq!(human(Duration::from_secs(600)), "10m");
    }
}
