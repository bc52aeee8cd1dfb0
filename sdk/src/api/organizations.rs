//! Organizations: `/orgs` (reference §10.1), on the generated operation table.

use futures::Stream;

use crate::client::Client;
use crate::generated::operations as ops;
use crate::ids::OrgId;
use crate::models::Organization;
use crate::pagination::{ListOptions, Page};
use crate::Result;

/// Organization operations. Get one with [`Client::organizations`].
#[derive(Debug, Clone)]
pub struct OrganizationsApi {
    client: Client,
}

impl OrganizationsApi {
    pub(crate) fn new(client: Client) -> Self {
        OrganizationsApi { client }
    }

    /// One page of the organizations the caller can see.
    ///
    /// `GET /orgs` (listOrgs).
    pub async fn list(&self, options: ListOptions) -> Result<Page<Organization>> {
        self.client.call_page(&ops::LIST_ORGS, &[], &options).await
    }

    /// All organizations, fetching every page.
    pub async fn list_all(&self) -> Result<Vec<Organization>> {
        self.client
            .call_all(&ops::LIST_ORGS, &[], ListOptions::default())
            .await
    }

    /// All organizations as a stream: pages are fetched as the items are taken.
    pub fn stream(
        &self,
        options: ListOptions,
    ) -> impl Stream<Item = Result<Organization>> + 'static {
        self.client.call_stream(&ops::LIST_ORGS, &[], options)
    }

    /// One organization.
    ///
    /// `GET /orgs/{orgId}` (getOrg).
    pub async fn get(&self, org_id: impl Into<OrgId>) -> Result<Organization> {
        let id = org_id.into();
        self.client.call(&ops::GET_ORG, &[id.as_str()]).await
    }
}
