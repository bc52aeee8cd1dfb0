//! Custom database roles against the in-process sandbox, through the generated operation
//! table and models.

mod common;

use atlas_admin_sdk::generated::models::{
    DatabaseInheritedRole, DatabasePermittedNamespaceResource, DatabasePrivilegeAction,
    UpdateCustomDBRoleUpdate, UserCustomDBRoleCreate,
};
use atlas_admin_sdk::{codes, GroupId};
use common::{client, ok, project, sandbox};

fn action(name: &str, db: &str, collection: &str) -> DatabasePrivilegeAction {
    let mut ns = DatabasePermittedNamespaceResource::default();
    ns.db = db.into();
    ns.collection = collection.into();
    let mut a = DatabasePrivilegeAction::default();
    a.action = name.into();
    a.resources = vec![ns];
    a
}

fn inherited(role: &str, db: &str) -> DatabaseInheritedRole {
    let mut r = DatabaseInheritedRole::default();
    r.role = role.into();
    r.db = db.into();
    r
}

#[tokio::test]
async fn custom_roles_create_get_list_update_delete() {
    let sb = sandbox().await;
    let c = client(&sb);
    let gid = GroupId::from(project(&c, &sb, "sdk-roles").await);
    let api = c.custom_db_roles();

    let created = ok(api
        .create(
            &gid,
            &UserCustomDBRoleCreate::new("reader").actions(vec![action("FIND", "app", "")]),
        )
        .await);
    assert_eq!(created.role_name, "reader");
    assert_eq!(created.actions, vec![action("FIND", "app", "")]);
    assert!(created.inherited_roles.is_empty());
    assert_eq!(ok(api.get(&gid, "reader").await), created);

    ok(api
        .create(
            &gid,
            &UserCustomDBRoleCreate::new("child").inherited_roles(vec![
                inherited("reader", "admin"),
                inherited("read", "logs"),
            ]),
        )
        .await);
    let names: Vec<String> = ok(api.list(&gid).await)
        .into_iter()
        .map(|r| r.role_name)
        .collect();
    assert_eq!(names, ["reader", "child"]);

    let updated = ok(api
        .update(
            &gid,
            "reader",
            &UpdateCustomDBRoleUpdate::new().actions(vec![action("INSERT", "app", "orders")]),
        )
        .await);
    assert_eq!(updated.actions, vec![action("INSERT", "app", "orders")]);

    // A duplicate name and an unknown role: the codes the provider relies on.
    let e = api
        .create(
            &gid,
            &UserCustomDBRoleCreate::new("reader").actions(vec![action("FIND", "app", "")]),
        )
        .await
        .expect_err("duplicate");
    assert_eq!(
        e.error_code(),
        Some(codes::ATLAS_CUSTOM_ROLE_NAME_ALREADY_EXISTS)
    );
    let e = api.get(&gid, "nope").await.expect_err("unknown");
    assert!(e.is_not_found(), "{e}");
    assert_eq!(e.error_code(), Some(codes::ATLAS_CUSTOM_ROLE_NOT_FOUND));
    assert_eq!(ok(api.find(&gid, "nope").await), None);

    ok(api.delete(&gid, "child").await);
    ok(api.delete(&gid, "reader").await);
    assert!(ok(api.list(&gid).await).is_empty());
    sb.shutdown().await;
}
