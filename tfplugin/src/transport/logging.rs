//! hclog-compatible JSON logging on stderr, and a panic hook Terraform can surface.
//!
//! Terraform reads provider stderr line by line; a JSON object with `@level`, `@message` and a
//! `@timestamp` in Go's layout `2006-01-02T15:04:05.000000Z07:00` (exactly six fractional
//! digits, otherwise the whole line is treated as raw text) is re-emitted through its own
//! logger. Every other key becomes a `key=value` pair.

use std::fmt;
use std::io::Write as _;
use std::sync::Once;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::{Context, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

static INIT: Once = Once::new();

/// Installs the hclog JSON subscriber (writing to stderr) and the panic hook.
///
/// `provider_name` is the provider type, e.g. `mongodbatlas`: it names the module
/// (`provider.<name>`) and the most specific level variable, `TF_LOG_PROVIDER_<NAME>`, which
/// wins over `TF_LOG_PROVIDER`, which wins over `TF_LOG`. When none is set, or the chosen one
/// is `off`, no subscriber is installed. Only the first call does anything.
pub fn init_logging(provider_name: &str) {
    INIT.call_once(|| {
        install_panic_hook();
        let Some(level) = level_from_env(provider_name, |k| std::env::var(k).ok()) else {
            return;
        };
        let layer = HclogLayer {
            module: format!("provider.{provider_name}"),
        }
        .with_filter(noise_filter(level));
        // Another global subscriber may already be installed (e.g. by a test harness):
        // keep it rather than fail.
        let _ = tracing::subscriber::set_global_default(tracing_subscriber::registry().with(layer));
    });
}

/// Writes `panic: <message>` (plus location and backtrace) to stderr. Terraform records
/// stderr lines starting with `panic: ` and prints them in its crash report.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("Box<dyn Any>");
        let location = info
            .location()
            .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
            .unwrap_or_else(|| "<unknown>".to_owned());
        let thread = std::thread::current();
        let thread = thread.name().unwrap_or("<unnamed>");
        let backtrace = std::backtrace::Backtrace::force_capture();
        let text =
            format!("panic: {message}\n\nthread '{thread}' panicked at {location}\n{backtrace}\n");
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }));
}

/// Chooses the provider's log level like terraform-plugin-go: `TF_LOG_PROVIDER_<NAME>`, then
/// `TF_LOG_PROVIDER`, then `TF_LOG`. `None` means logging is off.
pub(crate) fn level_from_env(
    provider_name: &str,
    lookup: impl Fn(&str) -> Option<String>,
) -> Option<LevelFilter> {
    let specific: String = provider_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    let value = [
        format!("TF_LOG_PROVIDER_{specific}"),
        "TF_LOG_PROVIDER".to_owned(),
        "TF_LOG".to_owned(),
    ]
    .iter()
    .filter_map(|k| lookup(k))
    .map(|v| v.trim().to_ascii_lowercase())
    .find(|v| !v.is_empty())?;
    match value.as_str() {
        "off" => None,
        "error" => Some(LevelFilter::ERROR),
        "warn" => Some(LevelFilter::WARN),
        "info" => Some(LevelFilter::INFO),
        "debug" => Some(LevelFilter::DEBUG),
        // "trace", "json", and (as Terraform itself does) anything unrecognised.
        _ => Some(LevelFilter::TRACE),
    }
}

/// Our level everywhere, but keep the HTTP/2 and TLS plumbing quiet: at trace level it would
/// drown the provider's own lines.
fn noise_filter(level: LevelFilter) -> Targets {
    let quiet = level.min(LevelFilter::WARN);
    Targets::new()
        .with_default(level)
        .with_target("h2", quiet)
        .with_target("hyper", quiet)
        .with_target("hyper_util", quiet)
        .with_target("tonic", quiet)
        .with_target("tower", quiet)
        .with_target("rustls", quiet)
        .with_target("tokio_util", quiet)
        .with_target("mio", quiet)
}

/// The `@timestamp` format hclog parses: microseconds, UTC `Z`.
pub(crate) fn hclog_timestamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

fn hclog_level(level: &Level) -> &'static str {
    match *level {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    }
}

/// One hclog JSON line (without the newline).
pub(crate) fn hclog_line(
    level: &Level,
    message: &str,
    module: &str,
    timestamp: DateTime<Utc>,
    fields: Map<String, Value>,
) -> String {
    let mut obj = fields;
    obj.insert("@level".into(), hclog_level(level).into());
    obj.insert("@message".into(), message.into());
    obj.insert("@module".into(), module.into());
    obj.insert("@timestamp".into(), hclog_timestamp(timestamp).into());
    Value::Object(obj).to_string()
}

struct HclogLayer {
    module: String,
}

/// Fields recorded on a span, inherited by the events inside it (e.g. `tf_rpc`, `tf_req_id`).
struct SpanFields(Map<String, Value>);

impl<S> Layer<S> for HclogLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = Map::new();
        attrs.record(&mut JsonVisitor {
            fields: &mut fields,
            message: None,
        });
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(SpanFields(fields));
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            let mut ext = span.extensions_mut();
            if let Some(SpanFields(fields)) = ext.get_mut::<SpanFields>() {
                values.record(&mut JsonVisitor {
                    fields,
                    message: None,
                });
            }
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut fields = Map::new();
        if let Some(scope) = ctx.event_scope(event) {
            for span in scope.from_root() {
                if let Some(SpanFields(span_fields)) = span.extensions().get::<SpanFields>() {
                    fields.extend(span_fields.iter().map(|(k, v)| (k.clone(), v.clone())));
                }
            }
        }
        let mut message = String::new();
        event.record(&mut JsonVisitor {
            fields: &mut fields,
            message: Some(&mut message),
        });
        let mut line = hclog_line(
            event.metadata().level(),
            &message,
            &self.module,
            Utc::now(),
            fields,
        );
        line.push('\n');
        // One write per line so concurrent lines never interleave.
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }
}

struct JsonVisitor<'a> {
    fields: &'a mut Map<String, Value>,
    /// Where the `message` field goes; `None` keeps it as an ordinary field (spans).
    message: Option<&'a mut String>,
}

impl JsonVisitor<'_> {
    fn put(&mut self, field: &Field, value: Value) {
        if field.name() == "message" {
            if let Some(message) = self.message.as_deref_mut() {
                *message = match value {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                return;
            }
        }
        self.fields.insert(field.name().to_owned(), value);
    }
}

impl Visit for JsonVisitor<'_> {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.put(field, Value::from(value));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, Value::from(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, Value::from(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, Value::from(value));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, Value::from(value));
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.put(field, Value::from(value.to_string()));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.put(field, Value::from(format!("{value:?}")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    #[test]
    fn timestamp_has_exactly_six_fractional_digits() {
        let t = Utc
            .with_ymd_and_hms(2026, 1, 2, 15, 4, 5)
            .single()
            .expect("valid date");
        assert_eq!(hclog_timestamp(t), "2026-01-02T15:04:05.000000Z");
        let t = t + chrono::Duration::nanoseconds(123_456_789);
        assert_eq!(hclog_timestamp(t), "2026-01-02T15:04:05.123456Z");
        let now = hclog_timestamp(Utc::now());
        let frac = now
            .split('.')
            .nth(1)
            .expect("fraction")
            .trim_end_matches('Z');
        assert_eq!(frac.len(), 6, "{now}");
        assert!(now.ends_with('Z'));
    }

    #[test]
    fn line_is_valid_hclog_json() {
        let t = Utc
            .with_ymd_and_hms(2026, 1, 2, 15, 4, 5)
            .single()
            .expect("valid date");
        let mut fields = Map::new();
        fields.insert("tf_rpc".into(), "PlanResourceChange".into());
        let line = hclog_line(
            &Level::WARN,
            "say \"hi\"\nthere",
            "provider.null",
            t,
            fields,
        );
        let v: Value = serde_json::from_str(&line).expect("valid JSON");
        assert_eq!(v["@level"], "warn");
        assert_eq!(v["@message"], "say \"hi\"\nthere");
        assert_eq!(v["@module"], "provider.null");
        assert_eq!(v["@timestamp"], "2026-01-02T15:04:05.000000Z");
        assert_eq!(v["tf_rpc"], "PlanResourceChange");
        assert!(!line.contains('\n'));
    }

    #[test]
    fn level_precedence() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(name, _)| *name == k)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        assert_eq!(level_from_env("null", env(&[])), None);
        assert_eq!(
            level_from_env("null", env(&[("TF_LOG", "DEBUG")])),
            Some(LevelFilter::DEBUG)
        );
        assert_eq!(
            level_from_env("null", env(&[("TF_LOG", "JSON")])),
            Some(LevelFilter::TRACE)
        );
        assert_eq!(
            level_from_env(
                "mongodbatlas",
                env(&[
                    ("TF_LOG", "trace"),
                    ("TF_LOG_PROVIDER", "info"),
                    ("TF_LOG_PROVIDER_MONGODBATLAS", "error"),
                ])
            ),
            Some(LevelFilter::ERROR)
        );
        assert_eq!(
            level_from_env(
                "null",
                env(&[("TF_LOG", "trace"), ("TF_LOG_PROVIDER", "off")])
            ),
            None
        );
        assert_eq!(
            level_from_env("null", env(&[("TF_LOG", "warn"), ("TF_LOG_PROVIDER", "")])),
            Some(LevelFilter::WARN)
        );
    }
}
