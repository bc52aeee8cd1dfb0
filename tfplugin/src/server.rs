//! The `tfplugin6.Provider` gRPC service: decode → framework → encode, one method per RPC.
//!
//! Every user-facing failure is a diagnostic; a gRPC error status is reserved for a broken
//! protocol. Each RPC runs behind a guard that turns a panic into an error diagnostic, so a bug
//! never kills the user's terraform run.

use crate::context::Context;
use crate::data_source::DynDataSource;
use crate::diagnostics::{Diagnostic, Diagnostics, Severity};
use crate::model::to_model;
use crate::path::{AttributePath, PathStep};
use crate::proto::tfplugin6 as pb;
use crate::provider::{ConfigureRequest, Provider};
use crate::resource::DynResource;
use crate::schema::{Attribute, AttributeKind, Block, BlockNesting, ObjectNesting, Schema};
use crate::value::{decode_json, decode_msgpack, encode_msgpack, Type, Value};
use futures::FutureExt;
use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, RwLock};
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

/// Serves a [`Provider`] over the plugin protocol.
pub struct ProviderService<P: Provider> {
    inner: Arc<Inner<P>>,
}

/// A registered resource with its schema, computed once at start.
type ResourceEntry<C> = (Box<dyn DynResource<C>>, CachedSchema);
/// A registered data source with its schema.
type DataSourceEntry<C> = (Box<dyn DynDataSource<C>>, CachedSchema);

/// A schema and its cty type, both computed once at start rather than on every RPC.
struct CachedSchema {
    schema: Schema,
    ty: Type,
}

impl CachedSchema {
    fn new(schema: Schema) -> Self {
        let ty = schema.ty();
        CachedSchema { schema, ty }
    }

    /// The cached [`Schema::ty`].
    fn ty(&self) -> &Type {
        &self.ty
    }
}

impl std::ops::Deref for CachedSchema {
    type Target = Schema;
    fn deref(&self) -> &Schema {
        &self.schema
    }
}

struct Inner<P: Provider> {
    provider: P,
    provider_schema: Schema,
    resources: BTreeMap<&'static str, ResourceEntry<P::Client>>,
    data_sources: BTreeMap<&'static str, DataSourceEntry<P::Client>>,
    schema_response: pb::get_provider_schema::Response,
    client: RwLock<Option<P::Client>>,
    stop: Mutex<CancellationToken>,
}

impl<P: Provider> ProviderService<P>
where
    P::Client: Clone,
{
    pub fn new(provider: P) -> Self {
        let provider_schema = provider.schema();
        let resources: BTreeMap<_, _> = provider
            .resources()
            .into_iter()
            .map(|r| {
                let schema = CachedSchema::new(r.schema());
                (r.type_name(), (r, schema))
            })
            .collect();
        let data_sources: BTreeMap<_, _> = provider
            .data_sources()
            .into_iter()
            .map(|d| {
                let schema = CachedSchema::new(d.schema());
                (d.type_name(), (d, schema))
            })
            .collect();
        let schema_response = pb::get_provider_schema::Response {
            provider: Some(schema_to_proto(&provider_schema)),
            resource_schemas: resources
                .iter()
                .map(|(name, (_, s))| (name.to_string(), schema_to_proto(s)))
                .collect(),
            data_source_schemas: data_sources
                .iter()
                .map(|(name, (_, s))| (name.to_string(), schema_to_proto(s)))
                .collect(),
            functions: HashMap::new(),
            ephemeral_resource_schemas: HashMap::new(),
            diagnostics: Vec::new(),
            provider_meta: None,
            server_capabilities: Some(capabilities()),
        };
        ProviderService {
            inner: Arc::new(Inner {
                provider,
                provider_schema,
                resources,
                data_sources,
                schema_response,
                client: RwLock::new(None),
                stop: Mutex::new(CancellationToken::new()),
            }),
        }
    }
}

fn capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: true,
        get_provider_schema_optional: true,
        move_resource_state: false,
    }
}

// ---------------------------------------------------------------------------------------------
// Conversions

fn string_kind_plain() -> i32 {
    pb::StringKind::Plain as i32
}

fn attribute_to_proto(a: &Attribute) -> pb::schema::Attribute {
    let (ty, nested) = match &a.kind {
        AttributeKind::Type(t) => (t.to_json_bytes(), None),
        AttributeKind::Nested(n) => (
            Vec::new(),
            Some(pb::schema::Object {
                attributes: n.attributes.iter().map(attribute_to_proto).collect(),
                nesting: match n.nesting {
                    ObjectNesting::Single => pb::schema::object::NestingMode::Single,
                    ObjectNesting::List => pb::schema::object::NestingMode::List,
                    ObjectNesting::Set => pb::schema::object::NestingMode::Set,
                    ObjectNesting::Map => pb::schema::object::NestingMode::Map,
                } as i32,
                ..Default::default()
            }),
        ),
    };
    pb::schema::Attribute {
        name: a.name.clone(),
        r#type: ty,
        nested_type: nested,
        description: a.description.clone(),
        required: a.required,
        optional: a.optional,
        computed: a.computed,
        sensitive: a.sensitive,
        description_kind: string_kind_plain(),
        deprecated: a.deprecated.is_some(),
        write_only: a.write_only,
    }
}

fn block_to_proto(b: &Block) -> pb::schema::Block {
    pb::schema::Block {
        version: 0,
        attributes: b.attributes.iter().map(attribute_to_proto).collect(),
        block_types: b
            .blocks
            .iter()
            .map(|nb| pb::schema::NestedBlock {
                type_name: nb.type_name.clone(),
                block: Some(block_to_proto(&nb.block)),
                nesting: match nb.nesting {
                    BlockNesting::Single => pb::schema::nested_block::NestingMode::Single,
                    BlockNesting::List => pb::schema::nested_block::NestingMode::List,
                    BlockNesting::Set => pb::schema::nested_block::NestingMode::Set,
                    BlockNesting::Map => pb::schema::nested_block::NestingMode::Map,
                    BlockNesting::Group => pb::schema::nested_block::NestingMode::Group,
                } as i32,
                min_items: nb.min_items,
                max_items: nb.max_items,
            })
            .collect(),
        description: b.description.clone(),
        description_kind: string_kind_plain(),
        deprecated: b.deprecated,
    }
}

/// Converts a schema to its protocol form.
pub fn schema_to_proto(s: &Schema) -> pb::Schema {
    pb::Schema {
        version: s.version,
        block: Some(block_to_proto(&s.block)),
    }
}

fn path_to_proto(p: &AttributePath) -> pb::AttributePath {
    use pb::attribute_path::step::Selector;
    pb::AttributePath {
        steps: p
            .steps()
            .iter()
            .map(|s| pb::attribute_path::Step {
                selector: Some(match s {
                    PathStep::Attr(n) => Selector::AttributeName(n.clone()),
                    PathStep::Key(k) => Selector::ElementKeyString(k.clone()),
                    PathStep::Index(i) => Selector::ElementKeyInt(*i),
                }),
            })
            .collect(),
    }
}

fn diags_to_proto(d: Diagnostics) -> Vec<pb::Diagnostic> {
    d.into_iter()
        .map(|d| pb::Diagnostic {
            severity: match d.severity {
                Severity::Error => pb::diagnostic::Severity::Error,
                Severity::Warning => pb::diagnostic::Severity::Warning,
            } as i32,
            summary: d.summary,
            detail: d.detail,
            attribute: d.path.as_ref().map(path_to_proto),
        })
        .collect()
}

fn decode(dv: Option<&pb::DynamicValue>, ty: &Type) -> Result<Value, Diagnostics> {
    let Some(dv) = dv else {
        return Ok(Value::Null);
    };
    let result = if !dv.msgpack.is_empty() {
        decode_msgpack(&dv.msgpack, ty)
    } else if !dv.json.is_empty() {
        decode_json(&dv.json, ty)
    } else {
        return Ok(Value::Null);
    };
    result.map_err(|e| {
        Diagnostic::error(
            "Terraform sent a value the provider cannot decode",
            e.to_string(),
        )
        .into()
    })
}

fn encode(v: &Value, ty: &Type) -> Result<pb::DynamicValue, Diagnostics> {
    encode_msgpack(v, ty)
        .map(|msgpack| pb::DynamicValue {
            msgpack,
            json: Vec::new(),
        })
        .map_err(|e| {
            Diagnostic::error(
                "The provider produced a value it cannot encode",
                format!("{e}. This is a bug in the provider."),
            )
            .into()
        })
}

/// Runs one RPC body; a panic inside becomes an error diagnostic instead of killing the process.
async fn guarded<F>(rpc: &'static str, body: F) -> Diagnostics
where
    F: Future<Output = Diagnostics>,
{
    match AssertUnwindSafe(body).catch_unwind().await {
        Ok(d) => d,
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            tracing::error!(tf_rpc = rpc, "provider panicked: {message}");
            Diagnostic::error(
                "The provider failed unexpectedly",
                format!(
                    "{rpc} panicked: {message}. This is a bug in the provider; please report it."
                ),
            )
            .into()
        }
    }
}

/// The body of the Validate*Config RPCs: decodes `config` at the type of whatever `found`
/// names and hands it to `validate`; an unknown type name or an undecodable value is the
/// diagnostic instead. Panic-guarded like every RPC.
async fn validate_config<T: ?Sized>(
    rpc: &'static str,
    found: Result<(&T, &Type), Diagnostics>,
    config: Option<&pb::DynamicValue>,
    validate: impl FnOnce(&T, &Value) -> Diagnostics,
) -> Diagnostics {
    guarded(rpc, async {
        let (target, ty) = match found {
            Ok(found) => found,
            Err(d) => return d,
        };
        match decode(config, ty) {
            Ok(config) => validate(target, &config),
            Err(d) => d,
        }
    })
    .await
}

fn collect<T>(diags: &mut Diagnostics, r: Result<T, Diagnostics>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(d) => {
            diags.extend(d);
            None
        }
    }
}

impl<P: Provider> Inner<P>
where
    P::Client: Clone,
{
    fn resource(&self, name: &str) -> Result<&ResourceEntry<P::Client>, Diagnostics> {
        self.resources.get(name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown resource type",
                format!("This provider has no resource type {name:?}."),
            )
            .into()
        })
    }

    fn data_source(&self, name: &str) -> Result<&DataSourceEntry<P::Client>, Diagnostics> {
        self.data_sources.get(name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown data source type",
                format!("This provider has no data source type {name:?}."),
            )
            .into()
        })
    }

    fn context(&self) -> Result<Context<P::Client>, Diagnostics> {
        let client = self
            .client
            .read()
            .ok()
            .and_then(|c| c.clone())
            .ok_or_else(|| {
                Diagnostics::from(Diagnostic::error(
                    "Provider not configured",
                    "Terraform called the provider before configuring it. This is a bug in the provider or in Terraform.",
                ))
            })?;
        let cancel = self
            .stop
            .lock()
            .map(|t| t.clone())
            .unwrap_or_else(|_| CancellationToken::new());
        Ok(Context::new(client, cancel))
    }
}

type RpcResult<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl<P: Provider> pb::provider_server::Provider for ProviderService<P>
where
    P::Client: Clone,
{
    async fn get_metadata(
        &self,
        _request: Request<pb::get_metadata::Request>,
    ) -> RpcResult<pb::get_metadata::Response> {
        let inner = &self.inner;
        Ok(Response::new(pb::get_metadata::Response {
            server_capabilities: Some(capabilities()),
            diagnostics: Vec::new(),
            data_sources: inner
                .data_sources
                .keys()
                .map(|n| pb::get_metadata::DataSourceMetadata {
                    type_name: n.to_string(),
                })
                .collect(),
            resources: inner
                .resources
                .keys()
                .map(|n| pb::get_metadata::ResourceMetadata {
                    type_name: n.to_string(),
                })
                .collect(),
            functions: Vec::new(),
            ephemeral_resources: Vec::new(),
        }))
    }

    async fn get_provider_schema(
        &self,
        _request: Request<pb::get_provider_schema::Request>,
    ) -> RpcResult<pb::get_provider_schema::Response> {
        Ok(Response::new(self.inner.schema_response.clone()))
    }

    async fn validate_provider_config(
        &self,
        request: Request<pb::validate_provider_config::Request>,
    ) -> RpcResult<pb::validate_provider_config::Response> {
        let req = request.into_inner();
        let inner = &self.inner;
        let ty = inner.provider_schema.ty();
        let diags = validate_config(
            "ValidateProviderConfig",
            Ok((&inner.provider, &ty)),
            req.config.as_ref(),
            |p, config| match crate::model::to_model_lenient::<P::Config>(config) {
                Ok(config) => p.validate_config(&config),
                Err(_) if !config.is_wholly_known() => Diagnostics::new(),
                Err(e) => e,
            },
        )
        .await;
        Ok(Response::new(pb::validate_provider_config::Response {
            diagnostics: diags_to_proto(diags),
        }))
    }

    async fn validate_resource_config(
        &self,
        request: Request<pb::validate_resource_config::Request>,
    ) -> RpcResult<pb::validate_resource_config::Response> {
        let req = request.into_inner();
        let inner = &self.inner;
        let diags = validate_config(
            "ValidateResourceConfig",
            inner
                .resource(&req.type_name)
                .map(|(res, schema)| (res.as_ref(), schema.ty())),
            req.config.as_ref(),
            |res, config| res.validate(config),
        )
        .await;
        Ok(Response::new(pb::validate_resource_config::Response {
            diagnostics: diags_to_proto(diags),
        }))
    }

    async fn validate_data_resource_config(
        &self,
        request: Request<pb::validate_data_resource_config::Request>,
    ) -> RpcResult<pb::validate_data_resource_config::Response> {
        let req = request.into_inner();
        let inner = &self.inner;
        let diags = validate_config(
            "ValidateDataResourceConfig",
            inner
                .data_source(&req.type_name)
                .map(|(ds, schema)| (ds.as_ref(), schema.ty())),
            req.config.as_ref(),
            |ds, config| ds.validate(config),
        )
        .await;
        Ok(Response::new(pb::validate_data_resource_config::Response {
            diagnostics: diags_to_proto(diags),
        }))
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> RpcResult<pb::upgrade_resource_state::Response> {
        let req = request.into_inner();
        let inner = &self.inner;
        let mut upgraded = None;
        let diags = guarded("UpgradeResourceState", async {
            let mut diags = Diagnostics::new();
            let Some((res, schema)) = collect(&mut diags, inner.resource(&req.type_name)) else {
                return diags;
            };
            let raw = req.raw_state.unwrap_or_default();
            if raw.json.is_empty() {
                if !raw.flatmap.is_empty() {
                    diags.push(Diagnostic::error(
                        "Unsupported state format",
                        "This state was written by Terraform 0.11 or earlier (flatmap); upgrade it with an older provider first.",
                    ));
                }
                return diags;
            }
            let Some(value) = collect(&mut diags, res.upgrade(req.version, &raw.json)) else {
                return diags;
            };
            upgraded = collect(&mut diags, encode(&value, schema.ty()));
            diags
        })
        .await;
        Ok(Response::new(pb::upgrade_resource_state::Response {
            upgraded_state: upgraded,
            diagnostics: diags_to_proto(diags),
        }))
    }

    async fn configure_provider(
        &self,
        request: Request<pb::configure_provider::Request>,
    ) -> RpcResult<pb::configure_provider::Response> {
        let req = request.into_inner();
        let inner = &self.inner;
        let diags = guarded("ConfigureProvider", async {
            let mut diags = Diagnostics::new();
            let Some(config) = collect(
                &mut diags,
                decode(req.config.as_ref(), &inner.provider_schema.ty()),
            ) else {
                return diags;
            };
            let Some(model) = collect(&mut diags, to_model::<P::Config>(&config)) else {
                return diags;
            };
            let creq = ConfigureRequest::new(model, req.terraform_version.clone());
            let result = inner.provider.configure(&creq).await;
            diags.extend(creq.take_warnings());
            if let Some(client) = collect(&mut diags, result) {
                if let Ok(mut slot) = inner.client.write() {
                    *slot = Some(client);
                }
            }
            diags
        })
        .await;
        Ok(Response::new(pb::configure_provider::Response {
            diagnostics: diags_to_proto(diags),
        }))
    }

    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> RpcResult<pb::read_resource::Response> {
        let req = request.into_inner();
        let inner = &self.inner;
        let mut new_state = None;
        let diags = guarded("ReadResource", async {
            let mut diags = Diagnostics::new();
            let Some((res, schema)) = collect(&mut diags, inner.resource(&req.type_name)) else {
                return diags;
            };
            let ty = schema.ty();
            let Some(current) = collect(&mut diags, decode(req.current_state.as_ref(), ty)) else {
                return diags;
            };
            let Some(cx) = collect(&mut diags, inner.context()) else {
                return diags;
            };
            let result = res.read(&cx, &current, &req.private).await;
            diags.extend(cx.take_warnings());
            match result {
                Ok(v) => new_state = collect(&mut diags, encode(&v, ty)),
                Err(d) => {
                    diags.extend(d);
                    // Keep what Terraform had, so a failed refresh loses nothing.
                    new_state = req.current_state.clone();
                }
            }
            diags
        })
        .await;
        Ok(Response::new(pb::read_resource::Response {
            new_state,
            diagnostics: diags_to_proto(diags),
            private: req.private,
            deferred: None,
        }))
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> RpcResult<pb::plan_resource_change::Response> {
        let req = request.into_inner();
        let inner = &self.inner;
        let mut planned_state = None;
        let mut requires_replace = Vec::new();
        let diags = guarded("PlanResourceChange", async {
            let mut diags = Diagnostics::new();
            let Some((res, schema)) = collect(&mut diags, inner.resource(&req.type_name)) else {
                return diags;
            };
            let ty = schema.ty();
            let values = (|| {
                Ok::<_, Diagnostics>((
                    decode(req.prior_state.as_ref(), ty)?,
                    decode(req.proposed_new_state.as_ref(), ty)?,
                    decode(req.config.as_ref(), ty)?,
                ))
            })();
            let Some((prior, proposed, config)) = collect(&mut diags, values) else {
                return diags;
            };
            let Some(change) = collect(&mut diags, res.plan(&prior, &proposed, &config)) else {
                return diags;
            };
            planned_state = collect(&mut diags, encode(&change.planned, ty));
            requires_replace = change.requires_replace.iter().map(path_to_proto).collect();
            diags
        })
        .await;
        Ok(Response::new(pb::plan_resource_change::Response {
            planned_state,
            requires_replace,
            planned_private: req.prior_private,
            diagnostics: diags_to_proto(diags),
            legacy_type_system: false,
            deferred: None,
        }))
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> RpcResult<pb::apply_resource_change::Response> {
        let req = request.into_inner();
        let inner = &self.inner;
        let mut new_state = None;
        let diags = guarded("ApplyResourceChange", async {
            let mut diags = Diagnostics::new();
            let Some((res, schema)) = collect(&mut diags, inner.resource(&req.type_name)) else {
                return diags;
            };
            let ty = schema.ty();
            let values = (|| {
                Ok::<_, Diagnostics>((
                    decode(req.prior_state.as_ref(), ty)?,
                    decode(req.planned_state.as_ref(), ty)?,
                    decode(req.config.as_ref(), ty)?,
                ))
            })();
            let Some((prior, planned, config)) = collect(&mut diags, values) else {
                return diags;
            };
            let Some(cx) = collect(&mut diags, inner.context()) else {
                new_state = req.prior_state.clone();
                return diags;
            };
            let result = res.apply(&cx, &prior, &planned, &config).await;
            diags.extend(cx.take_warnings());
            match result {
                Ok(v) => new_state = collect(&mut diags, encode(&v, ty)),
                Err(d) => {
                    diags.extend(d);
                    // A failed create leaves nothing; a failed update or delete leaves the
                    // object as it was.
                    new_state = req.prior_state.clone();
                }
            }
            diags
        })
        .await;
        Ok(Response::new(pb::apply_resource_change::Response {
            new_state,
            private: req.planned_private,
            diagnostics: diags_to_proto(diags),
            legacy_type_system: false,
        }))
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> RpcResult<pb::import_resource_state::Response> {
        let req = request.into_inner();
        let inner = &self.inner;
        let mut imported = Vec::new();
        let diags = guarded("ImportResourceState", async {
            let mut diags = Diagnostics::new();
            let Some((res, schema)) = collect(&mut diags, inner.resource(&req.type_name)) else {
                return diags;
            };
            let Some(cx) = collect(&mut diags, inner.context()) else {
                return diags;
            };
            let result = res.import(&cx, &req.id).await;
            diags.extend(cx.take_warnings());
            if let Some(state) = collect(&mut diags, result) {
                if let Some(state) = collect(&mut diags, encode(&state, schema.ty())) {
                    imported.push(pb::import_resource_state::ImportedResource {
                        type_name: req.type_name.clone(),
                        state: Some(state),
                        private: Vec::new(),
                    });
                }
            }
            diags
        })
        .await;
        Ok(Response::new(pb::import_resource_state::Response {
            imported_resources: imported,
            diagnostics: diags_to_proto(diags),
            deferred: None,
        }))
    }

    async fn move_resource_state(
        &self,
        request: Request<pb::move_resource_state::Request>,
    ) -> RpcResult<pb::move_resource_state::Response> {
        let req = request.into_inner();
        let diags: Diagnostics = Diagnostic::error(
            "Moving resource state is not supported",
            format!(
                "{} cannot be moved into {}.",
                req.source_type_name, req.target_type_name
            ),
        )
        .into();
        Ok(Response::new(pb::move_resource_state::Response {
            target_state: None,
            diagnostics: diags_to_proto(diags),
            target_private: Vec::new(),
        }))
    }

    async fn read_data_source(
        &self,
        request: Request<pb::read_data_source::Request>,
    ) -> RpcResult<pb::read_data_source::Response> {
        let req = request.into_inner();
        let inner = &self.inner;
        let mut state = None;
        let diags = guarded("ReadDataSource", async {
            let mut diags = Diagnostics::new();
            let Some((ds, schema)) = collect(&mut diags, inner.data_source(&req.type_name)) else {
                return diags;
            };
            let ty = schema.ty();
            let Some(config) = collect(&mut diags, decode(req.config.as_ref(), ty)) else {
                return diags;
            };
            let Some(cx) = collect(&mut diags, inner.context()) else {
                return diags;
            };
            let result = ds.read(&cx, &config).await;
            diags.extend(cx.take_warnings());
            if let Some(v) = collect(&mut diags, result) {
                state = collect(&mut diags, encode(&v, ty));
            }
            diags
        })
        .await;
        Ok(Response::new(pb::read_data_source::Response {
            state,
            diagnostics: diags_to_proto(diags),
            deferred: None,
        }))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        request: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> RpcResult<pb::validate_ephemeral_resource_config::Response> {
        let req = request.into_inner();
        Ok(Response::new(
            pb::validate_ephemeral_resource_config::Response {
                diagnostics: diags_to_proto(no_ephemeral(&req.type_name)),
            },
        ))
    }

    async fn open_ephemeral_resource(
        &self,
        request: Request<pb::open_ephemeral_resource::Request>,
    ) -> RpcResult<pb::open_ephemeral_resource::Response> {
        let req = request.into_inner();
        Ok(Response::new(pb::open_ephemeral_resource::Response {
            diagnostics: diags_to_proto(no_ephemeral(&req.type_name)),
            ..Default::default()
        }))
    }

    async fn renew_ephemeral_resource(
        &self,
        request: Request<pb::renew_ephemeral_resource::Request>,
    ) -> RpcResult<pb::renew_ephemeral_resource::Response> {
        let req = request.into_inner();
        Ok(Response::new(pb::renew_ephemeral_resource::Response {
            diagnostics: diags_to_proto(no_ephemeral(&req.type_name)),
            ..Default::default()
        }))
    }

    async fn close_ephemeral_resource(
        &self,
        request: Request<pb::close_ephemeral_resource::Request>,
    ) -> RpcResult<pb::close_ephemeral_resource::Response> {
        let req = request.into_inner();
        Ok(Response::new(pb::close_ephemeral_resource::Response {
            diagnostics: diags_to_proto(no_ephemeral(&req.type_name)),
        }))
    }

    async fn get_functions(
        &self,
        _request: Request<pb::get_functions::Request>,
    ) -> RpcResult<pb::get_functions::Response> {
        Ok(Response::new(pb::get_functions::Response::default()))
    }

    async fn call_function(
        &self,
        request: Request<pb::call_function::Request>,
    ) -> RpcResult<pb::call_function::Response> {
        let req = request.into_inner();
        Ok(Response::new(pb::call_function::Response {
            result: None,
            error: Some(pb::FunctionError {
                text: format!("this provider defines no function {:?}", req.name),
                function_argument: None,
            }),
        }))
    }

    async fn stop_provider(
        &self,
        _request: Request<pb::stop_provider::Request>,
    ) -> RpcResult<pb::stop_provider::Response> {
        // Cancel in-flight work; later calls (a harness reusing this process) get a fresh token.
        if let Ok(mut token) = self.inner.stop.lock() {
            token.cancel();
            *token = CancellationToken::new();
        }
        Ok(Response::new(pb::stop_provider::Response {
            error: String::new(),
        }))
    }
}

fn no_ephemeral(type_name: &str) -> Diagnostics {
    Diagnostic::error(
        "Unknown ephemeral resource type",
        format!("This provider has no ephemeral resource type {type_name:?}."),
    )
    .into()
}
