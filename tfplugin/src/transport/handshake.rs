//! The go-plugin handshake: what Terraform puts in our environment and the line we answer
//! with on stdout.

use std::io::Write as _;
use std::net::{Ipv4Addr, SocketAddr};

use tokio::net::TcpListener;

use super::TransportError;

/// Environment variable carrying the magic cookie (Terraform's plugin handshake config).
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// The cookie value shared by Terraform, OpenTofu and terraform-plugin-go.
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// The plugin protocol major version we speak.
pub const PROTOCOL_VERSION: u32 = 6;
/// go-plugin's own core protocol version, first field of the handshake line.
const CORE_PROTOCOL_VERSION: u32 = 1;

/// The go-plugin variables Terraform sets for its plugins.
#[derive(Debug, Default, Clone)]
pub(crate) struct PluginEnv {
    pub(crate) magic_cookie: Option<String>,
    pub(crate) protocol_versions: Option<String>,
    pub(crate) min_port: Option<String>,
    pub(crate) max_port: Option<String>,
    pub(crate) client_cert: Option<String>,
}

impl PluginEnv {
    pub(crate) fn from_process_env() -> Self {
        let var = |k: &str| std::env::var(k).ok();
        Self {
            magic_cookie: var(MAGIC_COOKIE_KEY),
            protocol_versions: var("PLUGIN_PROTOCOL_VERSIONS"),
            min_port: var("PLUGIN_MIN_PORT"),
            max_port: var("PLUGIN_MAX_PORT"),
            client_cert: var("PLUGIN_CLIENT_CERT"),
        }
    }

    pub(crate) fn magic_cookie_ok(&self) -> bool {
        self.magic_cookie.as_deref() == Some(MAGIC_COOKIE_VALUE)
    }

    /// Terraform offers e.g. `5,6` (in no guaranteed order). Like go-plugin, an absent
    /// variable means "the plugin's default", i.e. 6.
    pub(crate) fn check_protocol_version(&self) -> Result<(), TransportError> {
        let Some(offered) = self.protocol_versions.as_deref() else {
            return Ok(());
        };
        let wanted = PROTOCOL_VERSION.to_string();
        if offered.split(',').any(|v| v.trim() == wanted) {
            Ok(())
        } else {
            Err(TransportError::UnsupportedProtocolVersion {
                offered: offered.to_owned(),
            })
        }
    }

    /// The inclusive port range to bind in, or `None` for any port.
    pub(crate) fn port_range(&self) -> Result<Option<(u16, u16)>, TransportError> {
        let parse = |name: &str, v: &str| {
            v.trim()
                .parse::<u16>()
                .map_err(|e| TransportError::PortRange(format!("{name}={v:?}: {e}")))
        };
        let min = self
            .min_port
            .as_deref()
            .filter(|v| !v.trim().is_empty())
            .map(|v| parse("PLUGIN_MIN_PORT", v))
            .transpose()?;
        let max = self
            .max_port
            .as_deref()
            .filter(|v| !v.trim().is_empty())
            .map(|v| parse("PLUGIN_MAX_PORT", v))
            .transpose()?;
        match (min, max) {
            (None, None) => Ok(None),
            (min, max) => {
                let (min, max) = (min.unwrap_or(1024), max.unwrap_or(u16::MAX));
                if min > max || max == 0 {
                    Err(TransportError::PortRange(format!(
                        "PLUGIN_MIN_PORT={min} > PLUGIN_MAX_PORT={max}"
                    )))
                } else {
                    Ok(Some((min.max(1), max)))
                }
            }
        }
    }
}

/// Binds 127.0.0.1 on a port within `range` (any port when `None`).
pub(crate) async fn bind_tcp(range: Option<(u16, u16)>) -> Result<TcpListener, TransportError> {
    let Some((min, max)) = range else {
        return Ok(TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await?);
    };
    // Several providers start at once; starting at a pid-dependent offset makes them probe
    // different ports instead of all racing for `min`.
    let span = u32::from(max - min) + 1;
    let start = std::process::id() % span;
    let mut last_error = None;
    for i in 0..span {
        let offset = (start + i) % span;
        let Ok(port) = u16::try_from(u32::from(min) + offset) else {
            continue;
        };
        match TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await {
            Ok(listener) => return Ok(listener),
            Err(e) => last_error = Some(e),
        }
    }
    Err(TransportError::PortRange(format!(
        "no free port in {min}..={max}: {}",
        last_error.map_or_else(|| "empty range".to_owned(), |e| e.to_string())
    )))
}

/// `CORE|APP|NETWORK|ADDR|PROTO|CERT` — the line go-plugin's client waits for.
pub(crate) fn handshake_line(network: &str, addr: &str, cert_b64: &str) -> String {
    format!("{CORE_PROTOCOL_VERSION}|{PROTOCOL_VERSION}|{network}|{addr}|grpc|{cert_b64}")
}

/// Writes the handshake line as the first (and only) thing on stdout, and flushes it.
pub(crate) fn announce(line: &str) -> Result<(), TransportError> {
    let mut out = std::io::stdout().lock();
    out.write_all(line.as_bytes())?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}

/// The `TF_REATTACH_PROVIDERS` JSON for one provider.
pub(crate) fn reattach_json(provider_address: &str, pid: u32, network: &str, addr: &str) -> String {
    serde_json::json!({
        provider_address: {
            "Protocol": "grpc",
            "ProtocolVersion": PROTOCOL_VERSION,
            "Pid": pid,
            // Must be true for protocol 6: with false Terraform 1.11 panics.
            "Test": true,
            "Addr": { "Network": network, "String": addr },
        }
    })
    .to_string()
}

/// What a human who ran the binary directly gets to read.
pub(crate) fn not_a_plugin_host_message(provider_address: &str) -> String {
    let address = if provider_address.is_empty() {
        "<namespace>/<type>"
    } else {
        provider_address
    };
    format!(
        "This binary is a plugin. These are not meant to be executed directly.\n\
         Please execute the program that consumes these plugins, which will\n\
         load any plugins automatically.\n\
         \n\
         To use this provider, reference it from a Terraform configuration\n\
         (required_providers source \"{address}\") and let Terraform start it:\n\
         install it from a registry or filesystem mirror, or point a\n\
         dev_overrides entry in the Terraform CLI configuration at the\n\
         directory holding this binary.\n\
         \n\
         To debug it, run it with --debug: it then serves on its own and prints\n\
         a TF_REATTACH_PROVIDERS value to export before running terraform.\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_versions_any_order() {
        let env = |v: Option<&str>| PluginEnv {
            protocol_versions: v.map(str::to_owned),
            ..PluginEnv::default()
        };
        assert!(env(Some("5,6")).check_protocol_version().is_ok());
        assert!(env(Some("6,5")).check_protocol_version().is_ok());
        assert!(env(Some("6")).check_protocol_version().is_ok());
        assert!(env(None).check_protocol_version().is_ok());
        assert!(env(Some("5")).check_protocol_version().is_err());
        assert!(env(Some("16,4")).check_protocol_version().is_err());
    }

    #[test]
    fn magic_cookie() {
        let mut env = PluginEnv::default();
        assert!(!env.magic_cookie_ok());
        env.magic_cookie = Some("nope".into());
        assert!(!env.magic_cookie_ok());
        env.magic_cookie = Some(MAGIC_COOKIE_VALUE.into());
        assert!(env.magic_cookie_ok());
    }

    #[test]
    fn port_ranges() {
        let env = |min: Option<&str>, max: Option<&str>| PluginEnv {
            min_port: min.map(str::to_owned),
            max_port: max.map(str::to_owned),
            ..PluginEnv::default()
        };
        assert_eq!(env(None, None).port_range().ok(), Some(None));
        assert_eq!(
            env(Some("10000"), Some("25000")).port_range().ok(),
            Some(Some((10000, 25000)))
        );
        assert!(env(Some("x"), Some("25000")).port_range().is_err());
        assert!(env(Some("3000"), Some("2000")).port_range().is_err());
    }

    #[tokio::test]
    async fn binds_within_range() {
        let listener = bind_tcp(Some((20000, 20100))).await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        assert!((20000..=20100).contains(&port));
    }

    #[test]
    fn line_and_reattach_shapes() {
        assert_eq!(
            handshake_line("tcp", "127.0.0.1:1234", ""),
            "1|6|tcp|127.0.0.1:1234|grpc|"
        );
        let json = reattach_json("registry.terraform.io/example/null", 42, "unix", "/tmp/s");
        let v: serde_json::Value = serde_json::from_str(&json).expect("json");
        let p = &v["registry.terraform.io/example/null"];
        assert_eq!(p["Protocol"], "grpc");
        assert_eq!(p["ProtocolVersion"], 6);
        assert_eq!(p["Pid"], 42);
        assert_eq!(p["Test"], true);
        assert_eq!(p["Addr"]["Network"], "unix");
        assert_eq!(p["Addr"]["String"], "/tmp/s");
    }
}
