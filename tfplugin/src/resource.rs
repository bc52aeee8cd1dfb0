//! Managed resources. A resource is one type implementing [`Resource`]; the blanket
//! [`DynResource`] impl does the value conversion, planning and state rules around it.

use crate::context::Context;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::{from_model, merge_changes, to_model, to_model_lenient};
use crate::path::AttributePath;
use crate::plan::{plan, PlannedChange};
use crate::schema::Schema;
use crate::value::{decode_json, Type, Value};
use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::any::TypeId;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

pub struct CreateRequest<M> {
    /// The planned state: configuration plus defaults; computed values are null (unknown).
    pub plan: M,
    /// The configuration, including write-only values that never reach plan or state.
    pub config: M,
}

pub struct ReadRequest<M> {
    pub state: M,
    pub private: Vec<u8>,
}

pub struct UpdateRequest<M> {
    pub plan: M,
    pub prior: M,
    pub config: M,
}

pub struct DeleteRequest<M> {
    pub prior: M,
}

/// The plan as typed models, for [`Resource::plan_model`]. Each model is decoded on first
/// use; changes made to [`ModelPlan::planned`] are merged back into the planned value so that
/// only the values the hook set change (unknowns the model cannot hold stay unknown).
pub struct ModelPlan<'a, M> {
    prior_value: &'a Value,
    config_value: &'a Value,
    change: &'a mut PlannedChange,
    prior: Option<Option<M>>,
    config: Option<M>,
    planned: Option<(M, M)>,
}

impl<'a, M: DeserializeOwned + Clone> ModelPlan<'a, M> {
    fn new(prior: &'a Value, config: &'a Value, change: &'a mut PlannedChange) -> Self {
        ModelPlan {
            prior_value: prior,
            config_value: config,
            change,
            prior: None,
            config: None,
            planned: None,
        }
    }

    /// The prior state; `None` on create.
    pub fn prior(&mut self) -> Result<Option<&M>, Diagnostics> {
        if self.prior.is_none() {
            let decoded = if self.prior_value.is_null() {
                None
            } else {
                Some(to_model(self.prior_value)?)
            };
            self.prior = Some(decoded);
        }
        Ok(self.prior.as_ref().and_then(Option::as_ref))
    }

    /// Whether this plan creates the object.
    pub fn is_create(&self) -> bool {
        self.prior_value.is_null()
    }

    /// The configuration (unknown plain fields read as zero values, as in validation).
    pub fn config(&mut self) -> Result<&M, Diagnostics> {
        match &mut self.config {
            Some(config) => Ok(config),
            slot => Ok(slot.insert(to_model_lenient(self.config_value)?)),
        }
    }

    /// The planned new state, to read or change.
    pub fn planned(&mut self) -> Result<&mut M, Diagnostics> {
        let planned = &self.change.planned;
        match &mut self.planned {
            Some((_, current)) => Ok(current),
            slot => {
                let m = decode_planned::<M>(planned)?;
                Ok(&mut slot.insert((m.clone(), m)).1)
            }
        }
    }

    /// Marks `path` as forcing a replacement.
    pub fn requires_replace(&mut self, path: AttributePath) {
        if !self.change.requires_replace.contains(&path) {
            self.change.requires_replace.push(path);
        }
    }

    /// Paths already marked as forcing a replacement (by the schema's `requires_replace`).
    pub fn replacements(&self) -> &[AttributePath] {
        &self.change.requires_replace
    }

    fn finish(self, ty: &Type) -> Result<(), Diagnostics>
    where
        M: Serialize,
    {
        if let Some((original, updated)) = self.planned {
            let round_trip = from_model(&original, ty)?;
            let updated = from_model(&updated, ty)?;
            self.change.planned = merge_changes(&self.change.planned, &round_trip, &updated);
        }
        Ok(())
    }
}

/// The planned value as a model: strict first; a planned value with unknowns the model cannot
/// hold (a whole list element unknown) is read leniently, and `ModelPlan::finish` keeps every
/// wholly unknown value unknown, whatever the hook did to its zero-valued stand-in.
fn decode_planned<M: DeserializeOwned>(planned: &Value) -> Result<M, Diagnostics> {
    match to_model(planned) {
        Ok(m) => Ok(m),
        Err(_) if !planned.is_wholly_known() => to_model_lenient(planned),
        Err(e) => Err(e),
    }
}

/// A managed resource with a typed model.
#[async_trait]
pub trait Resource: Send + Sync + 'static {
    /// The configured provider's client.
    type Client: Send + Sync + 'static;
    /// The Terraform-facing state, one field per schema attribute (`Option<T>` for anything
    /// that can be null).
    type Model: Serialize + DeserializeOwned + Clone + Send + Sync + 'static;

    /// Full type name, e.g. `mongodbatlas_project`.
    const TYPE_NAME: &'static str;

    fn schema() -> Schema;

    async fn create(
        &self,
        cx: &Context<Self::Client>,
        req: CreateRequest<Self::Model>,
    ) -> Result<Self::Model, Diagnostics>;

    /// `Ok(None)` when the object no longer exists: Terraform then plans to create it again.
    async fn read(
        &self,
        cx: &Context<Self::Client>,
        req: ReadRequest<Self::Model>,
    ) -> Result<Option<Self::Model>, Diagnostics>;

    async fn update(
        &self,
        cx: &Context<Self::Client>,
        req: UpdateRequest<Self::Model>,
    ) -> Result<Self::Model, Diagnostics>;

    async fn delete(
        &self,
        cx: &Context<Self::Client>,
        req: DeleteRequest<Self::Model>,
    ) -> Result<(), Diagnostics>;

    /// Turns an import ID into a state stub that [`Resource::read`] then fills.
    async fn import(
        &self,
        _cx: &Context<Self::Client>,
        _id: &str,
    ) -> Result<Self::Model, Diagnostics> {
        Err(Diagnostic::error(
            "Import not supported",
            format!("{} cannot be imported.", Self::TYPE_NAME),
        )
        .into())
    }

    /// Checks on the typed configuration, which may still hold unknown values (decoded with [`to_model_lenient`]: use
    /// [`crate::model::Tf`] fields where unknown must be told apart). Composable checks are in
    /// [`crate::validators`].
    fn validate_model(&self, _config: &Self::Model) -> Diagnostics {
        Diagnostics::new()
    }

    /// Whether [`Resource::validate_model`] is implemented (saves decoding every config).
    const VALIDATES_MODEL: bool = false;

    /// Adjusts the generic plan through typed models (see [`ModelPlan`]).
    fn plan_model(&self, _plan: &mut ModelPlan<'_, Self::Model>) -> Result<(), Diagnostics> {
        Ok(())
    }

    /// Whether [`Resource::plan_model`] is implemented (saves decoding every plan).
    const PLANS_MODEL: bool = false;

    /// Converts stored state (JSON attributes) written by schema `version` into the current
    /// shape. The default accepts only the current version.
    fn upgrade_state(
        &self,
        version: i64,
        state: serde_json::Value,
    ) -> Result<serde_json::Value, Diagnostics> {
        let current = cached_schema::<Self>().0.version;
        if version == current {
            Ok(state)
        } else {
            Err(Diagnostic::error(
                "Unsupported state version",
                format!(
                    "{} state version {version} cannot be upgraded to {current}.",
                    Self::TYPE_NAME
                ),
            )
            .into())
        }
    }
}

/// The value-level interface the server drives; implemented for every [`Resource`].
#[async_trait]
pub trait DynResource<C>: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    fn validate(&self, config: &Value) -> Diagnostics;
    fn plan(
        &self,
        prior: &Value,
        proposed: &Value,
        config: &Value,
    ) -> Result<PlannedChange, Diagnostics>;
    async fn apply(
        &self,
        cx: &Context<C>,
        prior: &Value,
        planned: &Value,
        config: &Value,
    ) -> Result<Value, Diagnostics>;
    async fn read(
        &self,
        cx: &Context<C>,
        current: &Value,
        private: &[u8],
    ) -> Result<Value, Diagnostics>;
    async fn import(&self, cx: &Context<C>, id: &str) -> Result<Value, Diagnostics>;
    fn upgrade(&self, version: i64, raw_json: &[u8]) -> Result<Value, Diagnostics>;
}

/// `R`'s schema and its cty type, built on first use and then shared: the blanket
/// [`DynResource`] impl needs them on every RPC, and [`Resource::schema`] builds a new schema
/// each time it is called.
fn cached_schema<R: Resource + ?Sized>() -> Arc<(Schema, Type)> {
    type Cache = RwLock<HashMap<TypeId, Arc<(Schema, Type)>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let id = TypeId::of::<R>();
    if let Some(hit) = cache.read().ok().and_then(|c| c.get(&id).cloned()) {
        return hit;
    }
    let schema = R::schema();
    let ty = schema.ty();
    let entry = Arc::new((schema, ty));
    if let Ok(mut c) = cache.write() {
        c.entry(id).or_insert_with(|| entry.clone());
    }
    entry
}

/// Nulls write-only attributes: Terraform rejects them anywhere but in configuration.
fn strip_write_only(schema: &Schema, value: &mut Value) {
    if let Some(obj) = value.as_object_mut() {
        for attr in schema.block.attributes.iter().filter(|a| a.write_only) {
            obj.insert(attr.name.clone(), Value::Null);
        }
    }
}

#[async_trait]
impl<R: Resource> DynResource<R::Client> for R {
    fn type_name(&self) -> &'static str {
        R::TYPE_NAME
    }

    fn schema(&self) -> Schema {
        R::schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        let cached = cached_schema::<R>();
        let schema = &cached.0;
        for attr in &schema.block.attributes {
            if let (Some(message), Some(v)) = (&attr.deprecated, config.get_attr(&attr.name)) {
                if !v.is_null() {
                    diags.push(
                        Diagnostic::warning("Deprecated attribute", message.clone())
                            .with_path(AttributePath::root(attr.name.clone())),
                    );
                }
            }
        }
        if R::VALIDATES_MODEL {
            match to_model_lenient::<R::Model>(config) {
                Ok(model) => diags.extend(self.validate_model(&model)),
                // An unknown where the model needs a value: checked again once it is known.
                Err(_) if !config.is_wholly_known() => {}
                Err(e) => diags.extend(e),
            }
        }
        diags
    }

    fn plan(
        &self,
        prior: &Value,
        proposed: &Value,
        config: &Value,
    ) -> Result<PlannedChange, Diagnostics> {
        let cached = cached_schema::<R>();
        let mut change = plan(&cached.0.block, prior, proposed, config);
        if change.planned.is_null() {
            return Ok(change);
        }
        let mut diags = Diagnostics::new();
        if R::PLANS_MODEL {
            let mut typed = ModelPlan::new(prior, config, &mut change);
            let result = self
                .plan_model(&mut typed)
                .and_then(|()| typed.finish(&cached.1));
            if let Err(e) = result {
                diags.extend(e);
            }
        }
        diags.into_result(change)
    }

    async fn apply(
        &self,
        cx: &Context<R::Client>,
        prior: &Value,
        planned: &Value,
        config: &Value,
    ) -> Result<Value, Diagnostics> {
        let cached = cached_schema::<R>();
        let (schema, ty) = (&cached.0, &cached.1);
        if planned.is_null() {
            let prior: R::Model = to_model(prior)?;
            self.delete(cx, DeleteRequest { prior }).await?;
            return Ok(Value::Null);
        }
        let plan_model: R::Model = to_model(planned)?;
        let config_model: R::Model = to_model(config)?;
        let model = if prior.is_null() {
            self.create(
                cx,
                CreateRequest {
                    plan: plan_model,
                    config: config_model,
                },
            )
            .await?
        } else {
            self.update(
                cx,
                UpdateRequest {
                    plan: plan_model,
                    prior: to_model(prior)?,
                    config: config_model,
                },
            )
            .await?
        };
        let mut state = from_model(&model, ty)?;
        strip_write_only(schema, &mut state);
        Ok(state)
    }

    async fn read(
        &self,
        cx: &Context<R::Client>,
        current: &Value,
        private: &[u8],
    ) -> Result<Value, Diagnostics> {
        let cached = cached_schema::<R>();
        let (schema, ty) = (&cached.0, &cached.1);
        let state: R::Model = to_model(current)?;
        let read = Resource::read(
            self,
            cx,
            ReadRequest {
                state,
                private: private.to_vec(),
            },
        )
        .await?;
        match read {
            None => Ok(Value::Null),
            Some(model) => {
                let mut v = from_model(&model, ty)?;
                strip_write_only(schema, &mut v);
                Ok(v)
            }
        }
    }

    async fn import(&self, cx: &Context<R::Client>, id: &str) -> Result<Value, Diagnostics> {
        let cached = cached_schema::<R>();
        let model = Resource::import(self, cx, id).await?;
        let mut v = from_model(&model, &cached.1)?;
        strip_write_only(&cached.0, &mut v);
        Ok(v)
    }

    fn upgrade(&self, version: i64, raw_json: &[u8]) -> Result<Value, Diagnostics> {
        let cached = cached_schema::<R>();
        let (schema, ty) = (&cached.0, &cached.1);
        let json: serde_json::Value = serde_json::from_slice(raw_json).map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Stored state is not valid JSON",
                e.to_string(),
            ))
        })?;
        let upgraded = self.upgrade_state(version, json)?;
        let bytes = serde_json::to_vec(&upgraded).map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Could not re-encode state",
                e.to_string(),
            ))
        })?;
        let mut v = decode_json(&bytes, ty).map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Stored state does not match the schema",
                e.to_string(),
            ))
        })?;
        strip_write_only(schema, &mut v);
        Ok(v)
    }
}
