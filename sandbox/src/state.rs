//! Shared server state: the store, nonces, counters, fault settings, the version table.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

use serde_json::{json, Value};

use crate::areas::Store;
use crate::auth::{NonceCheck, NonceTable};
use crate::faults::Faults;
use crate::versions::VersionTable;

/// Lock, recovering from poisoning: a panicking handler must not take the sandbox down.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Read-lock, recovering from poisoning.
pub fn read<T>(m: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    m.read().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Write-lock, recovering from poisoning.
pub fn write<T>(m: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    m.write().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Request counters for `/_sandbox/stats`. Not cleared by reset: they count served traffic.
#[derive(Debug, Default)]
pub struct Stats {
    requests_total: AtomicU64,
    challenges_total: AtomicU64,
    auth_failures_total: AtomicU64,
    faults_injected_total: AtomicU64,
    /// Injected faults by kind (`throttle`, `fail_before`, `fail_after_write`) and by status.
    faults_by_kind: Mutex<BTreeMap<&'static str, u64>>,
    faults_by_status: Mutex<BTreeMap<u16, u64>>,
    by_status: Mutex<BTreeMap<u16, u64>>,
    by_operation: Mutex<BTreeMap<String, u64>>,
}

impl Stats {
    pub fn count_request(&self, status: u16, operation: Option<&str>) {
        self.requests_total.fetch_add(1, Ordering::Relaxed);
        *lock(&self.by_status).entry(status).or_default() += 1;
        if let Some(op) = operation {
            let mut by_operation = lock(&self.by_operation);
            // The name is allocated once, on the operation's first request.
            match by_operation.get_mut(op) {
                Some(n) => *n += 1,
                None => {
                    by_operation.insert(op.to_string(), 1);
                }
            }
        }
    }

    pub fn count_challenge(&self) {
        self.challenges_total.fetch_add(1, Ordering::Relaxed);
    }

    pub fn count_auth_failure(&self) {
        self.auth_failures_total.fetch_add(1, Ordering::Relaxed);
    }

    pub fn count_fault(&self, kind: &'static str, status: u16) {
        self.faults_injected_total.fetch_add(1, Ordering::Relaxed);
        *lock(&self.faults_by_kind).entry(kind).or_default() += 1;
        *lock(&self.faults_by_status).entry(status).or_default() += 1;
    }

    pub fn requests_total(&self) -> u64 {
        self.requests_total.load(Ordering::Relaxed)
    }

    pub fn to_json(&self) -> Value {
        let by_status: BTreeMap<String, u64> = lock(&self.by_status)
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect();
        json!({
            "requests_total": self.requests_total(),
            "challenges_total": self.challenges_total.load(Ordering::Relaxed),
            "auth_failures_total": self.auth_failures_total.load(Ordering::Relaxed),
            "faults_injected_total": self.faults_injected_total.load(Ordering::Relaxed),
            "faults_by_kind": *lock(&self.faults_by_kind),
            "faults_by_status": lock(&self.faults_by_status)
                .iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect::<BTreeMap<String, u64>>(),
            "requests_by_status": by_status,
            "requests_by_operation": *lock(&self.by_operation),
        })
    }
}

pub struct Inner {
    pub base_url: String,
    pub transition_seconds: f64,
    /// Lifetime of OAuth access tokens.
    pub oauth_token_ttl_seconds: f64,
    /// How long an access-list POST holds its project (a concurrent POST is refused).
    pub access_list_post_window: std::time::Duration,
    /// Read-locked by the steps every request takes (authentication, authorization) and by
    /// plain reads, so concurrent requests do not queue for it; write-locked otherwise.
    pub store: RwLock<Store>,
    pub nonces: Mutex<NonceTable>,
    pub stats: Stats,
    pub faults: Mutex<Faults>,
    pub versions: VersionTable,
    /// `--data-dir`: where writes are committed before they are acknowledged.
    pub persist: Option<Mutex<crate::persist::Persister>>,
}

/// Cheap to clone; handed to every handler and middleware.
#[derive(Clone)]
pub struct AppState(pub Arc<Inner>);

impl AppState {
    pub fn base_url(&self) -> &str {
        &self.0.base_url
    }

    /// How long asynchronous resources take to settle (used by later areas).
    #[allow(dead_code)]
    pub fn transition_seconds(&self) -> f64 {
        self.0.transition_seconds
    }

    pub fn oauth_token_ttl_seconds(&self) -> f64 {
        self.0.oauth_token_ttl_seconds
    }

    pub fn access_list_post_window(&self) -> std::time::Duration {
        self.0.access_list_post_window
    }

    /// The store, exclusively (any handler may change it).
    pub fn store(&self) -> RwLockWriteGuard<'_, Store> {
        write(&self.0.store)
    }

    /// The store, shared with other readers. Never take [`AppState::store`] while holding it.
    pub fn store_read(&self) -> RwLockReadGuard<'_, Store> {
        read(&self.0.store)
    }

    pub fn stats(&self) -> &Stats {
        &self.0.stats
    }

    pub fn versions(&self) -> &VersionTable {
        &self.0.versions
    }

    pub fn faults(&self) -> MutexGuard<'_, Faults> {
        lock(&self.0.faults)
    }

    /// Whether writes are persisted (`--data-dir`).
    pub fn persistent(&self) -> bool {
        self.0.persist.is_some()
    }

    /// Make the current store durable (a no-op without `--data-dir` or when nothing changed).
    /// Blocking: call it off the async workers. The persister's lock is taken before the
    /// state is read (under the store's lock, released before writing), so commits reach the
    /// disk in the order their states were taken.
    pub fn commit(&self) -> Result<(), String> {
        let Some(persist) = &self.0.persist else {
            return Ok(());
        };
        let mut persist = lock(persist);
        let snapshot = crate::persist::Snapshot::of(&self.store())?;
        persist.commit_records(snapshot).map(|_| ())
    }

    /// Release the data dir (after the server stopped): its lock is dropped and later commits
    /// fail, even if a lingering task still holds this state.
    pub fn close_persistence(&self) {
        if let Some(persist) = &self.0.persist {
            lock(persist).close();
        }
    }

    pub fn issue_nonce(&self) -> String {
        lock(&self.0.nonces).issue(&mut rand::rng())
    }

    pub fn use_nonce(&self, nonce: &str, nc: u32) -> NonceCheck {
        lock(&self.0.nonces).use_nonce(nonce, nc)
    }

    /// `f(key id, public key, digest HA1)` of the API key with this public key, under the
    /// store's lock.
    pub fn with_api_key<R>(
        &self,
        public_key: &str,
        f: impl FnOnce(&str, &str, &str) -> R,
    ) -> Option<R> {
        self.store_read()
            .api_key_by_public(public_key)
            .map(|k| f(&k.id, &k.public_key, &k.ha1))
    }
}
