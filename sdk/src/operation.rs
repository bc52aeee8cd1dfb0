//! Operations as data: the generated table ([`crate::generated::operations`], one constant per
//! spec operationId) says how to call each one, and [`Client::call`] does it — no per-method
//! request building.
//!
//! ```no_run
//! # async fn example(client: atlas_admin_sdk::Client) -> atlas_admin_sdk::Result<()> {
//! use atlas_admin_sdk::generated::models::GroupMaintenanceWindow;
//! use atlas_admin_sdk::ops;
//!
//! let window: GroupMaintenanceWindow = client
//!     .call(&ops::GET_GROUP_MAINTENANCE_WINDOW, &["5f1d5c2b8a1e4c3d2b1a0f9e"])
//!     .await?;
//! # Ok(()) }
//! ```

use futures::stream::{self, Stream, StreamExt as _};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::client::{required_segment, ApiVersion, Client, Request};
use crate::pagination::{collect_all, stream_all, ListOptions, Page};
use crate::{Error, Result};

/// An HTTP method of an [`Operation`] (a `Copy` enum, so operations can be `const`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verb {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

impl Verb {
    /// The `reqwest` method.
    pub fn method(self) -> Method {
        match self {
            Verb::Get => Method::GET,
            Verb::Post => Method::POST,
            Verb::Put => Method::PUT,
            Verb::Patch => Method::PATCH,
            Verb::Delete => Method::DELETE,
        }
    }
}

/// One spec operation: how to address it and which media-type version to speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Operation {
    /// The spec's operationId (`getGroupMaintenanceWindow`).
    pub id: &'static str,
    /// HTTP method.
    pub verb: Verb,
    /// Path template below `/api/atlas/v2` (`/groups/{groupId}/maintenanceWindow`).
    pub path: &'static str,
    /// Path parameter names in template order (`["groupId"]`).
    pub path_params: &'static [&'static str],
    /// The newest dated version the spec lists (what [`Client::call`] sends).
    pub version: ApiVersion,
    /// Every dated version the spec lists, oldest first (`preview` excluded).
    pub versions: &'static [ApiVersion],
}

impl Operation {
    /// A const constructor (for the generated table).
    #[allow(clippy::too_many_arguments)]
    pub const fn new(
        id: &'static str,
        verb: Verb,
        path: &'static str,
        path_params: &'static [&'static str],
        version: ApiVersion,
        versions: &'static [ApiVersion],
    ) -> Self {
        Operation {
            id,
            verb,
            path,
            path_params,
            version,
            versions,
        }
    }

    /// The request path with `params` (in [`Self::path_params`] order) substituted, each
    /// checked non-empty and percent-encoded.
    pub fn path_with(&self, params: &[&str]) -> Result<String> {
        if params.len() != self.path_params.len() {
            return Err(Error::InvalidRequest(format!(
                "{} takes {} path parameter(s) ({}), got {}",
                self.id,
                self.path_params.len(),
                self.path_params.join(", "),
                params.len()
            )));
        }
        let mut path = self.path.to_owned();
        for (name, value) in self.path_params.iter().zip(params) {
            let placeholder = format!("{{{name}}}");
            let encoded = required_segment(name, value)?;
            path = path.replacen(&placeholder, &encoded, 1);
        }
        Ok(path)
    }

    /// A [`Request`] for this operation (newest version, no body).
    pub fn request(&self, params: &[&str]) -> Result<Request> {
        Ok(Request::new(
            self.verb.method(),
            self.path_with(params)?,
            self.version,
        ))
    }
}

impl Client {
    /// Calls `op` without a body and decodes its JSON answer.
    pub async fn call<T: DeserializeOwned>(&self, op: &Operation, params: &[&str]) -> Result<T> {
        self.send(op.request(params)?).await
    }

    /// Calls `op` with a JSON body and decodes its JSON answer.
    pub async fn call_with<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        op: &Operation,
        params: &[&str],
        body: &B,
    ) -> Result<T> {
        self.send(op.request(params)?.json(body)?).await
    }

    /// Calls `op` (with an optional JSON body) whose answer carries nothing (`{}`, empty,
    /// 204).
    pub async fn call_empty<B: Serialize + ?Sized>(
        &self,
        op: &Operation,
        params: &[&str],
        body: Option<&B>,
    ) -> Result<()> {
        let mut request = op.request(params)?;
        if let Some(body) = body {
            request = request.json(body)?;
        }
        self.send_empty(request).await
    }
}

impl Client {
    /// One page of a list operation.
    pub async fn call_page<T: DeserializeOwned>(
        &self,
        op: &Operation,
        params: &[&str],
        options: &ListOptions,
    ) -> Result<Page<T>> {
        self.send(options.apply(op.request(params)?)).await
    }

    /// Every item of a list operation, fetching every page.
    pub async fn call_all<T: DeserializeOwned>(
        &self,
        op: &Operation,
        params: &[&str],
        options: ListOptions,
    ) -> Result<Vec<T>> {
        let base = op.request(params)?;
        collect_all(options, |o| self.send(o.apply(base.clone()))).await
    }

    /// Every item of a list operation as a [`Stream`]: pages are fetched as the items are
    /// taken. A bad path parameter or a failed page is the stream's last item.
    ///
    /// ```no_run
    /// # async fn example(client: atlas_admin_sdk::Client) -> atlas_admin_sdk::Result<()> {
    /// use atlas_admin_sdk::{models::Project, ops, ListOptions};
    /// use futures::TryStreamExt as _;
    ///
    /// let projects = client.call_stream::<Project>(&ops::LIST_GROUPS, &[], ListOptions::new());
    /// futures::pin_mut!(projects);
    /// while let Some(p) = projects.try_next().await? {
    ///     println!("{}", p.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn call_stream<T: DeserializeOwned + 'static>(
        &self,
        op: &Operation,
        params: &[&str],
        options: ListOptions,
    ) -> impl Stream<Item = Result<T>> + 'static {
        match op.request(params) {
            Err(e) => stream::once(async move { Err(e) }).left_stream(),
            Ok(base) => {
                let client = self.clone();
                stream_all(options, move |o| {
                    let client = client.clone();
                    let request = o.apply(base.clone());
                    async move { client.send::<Page<T>>(request).await }
                })
                .right_stream()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OP: Operation = Operation::new(
        "getThing",
        Verb::Get,
        "/groups/{groupId}/things/{thingName}",
        &["groupId", "thingName"],
        ApiVersion::V2023_01_01,
        &[ApiVersion::V2023_01_01],
    );

    #[test]
    fn path_params_are_checked_and_encoded() {
        assert_eq!(
            OP.path_with(&["g1", "a b/c"]).unwrap_or_default(),
            "/groups/g1/things/a%20b%2Fc"
        );
        assert!(matches!(
            OP.path_with(&["g1"]),
            Err(Error::InvalidRequest(_))
        ));
        assert!(matches!(
            OP.path_with(&["g1", " "]),
            Err(Error::InvalidRequest(_))
        ));
        let r = OP.request(&["g", "t"]).map(|r| r.method);
        assert_eq!(r.ok(), Some(Method::GET));
    }
}
