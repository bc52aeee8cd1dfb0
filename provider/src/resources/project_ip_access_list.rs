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

/// The process-wide access list write batcher (see [`crate::access_list_batcher`]).
type Batcher = crate::access_list_batcher::Batcher<AccessListEntry>;
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
use tfplugin::model::{Tf, TfModel, TfObject};
use tfplugin::path::AttributePath;
use tfplugin::resource::{
    CreateRequest, DeleteRequest, ModelPlan, ReadRequest, Resource, UpdateRequest,
};
use tfplugin::schema::Schema;
use tfplugin::timeouts::{timeouts_attribute, Timeouts};
use tfplugin::validators;

pub struct ProjectIpAccessListResource;

const DEFAULT_DELETE_TIMEOUT: Duration = Duration::from_secs(45 * 60);
const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(2 * 60);

// `Tf` fields: plans read and set unknowns (a `project_id` from a project being created, the
// `id` and entry forms known only after apply), and validation tells an unknown entry from a
// missing one.
/// One entry of a project's IP access list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TfModel)]
pub struct AccessListModel {
    /// Encoded id (entry, project).
    #[tf(computed, use_state_for_unknown)]
    pub id: Tf<String>,
    /// The project id.
    #[tf(required, requires_replace)]
    pub project_id: Tf<String>,
    /// CIDR block to allow, e.g. 10.0.0.0/24. Exactly one of cidr_block, ip_address and
    /// aws_security_group.
    #[tf(optional, computed, use_state_for_unknown, requires_replace)]
    pub cidr_block: Tf<String>,
    /// Single IP address to allow.
    #[tf(optional, computed, use_state_for_unknown, requires_replace)]
    pub ip_address: Tf<String>,
    /// AWS security group id (needs VPC peering).
    #[tf(optional, computed, use_state_for_unknown, requires_replace)]
    pub aws_security_group: Tf<String>,
    /// Comment (≤ 80 characters).
    #[tf(optional, computed, use_state_for_unknown, requires_replace)]
    pub comment: Tf<String>,
    #[tf(attribute = timeouts_attribute(&["read", "delete"]))]
    pub timeouts: Option<Timeouts>,
}

impl AccessListModel {
    /// The three kinds of entry (exactly one is configured), with their attribute names.
    pub fn kinds(&self) -> [(&'static str, &Tf<String>); 3] {
        let a = Self::ATTR;
        [
            (a.cidr_block, &self.cidr_block),
            (a.ip_address, &self.ip_address),
            (a.aws_security_group, &self.aws_security_group),
        ]
    }

    /// The arguments whose change replaces the entry (the API has no update).
    fn replaced_by(&self) -> [(&'static str, &Tf<String>); 5] {
        let a = Self::ATTR;
        let [cidr, ip, sg] = self.kinds();
        [
            cidr,
            ip,
            sg,
            (a.comment, &self.comment),
            (a.project_id, &self.project_id),
        ]
    }
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

/// The first of `values` that is set and not empty.
fn first_non_empty(values: [Option<&str>; 3]) -> Option<String> {
    values
        .into_iter()
        .flatten()
        .find(|v| !v.is_empty())
        .map(str::to_string)
}

/// The official id's `entry`: the CIDR block, else the security group, else the IP.
fn id_entry(cidr: Option<&str>, ip: Option<&str>, sg: Option<&str>) -> Option<String> {
    first_non_empty([cidr, sg, ip])
}

pub fn access_list_state_id(project_id: &str, entry: &str) -> String {
    encode_state_id(&BTreeMap::from([
        ("entry", entry),
        ("project_id", project_id),
    ]))
}

/// The value addressing the entry in API paths: the configured kind.
fn path_entry(m: &AccessListModel) -> Option<String> {
    first_non_empty(m.kinds().map(|(_, v)| v.known_deref()))
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
    let keep_spelling = |answered: Option<String>, prior: &Tf<String>| match (answered, prior) {
        (Some(a), Tf::Known(p)) if same_entry(&a, p) => Some(p.clone()),
        (a, _) => a,
    };
    let cidr = keep_spelling(cidr, &prior.cidr_block);
    let ip = keep_spelling(ip, &prior.ip_address);
    let comment = non_empty(&entry.comment)
        .or_else(|| prior.comment.known().filter(|c| c.is_empty()).cloned());
    let project_id = prior
        .project_id
        .known()
        .or(entry.group_id.as_ref())
        .cloned()
        .unwrap_or_default();
    let id = id_entry(cidr.as_deref(), ip.as_deref(), sg.as_deref())
        .map(|e| access_list_state_id(&project_id, &e));
    AccessListModel {
        id: id.into(),
        project_id: Tf::Known(project_id),
        cidr_block: cidr.into(),
        ip_address: ip.into(),
        aws_security_group: sg.into(),
        comment: comment.into(),
        timeouts: prior.timeouts.clone(),
    }
}

/// The create body: only the configured kind, and the comment.
pub fn expand(config: &AccessListModel) -> AccessListEntry {
    AccessListEntry {
        cidr_block: config.cidr_block.known().cloned(),
        ip_address: config.ip_address.known().cloned(),
        aws_security_group: config.aws_security_group.known().cloned(),
        comment: config.comment.known().cloned(),
        ..Default::default()
    }
}

/// The planned forms of an entry configured as `config` (cidr block, IP, security group):
/// an IP plans its single-address block, a single-address block its IP, the other kinds null.
/// `None` while no kind is known.
fn planned_forms(config: &AccessListModel) -> Option<[Tf<String>; 3]> {
    if let Some(c) = config.cidr_block.known() {
        Some([Tf::Known(c.clone()), cidr_to_ip(c).into(), Tf::Null])
    } else if let Some(i) = config.ip_address.known() {
        Some([ip_to_cidr(i).into(), Tf::Known(i.clone()), Tf::Null])
    } else {
        config
            .aws_security_group
            .known()
            .map(|s| [Tf::Null, Tf::Null, Tf::Known(s.clone())])
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
        let Some(key) = first_non_empty([
            item.cidr_block.as_deref(),
            item.ip_address.as_deref(),
            item.aws_security_group.as_deref(),
        ]) else {
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

fn required<'m>(v: &'m Tf<String>, name: &str) -> Result<&'m str, Diagnostics> {
    v.known_deref().ok_or_else(|| {
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
        client.reads.list(project_id, || async {
            client.api.access_list().list_all(project_id).await
        })
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

    const VALIDATES_MODEL: bool = true;
    const PLANS_MODEL: bool = true;

    fn schema() -> Schema {
        Schema::new(AccessListModel::block())
    }

    fn validate_model(&self, config: &AccessListModel) -> Diagnostics {
        let a = AccessListModel::ATTR;
        let mut diags = Diagnostics::new();
        // Set: known or unknown (a value will be there).
        let present: Vec<&str> = config
            .kinds()
            .into_iter()
            .filter(|(_, v)| v.is_set())
            .map(|(k, _)| k)
            .collect();
        if present.len() > 1 {
            diags.push(Diagnostic::error_at(
                AttributePath::root(present[1]),
                "Conflicting access list entry attributes",
                format!(
                    "Exactly one of cidr_block, ip_address and aws_security_group may be set; found {}.",
                    present.join(" and ")
                ),
            ));
        } else if present.is_empty() {
            diags.push(Diagnostic::error_at(
                AttributePath::root(a.cidr_block),
                "Missing access list entry",
                "Set exactly one of cidr_block, ip_address and aws_security_group.",
            ));
        }
        diags.extend(validators::ip_address(
            a.ip_address,
            config.ip_address.known_deref(),
        ));
        diags.extend(validators::cidr(
            a.cidr_block,
            config.cidr_block.known_deref(),
        ));
        diags
    }

    /// Fills in the computed entry forms (and the id) from the configured one.
    fn plan_model(&self, plan: &mut ModelPlan<'_, AccessListModel>) -> Result<(), Diagnostics> {
        let creating = plan.is_create();
        let config = plan.config()?.clone();
        let prior = plan.prior()?.cloned();
        let planned = plan.planned()?;
        if let Some(forms) = planned_forms(&config) {
            let slots = [
                &mut planned.cidr_block,
                &mut planned.ip_address,
                &mut planned.aws_security_group,
            ];
            let before = prior
                .as_ref()
                .map_or(Default::default(), |p| p.kinds().map(|(_, v)| v.clone()));
            for ((slot, form), before) in slots.into_iter().zip(forms).zip(before) {
                // Keep the prior spelling of the same address (no diff on case or zeros).
                let keep = matches!(
                    (before, &form),
                    (Tf::Known(p), Tf::Known(n)) if same_entry(&p, n)
                );
                if !keep {
                    *slot = form;
                }
            }
        }
        if creating && config.comment.is_null() {
            planned.comment = Tf::Null;
        }
        let all_known = planned.kinds().iter().all(|(_, v)| !v.is_unknown());
        planned.id = match (planned.project_id.known(), all_known) {
            (Some(p), true) => id_entry(
                planned.cidr_block.known_deref(),
                planned.ip_address.known_deref(),
                planned.aws_security_group.known_deref(),
            )
            .map_or(Tf::Unknown, |e| Tf::Known(access_list_state_id(p, &e))),
            _ => Tf::Unknown,
        };
        // Replacement is decided on the normalised values. (The schema's requires_replace
        // already marked what changed before normalising; validation rules out a configured
        // form that normalising would turn back into the prior value.)
        if let Some(prior) = prior {
            let planned = planned.clone();
            for ((name, new), (_, old)) in
                planned.replaced_by().into_iter().zip(prior.replaced_by())
            {
                if new.is_unknown() || new != old {
                    plan.requires_replace(AttributePath::root(name));
                }
            }
        }
        Ok(())
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
        let batcher = client.shared::<Batcher>();
        let answered = tokio::select! {
            biased;
            () = cx.cancellation().cancelled() => {
                client.reads.invalidate(&project_id);
                return Err(calls::cancelled(cx, &what));
            }
            r = batcher.create(&client.api, &project_id, requested.clone()) => r,
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
            .shared::<Batcher>()
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
        import_stub(id).map_err(|e| Diagnostics::from(Diagnostic::error("Invalid import ID", e)))
    }
}

/// `{project_id}-{entry}` → the state stub read then fills; the entry's form says its kind.
fn import_stub(id: &str) -> Result<AccessListModel, String> {
    let (project_id, entry) = split_access_list_import_id(id)?;
    let mut model = AccessListModel {
        project_id: Tf::Known(project_id),
        ..Default::default()
    };
    let kind = if entry.starts_with("sg-") {
        &mut model.aws_security_group
    } else if entry.contains('/') {
        &mut model.cidr_block
    } else {
        &mut model.ip_address
    };
    *kind = Tf::Known(entry);
    Ok(model)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::model::{from_model, to_model};
    use tfplugin::plan::PlannedChange;
    use tfplugin::resource::DynResource;
    use tfplugin::value::Value;

    const P: &str = "6414908c207f4d22f4d8f232";

    fn known(v: &str) -> Tf<String> {
        Tf::Known(v.to_string())
    }

    /// A configuration of one entry (`kind` set to `value`) in project `P`.
    fn entry(kind: fn(&mut AccessListModel) -> &mut Tf<String>, value: &str) -> AccessListModel {
        let mut m = AccessListModel {
            project_id: known(P),
            ..Default::default()
        };
        *kind(&mut m) = known(value);
        m
    }

    fn cidr(m: &mut AccessListModel) -> &mut Tf<String> {
        &mut m.cidr_block
    }

    fn ip(m: &mut AccessListModel) -> &mut Tf<String> {
        &mut m.ip_address
    }

    fn sg(m: &mut AccessListModel) -> &mut Tf<String> {
        &mut m.aws_security_group
    }

    fn value(m: &AccessListModel) -> Value {
        let ty = <ProjectIpAccessListResource as Resource>::schema().ty();
        from_model(m, &ty).unwrap_or(Value::Null)
    }

    /// Plans `config` against `prior` (`None`: create) through the framework, as Terraform
    /// would; the planned state as a model.
    fn plan(
        prior: Option<&AccessListModel>,
        config: &AccessListModel,
    ) -> (AccessListModel, PlannedChange) {
        let r = ProjectIpAccessListResource;
        let prior = prior.map_or(Value::Null, value);
        let cfg = value(config);
        // Terraform's proposed new state: the configuration, prior values for computed nulls.
        let proposed = match (&prior, &cfg) {
            (Value::Object(p), Value::Object(c)) => Value::Object(
                c.iter()
                    .map(|(k, v)| {
                        let keep = v.is_null() && k != "timeouts";
                        let v = if keep {
                            p.get(k).cloned().unwrap_or(Value::Null)
                        } else {
                            v.clone()
                        };
                        (k.clone(), v)
                    })
                    .collect(),
            ),
            _ => cfg.clone(),
        };
        let change = DynResource::plan(&r, &prior, &proposed, &cfg)
            .unwrap_or_else(|e| panic!("plan failed: {e:?}"));
        let planned = to_model(&change.planned).unwrap_or_else(|e| panic!("{e:?}"));
        (planned, change)
    }

    fn id(entry: &str) -> Tf<String> {
        Tf::Known(access_list_state_id(P, entry))
    }

    #[test]
    fn ip_plans_its_block_and_a_known_id() {
        let (planned, _) = plan(None, &entry(ip, "1.2.3.4"));
        assert_eq!(planned.cidr_block, known("1.2.3.4/32"));
        assert_eq!(planned.aws_security_group, Tf::Null);
        assert_eq!(planned.comment, Tf::Null);
        assert_eq!(planned.id, id("1.2.3.4/32"));
    }

    #[test]
    fn single_address_block_plans_its_ip() {
        let (planned, _) = plan(None, &entry(cidr, "1.2.3.4/32"));
        assert_eq!(planned.ip_address, known("1.2.3.4"));
        let (planned, _) = plan(None, &entry(cidr, "10.0.0.0/24"));
        assert_eq!(planned.ip_address, Tf::Null);
        let (planned, _) = plan(None, &entry(sg, "sg-0123abcd"));
        assert_eq!(planned.cidr_block, Tf::Null);
        assert_eq!(planned.id, id("sg-0123abcd"));
    }

    #[test]
    fn unknown_project_or_entry_plans_an_unknown_id() {
        let mut config = entry(ip, "1.2.3.4");
        config.project_id = Tf::Unknown;
        let (planned, _) = plan(None, &config);
        assert_eq!(planned.cidr_block, known("1.2.3.4/32"));
        assert_eq!(planned.id, Tf::Unknown);
        let mut config = entry(ip, "1.2.3.4");
        config.ip_address = Tf::Unknown;
        config.comment = Tf::Unknown;
        let (planned, _) = plan(None, &config);
        assert_eq!(planned.cidr_block, Tf::Unknown);
        assert_eq!(planned.comment, Tf::Unknown);
        assert_eq!(planned.id, Tf::Unknown);
    }

    #[test]
    fn flatten_matches_the_plan_whatever_forms_the_api_returns() {
        let prior = entry(ip, "1.2.3.4");
        let only_ip = AccessListEntry::ip_address("1.2.3.4");
        let both = AccessListEntry {
            cidr_block: Some("1.2.3.4/32".into()),
            ..only_ip.clone()
        };
        for answer in [only_ip, both] {
            let m = flatten(&answer, &prior);
            assert_eq!(m.cidr_block, known("1.2.3.4/32"));
            assert_eq!(m.ip_address, known("1.2.3.4"));
            assert_eq!(m.comment, Tf::Null);
            assert_eq!(m.id, id("1.2.3.4/32"));
        }
        let prior6 = entry(ip, "2001:DB8::1");
        let m = flatten(&AccessListEntry::ip_address("2001:db8::1"), &prior6);
        assert_eq!(m.ip_address, known("2001:DB8::1"));
    }

    #[test]
    fn unchanged_plan_after_apply_is_empty() {
        let cfg = entry(ip, "1.2.3.4");
        let state = flatten(&AccessListEntry::ip_address("1.2.3.4"), &cfg);
        let (planned, change) = plan(Some(&state), &cfg);
        assert_eq!(planned, state);
        assert!(change.requires_replace.is_empty());
    }

    #[test]
    fn another_kind_replaces_the_entry_naming_every_form_that_changes() {
        let state = flatten(
            &AccessListEntry::ip_address("1.2.3.4"),
            &entry(ip, "1.2.3.4"),
        );
        // The same address as a block: nothing to do.
        let (planned, change) = plan(Some(&state), &entry(cidr, "1.2.3.4/32"));
        assert_eq!(planned, state);
        assert!(change.requires_replace.is_empty());
        // A wider block: a new entry, whose IP form goes away.
        let (planned, change) = plan(Some(&state), &entry(cidr, "10.0.0.0/24"));
        assert_eq!(planned.ip_address, Tf::Null);
        assert_eq!(planned.id, id("10.0.0.0/24"));
        let a = AccessListModel::ATTR;
        for name in [a.cidr_block, a.ip_address] {
            assert!(
                change.requires_replace.contains(&AttributePath::root(name)),
                "{name}: {:?}",
                change.requires_replace
            );
        }
    }

    fn error_paths(config: &AccessListModel) -> Vec<AttributePath> {
        let r = ProjectIpAccessListResource;
        // Through the framework: the configuration is decoded leniently, unknowns kept.
        DynResource::validate(&r, &value(config))
            .iter()
            .filter_map(|d| d.path.clone())
            .collect()
    }

    #[test]
    fn validation_names_the_attribute() {
        let a = AccessListModel::ATTR;
        let mut both = entry(cidr, "1.2.3.0/24");
        both.ip_address = known("1.2.3.4");
        assert_eq!(error_paths(&both), [AttributePath::root(a.ip_address)]);
        let none = AccessListModel::default();
        assert_eq!(error_paths(&none), [AttributePath::root(a.cidr_block)]);
        let mut unknown = entry(cidr, "x");
        unknown.cidr_block = Tf::Unknown;
        unknown.project_id = Tf::Unknown;
        assert!(error_paths(&unknown).is_empty());
        assert_eq!(
            error_paths(&entry(ip, "1.2.3")),
            [AttributePath::root(a.ip_address)]
        );
        assert_eq!(
            error_paths(&entry(cidr, "10.0.0.0/33")),
            [AttributePath::root(a.cidr_block)]
        );
    }

    #[test]
    fn import_reads_the_kind_from_the_entry() {
        let stub = |entry: &str| import_stub(&format!("{P}-{entry}")).ok();
        assert_eq!(stub("1.2.3.4"), Some(entry(ip, "1.2.3.4")));
        assert_eq!(stub("10.0.0.0/24"), Some(entry(cidr, "10.0.0.0/24")));
        assert_eq!(stub("sg-0123abcd"), Some(entry(sg, "sg-0123abcd")));
        assert!(import_stub("1.2.3.4").is_err());
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
