//! Service accounts (OAuth 2.0 client credentials) against a fake token endpoint written
//! independently of the SDK: the token request, caching across clones and concurrent callers,
//! refresh on expiry, refresh + one retry on 401, revocation and errors (secrecy: `oauth_logs.rs`).

mod oauth_fake;

use std::time::Duration;

use atlas_admin_sdk::Client;
use oauth_fake::*;

#[tokio::test]
async fn oauth_token_request_is_well_formed_and_used_as_bearer() {
    let fake = Fake::start(3600).await;
    let client = fake.client();
    get_project(&client).await;
    get_project(&client.clone()).await;
    let s = fake.state();
    assert_eq!(
        s.token_calls.len(),
        1,
        "one token for both calls and clones"
    );
    let t = &s.token_calls[0];
    assert_eq!(t.authorization, expected_basic());
    assert_eq!(t.content_type, "application/x-www-form-urlencoded");
    assert_eq!(t.accept, "application/json");
    assert_eq!(t.body, "grant_type=client_credentials");
    assert_eq!(s.api_calls, vec!["tok-1", "tok-1"]);
}

#[tokio::test]
async fn oauth_token_fetched_once_for_concurrent_requests() {
    let fake = Fake::start(3600).await;
    fake.state().token_delay = Duration::from_millis(100);
    let client = fake.client();
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.projects().get(GROUP).await })
        })
        .collect();
    for t in tasks {
        t.await
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let s = fake.state();
    assert_eq!(s.token_calls.len(), 1);
    assert_eq!(s.api_calls.len(), 16);
    assert!(
        s.api_calls.iter().all(|t| t == "tok-1"),
        "{:?}",
        s.api_calls
    );
}

#[tokio::test]
async fn oauth_token_refreshed_when_expired() {
    // Refreshed when less than 10 % of the lifetime (0.2 s) is left, i.e. after 1.8 s.
    let fake = Fake::start(2).await;
    let client = fake.client();
    get_project(&client).await;
    get_project(&client).await;
    assert_eq!(fake.state().token_calls.len(), 1, "still fresh");
    tokio::time::sleep(Duration::from_millis(1850)).await;
    get_project(&client).await;
    let s = fake.state();
    assert_eq!(s.token_calls.len(), 2);
    assert_eq!(s.api_calls, vec!["tok-1", "tok-1", "tok-2"]);
}

#[tokio::test]
async fn oauth_401_refreshes_once_and_retries() {
    let fake = Fake::start(3600).await;
    let client = fake.client();
    get_project(&client).await;
    fake.state().reject_next_api_call = true;
    get_project(&client).await;
    {
        let s = fake.state();
        assert_eq!(s.token_calls.len(), 2);
        assert_eq!(s.api_calls, vec!["tok-1", "tok-1", "tok-2"]);
    }
    // A POST rejected with 401 was not processed: it is re-sent once with the new token.
    fake.state().reject_next_api_call = true;
    let created = client
        .projects()
        .create(atlas_admin_sdk::models::CreateProject::new("p", GROUP))
        .await;
    assert!(created.is_ok(), "{created:?}");
    assert_eq!(fake.state().api_calls.len(), 5);

    // A server that rejects every token: one refresh, one retry, then the 401.
    let fake = Fake::start(0).await; // tokens expire at once server-side
    let client = fake.client();
    let e = client
        .projects()
        .get(GROUP)
        .await
        .err()
        .unwrap_or_else(|| panic!("expected 401"));
    assert!(e.is_unauthorized(), "{e:?}");
    assert!(!e.is_ambiguous());
    let s = fake.state();
    assert_eq!(s.api_calls.len(), 2, "{:?}", s.api_calls);
    assert_eq!(s.token_calls.len(), 2);
}

#[tokio::test]
async fn oauth_revoke_sends_the_form_and_forgets_the_token() {
    let fake = Fake::start(3600).await;
    let client = fake.client();
    // Nothing to revoke yet: no request.
    client
        .revoke_token()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(fake.state().revoke_calls.is_empty());

    get_project(&client).await;
    client
        .revoke_token()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    {
        let s = fake.state();
        assert_eq!(s.revoke_calls.len(), 1);
        let r = &s.revoke_calls[0];
        assert_eq!(r.authorization, expected_basic());
        assert_eq!(r.content_type, "application/x-www-form-urlencoded");
        assert_eq!(r.body, "token=tok-1&token_type_hint=access_token");
        assert!(s.revoked.contains("tok-1"));
    }
    // Revoking twice is a no-op; the next call fetches a new token.
    client
        .revoke_token()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    get_project(&client).await;
    {
        let s = fake.state();
        assert_eq!(s.revoke_calls.len(), 1);
        assert_eq!(s.api_calls, vec!["tok-1", "tok-2"]);
    }

    // Non-service-account clients: revoke is a no-op.
    let digest = Client::builder()
        .base_url(&fake.base_url)
        .digest_auth("abcdefgh", "k")
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(digest.revoke_token().await.is_ok());
}

#[tokio::test]
async fn oauth_bad_credentials_fail_clearly_without_calling_the_api() {
    let fake = Fake::start(3600).await;
    let client = fake.client_with("mdb_sa_sk_WRONG-secret");
    let e = client
        .projects()
        .get(GROUP)
        .await
        .err()
        .unwrap_or_else(|| panic!("expected an error"));
    assert!(e.is_unauthorized(), "{e:?}");
    assert_eq!(
        e.error_code(),
        Some(atlas_admin_sdk::codes::OAUTH_INVALID_CLIENT)
    );
    let msg = e.to_string();
    assert!(
        msg.contains(&format!(
            "service account authentication failed at {}/api/oauth/token",
            fake.base_url
        )),
        "{msg}"
    );
    assert!(msg.contains("Invalid client credentials"), "{msg}");
    assert!(!format!("{msg} {e:?}").contains("WRONG-secret"));
    let s = fake.state();
    assert!(s.api_calls.is_empty());
    assert_eq!(
        s.token_calls.len(),
        1,
        "a 401 from the token endpoint is final"
    );
}

#[tokio::test]
async fn oauth_token_endpoint_faults_are_retried_even_for_writes() {
    let fake = Fake::start(3600).await;
    fake.state().token_faults.extend([503, 429]);
    let client = fake.client();
    // The token fetch failed before the POST was sent, so the POST may be attempted again.
    let created = client
        .projects()
        .create(atlas_admin_sdk::models::CreateProject::new("p", GROUP))
        .await;
    assert!(created.is_ok(), "{created:?}");
    let s = fake.state();
    assert_eq!(s.token_calls.len(), 3);
    assert_eq!(s.api_calls, vec!["tok-1"]);
}
