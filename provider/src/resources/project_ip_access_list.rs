//! `mongodbatlas_project_ip_access_list`: one entry of a project's IP access list.
//!
//! Same names, `timeouts` attribute (`read`, `delete`), encoded `id` (`entry`, `project_id`)
//! and import format (`{project_id}-{entry}`) as the official resource. Every argument forces a
//! replacement: the API has no update.
//!
//! Plans are normalised: `ip_address = "1.2.3.4"` plans `cidr_block = "1.2.3.4/32"`, a
//! single-address `cidr_block` plans the matching `ip_address`, and the other kinds plan null,
//! so nothing shows as "(known after apply)" and state always equals the plan.
//!
//! Creates go through the per-project [`crate::access_list_batcher`] (concurrent creates in a
//! project share one POST; no two writes to a project overlap). Like the official provider, a
//! create does not wait for Atlas to report the entry ACTIVE (that takes a GET per entry and
//! serialises large applies); the entry exists and is in state once its POST is answered.
//! Deletes wait until the entry is gone.
//!
//! Reads look the entry up in the project's whole list, shared by all concurrent reads of the
//! project's entries through [`crate::read_cache`] (a refresh of 200 entries is one list call);
//! every create and delete invalidates that list.

use crate::access_list_batcher::BatchSender;
use crate::calls;
use crate::errors::api_error;
use crate::ids::{encode_state_id, split_access_list_import_id};
use crate::AtlasClient;
use async_trait::async_trait;
use atlas_admin_sdk::models::AccessListEntry;
use atlas_admin_sdk::{Client, Error, ListOptions, Poll};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::Duration;
use tfplugin::context::Context;
use tfplugin::diagnostics::{Diagnostic, Diagnostics};
use tfplugin::path::AttributePath;
use tfplugin::resource::{
    CreateRequest, DeleteRequest, PlanContext, ReadRequest, Resource, UpdateRequest,
};
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::timeouts::{timeouts_attribute, Timeouts};
use tfplugin::value::Value;

pub struct ProjectIpAccessListResource;

/// The three kinds of entry; exactly one is configured.
pub const ENTRY_KINDS: [&str; 3] = ["cidr_block", "ip_address", "aws_security_group"];

const DEFAULT_DELETE_TIMEOUT: Duration = Duration::from_secs(45 * 60);
const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(2 * 60);

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct AccessListModel {
    pub id: Option<String>,
    pub project_id: Option<String>,
    pub cidr_block: Option<String>,
    pub ip_address: Option<String>,
    pub aws_security_group: Option<String>,
    pub comment: Option<String>,
    pub timeouts: Option<Timeouts>,
}

/// `1.2.3.4` → `1.2.3.4/32`, `2001:db8::1` → `2001:db8::1/128`; `None` if not an address.
pub fn ip_to_cidr(ip: &str) -> Option<String> {
    match ip.parse::<IpAddr>().ok()? {
        IpAddr::V4(a) => Some(format!("{a}/32")),
        IpAddr::V6(a) => Some(format!("{a}/128")),
    }
}

/// The address of a single-address block (`/32`, `/128`); `None` for wider blocks.
pub fn cidr_to_ip(cidr: &str) -> Option<String> {
    let (addr, prefix) = cidr.split_once('/')?;
    match (addr.parse::<IpAddr>().ok()?, prefix) {
        (IpAddr::V4(a), "32") => Some(a.to_string()),
        (IpAddr::V6(a), "128") => Some(a.to_string()),
        _ => None,
    }
}

/// Equal as addresses or blocks (`2001:DB8::1` = `2001:db8::1`), else as text.
fn same_entry(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let parse = |s: &str| -> Option<(IpAddr, Option<String>)> {
        match s.split_once('/') {
            Some((addr, prefix)) => Some((addr.parse().ok()?, Some(prefix.to_string()))),
            None => Some((s.parse().ok()?, None)),
        }
    };
    matches!((parse(a), parse(b)), (Some(x), Some(y)) if x == y)
}

/// The official id's `entry`: the CIDR block, else the security group, else the IP.
fn id_entry(cidr: Option<&str>, ip: Option<&str>, sg: Option<&str>) -> Option<String> {
    [cidr, sg, ip]
        .into_iter()
        .flatten()
        .find(|v| !v.is_empty())
        .map(str::to_string)
}

pub fn access_list_state_id(project_id: &str, entry: &str) -> String {
    encode_state_id(&BTreeMap::from([
        ("entry", entry),
        ("project_id", project_id),
    ]))
}

/// The value addressing the entry in API paths: the configured kind.
fn path_entry(m: &AccessListModel) -> Option<String> {
    [&m.cidr_block, &m.ip_address, &m.aws_security_group]
        .into_iter()
        .flatten()
        .find(|v| !v.is_empty())
        .cloned()
}

/// The API's version of an entry, normalised (both address forms filled in) and spelt as in
/// `prior` where they mean the same.
pub fn flatten(entry: &AccessListEntry, prior: &AccessListModel) -> AccessListModel {
    let non_empty = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
    let sg = non_empty(&entry.aws_security_group);
    let mut cidr = non_empty(&entry.cidr_block);
    let mut ip = non_empty(&entry.ip_address);
    if sg.is_none() {
        if cidr.is_none() {
            cidr = ip.as_deref().and_then(ip_to_cidr);
        }
        if ip.is_none() {
            ip = cidr.as_deref().and_then(cidr_to_ip);
        }
    }
    let keep_spelling = |answered: Option<String>, prior: &Option<String>| match (answered, prior) {
        (Some(a), Some(p)) if same_entry(&a, p) => Some(p.clone()),
        (a, _) => a,
    };
    let cidr = keep_spelling(cidr, &prior.cidr_block);
    let ip = keep_spelling(ip, &prior.ip_address);
    let comment =
        non_empty(&entry.comment).or_else(|| prior.comment.clone().filter(String::is_empty));
    let project_id = prior
        .project_id
        .clone()
        .or_else(|| entry.group_id.clone())
        .unwrap_or_default();
    let id = id_entry(cidr.as_deref(), ip.as_deref(), sg.as_deref())
        .map(|e| access_list_state_id(&project_id, &e));
    AccessListModel {
        id,
        project_id: Some(project_id),
        cidr_block: cidr,
        ip_address: ip,
        aws_security_group: sg,
        comment,
        timeouts: prior.timeouts.clone(),
    }
}

/// The create body: only the configured kind, and the comment.
pub fn expand(config: &AccessListModel) -> AccessListEntry {
    AccessListEntry {
        cidr_block: config.cidr_block.clone(),
        ip_address: config.ip_address.clone(),
        aws_security_group: config.aws_security_group.clone(),
        comment: config.comment.clone(),
        ..Default::default()
    }
}

/// The entries of `items` as they are now in Atlas, if every one of them is there.
async fn all_present(
    client: &Client,
    project_id: &str,
    items: &[AccessListEntry],
) -> Result<Option<Vec<AccessListEntry>>, Error> {
    let mut found = Vec::with_capacity(items.len());
    for item in items {
        let Some(key) = path_entry(&AccessListModel {
            cidr_block: item.cidr_block.clone(),
            ip_address: item.ip_address.clone(),
            aws_security_group: item.aws_security_group.clone(),
            ..Default::default()
        }) else {
            return Ok(None);
        };
        match client.access_list().get_opt(project_id, &key).await? {
            Some(e) => found.push(e),
            None => return Ok(None),
        }
    }
    Ok(Some(found))
}

/// One POST per batch for the real API. Re-posting an entry is an upsert, so an ambiguous
/// failure the SDK does not retry for a POST (a 5xx — Atlas answers concurrent POSTs from
/// another Terraform run with a 500; a lost connection; a timeout) is retried a bounded number
/// of times (429 and refused connections the SDK already retried). When the last attempt fails
/// ambiguously the entries are looked up: if every one is there, the batch took effect.
#[async_trait]
impl BatchSender<AccessListEntry> for Client {
    async fn send(
        &self,
        project_id: &str,
        items: Vec<AccessListEntry>,
    ) -> Result<Vec<AccessListEntry>, Error> {
        let mut attempt = 1;
        loop {
            // The answer is the list after the POST; ask for all of it so every entry of the
            // batch is found in it (the default page of 100 could miss some).
            let whole =
                ListOptions::new().items_per_page(atlas_admin_sdk::pagination::MAX_ITEMS_PER_PAGE);
            match self
                .access_list()
                .create_with(project_id, &items, whole)
                .await
            {
                Ok(page) => return Ok(page.results),
                Err(e) if calls::is_ambiguous(&e) && attempt < calls::ATTEMPTS => {
                    tracing::debug!(project_id, attempt, error = %e, "access list POST failed, retrying");
                    tokio::time::sleep(Duration::from_millis(250 * u64::from(attempt))).await;
                    attempt += 1;
                }
                Err(e) if calls::is_ambiguous(&e) => {
                    return match all_present(self, project_id, &items).await {
                        Ok(Some(found)) => Ok(found),
                        _ => Err(e),
                    };
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn matches(&self, requested: &AccessListEntry, answered: &AccessListEntry) -> bool {
        let eq = |a: &Option<String>, b: &Option<String>| matches!((a, b), (Some(a), Some(b)) if same_entry(a, b));
        if requested.aws_security_group.is_some() {
            return eq(&requested.aws_security_group, &answered.aws_security_group);
        }
        if requested.ip_address.is_some() {
            return eq(&requested.ip_address, &answered.ip_address)
                || eq(
                    &requested.ip_address.as_deref().and_then(ip_to_cidr),
                    &answered.cidr_block,
                );
        }
        eq(&requested.cidr_block, &answered.cidr_block)
    }
}

fn required<'m>(v: &'m Option<String>, name: &str) -> Result<&'m str, Diagnostics> {
    v.as_deref().ok_or_else(|| {
        Diagnostic::error(
            format!("Missing {name}"),
            format!("The access list entry has no {name}."),
        )
        .into()
    })
}

fn entry_of(m: &AccessListModel) -> Result<String, Diagnostics> {
    path_entry(m).ok_or_else(|| {
        Diagnostic::error(
            "Missing access list entry",
            "One of cidr_block, ip_address and aws_security_group must be set.",
        )
        .into()
    })
}

fn is_missing(e: &Error) -> bool {
    e.is_not_found()
}

fn timeout(m: &AccessListModel, op: &str, default: Duration) -> Result<Duration, Diagnostics> {
    Timeouts::get(m.timeouts.as_ref(), op, default).map_err(Diagnostics::from)
}

async fn get_entry(
    cx: &Context<AtlasClient>,
    project_id: &str,
    entry: &str,
    limit: Duration,
) -> Result<Option<AccessListEntry>, Diagnostics> {
    let client = cx.client();
    let what = format!("reading access list entry {entry} of project {project_id}");
    let api = client.access_list();
    let call = calls::retry(cx, &what, || api.get_opt(project_id, entry));
    match tokio::time::timeout(limit, call).await {
        Ok(Ok(found)) => Ok(found),
        Ok(Err(e)) => Err(api_error(client, &what, &e).into()),
        Err(_) => Err(Diagnostic::error(
            format!("Timed out {what}"),
            format!("No answer within {limit:?} (timeouts.read)."),
        )
        .into()),
    }
}

/// Whether `listed` (an entry of the project's list) is the entry addressed by `entry` (an IP,
/// a CIDR block or a security group, as in API paths): what a GET of `entry` would answer.
fn is_listed_as(listed: &AccessListEntry, entry: &str) -> bool {
    let eq = |v: &Option<String>, want: &str| v.as_deref().is_some_and(|v| same_entry(v, want));
    if entry.starts_with("sg-") {
        eq(&listed.aws_security_group, entry)
    } else if entry.contains('/') {
        eq(&listed.cidr_block, entry)
    } else {
        eq(&listed.ip_address, entry)
            || ip_to_cidr(entry).is_some_and(|c| eq(&listed.cidr_block, &c))
    }
}

/// The entry as the project's list shows it (`None`: not listed, or the project is gone),
/// through the per-process read cache.
async fn listed_entry(
    cx: &Context<AtlasClient>,
    project_id: &str,
    entry: &str,
    limit: Duration,
) -> Result<Option<AccessListEntry>, Diagnostics> {
    let client = cx.client();
    let what = format!("reading access list entry {entry} of project {project_id}");
    let call = calls::retry(cx, &what, || {
        client.reads.access_list(&client.api, project_id)
    });
    match tokio::time::timeout(limit, call).await {
        Ok(Ok(list)) => Ok(list.iter().find(|e| is_listed_as(e, entry)).cloned()),
        Ok(Err(e)) if is_missing(&e) => Ok(None),
        Ok(Err(e)) => Err(api_error(client, &what, &e).into()),
        Err(_) => Err(Diagnostic::error(
            format!("Timed out {what}"),
            format!("No answer within {limit:?} (timeouts.read)."),
        )
        .into()),
    }
}

#[async_trait]
impl Resource for ProjectIpAccessListResource {
    type Client = AtlasClient;
    type Model = AccessListModel;
    const TYPE_NAME: &'static str = "mongodbatlas_project_ip_access_list";

    fn schema() -> Schema {
        let entry = |name: &str, text: &str| {
            Attribute::string(name)
                .optional_computed()
                .use_state_for_unknown()
                .requires_replace()
                .description(text)
        };
        Schema::new(
            Block::new()
                .description("One entry of a project's IP access list.")
                .attribute(
                    Attribute::string("id")
                        .computed()
                        .use_state_for_unknown()
                        .description("Encoded id (entry, project)."),
                )
                .attribute(
                    Attribute::string("project_id")
                        .required()
                        .requires_replace()
                        .description("The project id."),
                )
                .attribute(entry(
                    "cidr_block",
                    "CIDR block to allow, e.g. 10.0.0.0/24. Exactly one of cidr_block, ip_address and aws_security_group.",
                ))
                .attribute(entry("ip_address", "Single IP address to allow."))
                .attribute(entry(
                    "aws_security_group",
                    "AWS security group id (needs VPC peering).",
                ))
                .attribute(entry("comment", "Comment (≤ 80 characters)."))
                .attribute(timeouts_attribute(&["read", "delete"])),
        )
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        let present: Vec<&str> = ENTRY_KINDS
            .into_iter()
            .filter(|k| config.get_attr(k).is_some_and(|v| !v.is_null()))
            .collect();
        let any_unknown = present
            .iter()
            .any(|k| config.get_attr(k).is_some_and(Value::is_unknown));
        if present.len() > 1 {
            diags.push(Diagnostic::error_at(
                AttributePath::root(present[1]),
                "Conflicting access list entry attributes",
                format!(
                    "Exactly one of cidr_block, ip_address and aws_security_group may be set; found {}.",
                    present.join(" and ")
                ),
            ));
        } else if present.is_empty() && !any_unknown {
            diags.push(Diagnostic::error_at(
                AttributePath::root("cidr_block"),
                "Missing access list entry",
                "Set exactly one of cidr_block, ip_address and aws_security_group.",
            ));
        }
        if let Some(ip) = config.get_attr("ip_address").and_then(Value::as_str) {
            if ip.parse::<IpAddr>().is_err() {
                diags.push(Diagnostic::error_at(
                    AttributePath::root("ip_address"),
                    "Invalid IP address",
                    format!("{ip:?} is not an IPv4 or IPv6 address."),
                ));
            }
        }
        if let Some(cidr) = config.get_attr("cidr_block").and_then(Value::as_str) {
            let ok = cidr.split_once('/').is_some_and(|(a, p)| {
                match (a.parse::<IpAddr>(), p.parse::<u8>()) {
                    (Ok(IpAddr::V4(_)), Ok(n)) => n <= 32,
                    (Ok(IpAddr::V6(_)), Ok(n)) => n <= 128,
                    _ => false,
                }
            });
            if !ok {
                diags.push(Diagnostic::error_at(
                    AttributePath::root("cidr_block"),
                    "Invalid CIDR block",
                    format!("{cidr:?} is not in CIDR notation (address/prefix)."),
                ));
            }
        }
        diags
    }

    /// Fills in the computed entry forms (and the id) from the configured one.
    fn modify_plan(&self, plan: PlanContext<'_>) -> Diagnostics {
        let config = plan.config;
        let creating = plan.prior.is_null();
        let cfg = |k: &str| config.get_attr(k).cloned().unwrap_or(Value::Null);
        let (cidr, ip, sg) = (
            cfg("cidr_block"),
            cfg("ip_address"),
            cfg("aws_security_group"),
        );
        let derived = |v: Option<String>| v.map(Value::string).unwrap_or(Value::Null);
        let forms: Option<[(&str, Value); 3]> = if let Some(c) = cidr.as_str() {
            Some([
                ("cidr_block", Value::string(c)),
                ("ip_address", derived(cidr_to_ip(c))),
                ("aws_security_group", Value::Null),
            ])
        } else if let Some(i) = ip.as_str() {
            Some([
                ("cidr_block", derived(ip_to_cidr(i))),
                ("ip_address", Value::string(i)),
                ("aws_security_group", Value::Null),
            ])
        } else if let Some(s) = sg.as_str() {
            Some([
                ("cidr_block", Value::Null),
                ("ip_address", Value::Null),
                ("aws_security_group", Value::string(s)),
            ])
        } else {
            None
        };
        let Some(obj) = plan.change.planned.as_object_mut() else {
            return Diagnostics::new();
        };
        if let Some(forms) = forms {
            for (k, v) in forms {
                // Keep the prior spelling of the same address (no diff on case or zeros).
                let keep = match (plan.prior.get_attr(k).and_then(Value::as_str), v.as_str()) {
                    (Some(p), Some(n)) => same_entry(p, n),
                    _ => false,
                };
                if !keep {
                    obj.insert(k.to_string(), v);
                }
            }
        }
        if creating && cfg("comment").is_null() {
            obj.insert("comment".into(), Value::Null);
        }
        let get = |k: &str| obj.get(k).and_then(Value::as_str).map(str::to_string);
        let all_known = ENTRY_KINDS
            .iter()
            .all(|k| obj.get(*k).is_none_or(|v| !v.is_unknown()));
        let id = match (get("project_id"), all_known) {
            (Some(p), true) => id_entry(
                get("cidr_block").as_deref(),
                get("ip_address").as_deref(),
                get("aws_security_group").as_deref(),
            )
            .map(|e| Value::string(access_list_state_id(&p, &e)))
            .unwrap_or_else(Value::unknown),
            _ => Value::unknown(),
        };
        obj.insert("id".into(), id);
        // Replacement is decided on the normalised values.
        if !creating {
            let planned = plan.change.planned.clone();
            plan.change.requires_replace.retain(|p| {
                !ENTRY_KINDS
                    .iter()
                    .chain(["comment", "project_id"].iter())
                    .any(|k| *p == AttributePath::root(*k))
            });
            for k in ENTRY_KINDS.iter().chain(["comment", "project_id"].iter()) {
                let new = planned.get_attr(k).unwrap_or(&Value::Null);
                let old = plan.prior.get_attr(k).unwrap_or(&Value::Null);
                if new.is_unknown() || !new.semantically_equal(old) {
                    plan.change.requires_replace.push(AttributePath::root(*k));
                }
            }
        }
        Diagnostics::new()
    }

    async fn create(
        &self,
        cx: &Context<AtlasClient>,
        req: CreateRequest<AccessListModel>,
    ) -> Result<AccessListModel, Diagnostics> {
        let plan = req.plan;
        let project_id = required(&plan.project_id, "project_id")?.to_string();
        let requested = expand(&req.config);
        let entry = entry_of(&req.config)?;
        let client = cx.client();
        let what = format!("creating access list entry {entry} in project {project_id}");
        let answered = tokio::select! {
            biased;
            () = cx.cancellation().cancelled() => {
                client.reads.invalidate(&project_id);
                return Err(calls::cancelled(cx, &what));
            }
            r = client.access_list.create(&client.api, &project_id, requested.clone()) => r,
        };
        client.reads.invalidate(&project_id);
        let answered = answered.map_err(|e| Diagnostics::from(api_error(client, &what, &e)))?;
        // The POST answered with the whole list: read the entry again only if it was missing.
        let current = match answered {
            Some(current) => current,
            None => {
                let read_limit = timeout(&plan, "read", DEFAULT_READ_TIMEOUT)?;
                get_entry(cx, &project_id, &entry, read_limit)
                    .await?
                    .unwrap_or(requested)
            }
        };
        Ok(flatten(&current, &plan))
    }

    async fn read(
        &self,
        cx: &Context<AtlasClient>,
        req: ReadRequest<AccessListModel>,
    ) -> Result<Option<AccessListModel>, Diagnostics> {
        let state = req.state;
        let project_id = required(&state.project_id, "project_id")?;
        let entry = entry_of(&state)?;
        let limit = timeout(&state, "read", DEFAULT_READ_TIMEOUT)?;
        Ok(listed_entry(cx, project_id, &entry, limit)
            .await?
            .map(|e| flatten(&e, &state)))
    }

    /// Only `timeouts` can change in place.
    async fn update(
        &self,
        _cx: &Context<AtlasClient>,
        req: UpdateRequest<AccessListModel>,
    ) -> Result<AccessListModel, Diagnostics> {
        Ok(AccessListModel {
            timeouts: req.plan.timeouts,
            ..req.prior
        })
    }

    async fn delete(
        &self,
        cx: &Context<AtlasClient>,
        req: DeleteRequest<AccessListModel>,
    ) -> Result<(), Diagnostics> {
        let prior = req.prior;
        let project_id = required(&prior.project_id, "project_id")?.to_string();
        let entry = entry_of(&prior)?;
        let deadline = timeout(&prior, "delete", DEFAULT_DELETE_TIMEOUT)?;
        let client = cx.client();
        let what = format!("deleting access list entry {entry} of project {project_id}");
        let api = client.access_list();
        let deleted = client
            .access_list
            .exclusive(
                &project_id,
                calls::retry(cx, &what, || api.delete(&project_id, &entry)),
            )
            .await;
        client.reads.invalidate(&project_id);
        match deleted {
            Ok(()) => {}
            Err(e) if is_missing(&e) => return Ok(()),
            Err(e) => return Err(api_error(client, &what, &e).into()),
        }
        let operation = format!("access list entry {entry} to be deleted");
        calls::wait(|| {
            atlas_admin_sdk::wait_for(
                &operation,
                deadline,
                cx.cancellation().cancelled(),
                || async {
                    match api.get_opt(&project_id, &entry).await {
                        Ok(None) => Ok(Poll::Ready(())),
                        Ok(Some(_)) => Ok(Poll::Pending("still listed".to_string())),
                        Err(e) => Err(e),
                    }
                },
            )
        })
        .await
        .map_err(|e| Diagnostics::from(api_error(client, &what, &e)))
    }

    async fn import(
        &self,
        _cx: &Context<AtlasClient>,
        id: &str,
    ) -> Result<AccessListModel, Diagnostics> {
        let (project_id, entry) = split_access_list_import_id(id)
            .map_err(|e| Diagnostics::from(Diagnostic::error("Invalid import ID", e)))?;
        let mut model = AccessListModel {
            project_id: Some(project_id),
            ..Default::default()
        };
        if entry.starts_with("sg-") {
            model.aws_security_group = Some(entry);
        } else if entry.contains('/') {
            model.cidr_block = Some(entry);
        } else {
            model.ip_address = Some(entry);
        }
        Ok(model)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::model::from_model;
    use tfplugin::resource::DynResource;

    const P: &str = "6414908c207f4d22f4d8f232";

    fn config(kind: &str, value: &str) -> Value {
        let schema = <ProjectIpAccessListResource as Resource>::schema();
        let mut m = AccessListModel {
            project_id: Some(P.into()),
            ..Default::default()
        };
        match kind {
            "cidr_block" => m.cidr_block = Some(value.into()),
            "ip_address" => m.ip_address = Some(value.into()),
            _ => m.aws_security_group = Some(value.into()),
        }
        from_model(&m, &schema.ty()).unwrap_or(Value::Null)
    }

    fn plan_create(cfg: &Value) -> Value {
        let r = ProjectIpAccessListResource;
        DynResource::plan(&r, &Value::Null, cfg, cfg)
            .map(|c| c.planned)
            .unwrap_or(Value::Null)
    }

    fn s<'v>(v: &'v Value, k: &str) -> Option<&'v str> {
        v.get_attr(k).and_then(Value::as_str)
    }

    #[test]
    fn ip_plans_its_block_and_a_known_id() {
        let planned = plan_create(&config("ip_address", "1.2.3.4"));
        assert_eq!(s(&planned, "cidr_block"), Some("1.2.3.4/32"));
        assert!(planned
            .get_attr("aws_security_group")
            .is_some_and(Value::is_null));
        assert!(planned.get_attr("comment").is_some_and(Value::is_null));
        assert_eq!(
            s(&planned, "id"),
            Some(access_list_state_id(P, "1.2.3.4/32").as_str())
        );
    }

    #[test]
    fn single_address_block_plans_its_ip() {
        let planned = plan_create(&config("cidr_block", "1.2.3.4/32"));
        assert_eq!(s(&planned, "ip_address"), Some("1.2.3.4"));
        let planned = plan_create(&config("cidr_block", "10.0.0.0/24"));
        assert!(planned.get_attr("ip_address").is_some_and(Value::is_null));
        let planned = plan_create(&config("aws_security_group", "sg-0123abcd"));
        assert!(planned.get_attr("cidr_block").is_some_and(Value::is_null));
        assert_eq!(
            s(&planned, "id"),
            Some(access_list_state_id(P, "sg-0123abcd").as_str())
        );
    }

    #[test]
    fn flatten_matches_the_plan_whatever_forms_the_api_returns() {
        let prior = AccessListModel {
            project_id: Some(P.into()),
            ip_address: Some("1.2.3.4".into()),
            ..Default::default()
        };
        let only_ip = AccessListEntry::ip_address("1.2.3.4");
        let both = AccessListEntry {
            cidr_block: Some("1.2.3.4/32".into()),
            ..only_ip.clone()
        };
        for answer in [only_ip, both] {
            let m = flatten(&answer, &prior);
            assert_eq!(m.cidr_block.as_deref(), Some("1.2.3.4/32"));
            assert_eq!(m.ip_address.as_deref(), Some("1.2.3.4"));
            assert_eq!(m.comment, None);
            assert_eq!(m.id, Some(access_list_state_id(P, "1.2.3.4/32")));
        }
        let prior6 = AccessListModel {
            project_id: Some(P.into()),
            ip_address: Some("2001:DB8::1".into()),
            ..Default::default()
        };
        let m = flatten(&AccessListEntry::ip_address("2001:db8::1"), &prior6);
        assert_eq!(m.ip_address.as_deref(), Some("2001:DB8::1"));
    }

    #[test]
    fn unchanged_plan_after_apply_is_empty() {
        let r = ProjectIpAccessListResource;
        let schema = <ProjectIpAccessListResource as Resource>::schema();
        let cfg = config("ip_address", "1.2.3.4");
        let state = flatten(
            &AccessListEntry::ip_address("1.2.3.4"),
            &AccessListModel {
                project_id: Some(P.into()),
                ip_address: Some("1.2.3.4".into()),
                ..Default::default()
            },
        );
        let prior = from_model(&state, &schema.ty()).unwrap_or(Value::Null);
        let change =
            DynResource::plan(&r, &prior, &prior, &cfg).unwrap_or_else(|_| panic!("plan failed"));
        assert_eq!(change.planned, prior);
        assert!(change.requires_replace.is_empty());
    }

    #[test]
    fn validation_names_the_attribute() {
        let r = ProjectIpAccessListResource;
        let both = Value::object([
            ("cidr_block", Value::string("1.2.3.0/24")),
            ("ip_address", Value::string("1.2.3.4")),
            ("aws_security_group", Value::Null),
        ]);
        let d = Resource::validate(&r, &both);
        assert_eq!(
            d.iter().next().and_then(|d| d.path.clone()),
            Some(AttributePath::root("ip_address"))
        );
        let none = Value::object([
            ("cidr_block", Value::Null),
            ("ip_address", Value::Null),
            ("aws_security_group", Value::Null),
        ]);
        assert!(Resource::validate(&r, &none).iter().next().is_some());
        let unknown = Value::object([
            ("cidr_block", Value::unknown()),
            ("ip_address", Value::Null),
            ("aws_security_group", Value::Null),
        ]);
        assert!(Resource::validate(&r, &unknown).iter().next().is_none());
        let bad = Value::object([("ip_address", Value::string("1.2.3"))]);
        assert!(Resource::validate(&r, &bad).iter().next().is_some());
    }

    #[test]
    fn reads_find_the_entry_in_the_list_as_a_get_would() {
        let host = AccessListEntry {
            ip_address: Some("1.2.3.4".into()),
            cidr_block: Some("1.2.3.4/32".into()),
            ..Default::default()
        };
        assert!(is_listed_as(&host, "1.2.3.4"));
        assert!(is_listed_as(&host, "1.2.3.4/32"));
        assert!(!is_listed_as(&host, "1.2.3.5"));
        let block_only = AccessListEntry::cidr_block("2001:db8::1/128");
        assert!(is_listed_as(&block_only, "2001:DB8::1"));
        let net = AccessListEntry::cidr_block("10.0.0.0/24");
        assert!(is_listed_as(&net, "10.0.0.0/24"));
        assert!(!is_listed_as(&net, "10.0.0.0"));
        let sg = AccessListEntry {
            aws_security_group: Some("sg-0123abcd".into()),
            ..Default::default()
        };
        assert!(is_listed_as(&sg, "sg-0123abcd"));
        assert!(!is_listed_as(&sg, "sg-99"));
    }

    #[test]
    fn batch_answers_are_matched_by_address() {
        let Ok(client) = Client::builder().base_url("http://127.0.0.1:1").build() else {
            return;
        };
        let answered = AccessListEntry {
            ip_address: Some("1.2.3.4".into()),
            cidr_block: Some("1.2.3.4/32".into()),
            ..Default::default()
        };
        assert!(client.matches(&AccessListEntry::ip_address("1.2.3.4"), &answered));
        assert!(client.matches(&AccessListEntry::cidr_block("1.2.3.4/32"), &answered));
        assert!(!client.matches(&AccessListEntry::ip_address("1.2.3.5"), &answered));
    }
}
