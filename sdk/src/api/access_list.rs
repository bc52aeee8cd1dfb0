//! Project IP access list: `/groups/{groupId}/accessList` (reference §10.5), all 2023-01-01,
//! on the generated operation table.
//!
//! Entries are addressed by their value (IP, CIDR with `/` sent as `%2F`, or `sg-…`; see
//! [`AccessListEntry::entry_value`]). POST takes an array and answers with the whole list.
//! The record exists at once, but applying it to the clouds is asynchronous: [`AccessListApi::status`]
//! goes PENDING → ACTIVE (or FAILED), and [`AccessListApi::wait_applied`] polls it.
//! Atlas does not support concurrent POSTs to one project's list: serialise them per project.

use std::future::Future;
use std::time::Duration;

use futures::Stream;

use super::none_if_missing;
use crate::client::Client;
use crate::codes;
use crate::generated::models::NetworkPermissionEntryStatus;
use crate::generated::operations as ops;
use crate::ids::{AccessListEntryValue, GroupId};
use crate::models::{AccessListEntry, AccessListStatus};
use crate::pagination::{ListOptions, Page};
use crate::wait::{wait_for_with, Backoff, Poll};
use crate::{Error, Result};

/// `errorCode` of a missing access-list entry (also
/// [`codes::ATLAS_NETWORK_PERMISSION_ENTRY_NOT_FOUND`]).
pub use crate::codes::ATLAS_NETWORK_PERMISSION_ENTRY_NOT_FOUND;

/// Access-list operations. Get one with [`Client::access_list`].
#[derive(Debug, Clone)]
pub struct AccessListApi {
    client: Client,
    backoff: Backoff,
}

impl AccessListApi {
    pub(crate) fn new(client: Client) -> Self {
        AccessListApi {
            client,
            backoff: Backoff::default(),
        }
    }

    /// Uses `backoff` between the polls of [`Self::wait_applied`].
    pub fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// One page of the project's access list.
    ///
    /// `GET /groups/{groupId}/accessList` (listGroupAccessListEntries).
    pub async fn list(
        &self,
        project_id: impl Into<GroupId>,
        options: ListOptions,
    ) -> Result<Page<AccessListEntry>> {
        let id = project_id.into();
        self.client
            .call_page(
                &ops::LIST_GROUP_ACCESS_LIST_ENTRIES,
                &[id.as_str()],
                &options,
            )
            .await
    }

    /// The whole access list, fetching every page.
    pub async fn list_all(&self, project_id: impl Into<GroupId>) -> Result<Vec<AccessListEntry>> {
        let id = project_id.into();
        self.client
            .call_all(
                &ops::LIST_GROUP_ACCESS_LIST_ENTRIES,
                &[id.as_str()],
                ListOptions::default(),
            )
            .await
    }

    /// The whole access list as a stream: pages are fetched as the items are taken.
    pub fn stream(
        &self,
        project_id: impl Into<GroupId>,
        options: ListOptions,
    ) -> impl Stream<Item = Result<AccessListEntry>> + 'static {
        let id = project_id.into();
        self.client.call_stream(
            &ops::LIST_GROUP_ACCESS_LIST_ENTRIES,
            &[id.as_str()],
            options,
        )
    }

    /// One entry by value (`1.2.3.4`, `10.0.0.0/24`, `sg-…`).
    ///
    /// `GET /groups/{groupId}/accessList/{entryValue}` (getGroupAccessListEntry).
    pub async fn get(
        &self,
        project_id: impl Into<GroupId>,
        entry: impl Into<AccessListEntryValue>,
    ) -> Result<AccessListEntry> {
        let (id, entry) = (project_id.into(), entry.into());
        self.client
            .call(
                &ops::GET_GROUP_ACCESS_LIST_ENTRY,
                &[id.as_str(), entry.as_str()],
            )
            .await
    }

    /// One entry, or `None` if it is not on the list (404,
    /// `ATLAS_NETWORK_PERMISSION_ENTRY_NOT_FOUND`).
    pub async fn get_opt(
        &self,
        project_id: impl Into<GroupId>,
        entry: impl Into<AccessListEntryValue>,
    ) -> Result<Option<AccessListEntry>> {
        none_if_missing(
            self.get(project_id, entry).await,
            codes::ATLAS_NETWORK_PERMISSION_ENTRY_NOT_FOUND,
        )
    }

    /// Adds `entries` in one POST and returns the first page of the resulting list (the API
    /// answers with the whole list, not just the new entries).
    ///
    /// `POST /groups/{groupId}/accessList` (createGroupAccessListEntry).
    pub async fn create(
        &self,
        project_id: impl Into<GroupId>,
        entries: &[AccessListEntry],
    ) -> Result<Page<AccessListEntry>> {
        self.create_with(project_id, entries, ListOptions::default())
            .await
    }

    /// [`Self::create`] with paging options for the answer: `itemsPerPage=500` answers with
    /// the whole list (Atlas allows at most 200 entries per project).
    pub async fn create_with(
        &self,
        project_id: impl Into<GroupId>,
        entries: &[AccessListEntry],
        options: ListOptions,
    ) -> Result<Page<AccessListEntry>> {
        let id = project_id.into();
        if entries.is_empty() {
            return Err(Error::InvalidRequest(
                "at least one access list entry is required".to_owned(),
            ));
        }
        let request = options
            .apply(ops::CREATE_GROUP_ACCESS_LIST_ENTRY.request(&[id.as_str()])?)
            .json(entries)?;
        self.client.send(request).await
    }

    /// Removes an entry (a missing entry is a 404 error).
    ///
    /// `DELETE /groups/{groupId}/accessList/{entryValue}` (deleteGroupAccessListEntry), 204.
    pub async fn delete(
        &self,
        project_id: impl Into<GroupId>,
        entry: impl Into<AccessListEntryValue>,
    ) -> Result<()> {
        let (id, entry) = (project_id.into(), entry.into());
        self.client
            .call_empty::<()>(
                &ops::DELETE_GROUP_ACCESS_LIST_ENTRY,
                &[id.as_str(), entry.as_str()],
                None,
            )
            .await
    }

    /// Whether an entry is applied to the project's clusters.
    ///
    /// `GET /groups/{groupId}/accessList/{entryValue}/status` (getGroupAccessListStatus).
    pub async fn status(
        &self,
        project_id: impl Into<GroupId>,
        entry: impl Into<AccessListEntryValue>,
    ) -> Result<AccessListStatus> {
        let (id, entry) = (project_id.into(), entry.into());
        let body: NetworkPermissionEntryStatus = self
            .client
            .call(
                &ops::GET_GROUP_ACCESS_LIST_STATUS,
                &[id.as_str(), entry.as_str()],
            )
            .await?;
        Ok(AccessListStatus::from_wire(&body.status))
    }

    /// Polls [`Self::status`] until the entry is no longer PENDING and returns the final
    /// status (`Active` or `Failed`; the caller decides what `Failed` means). A 404 right after
    /// the POST counts as pending (the entry may not be visible yet); after `deadline` the
    /// wait fails with [`Error::Timeout`], and with [`Error::Cancelled`] when `cancel`
    /// completes.
    pub async fn wait_applied(
        &self,
        project_id: impl Into<GroupId>,
        entry: impl Into<AccessListEntryValue>,
        deadline: Duration,
        cancel: impl Future<Output = ()>,
    ) -> Result<AccessListStatus> {
        let (project_id, entry) = (project_id.into(), entry.into());
        let operation = format!("access list entry {entry} in project {project_id} to be applied");
        wait_for_with(&operation, deadline, &self.backoff, cancel, || async {
            match self.status(&project_id, &entry).await {
                Ok(AccessListStatus::Pending) => Ok(Poll::Pending("PENDING".to_owned())),
                Ok(AccessListStatus::Other(s)) => Ok(Poll::Pending(s)),
                Ok(done) => Ok(Poll::Ready(done)),
                Err(e) if e.is_not_found() => Ok(Poll::Pending("not visible yet".to_owned())),
                Err(e) => Err(e),
            }
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_path_encodes_cidr_slash() {
        let path = |entry: &str| {
            ops::GET_GROUP_ACCESS_LIST_ENTRY
                .path_with(&["g1", entry])
                .unwrap_or_default()
        };
        assert_eq!(path("10.0.0.0/24"), "/groups/g1/accessList/10.0.0.0%2F24");
        assert_eq!(path("sg-0123abcd"), "/groups/g1/accessList/sg-0123abcd");
    }
}
