//! How resources call Atlas: under Terraform's cancellation, with retries where a retry is
//! safe, and with reconciliation where it is not.
//!
//! Every call and wait runs under `tokio::select!` with the context's cancellation token
//! (StopProvider, i.e. Ctrl-C): a cancelled call ends at once with an "Operation cancelled"
//! diagnostic naming what was in flight (see [`crate::errors::api_error`]).
//!
//! The SDK's retry policy already retries what is always safe: 429 (after `Retry-After`),
//! 502/503/504, lost connections and timeouts of idempotent requests, and connection failures
//! before anything was sent. This module adds only what the SDK leaves to its caller, so the
//! two budgets never multiply on an outage (an unreachable API fails as fast as the SDK gives
//! up):
//!
//! * A 500 is retried for any request that is safe to repeat ([`retry`], [`read`], [`delete`]):
//!   Atlas answers transient 500s, and the SDK never retries them. A DELETE that answers 404 (or
//!   the resource's "already gone" code) after a retry means the earlier attempt worked.
//! * An *ambiguous* failure of a write — a 5xx, a lost connection after sending, or a timeout
//!   (`Error::is_ambiguous`) — may or may not have taken effect.
//! * PATCH is repeated after a 5xx. Every PATCH this provider sends carries absolute values (a name,
//!   the whole tag map, the whole role/label/scope lists, sizes, a password), never increments
//!   or appends, so applying it twice leaves the object exactly as applying it once; the
//!   resource then re-reads the object and stores what Atlas holds.
//! * POST (create) is never blindly repeated ([`create`]): the object is looked up by its
//!   natural key (project name, cluster name, username) and adopted if it exists; only if it
//!   does not is the POST sent again, a bounded number of times. A "duplicate" answer to such a
//!   repeated POST means the earlier attempt did take effect after all: the object is adopted.
//!   (Access list POSTs are upserts and are simply repeated; see
//!   [`crate::resources::project_ip_access_list`].)
//! * 429 means the request was refused before being processed: any request is re-sent after
//!   a pause.

use crate::errors::api_error;
use crate::AtlasClient;
use atlas_admin_sdk::Error;
use std::borrow::Borrow;
use std::future::Future;
use std::time::Duration;
use tfplugin::context::Context;
use tfplugin::diagnostics::Diagnostics;

/// Attempts per call (the first one included), on top of the SDK's own retries.
pub const ATTEMPTS: u32 = 6;

/// Whether a failed write may have taken effect: any 5xx, a lost connection after sending, a
/// timeout. (A connection refused before sending is not: the SDK already retried it.)
pub fn is_ambiguous(e: &Error) -> bool {
    e.is_ambiguous() || e.status().is_some_and(|s| s >= 500)
}

/// 429: refused before processing, safe to re-send.
pub fn is_throttled(e: &Error) -> bool {
    e.status() == Some(429)
}

/// A 5xx answer the SDK did not retry: a 500 (any request), or any 5xx to a PATCH or POST.
/// Worth another attempt for requests that are safe to repeat.
pub fn is_transient(e: &Error) -> bool {
    matches!(e, Error::Api(_)) && (e.status() == Some(500) || e.is_ambiguous())
}

/// The pause before attempt `attempt + 1`: a 429's `Retry-After` (1 s if absent), else
/// 200 ms doubling up to 3 s.
fn pause(attempt: u32, e: &Error) -> Duration {
    if is_throttled(e) {
        let asked = e.as_api_error().and_then(|a| a.retry_after());
        return asked
            .unwrap_or(Duration::from_secs(1))
            .min(Duration::from_secs(10));
    }
    let ms = 200u64.saturating_mul(1 << attempt.min(4));
    Duration::from_millis(ms.min(3_000))
}

fn cancelled_error(what: &str) -> Error {
    Error::Cancelled {
        operation: what.to_string(),
    }
}

/// The "Operation cancelled" diagnostic for `what`.
pub fn cancelled(cx: &Context<AtlasClient>, what: &str) -> Diagnostics {
    api_error(cx.client(), what, &cancelled_error(what)).into()
}

/// Runs `fut` unless Terraform asks the provider to stop first. (`E` is the SDK error, or a
/// shared `Arc` of it.)
pub async fn cancellable<T, E: From<Error>>(
    cx: &Context<AtlasClient>,
    what: &str,
    fut: impl Future<Output = Result<T, E>>,
) -> Result<T, E> {
    tokio::select! {
        biased;
        () = cx.cancellation().cancelled() => Err(cancelled_error(what).into()),
        r = fut => r,
    }
}

async fn sleep(cx: &Context<AtlasClient>, what: &str, d: Duration) -> Result<(), Error> {
    cancellable(cx, what, async {
        tokio::time::sleep(d).await;
        Ok(())
    })
    .await
}

/// One call, cancellable, errors mapped to a diagnostic ("Error {what}").
pub async fn call<T>(
    cx: &Context<AtlasClient>,
    what: &str,
    fut: impl Future<Output = Result<T, Error>>,
) -> Result<T, Diagnostics> {
    cancellable(cx, what, fut)
        .await
        .map_err(|e| api_error(cx.client(), what, &e).into())
}

/// Calls `f` until it succeeds, fails for good, or [`ATTEMPTS`] transient failures
/// ([`is_transient`]) have happened. Only for requests that are safe to repeat (GET, DELETE,
/// PATCH with absolute values, upserts). `E` is the SDK error, or a shared `Arc` of it (coalesced reads).
pub async fn retry<T, E, F, Fut>(cx: &Context<AtlasClient>, what: &str, mut f: F) -> Result<T, E>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
    E: Borrow<Error> + From<Error>,
{
    let mut attempt = 1;
    loop {
        match cancellable(cx, what, f()).await {
            Err(e) if is_transient(e.borrow()) && attempt < ATTEMPTS => {
                let e: &Error = e.borrow();
                tracing::debug!(what, attempt, error = %e, "transient failure, retrying");
                sleep(cx, what, pause(attempt, e)).await?;
                attempt += 1;
            }
            r => return r,
        }
    }
}

/// [`retry`] with errors mapped to a diagnostic.
pub async fn read<T, F, Fut>(cx: &Context<AtlasClient>, what: &str, f: F) -> Result<T, Diagnostics>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    retry(cx, what, f)
        .await
        .map_err(|e| api_error(cx.client(), what, &e).into())
}

/// A retried DELETE; `gone` recognises "already deleted" answers (404 and the resource's own
/// codes), which count as success.
pub async fn delete<F, Fut>(
    cx: &Context<AtlasClient>,
    what: &str,
    gone: impl Fn(&Error) -> bool,
    f: F,
) -> Result<(), Diagnostics>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<(), Error>>,
{
    match retry(cx, what, f).await {
        Ok(()) => Ok(()),
        Err(e) if gone(&e) => Ok(()),
        Err(e) => Err(api_error(cx.client(), what, &e).into()),
    }
}

/// A wait (which takes the cancellation itself) re-entered when a poll fails with a 5xx the
/// wait does not absorb. Timeouts and cancellation end it.
pub async fn wait<T, F, Fut>(mut f: F) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let mut attempt = 1;
    loop {
        match f().await {
            Err(e) if e.status().is_some_and(|s| s >= 500) && attempt < ATTEMPTS => {
                tracing::debug!(attempt, error = %e, "poll failed, waiting again");
                tokio::time::sleep(pause(attempt, &e)).await;
                attempt += 1;
            }
            r => return r,
        }
    }
}

/// What [`create`] got: a new object, or one an earlier, ambiguous attempt had created.
#[derive(Debug)]
pub enum Created<T> {
    New(T),
    Adopted(T),
}

impl<T> Created<T> {
    pub fn into_inner(self) -> T {
        match self {
            Created::New(v) | Created::Adopted(v) => v,
        }
    }

    pub fn is_adopted(&self) -> bool {
        matches!(self, Created::Adopted(_))
    }
}

/// Creates an object without ever creating it twice.
///
/// `post` sends the create; `lookup` finds the object by its natural key (`Ok(None)` when it
/// does not exist); `duplicate` recognises the API's "already exists" answer. After an
/// ambiguous failure ([`is_ambiguous`]) the object is looked up and adopted if found, else the
/// POST is sent again (at most [`ATTEMPTS`] in all). A duplicate answer is adopted only after
/// such a failure; on a first attempt it is a real conflict and reported as such. Anything else
/// (a 4xx, a 429 or unreachable API the SDK already retried) is reported at once.
pub async fn create<T, P, PF, L, LF>(
    cx: &Context<AtlasClient>,
    what: &str,
    mut post: P,
    mut lookup: L,
    duplicate: impl Fn(&Error) -> bool,
) -> Result<Created<T>, Diagnostics>
where
    P: FnMut() -> PF,
    PF: Future<Output = Result<T, Error>>,
    L: FnMut() -> LF,
    LF: Future<Output = Result<Option<T>, Error>>,
{
    let fail = |e: &Error| Diagnostics::from(api_error(cx.client(), what, e));
    let mut uncertain = false;
    let mut attempt = 1;
    loop {
        let err = match cancellable(cx, what, post()).await {
            Ok(v) => return Ok(Created::New(v)),
            Err(e) => e,
        };
        if uncertain && duplicate(&err) {
            tracing::debug!(what, "duplicate after an ambiguous failure: adopting");
            return match retry(cx, what, &mut lookup).await {
                Ok(Some(v)) => Ok(Created::Adopted(v)),
                Ok(None) => Err(fail(&err)),
                Err(e) => Err(fail(&e)),
            };
        }
        if attempt >= ATTEMPTS || !is_ambiguous(&err) {
            return Err(fail(&err));
        }
        uncertain = true;
        tracing::debug!(what, attempt, error = %err, "ambiguous create failure: reading before retrying");
        match retry(cx, what, &mut lookup).await {
            Ok(Some(v)) => return Ok(Created::Adopted(v)),
            Ok(None) => {}
            Err(e) => return Err(fail(&e)),
        }
        sleep(cx, what, pause(attempt, &err))
            .await
            .map_err(|e| fail(&e))?;
        attempt += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use atlas_admin_sdk::{ApiError, Client};
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Arc;

    fn cx() -> Context<AtlasClient> {
        let client = Client::builder()
            .base_url("http://127.0.0.1:9")
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        Context::new(AtlasClient::new(client), Default::default())
    }

    fn api(status: u16, code: &str) -> Error {
        Error::Api(ApiError::from_response(
            status,
            format!(r#"{{"error":{status},"errorCode":"{code}","detail":"x"}}"#).as_bytes(),
        ))
    }

    #[tokio::test]
    async fn ambiguous_create_adopts_what_exists() {
        let cx = cx();
        let posts = Arc::new(AtomicU32::new(0));
        let exists = Arc::new(AtomicU32::new(0));
        let r = create(
            &cx,
            "creating thing",
            || {
                let (posts, exists) = (posts.clone(), exists.clone());
                async move {
                    posts.fetch_add(1, Ordering::SeqCst);
                    exists.store(1, Ordering::SeqCst); // took effect, answer lost
                    Err::<u32, _>(api(500, "UNEXPECTED_ERROR"))
                }
            },
            || {
                let exists = exists.clone();
                async move { Ok((exists.load(Ordering::SeqCst) == 1).then_some(7)) }
            },
            |_| false,
        )
        .await;
        assert!(matches!(r, Ok(Created::Adopted(7))), "{r:?}");
        assert_eq!(posts.load(Ordering::SeqCst), 1, "never re-posted");
    }

    #[tokio::test]
    async fn lost_create_is_retried_and_duplicate_adopted() {
        let cx = cx();
        let posts = Arc::new(AtomicU32::new(0));
        let r = create(
            &cx,
            "creating thing",
            || {
                let posts = posts.clone();
                async move {
                    match posts.fetch_add(1, Ordering::SeqCst) {
                        0 => Err::<u32, _>(api(503, "")),
                        1 => Err(api(500, "UNEXPECTED_ERROR")),
                        _ => Err(api(409, "DUPLICATE")),
                    }
                }
            },
            {
                let posts = posts.clone();
                move || {
                    let n = posts.load(Ordering::SeqCst);
                    async move { Ok((n >= 3).then_some(9)) }
                }
            },
            |e| e.error_code() == Some("DUPLICATE"),
        )
        .await;
        assert!(matches!(r, Ok(Created::Adopted(9))), "{r:?}");
        assert_eq!(posts.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn throttling_and_bad_requests_are_not_retried_here() {
        let cx = cx();
        for status in [429, 400] {
            let posts = Arc::new(AtomicU32::new(0));
            let r = create(
                &cx,
                "creating thing",
                || {
                    let posts = posts.clone();
                    async move {
                        posts.fetch_add(1, Ordering::SeqCst);
                        Err::<u32, _>(api(status, "X"))
                    }
                },
                || async { Ok(None) },
                |_| false,
            )
            .await;
            assert!(r.is_err());
            assert_eq!(posts.load(Ordering::SeqCst), 1, "status {status}");
        }
    }

    #[tokio::test]
    async fn first_attempt_conflict_is_an_error() {
        let cx = cx();
        let r = create(
            &cx,
            "creating thing",
            || async { Err::<u32, _>(api(409, "DUPLICATE")) },
            || async { Ok(Some(1)) },
            |e| e.error_code() == Some("DUPLICATE"),
        )
        .await;
        assert!(r.is_err());
    }

    #[tokio::test]
    async fn cancellation_ends_a_call_with_a_named_diagnostic() {
        let cx = cx();
        cx.cancellation().cancel();
        let r: Result<(), _> = call(&cx, "creating cluster \"c\"", std::future::pending()).await;
        let d = r.err().unwrap_or_default();
        let d = d
            .iter()
            .next()
            .cloned()
            .unwrap_or_else(|| panic!("no diag"));
        assert_eq!(d.summary, "Operation cancelled");
        assert!(d.detail.contains("creating cluster \"c\""), "{}", d.detail);
    }

    #[tokio::test]
    async fn deletes_count_not_found_after_a_retry_as_done() {
        let cx = cx();
        let n = Arc::new(AtomicU32::new(0));
        let r = delete(&cx, "deleting thing", Error::is_not_found, || {
            let n = n.clone();
            async move {
                if n.fetch_add(1, Ordering::SeqCst) == 0 {
                    Err(api(500, "UNEXPECTED_ERROR"))
                } else {
                    Err(api(404, "NOT_FOUND"))
                }
            }
        })
        .await;
        assert!(r.is_ok());
        assert_eq!(n.load(Ordering::SeqCst), 2);
    }
}
