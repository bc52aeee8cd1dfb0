//! Data sources: read-only lookups with a typed model.

use crate::context::Context;
use crate::diagnostics::Diagnostics;
use crate::model::{from_model, to_model};
use crate::schema::Schema;
use crate::value::Value;
use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde::Serialize;

#[async_trait]
pub trait DataSource: Send + Sync + 'static {
    type Client: Send + Sync + 'static;
    type Model: Serialize + DeserializeOwned + Send + Sync + 'static;
    const TYPE_NAME: &'static str;

    fn schema() -> Schema;

    /// Reads using the configuration's arguments and returns the whole object, echoing the
    /// configured arguments.
    async fn read(
        &self,
        cx: &Context<Self::Client>,
        config: Self::Model,
    ) -> Result<Self::Model, Diagnostics>;

    fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }
}

#[async_trait]
pub trait DynDataSource<C>: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    fn validate(&self, config: &Value) -> Diagnostics;
    async fn read(&self, cx: &Context<C>, config: &Value) -> Result<Value, Diagnostics>;
}

#[async_trait]
impl<D: DataSource> DynDataSource<D::Client> for D {
    fn type_name(&self) -> &'static str {
        D::TYPE_NAME
    }

    fn schema(&self) -> Schema {
        D::schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        DataSource::validate(self, config)
    }

    async fn read(&self, cx: &Context<D::Client>, config: &Value) -> Result<Value, Diagnostics> {
        let model: D::Model = to_model(config)?;
        let out = DataSource::read(self, cx, model).await?;
        from_model(&out, &D::schema().ty())
    }
}
