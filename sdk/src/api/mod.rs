//! One handler per API area, reached from [`crate::Client`] (`client.projects()`).
//!
//! Each method documents its operation (`GET /groups/{groupId}`, operationId) and calls it
//! through the generated operation table ([`crate::ops`]: path, method, media-type version)
//! with [`crate::Client::call`] and friends; ids are newtypes ([`crate::ids`]) that `&str`
//! and `String` convert into. Only what the table cannot say is written here: query
//! parameters, not-found codes ([`crate::codes`]) and waits.

pub mod access_list;
pub mod clusters;
pub mod custom_db_roles;
pub mod database_users;
pub mod maintenance_window;
pub mod organizations;
pub mod projects;

use crate::Result;

/// `Ok(None)` for a 404 (or the area's not-found `code` on another status), the value or the
/// error otherwise.
pub(crate) fn none_if_missing<T>(result: Result<T>, code: &str) -> Result<Option<T>> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.is_not_found() || e.error_code() == Some(code) => Ok(None),
        Err(e) => Err(e),
    }
}
