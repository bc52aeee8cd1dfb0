//! Clusters: `/groups/{groupId}/clusters` and their process arguments (reference §10.3), on
//! the generated operation table.
//!
//! Versions are each operation's newest in the spec, as the official provider uses them:
//! POST/PATCH 2024-10-23, GET/list 2024-08-05 (same `ClusterDescription20240805` schema),
//! DELETE 2023-02-01, processArgs 2024-08-05. Creates, updates and deletes are asynchronous: the answer comes at once with
//! `stateName` CREATING / UPDATING (DELETE: 202 `{}`); [`ClustersApi::wait_idle`] and
//! [`ClustersApi::wait_deleted`] poll until the change is done.

use std::future::Future;
use std::time::Duration;

use futures::Stream;

use super::none_if_missing;
use crate::client::Client;
use crate::codes;
use crate::generated::operations as ops;
use crate::ids::{ClusterName, GroupId};
use crate::models::{Cluster, ProcessArgs, CLUSTER_STATE_IDLE};
use crate::pagination::{ListOptions, Page};
use crate::wait::{wait_for_with, Backoff, Poll};
use crate::Result;

/// `errorCode` of a missing cluster (also [`codes::CLUSTER_NOT_FOUND`]).
pub use crate::codes::CLUSTER_NOT_FOUND;

/// Cluster operations. Get one with [`Client::clusters`].
#[derive(Debug, Clone)]
pub struct ClustersApi {
    client: Client,
    backoff: Backoff,
}

impl ClustersApi {
    pub(crate) fn new(client: Client) -> Self {
        ClustersApi {
            client,
            backoff: Backoff::default(),
        }
    }

    /// Uses `backoff` between the polls of [`Self::wait_idle`] / [`Self::wait_deleted`].
    pub fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// One page of the project's clusters.
    ///
    /// `GET /groups/{groupId}/clusters` (listGroupClusters).
    pub async fn list(
        &self,
        project_id: impl Into<GroupId>,
        options: ListOptions,
    ) -> Result<Page<Cluster>> {
        let id = project_id.into();
        self.client
            .call_page(&ops::LIST_GROUP_CLUSTERS, &[id.as_str()], &options)
            .await
    }

    /// All the project's clusters, fetching every page.
    pub async fn list_all(&self, project_id: impl Into<GroupId>) -> Result<Vec<Cluster>> {
        let id = project_id.into();
        self.client
            .call_all(
                &ops::LIST_GROUP_CLUSTERS,
                &[id.as_str()],
                ListOptions::default(),
            )
            .await
    }

    /// All the project's clusters as a stream: pages are fetched as the items are taken.
    pub fn stream(
        &self,
        project_id: impl Into<GroupId>,
        options: ListOptions,
    ) -> impl Stream<Item = Result<Cluster>> + 'static {
        let id = project_id.into();
        self.client
            .call_stream(&ops::LIST_GROUP_CLUSTERS, &[id.as_str()], options)
    }

    /// A cluster by name.
    ///
    /// `GET /groups/{groupId}/clusters/{clusterName}` (getGroupCluster).
    pub async fn get(
        &self,
        project_id: impl Into<GroupId>,
        name: impl Into<ClusterName>,
    ) -> Result<Cluster> {
        let (id, name) = (project_id.into(), name.into());
        self.client
            .call(&ops::GET_GROUP_CLUSTER, &[id.as_str(), name.as_str()])
            .await
    }

    /// A cluster by name, or `None` if it does not exist (404, `CLUSTER_NOT_FOUND`; also a
    /// 404 for a missing project).
    pub async fn get_opt(
        &self,
        project_id: impl Into<GroupId>,
        name: impl Into<ClusterName>,
    ) -> Result<Option<Cluster>> {
        none_if_missing(self.get(project_id, name).await, codes::CLUSTER_NOT_FOUND)
    }

    /// Creates a cluster; the answer has `stateName: CREATING` (then [`Self::wait_idle`]).
    /// The body is `cluster` as is: every `Some` field is sent.
    ///
    /// `POST /groups/{groupId}/clusters` (createGroupCluster), 201.
    pub async fn create(
        &self,
        project_id: impl Into<GroupId>,
        cluster: &Cluster,
    ) -> Result<Cluster> {
        let id = project_id.into();
        self.client
            .call_with(&ops::CREATE_GROUP_CLUSTER, &[id.as_str()], cluster)
            .await
    }

    /// Updates a cluster with a minimal PATCH: only the `Some` fields of `update` are sent
    /// (build it with `Cluster { paused: Some(true), ..Default::default() }`). Echo the `id`
    /// of existing replication specs when changing the topology.
    ///
    /// `PATCH /groups/{groupId}/clusters/{clusterName}` (updateGroupCluster).
    pub async fn update(
        &self,
        project_id: impl Into<GroupId>,
        name: impl Into<ClusterName>,
        update: &Cluster,
    ) -> Result<Cluster> {
        let (id, name) = (project_id.into(), name.into());
        self.client
            .call_with(
                &ops::UPDATE_GROUP_CLUSTER,
                &[id.as_str(), name.as_str()],
                update,
            )
            .await
    }

    /// Starts deleting a cluster (202; then [`Self::wait_deleted`]). A missing cluster is a
    /// 404 error: callers that treat it as success check [`crate::Error::is_not_found`].
    ///
    /// `DELETE /groups/{groupId}/clusters/{clusterName}` (deleteGroupCluster),
    /// `?retainBackups=`.
    pub async fn delete(
        &self,
        project_id: impl Into<GroupId>,
        name: impl Into<ClusterName>,
        retain_backups: Option<bool>,
    ) -> Result<()> {
        let (id, name) = (project_id.into(), name.into());
        let request = ops::DELETE_GROUP_CLUSTER
            .request(&[id.as_str(), name.as_str()])?
            .query_opt("retainBackups", retain_backups);
        self.client.send_empty(request).await
    }

    /// The cluster's process arguments (unset ones are `None`).
    ///
    /// `GET /groups/{groupId}/clusters/{clusterName}/processArgs` (getGroupClusterProcessArgs).
    pub async fn get_process_args(
        &self,
        project_id: impl Into<GroupId>,
        name: impl Into<ClusterName>,
    ) -> Result<ProcessArgs> {
        let (id, name) = (project_id.into(), name.into());
        self.client
            .call(
                &ops::GET_GROUP_CLUSTER_PROCESS_ARGS,
                &[id.as_str(), name.as_str()],
            )
            .await
    }

    /// Updates process arguments; only the `Some` fields are sent.
    ///
    /// `PATCH /groups/{groupId}/clusters/{clusterName}/processArgs`
    /// (updateGroupClusterProcessArgs).
    pub async fn update_process_args(
        &self,
        project_id: impl Into<GroupId>,
        name: impl Into<ClusterName>,
        args: &ProcessArgs,
    ) -> Result<ProcessArgs> {
        let (id, name) = (project_id.into(), name.into());
        self.client
            .call_with(
                &ops::UPDATE_GROUP_CLUSTER_PROCESS_ARGS,
                &[id.as_str(), name.as_str()],
                args,
            )
            .await
    }

    /// Polls the cluster until `stateName` is `IDLE` and returns it. Fails with
    /// [`crate::Error::Timeout`] after `deadline` (naming the last state),
    /// [`crate::Error::Cancelled`] when `cancel` completes, or the error of a poll that is not
    /// retryable (a 404 if the cluster disappears). See [`crate::wait::wait_for_with`].
    pub async fn wait_idle(
        &self,
        project_id: impl Into<GroupId>,
        name: impl Into<ClusterName>,
        deadline: Duration,
        cancel: impl Future<Output = ()>,
    ) -> Result<Cluster> {
        let (project_id, name) = (project_id.into(), name.into());
        let operation = format!(
            "cluster {:?} in project {project_id} to become IDLE",
            name.as_str()
        );
        wait_for_with(&operation, deadline, &self.backoff, cancel, || async {
            let cluster = self.get(&project_id, &name).await?;
            Ok(
                if cluster.state_name.as_deref() == Some(CLUSTER_STATE_IDLE) {
                    Poll::Ready(cluster)
                } else {
                    Poll::Pending(state_of(&cluster))
                },
            )
        })
        .await
    }

    /// Polls the cluster until it is gone (404). Same failure modes as [`Self::wait_idle`].
    pub async fn wait_deleted(
        &self,
        project_id: impl Into<GroupId>,
        name: impl Into<ClusterName>,
        deadline: Duration,
        cancel: impl Future<Output = ()>,
    ) -> Result<()> {
        let (project_id, name) = (project_id.into(), name.into());
        let operation = format!(
            "cluster {:?} in project {project_id} to be deleted",
            name.as_str()
        );
        wait_for_with(&operation, deadline, &self.backoff, cancel, || async {
            Ok(match self.get_opt(&project_id, &name).await? {
                None => Poll::Ready(()),
                Some(cluster) => Poll::Pending(state_of(&cluster)),
            })
        })
        .await
    }
}

fn state_of(cluster: &Cluster) -> String {
    cluster
        .state_name
        .clone()
        .unwrap_or_else(|| "(no stateName)".to_owned())
}
