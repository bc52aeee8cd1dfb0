//! Database users against the in-process sandbox.

mod common;

use atlas_admin_sdk::models::{DatabaseUser, DatabaseUserRole, Label, UserScope};
use atlas_admin_sdk::{ApiVersion, ListOptions, Request};
use common::{client, err, ok, project, sandbox};

const PASSWORD: &str = "Zt7-kQ2r-VbN9-xW4m";

fn scram(username: &str) -> DatabaseUser {
    DatabaseUser {
        username: Some(username.to_owned()),
        database_name: Some("admin".into()),
        password: Some(PASSWORD.to_owned()),
        roles: Some(vec![DatabaseUserRole::new("readWrite", "orders")]),
        ..Default::default()
    }
}

#[tokio::test]
async fn database_users_create_get_list_update_delete() {
    let sb = sandbox().await;
    let c = client(&sb);
    let gid = project(&c, &sb, "sdk-users").await;
    let users = c.database_users();

    let created = ok(users
        .create(
            &gid,
            &DatabaseUser {
                labels: Some(vec![Label::new("owner", "payments")]),
                description: Some("app user".into()),
                ..scram("app")
            },
        )
        .await);
    assert_eq!(created.username.as_deref(), Some("app"));
    assert_eq!(created.database_name.as_deref(), Some("admin"));
    assert_eq!(created.password, None, "password must not be returned");
    assert_eq!(
        created.roles,
        Some(vec![DatabaseUserRole::new("readWrite", "orders")])
    );
    assert_eq!(created.labels, Some(vec![Label::new("owner", "payments")]));

    let got = ok(users.get(&gid, "admin", "app").await);
    assert_eq!(got.password, None);
    assert_eq!(got.description.as_deref(), Some("app user"));

    ok(users.create(&gid, &scram("second")).await);
    let page = ok(users.list(&gid, ListOptions::new().items_per_page(1)).await);
    assert_eq!(page.results.len(), 1);
    assert_eq!(page.total_count, Some(2));
    let all = ok(users.list_all(&gid).await);
    assert_eq!(all.len(), 2);
    assert!(all.iter().all(|u| u.password.is_none()));

    // Minimal PATCH: new roles and scopes only.
    let patch = DatabaseUser {
        roles: Some(vec![
            DatabaseUserRole::new("read", "orders"),
            DatabaseUserRole::new("read", "audit").collection("events"),
        ]),
        scopes: Some(vec![UserScope::new("c1", "CLUSTER")]),
        ..Default::default()
    };
    let updated = ok(users.update(&gid, "admin", "app", &patch).await);
    assert_eq!(updated.roles.as_ref().map(Vec::len), Some(2));
    assert_eq!(updated.scopes, Some(vec![UserScope::new("c1", "CLUSTER")]));
    assert_eq!(updated.description.as_deref(), Some("app user"));
    assert_eq!(updated.password, None);

    // Password change: accepted, still never echoed.
    let pw = DatabaseUser {
        password: Some("An0ther-Str0ng-Passw0rd".into()),
        ..Default::default()
    };
    let after_pw = ok(users.update(&gid, "admin", "app", &pw).await);
    assert_eq!(after_pw.password, None);

    ok(users.delete(&gid, "admin", "app").await);
    assert!(ok(users.get_opt(&gid, "admin", "app").await).is_none());
    let e = err(users.get(&gid, "admin", "app").await);
    assert!(e.is_not_found(), "{e}");
    assert_eq!(
        e.error_code(),
        Some(atlas_admin_sdk::codes::USERNAME_NOT_FOUND)
    );
    let e = err(users.delete(&gid, "admin", "app").await);
    assert!(e.is_not_found(), "{e}");
}

#[tokio::test]
async fn database_users_passwords_never_in_raw_responses() {
    let sb = sandbox().await;
    let c = client(&sb);
    let gid = project(&c, &sb, "sdk-users-pw").await;
    let users = c.database_users();
    ok(users.create(&gid, &scram("secretive")).await);

    for path in [
        format!("/groups/{gid}/databaseUsers"),
        format!("/groups/{gid}/databaseUsers/admin/secretive"),
    ] {
        let raw = ok(c
            .send_raw(Request::get(path.clone(), ApiVersion::V2023_01_01))
            .await);
        let body = String::from_utf8_lossy(&raw.body);
        assert!(!body.contains(PASSWORD), "{path}: {body}");
        assert!(!body.contains("\"password\""), "{path}: {body}");
    }
}

#[tokio::test]
async fn database_users_path_encoding_of_external_and_special_usernames() {
    let sb = sandbox().await;
    let c = client(&sb);
    let gid = project(&c, &sb, "sdk-users-enc").await;
    let users = c.database_users();
    let role = vec![DatabaseUserRole::new("readAnyDatabase", "admin")];
    let cases = [
        DatabaseUser {
            username: Some("CN=Dylan Bloggs,OU=Sales,DC=example,DC=com".into()),
            database_name: Some("$external".into()),
            x509_type: Some("CUSTOMER".into()),
            roles: Some(role.clone()),
            ..Default::default()
        },
        DatabaseUser {
            username: Some("arn:aws:iam::123456789012:role/app/reader".into()),
            database_name: Some("$external".into()),
            aws_iam_type: Some("ROLE".into()),
            roles: Some(role.clone()),
            ..Default::default()
        },
        DatabaseUser {
            username: Some("5dd7496c7a3e5a648454341c/svc@corp".into()),
            database_name: Some("$external".into()),
            oidc_auth_type: Some("USER".into()),
            roles: Some(role.clone()),
            ..Default::default()
        },
        DatabaseUser {
            username: Some("bob@example.com".into()),
            password: Some(PASSWORD.into()),
            database_name: Some("admin".into()),
            roles: Some(role.clone()),
            ..Default::default()
        },
    ];
    for user in &cases {
        let name = user.username.clone().unwrap_or_default();
        let db = user.database_name.clone().unwrap_or_default();
        ok(users.create(&gid, user).await);
        let got = ok(users.get(&gid, &db, &name).await);
        assert_eq!(got.username.as_deref(), Some(name.as_str()));
        let patched = ok(users
            .update(
                &gid,
                &db,
                &name,
                &DatabaseUser {
                    description: Some("patched".into()),
                    ..Default::default()
                },
            )
            .await);
        assert_eq!(patched.description.as_deref(), Some("patched"), "{name}");
        ok(users.delete(&gid, &db, &name).await);
        assert!(
            ok(users.get_opt(&gid, &db, &name).await).is_none(),
            "{name}"
        );
    }
}

#[tokio::test]
async fn database_users_duplicate_and_validation_errors() {
    let sb = sandbox().await;
    let c = client(&sb);
    let gid = project(&c, &sb, "sdk-users-err").await;
    let users = c.database_users();
    ok(users.create(&gid, &scram("dup")).await);
    let e = err(users.create(&gid, &scram("dup")).await);
    assert!(e.is_conflict(), "{e}");
    assert_eq!(
        e.error_code(),
        Some(atlas_admin_sdk::codes::USER_ALREADY_EXISTS)
    );

    // A SCRAM user on $external is refused.
    let e = err(users
        .create(
            &gid,
            &DatabaseUser {
                database_name: Some("$external".into()),
                ..scram("wrongdb")
            },
        )
        .await);
    assert_eq!(e.status(), Some(400), "{e}");
    assert_eq!(
        e.error_code(),
        Some(atlas_admin_sdk::codes::DATABASE_NAME_INVALID_ADMIN)
    );

    // An error message never carries the password.
    let e = err(users
        .create(
            &gid,
            &DatabaseUser {
                password: Some("short".into()),
                ..scram("weak")
            },
        )
        .await);
    assert_eq!(e.error_code(), Some(atlas_admin_sdk::codes::WEAK_PASSWORD));
    assert!(!e.to_string().contains("short"), "{e}");
    assert!(!format!("{e:?}").contains(PASSWORD));
}
