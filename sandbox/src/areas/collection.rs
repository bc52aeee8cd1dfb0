//! Project-scoped collections (`/groups/{groupId}/<things>`): a `Vec` of items a project owns
//! (database users, access-list entries, clusters). An area declares where its items live and
//! the housekeeping due before every access (expired items dropped, finished transitions
//! settled) with one [`ProjectCollection`] impl; [`items_mut`] then answers the project's 404s
//! (`INVALID_GROUP_ID`, `GROUP_NOT_FOUND`) and hands out the tidied items, and [`find`] the
//! item's own 404.

use chrono::{DateTime, Utc};

use super::projects::find_project;
use super::{ProjectChildren, Store};
use crate::error::ApiError;

/// A collection of items every project has (empty when new).
pub trait ProjectCollection {
    type Item;

    /// The project's items, in creation order.
    fn of_mut(children: &mut ProjectChildren) -> &mut Vec<Self::Item>;

    /// Housekeeping before every access (default: none).
    fn tidy(_items: &mut Vec<Self::Item>, _now: DateTime<Utc>) {}
}

/// The project's items, tidied as of `now`; the project's 404 first.
pub fn items_mut<'a, C: ProjectCollection>(
    store: &'a mut Store,
    group_id: &str,
    now: DateTime<Utc>,
) -> Result<&'a mut Vec<C::Item>, ApiError> {
    find_project(store, group_id)?;
    let project = store
        .project_mut(group_id)
        .ok_or_else(|| ApiError::group_not_found(group_id))?;
    let items = C::of_mut(&mut project.children);
    C::tidy(items, now);
    Ok(items)
}

/// The position of the first item `matches` accepts, else `missing()` (the item's 404).
pub fn find<T>(
    items: &[T],
    matches: impl Fn(&T) -> bool,
    missing: impl FnOnce() -> ApiError,
) -> Result<usize, ApiError> {
    items.iter().position(matches).ok_or_else(missing)
}
