//! Durable state for `--data-dir`: a snapshot plus an append-only journal of record changes,
//! fsynced before the response of the write that caused them is sent.
//!
//! **Records.** The whole [`Store`] is `Serialize + Deserialize`; its JSON form is cut into
//! records: every top-level field whose value is an array of objects with unique, non-empty
//! string `id`s becomes one record per element (`"projects/<id>"`) plus an order record
//! (`"projects/"`, the ids in order); every other field is one record (`"ids"`, `"orgs"`, …).
//! So a table an area adds (a field of `areas::OrgTables`, flattened into the store's top
//! level, or of `areas::ProjectChildren`) persists with no extra work (derive the serde
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
//! **Frames.** `"ASJ2" | sequence number u64 LE | payload length u32 LE | MD5(payload)[..8] |
//! MD5(the 24 header bytes before)[..4] | payload (JSON {"put": {key: value}, "del": [key]})`.
//! Write number n is frame n; the numbers run without gaps. After the fsync, and before the
//! answer leaves, n is written to `acknowledged.seq` (not fsynced: it is only ever written once
//! write n is durable, so the disk never holds a number the journal may lack).
//!
//! **Recovery.** `snapshot.bin` (one frame, all records, numbered with the last write it
//! holds) is loaded and the journal replayed frame by frame. Nothing acknowledged is dropped:
//! * a bad frame is a torn append (a crash before the fsync, so never acknowledged) only when
//!   it is the last thing in the file and looks like one (see [`scan_journal`]); it is cut off,
//!   after the cut bytes are kept in `journal.bin.torn-at-<offset>.corrupt`;
//! * anything else — a bad frame followed by an intact one or by more data, a damaged
//!   snapshot, a gap in the numbers, a journal whose numbers do not continue the snapshot's —
//!   refuses to start, naming the file, the byte offset and the way out; nothing is changed;
//! * a journal that ends before the write `acknowledged.seq` names (cut at a frame boundary,
//!   or replaced by an older copy) refuses to start too. Only if that marker is gone as well
//!   is such a cut indistinguishable from a crash before those writes were acknowledged.
//!
//! Frames hold whole records, so replaying one twice is harmless. Data dirs written before
//! sequence numbers (`u32 length | MD5[..8] | payload` frames) are read and rewritten in the
//! current format on open.
//!
//! **Compaction.** When the journal outgrows both 1 MiB (`ATLAS_SANDBOX_COMPACT_MIN_BYTES`,
//! a knob for the crash tests) and the snapshot, all records are written to `snapshot.tmp`,
//! fsynced, renamed over `snapshot.bin`, the directory fsynced, and the journal truncated. A
//! crash in between leaves a snapshot plus frames it supersedes (skipped by number).
//!
//! **One process per data dir.** `open` takes an advisory `flock` on `<dir>/lock` for as long
//! as the sandbox runs; a second sandbox on the same dir refuses to start. The kernel drops the
//! lock when the process dies, so a crash (kill -9) never leaves it stuck.
//!
//! Reads never touch the disk.

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

use crate::areas::Store;
use crate::error::ApiError;
use crate::AppState;

const SNAPSHOT: &str = "snapshot.bin";
const SNAPSHOT_TMP: &str = "snapshot.tmp";
const JOURNAL: &str = "journal.bin";
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

/// First bytes of every frame.
const MAGIC: [u8; 4] = *b"ASJ2";
/// `magic | seq u64 LE | payload length u32 LE | MD5(payload)[..8] | MD5(the 24 bytes before)[..4]`.
const HEADER: usize = 28;
/// The frames of data dirs written before sequence numbers: `u32 LE length | MD5(payload)[..8]`.
const LEGACY_HEADER: usize = 12;

fn md5_prefix<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let digest = Md5::digest(bytes);
    let mut out = [0u8; N];
    out.copy_from_slice(&digest[..N]);
    out
}

fn encode(seq: u64, frame: &Frame) -> Result<Vec<u8>, String> {
    let payload = serde_json::to_vec(frame).map_err(|e| format!("encoding a frame: {e}"))?;
    let len = u32::try_from(payload.len())
        .ok()
        .filter(|n| (*n as usize) <= MAX_FRAME)
        .ok_or_else(|| format!("a frame of {} bytes is too large", payload.len()))?;
    let mut out = Vec::with_capacity(HEADER + payload.len());
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&seq.to_le_bytes());
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&md5_prefix::<8>(&payload));
    let header_sum = md5_prefix::<4>(&out);
    out.extend_from_slice(&header_sum);
    out.extend_from_slice(&payload);
    Ok(out)
}

struct Header {
    seq: u64,
    len: usize,
    payload_sum: [u8; 8],
}

/// The header at the start of `bytes`, if it is whole and intact.
fn parse_header(bytes: &[u8]) -> Option<Header> {
    let h = bytes.get(..HEADER)?;
    if h[..4] != MAGIC || md5_prefix::<4>(&h[..24])[..] != h[24..] {
        return None;
    }
    let len = u32::from_le_bytes(h[12..16].try_into().ok()?) as usize;
    (len <= MAX_FRAME).then(|| Header {
        seq: u64::from_le_bytes(h[4..12].try_into().unwrap_or_default()),
        len,
        payload_sum: h[16..24].try_into().unwrap_or_default(),
    })
}

/// The offset of the first intact frame header at or after `from`.
fn find_header(bytes: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    while at + HEADER <= bytes.len() {
        let hit = bytes[at..].windows(MAGIC.len()).position(|w| w == MAGIC)?;
        at += hit;
        if parse_header(&bytes[at..]).is_some() {
            return Some(at);
        }
        at += 1;
    }
    None
}

/// The whole intact frame at the start of `bytes`: its sequence number, content and length.
fn decode_one(bytes: &[u8]) -> Option<(u64, Frame, usize)> {
    let h = parse_header(bytes)?;
    let payload = bytes.get(HEADER..HEADER + h.len)?;
    if md5_prefix::<8>(payload) != h.payload_sum {
        return None;
    }
    let frame = serde_json::from_slice(payload).ok()?;
    Some((h.seq, frame, HEADER + h.len))
}

fn decode_legacy(bytes: &[u8]) -> Option<(Frame, usize)> {
    let header = bytes.get(..LEGACY_HEADER)?;
    let len = u32::from_le_bytes(header[..4].try_into().ok()?) as usize;
    if len > MAX_FRAME {
        return None;
    }
    let payload = bytes.get(LEGACY_HEADER..LEGACY_HEADER.checked_add(len)?)?;
    if md5_prefix::<8>(payload)[..] != header[4..] {
        return None;
    }
    let frame = serde_json::from_slice(payload).ok()?;
    Some((frame, LEGACY_HEADER + len))
}

fn all_zero(bytes: &[u8]) -> bool {
    bytes.iter().all(|b| *b == 0)
}

// ---- recovery ---------------------------------------------------------------------------------

/// Where and how a file is damaged.
#[derive(Debug, PartialEq)]
struct Damage {
    offset: usize,
    what: String,
}

fn damage(offset: usize, what: impl Into<String>) -> Damage {
    Damage {
        offset,
        what: what.into(),
    }
}

/// What the journal holds.
#[derive(Debug, Default)]
struct Scan {
    /// Intact frames in file order, with their sequence numbers.
    frames: Vec<(u64, Frame)>,
    /// Bytes covered by them.
    valid: usize,
    /// Why the bytes after `valid` are a torn append (a write that was never acknowledged).
    torn: Option<&'static str>,
    /// Written before frames had sequence numbers (then `frames` are numbered 1, 2, …).
    legacy: bool,
}

/// Read the journal. A bad frame is a torn append only when it is the last thing in the file
/// and looks like one: an incomplete header or payload, zero bytes (blocks that never reached
/// the disk), or a complete frame whose payload holds a NUL (never in JSON; what an unwritten
/// block reads as). Anything else — a bad frame followed by an intact one or by more data, a
/// damaged header, a complete last frame with a wrong checksum, a gap in the numbers — is
/// damage to acknowledged writes.
///
/// `snapshot_seq`: the last write the snapshot holds (0: no snapshot). Frames up to it are
/// superseded (a crash between a compaction's rename and the journal's truncation).
fn scan_journal(bytes: &[u8], snapshot_seq: u64) -> Result<Scan, Damage> {
    let legacy = !bytes.is_empty()
        && !bytes.starts_with(&MAGIC[..bytes.len().min(MAGIC.len())])
        && decode_legacy(bytes).is_some();
    if legacy {
        return scan_legacy(bytes);
    }
    let mut scan = Scan::default();
    let mut prev: Option<u64> = None;
    let mut at = 0;
    while at < bytes.len() {
        let expected = prev.map_or(snapshot_seq + 1, |p| p + 1);
        let Some((seq, frame, used)) = decode_one(&bytes[at..]) else {
            scan.torn = Some(classify_bad(bytes, at, expected)?);
            break;
        };
        match prev {
            None if seq == 0 || seq > snapshot_seq + 1 => {
                return Err(damage(
                    at,
                    if snapshot_seq == 0 {
                        format!("the journal starts at write #{seq}, but there is no snapshot holding the writes before it")
                    } else {
                        format!("the journal starts at write #{seq}, but the snapshot holds writes up to #{snapshot_seq} only")
                    },
                ));
            }
            Some(p) if seq != p + 1 => {
                return Err(damage(
                    at,
                    format!("write #{seq} follows write #{p}: the writes between are missing"),
                ));
            }
            _ => {}
        }
        prev = Some(seq);
        scan.frames.push((seq, frame));
        at += used;
        scan.valid = at;
    }
    Ok(scan)
}

/// Why the bad bytes at `at` are a torn append, or the damage they are.
fn classify_bad(bytes: &[u8], at: usize, expected: u64) -> Result<&'static str, Damage> {
    let rest = &bytes[at..];
    if all_zero(rest) {
        return Ok("zero bytes: blocks of an append that never reached the disk");
    }
    if let Some(next) = find_header(bytes, at + 1) {
        return Err(damage(
            at,
            format!("a damaged frame, followed by an intact frame at byte {next}"),
        ));
    }
    if rest.len() < HEADER {
        let mut start = MAGIC.to_vec();
        start.extend_from_slice(&expected.to_le_bytes());
        let n = rest.len().min(start.len());
        return if rest[..n] == start[..n] {
            Ok("an incomplete frame header")
        } else {
            Err(damage(at, "bytes that are not the start of a frame"))
        };
    }
    let Some(h) = parse_header(rest) else {
        return if all_zero(&rest[..HEADER]) {
            Ok("a frame whose header never reached the disk")
        } else {
            Err(damage(at, "a damaged frame header"))
        };
    };
    if h.seq != expected {
        return Err(damage(
            at,
            format!("write #{} where #{expected} was expected", h.seq),
        ));
    }
    let end = HEADER + h.len;
    if end > rest.len() {
        return Ok("a frame that runs past the end of the file");
    }
    if !all_zero(&rest[end..]) {
        return Err(damage(at, "a damaged frame followed by more data"));
    }
    let payload = &rest[HEADER..end];
    if md5_prefix::<8>(payload) != h.payload_sum && payload.contains(&0) {
        return Ok("a frame with zero-filled blocks (an append that never reached the disk)");
    }
    Err(damage(
        at,
        "the last frame is whole but does not match its checksum: it was damaged after it was written",
    ))
}

/// [`scan_journal`] for a journal written before frames had sequence numbers (and headers
/// checksums): a bad frame is a torn append when it runs to (or past) the end of the file.
fn scan_legacy(bytes: &[u8]) -> Result<Scan, Damage> {
    let mut scan = Scan {
        legacy: true,
        ..Scan::default()
    };
    let mut at = 0;
    while at < bytes.len() {
        let Some((frame, used)) = decode_legacy(&bytes[at..]) else {
            let rest = &bytes[at..];
            let len = rest
                .get(..4)
                .map(|b| u32::from_le_bytes(b.try_into().unwrap_or_default()) as usize);
            let ends_in_file = len
                .and_then(|l| LEGACY_HEADER.checked_add(l))
                .is_some_and(|end| end <= rest.len() && !all_zero(&rest[end..]));
            if ends_in_file {
                return Err(damage(at, "a damaged frame followed by more data"));
            }
            scan.torn =
                Some("an incomplete or damaged last frame (written before sequence numbers)");
            break;
        };
        scan.frames.push((scan.frames.len() as u64 + 1, frame));
        at += used;
        scan.valid = at;
    }
    Ok(scan)
}

/// The refusal for damage in `path`.
fn refusal(path: &Path, d: &Damage, intact: usize, marker: &Path) -> String {
    format!(
        "{path} is damaged at byte {offset}: {what}. Acknowledged writes may follow it, so the \
         sandbox does not start (nothing was changed). The {intact} write(s) before that byte are \
         intact. Way out: keep a copy of the data dir; then restore {path} from a backup, or \
         start from the writes before the damage and lose the ones after it: \
         `truncate -s {offset} {path} && rm -f {marker}`, or start empty with another --data-dir",
        path = path.display(),
        offset = d.offset,
        what = d.what,
        marker = marker.display(),
    )
}

fn snapshot_refusal(path: &Path, d: &Damage) -> String {
    format!(
        "{path} is damaged at byte {offset}: {what}. It holds acknowledged writes, so the sandbox \
         does not start (nothing was changed). Way out: keep a copy of the data dir; then restore \
         {path} from a backup, or start empty with another --data-dir",
        path = path.display(),
        offset = d.offset,
        what = d.what,
    )
}

/// The snapshot: one whole intact frame (written to a temporary file and renamed, so anything
/// else is damage), its sequence number, and whether it predates sequence numbers.
fn decode_snapshot(bytes: &[u8]) -> Result<(u64, Frame, bool), Damage> {
    if let Some((seq, frame, used)) = decode_one(bytes) {
        return if used == bytes.len() {
            Ok((seq, frame, false))
        } else {
            Err(damage(used, "data after the snapshot's frame"))
        };
    }
    if !bytes.starts_with(&MAGIC) {
        if let Some((frame, used)) = decode_legacy(bytes) {
            if used == bytes.len() {
                return Ok((0, frame, true));
            }
        }
    }
    Err(match parse_header(bytes) {
        None => damage(0, "a missing or damaged frame header"),
        Some(h) if HEADER + h.len > bytes.len() => {
            damage(bytes.len(), "the file ends inside its frame")
        }
        Some(_) => damage(HEADER, "its content does not match its checksum"),
    })
}

// ---- the acknowledged-write marker ------------------------------------------------------------

/// `acknowledged.seq`: the number of the last acknowledged write (u64 LE + MD5[..8]),
/// overwritten after every journal fsync and before the answer leaves. Not fsynced itself: it
/// is only ever written after the write it names is durable, so whatever version of it the
/// disk holds never names a write the journal may not have; lagging behind after a power
/// loss only makes it detect less. It catches what the journal alone cannot tell from a
/// crash: a journal cut at a frame boundary, or replaced by an older copy.
const MARKER: &str = "acknowledged.seq";

fn encode_marker(seq: u64) -> [u8; 16] {
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&seq.to_le_bytes());
    out[8..].copy_from_slice(&md5_prefix::<8>(&seq.to_le_bytes()));
    out
}

/// The marker's number; `None` when there is none or it is unreadable (then it detects
/// nothing: it is a check, not data).
fn decode_marker(bytes: &[u8]) -> Option<u64> {
    let b: &[u8; 16] = bytes.try_into().ok()?;
    (md5_prefix::<8>(&b[..8])[..] == b[8..])
        .then(|| u64::from_le_bytes(b[..8].try_into().unwrap_or_default()))
}

// ---- files ------------------------------------------------------------------------------------

const LOCK: &str = "lock";

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

/// Take the data dir's lock (an advisory `flock` on `dir/lock`, held as long as the returned
/// file is open; the kernel releases it when the process dies, so a crash never leaves it
/// stuck).
fn lock_dir(dir: &Path) -> Result<File, String> {
    let path = dir.join(LOCK);
    let file = open_options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| io_err("opening", &path, e))?;
    match rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => Ok(file),
        Err(e) if e == rustix::io::Errno::WOULDBLOCK => Err(format!(
            "{} is in use by another atlas-sandbox (it holds the lock on {}); stop that one, or \
             give this one another --data-dir",
            dir.display(),
            path.display()
        )),
        Err(e) => Err(io_err("locking", &path, e.into())),
    }
}

/// Keep the bytes a recovery cuts off in `<journal>.torn-at-<offset>[.n].corrupt`, durably.
fn keep_corrupt_copy(dir: &Path, offset: usize, bytes: &[u8]) -> Result<PathBuf, String> {
    let mut n = 0;
    let path = loop {
        let suffix = if n == 0 {
            String::new()
        } else {
            format!(".{n}")
        };
        let p = dir.join(format!("{JOURNAL}.torn-at-{offset}{suffix}.corrupt"));
        if !p.exists() {
            break p;
        }
        n += 1;
    };
    let mut f = open_options()
        .create_new(true)
        .write(true)
        .open(&path)
        .map_err(|e| io_err("creating", &path, e))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(|e| io_err("writing", &path, e))?;
    sync_dir(dir)?;
    Ok(path)
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
    /// The number of the last durable write.
    seq: u64,
    /// `acknowledged.seq`.
    marker: File,
    /// The data dir's lock, held while this is open (`None` once closed).
    _lock: Option<File>,
    /// What is on disk (snapshot + journal).
    records: Records,
    /// Set when the journal could not be restored after a failed append, or once closed.
    broken: Option<String>,
}

impl std::fmt::Debug for Persister {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Persister")
            .field("dir", &self.dir)
            .field("journal_len", &self.journal_len)
            .field("seq", &self.seq)
            .field("records", &self.records.len())
            .finish_non_exhaustive()
    }
}

/// The compaction threshold: 1 MiB, or `ATLAS_SANDBOX_COMPACT_MIN_BYTES` (a knob for the
/// crash tests, which want many compactions).
fn compact_min_from_env() -> u64 {
    std::env::var("ATLAS_SANDBOX_COMPACT_MIN_BYTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(COMPACT_MIN_BYTES)
}

impl Persister {
    /// Lock and open (creating) `dir`; the stored store if there is one. Refuses (with the
    /// file, the offset and the way out) when anything acknowledged may be missing.
    pub fn open(dir: &Path) -> Result<(Self, Option<Store>), String> {
        Self::open_with(dir, compact_min_from_env())
    }

    fn open_with(dir: &Path, compact_min: u64) -> Result<(Self, Option<Store>), String> {
        std::fs::create_dir_all(dir).map_err(|e| io_err("creating", dir, e))?;
        let lock = lock_dir(dir)?;
        let mut records = Records::new();
        let mut found = false;
        let mut legacy = false;
        let snapshot_path = dir.join(SNAPSHOT);
        let journal_path = dir.join(JOURNAL);
        let marker_path = dir.join(MARKER);
        let mut snapshot_len = 0;
        let mut snapshot_seq = 0;
        if let Some(bytes) = read_file(&snapshot_path)? {
            let (seq, frame, old) =
                decode_snapshot(&bytes).map_err(|d| snapshot_refusal(&snapshot_path, &d))?;
            frame.apply(&mut records);
            snapshot_len = bytes.len() as u64;
            snapshot_seq = seq;
            legacy |= old;
            found = true;
        }
        let existed = journal_path.exists();
        let bytes = read_file(&journal_path)?.unwrap_or_default();
        let scan = scan_journal(&bytes, snapshot_seq).map_err(|d| {
            let intact = scan_journal(&bytes[..d.offset.min(bytes.len())], snapshot_seq)
                .map_or(0, |s| s.frames.len());
            refusal(&journal_path, &d, intact, &marker_path)
        })?;
        legacy |= scan.legacy;
        let mut seq = snapshot_seq;
        found |= !scan.frames.is_empty();
        for (frame_seq, frame) in scan.frames {
            if scan.legacy || frame_seq > snapshot_seq {
                frame.apply(&mut records);
            }
            seq = seq.max(frame_seq);
        }
        let acknowledged = read_file(&marker_path)?;
        match acknowledged.as_deref().map(decode_marker) {
            Some(Some(acked)) if acked > seq => {
                return Err(format!(
                    "write #{acked} was acknowledged, but {journal} and {snapshot} hold writes up \
                     to #{seq} only: the journal lost acknowledged writes (cut short or replaced \
                     by an older copy), so the sandbox does not start (nothing was changed). Way \
                     out: keep a copy of the data dir; then restore {journal} from a backup, or \
                     start from the {seq} write(s) left and lose the rest: `rm {marker}`, or \
                     start empty with another --data-dir",
                    journal = journal_path.display(),
                    snapshot = snapshot_path.display(),
                    marker = marker_path.display(),
                ));
            }
            Some(None) => tracing::warn!(
                marker = %marker_path.display(),
                "the acknowledged-write marker is unreadable; it will be rewritten"
            ),
            _ => {}
        }
        let journal = open_options()
            .create(true)
            .read(true)
            .append(true)
            .open(&journal_path)
            .map_err(|e| io_err("opening", &journal_path, e))?;
        if let Some(why) = scan.torn {
            let kept = keep_corrupt_copy(dir, scan.valid, &bytes[scan.valid..])?;
            tracing::warn!(
                journal = %journal_path.display(),
                offset = scan.valid,
                cut_bytes = bytes.len() - scan.valid,
                kept = %kept.display(),
                "cutting off a torn journal tail ({why}): the write it held was never acknowledged"
            );
            journal
                .set_len(scan.valid as u64)
                .and_then(|()| journal.sync_all())
                .map_err(|e| io_err("truncating", &journal_path, e))?;
        }
        let marker = open_options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&marker_path)
            .map_err(|e| io_err("opening", &marker_path, e))?;
        if !existed || acknowledged.is_none() {
            sync_dir(dir)?;
        }
        let store = if found {
            Some(from_records(&records)?)
        } else {
            None
        };
        let mut persister = Self {
            dir: dir.to_path_buf(),
            journal,
            journal_len: scan.valid as u64,
            snapshot_len,
            compact_min,
            seq,
            marker,
            _lock: Some(lock),
            records,
            broken: None,
        };
        if legacy {
            // Rewrite in the current format (a snapshot with a sequence number, an empty
            // journal); until it succeeds the old files stay as they are.
            persister.compact()?;
            tracing::info!("data dir converted to the journal format with sequence numbers");
        }
        persister.write_marker();
        Ok((persister, store))
    }

    /// Release the data dir (the sandbox stopped); later commits fail.
    pub fn close(&mut self) {
        self._lock = None;
        self.broken = Some("the sandbox was stopped".into());
    }

    fn write_marker(&mut self) {
        use std::os::unix::fs::FileExt as _;
        if let Err(e) = self.marker.write_all_at(&encode_marker(self.seq), 0) {
            tracing::warn!(error = %e, "could not update the acknowledged-write marker");
        }
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
        let bytes = encode(self.seq + 1, &frame)?;
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
        self.seq += 1;
        self.journal_len += bytes.len() as u64;
        self.records = records;
        self.write_marker();
        if self.journal_len > self.compact_min && self.journal_len > self.snapshot_len {
            if let Err(e) = self.compact() {
                // The journal still holds everything; try again after the next write.
                tracing::warn!(error = %e, "journal compaction failed");
            }
        }
        Ok(true)
    }

    /// Write every record to a new snapshot (numbered with the last write) and empty the
    /// journal. A crash in between leaves a snapshot plus frames it supersedes (skipped).
    fn compact(&mut self) -> Result<(), String> {
        let frame = Frame {
            put: self
                .records
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            del: Vec::new(),
        };
        let bytes = encode(self.seq, &frame)?;
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
    use crate::store::Organization;
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

    fn frame_x(v: i64) -> Frame {
        Frame {
            put: json!({"x": v}).as_object().cloned().unwrap_or_default(),
            del: vec![],
        }
    }

    #[test]
    fn frames_carry_numbers_and_decode_only_when_intact() {
        let bytes = encode(7, &frame_x(1)).expect("encodes");
        let (seq, frame, used) = decode_one(&bytes).expect("decodes");
        assert_eq!((seq, used), (7, bytes.len()));
        assert_eq!(frame, frame_x(1));
        for i in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0xff;
            assert!(decode_one(&bad).is_none(), "flip at {i} detected");
        }
        assert!(decode_one(&bytes[..bytes.len() - 1]).is_none());
        assert_eq!(
            find_header(&[b"junkASJ2".as_slice(), &bytes].concat(), 1),
            Some(8)
        );
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
        assert_eq!(p.seq, 51);
        let mut loaded = loaded.expect("state found");
        assert_eq!(loaded.orgs[0].id, store.orgs[0].id);
        let next = loaded.next_id(Utc::now());
        assert!(next > last, "{next} > {last}");
        assert!(p.commit(&loaded).expect("commits"));
    }

    #[test]
    fn a_second_open_of_the_same_dir_is_refused_until_the_first_closes() {
        let dir = tmp();
        let (mut first, _) = Persister::open(dir.path()).expect("opens");
        let err = Persister::open(dir.path()).expect_err("locked");
        assert!(err.contains("in use by another atlas-sandbox"), "{err}");
        first.close();
        let (_second, _) = Persister::open(dir.path()).expect("opens once released");
        let store = Store::bootstrap("k", "p", Some(2), Utc::now());
        assert!(
            first.commit(&store).is_err(),
            "a closed persister writes nothing"
        );
    }

    // ---- the corruption matrix ------------------------------------------------------------

    /// A data dir with the bootstrap write and `n` more, each adding one organization, with a
    /// compaction after write `compact_after` (0: the bootstrap); the names of the
    /// organizations whose write was acknowledged (`commit` returned).
    fn build(dir: &Path, n: usize, compact_after: Option<usize>) -> Vec<String> {
        let (mut p, _) = Persister::open_with(dir, u64::MAX).expect("opens");
        let mut store = Store::bootstrap("k", "p", Some(4), Utc::now());
        p.commit(&store).expect("bootstrap commits");
        let mut acked = vec![store.orgs[0].name.clone()];
        for i in 0..n {
            let id = store.next_id(Utc::now());
            store.orgs.push(Organization {
                id,
                name: format!("org-{i}"),
                skip_default_alerts_settings: false,
            });
            assert!(p.commit(&store).expect("commits"));
            acked.push(format!("org-{i}"));
            if compact_after == Some(i + 1) {
                p.compact().expect("compacts");
            }
        }
        acked
    }

    fn copy_dir(from: &Path) -> tempfile::TempDir {
        let to = tmp();
        for name in [SNAPSHOT, JOURNAL, MARKER] {
            if from.join(name).exists() {
                std::fs::copy(from.join(name), to.path().join(name)).expect("copied");
            }
        }
        to
    }

    /// (start, length) of every frame of a journal.
    fn frames_of(bytes: &[u8]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut at = 0;
        while let Some((_, _, used)) = decode_one(&bytes[at..]) {
            out.push((at, used));
            at += used;
        }
        assert_eq!(at, bytes.len(), "pristine journal decodes whole");
        out
    }

    #[derive(Debug, PartialEq)]
    enum Outcome {
        /// Started with every acknowledged object.
        AllThere,
        Refused,
    }

    /// Open a damaged copy: it must either refuse (naming the file and a byte offset) or come
    /// up with every acknowledged organization. Never fewer objects and a running sandbox.
    fn check(case: &str, dir: &Path, acked: &[String]) -> Outcome {
        let before = std::fs::read(dir.join(JOURNAL)).ok();
        match Persister::open_with(dir, u64::MAX) {
            Err(e) => {
                assert!(
                    e.contains(".bin") && (e.contains("byte") || e.contains("acknowledged")),
                    "{case}: the refusal names the file and offset: {e}"
                );
                assert!(e.contains("Way out"), "{case}: {e}");
                assert_eq!(
                    std::fs::read(dir.join(JOURNAL)).ok(),
                    before,
                    "{case}: a refusal changes nothing"
                );
                eprintln!("{case:<45} refused");
                Outcome::Refused
            }
            Ok((_, store)) => {
                let names: HashSet<String> = store
                    .map(|s| s.orgs.into_iter().map(|o| o.name).collect())
                    .unwrap_or_default();
                let missing: Vec<&String> = acked.iter().filter(|n| !names.contains(*n)).collect();
                assert!(missing.is_empty(), "{case}: started without {missing:?}");
                eprintln!("{case:<45} started, all {} acknowledged there", acked.len());
                Outcome::AllThere
            }
        }
    }

    fn damage_journal(
        pristine: &Path,
        acked: &[String],
        case: &str,
        f: impl FnOnce(&mut Vec<u8>),
    ) -> Outcome {
        let copy = copy_dir(pristine);
        let path = copy.path().join(JOURNAL);
        let mut bytes = std::fs::read(&path).expect("journal");
        f(&mut bytes);
        std::fs::write(&path, &bytes).expect("written");
        check(case, copy.path(), acked)
    }

    /// Flipped bytes in every field of every frame, truncation at every frame boundary and
    /// inside frames, garbage: journal only, and journal after a snapshot.
    fn matrix(n: usize, compact_after: Option<usize>) {
        let pristine = tmp();
        let acked = build(pristine.path(), n, compact_after);
        let journal = std::fs::read(pristine.path().join(JOURNAL)).expect("journal");
        let frames = frames_of(&journal);
        assert!(frames.len() >= 3, "{} frames", frames.len());
        let snap = pristine.path().join(SNAPSHOT).exists();
        assert_eq!(
            check("pristine", copy_dir(pristine.path()).path(), &acked),
            Outcome::AllThere
        );
        for (k, &(start, len)) in frames.iter().enumerate() {
            let last = k + 1 == frames.len();
            for (field, off) in [
                ("magic", 0),
                ("seq", 4),
                ("seq high", 11),
                ("length", 12),
                ("length high", 15),
                ("payload checksum", 16),
                ("header checksum", 24),
                ("payload start", HEADER),
                ("payload middle", HEADER + (len - HEADER) / 2),
                ("payload end", len - 1),
            ] {
                let case = format!("snapshot={snap} flip frame {k} {field}");
                let outcome = damage_journal(pristine.path(), &acked, &case, |b| {
                    b[start + off] ^= 0xff;
                });
                // Every frame holds an acknowledged write: damage to one can only refuse.
                assert_eq!(outcome, Outcome::Refused, "{case}");
                if !last {
                    // Damage followed by intact frames is refused by the journal alone.
                    let copy = copy_dir(pristine.path());
                    std::fs::remove_file(copy.path().join(MARKER)).expect("marker removed");
                    let path = copy.path().join(JOURNAL);
                    let mut bytes = std::fs::read(&path).expect("journal");
                    bytes[start + off] ^= 0xff;
                    std::fs::write(&path, &bytes).expect("written");
                    let case = format!("{case}, marker gone");
                    assert_eq!(
                        check(&case, copy.path(), &acked),
                        Outcome::Refused,
                        "{case}"
                    );
                }
            }
            for (what, cut) in [
                ("at the frame's start", start),
                ("1 byte in", start + 1),
                ("inside the header", start + HEADER - 1),
                ("just after the header", start + HEADER + 1),
                ("1 byte short", start + len - 1),
            ] {
                let case = format!("snapshot={snap} truncate frame {k} {what}");
                let outcome = damage_journal(pristine.path(), &acked, &case, |b| b.truncate(cut));
                assert_eq!(outcome, Outcome::Refused, "{case}");
            }
        }
        // A torn append of the next (never acknowledged) write: every prefix of it, and
        // blocks that never reached the disk.
        let next = encode(
            frames.len() as u64
                + if snap {
                    acked.len() as u64 - frames.len() as u64
                } else {
                    0
                }
                + 1,
            &frame_x(1),
        );
        let next = next.expect("encodes");
        let seq_next = u64::from_le_bytes(next[4..12].try_into().expect("8 bytes"));
        let last_seq = u64::from_le_bytes(
            journal[frames[frames.len() - 1].0 + 4..frames[frames.len() - 1].0 + 12]
                .try_into()
                .expect("8 bytes"),
        );
        assert_eq!(seq_next, last_seq + 1);
        let mut torn_cases: Vec<(String, Vec<u8>)> =
            [1, 4, 11, HEADER - 1, HEADER, HEADER + 1, next.len() - 1]
                .into_iter()
                .map(|n| {
                    (
                        format!("torn append: {n} of {} bytes", next.len()),
                        next[..n].to_vec(),
                    )
                })
                .collect();
        torn_cases.push(("torn append: zeros".into(), vec![0; next.len()]));
        let mut zero_block = next.clone();
        for b in &mut zero_block[HEADER + 2..] {
            *b = 0;
        }
        torn_cases.push(("torn append: payload block zeros".into(), zero_block));
        let mut zero_header = next.clone();
        for b in &mut zero_header[..HEADER] {
            *b = 0;
        }
        torn_cases.push(("torn append: header block zeros".into(), zero_header));
        for (what, tail) in torn_cases {
            let case = format!("snapshot={snap} {what}");
            let copy = copy_dir(pristine.path());
            let path = copy.path().join(JOURNAL);
            let mut bytes = std::fs::read(&path).expect("journal");
            let good = bytes.len();
            bytes.extend_from_slice(&tail);
            std::fs::write(&path, &bytes).expect("written");
            assert_eq!(
                check(&case, copy.path(), &acked),
                Outcome::AllThere,
                "{case}"
            );
            assert_eq!(
                std::fs::read(&path).expect("journal").len(),
                good,
                "{case}: cut"
            );
            let kept = std::fs::read(
                copy.path()
                    .join(format!("{JOURNAL}.torn-at-{good}.corrupt")),
            )
            .expect("the cut bytes are kept");
            assert_eq!(kept, tail, "{case}");
        }
        // Appends that are not a torn write of the next frame.
        for (what, tail) in [
            (
                "garbage appended",
                b"this is not a frame at all, not even close".to_vec(),
            ),
            ("stray bytes appended", vec![7, 0, 0, 0, 1, 2, 3]),
            (
                "a frame from the future appended",
                encode(seq_next + 5, &frame_x(2)).expect("encodes"),
            ),
            (
                "an old frame appended again",
                journal[frames[0].0..frames[0].0 + frames[0].1].to_vec(),
            ),
        ] {
            let case = format!("snapshot={snap} {what}");
            let outcome = damage_journal(pristine.path(), &acked, &case, |b| {
                b.extend_from_slice(&tail)
            });
            assert_eq!(outcome, Outcome::Refused, "{case}");
        }
        // The whole journal replaced by garbage, or emptied.
        let garbage: Vec<u8> = (0..journal.len()).map(|i| (i * 7 + 13) as u8).collect();
        for (what, content) in [("garbage journal", garbage), ("empty journal", Vec::new())] {
            let case = format!("snapshot={snap} {what}");
            let outcome = damage_journal(pristine.path(), &acked, &case, |b| *b = content);
            assert_eq!(outcome, Outcome::Refused, "{case}");
        }
        // Without the acknowledged-write marker, a cut at a frame boundary cannot be told from
        // a crash before those writes were acknowledged: what is "acknowledged" is then what
        // the remaining frames hold, and all of that must be there.
        let copy = copy_dir(pristine.path());
        std::fs::remove_file(copy.path().join(MARKER)).expect("marker removed");
        let (cut, _) = frames[frames.len() - 1];
        let mut bytes = journal.clone();
        bytes.truncate(cut);
        std::fs::write(copy.path().join(JOURNAL), &bytes).expect("written");
        assert_eq!(
            check(
                &format!("snapshot={snap} boundary cut, marker gone"),
                copy.path(),
                &acked[..acked.len() - 1]
            ),
            Outcome::AllThere
        );
    }

    #[test]
    fn corruption_matrix_journal_only() {
        matrix(5, None);
    }

    /// Every byte of every frame flipped, one at a time, and the journal cut at every length:
    /// always a refused start (or, never seen here, every acknowledged write there).
    #[test]
    fn every_single_byte_flip_refuses_to_start() {
        let pristine = tmp();
        let acked = build(pristine.path(), 3, None);
        let journal = std::fs::read(pristine.path().join(JOURNAL)).expect("journal");
        assert_eq!(frames_of(&journal).len(), 4);
        let copy = copy_dir(pristine.path());
        let path = copy.path().join(JOURNAL);
        for i in 0..journal.len() {
            let mut bytes = journal.clone();
            bytes[i] ^= 0x01;
            std::fs::write(&path, &bytes).expect("written");
            match Persister::open_with(copy.path(), u64::MAX) {
                Err(e) => assert!(e.contains("journal.bin"), "byte {i}: {e}"),
                Ok((_, store)) => {
                    let names: HashSet<String> = store
                        .map(|s| s.orgs.into_iter().map(|o| o.name).collect())
                        .unwrap_or_default();
                    assert!(
                        acked.iter().all(|n| names.contains(n)),
                        "byte {i}: started without an acknowledged write"
                    );
                }
            }
        }
        // And cut at every length short of the whole: it ends before an acknowledged write.
        for cut in 0..journal.len() {
            std::fs::write(&path, &journal[..cut]).expect("written");
            let e = Persister::open_with(copy.path(), u64::MAX).expect_err("cut refused");
            assert!(e.contains("lost acknowledged writes"), "cut at {cut}: {e}");
        }
    }

    #[test]
    fn corruption_matrix_after_a_snapshot() {
        // Writes 0..=4 in the snapshot, 5..=8 in the journal.
        matrix(8, Some(4));
    }

    #[test]
    fn a_damaged_snapshot_refuses_to_start() {
        let pristine = tmp();
        let acked = build(pristine.path(), 8, Some(8));
        let snap = std::fs::read(pristine.path().join(SNAPSHOT)).expect("snapshot");
        let mut cases: Vec<(String, Vec<u8>)> = Vec::new();
        for off in [0, 5, 13, 17, 25, HEADER, snap.len() / 2, snap.len() - 1] {
            let mut b = snap.clone();
            b[off] ^= 0xff;
            cases.push((format!("snapshot flip at {off}"), b));
        }
        for cut in [0, 10, HEADER, snap.len() - 1] {
            cases.push((format!("snapshot cut at {cut}"), snap[..cut].to_vec()));
        }
        cases.push(("snapshot garbage".into(), b"nonsense".to_vec()));
        cases.push((
            "snapshot + trailing data".into(),
            [snap.as_slice(), b"x"].concat(),
        ));
        for (case, content) in cases {
            let copy = copy_dir(pristine.path());
            std::fs::write(copy.path().join(SNAPSHOT), &content).expect("written");
            let e = Persister::open_with(copy.path(), u64::MAX).expect_err(&case);
            assert!(e.contains("snapshot.bin is damaged at byte"), "{case}: {e}");
            assert!(e.contains("Way out"), "{case}: {e}");
        }
        // A missing snapshot: the journal's numbers do not start at 1.
        let copy = copy_dir(pristine.path());
        std::fs::remove_file(copy.path().join(SNAPSHOT)).expect("removed");
        let _ = std::fs::remove_file(copy.path().join(MARKER));
        let j = std::fs::read(copy.path().join(JOURNAL)).expect("journal");
        if !j.is_empty() {
            let e = Persister::open_with(copy.path(), u64::MAX).expect_err("no snapshot");
            assert!(e.contains("no snapshot"), "{e}");
        } else {
            // Journal empty after compaction: the marker would have caught it.
            let copy = copy_dir(pristine.path());
            std::fs::remove_file(copy.path().join(SNAPSHOT)).expect("removed");
            let e = Persister::open_with(copy.path(), u64::MAX).expect_err("marker");
            assert!(e.contains("lost acknowledged writes"), "{e}");
        }
        assert!(!acked.is_empty());
    }

    #[test]
    fn a_crash_at_any_step_of_compaction_loses_nothing() {
        let dir = tmp();
        let acked = build(dir.path(), 6, None);
        let journal = std::fs::read(dir.path().join(JOURNAL)).expect("journal");
        let (mut p, _) = Persister::open_with(dir.path(), u64::MAX).expect("opens");
        p.compact().expect("compacts");
        p.close();
        drop(p);
        let snapshot = std::fs::read(dir.path().join(SNAPSHOT)).expect("snapshot");
        let marker = std::fs::read(dir.path().join(MARKER)).expect("marker");
        type State<'a> = (&'a str, Option<&'a [u8]>, Option<&'a [u8]>, &'a [u8]);
        let states: Vec<State> = vec![
            // (case, snapshot.tmp, snapshot.bin, journal)
            (
                "tmp half written",
                Some(&snapshot[..snapshot.len() / 2]),
                None,
                &journal,
            ),
            ("tmp written, not renamed", Some(&snapshot), None, &journal),
            (
                "renamed, journal not truncated",
                None,
                Some(&snapshot),
                &journal,
            ),
            (
                "journal half truncated",
                None,
                Some(&snapshot),
                &journal[..journal.len() / 2],
            ),
            ("done", None, Some(&snapshot), &[]),
        ];
        for (case, tmp_file, snap, j) in states {
            let d = tmp();
            if let Some(t) = tmp_file {
                std::fs::write(d.path().join(SNAPSHOT_TMP), t).expect("written");
            }
            if let Some(s) = snap {
                std::fs::write(d.path().join(SNAPSHOT), s).expect("written");
            }
            std::fs::write(d.path().join(JOURNAL), j).expect("written");
            std::fs::write(d.path().join(MARKER), &marker).expect("written");
            assert_eq!(check(case, d.path(), &acked), Outcome::AllThere, "{case}");
        }
    }

    #[test]
    fn legacy_data_dirs_load_and_are_converted() {
        fn legacy_frame(frame: &Frame) -> Vec<u8> {
            let payload = serde_json::to_vec(frame).expect("encodes");
            let mut out = (payload.len() as u32).to_le_bytes().to_vec();
            out.extend_from_slice(&md5_prefix::<8>(&payload));
            out.extend_from_slice(&payload);
            out
        }
        let dir = tmp();
        let mut store = Store::bootstrap("k", "p", Some(5), Utc::now());
        let r0 = to_records(&store).expect("records");
        let mut bytes = legacy_frame(&Frame::diff(&Records::new(), &r0));
        let id = store.next_id(Utc::now());
        store.orgs.push(Organization {
            id,
            name: "legacy-org".into(),
            skip_default_alerts_settings: false,
        });
        let r1 = to_records(&store).expect("records");
        bytes.extend(legacy_frame(&Frame::diff(&r0, &r1)));
        // A torn legacy tail.
        bytes.extend_from_slice(&[200, 0, 0, 0, 9, 9]);
        std::fs::write(dir.path().join(JOURNAL), &bytes).expect("written");
        let (p, loaded) = Persister::open_with(dir.path(), u64::MAX).expect("opens");
        let loaded = loaded.expect("state");
        assert!(loaded.orgs.iter().any(|o| o.name == "legacy-org"));
        assert_eq!(p.seq, 2);
        drop(p);
        let snap = std::fs::read(dir.path().join(SNAPSHOT)).expect("converted snapshot");
        assert!(snap.starts_with(&MAGIC));
        assert!(std::fs::read(dir.path().join(JOURNAL))
            .expect("journal")
            .is_empty());
        let (_, again) = Persister::open_with(dir.path(), u64::MAX).expect("reopens");
        assert!(again
            .expect("state")
            .orgs
            .iter()
            .any(|o| o.name == "legacy-org"));
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
