//! Advanced configuration (`/clusters/{name}/processArgs`, `ClusterDescriptionProcessArgs20240805`).
//! The four TLS fields are shared with the cluster body's `advancedConfiguration`.

use serde_json::{json, Map, Value};

use super::validate::{as_bool, as_int, as_num, as_str};
use crate::error::ApiError;

/// Fields `advancedConfiguration` on the cluster body shares with processArgs.
pub const ADVANCED_CONFIGURATION_KEYS: [&str; 4] = [
    "customOpensslCipherConfigTls12",
    "customOpensslCipherConfigTls13",
    "minimumEnabledTlsProtocol",
    "tlsCipherConfigMode",
];

const TLS12_CIPHERS: &[&str] = &[
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
];
const TLS13_CIPHERS: &[&str] = &[
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_128_CCM_SHA256",
];
/// Atlas's smallest configurable oplog.
const MIN_OPLOG_SIZE_MB: i64 = 990;

/// What a new cluster runs with. Real GETs return every key (unset ones `null`); the spec
/// allows `null` only for the oplog fields, so unset non-nullable ones are left out.
pub fn defaults() -> Map<String, Value> {
    let v = json!({
        "changeStreamOptionsPreAndPostImagesExpireAfterSeconds": -1,
        "customOpensslCipherConfigTls12": [],
        "customOpensslCipherConfigTls13": [],
        "defaultWriteConcern": "majority",
        "javascriptEnabled": true,
        "minimumEnabledTlsProtocol": "TLS1_2",
        "noTableScan": false,
        "oplogMinRetentionHours": null,
        "oplogSizeMB": null,
        "queryStatsLogVerbosity": 1,
        "sampleRefreshIntervalBIConnector": 0,
        "sampleSizeBIConnector": 1000,
        "tlsCipherConfigMode": "DEFAULT",
        "transactionLifetimeLimitSeconds": 60,
    });
    v.as_object().cloned().unwrap_or_default()
}

fn enum_list(v: &Value, at: &str, options: &[&str], max: usize) -> Result<Value, ApiError> {
    let items = v
        .as_array()
        .ok_or_else(|| ApiError::invalid_attribute(at))?;
    if items.len() > max {
        return Err(ApiError::invalid_attribute(at));
    }
    let mut out: Vec<&str> = Vec::with_capacity(items.len());
    for item in items {
        let s = as_str(item, at)?;
        if !options.contains(&s) {
            return Err(ApiError::invalid_enum_value(s, at));
        }
        if !out.contains(&s) {
            out.push(s);
        }
    }
    Ok(json!(out))
}

fn int_at_least(v: &Value, at: &str, min: i64) -> Result<Value, ApiError> {
    let n = as_int(v, at)?;
    if n < min {
        return Err(ApiError::invalid_attribute(at));
    }
    Ok(json!(n))
}

fn one_of(v: &Value, at: &str, options: &[&str]) -> Result<Value, ApiError> {
    let s = as_str(v, at)?;
    if options.contains(&s) {
        Ok(json!(s))
    } else {
        Err(ApiError::invalid_enum_value(s, at))
    }
}

/// Check a processArgs patch; `only` restricts the accepted keys (for `advancedConfiguration`).
/// Returns the fields to merge (`null` only for the nullable oplog fields). Unknown keys are
/// ignored.
pub fn parse(
    body: &Map<String, Value>,
    prefix: &str,
    only: Option<&[&str]>,
) -> Result<Map<String, Value>, ApiError> {
    let mut out = Map::new();
    for (key, v) in body {
        if only.is_some_and(|keys| !keys.contains(&key.as_str())) {
            continue;
        }
        let at = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        let value = match (key.as_str(), v) {
            ("oplogSizeMB" | "oplogMinRetentionHours", Value::Null) => Value::Null,
            (_, Value::Null) => continue,
            ("javascriptEnabled" | "noTableScan", v) => json!(as_bool(v, &at)?),
            ("minimumEnabledTlsProtocol", v) => {
                one_of(v, &at, &["TLS1_0", "TLS1_1", "TLS1_2", "TLS1_3"])?
            }
            ("tlsCipherConfigMode", v) => one_of(v, &at, &["CUSTOM", "DEFAULT"])?,
            ("customOpensslCipherConfigTls12", v) => enum_list(v, &at, TLS12_CIPHERS, 2)?,
            ("customOpensslCipherConfigTls13", v) => enum_list(v, &at, TLS13_CIPHERS, 4)?,
            ("changeStreamOptionsPreAndPostImagesExpireAfterSeconds", v) => {
                int_at_least(v, &at, -1)?
            }
            ("chunkMigrationConcurrency", v) => {
                let n = as_int(v, &at)?;
                if !(1..=32).contains(&n) {
                    return Err(ApiError::invalid_attribute(&at));
                }
                json!(n)
            }
            ("defaultMaxTimeMS", v) => int_at_least(v, &at, 0)?,
            ("queryStatsLogVerbosity", v) => {
                let n = as_int(v, &at)?;
                if n != 1 && n != 3 {
                    return Err(ApiError::invalid_attribute(&at));
                }
                json!(n)
            }
            ("sampleRefreshIntervalBIConnector" | "sampleSizeBIConnector", v) => {
                int_at_least(v, &at, 0)?
            }
            ("transactionLifetimeLimitSeconds", v) => int_at_least(v, &at, 1)?,
            ("oplogSizeMB", v) => int_at_least(v, &at, MIN_OPLOG_SIZE_MB)?,
            ("oplogMinRetentionHours", v) => {
                let h = as_num(v, &at)?;
                if h < 0.0 {
                    return Err(ApiError::invalid_attribute(&at));
                }
                json!(h)
            }
            ("defaultWriteConcern", v) => {
                let s = as_str(v, &at)?;
                let ok = s == "majority" || s.parse::<u32>().is_ok_and(|n| n <= 50);
                if !ok {
                    return Err(ApiError::invalid_attribute(&at));
                }
                json!(s)
            }
            _ => continue,
        };
        out.insert(key.clone(), value);
    }
    Ok(out)
}

/// Parse a processArgs PATCH body (a JSON object).
pub fn parse_body(body: &Map<String, Value>) -> Result<Map<String, Value>, ApiError> {
    parse(body, "", None)
}

/// `advancedConfiguration` as the cluster body shows it.
pub fn advanced_configuration(args: &Map<String, Value>) -> Value {
    let mut out = Map::new();
    for key in ADVANCED_CONFIGURATION_KEYS {
        if let Some(v) = args.get(key) {
            out.insert(key.to_string(), v.clone());
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(v: Value) -> Map<String, Value> {
        v.as_object().cloned().expect("object")
    }

    #[test]
    fn parse_checks_types_ranges_and_enums() {
        let code = |v: Value| parse_body(&body(v)).expect_err("invalid").code;
        assert_eq!(
            code(json!({"javascriptEnabled": "yes"})),
            "INVALID_ATTRIBUTE"
        );
        assert_eq!(
            code(json!({"minimumEnabledTlsProtocol": "TLS9"})),
            "INVALID_ENUM_VALUE"
        );
        assert_eq!(
            code(json!({"sampleSizeBIConnector": -1})),
            "INVALID_ATTRIBUTE"
        );
        assert_eq!(
            code(json!({"transactionLifetimeLimitSeconds": 0})),
            "INVALID_ATTRIBUTE"
        );
        assert_eq!(code(json!({"oplogSizeMB": 10})), "INVALID_ATTRIBUTE");
        assert_eq!(
            code(json!({"customOpensslCipherConfigTls12": ["NOPE"]})),
            "INVALID_ENUM_VALUE"
        );
        let ok = parse_body(&body(json!({
            "javascriptEnabled": false, "oplogSizeMB": null, "unknown": 1,
            "defaultWriteConcern": "1", "noTableScan": null
        })))
        .expect("valid");
        assert_eq!(ok.get("javascriptEnabled"), Some(&json!(false)));
        assert_eq!(ok.get("oplogSizeMB"), Some(&Value::Null));
        assert!(!ok.contains_key("unknown") && !ok.contains_key("noTableScan"));
    }

    #[test]
    fn advanced_configuration_is_the_tls_subset() {
        let adv = advanced_configuration(&defaults());
        assert_eq!(
            adv,
            json!({"customOpensslCipherConfigTls12": [], "customOpensslCipherConfigTls13": [],
                   "minimumEnabledTlsProtocol": "TLS1_2", "tlsCipherConfigMode": "DEFAULT"})
        );
        let only = parse(
            &body(json!({"javascriptEnabled": false, "tlsCipherConfigMode": "CUSTOM"})),
            "advancedConfiguration",
            Some(&ADVANCED_CONFIGURATION_KEYS),
        )
        .expect("valid");
        assert_eq!(only.len(), 1);
    }
}
