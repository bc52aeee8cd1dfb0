//! The provider block: arguments, environment variables and credential resolution, as the
//! official provider does them (its `internal/config/credentials.go`).
//!
//! Resolution picks one whole source, no merging: provider arguments if any credential argument
//! is set, else environment variables. Inside the source: access token, then service account,
//! then API key (HTTP digest). Service accounts use OAuth 2.0 client credentials
//! (`{base_url}/api/oauth/token`); the token is revoked best-effort when the plugin exits
//! ([`revoke_at_exit`]). Differences from the official provider, on purpose: `client_secret` and
//! `access_token` are sensitive; AWS Secrets Manager is not implemented yet and says so instead
//! of being ignored.

use crate::AtlasClient;
use atlas_admin_sdk::Client;
use serde::{Deserialize, Serialize};
use tfplugin::diagnostics::{Diagnostic, Diagnostics};
use tfplugin::model::{TfModel, TfObject};
use tfplugin::path::AttributePath;
use tfplugin::provider::ConfigureRequest;
use tfplugin::schema::Schema;

pub const DEFAULT_BASE_URL: &str = "https://cloud.mongodb.com";
const GOV_BASE_URL: &str = "https://cloud.mongodbgov.com";

const PUBLIC_KEY_ENV: &[&str] = &[
    "MONGODB_ATLAS_PUBLIC_API_KEY",
    "MONGODB_ATLAS_PUBLIC_KEY",
    "MCLI_PUBLIC_API_KEY",
];
const PRIVATE_KEY_ENV: &[&str] = &[
    "MONGODB_ATLAS_PRIVATE_API_KEY",
    "MONGODB_ATLAS_PRIVATE_KEY",
    "MCLI_PRIVATE_API_KEY",
];
const BASE_URL_ENV: &[&str] = &["MONGODB_ATLAS_BASE_URL", "MCLI_OPS_MANAGER_URL"];
const CLIENT_ID_ENV: &[&str] = &["MONGODB_ATLAS_CLIENT_ID"];
const CLIENT_SECRET_ENV: &[&str] = &["MONGODB_ATLAS_CLIENT_SECRET"];
const ACCESS_TOKEN_ENV: &[&str] = &["MONGODB_ATLAS_ACCESS_TOKEN"];
/// No single API call may hang a terraform run; Atlas answers well within this.
const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);
const ROLE_ARN_ENV: &[&str] = &["ASSUME_ROLE_ARN", "TF_VAR_ASSUME_ROLE_ARN"];
/// How long revoking the service account token may hold up the plugin's exit.
const REVOKE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);

/// The clients `configure` built with a service account, for [`revoke_at_exit`].
static SERVICE_ACCOUNT_CLIENTS: std::sync::Mutex<Vec<Client>> = std::sync::Mutex::new(Vec::new());

/// Revokes the access tokens of service-account clients (best effort, bounded by a short
/// timeout), as the official provider does once serving ends. Never fails.
pub async fn revoke_at_exit() {
    let clients = std::mem::take(
        &mut *SERVICE_ACCOUNT_CLIENTS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    );
    for client in clients {
        match tokio::time::timeout(REVOKE_TIMEOUT, client.revoke_token()).await {
            Ok(Ok(())) => tracing::debug!("service account token revoked"),
            Ok(Err(e)) => tracing::debug!(error = %e, "revoking the service account token failed"),
            Err(_) => tracing::debug!("revoking the service account token timed out"),
        }
    }
}

/// The `provider "mongodbatlas"` block.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TfModel)]
pub struct ProviderConfig {
    /// Atlas programmatic API key, public part (HTTP digest user).
    #[tf(optional)]
    pub public_key: Option<String>,
    /// Atlas programmatic API key, private part.
    #[tf(optional, sensitive)]
    pub private_key: Option<String>,
    /// Service account client id.
    #[tf(optional)]
    pub client_id: Option<String>,
    /// Service account client secret.
    #[tf(optional, sensitive)]
    pub client_secret: Option<String>,
    /// A service account access token.
    #[tf(optional, sensitive)]
    pub access_token: Option<String>,
    /// Atlas base URL; defaults to https://cloud.mongodb.com.
    #[tf(optional)]
    pub base_url: Option<String>,
    /// App Services admin API base URL.
    #[tf(optional)]
    pub realm_base_url: Option<String>,
    /// Use Atlas for Government (https://cloud.mongodbgov.com).
    #[tf(optional)]
    pub is_mongodbgov_cloud: Option<bool>,
    /// AWS Secrets Manager secret holding the credentials.
    #[tf(optional)]
    pub secret_name: Option<String>,
    /// AWS region of the secret.
    #[tf(optional)]
    pub region: Option<String>,
    /// AWS STS endpoint.
    #[tf(optional)]
    pub sts_endpoint: Option<String>,
    /// AWS access key id for STS.
    #[tf(optional)]
    pub aws_access_key_id: Option<String>,
    /// AWS secret access key for STS.
    #[tf(optional, sensitive)]
    pub aws_secret_access_key: Option<String>,
    /// AWS session token for STS.
    #[tf(optional, sensitive)]
    pub aws_session_token: Option<String>,
    #[tf(block, max_items = 1)]
    #[serde(default)]
    pub assume_role: Vec<AssumeRole>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TfModel)]
pub struct AssumeRole {
    #[tf(optional)]
    pub role_arn: Option<String>,
}

pub fn schema() -> Schema {
    Schema::new(ProviderConfig::block())
}

pub fn validate(config: &ProviderConfig) -> Diagnostics {
    let mut diags = Diagnostics::new();
    if config
        .public_key
        .as_deref()
        .is_some_and(|key| key.starts_with("mdb_sa"))
    {
        diags.push(service_account_in_public_key());
    }
    diags
}

/// A credential given as (argument name, environment variable, value).
type Credential<'a> = (&'static str, &'static str, &'a Option<String>);

/// Both halves of a credential pair (key + secret), or an error at the missing half when only
/// one is set.
fn credential_pair<'a>(
    first: Credential<'a>,
    second: Credential<'a>,
) -> Result<(&'a String, &'a String), Diagnostic> {
    let missing = |(absent, env, _): Credential, (present, _, _): Credential| {
        Diagnostic::error_at(
            AttributePath::root(absent),
            format!("Missing {}", absent.replace('_', " ")),
            format!("{present} is set but {absent} is not (argument or {env})."),
        )
    };
    match (first.2, second.2) {
        (Some(a), Some(b)) => Ok((a, b)),
        (Some(_), None) => Err(missing(second, first)),
        _ => Err(missing(first, second)),
    }
}

fn service_account_in_public_key() -> Diagnostic {
    Diagnostic::error_at(
        AttributePath::root(ProviderConfig::ATTR.public_key),
        "Service account id given as public_key",
        "The value looks like a service account client id (mdb_sa…). Set client_id and client_secret instead.",
    )
}

/// One credential source, already resolved.
#[derive(Debug, Default, PartialEq)]
struct Source {
    public_key: Option<String>,
    private_key: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    access_token: Option<String>,
    base_url: Option<String>,
}

fn non_empty(v: &Option<String>) -> Option<String> {
    v.as_ref().filter(|s| !s.is_empty()).cloned()
}

fn env_first(names: &[&str], env: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    names.iter().find_map(|n| env(n).filter(|v| !v.is_empty()))
}

/// Chooses the credential source the way the official provider does.
fn resolve(config: &ProviderConfig, env: &dyn Fn(&str) -> Option<String>) -> Source {
    let from_attrs = Source {
        public_key: non_empty(&config.public_key),
        private_key: non_empty(&config.private_key),
        client_id: non_empty(&config.client_id),
        client_secret: non_empty(&config.client_secret),
        access_token: non_empty(&config.access_token),
        base_url: non_empty(&config.base_url),
    };
    let attrs_have_credentials = from_attrs.public_key.is_some()
        || from_attrs.private_key.is_some()
        || from_attrs.client_id.is_some()
        || from_attrs.client_secret.is_some()
        || from_attrs.access_token.is_some();
    if attrs_have_credentials {
        return from_attrs;
    }
    Source {
        public_key: env_first(PUBLIC_KEY_ENV, env),
        private_key: env_first(PRIVATE_KEY_ENV, env),
        client_id: env_first(CLIENT_ID_ENV, env),
        client_secret: env_first(CLIENT_SECRET_ENV, env),
        access_token: env_first(ACCESS_TOKEN_ENV, env),
        base_url: from_attrs.base_url.or_else(|| env_first(BASE_URL_ENV, env)),
    }
}

/// `terraform-provider-mongodbatlas/<VERSION> (rust) Terraform/<terraform version>`: the
/// provider's and Terraform's product tokens, with a comment telling this build apart.
fn user_agent(terraform_version: &str) -> String {
    format!(
        "terraform-provider-mongodbatlas/{} (rust) Terraform/{terraform_version}",
        crate::VERSION
    )
}

pub fn configure(req: &ConfigureRequest<ProviderConfig>) -> Result<AtlasClient, Diagnostics> {
    let env = |name: &str| std::env::var(name).ok();
    configure_with_env(req, &env)
}

fn configure_with_env(
    req: &ConfigureRequest<ProviderConfig>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<AtlasClient, Diagnostics> {
    let config = &req.config;
    let mut diags = Diagnostics::new();
    let role_arn = config
        .assume_role
        .iter()
        .find_map(|r| non_empty(&r.role_arn))
        .or_else(|| env_first(ROLE_ARN_ENV, env));
    if role_arn.is_some() || non_empty(&config.secret_name).is_some() {
        diags.push(Diagnostic::error_at(
            AttributePath::root("assume_role"),
            "AWS Secrets Manager credentials are not supported",
            "This provider does not read credentials from AWS Secrets Manager yet. Pass the keys through provider arguments or MONGODB_ATLAS_* environment variables.",
        ));
        return Err(diags);
    }
    let source = resolve(config, env);
    let mut base_url = source
        .base_url
        .clone()
        .unwrap_or_else(|| DEFAULT_BASE_URL.to_string());
    if config.is_mongodbgov_cloud == Some(true)
        && !base_url.starts_with("https://cloud-dev.mongodbgov.com")
        && !base_url.starts_with("https://cloud-qa.mongodbgov.com")
    {
        base_url = GOV_BASE_URL.to_string();
    }
    let builder = Client::builder()
        .base_url(base_url.trim_end_matches('/'))
        .user_agent(user_agent(&req.terraform_version))
        .timeout(REQUEST_TIMEOUT);

    let has_sa = source.client_id.is_some() || source.client_secret.is_some();
    let has_pak = source.public_key.is_some() || source.private_key.is_some();
    let builder = if let Some(token) = &source.access_token {
        if has_sa || has_pak {
            req.warn(Diagnostic::warning(
                "Access token will be used",
                "Several kinds of credentials are set; the access token takes precedence over the service account and API key.",
            ));
        }
        builder.bearer_token(token.clone())
    } else if has_sa {
        let pair = credential_pair(
            ("client_id", "MONGODB_ATLAS_CLIENT_ID", &source.client_id),
            (
                "client_secret",
                "MONGODB_ATLAS_CLIENT_SECRET",
                &source.client_secret,
            ),
        );
        let (id, secret) = match pair {
            Ok(pair) => pair,
            Err(missing) => {
                diags.push(missing);
                return Err(diags);
            }
        };
        if has_pak {
            req.warn(Diagnostic::warning(
                "Service account will be used",
                "Both a service account (client_id/client_secret) and an API key are set; the service account takes precedence.",
            ));
        }
        builder.service_account(id.clone(), secret.clone())
    } else if has_pak {
        let pair = credential_pair(
            ("public_key", "MONGODB_ATLAS_PUBLIC_KEY", &source.public_key),
            (
                "private_key",
                "MONGODB_ATLAS_PRIVATE_KEY",
                &source.private_key,
            ),
        );
        let (public, private) = match pair {
            Ok(pair) => pair,
            Err(missing) => {
                diags.push(missing);
                return Err(diags);
            }
        };
        if public.starts_with("mdb_sa") {
            diags.push(service_account_in_public_key());
            return Err(diags);
        }
        builder.digest_auth(public.clone(), private.clone())
    } else {
        req.warn(Diagnostic::warning(
            "No credentials set",
            "Set public_key and private_key (or MONGODB_ATLAS_PUBLIC_KEY and MONGODB_ATLAS_PRIVATE_KEY); calls to Atlas will fail without them.",
        ));
        builder
    };
    let uses_service_account = source.access_token.is_none() && has_sa;
    let client = builder.build().map_err(|e| {
        Diagnostics::from(Diagnostic::error_at(
            AttributePath::root("base_url"),
            "Invalid provider configuration",
            e.to_string(),
        ))
    })?;
    if uses_service_account {
        SERVICE_ACCOUNT_CLIENTS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(client.clone());
    }
    Ok(AtlasClient::new(client))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k: &str| map.get(k).cloned()
    }

    #[test]
    fn attributes_win_as_a_whole_source() {
        let config = ProviderConfig {
            public_key: Some("pub".into()),
            private_key: Some("priv".into()),
            ..Default::default()
        };
        let env = env_of(&[
            ("MONGODB_ATLAS_PUBLIC_KEY", "envpub"),
            ("MONGODB_ATLAS_BASE_URL", "http://elsewhere"),
        ]);
        let s = resolve(&config, &env);
        assert_eq!(s.public_key.as_deref(), Some("pub"));
        assert_eq!(
            s.base_url, None,
            "base_url from env is ignored when attributes hold keys"
        );
    }

    #[test]
    fn env_source_uses_aliases_in_order() {
        let env = env_of(&[
            ("MONGODB_ATLAS_PUBLIC_KEY", "second"),
            ("MONGODB_ATLAS_PUBLIC_API_KEY", "first"),
            ("MCLI_PRIVATE_API_KEY", "third"),
            ("MCLI_OPS_MANAGER_URL", "http://127.0.0.1:1"),
        ]);
        let s = resolve(&ProviderConfig::default(), &env);
        assert_eq!(s.public_key.as_deref(), Some("first"));
        assert_eq!(s.private_key.as_deref(), Some("third"));
        assert_eq!(s.base_url.as_deref(), Some("http://127.0.0.1:1"));
    }

    #[test]
    fn half_an_api_key_is_an_error_naming_the_attribute() {
        let req = ConfigureRequest::new(
            ProviderConfig {
                public_key: Some("pub".into()),
                ..Default::default()
            },
            "1.11.4".into(),
        );
        let err = configure_with_env(&req, &env_of(&[]))
            .err()
            .unwrap_or_default();
        let d = err.iter().next().cloned();
        assert_eq!(
            d.and_then(|d| d.path),
            Some(AttributePath::root("private_key"))
        );
    }

    #[test]
    fn access_token_beats_service_account_beats_api_key() {
        let env = env_of(&[
            ("MONGODB_ATLAS_CLIENT_ID", "mdb_sa_id"),
            ("MONGODB_ATLAS_CLIENT_SECRET", "sa-secret"),
            ("MONGODB_ATLAS_PUBLIC_KEY", "pub"),
            ("MONGODB_ATLAS_PRIVATE_KEY", "priv"),
        ]);
        let req = ConfigureRequest::new(ProviderConfig::default(), "1.11.4".into());
        assert!(configure_with_env(&req, &env).is_ok());
        let warnings = req.take_warnings();
        assert!(warnings
            .iter()
            .any(|d| d.summary == "Service account will be used"));
        let with_token = ProviderConfig {
            access_token: Some("tok".into()),
            client_id: Some("mdb_sa_id".into()),
            ..Default::default()
        };
        let req = ConfigureRequest::new(with_token, "1.11.4".into());
        assert!(configure_with_env(&req, &env_of(&[])).is_ok());
        assert!(req
            .take_warnings()
            .iter()
            .any(|d| d.summary == "Access token will be used"));
    }

    #[test]
    fn half_a_service_account_is_an_error_naming_the_attribute() {
        let req = ConfigureRequest::new(
            ProviderConfig {
                client_id: Some("mdb_sa_id".into()),
                ..Default::default()
            },
            "1.11.4".into(),
        );
        let err = configure_with_env(&req, &env_of(&[]))
            .err()
            .unwrap_or_default();
        let d = err.iter().next().cloned();
        assert_eq!(
            d.and_then(|d| d.path),
            Some(AttributePath::root("client_secret"))
        );
    }

    #[test]
    fn no_credentials_is_a_warning() {
        let req = ConfigureRequest::new(ProviderConfig::default(), "1.11.4".into());
        assert!(configure_with_env(&req, &env_of(&[])).is_ok());
        assert!(req
            .take_warnings()
            .iter()
            .any(|d| d.summary == "No credentials set"));
    }

    #[test]
    fn user_agent_carries_the_release_and_terraform_versions() {
        assert_eq!(
            user_agent("1.11.4"),
            format!(
                "terraform-provider-mongodbatlas/{} (rust) Terraform/1.11.4",
                crate::VERSION
            )
        );
        assert!(crate::VERSION.starts_with("2."), "{}", crate::VERSION);
        assert!(crate::VERSION.contains("+rs."), "{}", crate::VERSION);
    }
}
