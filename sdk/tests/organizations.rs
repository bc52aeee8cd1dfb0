//! Organizations against the in-process sandbox.

mod common;

use atlas_admin_sdk::ListOptions;
use common::{client, err, ok, sandbox};

#[tokio::test]
async fn organizations_list_and_get() {
    let sb = sandbox().await;
    let orgs = client(&sb).organizations();
    let page = ok(orgs.list(ListOptions::default()).await);
    assert!(page.results.iter().any(|o| o.id == sb.org_id), "{page:?}");
    assert!(page.total_count.unwrap_or(0) >= 1);

    let all = ok(orgs.list_all().await);
    assert_eq!(all.len(), page.results.len());

    let org = ok(orgs.get(&sb.org_id).await);
    assert_eq!(org.id, sb.org_id);
    assert!(!org.name.is_empty());
}

#[tokio::test]
async fn organizations_get_unknown_is_not_found() {
    let sb = sandbox().await;
    let e = err(client(&sb)
        .organizations()
        .get("111111111111111111111111")
        .await);
    assert!(e.is_not_found(), "{e:?}");
}
