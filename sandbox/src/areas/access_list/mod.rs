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

mod errors;

use std::net::IpAddr;
use std::time::Duration;

use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::collection::{find, items_mut, ProjectCollection};
use super::database_users::{no_content, parse_delete_after};
use super::projects::find_project;
use super::{api_url, item, respond, respond_typed, self_link, Link};
use crate::areas::{Project, ProjectChildren, Store};
use crate::error::ApiError;
use crate::extract::{typed_value, ApiPath, Query};
use crate::lifecycle::{self, Life, Phases, Then, Timed};
use crate::pagination::ListParams;
use crate::store::timestamp;
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AccessList {
    pub entries: Vec<Entry>,
    /// Transient: a POST in flight when the process died must not hold the project forever.
    #[serde(skip)]
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

/// One element of the POST array as sent (unknown attributes are ignored; null reads as
/// absent).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntryBody {
    group_id: Option<String>,
    ip_address: Option<String>,
    cidr_block: Option<String>,
    aws_security_group: Option<String>,
    comment: Option<String>,
    delete_after_date: Option<String>,
}

/// One element of the POST array, checked.
pub fn parse_entry(
    item: EntryBody,
    index: usize,
    group_id: &str,
    now: DateTime<Utc>,
) -> Result<NewEntry, ApiError> {
    if let Some(body_group) = &item.group_id {
        if body_group != group_id {
            return Err(ApiError::group_mismatch(body_group, group_id));
        }
    }
    let address = match (item.ip_address, item.cidr_block, item.aws_security_group) {
        (Some(ip), None, None) => Address::host(parse_ip(&ip)?),
        (None, Some(cidr), None) => parse_cidr(&cidr)?,
        (None, None, Some(sg)) => parse_security_group(&sg)?,
        (None, None, None) => {
            return Err(ApiError::missing_attribute(&format!(
                "[{index}].ipAddress, cidrBlock or awsSecurityGroup"
            )))
        }
        _ => return Err(ApiError::multiple_values_specified_for_one_network_permission_entry()),
    };
    if let Some(c) = &item.comment {
        if c.chars().count() > MAX_COMMENT_CHARS {
            return Err(ApiError::invalid_network_permission_comment(c));
        }
    }
    let delete_after_date = match &item.delete_after_date {
        Some(d) => Some(parse_delete_after(d, now)?),
        None => None,
    };
    if delete_after_date.is_some() && matches!(address, Address::SecurityGroup(_)) {
        return Err(ApiError::network_permission_expiration_not_supported());
    }
    Ok(NewEntry {
        address,
        comment: item.comment,
        delete_after_date,
    })
}

/// The POST body: an array of entries (a wrong type names the item's path, `[2].comment`),
/// no address twice.
pub fn parse_entries(
    items: Vec<Value>,
    group_id: &str,
    now: DateTime<Utc>,
) -> Result<Vec<NewEntry>, ApiError> {
    let items: Vec<EntryBody> = typed_value(Value::Array(items), &[])?;
    let mut out: Vec<NewEntry> = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
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
        let bytes = crate::extract::body_bytes(req, state).await?;
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

/// The project's entries; temporary ones whose `deleteAfterDate` has passed are dropped
/// before every access (Atlas removes them itself).
pub struct Entries;

impl ProjectCollection for Entries {
    type Item = Entry;

    fn of_mut(children: &mut ProjectChildren) -> &mut Vec<Entry> {
        &mut children.access_list.entries
    }

    fn tidy(entries: &mut Vec<Entry>, now: DateTime<Utc>) {
        entries.retain(|e| !e.is_expired(now));
    }
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
    Ok(items_mut::<Entries>(store, group_id, now)?.clone())
}

/// Add or update entries (upsert by address), all or nothing; returns the whole list.
pub fn add_entries(
    store: &mut Store,
    group_id: &str,
    new: Vec<NewEntry>,
    now: DateTime<Utc>,
) -> Result<Vec<Entry>, ApiError> {
    let project = find_project(store, group_id)?;
    if new
        .iter()
        .any(|e| matches!(e.address, Address::SecurityGroup(_)))
        && !has_aws_peering(project)
    {
        return Err(ApiError::cannot_use_aws_security_group_without_vpc_peering_connection());
    }
    let stored = items_mut::<Entries>(store, group_id, now)?;
    let mut entries = stored.clone();
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
    *stored = entries.clone();
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
    let entries = items_mut::<Entries>(store, group_id, now)?;
    let i = find(
        entries,
        |e| e.address == *address,
        || not_found(address, group_id),
    )?;
    Ok(entries[i].clone())
}

pub fn delete_entry(
    store: &mut Store,
    group_id: &str,
    address: &Address,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let entries = items_mut::<Entries>(store, group_id, now)?;
    let i = find(
        entries,
        |e| e.address == *address,
        || not_found(address, group_id),
    )?;
    entries.remove(i);
    Ok(())
}

/// An entry's propagation status, declared with [`crate::lifecycle`]: PENDING for
/// `transition_seconds` after the entry was added, then ACTIVE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryStatus {
    Pending,
    Active,
}

impl Phases for EntryStatus {
    const TIMED: &'static [Timed<Self>] = &[Timed {
        from: EntryStatus::Pending,
        then: Then::Phase(EntryStatus::Active),
        lasts: 1.0,
    }];
    const REQUESTS: &'static [lifecycle::Request<Self>] = &[];

    fn name(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Active => "ACTIVE",
        }
    }
}

/// The entry's status at `now` (its life starts PENDING when it was added; the current
/// `transition_seconds` applies).
pub fn entry_status(entry: &Entry, now: DateTime<Utc>, transition_seconds: f64) -> &'static str {
    let unit = lifecycle::unit(transition_seconds);
    Life::start(EntryStatus::Pending, entry.created, unit)
        .phase_at(now, unit)
        .name()
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

/// The `NetworkPermissionEntry` representation (fields in alphabetical order).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EntryView<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    aws_security_group: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cidr_block: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    delete_after_date: Option<String>,
    group_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    ip_address: Option<String>,
    links: [Link; 1],
}

impl<'a> EntryView<'a> {
    pub fn of(group_id: &'a str, entry: &'a Entry, base_url: &str) -> Self {
        let key = entry.address.key();
        let links = self_link(
            base_url,
            &format!("/groups/{group_id}/accessList/{}", encode_key(&key)),
        );
        let (aws_security_group, cidr_block) = match &entry.address {
            Address::Network { .. } => (None, Some(key)),
            Address::SecurityGroup(sg) => (Some(sg.as_str()), None),
        };
        Self {
            aws_security_group,
            cidr_block,
            comment: entry.comment.as_deref(),
            delete_after_date: entry.delete_after_date.map(timestamp),
            group_id,
            ip_address: entry.address.single_host().map(|ip| ip.to_string()),
            links,
        }
    }
}

/// [`EntryView`] as a `Value` (list items).
pub fn entry_json(group_id: &str, entry: &Entry, base_url: &str) -> Value {
    item(&EntryView::of(group_id, entry, base_url))
}

/// `{"STATUS": …}` of `…/status`.
#[derive(Serialize)]
struct StatusView {
    #[serde(rename = "STATUS")]
    status: &'static str,
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
    let new = parse_entries(items, &group_id, Utc::now())?;
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
    Ok(respond_typed(
        StatusCode::OK,
        &EntryView::of(&group_id, &entry, state.base_url()),
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
    Ok(respond_typed(StatusCode::OK, &StatusView { status }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::areas::projects::{create_project, parse_create};
    use serde_json::json;

    fn store_with_project() -> (Store, String) {
        let mut s = Store::bootstrap("k", "p", Some(4), Utc::now());
        let body = json!({"name": "p", "orgId": s.orgs[0].id});
        let new = parse_create(body.as_object().expect("object"), None).expect("valid");
        let id = create_project(&mut s, new, Utc::now()).expect("created").id;
        (s, id)
    }

    fn entries(v: Value) -> Result<Vec<NewEntry>, ApiError> {
        parse_entries(v.as_array().expect("array").clone(), "g", Utc::now())
    }

    #[test]
    fn cidr_parsing_is_strict_and_canonical() {
        assert_eq!(parse_cidr("10.0.0.0/8").expect("ok").key(), "10.0.0.0/8");
        assert_eq!(parse_cidr("0.0.0.0/0").expect("ok").key(), "0.0.0.0/0");
        assert_eq!(
            parse_cidr("2001:DB8::/32").expect("ok").key(),
            "2001:db8::/32"
        );
        assert_eq!(
            parse_cidr("10.0.0.1/24").expect_err("host bits").code,
            "INVALID_CIDR_BLOCK"
        );
        for bad in [
            "10.0.0.0",
            "10.0.0.0/",
            "10.0.0.0/+8",
            "10.0.0.0/33",
            "::/129",
            "a/8",
        ] {
            assert_eq!(
                parse_cidr(bad).expect_err(bad).code,
                "INVALID_IP_ADDRESS_OR_CIDR_NOTATION",
                "{bad}"
            );
        }
    }

    #[test]
    fn entry_values_decode_to_the_same_identity() {
        let host = parse_entry_value("192.0.2.1").expect("ip");
        assert_eq!(host, parse_entry_value("192.0.2.1/32").expect("cidr"));
        assert_eq!(host.single_host(), Some("192.0.2.1".parse().expect("ip")));
        assert_eq!(parse_entry_value("::1").expect("v6").key(), "::1/128");
        assert_eq!(
            parse_entry_value("sg-903004f8").expect("sg"),
            Address::SecurityGroup("sg-903004f8".into())
        );
        assert!(parse_entry_value("123456789012/sg-903004f8").is_ok());
        assert!(parse_entry_value("sg-xyz").is_err());
        assert!(
            parse_entry_value("10.0.0.0%2F24").is_err(),
            "double-encoded"
        );
    }

    #[test]
    fn parse_entries_checks_each_entry_and_duplicates() {
        let code = |v: Value| entries(v).expect_err("bad").code;
        assert_eq!(
            code(json!([{"ipAddress": "1.2.3.4", "awsSecurityGroup": "sg-12345678"}])),
            "MULTIPLE_VALUES_SPECIFIED_FOR_ONE_NETWORK_PERMISSION_ENTRY"
        );
        assert_eq!(
            code(json!([{"ipAddress": "1.2.3.4"}, {"cidrBlock": "1.2.3.4/32"}])),
            "DUPLICATE_ADDRESSES_IN_INPUT"
        );
        assert_eq!(
            code(json!([{"ipAddress": "1.2.3.4", "comment": "x".repeat(81)}])),
            "INVALID_NETWORK_PERMISSION_COMMENT"
        );
        assert_eq!(
            code(json!([{"ipAddress": "1.2.3.4", "groupId": "h"}])),
            "GROUP_MISMATCH"
        );
        let ok =
            entries(json!([{"ipAddress": "1.2.3.4", "comment": "x".repeat(80), "groupId": "g"}]))
                .expect("valid");
        assert_eq!(ok[0].address.key(), "1.2.3.4/32");
        assert_eq!(parse_array(b" ").expect_err("empty").code, "INVALID_JSON");
        assert_eq!(parse_array(b"{}").expect_err("object").code, "INVALID_JSON");
        assert_eq!(
            parse_array(b"[").expect_err("syntax").code,
            "MALFORMED_JSON"
        );
    }

    #[test]
    fn add_upserts_and_respects_the_limit_all_or_nothing() {
        let (mut s, g) = store_with_project();
        let now = Utc::now();
        let new = |ip: String, comment: Option<&str>| NewEntry {
            address: Address::host(parse_ip(&ip).expect("ip")),
            comment: comment.map(str::to_string),
            delete_after_date: None,
        };
        let batch: Vec<NewEntry> = (0..MAX_ENTRIES_PER_PROJECT)
            .map(|i| new(format!("10.0.{}.{}", i / 256, i % 256), None))
            .collect();
        assert_eq!(
            add_entries(&mut s, &g, batch, now).expect("added").len(),
            200
        );
        let list = add_entries(&mut s, &g, vec![new("10.0.0.0".into(), Some("c"))], now)
            .expect("upsert at the limit");
        assert_eq!(list[0].comment.as_deref(), Some("c"));
        let e = add_entries(
            &mut s,
            &g,
            vec![
                new("10.0.0.1".into(), Some("d")),
                new("10.9.9.9".into(), None),
            ],
            now,
        )
        .expect_err("limit");
        assert_eq!(e.code, "ATLAS_NETWORK_PERMISSIONS_LIMIT_EXCEEDED");
        let kept = list_entries(&mut s, &g, now).expect("list");
        assert_eq!(kept[1].comment, None, "a refused POST changes nothing");
    }

    #[test]
    fn status_settles_and_temporary_entries_expire() {
        let (mut s, g) = store_with_project();
        let now = Utc::now();
        let soon = now + chrono::Duration::hours(1);
        let entry = NewEntry {
            address: parse_cidr("10.1.0.0/16").expect("cidr"),
            comment: None,
            delete_after_date: Some(soon),
        };
        let list = add_entries(&mut s, &g, vec![entry], now).expect("added");
        assert_eq!(entry_status(&list[0], now, 2.0), "PENDING");
        assert_eq!(
            entry_status(&list[0], now + chrono::Duration::seconds(2), 2.0),
            "ACTIVE"
        );
        assert_eq!(entry_status(&list[0], now, 0.0), "ACTIVE");
        let later = soon + chrono::Duration::seconds(1);
        assert!(list_entries(&mut s, &g, later).expect("list").is_empty());
    }

    #[test]
    fn security_groups_need_peering() {
        let (mut s, g) = store_with_project();
        let sg = NewEntry {
            address: parse_security_group("sg-12345678").expect("sg"),
            comment: None,
            delete_after_date: None,
        };
        assert_eq!(
            add_entries(&mut s, &g, vec![sg], Utc::now())
                .expect_err("no peering")
                .code,
            "CANNOT_USE_AWS_SECURITY_GROUP_WITHOUT_VPC_PEERING_CONNECTION"
        );
    }

    #[test]
    fn one_post_at_a_time_per_project() {
        let (mut s, g) = store_with_project();
        try_begin_post(&mut s, &g).expect("first");
        let e = try_begin_post(&mut s, &g).expect_err("second");
        assert_eq!(
            (e.status, e.code),
            (StatusCode::INTERNAL_SERVER_ERROR, "UNEXPECTED_ERROR")
        );
        end_post(&mut s, &g);
        try_begin_post(&mut s, &g).expect("after the first ended");
        s.reset();
        end_post(&mut s, &g);
    }

    #[test]
    fn entry_json_shapes_hosts_blocks_and_links() {
        let now = Utc::now();
        let e = Entry {
            address: parse_cidr("10.0.0.0/24").expect("cidr"),
            comment: Some("c".into()),
            delete_after_date: None,
            created: now,
        };
        let v = entry_json("g", &e, "http://h");
        assert_eq!(
            v,
            json!({"cidrBlock": "10.0.0.0/24", "comment": "c", "groupId": "g",
                   "links": [{"href": "http://h/api/atlas/v2/groups/g/accessList/10.0.0.0%2F24", "rel": "self"}]})
        );
        let host = Entry {
            address: Address::host("2001:db8::1".parse().expect("ip")),
            comment: None,
            ..e
        };
        let v = entry_json("g", &host, "http://h");
        assert_eq!(v["ipAddress"], json!("2001:db8::1"));
        assert_eq!(v["cidrBlock"], json!("2001:db8::1/128"));
    }

    #[test]
    fn typed_entries_name_the_item_path_and_views_are_in_key_order() {
        let e = entries(json!([{"ipAddress": "1.2.3.4"}, {"comment": 5}])).expect_err("type");
        assert_eq!(
            (e.code, e.parameters[0].as_str()),
            ("INVALID_ATTRIBUTE", Some("[1].comment"))
        );
        let e = entries(json!([{"ipAddress": "1.2.3.4"}, 7])).expect_err("item");
        assert_eq!(
            (e.code, e.parameters[0].as_str()),
            ("INVALID_ATTRIBUTE", Some("[1]"))
        );
        let now = Utc::now();
        for address in [
            Address::host("10.0.0.1".parse().expect("ip")),
            Address::SecurityGroup("sg-12345678".into()),
        ] {
            let entry = Entry {
                address,
                comment: Some("c".into()),
                delete_after_date: Some(now),
                created: now,
            };
            assert_eq!(
                serde_json::to_string(&EntryView::of("g", &entry, "http://h")).expect("json"),
                serde_json::to_string(&entry_json("g", &entry, "http://h")).expect("json")
            );
        }
    }
}
