//! All emulated data, behind one lock (held only briefly, never across an await).
//!
//! The tree mirrors Atlas ownership: organizations own projects; a project owns everything
//! under `/groups/{groupId}/...` in its `children`, so deleting or resetting a project drops
//! all of it. This module knows no area: the tables areas add are the [`Tables`] the store is
//! generic over — organization-level ones flattened into the store, project-owned ones
//! ([`Tables::Project`]) in every [`Project`]. `areas/mod.rs` declares both (one field per
//! area) and names the result `areas::Store` / `areas::Project`.

use chrono::{DateTime, SubsecRound, Utc};
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::roles::RoleAssignment;

/// Makes 24-hex ObjectId-style ids: 4 bytes Unix seconds, 5 bytes per-process random, 3
/// bytes counter — time-ordered like real Atlas ids.
#[derive(Debug, Serialize, Deserialize)]
pub struct IdGen {
    process: [u8; 5],
    counter: u32,
}

impl IdGen {
    pub fn new(rng: &mut impl RngCore) -> Self {
        let mut process = [0u8; 5];
        rng.fill_bytes(&mut process);
        Self {
            process,
            counter: rng.next_u32() & 0x00ff_ffff,
        }
    }

    pub fn next_id(&mut self, now: DateTime<Utc>) -> String {
        self.counter = (self.counter + 1) & 0x00ff_ffff;
        let secs = u32::try_from(now.timestamp()).unwrap_or(u32::MAX);
        let mut bytes = [0u8; 12];
        bytes[..4].copy_from_slice(&secs.to_be_bytes());
        bytes[4..9].copy_from_slice(&self.process);
        bytes[9..].copy_from_slice(&self.counter.to_be_bytes()[1..]);
        hex::encode(bytes)
    }
}

/// `^([a-f0-9]{24})$`, the shape of every Atlas object id.
pub fn is_object_id(s: &str) -> bool {
    s.len() == 24 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Atlas timestamps: ISO 8601 UTC, second precision, `Z`.
pub fn timestamp(t: DateTime<Utc>) -> String {
    t.trunc_subsecs(0)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Organization {
    pub id: String,
    pub name: String,
    pub skip_default_alerts_settings: bool,
}

/// A programmatic API key (digest username = public key). The private key is not kept: only
/// the digest HA1 (enough to verify requests) and the tail Atlas shows in redacted reads.
#[derive(Clone, Serialize, Deserialize)]
pub struct ApiKey {
    pub id: String,
    pub org_id: String,
    pub public_key: String,
    /// `MD5(publicKey:realm:privateKey)`.
    pub ha1: String,
    /// The last characters of the private key (`********-****-****-<tail>` in reads).
    pub private_key_tail: String,
    pub desc: String,
    /// Organization and project roles.
    pub roles: Vec<crate::roles::RoleAssignment>,
}

impl ApiKey {
    /// A key whose private key is `private_key` (hashed here, never stored).
    pub fn new(
        id: String,
        org_id: String,
        public_key: String,
        private_key: &str,
        desc: String,
        roles: Vec<crate::roles::RoleAssignment>,
    ) -> Self {
        // A UUID shows its last 12 characters, as Atlas does; shorter (configured) keys a
        // quarter at most, so the redacted form never reveals a short key.
        let chars = private_key.chars().count();
        let shown = if chars >= 36 { 12 } else { chars / 4 };
        let tail_start = private_key
            .char_indices()
            .nth(chars - shown)
            .map_or(private_key.len(), |(i, _)| i);
        Self {
            ha1: crate::auth::ha1(&public_key, private_key),
            private_key_tail: private_key[tail_start..].to_string(),
            id,
            org_id,
            public_key,
            desc,
            roles,
        }
    }

    /// The private key as later reads show it.
    pub fn redacted_private_key(&self) -> String {
        format!("********-****-****-{}", self.private_key_tail)
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiKey")
            .field("id", &self.id)
            .field("public_key", &self.public_key)
            .field("roles", &self.roles)
            .finish_non_exhaustive()
    }
}

/// The tables areas add to the store. Organization-level tables are fields of the
/// implementing struct (flattened into the store's top level, so each is its own persisted
/// record); project-owned ones are fields of [`Tables::Project`]. Give fields added later
/// `#[serde(default)]` so existing data dirs still load, and mark transient state
/// `#[serde(skip)]`.
pub trait Tables: Default + std::fmt::Debug + Serialize + DeserializeOwned {
    /// Everything a project owns; dropped with the project.
    type Project: Default + Clone + std::fmt::Debug + Serialize + DeserializeOwned;

    /// Drop the role assignments `keep` refuses (a project is gone) from every principal
    /// these tables hold.
    fn retain_roles(&mut self, keep: &dyn Fn(&RoleAssignment) -> bool);

    /// Adds these tables' part of the debugging dump (no secrets).
    fn dump(&self, _out: &mut Map<String, Value>) {}
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Project<C> {
    pub id: String,
    pub name: String,
    pub org_id: String,
    pub created: DateTime<Utc>,
    pub with_default_alerts_settings: bool,
    pub tags: Vec<Tag>,
    /// From `?projectOwnerId=`; kept for the record, not returned (as Atlas).
    pub owner_id: Option<String>,
    pub children: C,
}

/// The whole emulated world. With `--data-dir` all of it is persisted (see `persist.rs`):
/// every table must be `Serialize + Deserialize`; give fields added later
/// `#[serde(default)]` so existing data dirs still load, and mark transient state
/// `#[serde(skip)]`. Top-level `Vec`s of structs with a unique `id` are stored one record per
/// element.
#[derive(Debug, Serialize, Deserialize)]
#[serde(bound = "T: Tables")]
pub struct Store<T: Tables> {
    pub orgs: Vec<Organization>,
    pub api_keys: Vec<ApiKey>,
    /// The areas' organization-level tables (service accounts, OAuth tokens, …), each a
    /// top-level field of the serialized store.
    #[serde(flatten)]
    pub tables: T,
    /// In creation order (lists return this order).
    pub projects: Vec<Project<T::Project>>,
    pub ids: IdGen,
}

/// The bootstrap organization's name (must match the org name pattern: no spaces).
pub const BOOTSTRAP_ORG_NAME: &str = "atlas-sandbox-org";

impl<T: Tables> Store<T> {
    /// One organization and one Organization Owner API key with the given credentials.
    pub fn bootstrap(
        public_key: &str,
        private_key: &str,
        seed: Option<u64>,
        now: DateTime<Utc>,
    ) -> Self {
        let mut rng = match seed {
            Some(seed) => StdRng::seed_from_u64(seed),
            None => StdRng::from_os_rng(),
        };
        let mut ids = IdGen::new(&mut rng);
        let org_id = ids.next_id(now);
        let key_id = ids.next_id(now);
        Self {
            orgs: vec![Organization {
                id: org_id.clone(),
                name: BOOTSTRAP_ORG_NAME.to_string(),
                skip_default_alerts_settings: false,
            }],
            api_keys: vec![ApiKey::new(
                key_id,
                org_id.clone(),
                public_key.to_string(),
                private_key,
                "atlas-sandbox bootstrap key".to_string(),
                vec![crate::roles::RoleAssignment::org(
                    &org_id,
                    crate::roles::ORG_OWNER,
                )],
            )],
            tables: T::default(),
            projects: Vec::new(),
            ids,
        }
    }

    pub fn next_id(&mut self, now: DateTime<Utc>) -> String {
        self.ids.next_id(now)
    }

    /// After loading a data dir: the configured credentials keep working. A stored key with
    /// that public key takes the configured private key; without one, a new Organization
    /// Owner key of the first organization is added (other stored keys stay valid).
    pub fn ensure_bootstrap_key(
        &mut self,
        public_key: &str,
        private_key: &str,
        now: DateTime<Utc>,
    ) {
        if let Some(k) = self
            .api_keys
            .iter_mut()
            .find(|k| k.public_key == public_key)
        {
            let rekeyed = ApiKey::new(
                k.id.clone(),
                k.org_id.clone(),
                k.public_key.clone(),
                private_key,
                k.desc.clone(),
                k.roles.clone(),
            );
            if rekeyed.ha1 != k.ha1 {
                *k = rekeyed;
            }
            return;
        }
        let Some(org_id) = self.orgs.first().map(|o| o.id.clone()) else {
            return;
        };
        let id = self.next_id(now);
        self.api_keys.push(ApiKey::new(
            id,
            org_id.clone(),
            public_key.to_string(),
            private_key,
            "atlas-sandbox bootstrap key".to_string(),
            vec![crate::roles::RoleAssignment::org(
                &org_id,
                crate::roles::ORG_OWNER,
            )],
        ));
    }

    /// Wipe every project (and all it owns); keep organizations and API keys.
    pub fn reset(&mut self) -> usize {
        let n = self.projects.len();
        self.projects.clear();
        self.forget_project_roles(None);
        n
    }

    pub fn org(&self, id: &str) -> Option<&Organization> {
        self.orgs.iter().find(|o| o.id == id)
    }

    pub fn project(&self, id: &str) -> Option<&Project<T::Project>> {
        self.projects.iter().find(|p| p.id == id)
    }

    pub fn project_mut(&mut self, id: &str) -> Option<&mut Project<T::Project>> {
        self.projects.iter_mut().find(|p| p.id == id)
    }

    pub fn api_key_by_public(&self, public_key: &str) -> Option<&ApiKey> {
        self.api_keys.iter().find(|k| k.public_key == public_key)
    }

    /// Drop the project roles of keys and service accounts on `group_id` (every project's
    /// with `None`): the project is gone.
    pub fn forget_project_roles(&mut self, group_id: Option<&str>) {
        let keep = |r: &crate::roles::RoleAssignment| match (&r.group_id, group_id) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(g), Some(gone)) => g != gone,
        };
        for k in &mut self.api_keys {
            k.roles.retain(keep);
        }
        self.tables.retain_roles(&keep);
    }

    /// A debugging dump (no secrets).
    pub fn snapshot(&self) -> Value {
        let mut dump = json!({
            "orgs": self.orgs.iter().map(|o| json!({"id": o.id, "name": o.name})).collect::<Vec<_>>(),
            "apiKeys": self.api_keys.iter().map(|k| json!({
                "id": k.id, "orgId": k.org_id, "publicKey": k.public_key, "desc": k.desc, "roles": k.roles,
            })).collect::<Vec<_>>(),
            "projects": self.projects.iter().map(|p| json!({
                "id": p.id, "name": p.name, "orgId": p.org_id, "created": timestamp(p.created),
                "withDefaultAlertsSettings": p.with_default_alerts_settings, "tags": p.tags,
                "ownerId": p.owner_id,
            })).collect::<Vec<_>>(),
        });
        if let Value::Object(map) = &mut dump {
            self.tables.dump(map);
        }
        dump
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A store without area tables.
    #[derive(Debug, Default, Serialize, Deserialize)]
    struct NoTables {}

    impl Tables for NoTables {
        type Project = ();

        fn retain_roles(&mut self, _keep: &dyn Fn(&RoleAssignment) -> bool) {}
    }

    type Store = super::Store<NoTables>;

    #[test]
    fn ids_are_object_ids_ordered_by_time_then_counter() {
        let mut rng = StdRng::seed_from_u64(7);
        let mut ids = IdGen::new(&mut rng);
        let t = DateTime::from_timestamp(1_700_000_000, 0).expect("valid time");
        let a = ids.next_id(t);
        let b = ids.next_id(t);
        assert!(is_object_id(&a) && is_object_id(&b));
        assert!(a.starts_with(&format!("{:08x}", 1_700_000_000u32)));
        assert_ne!(a, b);
        let later = ids.next_id(t + chrono::Duration::seconds(1));
        assert!(later > b);
    }

    #[test]
    fn seeded_bootstrap_is_deterministic() {
        let t = DateTime::from_timestamp(1_700_000_000, 0).expect("valid time");
        let a = Store::bootstrap("k", "p", Some(1), t);
        let b = Store::bootstrap("k", "p", Some(1), t);
        assert_eq!(a.orgs[0].id, b.orgs[0].id);
    }

    #[test]
    fn timestamp_is_second_precision_utc_z() {
        let t = DateTime::from_timestamp(1_786_330_978, 123_000_000).expect("valid time");
        assert_eq!(timestamp(t), "2026-08-10T03:02:58Z");
    }

    #[test]
    fn reset_keeps_org_and_keys() {
        let mut s = Store::bootstrap("k", "p", None, Utc::now());
        s.projects.push(Project {
            id: "x".into(),
            name: "n".into(),
            org_id: s.orgs[0].id.clone(),
            created: Utc::now(),
            with_default_alerts_settings: true,
            tags: vec![],
            owner_id: None,
            children: (),
        });
        assert_eq!(s.reset(), 1);
        assert!(s.projects.is_empty());
        assert_eq!(s.orgs.len(), 1);
        assert_eq!(s.api_keys.len(), 1);
    }
}
