//! No panic on any input: arbitrary bytes, arbitrary JSON-ish bodies and arbitrary statuses fed
//! through the response/error decoding path (`ApiError::from_response`, the client's
//! `response_result` + `decode` into every model), the digest challenge parser, `Retry-After`
//! and the OAuth token/error parsers. Each property runs 2000 cases.

use proptest::prelude::*;
use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::client::digest::{authorization_header, Challenge};
use crate::client::oauth::{oauth_error, parse_token};
use crate::client::retry::parse_retry_after;
use crate::client::{decode, response_result};
use crate::error::redacted_snippet;
use crate::models::{
    AccessListEntry, AccessListStatusResponse, Cluster, DatabaseUser, Organization, ProcessArgs,
    Project,
};
use crate::{ApiError, Error, Page, RetryPolicy};

const CASES: u32 = 2000;

/// Field names the decoders look for, so generated objects hit the interesting paths.
const KEYS: &[&str] = &[
    "error",
    "errorCode",
    "detail",
    "reason",
    "parameters",
    "badRequestDetail",
    "fields",
    "field",
    "description",
    "results",
    "totalCount",
    "links",
    "id",
    "name",
    "orgId",
    "created",
    "tags",
    "stateName",
    "paused",
    "replicationSpecs",
    "regionConfigs",
    "electableSpecs",
    "instanceSize",
    "nodeCount",
    "priority",
    "providerName",
    "regionName",
    "autoScaling",
    "connectionStrings",
    "username",
    "databaseName",
    "roles",
    "scopes",
    "ipAddress",
    "cidrBlock",
    "STATUS",
    "access_token",
    "token_type",
    "expires_in",
    "error_description",
];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,24}".prop_map(Value::String),
        Just(Value::String("2026-08-10T03:02:58Z".into())),
        (100u16..=599).prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 8, |inner| {
        let key = prop_oneof![
            4 => proptest::sample::select(KEYS).prop_map(str::to_owned),
            1 => ".{0,8}",
        ];
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((key, inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// Serialised JSON, sometimes cut short or with a byte flipped.
fn json_ish_body() -> impl Strategy<Value = Vec<u8>> {
    (json_value(), any::<u16>(), any::<u8>(), 0u8..4).prop_map(|(v, cut, byte, mode)| {
        let mut bytes = serde_json::to_vec(&v).unwrap_or_default();
        match mode {
            1 if !bytes.is_empty() => bytes.truncate(usize::from(cut) % bytes.len()),
            2 if !bytes.is_empty() => {
                let i = usize::from(cut) % bytes.len();
                bytes[i] = byte;
            }
            _ => {}
        }
        bytes
    })
}

fn any_body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..512),
        json_ish_body(),
    ]
}

fn any_method() -> impl Strategy<Value = Method> {
    proptest::sample::select(vec![
        Method::GET,
        Method::POST,
        Method::PATCH,
        Method::PUT,
        Method::DELETE,
    ])
}

/// Decodes `body` as `T`; a failure must be a `Decode` error naming the URL.
fn decodes_or_explains<T: DeserializeOwned>(body: &[u8]) -> Result<(), TestCaseError> {
    match decode::<T>("http://h/api/atlas/v2/x", body) {
        Ok(_) => Ok(()),
        Err(e @ Error::Decode { .. }) => {
            let msg = e.to_string();
            if msg.contains("http://h/api/atlas/v2/x") {
                Ok(())
            } else {
                Err(TestCaseError::fail(msg))
            }
        }
        Err(other) => Err(TestCaseError::fail(format!(
            "unexpected error kind: {other:?}"
        ))),
    }
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: CASES,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn api_error_from_any_response(status in any::<u16>(), body in any_body()) {
        let e = ApiError::from_response(status, &body);
        prop_assert_eq!(e.status, status);
        let msg = e.to_string();
        prop_assert!(msg.contains(&status.to_string()), "{}", msg);
        prop_assert!(msg.chars().count() < 4096, "message too long: {}", msg.len());
        let err = Error::Api(e);
        let _ = (err.is_retryable(), err.is_ambiguous(), err.is_not_found(), err.error_code());
        let _ = redacted_snippet(&body);
    }

    #[test]
    fn response_result_and_decode_never_panic(
        method in any_method(),
        status in any::<u16>(),
        retry_after in proptest::option::of("[ -~]{0,40}"),
        body in any_body(),
    ) {
        let mut headers = HeaderMap::new();
        if let Some(v) = retry_after.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
            headers.insert(RETRY_AFTER, v);
        }
        match response_result(&method, "http://h/api/atlas/v2/x", status, headers, body.clone()) {
            Ok(raw) => {
                prop_assert!((200..300).contains(&status));
                prop_assert_eq!(&raw.body, &body);
                decodes_or_explains::<Value>(&raw.body)?;
                decodes_or_explains::<Project>(&raw.body)?;
                decodes_or_explains::<Page<Project>>(&raw.body)?;
                decodes_or_explains::<Organization>(&raw.body)?;
                decodes_or_explains::<Cluster>(&raw.body)?;
                decodes_or_explains::<Page<Cluster>>(&raw.body)?;
                decodes_or_explains::<ProcessArgs>(&raw.body)?;
                decodes_or_explains::<DatabaseUser>(&raw.body)?;
                decodes_or_explains::<Page<DatabaseUser>>(&raw.body)?;
                decodes_or_explains::<AccessListEntry>(&raw.body)?;
                decodes_or_explains::<Page<AccessListEntry>>(&raw.body)?;
                decodes_or_explains::<AccessListStatusResponse>(&raw.body)?;
            }
            Err(err) => {
                prop_assert!(!(200..300).contains(&status));
                prop_assert_eq!(err.status(), Some(status));
                let writes = !RetryPolicy::is_idempotent(&method);
                prop_assert_eq!(err.is_ambiguous(), writes && status >= 500);
                let policy = RetryPolicy::default();
                let delay = policy.next_delay(&method, &err, 0);
                if let Some(d) = delay {
                    prop_assert!(matches!(status, 429 | 502..=504));
                    let floor = err.as_api_error().and_then(ApiError::retry_after);
                    prop_assert!(d >= floor.unwrap_or_default());
                }
                let _ = err.to_string();
            }
        }
    }

    #[test]
    fn digest_challenge_parser_never_panics(
        header in prop_oneof![
            ".{0,200}",
            "(Digest|digest|Basic) ?([a-z]{1,6}=(\"[^\"]{0,12}\"|[a-zA-Z0-9,\\\\ ]{0,12}), ?){0,6}",
            "[ -~]{0,120}",
        ],
    ) {
        if let Some(c) = Challenge::parse(&header) {
            let h = authorization_header(&c, "user", "pass", "GET", "/a?b=c", 1, "cn");
            prop_assert!(h.starts_with("Digest "));
        }
    }

    #[test]
    fn retry_after_parser_never_panics(value in "[ -~]{0,64}") {
        if let Ok(v) = HeaderValue::from_str(&value) {
            let _ = parse_retry_after(&v, std::time::SystemTime::now());
        }
    }

    #[test]
    fn oauth_parsers_never_panic_nor_leak(status in any::<u16>(), body in any_body()) {
        let url = "http://h/api/oauth/token";
        let e = oauth_error("service account authentication failed", url, status, &body);
        prop_assert!(e.to_string().contains("service account authentication failed at http://h/api/oauth/token"));
        match parse_token(url, &body, tokio::time::Instant::now()) {
            Ok(t) => prop_assert!(t.header.is_sensitive()),
            Err(err) => {
                let msg = format!("{err} {err:?}");
                // A rejected token is never echoed.
                if let Ok(Value::Object(m)) = serde_json::from_slice::<Value>(&body) {
                    if let Some(Value::String(tok)) = m.get("access_token") {
                        let occurrences = String::from_utf8_lossy(&body).matches(tok.as_str()).count();
                        if tok.len() >= 8 && occurrences == 1 {
                            prop_assert!(!msg.contains(tok.as_str()), "{}", msg);
                        }
                    }
                }
            }
        }
    }
}
