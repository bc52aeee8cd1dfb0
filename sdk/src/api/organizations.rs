//! Organizations: `/orgs` (reference §10.1).

use crate::client::{required_segment, ApiVersion, Client, Request};
use crate::models::Organization;
use crate::pagination::{collect_all, ListOptions, Page};
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
        const VERSION: ApiVersion = ApiVersion::V2023_01_01;
        let request = options.apply(Request::get("/orgs", VERSION));
        self.client.send(request).await
    }

    /// All organizations, fetching every page.
    pub async fn list_all(&self) -> Result<Vec<Organization>> {
        collect_all(ListOptions::default(), |o| self.list(o)).await
    }

    /// One organization.
    ///
    /// `GET /orgs/{orgId}` (getOrg).
    pub async fn get(&self, org_id: &str) -> Result<Organization> {
        const VERSION: ApiVersion = ApiVersion::V2023_01_01;
        let path = format!("/orgs/{}", required_segment("organization id", org_id)?);
        self.client.send(Request::get(path, VERSION)).await
    }
}
