//! Service accounts against the in-process sandbox's OAuth endpoints.

mod common;

use std::time::Duration;

use atlas_admin_sdk::models::CreateProject;
use atlas_admin_sdk::{Client, ListOptions};
use common::{err, ok, sandbox_with};

const CLIENT_ID: &str = "mdb_sa_id_0123456789abcdef01234567";
const CLIENT_SECRET: &str = "mdb_sa_sk_sandbox-secret-0001";

async fn sandbox(ttl_seconds: f64) -> atlas_sandbox::SandboxHandle {
    sandbox_with(atlas_sandbox::Config {
        client_id: Some(CLIENT_ID.to_owned()),
        client_secret: Some(CLIENT_SECRET.to_owned()),
        oauth_token_ttl_seconds: ttl_seconds,
        ..atlas_sandbox::Config::for_tests()
    })
    .await
}

fn sa_client(sb: &atlas_sandbox::SandboxHandle, secret: &str) -> Client {
    Client::builder()
        .base_url(&sb.base_url)
        .service_account(CLIENT_ID, secret)
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"))
}

#[tokio::test]
async fn sandbox_oauth_service_account_crud_and_revoke() {
    let sb = sandbox(3600.0).await;
    let client = sa_client(&sb, CLIENT_SECRET);
    let p = ok(client
        .projects()
        .create(CreateProject::new("sa-project", &sb.org_id))
        .await);
    assert_eq!(ok(client.projects().get(&p.id).await).name, "sa-project");
    let page = ok(client.projects().list(ListOptions::default()).await);
    assert!(page.results.iter().any(|x| x.id == p.id));

    // Revoked at "exit"; a later call transparently fetches a new token.
    ok(client.revoke_token().await);
    ok(client.revoke_token().await);
    assert_eq!(ok(client.projects().get(&p.id).await).id, p.id);
    ok(client.revoke_token().await);
}

#[tokio::test]
async fn sandbox_oauth_short_lived_tokens_are_refreshed() {
    let sb = sandbox(1.0).await;
    let client = sa_client(&sb, CLIENT_SECRET);
    ok(client.organizations().get(&sb.org_id).await);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    ok(client.organizations().get(&sb.org_id).await);
}

#[tokio::test]
async fn sandbox_oauth_wrong_secret_fails_clearly() {
    let sb = sandbox(3600.0).await;
    let e = err(sa_client(&sb, "mdb_sa_sk_wrong-secret")
        .organizations()
        .get(&sb.org_id)
        .await);
    let msg = e.to_string();
    assert!(
        msg.contains(&format!(
            "service account authentication failed at {}/api/oauth/token",
            sb.base_url
        )),
        "{msg}"
    );
    assert!(e.is_unauthorized(), "{e:?}");
    assert!(!format!("{msg} {e:?}").contains("wrong-secret"));
}
