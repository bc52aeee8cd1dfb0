//! Project IP access list (`/groups/{groupId}/accessList`): list, add (POST an array, 201 with
//! the whole list), get, delete (204), and the per-entry propagation status.
//!
//! Atlas stores every address entry as a CIDR block: an `ipAddress` entry is kept as
//! `<ip>/32` (`/128` for IPv6), and every single-host entry is returned with both `ipAddress`
//! and `cidrBlock` (observed for IP entries; the sandbox does the same for a `/32`
//! `cidrBlock`, which is the same entry). Addresses are returned in canonical form (IPv6
//! compressed, lower case). Choices where the real API is unverified (README): a non-canonical
//! CIDR (`10.0.0.1/24`) is 400 `INVALID_CIDR_BLOCK`; posting an existing entry is an upsert
//! (comment and expiry replaced; a permanent entry cannot become temporary); a POST while
//! another POST to the same project is in flight is refused with 500 `UNEXPECTED_ERROR` (the
//! API "doesn't support concurrent POST requests"; clients retry 500s); unparseable
//! `{entryValue}`s are 400 so that encoding bugs never look like a deleted entry.

use std::net::IpAddr;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use super::database_users::{no_content, parse_delete_after};
use super::projects::find_project;
use super::{api_url, respond, self_links};
use crate::error::ApiError;
use crate::extract::{ApiPath, Query};
use crate::pagination::ListParams;
use crate::store::{timestamp, Project, Store};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/groups/{group_id}/accessList",
            get(list_entries_handler).post(create_entries_handler),
        )
        .route(
            "/groups/{group_id}/accessList/{entry_value}",
            get(get_entry_handler).delete(delete_entry_handler),
        )
        .route(
            "/groups/{group_id}/accessList/{entry_value}/status",
            get(get_status_handler),
        )
}

// ---- model --------------------------------------------------------------------------------

/// Atlas's per-project limit.
pub const MAX_ENTRIES_PER_PROJECT: usize = 200;
pub const MAX_COMMENT_CHARS: usize = 80;

/// What an entry permits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    /// A canonical network (host bits zero); a single host has the full prefix.
    Network {
        ip: IpAddr,
        prefix: u8,
    },
    SecurityGroup(String),
}

fn max_prefix(ip: &IpAddr) -> u8 {
    if ip.is_ipv4() {
        32
    } else {
        128
    }
}

impl Address {
    pub fn host(ip: IpAddr) -> Self {
        Self::Network {
            prefix: max_prefix(&ip),
            ip,
        }
    }

    /// The identity Atlas keys entries by: the CIDR block or the security group.
    pub fn key(&self) -> String {
        match self {
            Self::Network { ip, prefix } => format!("{ip}/{prefix}"),
            Self::SecurityGroup(sg) => sg.clone(),
        }
    }

    pub fn single_host(&self) -> Option<IpAddr> {
        match self {
            Self::Network { ip, prefix } if *prefix == max_prefix(ip) => Some(*ip),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub address: Address,
    pub comment: Option<String>,
    pub delete_after_date: Option<DateTime<Utc>>,
    /// When the entry was added: the status is PENDING for `transition_seconds` after it.
    pub created: DateTime<Utc>,
}

impl Entry {
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.delete_after_date.is_some_and(|d| d <= now)
    }
}

/// A project's access list, plus the marker of a POST being processed.
#[derive(Debug, Clone, Default)]
pub struct AccessList {
    pub entries: Vec<Entry>,
    pub post_in_flight: bool,
}

/// A validated entry of a POST body.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEntry {
    pub address: Address,
    pub comment: Option<String>,
    pub delete_after_date: Option<DateTime<Utc>>,
}

// ---- parsing ------------------------------------------------------------------------------

fn bad_address(value: &str) -> ApiError {
    ApiError::invalid_ip_address_or_cidr_notation(value)
}

/// `a.b.c.d` or an IPv6 address, without a prefix.
pub fn parse_ip(value: &str) -> Result<IpAddr, ApiError> {
    value.parse::<IpAddr>().map_err(|_| bad_address(value))
}

fn network_address(ip: IpAddr, prefix: u8) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V4((u32::from(v4) & mask).into())
        }
        IpAddr::V6(v6) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V6((u128::from(v6) & mask).into())
        }
    }
}

/// `<ip>/<prefix>`; the address must be the network's (canonical) address.
pub fn parse_cidr(value: &str) -> Result<Address, ApiError> {
    let (ip, prefix) = value.split_once('/').ok_or_else(|| bad_address(value))?;
    let ip = parse_ip(ip).map_err(|_| bad_address(value))?;
    let prefix: u8 = prefix
        .parse()
        .ok()
        .filter(|p| *p <= max_prefix(&ip) && !prefix.starts_with('+'))
        .ok_or_else(|| bad_address(value))?;
    if network_address(ip, prefix) != ip {
        return Err(ApiError::invalid_cidr_block(value));
    }
    Ok(Address::Network { ip, prefix })
}

/// `sg-<hex>`, optionally prefixed by the AWS account (`123456789012/sg-…`).
pub fn parse_security_group(value: &str) -> Result<Address, ApiError> {
    let sg = value.rsplit_once('/').map_or(value, |(account, sg)| {
        if !account.is_empty() && account.bytes().all(|b| b.is_ascii_digit()) {
            sg
        } else {
            ""
        }
    });
    let ok = sg.strip_prefix("sg-").is_some_and(|hex| {
        (8..=17).contains(&hex.len())
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    });
    if ok {
        Ok(Address::SecurityGroup(value.to_string()))
    } else {
        Err(ApiError::invalid_attribute("awsSecurityGroup"))
    }
}

/// A decoded `{entryValue}`: an IP, a CIDR (its `/` sent as `%2F`/`%2f`) or a security group.
pub fn parse_entry_value(value: &str) -> Result<Address, ApiError> {
    if value.contains("sg-") {
        parse_security_group(value)
    } else if value.contains('/') {
        parse_cidr(value)
    } else {
        parse_ip(value).map(Address::host)
    }
}

fn entry_string(
    item: &Map<String, Value>,
    attr: &str,
    name: &str,
) -> Result<Option<String>, ApiError> {
    match item.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::invalid_attribute(&format!("{attr}.{name}"))),
    }
}

/// One element of the POST array.
pub fn parse_entry(
    item: &Value,
    index: usize,
    group_id: &str,
    now: DateTime<Utc>,
) -> Result<NewEntry, ApiError> {
    let attr = format!("[{index}]");
    let item = item
        .as_object()
        .ok_or_else(|| ApiError::invalid_attribute(&attr))?;
    if let Some(body_group) = entry_string(item, &attr, "groupId")? {
        if body_group != group_id {
            return Err(ApiError::group_mismatch(&body_group, group_id));
        }
    }
    let ip = entry_string(item, &attr, "ipAddress")?;
    let cidr = entry_string(item, &attr, "cidrBlock")?;
    let sg = entry_string(item, &attr, "awsSecurityGroup")?;
    let address = match (ip, cidr, sg) {
        (Some(ip), None, None) => Address::host(parse_ip(&ip)?),
        (None, Some(cidr), None) => parse_cidr(&cidr)?,
        (None, None, Some(sg)) => parse_security_group(&sg)?,
        (None, None, None) => {
            return Err(ApiError::missing_attribute(&format!(
                "{attr}.ipAddress, cidrBlock or awsSecurityGroup"
            )))
        }
        _ => return Err(ApiError::multiple_values_specified_for_one_network_permission_entry()),
    };
    let comment = entry_string(item, &attr, "comment")?;
    if let Some(c) = &comment {
        if c.chars().count() > MAX_COMMENT_CHARS {
            return Err(ApiError::invalid_network_permission_comment(c));
        }
    }
    let delete_after_date = match entry_string(item, &attr, "deleteAfterDate")? {
        Some(d) => Some(parse_delete_after(&d, now)?),
        None => None,
    };
    if delete_after_date.is_some() && matches!(address, Address::SecurityGroup(_)) {
        return Err(ApiError::network_permission_expiration_not_supported());
    }
    Ok(NewEntry {
        address,
        comment,
        delete_after_date,
    })
}

/// The POST body: an array of entries, no address twice.
pub fn parse_entries(
    items: &[Value],
    group_id: &str,
    now: DateTime<Utc>,
) -> Result<Vec<NewEntry>, ApiError> {
    let mut out: Vec<NewEntry> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let entry = parse_entry(item, i, group_id, now)?;
        if out.iter().any(|e| e.address == entry.address) {
            return Err(ApiError::duplicate_addresses_in_input(&entry.address.key()));
        }
        out.push(entry);
    }
    Ok(out)
}

/// A JSON array body. Syntax errors are `MALFORMED_JSON`; empty or non-array is `INVALID_JSON`.
pub struct JsonArray(pub Vec<Value>);

impl<S: Send + Sync> FromRequest<S> for JsonArray {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| ApiError::invalid_json())?;
        parse_array(&bytes).map(Self)
    }
}

pub fn parse_array(bytes: &[u8]) -> Result<Vec<Value>, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::invalid_json());
    }
    match serde_json::from_slice(bytes).map_err(|_| ApiError::malformed_json())? {
        Value::Array(items) => Ok(items),
        _ => Err(ApiError::invalid_json()),
    }
}

// ---- store operations ---------------------------------------------------------------------

/// Drop temporary entries whose `deleteAfterDate` has passed (Atlas removes them itself).
pub fn purge_expired(project: &mut Project, now: DateTime<Utc>) {
    project
        .children
        .access_list
        .entries
        .retain(|e| !e.is_expired(now));
}

fn project_mut<'a>(
    store: &'a mut Store,
    group_id: &str,
    now: DateTime<Utc>,
) -> Result<&'a mut Project, ApiError> {
    find_project(store, group_id)?;
    let project = store
        .project_mut(group_id)
        .ok_or_else(|| ApiError::group_not_found(group_id))?;
    purge_expired(project, now);
    Ok(project)
}

/// AWS security-group entries need a VPC peering connection; the sandbox emulates none yet.
fn has_aws_peering(_project: &Project) -> bool {
    false
}

pub fn list_entries(
    store: &mut Store,
    group_id: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Entry>, ApiError> {
    Ok(project_mut(store, group_id, now)?
        .children
        .access_list
        .entries
        .clone())
}

/// Add or update entries (upsert by address), all or nothing; returns the whole list.
pub fn add_entries(
    store: &mut Store,
    group_id: &str,
    new: Vec<NewEntry>,
    now: DateTime<Utc>,
) -> Result<Vec<Entry>, ApiError> {
    let project = project_mut(store, group_id, now)?;
    if new
        .iter()
        .any(|e| matches!(e.address, Address::SecurityGroup(_)))
        && !has_aws_peering(project)
    {
        return Err(ApiError::cannot_use_aws_security_group_without_vpc_peering_connection());
    }
    let mut entries = project.children.access_list.entries.clone();
    for n in new {
        match entries.iter_mut().find(|e| e.address == n.address) {
            Some(existing) => {
                if existing.delete_after_date.is_none() && n.delete_after_date.is_some() {
                    return Err(ApiError::permanent_entity_cannot_be_made_temporary());
                }
                existing.comment = n.comment;
                existing.delete_after_date = n.delete_after_date;
            }
            None => entries.push(Entry {
                address: n.address,
                comment: n.comment,
                delete_after_date: n.delete_after_date,
                created: now,
            }),
        }
    }
    if entries.len() > MAX_ENTRIES_PER_PROJECT {
        return Err(ApiError::atlas_network_permissions_limit_exceeded(
            MAX_ENTRIES_PER_PROJECT,
        ));
    }
    project.children.access_list.entries = entries.clone();
    Ok(entries)
}

fn not_found(address: &Address, group_id: &str) -> ApiError {
    ApiError::atlas_network_permission_entry_not_found(&address.key(), group_id)
}

pub fn get_entry(
    store: &mut Store,
    group_id: &str,
    address: &Address,
    now: DateTime<Utc>,
) -> Result<Entry, ApiError> {
    project_mut(store, group_id, now)?
        .children
        .access_list
        .entries
        .iter()
        .find(|e| e.address == *address)
        .cloned()
        .ok_or_else(|| not_found(address, group_id))
}

pub fn delete_entry(
    store: &mut Store,
    group_id: &str,
    address: &Address,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let entries = &mut project_mut(store, group_id, now)?
        .children
        .access_list
        .entries;
    let i = entries
        .iter()
        .position(|e| e.address == *address)
        .ok_or_else(|| not_found(address, group_id))?;
    entries.remove(i);
    Ok(())
}

/// PENDING while the change propagates (`transition_seconds` after creation), then ACTIVE.
pub fn entry_status(entry: &Entry, now: DateTime<Utc>, transition_seconds: f64) -> &'static str {
    let millis = (transition_seconds * 1000.0).round();
    // Config validation keeps transition_seconds finite and >= 0; the cast saturates.
    let settle = chrono::Duration::milliseconds(millis as i64);
    if now < entry.created + settle {
        "PENDING"
    } else {
        "ACTIVE"
    }
}

/// Mark the project's access list as being written; `None` when a POST is already in
/// flight (or the project is gone).
pub fn try_begin_post(store: &mut Store, group_id: &str) -> Result<(), ApiError> {
    let project = store
        .project_mut(group_id)
        .ok_or_else(|| ApiError::group_not_found(group_id))?;
    if project.children.access_list.post_in_flight {
        return Err(ApiError::unexpected_error());
    }
    project.children.access_list.post_in_flight = true;
    Ok(())
}

pub fn end_post(store: &mut Store, group_id: &str) {
    if let Some(project) = store.project_mut(group_id) {
        project.children.access_list.post_in_flight = false;
    }
}

/// Clears the in-flight marker however the handler ends (also when the client goes away
/// and the future is dropped).
struct PostGuard {
    state: AppState,
    group_id: String,
}

impl Drop for PostGuard {
    fn drop(&mut self) {
        end_post(&mut self.state.store(), &self.group_id);
    }
}

// ---- representation ----------------------------------------------------------------------

/// `/` as `%2F`, as Atlas's self links.
fn encode_key(key: &str) -> String {
    key.replace('/', "%2F")
}

/// The `NetworkPermissionEntry` representation.
pub fn entry_json(group_id: &str, entry: &Entry, base_url: &str) -> Value {
    let key = entry.address.key();
    let mut v = json!({
        "groupId": group_id,
        "links": self_links(base_url, &format!("/groups/{group_id}/accessList/{}", encode_key(&key))),
    });
    match &entry.address {
        Address::Network { .. } => {
            v["cidrBlock"] = json!(key);
            if let Some(ip) = entry.address.single_host() {
                v["ipAddress"] = json!(ip.to_string());
            }
        }
        Address::SecurityGroup(sg) => v["awsSecurityGroup"] = json!(sg),
    }
    if let Some(c) = &entry.comment {
        v["comment"] = json!(c);
    }
    if let Some(d) = entry.delete_after_date {
        v["deleteAfterDate"] = json!(timestamp(d));
    }
    v
}

fn page(state: &AppState, group_id: &str, entries: &[Entry], params: ListParams) -> Value {
    let base = state.base_url();
    let items = entries
        .iter()
        .map(|e| entry_json(group_id, e, base))
        .collect();
    params.page(
        items,
        &api_url(base, &format!("/groups/{group_id}/accessList")),
    )
}

// ---- handlers -----------------------------------------------------------------------------

async fn list_entries_handler(
    State(state): State<AppState>,
    ApiPath(group_id): ApiPath<String>,
    Query(q): Query,
) -> Result<Response, ApiError> {
    let params = ListParams::from_query(&q)?;
    let entries = list_entries(&mut state.store(), &group_id, Utc::now())?;
    Ok(respond(
        StatusCode::OK,
        page(&state, &group_id, &entries, params),
    ))
}

async fn create_entries_handler(
    State(state): State<AppState>,
    ApiPath(group_id): ApiPath<String>,
    Query(q): Query,
    JsonArray(items): JsonArray,
) -> Result<Response, ApiError> {
    let params = ListParams::from_query(&q)?;
    find_project(&state.store(), &group_id)?;
    let new = parse_entries(&items, &group_id, Utc::now())?;
    try_begin_post(&mut state.store(), &group_id).inspect_err(|_| {
        tracing::info!(%group_id, "concurrent access list POST refused");
    })?;
    let _guard = PostGuard {
        state: state.clone(),
        group_id: group_id.clone(),
    };
    // The processing window during which a second POST is refused.
    let window = state.access_list_post_window();
    if window > Duration::ZERO {
        tokio::time::sleep(window).await;
    }
    let entries = add_entries(&mut state.store(), &group_id, new, Utc::now())?;
    tracing::info!(%group_id, total = entries.len(), "access list updated");
    Ok(respond(
        StatusCode::CREATED,
        page(&state, &group_id, &entries, params),
    ))
}

/// Project first (404 for unknown projects), then the entry value.
fn lookup(state: &AppState, group_id: &str, entry_value: &str) -> Result<Address, ApiError> {
    find_project(&state.store(), group_id)?;
    parse_entry_value(entry_value)
}

async fn get_entry_handler(
    State(state): State<AppState>,
    ApiPath((group_id, entry_value)): ApiPath<(String, String)>,
    Query(q): Query,
) -> Result<Response, ApiError> {
    q.check_common()?;
    let address = lookup(&state, &group_id, &entry_value)?;
    let entry = get_entry(&mut state.store(), &group_id, &address, Utc::now())?;
    Ok(respond(
        StatusCode::OK,
        entry_json(&group_id, &entry, state.base_url()),
    ))
}

async fn delete_entry_handler(
    State(state): State<AppState>,
    ApiPath((group_id, entry_value)): ApiPath<(String, String)>,
    Query(q): Query,
) -> Result<Response, ApiError> {
    q.check_common()?;
    let address = lookup(&state, &group_id, &entry_value)?;
    delete_entry(&mut state.store(), &group_id, &address, Utc::now())?;
    tracing::info!(%group_id, entry = %address.key(), "access list entry deleted");
    Ok(no_content())
}

async fn get_status_handler(
    State(state): State<AppState>,
    ApiPath((group_id, entry_value)): ApiPath<(String, String)>,
    Query(q): Query,
) -> Result<Response, ApiError> {
    q.check_common()?;
    let address = lookup(&state, &group_id, &entry_value)?;
    let now = Utc::now();
    let entry = get_entry(&mut state.store(), &group_id, &address, now)?;
    let status = entry_status(&entry, now, state.transition_seconds());
    Ok(respond(StatusCode::OK, json!({ "STATUS": status })))
}
