//! Digest authentication, nonce reuse and transport failures against the sandbox.

mod common;

use std::sync::Arc;
use std::time::Duration;

use atlas_admin_sdk::{with_cancellation, Client, Error, ListOptions, RetryPolicy};
use atlas_sandbox::SandboxHandle;
use common::{client, err, ok, sandbox, stats_requests_total};
use tokio::sync::{oneshot, Notify};

#[tokio::test]
async fn auth_n_sequential_requests_cost_n_plus_one() {
    let sb = sandbox().await;
    let c = client(&sb);
    const N: u64 = 10;
    let before = sb.requests_total();
    for _ in 0..N {
        ok(c.organizations().get(&sb.org_id).await);
    }
    assert_eq!(
        sb.requests_total() - before,
        N + 1,
        "one challenge in total"
    );

    // The same seen through the control plane (the two stats calls count themselves once).
    let s1 = stats_requests_total(&sb).await;
    for _ in 0..N {
        ok(c.projects().list(ListOptions::default()).await);
    }
    let s2 = stats_requests_total(&sb).await;
    assert_eq!(
        s2 - s1,
        N + 1,
        "warm client: one request each (+1 stats call)"
    );
}

#[tokio::test]
async fn auth_concurrent_requests_work() {
    let sb = sandbox().await;
    let c = client(&sb);
    // Cold: one task fetches the challenge, the others wait for it; all must succeed.
    let cold: Vec<_> = (0..8)
        .map(|_| {
            let c = c.clone();
            let org = sb.org_id.clone();
            tokio::spawn(async move { c.organizations().get(&org).await })
        })
        .collect();
    for t in cold {
        ok(t.await.unwrap_or_else(|e| panic!("{e}")));
    }
    // Warm: one round trip each, unique nonce counts.
    let before = sb.requests_total();
    let warm: Vec<_> = (0..16)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move { c.projects().list(ListOptions::default()).await })
        })
        .collect();
    for t in warm {
        ok(t.await.unwrap_or_else(|e| panic!("{e}")));
    }
    assert_eq!(sb.requests_total() - before, 16);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn auth_n_concurrent_first_calls_cost_n_plus_one() {
    // A Terraform refresh: N calls start at once on a fresh client. One of them fetches the
    // digest challenge; the others wait for it and send with the shared nonce.
    const N: u64 = 10;
    let sb = sandbox().await;
    let c = client(&sb);
    let s1 = stats_requests_total(&sb).await;
    let before = sb.requests_total();
    let barrier = Arc::new(tokio::sync::Barrier::new(N as usize));
    let tasks: Vec<_> = (0..N)
        .map(|i| {
            let c = c.clone();
            let org = sb.org_id.clone();
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                if i % 2 == 0 {
                    c.organizations().get(&org).await.map(|_| ())
                } else {
                    c.projects().list(ListOptions::default()).await.map(|_| ())
                }
            })
        })
        .collect();
    for t in tasks {
        ok(t.await.unwrap_or_else(|e| panic!("{e}")));
    }
    assert_eq!(
        sb.requests_total() - before,
        N + 1,
        "one challenge shared by all concurrent first calls"
    );
    let s2 = stats_requests_total(&sb).await;
    assert_eq!(
        s2 - s1,
        N + 1 + 1,
        "seen through GET /_sandbox/stats (+1: the first stats call)"
    );
}

/// A TCP proxy to the sandbox whose first connection swallows its request (no answer; the
/// socket stays open until the client drops it); later connections are forwarded. Returns
/// the base URL and a `Notify` signalled once the swallowed request has arrived.
async fn proxy_holding_first_request(sb: &SandboxHandle) -> (String, Arc<Notify>) {
    use tokio::io::AsyncReadExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    let upstream = sb.local_addr;
    let held = Arc::new(Notify::new());
    let signal = held.clone();
    tokio::spawn(async move {
        let mut first = true;
        while let Ok((mut sock, _)) = listener.accept().await {
            if std::mem::take(&mut first) {
                let signal = signal.clone();
                tokio::spawn(async move {
                    let mut buf = [0u8; 4096];
                    let mut signalled = false;
                    while let Ok(n) = sock.read(&mut buf).await {
                        if n == 0 {
                            break;
                        }
                        if !std::mem::replace(&mut signalled, true) {
                            signal.notify_one();
                        }
                    }
                });
            } else {
                tokio::spawn(async move {
                    if let Ok(mut up) = tokio::net::TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut sock, &mut up).await;
                    }
                });
            }
        }
    });
    (format!("http://{addr}"), held)
}

fn client_via(sb: &SandboxHandle, base_url: &str, timeout: Option<Duration>) -> Client {
    let mut b = Client::builder()
        .base_url(base_url)
        .digest_auth(&sb.public_key, &sb.private_key)
        .retry_policy(RetryPolicy::disabled());
    if let Some(t) = timeout {
        b = b.timeout(t);
    }
    b.build().unwrap_or_else(|e| panic!("client: {e}"))
}

async fn arrived(held: &Notify) {
    if tokio::time::timeout(Duration::from_secs(10), held.notified())
        .await
        .is_err()
    {
        panic!("the first request never reached the proxy");
    }
}

#[tokio::test]
async fn auth_first_challenge_waiter_proceeds_when_leader_is_cancelled() {
    let sb = sandbox().await;
    let (base, held) = proxy_holding_first_request(&sb).await;
    let c = client_via(&sb, &base, None);
    let before = sb.requests_total();

    // The leader's unauthenticated request hangs in the proxy.
    let (cancel, cancelled) = oneshot::channel::<()>();
    let leader = tokio::spawn({
        let c = c.clone();
        let org = sb.org_id.clone();
        async move {
            let stop = async move {
                let _ = cancelled.await;
            };
            with_cancellation("leader", stop, c.organizations().get(&org)).await
        }
    });
    arrived(&held).await;

    // A concurrent first call waits for the leader's challenge instead of sending.
    let waiter = tokio::spawn({
        let c = c.clone();
        let org = sb.org_id.clone();
        async move { c.organizations().get(&org).await }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!waiter.is_finished(), "the waiter waits for the leader");
    assert_eq!(
        sb.requests_total() - before,
        0,
        "nothing reached the sandbox"
    );

    // Cancelling the leader (dropping its future) hands the fetch to the waiter.
    let _ = cancel.send(());
    let e = err(leader.await.unwrap_or_else(|e| panic!("{e}")));
    assert!(matches!(e, Error::Cancelled { .. }), "{e:?}");
    let org = match tokio::time::timeout(Duration::from_secs(10), waiter).await {
        Ok(joined) => ok(joined.unwrap_or_else(|e| panic!("{e}"))),
        Err(_) => panic!("the waiter hangs after the leader was cancelled"),
    };
    assert_eq!(org.id, sb.org_id);
    assert_eq!(
        sb.requests_total() - before,
        2,
        "the waiter fetched its own challenge, then answered it"
    );
}

#[tokio::test]
async fn auth_first_challenge_waiter_proceeds_when_leader_times_out() {
    let sb = sandbox().await;
    let (base, held) = proxy_holding_first_request(&sb).await;
    // The leader times out after 1 s; the waiter, started 600 ms later, would give up
    // waiting at 1.6 s: the leader's failure releases it first.
    let c = client_via(&sb, &base, Some(Duration::from_secs(1)));
    let leader = tokio::spawn({
        let c = c.clone();
        let org = sb.org_id.clone();
        async move { c.organizations().get(&org).await }
    });
    arrived(&held).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    let before = sb.requests_total();
    let waiter = tokio::spawn({
        let c = c.clone();
        let org = sb.org_id.clone();
        async move { c.organizations().get(&org).await }
    });
    let e = err(leader.await.unwrap_or_else(|e| panic!("{e}")));
    assert!(matches!(e, Error::Timeout { .. }), "{e:?}");
    let org = ok(waiter.await.unwrap_or_else(|e| panic!("{e}")));
    assert_eq!(org.id, sb.org_id);
    assert_eq!(sb.requests_total() - before, 2, "challenge + answer");
}

#[tokio::test]
async fn auth_wrong_private_key_is_unauthorized() {
    let sb = sandbox().await;
    let c = Client::builder()
        .base_url(&sb.base_url)
        .digest_auth(&sb.public_key, "00000000-0000-0000-0000-000000000000")
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let e = err(c.organizations().list(ListOptions::default()).await);
    assert!(e.is_unauthorized(), "{e:?}");
    assert_eq!(e.status(), Some(401));
    let msg = e.to_string();
    assert!(msg.starts_with("authentication failed (401"), "{msg}");
    assert!(!msg.contains(&sb.private_key));
}

#[tokio::test]
async fn auth_unknown_public_key_is_unauthorized() {
    let sb = sandbox().await;
    let c = Client::builder()
        .base_url(&sb.base_url)
        .digest_auth("zzzzzzzz", &sb.private_key)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let e = err(c.projects().list(ListOptions::default()).await);
    assert!(e.is_unauthorized(), "{e:?}");
}

#[tokio::test]
async fn auth_no_credentials_is_unauthorized() {
    let sb = sandbox().await;
    let c = Client::builder()
        .base_url(&sb.base_url)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let e = err(c.projects().list(ListOptions::default()).await);
    assert!(e.is_unauthorized(), "{e:?}");
}

#[tokio::test]
async fn auth_unreachable_base_url_is_transport_error_naming_url() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
        l.local_addr().unwrap_or_else(|e| panic!("{e}")).port()
    };
    let base = format!("http://127.0.0.1:{port}");
    let c = Client::builder()
        .base_url(&base)
        .digest_auth("abcdefgh", "secret-private-key")
        .retry_policy(atlas_admin_sdk::RetryPolicy::disabled())
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let e = err(c.projects().get("6a79f2c2d21a0d4a1ac2b3c4").await);
    assert!(matches!(e, Error::Transport { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(msg.contains(&base), "{msg}");
    assert!(!msg.contains("secret-private-key"), "{msg}");
    assert!(!format!("{e:?}").contains("secret-private-key"));
}
