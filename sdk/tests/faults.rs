//! Faults on the wire: the retry policy (429 + `Retry-After`, 5xx for reads but never for
//! writes, connection refused, connections lost after sending), the retry deadline, request
//! timeouts and cancellation, against small fake servers.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use atlas_admin_sdk::{with_cancellation, ApiVersion, Client, Error, Request, RetryPolicy};
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// One canned answer: status, extra headers, delay before answering.
#[derive(Clone)]
struct Answer {
    status: u16,
    headers: Vec<(&'static str, String)>,
    delay: Duration,
}

fn answer(status: u16) -> Answer {
    Answer {
        status,
        headers: Vec::new(),
        delay: Duration::ZERO,
    }
}

#[derive(Default)]
struct FakeState {
    seen: Vec<(String, Instant)>,
    script: VecDeque<Answer>,
    /// Answer when the script is empty (default 200).
    fallback: Option<Answer>,
}

type Shared = Arc<Mutex<FakeState>>;

async fn handler(State(state): State<Shared>, method: Method) -> Response {
    let next = {
        let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
        s.seen.push((method.to_string(), Instant::now()));
        s.script
            .pop_front()
            .or_else(|| s.fallback.clone())
            .unwrap_or_else(|| answer(200))
    };
    tokio::time::sleep(next.delay).await;
    let status = StatusCode::from_u16(next.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = if status.is_success() {
        json!({"id": "6a79f2c2d21a0d4a1ac2b3c4", "name": "p"})
    } else {
        json!({"error": next.status, "errorCode": "FAULT", "detail": "injected"})
    };
    let mut resp = (status, axum::Json(body)).into_response();
    for (k, v) in next.headers {
        if let Ok(v) = v.parse() {
            resp.headers_mut().insert(k, v);
        }
    }
    resp
}

struct Fake {
    base_url: String,
    state: Shared,
}

impl Fake {
    async fn start(script: Vec<Answer>) -> Fake {
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .unwrap_or_else(|e| panic!("bind: {e}"));
        Self::serve(listener, script)
    }

    fn serve(listener: tokio::net::TcpListener, script: Vec<Answer>) -> Fake {
        let state: Shared = Arc::new(Mutex::new(FakeState {
            script: script.into(),
            ..Default::default()
        }));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("addr: {e}"));
        let app = axum::Router::new()
            .fallback(handler)
            .with_state(state.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Fake {
            base_url: format!("http://{addr}"),
            state,
        }
    }

    fn fallback(&self, a: Answer) {
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .fallback = Some(a);
    }

    fn client(&self, policy: RetryPolicy) -> Client {
        client_for(&self.base_url, policy, None)
    }

    fn seen(&self) -> Vec<String> {
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .seen
            .iter()
            .map(|(m, _)| m.clone())
            .collect()
    }

    fn gaps(&self) -> Vec<Duration> {
        let s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.seen.windows(2).map(|w| w[1].1 - w[0].1).collect()
    }
}

fn client_for(base_url: &str, policy: RetryPolicy, timeout: Option<Duration>) -> Client {
    let mut b = Client::builder()
        .base_url(base_url)
        .bearer_token("tok-secret-123")
        .retry_policy(policy);
    if let Some(t) = timeout {
        b = b.timeout(t);
    }
    b.build().unwrap_or_else(|e| panic!("client: {e}"))
}

/// Retries with millisecond backoffs.
fn fast(max_retries: u32) -> RetryPolicy {
    RetryPolicy::new(
        max_retries,
        Duration::from_millis(1),
        Duration::from_millis(5),
        Duration::from_secs(10),
    )
}

fn get() -> Request {
    Request::get("/groups/6a79f2c2d21a0d4a1ac2b3c4", ApiVersion::V2023_01_01)
}

fn post() -> Request {
    Request::post("/groups", ApiVersion::V2023_01_01)
        .json(&json!({"name": "p", "orgId": "6a0346c9d21a0d4a1ac1c9e1"}))
        .unwrap_or_else(|e| panic!("{e}"))
}

fn patch() -> Request {
    Request::patch("/groups/6a79f2c2d21a0d4a1ac2b3c4", ApiVersion::V2023_01_01)
        .json(&json!({"name": "q"}))
        .unwrap_or_else(|e| panic!("{e}"))
}

fn err<T: std::fmt::Debug>(r: atlas_admin_sdk::Result<T>) -> Error {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => e,
    }
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    l.local_addr().unwrap_or_else(|e| panic!("{e}")).port()
}

#[tokio::test]
async fn fault_429_retry_after_is_honoured_even_for_post() {
    let mut throttled = answer(429);
    throttled.headers.push(("retry-after", "1".into()));
    let fake = Fake::start(vec![throttled]).await;
    let client = fake.client(fast(3));
    let started = Instant::now();
    let v: Value = client.send(post()).await.unwrap_or_else(|e| panic!("{e}"));
    let elapsed = started.elapsed();
    assert_eq!(v["name"], "p");
    // A 429 was not processed: the POST is safely repeated, after Retry-After (not 1 ms).
    assert_eq!(fake.seen(), vec!["POST", "POST"]);
    let gap = fake.gaps()[0];
    assert!(gap >= Duration::from_millis(950), "{gap:?}");
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
}

#[tokio::test]
async fn fault_429_exhausted_is_not_ambiguous() {
    let fake = Fake::start(Vec::new()).await;
    fake.fallback(answer(429));
    let e = err(fake.client(fast(2)).send::<Value>(patch()).await);
    assert_eq!(e.status(), Some(429));
    assert!(!e.is_ambiguous(), "429 means not processed");
    assert_eq!(fake.seen(), vec!["PATCH"; 3]);
}

#[tokio::test]
async fn fault_503_retried_for_get_but_not_for_post() {
    let fake = Fake::start(vec![answer(503), answer(502), answer(504)]).await;
    let client = fake.client(fast(5));
    let v: Value = client.send(get()).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["name"], "p");
    assert_eq!(fake.seen(), vec!["GET"; 4]);

    for (req, method) in [(post(), "POST"), (patch(), "PATCH")] {
        let fake = Fake::start(vec![answer(503)]).await;
        let e = err(fake.client(fast(5)).send::<Value>(req).await);
        assert_eq!(e.status(), Some(503));
        assert!(e.is_ambiguous(), "{e:?}");
        assert!(e.is_retryable());
        assert_eq!(
            fake.seen(),
            vec![method],
            "exactly one {method} reached the server"
        );
    }

    // DELETE is idempotent: retried.
    let fake = Fake::start(vec![answer(504)]).await;
    fake.client(fast(5))
        .send_empty(Request::delete(
            "/groups/6a79f2c2d21a0d4a1ac2b3c4",
            ApiVersion::V2023_01_01,
        ))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(fake.seen(), vec!["DELETE"; 2]);

    // A 5xx on a GET is not "ambiguous", and a 500 is never retried.
    let fake = Fake::start(Vec::new()).await;
    fake.fallback(answer(500));
    let e = err(fake.client(fast(5)).send::<Value>(get()).await);
    assert!(!e.is_ambiguous());
    assert_eq!(fake.seen().len(), 1);
}

#[tokio::test]
async fn fault_disabled_policy_makes_one_attempt() {
    let fake = Fake::start(Vec::new()).await;
    fake.fallback(answer(503));
    let e = err(fake
        .client(RetryPolicy::disabled())
        .send::<Value>(get())
        .await);
    assert_eq!(e.status(), Some(503));
    assert_eq!(fake.seen().len(), 1);
}

#[tokio::test]
async fn fault_connection_refused_is_retried_then_names_url() {
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let policy = RetryPolicy::new(
        2,
        Duration::from_millis(40),
        Duration::from_millis(40),
        Duration::from_secs(5),
    )
    .with_jitter(0.0);
    let started = Instant::now();
    let e = err(client_for(&base, policy, None).send::<Value>(post()).await);
    assert!(
        started.elapsed() >= Duration::from_millis(80),
        "two backoffs: {:?}",
        started.elapsed()
    );
    assert!(matches!(e, Error::Transport { .. }), "{e:?}");
    assert!(!e.is_ambiguous(), "nothing was sent");
    let msg = e.to_string();
    assert!(
        msg.contains(&format!("{base}/api/atlas/v2/groups")),
        "{msg}"
    );
    assert!(!msg.contains("tok-secret-123"));

    // Refused POSTs are repeated until the server comes up; exactly one POST reaches it.
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let server = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(150)).await;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .unwrap_or_else(|e| panic!("rebind: {e}"));
        Fake::serve(listener, Vec::new())
    });
    let policy = RetryPolicy::new(
        20,
        Duration::from_millis(30),
        Duration::from_millis(30),
        Duration::from_secs(5),
    );
    let v: Value = client_for(&base, policy, None)
        .send(post())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["name"], "p");
    let fake = server.await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(fake.seen(), vec!["POST"]);
}

/// A server that reads a request and closes the connection without answering.
async fn hang_up_server() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                use tokio::io::AsyncReadExt;
                let mut buf = [0u8; 4096];
                let _ = sock.read(&mut buf).await;
                drop(sock);
            });
        }
    });
    (format!("http://{addr}"), accepted)
}

#[tokio::test]
async fn fault_connection_lost_after_sending() {
    let (base, accepted) = hang_up_server().await;
    let e = err(client_for(&base, fast(3), None).send::<Value>(post()).await);
    assert!(matches!(e, Error::Transport { .. }), "{e:?}");
    assert!(e.is_ambiguous(), "the POST may have been processed: {e:?}");
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        1,
        "the POST was not repeated"
    );

    let (base, accepted) = hang_up_server().await;
    let e = err(client_for(&base, fast(3), None).send::<Value>(get()).await);
    assert!(matches!(e, Error::Transport { .. }), "{e:?}");
    assert_eq!(accepted.load(Ordering::SeqCst), 4, "GET retried 3 times");
}

#[tokio::test]
async fn fault_request_timeout_is_timeout_and_ambiguous_for_post() {
    let mut slow = answer(200);
    slow.delay = Duration::from_secs(5);
    let fake = Fake::start(Vec::new()).await;
    fake.fallback(slow);
    let client = client_for(
        &fake.base_url,
        fast(3).with_max_elapsed(Duration::from_secs(1)),
        Some(Duration::from_millis(100)),
    );
    let started = Instant::now();
    let e = err(client.send::<Value>(post()).await);
    assert!(matches!(e, Error::Timeout { .. }), "{e:?}");
    assert!(e.is_ambiguous());
    assert!(e.to_string().contains("POST http://"), "{e}");
    assert!(started.elapsed() < Duration::from_millis(1000));
    assert_eq!(
        fake.seen(),
        vec!["POST"],
        "a timed-out POST is not repeated"
    );

    // A GET is retried after a timeout, until the retries run out.
    let started = Instant::now();
    let e = err(client.send::<Value>(get()).await);
    assert!(matches!(e, Error::Timeout { .. }), "{e:?}");
    assert!(started.elapsed() < Duration::from_millis(1000));
    assert_eq!(fake.seen().iter().filter(|m| *m == "GET").count(), 4);
}

#[tokio::test]
async fn fault_deadline_bounds_the_total_time() {
    // Always 503, many retries: the deadline (300 ms) ends it with the last 503 (or a
    // timeout, when a slow retry attempt straddles the deadline).
    let fake = Fake::start(Vec::new()).await;
    fake.fallback(answer(503));
    let policy = RetryPolicy::new(
        1000,
        Duration::from_millis(20),
        Duration::from_millis(20),
        Duration::from_millis(300),
    );
    let started = Instant::now();
    let e = err(fake.client(policy).send::<Value>(get()).await);
    let elapsed = started.elapsed();
    assert!(
        e.status() == Some(503) || matches!(e, Error::Timeout { .. }),
        "{e:?}"
    );
    assert!(elapsed < Duration::from_millis(1500), "{elapsed:?}");
    assert!(elapsed >= Duration::from_millis(200), "{elapsed:?}");
    let n = fake.seen().len();
    assert!((5..=30).contains(&n), "{n} attempts");

    // A Retry-After beyond the deadline is not waited for.
    let mut throttled = answer(429);
    throttled.headers.push(("retry-after", "30".into()));
    let fake = Fake::start(vec![throttled]).await;
    let started = Instant::now();
    let e = err(fake
        .client(fast(3).with_max_elapsed(Duration::from_secs(2)))
        .send::<Value>(get())
        .await);
    assert_eq!(e.status(), Some(429));
    assert_eq!(
        e.as_api_error().and_then(|a| a.retry_after()),
        Some(Duration::from_secs(30))
    );
    assert!(started.elapsed() < Duration::from_secs(2));

    // Retries of a slow server are cut at the deadline.
    let mut slow = answer(200);
    slow.delay = Duration::from_secs(5);
    let fake = Fake::start(vec![answer(503)]).await;
    fake.fallback(slow);
    let started = Instant::now();
    let e = err(fake
        .client(fast(3).with_max_elapsed(Duration::from_millis(300)))
        .send::<Value>(get())
        .await);
    assert!(matches!(e, Error::Timeout { .. }), "{e:?}");
    assert!(e.to_string().contains("deadline"), "{e}");
    assert!(started.elapsed() < Duration::from_millis(2500));
}

#[tokio::test]
async fn fault_cancellation_stops_backoff() {
    let mut throttled = answer(429);
    throttled.headers.push(("retry-after", "1".into()));
    let fake = Fake::start(vec![throttled]).await;
    let client = fake.client(fast(3));
    let started = Instant::now();
    let cancel = tokio::time::sleep(Duration::from_millis(100));
    let r: atlas_admin_sdk::Result<Value> =
        with_cancellation("creating project p", cancel, client.send(post())).await;
    match r {
        Err(Error::Cancelled { operation }) => assert_eq!(operation, "creating project p"),
        other => panic!("expected cancellation, got {other:?}"),
    }
    assert!(started.elapsed() < Duration::from_millis(900));
    // The pending retry died with the future.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(fake.seen(), vec!["POST"]);
}
