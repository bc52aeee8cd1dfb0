//! Durable state for `--data-dir`: a snapshot plus an append-only journal of record changes,
//! fsynced before the response of the write that caused them is sent.
//!
//! **Records.** The whole [`Store`] is `Serialize + Deserialize`; its JSON form is cut into
//! records: every top-level field whose value is an array of objects with unique, non-empty
//! string `id`s becomes one record per element (`"projects/<id>"`) plus an order record
//! (`"projects/"`, the ids in order); every other field is one record (`"ids"`, `"orgs"`, …).
//! So a table another area adds to `Store` persists with no extra work (derive the serde
//! traits; `#[serde(default)]` on new fields keeps older data dirs loadable; `#[serde(skip)]`
//! for transient state), and a write rewrites only the records it changed (a project with
//! everything it owns is one record).
//!
//! **Commit.** After every state-changing request (not GET/HEAD) the store is serialized under
//! its lock, diffed against the last durable records, and the changes are appended to
//! `journal.bin` as one frame and `fdatasync`ed — all under the persister's lock, so frames hit
//! the disk in the order the states were taken, and a later commit that already carried an
//! earlier request's change makes that request's own commit a no-op (group commit). Only then
//! is the response sent. A failed append is cut off again (the file is truncated to its last
//! good length) and the request answers 500; if even that fails the persister is marked broken
//! and every later write answers 500.
//!
//! **Frames.** `u32 LE payload length | first 8 bytes of MD5(payload) | payload (JSON
//! {"put": {key: value}, "del": [key]})`. On startup `snapshot.bin` (one frame, all records) is
//! loaded and the journal replayed frame by frame; a truncated or corrupt tail (a crash during
//! an append, which was never acknowledged) is logged, ignored and cut off. Frames hold whole
//! records, so replaying one twice is harmless.
//!
//! **Compaction.** When the journal outgrows both 1 MiB and the snapshot, all records are
//! written to `snapshot.tmp`, fsynced, renamed over `snapshot.bin`, the directory fsynced, and
//! the journal truncated. A crash in between leaves a snapshot plus a journal whose replay
//! changes nothing.
//!
//! Reads never touch the disk. One process per data dir (not enforced).

use std::collections::{BTreeMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use md5::{Digest as _, Md5};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::store::Store;
use crate::AppState;

const SNAPSHOT: &str = "snapshot.bin";
const SNAPSHOT_TMP: &str = "snapshot.tmp";
const JOURNAL: &str = "journal.bin";
const HEADER: usize = 12;
/// No single frame is larger (a corrupt length must not make startup allocate gigabytes).
const MAX_FRAME: usize = 1 << 30;
/// The journal is compacted once it is larger than this and than the snapshot.
const COMPACT_MIN_BYTES: u64 = 1 << 20;

type Records = BTreeMap<String, Value>;

/// Changes between two record sets.
#[derive(Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
struct Frame {
    #[serde(default)]
    put: Map<String, Value>,
    #[serde(default)]
    del: Vec<String>,
}

impl Frame {
    fn is_empty(&self) -> bool {
        self.put.is_empty() && self.del.is_empty()
    }

    fn apply(self, records: &mut Records) {
        for k in self.del {
            records.remove(&k);
        }
        records.extend(self.put);
    }

    fn diff(old: &Records, new: &Records) -> Self {
        let put = new
            .iter()
            .filter(|(k, v)| old.get(*k) != Some(*v))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let del = old
            .keys()
            .filter(|k| !new.contains_key(*k))
            .cloned()
            .collect();
        Self { put, del }
    }
}

// ---- records <-> store ------------------------------------------------------------------------

/// The ids of an array that can be split into per-element records.
fn element_ids(items: &[Value]) -> Option<Vec<String>> {
    let mut seen = HashSet::new();
    items
        .iter()
        .map(|v| {
            let id = v.get("id")?.as_str()?;
            (!id.is_empty() && seen.insert(id)).then(|| id.to_string())
        })
        .collect()
}

fn to_records(store: &Store) -> Result<Records, String> {
    let value = serde_json::to_value(store).map_err(|e| format!("serializing the store: {e}"))?;
    let Value::Object(fields) = value else {
        return Err("the store does not serialize to an object".into());
    };
    let mut records = Records::new();
    for (field, value) in fields {
        match value {
            Value::Array(items) => match element_ids(&items) {
                Some(ids) => {
                    for (id, item) in ids.iter().zip(items) {
                        records.insert(format!("{field}/{id}"), item);
                    }
                    records.insert(format!("{field}/"), Value::from(ids));
                }
                None => {
                    records.insert(field, Value::Array(items));
                }
            },
            other => {
                records.insert(field, other);
            }
        }
    }
    Ok(records)
}

fn from_records(records: &Records) -> Result<Store, String> {
    let mut fields = Map::new();
    for (key, value) in records {
        match key.split_once('/') {
            None => {
                fields.insert(key.clone(), value.clone());
            }
            Some((field, "")) => {
                let ids = value
                    .as_array()
                    .ok_or_else(|| format!("record {key} is not a list of ids"))?;
                let mut items = Vec::with_capacity(ids.len());
                for id in ids {
                    let id = id
                        .as_str()
                        .ok_or_else(|| format!("record {key} holds a non-string id"))?;
                    let item = records
                        .get(&format!("{field}/{id}"))
                        .ok_or_else(|| format!("record {field}/{id} is missing"))?;
                    items.push(item.clone());
                }
                fields.insert(field.to_string(), Value::Array(items));
            }
            // Elements are picked up through their order record.
            Some(_) => {}
        }
    }
    serde_json::from_value(Value::Object(fields))
        .map_err(|e| format!("the stored state does not match this sandbox version: {e}"))
}

// ---- frames -----------------------------------------------------------------------------------

fn checksum(payload: &[u8]) -> [u8; 8] {
    let digest = Md5::digest(payload);
    let mut out = [0u8; 8];
    out.copy_from_slice(&digest[..8]);
    out
}

fn encode(frame: &Frame) -> Result<Vec<u8>, String> {
    let payload = serde_json::to_vec(frame).map_err(|e| format!("encoding a frame: {e}"))?;
    let len = u32::try_from(payload.len())
        .ok()
        .filter(|n| (*n as usize) <= MAX_FRAME)
        .ok_or_else(|| format!("a frame of {} bytes is too large", payload.len()))?;
    let mut out = Vec::with_capacity(HEADER + payload.len());
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&checksum(&payload));
    out.extend_from_slice(&payload);
    Ok(out)
}

/// The valid frames at the start of `bytes` and the length they cover.
fn decode_all(bytes: &[u8]) -> (Vec<Frame>, usize) {
    let mut frames = Vec::new();
    let mut at = 0;
    while let Some((frame, used)) = decode_one(&bytes[at..]) {
        frames.push(frame);
        at += used;
    }
    (frames, at)
}

fn decode_one(bytes: &[u8]) -> Option<(Frame, usize)> {
    let header = bytes.get(..HEADER)?;
    let len = u32::from_le_bytes(header[..4].try_into().ok()?) as usize;
    if len > MAX_FRAME {
        return None;
    }
    let payload = bytes.get(HEADER..HEADER.checked_add(len)?)?;
    if checksum(payload)[..] != header[4..] {
        return None;
    }
    let frame = serde_json::from_slice(payload).ok()?;
    Some((frame, HEADER + len))
}

// ---- files ------------------------------------------------------------------------------------

fn io_err(what: &str, path: &Path, e: std::io::Error) -> String {
    format!("{what} {}: {e}", path.display())
}

fn open_options() -> OpenOptions {
    let mut o = OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        // The state holds API key material.
        o.mode(0o600);
    }
    o
}

/// Make a rename or a new file in `dir` durable.
fn sync_dir(dir: &Path) -> Result<(), String> {
    #[cfg(unix)]
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io_err("syncing directory", dir, e))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

fn read_file(path: &Path) -> Result<Option<Vec<u8>>, String> {
    match File::open(path) {
        Ok(mut f) => {
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes)
                .map_err(|e| io_err("reading", path, e))?;
            Ok(Some(bytes))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_err("opening", path, e)),
    }
}

/// The store cut into records (taken under the store's lock, written without it).
pub struct Snapshot(Records);

impl Snapshot {
    pub fn of(store: &Store) -> Result<Self, String> {
        to_records(store).map(Self)
    }
}

/// The durable side of the store.
pub struct Persister {
    dir: PathBuf,
    journal: File,
    journal_len: u64,
    snapshot_len: u64,
    compact_min: u64,
    /// What is on disk (snapshot + journal).
    records: Records,
    /// Set when the journal could not be restored after a failed append.
    broken: Option<String>,
}

impl std::fmt::Debug for Persister {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Persister")
            .field("dir", &self.dir)
            .field("journal_len", &self.journal_len)
            .field("records", &self.records.len())
            .finish_non_exhaustive()
    }
}

impl Persister {
    /// Open (creating) `dir`; the stored store if there is one.
    pub fn open(dir: &Path) -> Result<(Self, Option<Store>), String> {
        Self::open_with(dir, COMPACT_MIN_BYTES)
    }

    fn open_with(dir: &Path, compact_min: u64) -> Result<(Self, Option<Store>), String> {
        std::fs::create_dir_all(dir).map_err(|e| io_err("creating", dir, e))?;
        let mut records = Records::new();
        let mut found = false;
        let snapshot_path = dir.join(SNAPSHOT);
        let mut snapshot_len = 0;
        if let Some(bytes) = read_file(&snapshot_path)? {
            // Written atomically: anything but one whole frame is real damage.
            match decode_one(&bytes) {
                Some((frame, used)) if used == bytes.len() => frame.apply(&mut records),
                _ => return Err(format!("{} is corrupt", snapshot_path.display())),
            }
            snapshot_len = bytes.len() as u64;
            found = true;
        }
        let journal_path = dir.join(JOURNAL);
        let existed = journal_path.exists();
        let bytes = read_file(&journal_path)?.unwrap_or_default();
        let (frames, valid) = decode_all(&bytes);
        found |= !frames.is_empty();
        for frame in frames {
            frame.apply(&mut records);
        }
        let journal = open_options()
            .create(true)
            .read(true)
            .append(true)
            .open(&journal_path)
            .map_err(|e| io_err("opening", &journal_path, e))?;
        if valid < bytes.len() {
            tracing::warn!(
                journal = %journal_path.display(),
                valid_bytes = valid,
                ignored_bytes = bytes.len() - valid,
                "ignoring a torn or corrupt journal tail (a write that was never acknowledged)"
            );
            journal
                .set_len(valid as u64)
                .and_then(|()| journal.sync_all())
                .map_err(|e| io_err("truncating", &journal_path, e))?;
        }
        if !existed {
            sync_dir(dir)?;
        }
        let store = if found {
            Some(from_records(&records)?)
        } else {
            None
        };
        Ok((
            Self {
                dir: dir.to_path_buf(),
                journal,
                journal_len: valid as u64,
                snapshot_len,
                compact_min,
                records,
                broken: None,
            },
            store,
        ))
    }

    /// Make `store` durable. `Ok(false)`: nothing had changed.
    #[cfg(test)]
    fn commit(&mut self, store: &Store) -> Result<bool, String> {
        self.commit_records(Snapshot::of(store)?)
    }

    /// Make a state taken with [`Snapshot::of`] durable. `Ok(false)`: nothing had changed.
    pub fn commit_records(&mut self, snapshot: Snapshot) -> Result<bool, String> {
        if let Some(why) = &self.broken {
            return Err(format!("persistence is broken: {why}"));
        }
        let records = snapshot.0;
        let frame = Frame::diff(&self.records, &records);
        if frame.is_empty() {
            return Ok(false);
        }
        let bytes = encode(&frame)?;
        let journal_path = self.dir.join(JOURNAL);
        let written = self
            .journal
            .write_all(&bytes)
            .and_then(|()| self.journal.sync_data());
        if let Err(e) = written {
            // Cut the partial frame off so later frames stay reachable.
            let restored = self
                .journal
                .set_len(self.journal_len)
                .and_then(|()| self.journal.sync_all());
            if let Err(e2) = restored {
                self.broken = Some(io_err("restoring", &journal_path, e2));
            }
            return Err(io_err("appending to", &journal_path, e));
        }
        self.journal_len += bytes.len() as u64;
        self.records = records;
        if self.journal_len > self.compact_min && self.journal_len > self.snapshot_len {
            if let Err(e) = self.compact() {
                // The journal still holds everything; try again after the next write.
                tracing::warn!(error = %e, "journal compaction failed");
            }
        }
        Ok(true)
    }

    /// Write every record to a new snapshot and empty the journal.
    fn compact(&mut self) -> Result<(), String> {
        let frame = Frame {
            put: self
                .records
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            del: Vec::new(),
        };
        let bytes = encode(&frame)?;
        let tmp = self.dir.join(SNAPSHOT_TMP);
        let snapshot = self.dir.join(SNAPSHOT);
        let mut f = open_options()
            .create(true)
            .write(true)
            .truncate(true)
            .open(&tmp)
            .map_err(|e| io_err("creating", &tmp, e))?;
        f.write_all(&bytes)
            .and_then(|()| f.sync_all())
            .map_err(|e| io_err("writing", &tmp, e))?;
        drop(f);
        std::fs::rename(&tmp, &snapshot).map_err(|e| io_err("renaming", &tmp, e))?;
        sync_dir(&self.dir)?;
        self.snapshot_len = bytes.len() as u64;
        let journal_path = self.dir.join(JOURNAL);
        self.journal
            .set_len(0)
            .and_then(|()| self.journal.sync_all())
            .map_err(|e| io_err("truncating", &journal_path, e))?;
        self.journal_len = 0;
        tracing::debug!(snapshot_bytes = bytes.len(), "journal compacted");
        Ok(())
    }
}

// ---- the request hook -------------------------------------------------------------------------

/// Around every request: after a state-changing one (any method but GET/HEAD/OPTIONS/TRACE),
/// commit before the response leaves; a commit that fails turns the answer into a 500.
pub async fn commit(state: &AppState, req: Request, next: Next) -> Response {
    if !state.persistent() || !crate::faults::is_write(req.method()) {
        return next.run(req).await;
    }
    let resp = next.run(req).await;
    let st = state.clone();
    let outcome = tokio::task::spawn_blocking(move || st.commit())
        .await
        .unwrap_or_else(|e| Err(format!("commit task failed: {e}")));
    match outcome {
        Ok(()) => resp,
        Err(e) => {
            tracing::error!(error = %e, "could not persist a write; answering 500");
            ApiError::unexpected_error().into_response()
        }
    }
}

// ---- serde helpers ----------------------------------------------------------------------------

/// `#[serde(deserialize_with = "crate::persist::static_str")]` for `&'static str` fields:
/// each distinct value is allocated once for the life of the process.
pub fn static_str<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    static TABLE: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let s = String::deserialize(d)?;
    let mut table = crate::state::lock(TABLE.get_or_init(Default::default));
    if let Some(interned) = table.get(s.as_str()) {
        return Ok(interned);
    }
    let leaked: &'static str = Box::leak(s.into_boxed_str());
    table.insert(leaked);
    Ok(leaked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use serde_json::json;

    fn tmp() -> tempfile::TempDir {
        tempfile::tempdir().expect("temp dir")
    }

    fn records(v: Value) -> Records {
        v.as_object()
            .expect("object")
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    #[test]
    fn diff_and_apply_round_trip() {
        let old = records(json!({"a": 1, "b": 2, "c": 3}));
        let new = records(json!({"a": 1, "b": 20, "d": 4}));
        let frame = Frame::diff(&old, &new);
        assert_eq!(
            frame.put,
            json!({"b": 20, "d": 4})
                .as_object()
                .cloned()
                .unwrap_or_default()
        );
        assert_eq!(frame.del, vec!["c".to_string()]);
        let mut replayed = old.clone();
        frame.apply(&mut replayed);
        assert_eq!(replayed, new);
        assert!(Frame::diff(&new, &new).is_empty());
    }

    #[test]
    fn frames_decode_until_the_first_bad_one() {
        let f1 = Frame {
            put: json!({"x": 1}).as_object().cloned().unwrap_or_default(),
            del: vec![],
        };
        let f2 = Frame {
            put: Map::new(),
            del: vec!["x".into()],
        };
        let mut bytes = encode(&f1).expect("encodes");
        let first = bytes.len();
        bytes.extend(encode(&f2).expect("encodes"));
        let whole = bytes.len();
        assert_eq!(decode_all(&bytes).1, whole);
        // Torn tail.
        assert_eq!(decode_all(&bytes[..whole - 3]), (vec![f1], first));
        // Flipped byte in the second payload.
        let mut bad = bytes.clone();
        bad[whole - 2] ^= 0x20;
        assert_eq!(decode_all(&bad).1, first);
        // Absurd length.
        let mut bad = bytes;
        bad[first..first + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(decode_all(&bad).1, first);
    }

    #[test]
    fn keyed_arrays_become_one_record_per_element() {
        let mut store = Store::bootstrap("k", "p", Some(1), Utc::now());
        let org = store.orgs[0].id.clone();
        let recs = to_records(&store).expect("records");
        assert_eq!(recs[&"orgs/".to_string()], json!([org]));
        assert!(recs.contains_key(&format!("orgs/{org}")));
        assert!(recs.contains_key("ids"));
        let back = from_records(&recs).expect("loads");
        assert_eq!(back.orgs[0].id, org);
        store.next_id(Utc::now());
        let recs2 = to_records(&store).expect("records");
        let frame = Frame::diff(&recs, &recs2);
        assert_eq!(frame.put.keys().collect::<Vec<_>>(), vec!["ids"]);
    }

    #[test]
    fn commits_survive_reopen_and_compaction() {
        let dir = tmp();
        let (mut p, loaded) = Persister::open_with(dir.path(), 512).expect("opens");
        assert!(loaded.is_none());
        let mut store = Store::bootstrap("k", "p", Some(2), Utc::now());
        assert!(p.commit(&store).expect("commits"));
        assert!(!p.commit(&store).expect("no change"));
        let mut last = String::new();
        for _ in 0..50 {
            last = store.next_id(Utc::now());
            p.commit(&store).expect("commits");
        }
        assert!(
            dir.path().join(SNAPSHOT).exists(),
            "compacted at least once"
        );
        drop(p);
        let (mut p, loaded) = Persister::open_with(dir.path(), 512).expect("reopens");
        let mut loaded = loaded.expect("state found");
        assert_eq!(loaded.orgs[0].id, store.orgs[0].id);
        let next = loaded.next_id(Utc::now());
        assert!(next > last, "{next} > {last}");
        assert!(p.commit(&loaded).expect("commits"));
    }

    #[test]
    fn a_torn_journal_tail_is_ignored_and_cut_off() {
        let dir = tmp();
        let (mut p, _) = Persister::open(dir.path()).expect("opens");
        let mut store = Store::bootstrap("k", "p", Some(3), Utc::now());
        p.commit(&store).expect("commits");
        let acknowledged = store.next_id(Utc::now());
        p.commit(&store).expect("commits");
        drop(p);
        let journal = dir.path().join(JOURNAL);
        let good_len = std::fs::metadata(&journal).expect("journal").len();
        let mut f = OpenOptions::new()
            .append(true)
            .open(&journal)
            .expect("journal opens");
        f.write_all(&[7, 0, 0, 0, 1, 2, 3])
            .expect("garbage written");
        drop(f);
        let (mut p, loaded) = Persister::open(dir.path()).expect("reopens despite the tail");
        let mut loaded = loaded.expect("state found");
        assert_eq!(
            std::fs::metadata(&journal).expect("journal").len(),
            good_len
        );
        assert!(loaded.next_id(Utc::now()) > acknowledged);
        p.commit(&loaded).expect("appends after the cut");
        drop(p);
        let (_, again) = Persister::open(dir.path()).expect("reopens");
        assert!(again.is_some());
    }

    #[test]
    fn a_corrupt_snapshot_is_an_error_not_a_silent_reset() {
        let dir = tmp();
        std::fs::write(dir.path().join(SNAPSHOT), b"nonsense").expect("written");
        assert!(Persister::open(dir.path()).is_err());
    }

    #[test]
    fn static_strs_are_interned() {
        let a: &'static str =
            static_str(serde_json::Value::from("SCRAM")).expect("string deserializes");
        let b: &'static str =
            static_str(serde_json::Value::from("SCRAM")).expect("string deserializes");
        assert!(std::ptr::eq(a, b));
    }
}
