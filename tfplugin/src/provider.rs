//! The provider itself: its configuration block, how it builds a client, and what it serves.

use crate::data_source::DynDataSource;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::resource::DynResource;
use crate::schema::Schema;
use async_trait::async_trait;
use serde::de::DeserializeOwned;
use std::sync::Mutex;

pub struct ConfigureRequest<M> {
    pub config: M,
    /// The Terraform CLI version, e.g. "1.11.4".
    pub terraform_version: String,
    warnings: Mutex<Diagnostics>,
}

impl<M> ConfigureRequest<M> {
    pub fn new(config: M, terraform_version: String) -> Self {
        ConfigureRequest {
            config,
            terraform_version,
            warnings: Mutex::new(Diagnostics::new()),
        }
    }

    pub fn warn(&self, diagnostic: Diagnostic) {
        if let Ok(mut w) = self.warnings.lock() {
            w.push(diagnostic);
        }
    }

    pub fn take_warnings(&self) -> Diagnostics {
        match self.warnings.lock() {
            Ok(mut w) => std::mem::take(&mut *w),
            Err(_) => Diagnostics::new(),
        }
    }
}

#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// What `configure` builds and every resource call receives.
    type Client: Send + Sync + 'static;
    /// The provider block's model.
    type Config: DeserializeOwned + Send + Sync + 'static;

    /// The provider's type name, e.g. `mongodbatlas` (resource names start with it).
    const TYPE_NAME: &'static str;

    fn schema(&self) -> Schema;

    /// Checks on the typed provider block (decoded leniently: unknown plain fields read as
    /// their zero value).
    fn validate_config(&self, _config: &Self::Config) -> Diagnostics {
        Diagnostics::new()
    }

    async fn configure(
        &self,
        req: &ConfigureRequest<Self::Config>,
    ) -> Result<Self::Client, Diagnostics>;

    fn resources(&self) -> Vec<Box<dyn DynResource<Self::Client>>>;

    fn data_sources(&self) -> Vec<Box<dyn DynDataSource<Self::Client>>>;
}
