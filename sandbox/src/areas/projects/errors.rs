//! Projects: the error codes this area answers (same envelope as every other, see
//! [`crate::error`]).

use axum::http::StatusCode;
use serde_json::json;

use crate::error::ApiError;

impl ApiError {
    pub fn group_not_found(group_id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "GROUP_NOT_FOUND",
            format!("No group with ID {group_id} exists."),
            vec![json!(group_id)],
        )
    }

    pub fn group_name_not_found(name: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "GROUP_NAME_NOT_FOUND",
            format!("No group with name \"{name}\" exists."),
            vec![json!(name)],
        )
    }

    pub fn invalid_group_id(group_id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "INVALID_GROUP_ID",
            format!("An invalid group ID {group_id} was specified."),
            vec![json!(group_id)],
        )
    }

    pub fn group_already_exists(name: &str) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "GROUP_ALREADY_EXISTS",
            format!("A group with name \"{name}\" already exists."),
            vec![json!(name)],
        )
    }

    pub fn invalid_group_name(name: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_GROUP_NAME",
            format!("Group name \"{name}\" is invalid. Names are 1 to 64 characters: letters, digits, spaces (not first or last), and - _ . ( ) , : & @ + '."),
            vec![json!(name)],
        )
    }

    pub fn invalid_group_name_10gen(name: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_GROUP_NAME_10GEN",
            format!(
                "Group name \"{name}\" is invalid: it cannot contain \"10gen-\" or \"-10gen\"."
            ),
            vec![json!(name)],
        )
    }

    /// Reserved for the clusters area: a project that still owns clusters cannot be deleted.
    #[allow(dead_code)]
    pub fn cannot_close_group_active_atlas_clusters() -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "CANNOT_CLOSE_GROUP_ACTIVE_ATLAS_CLUSTERS",
            "There are active clusters in this project. Please terminate all clusters before closing the project.",
            vec![],
        )
    }

    /// `POST /groups` without `ORG_OWNER`/`ORG_GROUP_CREATOR` in the body's organization.
    pub fn not_org_group_creator(org_id: &str) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "NOT_ORG_GROUP_CREATOR",
            format!(
                "The current user does not have the project creator role in organization {org_id}."
            ),
            vec![json!(org_id)],
        )
    }
}
