//! Data sources: read-only lookups with a typed model.

use crate::context::Context;
use crate::diagnostics::Diagnostics;
use crate::model::{from_model, to_model, to_model_lenient};
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

    /// Checks on the typed configuration (decoded leniently, as for resources: use
    /// [`crate::model::Tf`] fields where unknown must be told apart).
    fn validate_model(&self, _config: &Self::Model) -> Diagnostics {
        Diagnostics::new()
    }

    /// Whether [`DataSource::validate_model`] is implemented (saves decoding every config).
    const VALIDATES_MODEL: bool = false;
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
        if !D::VALIDATES_MODEL {
            return Diagnostics::new();
        }
        match to_model_lenient::<D::Model>(config) {
            Ok(model) => self.validate_model(&model),
            // An unknown where the model needs a value: checked again once it is known.
            Err(_) if !config.is_wholly_known() => Diagnostics::new(),
            Err(e) => e,
        }
    }

    async fn read(&self, cx: &Context<D::Client>, config: &Value) -> Result<Value, Diagnostics> {
        let model: D::Model = to_model(config)?;
        let out = DataSource::read(self, cx, model).await?;
        from_model(&out, &D::schema().ty())
    }
}
