//! Project IP access list: `/groups/{groupId}/accessList` (reference §10.5), all 2023-01-01.
//!
//! Entries are addressed by their value (IP, CIDR with `/` sent as `%2F`, or `sg-…`; see
//! [`AccessListEntry::entry_value`]). POST takes an array and answers with the whole list.
//! The record exists at once, but applying it to the clouds is asynchronous: [`AccessListApi::status`]
//! goes PENDING → ACTIVE (or FAILED), and [`AccessListApi::wait_applied`] polls it.
//! Atlas does not support concurrent POSTs to one project's list: serialise them per project.

use std::future::Future;
use std::time::Duration;

use super::none_if_missing;
use crate::client::{required_segment, ApiVersion, Client, Request};
use crate::models::{AccessListEntry, AccessListStatus, AccessListStatusResponse};
use crate::pagination::{collect_all, ListOptions, Page};
use crate::wait::{wait_for_with, Backoff, Poll};
use crate::{Error, Result};

/// `errorCode` of a missing access-list entry.
pub const ATLAS_NETWORK_PERMISSION_ENTRY_NOT_FOUND: &str =
    "ATLAS_NETWORK_PERMISSION_ENTRY_NOT_FOUND";

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

    fn collection(project_id: &str) -> Result<String> {
        Ok(format!(
            "/groups/{}/accessList",
            required_segment("project id", project_id)?
        ))
    }

    fn item(project_id: &str, entry: &str) -> Result<String> {
        Ok(format!(
            "{}/{}",
            Self::collection(project_id)?,
            required_segment("access list entry", entry)?
        ))
    }

    /// One page of the project's access list.
    ///
    /// `GET /groups/{groupId}/accessList` (listGroupAccessListEntries).
    pub async fn list(
        &self,
        project_id: &str,
        options: ListOptions,
    ) -> Result<Page<AccessListEntry>> {
        const VERSION: ApiVersion = ApiVersion::V2023_01_01;
        let request = options.apply(Request::get(Self::collection(project_id)?, VERSION));
        self.client.send(request).await
    }

    /// The whole access list, fetching every page.
    pub async fn list_all(&self, project_id: &str) -> Result<Vec<AccessListEntry>> {
        collect_all(ListOptions::default(), |o| self.list(project_id, o)).await
    }

    /// One entry by value (`1.2.3.4`, `10.0.0.0/24`, `sg-…`).
    ///
    /// `GET /groups/{groupId}/accessList/{entryValue}` (getGroupAccessListEntry).
    pub async fn get(&self, project_id: &str, entry: &str) -> Result<AccessListEntry> {
        const VERSION: ApiVersion = ApiVersion::V2023_01_01;
        let path = Self::item(project_id, entry)?;
        self.client.send(Request::get(path, VERSION)).await
    }

    /// One entry, or `None` if it is not on the list (404,
    /// `ATLAS_NETWORK_PERMISSION_ENTRY_NOT_FOUND`).
    pub async fn get_opt(&self, project_id: &str, entry: &str) -> Result<Option<AccessListEntry>> {
        none_if_missing(
            self.get(project_id, entry).await,
            ATLAS_NETWORK_PERMISSION_ENTRY_NOT_FOUND,
        )
    }

    /// Adds `entries` in one POST and returns the first page of the resulting list (the API
    /// answers with the whole list, not just the new entries).
    ///
    /// `POST /groups/{groupId}/accessList` (createGroupAccessListEntry).
    pub async fn create(
        &self,
        project_id: &str,
        entries: &[AccessListEntry],
    ) -> Result<Page<AccessListEntry>> {
        self.create_with(project_id, entries, ListOptions::default())
            .await
    }

    /// [`Self::create`] with paging options for the answer: `itemsPerPage=500` answers with
    /// the whole list (Atlas allows at most 200 entries per project).
    pub async fn create_with(
        &self,
        project_id: &str,
        entries: &[AccessListEntry],
        options: ListOptions,
    ) -> Result<Page<AccessListEntry>> {
        const VERSION: ApiVersion = ApiVersion::V2023_01_01;
        if entries.is_empty() {
            return Err(Error::InvalidRequest(
                "at least one access list entry is required".to_owned(),
            ));
        }
        let request = options.apply(Request::post(Self::collection(project_id)?, VERSION));
        let request = request.json(entries)?;
        self.client.send(request).await
    }

    /// Removes an entry (a missing entry is a 404 error).
    ///
    /// `DELETE /groups/{groupId}/accessList/{entryValue}` (deleteGroupAccessListEntry), 204.
    pub async fn delete(&self, project_id: &str, entry: &str) -> Result<()> {
        const VERSION: ApiVersion = ApiVersion::V2023_01_01;
        let path = Self::item(project_id, entry)?;
        self.client.send_empty(Request::delete(path, VERSION)).await
    }

    /// Whether an entry is applied to the project's clusters.
    ///
    /// `GET /groups/{groupId}/accessList/{entryValue}/status` (getGroupAccessListStatus).
    pub async fn status(&self, project_id: &str, entry: &str) -> Result<AccessListStatus> {
        const VERSION: ApiVersion = ApiVersion::V2023_01_01;
        let path = format!("{}/status", Self::item(project_id, entry)?);
        let body: AccessListStatusResponse = self.client.send(Request::get(path, VERSION)).await?;
        Ok(body.status)
    }

    /// Polls [`Self::status`] until the entry is no longer PENDING and returns the final
    /// status (`Active` or `Failed`; the caller decides what `Failed` means). A 404 right after
    /// the POST counts as pending (the entry may not be visible yet); after `deadline` the
    /// wait fails with [`Error::Timeout`], and with [`Error::Cancelled`] when `cancel`
    /// completes.
    pub async fn wait_applied(
        &self,
        project_id: &str,
        entry: &str,
        deadline: Duration,
        cancel: impl Future<Output = ()>,
    ) -> Result<AccessListStatus> {
        let operation = format!("access list entry {entry} in project {project_id} to be applied");
        wait_for_with(&operation, deadline, &self.backoff, cancel, || async {
            match self.status(project_id, entry).await {
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
    fn item_path_encodes_cidr_slash() {
        assert_eq!(
            AccessListApi::item("g1", "10.0.0.0/24").unwrap_or_default(),
            "/groups/g1/accessList/10.0.0.0%2F24"
        );
        assert_eq!(
            AccessListApi::item("g1", "sg-0123abcd").unwrap_or_default(),
            "/groups/g1/accessList/sg-0123abcd"
        );
    }
}
