//! A minimal provider written directly against the generated `tfplugin6` gRPC trait, without
//! the framework: one resource type, `null_thing`, whose only attribute is a computed `id`
//! that becomes `"x"`. It exists to prove the transport (handshake, AutoMTLS, Shutdown) and
//! the msgpack contract against a real `terraform`; see `tests/handshake.rs`.
//!
//! Run it under Terraform via `dev_overrides` (binary named `terraform-provider-null`, source
//! `example/null`), or with `--debug` to get a `TF_REATTACH_PROVIDERS` value.

use std::collections::HashMap;
use std::process::ExitCode;

use tfplugin::proto::tfplugin6 as pb;
use tfplugin::proto::tfplugin6::provider_server::Provider;
use tfplugin::transport::{self, ServeOptions, TransportError};
use tonic::{Request, Response, Status};

const ADDRESS: &str = "registry.terraform.io/example/null";
const RESOURCE: &str = "null_thing";

/// msgpack nil: a null object.
const NIL: &[u8] = &[0xc0];
/// `{"id": <unknown>}`: fixmap(1), fixstr "id", fixext1 type 0 (cty's plain unknown).
const ID_UNKNOWN: &[u8] = &[0x81, 0xa2, b'i', b'd', 0xd4, 0x00, 0x00];
/// `{"id": "x"}`.
const ID_X: &[u8] = &[0x81, 0xa2, b'i', b'd', 0xa1, b'x'];

fn msgpack(bytes: &[u8]) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: bytes.to_vec(),
        json: Vec::new(),
    })
}

/// Terraform sends null as msgpack nil; an absent or empty value also means null.
fn is_null(value: Option<&pb::DynamicValue>) -> bool {
    value.is_none_or(|v| (v.msgpack.is_empty() && v.json.is_empty()) || v.msgpack == NIL)
}

fn error(summary: impl Into<String>) -> pb::Diagnostic {
    pb::Diagnostic {
        severity: pb::diagnostic::Severity::Error.into(),
        summary: summary.into(),
        ..Default::default()
    }
}

/// `{"id": <id>}` as msgpack, for state coming from JSON.
fn encode_state(id: Option<&str>) -> Result<Vec<u8>, String> {
    let mut buf = Vec::new();
    rmp::encode::write_map_len(&mut buf, 1).map_err(|e| e.to_string())?;
    rmp::encode::write_str(&mut buf, "id").map_err(|e| e.to_string())?;
    match id {
        Some(id) => rmp::encode::write_str(&mut buf, id).map_err(|e| e.to_string())?,
        None => rmp::encode::write_nil(&mut buf).map_err(|e| e.to_string())?,
    }
    Ok(buf)
}

struct NullProvider;

#[tonic::async_trait]
impl Provider for NullProvider {
    async fn get_provider_schema(
        &self,
        _request: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        let thing = pb::Schema {
            version: 0,
            block: Some(pb::schema::Block {
                attributes: vec![pb::schema::Attribute {
                    name: "id".into(),
                    r#type: br#""string""#.to_vec(),
                    computed: true,
                    description: "Always \"x\" once created.".into(),
                    ..Default::default()
                }],
                ..Default::default()
            }),
        };
        Ok(Response::new(pb::get_provider_schema::Response {
            provider: Some(pb::Schema {
                version: 0,
                block: Some(pb::schema::Block::default()),
            }),
            resource_schemas: HashMap::from([(RESOURCE.to_owned(), thing)]),
            server_capabilities: Some(pb::ServerCapabilities {
                plan_destroy: true,
                get_provider_schema_optional: true,
                move_resource_state: false,
            }),
            ..Default::default()
        }))
    }

    async fn validate_provider_config(
        &self,
        _request: Request<pb::validate_provider_config::Request>,
    ) -> Result<Response<pb::validate_provider_config::Response>, Status> {
        Ok(Response::new(Default::default()))
    }

    async fn validate_resource_config(
        &self,
        _request: Request<pb::validate_resource_config::Request>,
    ) -> Result<Response<pb::validate_resource_config::Response>, Status> {
        Ok(Response::new(Default::default()))
    }

    async fn configure_provider(
        &self,
        request: Request<pb::configure_provider::Request>,
    ) -> Result<Response<pb::configure_provider::Response>, Status> {
        tracing::info!(
            terraform_version = %request.get_ref().terraform_version,
            "configured"
        );
        Ok(Response::new(Default::default()))
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        let raw = request.into_inner().raw_state.unwrap_or_default();
        let parsed: Result<serde_json::Value, _> = serde_json::from_slice(&raw.json);
        let mut response = pb::upgrade_resource_state::Response::default();
        match parsed {
            Ok(state) => match encode_state(state.get("id").and_then(|v| v.as_str())) {
                Ok(bytes) => response.upgraded_state = msgpack(&bytes),
                Err(e) => response.diagnostics.push(error(e)),
            },
            Err(e) => response
                .diagnostics
                .push(error(format!("stored state is not JSON: {e}"))),
        }
        Ok(Response::new(response))
    }

    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> Result<Response<pb::read_resource::Response>, Status> {
        let request = request.into_inner();
        Ok(Response::new(pb::read_resource::Response {
            new_state: request.current_state,
            private: request.private,
            ..Default::default()
        }))
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        let request = request.into_inner();
        let planned = if is_null(request.proposed_new_state.as_ref()) {
            // Destroy (plan_destroy capability).
            msgpack(NIL)
        } else if is_null(request.prior_state.as_ref()) {
            // Create: computed `id` is unknown until apply.
            msgpack(ID_UNKNOWN)
        } else {
            // Nothing configurable, so nothing changes.
            request.prior_state
        };
        Ok(Response::new(pb::plan_resource_change::Response {
            planned_state: planned,
            planned_private: request.prior_private,
            ..Default::default()
        }))
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        let request = request.into_inner();
        let new_state = if is_null(request.planned_state.as_ref()) {
            msgpack(NIL)
        } else {
            msgpack(ID_X)
        };
        Ok(Response::new(pb::apply_resource_change::Response {
            new_state,
            private: request.planned_private,
            ..Default::default()
        }))
    }

    async fn stop_provider(
        &self,
        _request: Request<pb::stop_provider::Request>,
    ) -> Result<Response<pb::stop_provider::Response>, Status> {
        Ok(Response::new(Default::default()))
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    transport::init_logging("null");
    let opts = ServeOptions {
        provider_address: ADDRESS.to_owned(),
        debug: std::env::args().skip(1).any(|a| a == "--debug"),
    };
    match transport::serve(NullProvider, opts).await {
        Ok(()) => ExitCode::SUCCESS,
        // The explanation is already on stderr.
        Err(e @ TransportError::NotStartedByTerraform) => ExitCode::from(e.exit_code()),
        Err(e) => {
            eprintln!("Error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
