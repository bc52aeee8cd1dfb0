//! Digest authentication, nonce reuse and transport failures against the sandbox.

mod common;

use atlas_admin_sdk::{Client, Error, ListOptions};
use common::{client, err, ok, sandbox, stats_requests_total};

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
    // Cold: every task may be challenged, all must succeed.
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
