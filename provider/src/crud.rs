//! One declaration per resource: an [`AtlasResource`] says what the object is (its typed model,
//! its key and import ID, its SDK calls, its error codes, expand/flatten), and [`Crud`] and
//! [`Lookup`] make the Terraform resource and data source of it.
//!
//! What every resource then gets without code of its own:
//! * schema from the model (`#[derive(TfModel)]`), its data-source variant from the same model;
//! * create that never leaves a duplicate: after an ambiguous failure (5xx, lost answer) the
//!   object is looked up ([`AtlasResource::find_created`]) and adopted, a "duplicate" answer to a
//!   repeated POST adopts too ([`calls::create`]);
//! * read that retries transient failures and reports a 404 (or a declared not-found code)
//!   as "gone", so Terraform plans to create the object again;
//! * update (PATCH with absolute values, retried), idempotent delete (404 after a retry is
//!   success), import by the official import ID;
//! * every call cancellable by Ctrl-C, every failure a diagnostic naming what was being done.

use crate::calls;
use crate::errors::api_error;
use crate::AtlasClient;
use async_trait::async_trait;
use atlas_admin_sdk::Error;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt;
use std::marker::PhantomData;
use tfplugin::context::Context;
use tfplugin::data_source::DynDataSource;
use tfplugin::diagnostics::{Diagnostic, Diagnostics};
use tfplugin::model::{conform, data_source_block, from_model, to_model_lenient, TfObject};
use tfplugin::resource::{
    CreateRequest, DeleteRequest, DynResource, ModelPlan, ReadRequest, Resource, UpdateRequest,
};
use tfplugin::schema::Schema;
use tfplugin::value::Value;

/// An Atlas object as a Terraform resource: the whole declaration.
#[async_trait]
pub trait AtlasResource: Sized + Send + Sync + 'static {
    /// The Terraform state, one field per attribute, with the schema declared on its fields.
    type Model: TfObject + Serialize + DeserializeOwned + Clone + Send + Sync + 'static;
    /// What names the object in the API (project id, project id + name, …).
    type Key: Clone + fmt::Display + Send + Sync + 'static;
    /// The object as the SDK returns it.
    type Remote: Send + Sync + 'static;

    /// The official type name, e.g. `mongodbatlas_maintenance_window`.
    const TYPE_NAME: &'static str;
    const SCHEMA_VERSION: i64 = 0;
    /// The official import ID format, for the error on a malformed ID.
    const IMPORT_ID_FORMAT: &'static str;
    /// Error codes that mean the object already exists (a create then adopts it).
    const DUPLICATE_CODES: &'static [&'static str] = &[];
    /// Error codes that mean the object is gone, besides HTTP 404.
    const NOT_FOUND_CODES: &'static [&'static str] = &[];
    /// The singular data source's lookup arguments (`None`: no data source).
    const DATA_SOURCE_KEYS: Option<&'static [&'static str]> = None;
    /// Whether [`AtlasResource::validate`] / [`AtlasResource::plan`] are implemented.
    const VALIDATES: bool = false;
    const PLANS: bool = false;

    /// The key of the object a state (or plan) describes.
    fn key(model: &Self::Model) -> Result<Self::Key, String>;
    /// The import ID → a state stub holding the key; read then fills the rest.
    fn import_stub(id: &str) -> Option<Self::Model>;
    /// The state for `remote`; `prior` (plan or state) supplies what the API does not return.
    fn flatten(remote: &Self::Remote, prior: &Self::Model) -> Self::Model;

    /// The data source's answer: by default [`AtlasResource::flatten`] with the lookup as prior
    /// (override when `flatten` keeps what the prior leaves null).
    fn flatten_lookup(remote: &Self::Remote, query: &Self::Model) -> Self::Model {
        Self::flatten(remote, query)
    }

    async fn create(
        cx: &Context<AtlasClient>,
        plan: &Self::Model,
        config: &Self::Model,
    ) -> Result<Self::Remote, Error>;
    async fn read(cx: &Context<AtlasClient>, key: &Self::Key) -> Result<Self::Remote, Error>;
    async fn update(
        cx: &Context<AtlasClient>,
        key: &Self::Key,
        plan: &Self::Model,
        prior: &Self::Model,
        config: &Self::Model,
    ) -> Result<Self::Remote, Error>;
    async fn delete(cx: &Context<AtlasClient>, key: &Self::Key) -> Result<(), Error>;

    /// What a create is called in its messages ("creating project \"x\""). The default names
    /// the type only.
    fn describe_create(_plan: &Self::Model) -> String {
        format!("creating {}", noun::<Self>())
    }

    /// After an ambiguous create: the object the plan describes, if it exists. The default
    /// reads it by the plan's key (objects named by their configuration).
    async fn find_created(
        cx: &Context<AtlasClient>,
        plan: &Self::Model,
    ) -> Result<Option<Self::Remote>, Error> {
        match Self::key(plan) {
            Ok(key) => none_if_gone::<Self>(Self::read(cx, &key).await),
            Err(_) => Ok(None),
        }
    }

    /// Checks on the typed configuration ([`tfplugin::validators`]).
    fn validate(_config: &Self::Model) -> Diagnostics {
        Diagnostics::new()
    }

    /// Adjusts the plan through typed models.
    fn plan(_plan: &mut ModelPlan<'_, Self::Model>) -> Result<(), Diagnostics> {
        Ok(())
    }
}

/// "mongodbatlas_maintenance_window" → "maintenance window", for messages.
fn noun<T: AtlasResource>() -> String {
    T::TYPE_NAME
        .trim_start_matches("mongodbatlas_")
        .replace('_', " ")
}

fn is_gone<T: AtlasResource>(e: &Error) -> bool {
    e.is_not_found()
        || e.error_code()
            .is_some_and(|c| T::NOT_FOUND_CODES.contains(&c))
}

fn none_if_gone<T: AtlasResource>(r: Result<T::Remote, Error>) -> Result<Option<T::Remote>, Error> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) if is_gone::<T>(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

fn key_of<T: AtlasResource>(model: &T::Model) -> Result<T::Key, Diagnostics> {
    T::key(model).map_err(|e| {
        Diagnostic::error(
            format!("Incomplete {} state", noun::<T>()),
            format!("{e}. This is a bug in the provider, or the state was edited by hand."),
        )
        .into()
    })
}

/// The Terraform resource made of an [`AtlasResource`].
pub struct Crud<T>(PhantomData<fn() -> T>);

impl<T> Default for Crud<T> {
    fn default() -> Self {
        Crud(PhantomData)
    }
}

#[async_trait]
impl<T: AtlasResource> Resource for Crud<T> {
    type Client = AtlasClient;
    type Model = T::Model;
    const TYPE_NAME: &'static str = T::TYPE_NAME;
    const VALIDATES_MODEL: bool = T::VALIDATES;
    const PLANS_MODEL: bool = T::PLANS;

    fn schema() -> Schema {
        Schema::new(T::Model::block()).with_version(T::SCHEMA_VERSION)
    }

    fn validate_model(&self, config: &T::Model) -> Diagnostics {
        T::validate(config)
    }

    fn plan_model(&self, plan: &mut ModelPlan<'_, T::Model>) -> Result<(), Diagnostics> {
        T::plan(plan)
    }

    async fn create(
        &self,
        cx: &Context<AtlasClient>,
        req: CreateRequest<T::Model>,
    ) -> Result<T::Model, Diagnostics> {
        let (plan, config) = (&req.plan, &req.config);
        let what = T::describe_create(plan);
        let remote = calls::create(
            cx,
            &what,
            || T::create(cx, plan, config),
            || T::find_created(cx, plan),
            |e| {
                e.error_code()
                    .is_some_and(|c| T::DUPLICATE_CODES.contains(&c))
            },
        )
        .await?
        .into_inner();
        Ok(T::flatten(&remote, plan))
    }

    async fn read(
        &self,
        cx: &Context<AtlasClient>,
        req: ReadRequest<T::Model>,
    ) -> Result<Option<T::Model>, Diagnostics> {
        let key = key_of::<T>(&req.state)?;
        let what = format!("reading {} {key}", noun::<T>());
        let remote = calls::retry(cx, &what, || async {
            none_if_gone::<T>(T::read(cx, &key).await)
        })
        .await
        .map_err(|e| Diagnostics::from(api_error(cx.client(), &what, &e)))?;
        Ok(remote.map(|r| T::flatten(&r, &req.state)))
    }

    async fn update(
        &self,
        cx: &Context<AtlasClient>,
        req: UpdateRequest<T::Model>,
    ) -> Result<T::Model, Diagnostics> {
        let key = key_of::<T>(&req.prior)?;
        let what = format!("updating {} {key}", noun::<T>());
        // Updates carry absolute values, so repeating one after an ambiguous failure is safe.
        let remote = calls::read(cx, &what, || {
            T::update(cx, &key, &req.plan, &req.prior, &req.config)
        })
        .await?;
        Ok(T::flatten(&remote, &req.plan))
    }

    async fn delete(
        &self,
        cx: &Context<AtlasClient>,
        req: DeleteRequest<T::Model>,
    ) -> Result<(), Diagnostics> {
        let key = key_of::<T>(&req.prior)?;
        let what = format!("deleting {} {key}", noun::<T>());
        calls::delete(cx, &what, is_gone::<T>, || T::delete(cx, &key)).await
    }

    async fn import(&self, _cx: &Context<AtlasClient>, id: &str) -> Result<T::Model, Diagnostics> {
        T::import_stub(id).ok_or_else(|| {
            Diagnostic::error(
                "Invalid import ID",
                format!(
                    "{} imports by `{}`, got {id:?}.",
                    T::TYPE_NAME,
                    T::IMPORT_ID_FORMAT
                ),
            )
            .into()
        })
    }
}

/// The singular data source of an [`AtlasResource`]: its schema is the resource's with every
/// attribute computed but the lookup keys ([`data_source_block`]).
pub struct Lookup<T>(PhantomData<fn() -> T>);

impl<T> Default for Lookup<T> {
    fn default() -> Self {
        Lookup(PhantomData)
    }
}

impl<T: AtlasResource> Lookup<T> {
    fn keys() -> &'static [&'static str] {
        T::DATA_SOURCE_KEYS.unwrap_or(&[])
    }
}

#[async_trait]
impl<T: AtlasResource> DynDataSource<AtlasClient> for Lookup<T> {
    fn type_name(&self) -> &'static str {
        T::TYPE_NAME
    }

    fn schema(&self) -> Schema {
        Schema::new(data_source_block(&T::Model::block(), Self::keys()))
    }

    fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    async fn read(&self, cx: &Context<AtlasClient>, config: &Value) -> Result<Value, Diagnostics> {
        let resource_ty = T::Model::block().ty();
        // Lenient: the attributes a data source computes are null in its configuration.
        let query: T::Model = to_model_lenient(&conform(config, &resource_ty))?;
        let key = key_of::<T>(&query)?;
        let what = format!("reading {} {key}", noun::<T>());
        let remote = calls::read(cx, &what, || T::read(cx, &key)).await?;
        let state = from_model(&T::flatten_lookup(&remote, &query), &resource_ty)?;
        Ok(conform(&state, &self.schema().ty()))
    }
}

/// Everything one declaration contributes to the provider.
#[derive(Default)]
pub struct Registry {
    pub resources: Vec<Box<dyn DynResource<AtlasClient>>>,
    pub data_sources: Vec<Box<dyn DynDataSource<AtlasClient>>>,
}

impl Registry {
    /// The resource of `T`, and its data source when it declares lookup keys.
    pub fn declare<T: AtlasResource>(&mut self) {
        self.resources.push(Box::new(Crud::<T>::default()));
        if T::DATA_SOURCE_KEYS.is_some() {
            self.data_sources.push(Box::new(Lookup::<T>::default()));
        }
    }
}
