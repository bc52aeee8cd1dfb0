//! Media-type version negotiation, driven by the spec: every operation accepts exactly the
//! `application/vnd.atlas.<date>+json` versions its spec entry lists.
//!
//! Order (as Atlas): authentication first (the auth layer is outside this one), then the
//! version check, then routing. A path no spec operation matches skips the check and falls to
//! the router's 404.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;

use crate::error::ApiError;
use crate::openapi::{media_type_version, MediaVersion, Spec};
use crate::AppState;

/// One path segment of a template: literal text around at most one `{param}`.
#[derive(Debug, Clone)]
enum Segment {
    Literal(String),
    /// `{name}` with optional literal prefix/suffix (e.g. `{teamId}:addUser`).
    Param {
        prefix: String,
        suffix: String,
    },
}

#[derive(Debug, Clone)]
pub struct OperationEntry {
    pub method: Method,
    pub operation_id: String,
    pub versions: Vec<MediaVersion>,
    segments: Vec<Segment>,
}

/// Request extension set once the version is resolved: handlers and the response mapping
/// read it.
#[derive(Debug, Clone)]
pub struct ResolvedVersion {
    pub operation_id: String,
    /// Read by areas whose body shape depends on the version (clusters, later).
    #[allow(dead_code)]
    pub version: String,
}

/// What the table knows about a (method, path).
pub enum Lookup<'a> {
    /// No spec path matches: not an Atlas route.
    NoPath,
    /// The path exists but not with this method.
    NoMethod,
    Found(&'a OperationEntry),
}

#[derive(Debug, Clone)]
pub struct VersionTable {
    entries: Vec<OperationEntry>,
}

fn parse_template(path: &str) -> Vec<Segment> {
    path.trim_start_matches('/')
        .split('/')
        .map(|seg| match (seg.find('{'), seg.find('}')) {
            (Some(open), Some(close)) if open < close => Segment::Param {
                prefix: seg[..open].to_string(),
                suffix: seg[close + 1..].to_string(),
            },
            _ => Segment::Literal(seg.to_string()),
        })
        .collect()
}

/// `Some(score)` when `path` matches; the score counts literal segments so that
/// `/groups/byName/{name}` wins over a hypothetical `/groups/{id}/{x}`.
fn match_segments(template: &[Segment], path: &str) -> Option<usize> {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    if parts.len() != template.len() {
        return None;
    }
    let mut score = 0;
    for (seg, part) in template.iter().zip(parts) {
        match seg {
            Segment::Literal(lit) => {
                if lit != part {
                    return None;
                }
                score += 1;
            }
            Segment::Param { prefix, suffix } => {
                let ok = part.len() > prefix.len() + suffix.len()
                    && part.starts_with(prefix.as_str())
                    && part.ends_with(suffix.as_str());
                if !ok {
                    return None;
                }
                if !suffix.is_empty() || !prefix.is_empty() {
                    score += 1;
                }
            }
        }
    }
    Some(score)
}

impl VersionTable {
    pub fn from_spec(spec: &Spec) -> Self {
        let entries = spec
            .operations()
            .iter()
            .map(|op| OperationEntry {
                method: op.method.clone(),
                operation_id: op.operation_id.clone(),
                versions: op.versions.clone(),
                segments: parse_template(&op.path),
            })
            .collect();
        Self { entries }
    }

    pub fn lookup(&self, method: &Method, path: &str) -> Lookup<'_> {
        let mut best: Option<(usize, &OperationEntry)> = None;
        let mut path_seen = false;
        for entry in &self.entries {
            let Some(score) = match_segments(&entry.segments, path) else {
                continue;
            };
            path_seen = true;
            if entry.method != *method {
                continue;
            }
            if best.is_none_or(|(s, _)| score > s) {
                best = Some((score, entry));
            }
        }
        match best {
            Some((_, entry)) => Lookup::Found(entry),
            None if path_seen => Lookup::NoMethod,
            None => Lookup::NoPath,
        }
    }
}

/// The outcome of reading an `Accept` header for one operation.
#[derive(Debug, PartialEq, Eq)]
pub enum Negotiated {
    Ok(MediaVersion),
    /// The named version is past its sunset date.
    Gone(String),
    NotAcceptable,
}

/// Pick the first media range in `accept` that names a version the operation supports.
/// Exact dates only: an unknown date is refused rather than mapped to an older version
/// (the real fallback rule is unverified).
pub fn negotiate(accept: Option<&str>, versions: &[MediaVersion], today: NaiveDate) -> Negotiated {
    let Some(accept) = accept else {
        return Negotiated::NotAcceptable;
    };
    let mut gone = None;
    for range in accept.split(',') {
        let media_type = range.split(';').next().unwrap_or_default().trim();
        let Some(version) = media_type_version(media_type) else {
            continue;
        };
        let Some(found) = versions.iter().find(|v| v.version == version) else {
            continue;
        };
        match found.sunset {
            Some(sunset) if sunset <= today => gone = gone.or(Some(found.version.clone())),
            _ => return Negotiated::Ok(found.clone()),
        }
    }
    match gone {
        Some(v) => Negotiated::Gone(v),
        None => Negotiated::NotAcceptable,
    }
}

/// RFC 7231 IMF-fixdate at midnight UTC, e.g. `Mon, 05 Aug 2024 00:00:00 GMT`.
fn http_date(date: NaiveDate) -> String {
    date.format("%a, %d %b %Y 00:00:00 GMT").to_string()
}

/// Middleware: resolve the version, refuse with 406/410, stamp success responses with the
/// versioned Content-Type (and Deprecation/Sunset for deprecated versions).
pub async fn negotiate_layer(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let path = crate::router::original_path(&req);
    let entry = match state.versions().lookup(req.method(), &path) {
        // axum matches `{param}` against an empty segment (`/groups//clusters`) but the spec
        // table does not: answer 404 here so no handler runs without a resolved version.
        Lookup::NoPath if path.trim_end_matches('/').contains("//") => {
            return ApiError::resource_not_found(&path).into_response()
        }
        Lookup::NoPath => return next.run(req).await,
        Lookup::NoMethod => {
            return ApiError::method_not_allowed(req.method().as_str(), &path).into_response()
        }
        Lookup::Found(entry) => entry,
    };
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let today = chrono::Utc::now().date_naive();
    let api_path = path.trim_start_matches('/').to_string();
    let version = match negotiate(accept.as_deref(), &entry.versions, today) {
        Negotiated::Ok(v) => v,
        Negotiated::Gone(v) => return ApiError::version_gone(&v, &api_path).into_response(),
        Negotiated::NotAcceptable => {
            let supported: Vec<String> = entry
                .versions
                .iter()
                .map(|v| format!("application/vnd.atlas.{}+json", v.version))
                .collect();
            return ApiError::invalid_version_date(
                accept.as_deref().unwrap_or(""),
                &api_path,
                &supported,
            )
            .into_response();
        }
    };
    // A deprecated version was deprecated on the date the next one appeared.
    let deprecated_on = entry
        .versions
        .iter()
        .find(|v| v.version > version.version && v.version != "preview")
        .and_then(|v| NaiveDate::parse_from_str(&v.version, "%Y-%m-%d").ok());
    let resolved = ResolvedVersion {
        operation_id: entry.operation_id.clone(),
        version: version.version.clone(),
    };
    req.extensions_mut().insert(resolved.clone());
    let mut resp = next.run(req).await;
    // Also on the response, for the request counter outside this layer.
    resp.extensions_mut().insert(resolved);
    if resp.status().is_success() && resp.headers().contains_key(header::CONTENT_TYPE) {
        let ct = format!(
            "application/vnd.atlas.{}+json;charset=utf-8",
            version.version
        );
        if let Ok(v) = HeaderValue::from_str(&ct) {
            resp.headers_mut().insert(header::CONTENT_TYPE, v);
        }
    }
    if let Some(sunset) = version.sunset {
        let headers = resp.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&http_date(sunset)) {
            headers.insert("Sunset", v);
        }
        if let Some(Ok(v)) = deprecated_on.map(|d| HeaderValue::from_str(&http_date(d))) {
            headers.insert("Deprecation", v);
        }
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> VersionTable {
        VersionTable::from_spec(crate::openapi::embedded().expect("spec parses"))
    }

    fn op_id(t: &VersionTable, m: Method, p: &str) -> Option<String> {
        match t.lookup(&m, p) {
            Lookup::Found(e) => Some(e.operation_id.clone()),
            _ => None,
        }
    }

    #[test]
    fn lookup_prefers_literal_segments() {
        let t = table();
        assert_eq!(
            op_id(&t, Method::GET, "/api/atlas/v2/groups/byName/foo").as_deref(),
            Some("getGroupByName")
        );
        assert_eq!(
            op_id(
                &t,
                Method::GET,
                "/api/atlas/v2/groups/5f1b7e2c9d3a4b0012345678"
            )
            .as_deref(),
            Some("getGroup")
        );
        assert_eq!(
            op_id(&t, Method::GET, "/api/atlas/v2/groups/x/containers/all").as_deref(),
            Some("listGroupContainerAll")
        );
        assert_eq!(
            op_id(&t, Method::POST, "/api/atlas/v2/orgs/o/teams/t:addUser").as_deref(),
            Some("addOrgTeamUser")
        );
    }

    #[test]
    fn lookup_distinguishes_unknown_path_and_method() {
        let t = table();
        assert!(matches!(
            t.lookup(&Method::GET, "/api/atlas/v2/nope"),
            Lookup::NoPath
        ));
        assert!(matches!(
            t.lookup(&Method::PUT, "/api/atlas/v2/groups"),
            Lookup::NoMethod
        ));
    }

    fn versions() -> Vec<MediaVersion> {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        vec![
            MediaVersion {
                version: "2023-01-01".into(),
                sunset: d("2025-01-01"),
            },
            MediaVersion {
                version: "2023-02-01".into(),
                sunset: d("2027-07-01"),
            },
            MediaVersion {
                version: "2024-08-05".into(),
                sunset: None,
            },
        ]
    }

    #[test]
    fn negotiate_picks_supported_versions_and_refuses_others() {
        let today = NaiveDate::from_ymd_opt(2026, 1, 1).expect("valid date");
        let v = versions();
        let ok = |a| match negotiate(Some(a), &v, today) {
            Negotiated::Ok(m) => Some(m.version),
            _ => None,
        };
        assert_eq!(
            ok("application/vnd.atlas.2024-08-05+json").as_deref(),
            Some("2024-08-05")
        );
        assert_eq!(
            ok("application/json, application/vnd.atlas.2023-02-01+json;q=0.9").as_deref(),
            Some("2023-02-01")
        );
        assert_eq!(
            negotiate(Some("application/json"), &v, today),
            Negotiated::NotAcceptable
        );
        assert_eq!(negotiate(None, &v, today), Negotiated::NotAcceptable);
        assert_eq!(
            negotiate(Some("application/vnd.atlas.2030-01-01+json"), &v, today),
            Negotiated::NotAcceptable
        );
        assert_eq!(
            negotiate(Some("application/vnd.atlas.2023-01-01+json"), &v, today),
            Negotiated::Gone("2023-01-01".into())
        );
    }

    #[test]
    fn http_date_is_imf_fixdate() {
        let d = NaiveDate::from_ymd_opt(2024, 8, 5).expect("valid date");
        assert_eq!(http_date(d), "Mon, 05 Aug 2024 00:00:00 GMT");
    }
}
