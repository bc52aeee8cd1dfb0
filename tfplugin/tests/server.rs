//! The gRPC service driven directly (no network): RPC dispatch, diagnostics, the panic guard,
//! StopProvider cancellation and msgpack round trips through a small provider.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tfplugin::context::Context;
use tfplugin::data_source::DynDataSource;
use tfplugin::diagnostics::{Diagnostic, Diagnostics};
use tfplugin::path::AttributePath;
use tfplugin::proto::tfplugin6 as pb;
use tfplugin::proto::tfplugin6::provider_server::Provider as _;
use tfplugin::provider::{ConfigureRequest, Provider};
use tfplugin::resource::{
    CreateRequest, DeleteRequest, DynResource, ReadRequest, Resource, UpdateRequest,
};
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::server::ProviderService;
use tfplugin::value::{decode_msgpack, encode_msgpack, Value};
use tokio::sync::Notify;
use tonic::Request;

#[derive(Clone)]
struct Client {
    started: Arc<Notify>,
}

struct TestProvider {
    started: Arc<Notify>,
}

#[derive(Deserialize)]
struct Config {}

#[async_trait]
impl Provider for TestProvider {
    type Client = Client;
    type Config = Config;
    const TYPE_NAME: &'static str = "test";

    fn schema(&self) -> Schema {
        Schema::new(Block::new())
    }

    async fn configure(&self, _req: &ConfigureRequest<Config>) -> Result<Client, Diagnostics> {
        Ok(Client {
            started: self.started.clone(),
        })
    }

    fn resources(&self) -> Vec<Box<dyn DynResource<Client>>> {
        vec![Box::new(Thing)]
    }

    fn data_sources(&self) -> Vec<Box<dyn DynDataSource<Client>>> {
        Vec::new()
    }
}

struct Thing;

#[derive(Clone, Serialize, Deserialize, Default)]
struct ThingModel {
    id: Option<String>,
    name: Option<String>,
    secret: Option<String>,
}

#[async_trait]
impl Resource for Thing {
    type Client = Client;
    type Model = ThingModel;
    const TYPE_NAME: &'static str = "test_thing";

    fn schema() -> Schema {
        Schema::new(
            Block::new()
                .attribute(Attribute::string("id").computed().use_state_for_unknown())
                .attribute(Attribute::string("name").required())
                .attribute(
                    Attribute::string("secret")
                        .optional()
                        .sensitive()
                        .write_only(),
                ),
        )
    }

    const VALIDATES_MODEL: bool = true;

    fn validate_model(&self, config: &ThingModel) -> Diagnostics {
        match config.name.as_deref() {
            Some("bad") => Diagnostic::error_at(AttributePath::root("name"), "bad name", "").into(),
            _ => Diagnostics::new(),
        }
    }

    async fn create(
        &self,
        cx: &Context<Client>,
        req: CreateRequest<ThingModel>,
    ) -> Result<ThingModel, Diagnostics> {
        match req.plan.name.as_deref() {
            Some("panic") => panic!("boom"),
            Some("wait") => {
                // Stands for a long poll: only StopProvider ends it.
                cx.client().started.notify_one();
                cx.cancellation().cancelled().await;
                Err(Diagnostic::error("cancelled", "stopped by Terraform").into())
            }
            _ => Ok(ThingModel {
                id: Some("id-1".into()),
                name: req.plan.name,
                secret: req.config.secret,
            }),
        }
    }

    async fn read(
        &self,
        _cx: &Context<Client>,
        req: ReadRequest<ThingModel>,
    ) -> Result<Option<ThingModel>, Diagnostics> {
        Ok(Some(req.state))
    }

    async fn update(
        &self,
        _cx: &Context<Client>,
        req: UpdateRequest<ThingModel>,
    ) -> Result<ThingModel, Diagnostics> {
        Ok(req.plan)
    }

    async fn delete(
        &self,
        _cx: &Context<Client>,
        _req: DeleteRequest<ThingModel>,
    ) -> Result<(), Diagnostics> {
        Ok(())
    }
}

fn service() -> (ProviderService<TestProvider>, Arc<Notify>) {
    let started = Arc::new(Notify::new());
    (
        ProviderService::new(TestProvider {
            started: started.clone(),
        }),
        started,
    )
}

fn thing(name: &str, secret: Option<&str>) -> pb::DynamicValue {
    let ty = <Thing as Resource>::schema().ty();
    let mut obj = std::collections::BTreeMap::new();
    obj.insert("id".to_string(), Value::Null);
    obj.insert("name".to_string(), Value::string(name));
    obj.insert(
        "secret".to_string(),
        secret.map(Value::string).unwrap_or(Value::Null),
    );
    pb::DynamicValue {
        msgpack: encode_msgpack(&Value::Object(obj), &ty).expect("encodes"),
        json: Vec::new(),
    }
}

fn null() -> pb::DynamicValue {
    pb::DynamicValue {
        msgpack: vec![0xc0],
        json: Vec::new(),
    }
}

async fn configure(svc: &ProviderService<TestProvider>) {
    let resp = svc
        .configure_provider(Request::new(pb::configure_provider::Request {
            terraform_version: "1.11.4".into(),
            config: Some(pb::DynamicValue {
                msgpack: vec![0x80],
                json: Vec::new(),
            }),
            client_capabilities: None,
        }))
        .await
        .expect("rpc")
        .into_inner();
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
}

async fn apply(
    svc: &ProviderService<TestProvider>,
    name: &str,
    secret: Option<&str>,
) -> pb::apply_resource_change::Response {
    svc.apply_resource_change(Request::new(pb::apply_resource_change::Request {
        type_name: "test_thing".into(),
        prior_state: Some(null()),
        planned_state: Some(thing(name, None)),
        config: Some(thing(name, secret)),
        planned_private: Vec::new(),
        provider_meta: None,
    }))
    .await
    .expect("rpc")
    .into_inner()
}

#[tokio::test]
async fn schema_advertises_capabilities_and_write_only() {
    let (svc, _) = service();
    let resp = svc
        .get_provider_schema(Request::new(pb::get_provider_schema::Request {}))
        .await
        .expect("rpc")
        .into_inner();
    let caps = resp.server_capabilities.expect("capabilities");
    assert!(caps.plan_destroy && caps.get_provider_schema_optional);
    let thing = &resp.resource_schemas["test_thing"];
    let secret = thing
        .block
        .as_ref()
        .and_then(|b| b.attributes.iter().find(|a| a.name == "secret"))
        .expect("secret attribute");
    assert!(secret.write_only && secret.sensitive);
}

#[tokio::test]
async fn validation_errors_carry_the_attribute_path() {
    let (svc, _) = service();
    let resp = svc
        .validate_resource_config(Request::new(pb::validate_resource_config::Request {
            type_name: "test_thing".into(),
            config: Some(thing("bad", None)),
        }))
        .await
        .expect("rpc")
        .into_inner();
    let d = &resp.diagnostics[0];
    let step = &d.attribute.as_ref().expect("path").steps[0];
    assert_eq!(
        step.selector,
        Some(pb::attribute_path::step::Selector::AttributeName(
            "name".into()
        ))
    );
}

#[tokio::test]
async fn unknown_types_are_diagnostics_not_grpc_errors() {
    let (svc, _) = service();
    let resp = svc
        .validate_resource_config(Request::new(pb::validate_resource_config::Request {
            type_name: "test_nope".into(),
            config: Some(null()),
        }))
        .await
        .expect("rpc")
        .into_inner();
    assert_eq!(resp.diagnostics[0].summary, "Unknown resource type");
}

#[tokio::test]
async fn apply_before_configure_is_a_diagnostic() {
    let (svc, _) = service();
    let resp = apply(&svc, "x", None).await;
    assert_eq!(resp.diagnostics[0].summary, "Provider not configured");
}

#[tokio::test]
async fn create_returns_state_without_write_only_values() {
    let (svc, _) = service();
    configure(&svc).await;
    let resp = apply(&svc, "ok", Some("hunter2")).await;
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    let state = decode_msgpack(
        &resp.new_state.expect("state").msgpack,
        &<Thing as Resource>::schema().ty(),
    )
    .expect("decodes");
    assert_eq!(state.get_attr("id"), Some(&Value::string("id-1")));
    assert_eq!(state.get_attr("secret"), Some(&Value::Null));
}

#[tokio::test]
async fn a_panicking_resource_becomes_an_error_diagnostic() {
    let (svc, _) = service();
    configure(&svc).await;
    let resp = apply(&svc, "panic", None).await;
    let d = &resp.diagnostics[0];
    assert_eq!(d.severity, pb::diagnostic::Severity::Error as i32);
    assert!(d.detail.contains("boom"), "{}", d.detail);
    // The service still answers afterwards.
    let resp = apply(&svc, "ok", None).await;
    assert!(resp.diagnostics.is_empty());
}

#[tokio::test]
async fn stop_provider_cancels_in_flight_work() {
    let (svc, started) = service();
    configure(&svc).await;
    let svc = Arc::new(svc);
    let worker = {
        let svc = svc.clone();
        tokio::spawn(async move { apply(&svc, "wait", None).await })
    };
    started.notified().await;
    svc.stop_provider(Request::new(pb::stop_provider::Request {}))
        .await
        .expect("rpc");
    let resp = tokio::time::timeout(std::time::Duration::from_secs(5), worker)
        .await
        .expect("cancelled promptly")
        .expect("task");
    assert_eq!(resp.diagnostics[0].summary, "cancelled");
    // New work after a stop is not born cancelled.
    assert!(apply(&svc, "ok", None).await.diagnostics.is_empty());
}

#[tokio::test]
async fn plan_keeps_refined_unknowns_from_config() {
    let (svc, _) = service();
    configure(&svc).await;
    let ty = <Thing as Resource>::schema().ty();
    // name = "pre-${timestamp()}": an unknown refined with a prefix.
    let refined = vec![0x82, 0x01, 0xc2, 0x02, 0xa4, b'p', b'r', b'e', b'-'];
    let mut obj = std::collections::BTreeMap::new();
    obj.insert("id".into(), Value::Null);
    obj.insert("name".into(), Value::unknown_refined(refined.clone()));
    obj.insert("secret".into(), Value::Null);
    let proposed = encode_msgpack(&Value::Object(obj), &ty).expect("encodes");
    let dv = pb::DynamicValue {
        msgpack: proposed,
        json: Vec::new(),
    };
    let resp = svc
        .plan_resource_change(Request::new(pb::plan_resource_change::Request {
            type_name: "test_thing".into(),
            prior_state: Some(null()),
            proposed_new_state: Some(dv.clone()),
            config: Some(dv),
            prior_private: Vec::new(),
            provider_meta: None,
            client_capabilities: None,
        }))
        .await
        .expect("rpc")
        .into_inner();
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    let planned =
        decode_msgpack(&resp.planned_state.expect("planned").msgpack, &ty).expect("decodes");
    match planned.get_attr("name") {
        Some(Value::Unknown(u)) => assert_eq!(u.refinement.as_deref(), Some(&refined[..])),
        other => panic!("expected a refined unknown, got {other:?}"),
    }
    assert!(planned.get_attr("id").is_some_and(Value::is_unknown));
}
