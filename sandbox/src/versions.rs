//! Media-type version negotiation, driven by the spec: every operation accepts exactly the
//! `application/vnd.atlas.<date>+json` versions its spec entry lists.
//!
//! Order (as Atlas): authentication first (the router's API pipeline runs it), then the
//! version check, then routing. A path no spec operation matches skips the check and falls to
//! the router's 404.

use std::sync::Arc;

use axum::extract::Request;
use axum::http::{header, HeaderValue, Method};
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
    pub operation_id: Arc<str>,
    pub versions: Vec<MediaVersion>,
    /// What a success answer in each of `versions` is stamped with (same order), computed
    /// once instead of per request.
    stamps: Vec<VersionStamp>,
    segments: Vec<Segment>,
}

/// The response headers of one version of one operation.
#[derive(Debug, Clone)]
struct VersionStamp {
    version: Arc<str>,
    /// `application/vnd.atlas.<version>+json;charset=utf-8`.
    content_type: Option<HeaderValue>,
    /// `Sunset`, for deprecated versions.
    sunset: Option<HeaderValue>,
    /// `Deprecation`: the date the next version appeared (deprecated versions only).
    deprecation: Option<HeaderValue>,
}

impl VersionStamp {
    fn new(version: &MediaVersion, all: &[MediaVersion]) -> Self {
        let ct = format!(
            "application/vnd.atlas.{}+json;charset=utf-8",
            version.version
        );
        let header_date = |d: NaiveDate| HeaderValue::from_str(&http_date(d)).ok();
        let (sunset, deprecation) = match version.sunset {
            None => (None, None),
            Some(sunset) => {
                // A deprecated version was deprecated on the date the next one appeared.
                let deprecated_on = all
                    .iter()
                    .find(|v| v.version > version.version && v.version != "preview")
                    .and_then(|v| NaiveDate::parse_from_str(&v.version, "%Y-%m-%d").ok());
                (header_date(sunset), deprecated_on.and_then(header_date))
            }
        };
        Self {
            version: Arc::from(version.version.as_str()),
            content_type: HeaderValue::from_str(&ct).ok(),
            sunset,
            deprecation,
        }
    }
}

/// Request extension set once the version is resolved: handlers and the response mapping
/// read it.
#[derive(Debug, Clone)]
pub struct ResolvedVersion {
    pub operation_id: Arc<str>,
    /// Read by areas whose body shape depends on the version (clusters).
    pub version: Arc<str>,
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
    /// Indexes into `entries` by number of path segments (ascending, so the first best
    /// match is the first in spec order, as a scan of all entries would find it).
    by_len: Vec<Vec<usize>>,
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

/// The segments of a request path, as templates are split.
fn path_parts(path: &str) -> std::str::Split<'_, char> {
    path.trim_start_matches('/').split('/')
}

/// `Some(score)` when `path` matches; the score counts literal segments so that
/// `/groups/byName/{name}` wins over a hypothetical `/groups/{id}/{x}`. (Reference for the
/// indexed [`VersionTable::lookup`].)
#[cfg(test)]
fn match_segments(template: &[Segment], path: &str) -> Option<usize> {
    if path_parts(path).count() != template.len() {
        return None;
    }
    match_parts(template, path_parts(path))
}

/// [`match_segments`] for parts already known to be as many as the template's segments.
fn match_parts<'a>(template: &[Segment], parts: impl Iterator<Item = &'a str>) -> Option<usize> {
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
        let entries: Vec<OperationEntry> = spec
            .operations()
            .iter()
            .map(|op| OperationEntry {
                method: op.method.clone(),
                operation_id: Arc::from(op.operation_id.as_str()),
                versions: op.versions.clone(),
                stamps: op
                    .versions
                    .iter()
                    .map(|v| VersionStamp::new(v, &op.versions))
                    .collect(),
                segments: parse_template(&op.path),
            })
            .collect();
        let mut by_len: Vec<Vec<usize>> = Vec::new();
        for (i, entry) in entries.iter().enumerate() {
            let len = entry.segments.len();
            if by_len.len() <= len {
                by_len.resize_with(len + 1, Vec::new);
            }
            by_len[len].push(i);
        }
        Self { entries, by_len }
    }

    pub fn lookup(&self, method: &Method, path: &str) -> Lookup<'_> {
        let mut best: Option<(usize, &OperationEntry)> = None;
        let mut path_seen = false;
        // Only templates with as many segments as the path can match it.
        let len = path_parts(path).count();
        let candidates = self.by_len.get(len).map_or(&[][..], Vec::as_slice);
        for entry in candidates.iter().map(|&i| &self.entries[i]) {
            let Some(score) = match_parts(&entry.segments, path_parts(path)) else {
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
#[cfg(test)]
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
#[cfg(test)]
pub fn negotiate(accept: Option<&str>, versions: &[MediaVersion], today: NaiveDate) -> Negotiated {
    match negotiate_index(accept, versions, today) {
        Chosen::Ok(i) => Negotiated::Ok(versions[i].clone()),
        Chosen::Gone(i) => Negotiated::Gone(versions[i].version.clone()),
        Chosen::NotAcceptable => Negotiated::NotAcceptable,
    }
}

/// [`negotiate`] by index into `versions`.
enum Chosen {
    Ok(usize),
    Gone(usize),
    NotAcceptable,
}

fn negotiate_index(accept: Option<&str>, versions: &[MediaVersion], today: NaiveDate) -> Chosen {
    let Some(accept) = accept else {
        return Chosen::NotAcceptable;
    };
    let mut gone = None;
    for range in accept.split(',') {
        let media_type = range.split(';').next().unwrap_or_default().trim();
        let Some(version) = media_type_version(media_type) else {
            continue;
        };
        let Some(i) = versions.iter().position(|v| v.version == version) else {
            continue;
        };
        match versions[i].sunset {
            Some(sunset) if sunset <= today => gone = gone.or(Some(i)),
            _ => return Chosen::Ok(i),
        }
    }
    match gone {
        Some(i) => Chosen::Gone(i),
        None => Chosen::NotAcceptable,
    }
}

/// RFC 7231 IMF-fixdate at midnight UTC, e.g. `Mon, 05 Aug 2024 00:00:00 GMT`.
fn http_date(date: NaiveDate) -> String {
    date.format("%a, %d %b %Y 00:00:00 GMT").to_string()
}

/// The version a request resolved to, and how its success answer is stamped.
pub struct Resolution<'a> {
    pub resolved: ResolvedVersion,
    stamp: &'a VersionStamp,
}

/// The request side of negotiation: `Ok(None)` for a path no spec operation matches (the
/// router's 404), `Err` for the 404/405/406/410 answers (boxed: the rare path).
pub fn resolve<'a>(
    state: &'a AppState,
    req: &Request,
) -> Result<Option<Resolution<'a>>, Box<Response>> {
    let path = crate::router::original_path_str(req);
    let entry = match state.versions().lookup(req.method(), path) {
        // axum matches `{param}` against an empty segment (`/groups//clusters`) but the spec
        // table does not: answer 404 here so no handler runs without a resolved version.
        Lookup::NoPath if path.trim_end_matches('/').contains("//") => {
            return Err(Box::new(ApiError::resource_not_found(path).into_response()))
        }
        Lookup::NoPath => return Ok(None),
        Lookup::NoMethod => {
            return Err(Box::new(
                ApiError::method_not_allowed(req.method().as_str(), path).into_response(),
            ))
        }
        Lookup::Found(entry) => entry,
    };
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok());
    let today = chrono::Utc::now().date_naive();
    let api_path = || path.trim_start_matches('/');
    let i = match negotiate_index(accept, &entry.versions, today) {
        Chosen::Ok(i) => i,
        Chosen::Gone(i) => {
            return Err(Box::new(
                ApiError::version_gone(&entry.versions[i].version, api_path()).into_response(),
            ))
        }
        Chosen::NotAcceptable => {
            let supported: Vec<String> = entry
                .versions
                .iter()
                .map(|v| format!("application/vnd.atlas.{}+json", v.version))
                .collect();
            return Err(Box::new(
                ApiError::invalid_version_date(accept.unwrap_or(""), api_path(), &supported)
                    .into_response(),
            ));
        }
    };
    // A body's versioned Content-Type must name the version Accept negotiated (a 2023
    // body read as a 2024 one would be misread silently). Unversioned JSON types are taken.
    if matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH) {
        if let Some(ct) = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
        {
            let media_type = ct.split(';').next().unwrap_or_default().trim();
            let negotiated = &entry.versions[i].version;
            if media_type_version(media_type).is_some_and(|v| v != negotiated.as_str()) {
                return Err(Box::new(
                    ApiError::unsupported_media_type(
                        ct,
                        &format!("application/vnd.atlas.{negotiated}+json"),
                    )
                    .into_response(),
                ));
            }
        }
    }
    let stamp = &entry.stamps[i];
    Ok(Some(Resolution {
        resolved: ResolvedVersion {
            operation_id: entry.operation_id.clone(),
            version: stamp.version.clone(),
        },
        stamp,
    }))
}

impl Resolution<'_> {
    /// The response side: the resolved version as an extension (for the request counter),
    /// the versioned Content-Type on a success answer, Deprecation/Sunset for deprecated
    /// versions.
    pub fn stamp(self, resp: &mut Response) {
        let stamp = self.stamp;
        resp.extensions_mut().insert(self.resolved);
        if resp.status().is_success() && resp.headers().contains_key(header::CONTENT_TYPE) {
            if let Some(ct) = &stamp.content_type {
                resp.headers_mut().insert(header::CONTENT_TYPE, ct.clone());
            }
        }
        let headers = resp.headers_mut();
        if let Some(sunset) = &stamp.sunset {
            headers.insert("Sunset", sunset.clone());
        }
        if let Some(deprecation) = &stamp.deprecation {
            headers.insert("Deprecation", deprecation.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> VersionTable {
        VersionTable::from_spec(crate::openapi::embedded().expect("spec parses"))
    }

    fn op_id(t: &VersionTable, m: Method, p: &str) -> Option<String> {
        match t.lookup(&m, p) {
            Lookup::Found(e) => Some(e.operation_id.to_string()),
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

    /// The indexed lookup finds what a scan of every entry in spec order finds.
    #[test]
    fn lookup_agrees_with_a_scan_of_all_entries() {
        let t = table();
        let scan = |m: &Method, p: &str| {
            let mut best: Option<(usize, &OperationEntry)> = None;
            let mut seen = false;
            for e in &t.entries {
                let Some(score) = match_segments(&e.segments, p) else {
                    continue;
                };
                seen = true;
                if e.method == *m && best.is_none_or(|(s, _)| score > s) {
                    best = Some((score, e));
                }
            }
            (best.map(|(_, e)| e.operation_id.to_string()), seen)
        };
        let spec = crate::openapi::embedded().expect("spec parses");
        let mut paths: Vec<String> = spec
            .operations()
            .iter()
            .flat_map(|op| {
                let concrete = |v: &str| {
                    op.path
                        .split('/')
                        .map(|s| if s.contains('{') { v } else { s })
                        .collect::<Vec<_>>()
                        .join("/")
                };
                [concrete("x"), concrete("byName"), concrete("x:addUser")]
            })
            .collect();
        paths.extend([
            "/api/atlas/v2".into(),
            "/api/atlas/v2/nope/x".into(),
            "/".into(),
        ]);
        for p in &paths {
            for m in [Method::GET, Method::POST, Method::PATCH, Method::DELETE] {
                let found = match t.lookup(&m, p) {
                    Lookup::Found(e) => (Some(e.operation_id.to_string()), true),
                    Lookup::NoMethod => (None, true),
                    Lookup::NoPath => (None, false),
                };
                assert_eq!(found, scan(&m, p), "{m} {p}");
            }
        }
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
