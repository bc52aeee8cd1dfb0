//! One handler per API area, reached from [`crate::Client`] (`client.projects()`).
//!
//! Each method documents its operation (`GET /groups/{groupId}`, operationId) and pins the
//! media-type version it speaks right next to the code that builds the request.

pub mod organizations;
pub mod projects;
