//! `--data-dir`: acknowledged writes survive a restart and a `kill -9` (also during a
//! compaction); ids keep increasing; asynchronous states continue; a torn journal tail is cut
//! off (and kept aside); a damaged journal refuses to start; one sandbox per data dir. The
//! exhaustive corruption matrix (every frame field, every cut) is in `src/persist.rs`.

mod common;

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use atlas_sandbox::Config;
use common::{start_with, Client, V20230101};
use reqwest::Method;
use serde_json::{json, Value};

const V20241023: &str = "application/vnd.atlas.2024-10-23+json";
const V20240805: &str = "application/vnd.atlas.2024-08-05+json";

fn persistent(dir: &Path, transition_seconds: f64) -> Config {
    Config {
        data_dir: Some(dir.to_path_buf()),
        transition_seconds,
        ..Config::for_tests()
    }
}

fn cluster_body(name: &str) -> String {
    json!({
        "name": name,
        "clusterType": "REPLICASET",
        "replicationSpecs": [{"regionConfigs": [{
            "providerName": "AWS", "regionName": "US_EAST_1", "priority": 7,
            "electableSpecs": {"instanceSize": "M10", "nodeCount": 3}
        }]}]
    })
    .to_string()
}

/// A project with a database user, an access-list entry and a cluster; its id.
async fn populate(c: &Client, org_id: &str, name: &str) -> String {
    let gid = c.create_project(org_id, name).await["id"]
        .as_str()
        .expect("project id")
        .to_string();
    let user = json!({
        "username": "app", "databaseName": "admin", "groupId": gid,
        "password": "a-long-enough-password-1",
        "roles": [{"roleName": "readWrite", "databaseName": "app"}],
    })
    .to_string();
    let r = c
        .call(
            Method::POST,
            &format!("/api/atlas/v2/groups/{gid}/databaseUsers"),
            Some(V20230101),
            Some(&user),
        )
        .await;
    assert_eq!(r.status, 201, "{r:?}");
    let entries = json!([{"ipAddress": "10.1.2.3", "comment": "ci"}]).to_string();
    let r = c
        .call(
            Method::POST,
            &format!("/api/atlas/v2/groups/{gid}/accessList"),
            Some(V20230101),
            Some(&entries),
        )
        .await;
    assert_eq!(r.status, 201, "{r:?}");
    let r = c
        .call(
            Method::POST,
            &format!("/api/atlas/v2/groups/{gid}/clusters"),
            Some(V20241023),
            Some(&cluster_body("c0")),
        )
        .await;
    assert_eq!(r.status, 201, "{r:?}");
    gid
}

async fn get(c: &Client, path: &str, accept: &str) -> (u16, Value) {
    let r = c.call(Method::GET, path, Some(accept), None).await;
    (r.status, r.body)
}

async fn cluster_state(c: &Client, gid: &str) -> String {
    let (status, body) = get(
        c,
        &format!("/api/atlas/v2/groups/{gid}/clusters/c0"),
        V20240805,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["stateName"].as_str().unwrap_or_default().to_string()
}

/// Everything `populate` created is there.
async fn assert_populated(c: &Client, gid: &str) {
    let (s, _) = get(c, &format!("/api/atlas/v2/groups/{gid}"), V20230101).await;
    assert_eq!(s, 200);
    let (s, u) = get(
        c,
        &format!("/api/atlas/v2/groups/{gid}/databaseUsers/admin/app"),
        V20230101,
    )
    .await;
    assert_eq!(s, 200, "{u}");
    assert_eq!(u["roles"][0]["databaseName"], json!("app"));
    assert!(u.get("password").is_none());
    let (s, e) = get(
        c,
        &format!("/api/atlas/v2/groups/{gid}/accessList/10.1.2.3"),
        V20230101,
    )
    .await;
    assert_eq!(s, 200, "{e}");
    assert_eq!(e["comment"], json!("ci"));
}

fn max_id(ids: &[String]) -> String {
    ids.iter().max().cloned().unwrap_or_default()
}

#[tokio::test]
async fn state_survives_a_clean_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (sb, c) = start_with(persistent(dir.path(), 1.0)).await;
    let org_id = sb.org_id.clone();
    let gid = populate(&c, &org_id, "kept").await;
    assert_eq!(cluster_state(&c, &gid).await, "CREATING");
    sb.shutdown().await;

    let (sb, c) = start_with(persistent(dir.path(), 1.0)).await;
    assert_eq!(sb.org_id, org_id, "the bootstrap org survives");
    assert_populated(&c, &gid).await;
    // The cluster's transition continued from its stored timestamps.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(cluster_state(&c, &gid).await, "IDLE");
    // Ids keep increasing after the restart.
    let next = c.create_project(&org_id, "after-restart").await;
    assert!(next["id"].as_str().unwrap_or_default() > gid.as_str());
    // Deletes and resets persist too.
    let r = c
        .call(
            Method::DELETE,
            &format!("/api/atlas/v2/groups/{gid}/accessList/10.1.2.3"),
            Some(V20230101),
            None,
        )
        .await;
    assert_eq!(r.status, 204, "{r:?}");
    sb.shutdown().await;

    let (sb, c) = start_with(persistent(dir.path(), 1.0)).await;
    let (s, _) = get(
        &c,
        &format!("/api/atlas/v2/groups/{gid}/accessList/10.1.2.3"),
        V20230101,
    )
    .await;
    assert_eq!(s, 404);
    let r = c.control(Method::POST, "/_sandbox/reset", None).await;
    assert_eq!(r.status, 200);
    sb.shutdown().await;

    let (sb, c) = start_with(persistent(dir.path(), 1.0)).await;
    let (s, list) = get(&c, "/api/atlas/v2/groups", V20230101).await;
    assert_eq!((s, &list["totalCount"]), (200, &json!(0)), "{list}");
    sb.shutdown().await;
}

#[tokio::test]
async fn no_data_dir_means_memory_only() {
    let (sb, c) = start_with(Config::for_tests()).await;
    c.create_project(&sb.org_id, "ephemeral").await;
    sb.shutdown().await;
    let (sb, c) = start_with(Config::for_tests()).await;
    let (_, list) = get(&c, "/api/atlas/v2/groups", V20230101).await;
    assert_eq!(list["totalCount"], json!(0));
    sb.shutdown().await;
}

#[tokio::test]
async fn changed_credentials_still_authenticate_after_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (sb, c) = start_with(persistent(dir.path(), 0.0)).await;
    let gid = c.create_project(&sb.org_id, "creds").await["id"].clone();
    sb.shutdown().await;
    let (sb, c) = start_with(Config {
        public_key: "otherkey".into(),
        private_key: "another-private-key".into(),
        ..persistent(dir.path(), 0.0)
    })
    .await;
    let (s, g) = get(
        &c,
        &format!("/api/atlas/v2/groups/{}", gid.as_str().unwrap_or_default()),
        V20230101,
    )
    .await;
    assert_eq!(s, 200, "{g}");
    sb.shutdown().await;
}

// ---- the real binary, killed with SIGKILL ---------------------------------------------------

struct Running {
    child: Child,
    base_url: String,
}

fn start_binary(dir: &Path) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_atlas-sandbox"))
        .args(["--listen", "127.0.0.1:0", "--transition-seconds", "60"])
        .arg("--data-dir")
        .arg(dir)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("atlas-sandbox starts");
    let stdout = child.stdout.take().expect("stdout piped");
    let mut lines = BufReader::new(stdout).lines();
    let base_url = loop {
        let line = lines
            .next()
            .expect("a listening line before EOF")
            .expect("stdout readable");
        if let Some(url) = line.strip_prefix("atlas-sandbox listening on ") {
            break url.trim().to_string();
        }
    };
    // Keep draining stdout so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Running { child, base_url }
}

impl Running {
    fn client(&self) -> Client {
        Client::new(
            &self.base_url,
            atlas_sandbox::DEFAULT_PUBLIC_KEY,
            atlas_sandbox::DEFAULT_PRIVATE_KEY,
        )
    }

    fn kill_9(mut self) {
        // `Child::kill` sends SIGKILL on Unix: no shutdown code runs.
        self.child.kill().expect("SIGKILL sent");
        self.child.wait().expect("child reaped");
    }
}

async fn org_id(c: &Client) -> String {
    let (s, orgs) = get(c, "/api/atlas/v2/orgs", V20230101).await;
    assert_eq!(s, 200, "{orgs}");
    orgs["results"][0]["id"]
        .as_str()
        .expect("org id")
        .to_string()
}

#[tokio::test]
async fn acknowledged_writes_survive_kill_9() {
    let dir = tempfile::tempdir().expect("temp dir");
    let first = start_binary(dir.path());
    let c = first.client();
    let org = org_id(&c).await;
    let mut ids = Vec::new();
    for i in 0..6 {
        let p = c.create_project(&org, &format!("durable-{i}")).await;
        ids.push(p["id"].as_str().expect("id").to_string());
    }
    let gid = populate(&c, &org, "durable-full").await;
    ids.push(gid.clone());
    let r = c
        .call(
            Method::PATCH,
            &format!("/api/atlas/v2/groups/{}", ids[0]),
            Some(V20230101),
            Some(&json!({"name": "durable-renamed"}).to_string()),
        )
        .await;
    assert_eq!(r.status, 200, "{r:?}");
    let r = c
        .call(
            Method::DELETE,
            &format!("/api/atlas/v2/groups/{}", ids[1]),
            Some(V20230101),
            None,
        )
        .await;
    assert_eq!(r.status, 202, "{r:?}");
    first.kill_9();

    // A crash in the middle of an append leaves a torn frame (here: the first bytes of the
    // next frame's header): it is cut off (and kept aside), never acknowledged.
    let journal_path = dir.path().join("journal.bin");
    let good_len = std::fs::metadata(&journal_path).expect("journal").len();
    let mut journal = std::fs::OpenOptions::new()
        .append(true)
        .open(&journal_path)
        .expect("journal exists");
    journal.write_all(b"ASJ2").expect("torn frame written");
    drop(journal);

    let second = start_binary(dir.path());
    assert_eq!(
        std::fs::metadata(&journal_path).expect("journal").len(),
        good_len
    );
    assert!(dir
        .path()
        .join(format!("journal.bin.torn-at-{good_len}.corrupt"))
        .exists());
    let c = second.client();
    assert_eq!(org_id(&c).await, org, "the bootstrap org and key survive");
    let (s, g) = get(&c, &format!("/api/atlas/v2/groups/{}", ids[0]), V20230101).await;
    assert_eq!((s, &g["name"]), (200, &json!("durable-renamed")));
    let (s, _) = get(&c, &format!("/api/atlas/v2/groups/{}", ids[1]), V20230101).await;
    assert_eq!(s, 404, "the delete survived");
    for id in &ids[2..] {
        let (s, g) = get(&c, &format!("/api/atlas/v2/groups/{id}"), V20230101).await;
        assert_eq!(s, 200, "{id}: {g}");
    }
    assert_populated(&c, &gid).await;
    // CREATING at kill time, still within its 60 s: continues, then completes.
    assert_eq!(cluster_state(&c, &gid).await, "CREATING");
    let (s, st) = get(
        &c,
        &format!("/api/atlas/v2/groups/{gid}/accessList/10.1.2.3/status"),
        V20230101,
    )
    .await;
    assert_eq!((s, &st["STATUS"]), (200, &json!("PENDING")), "{st}");
    let r = c
        .control(Method::POST, "/_sandbox/transitions/complete", None)
        .await;
    assert_eq!(r.body["completed"], json!(1), "{r:?}");
    assert_eq!(cluster_state(&c, &gid).await, "IDLE");
    // Ids continue increasing.
    let p = c.create_project(&org, "after-kill").await;
    let new_id = p["id"].as_str().expect("id").to_string();
    assert!(new_id > max_id(&ids), "{new_id} > {}", max_id(&ids));
    second.kill_9();

    // And the writes of the second life survive the second kill.
    let third = start_binary(dir.path());
    let c = third.client();
    let (s, _) = get(&c, &format!("/api/atlas/v2/groups/{new_id}"), V20230101).await;
    assert_eq!(s, 200);
    assert_eq!(cluster_state(&c, &gid).await, "IDLE");
    third.kill_9();
}

// ---- damage, a second process, kill -9 during compaction ------------------------------------

/// (start, length) of each frame of a journal (`"ASJ2" | seq u64 | len u32 | sums | payload`).
fn frames_of(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut at = 0;
    while at + 28 <= bytes.len() {
        let len = u32::from_le_bytes(bytes[at + 12..at + 16].try_into().expect("4 bytes")) as usize;
        out.push((at, 28 + len));
        at += 28 + len;
    }
    out
}

fn copy_data_dir(from: &Path) -> tempfile::TempDir {
    let to = tempfile::tempdir().expect("temp dir");
    for entry in std::fs::read_dir(from).expect("dir") {
        let entry = entry.expect("entry");
        if entry.file_name() != "lock" {
            std::fs::copy(entry.path(), to.path().join(entry.file_name())).expect("copied");
        }
    }
    to
}

async fn refused(dir: &Path) -> String {
    match atlas_sandbox::spawn(persistent(dir, 0.0)).await {
        Ok(sb) => {
            sb.shutdown().await;
            panic!("started on a damaged data dir");
        }
        Err(e) => e.to_string(),
    }
}

/// The probe: five projects (six frames), one byte changed in frame 2, or the journal
/// cut to 2,000 bytes: the sandbox refuses to start, names the file and the offset, and
/// changes nothing (the four intact frames after the damage are still there).
#[tokio::test]
async fn a_damaged_journal_refuses_to_start_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (sb, c) = start_with(persistent(dir.path(), 0.0)).await;
    for i in 0..5 {
        c.create_project(&sb.org_id, &format!("p{i}")).await;
    }
    sb.shutdown().await;
    let journal = std::fs::read(dir.path().join("journal.bin")).expect("journal");
    let frames = frames_of(&journal);
    assert_eq!(frames.len(), 6, "bootstrap + 5 creates");

    let flipped = copy_data_dir(dir.path());
    let (start, len) = frames[2];
    let mut bytes = journal.clone();
    bytes[start + len / 2] ^= 0x01;
    std::fs::write(flipped.path().join("journal.bin"), &bytes).expect("written");
    let e = refused(flipped.path()).await;
    assert!(e.contains("journal.bin is damaged at byte"), "{e}");
    assert!(e.contains(&format!("byte {start}")), "{e}");
    assert!(e.contains("Way out"), "{e}");
    assert_eq!(
        std::fs::read(flipped.path().join("journal.bin")).expect("journal"),
        bytes,
        "nothing truncated"
    );

    for cut in [2000.min(journal.len() - 1), frames[4].0] {
        let cut_dir = copy_data_dir(dir.path());
        std::fs::write(cut_dir.path().join("journal.bin"), &journal[..cut]).expect("written");
        let e = refused(cut_dir.path()).await;
        assert!(e.contains("lost acknowledged writes"), "cut at {cut}: {e}");
        assert_eq!(
            std::fs::metadata(cut_dir.path().join("journal.bin"))
                .expect("journal")
                .len(),
            cut as u64
        );
    }

    // Garbage instead of the journal, with no snapshot: refused, not a fresh organization.
    let garbage = copy_data_dir(dir.path());
    std::fs::write(
        garbage.path().join("journal.bin"),
        vec![0x5a; journal.len()],
    )
    .expect("written");
    let e = refused(garbage.path()).await;
    assert!(e.contains("journal.bin is damaged at byte 0"), "{e}");

    // The undamaged dir still starts with all five.
    let (sb, c) = start_with(persistent(dir.path(), 0.0)).await;
    let (_, list) = get(&c, "/api/atlas/v2/groups", V20230101).await;
    assert_eq!(list["totalCount"], json!(5), "{list}");
    sb.shutdown().await;
}

#[tokio::test]
async fn a_second_sandbox_on_the_same_data_dir_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    // In one process.
    let (sb, _c) = start_with(persistent(dir.path(), 0.0)).await;
    let e = refused(dir.path()).await;
    assert!(e.contains("in use by another atlas-sandbox"), "{e}");
    sb.shutdown().await;
    // Released by a clean stop.
    let (sb, _c) = start_with(persistent(dir.path(), 0.0)).await;
    sb.shutdown().await;

    // Two processes: the second exits with the reason; once the first dies (kill -9: no
    // cleanup), the lock is gone with it.
    let first = start_binary(dir.path());
    let out = Command::new(env!("CARGO_BIN_EXE_atlas-sandbox"))
        .args(["--listen", "127.0.0.1:0"])
        .arg("--data-dir")
        .arg(dir.path())
        .stdin(Stdio::null())
        .output()
        .expect("second sandbox runs");
    assert!(!out.status.success(), "the second sandbox must not start");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("in use by another atlas-sandbox"),
        "{stderr}"
    );
    let c = first.client();
    let org = org_id(&c).await;
    let p = c.create_project(&org, "only-one-writer").await;
    first.kill_9();
    let third = start_binary(dir.path());
    let c = third.client();
    let (s, _) = get(
        &c,
        &format!(
            "/api/atlas/v2/groups/{}",
            p["id"].as_str().unwrap_or_default()
        ),
        V20230101,
    )
    .await;
    assert_eq!(s, 200);
    third.kill_9();
}

fn start_binary_compacting(dir: &Path) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_atlas-sandbox"))
        .args(["--listen", "127.0.0.1:0"])
        .arg("--data-dir")
        .arg(dir)
        .env("RUST_LOG", "warn")
        .env("ATLAS_SANDBOX_COMPACT_MIN_BYTES", "4096")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("atlas-sandbox starts");
    let stdout = child.stdout.take().expect("stdout piped");
    let mut lines = BufReader::new(stdout).lines();
    let base_url = loop {
        let line = lines
            .next()
            .expect("a listening line before EOF")
            .expect("stdout readable");
        if let Some(url) = line.strip_prefix("atlas-sandbox listening on ") {
            break url.trim().to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Running { child, base_url }
}

/// Writers stream creates while the journal is compacted every few writes; the process is
/// killed at a different moment each round. Every create that was answered 201 is there
/// after the restart.
#[tokio::test]
async fn acknowledged_writes_survive_kill_9_during_compaction() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut acked: Vec<String> = Vec::new();
    for (round, run_ms) in [120u64, 270, 410].into_iter().enumerate() {
        let running = start_binary_compacting(dir.path());
        let c = std::sync::Arc::new(running.client());
        for id in &acked {
            let (s, _) = get(&c, &format!("/api/atlas/v2/groups/{id}"), V20230101).await;
            assert_eq!(
                s, 200,
                "round {round}: acknowledged project {id} is missing"
            );
        }
        let org = org_id(&c).await;
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let acks = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut writers = Vec::new();
        for w in 0..3 {
            let (c, org, stop, acks) = (c.clone(), org.clone(), stop.clone(), acks.clone());
            writers.push(tokio::spawn(async move {
                let mut mine = Vec::new();
                let mut i = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let body =
                        json!({"name": format!("r{round}-w{w}-{i}"), "orgId": org}).to_string();
                    let r = c
                        .try_call(
                            Method::POST,
                            "/api/atlas/v2/groups",
                            Some(V20230101),
                            Some(&body),
                        )
                        .await;
                    match r {
                        Ok(r) if r.status == 201 => {
                            mine.push(r.body["id"].as_str().unwrap_or_default().to_string());
                            acks.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                        Ok(_) => {}
                        // Killed: this answer never came, so the write was not acknowledged.
                        Err(_) => break,
                    }
                    i += 1;
                }
                mine
            }));
        }
        tokio::time::sleep(Duration::from_millis(run_ms)).await;
        // On a loaded machine the first answers can take longer than `run_ms`: wait (bounded)
        // for enough acknowledged writes that the journal outgrows the compaction threshold
        // (4 KiB) in every round, so the kill can land in or around a compaction.
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while acks.load(std::sync::atomic::Ordering::Relaxed) < 20
            && std::time::Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        // SIGKILL while the writers are still sending.
        running.kill_9();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        for w in writers {
            acked.extend(w.await.expect("writer"));
        }
    }
    assert!(
        dir.path().join("snapshot.bin").exists(),
        "compactions happened"
    );
    let last = start_binary_compacting(dir.path());
    let c = last.client();
    for id in &acked {
        let (s, _) = get(&c, &format!("/api/atlas/v2/groups/{id}"), V20230101).await;
        assert_eq!(s, 200, "acknowledged project {id} is missing");
    }
    assert!(acked.len() > 10, "{} creates acknowledged", acked.len());
    last.kill_9();
}

const FIXTURE_GROUP: &str = "6b11f140a224272263ad5180";

/// Reads back every table the fixture data dir holds.
async fn assert_fixture(c: &Client, org: &str) {
    let gid = FIXTURE_GROUP;
    let (s, p) = get(c, &format!("/api/atlas/v2/groups/{gid}"), V20230101).await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["name"], json!("fixture-project"));
    assert_eq!(p["tags"], json!([{"key": "env", "value": "ci"}]));
    assert_eq!(p["clusterCount"], json!(1));
    let (s, u) = get(
        c,
        &format!("/api/atlas/v2/groups/{gid}/databaseUsers/admin/app"),
        V20230101,
    )
    .await;
    assert_eq!(s, 200, "{u}");
    assert_eq!(u["description"], json!("fixture"));
    assert_eq!(u["labels"], json!([{"key": "team", "value": "db"}]));
    assert_eq!(u["roles"][1]["collectionName"], json!("c"));
    assert_eq!(u["scopes"], json!([{"name": "c0", "type": "CLUSTER"}]));
    let (s, users) = get(
        c,
        &format!("/api/atlas/v2/groups/{gid}/databaseUsers"),
        V20230101,
    )
    .await;
    assert_eq!((s, &users["totalCount"]), (200, &json!(2)), "{users}");
    let (s, list) = get(
        c,
        &format!("/api/atlas/v2/groups/{gid}/accessList"),
        V20230101,
    )
    .await;
    assert_eq!(s, 200, "{list}");
    let blocks: Vec<&str> = list["results"]
        .as_array()
        .map(|r| r.iter().filter_map(|e| e["cidrBlock"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(blocks, ["10.1.2.3/32", "192.168.0.0/16", "10.9.9.9/32"]);
    let (s, st) = get(
        c,
        &format!("/api/atlas/v2/groups/{gid}/accessList/10.1.2.3/status"),
        V20230101,
    )
    .await;
    assert_eq!((s, &st["STATUS"]), (200, &json!("ACTIVE")), "{st}");
    let (s, cl) = get(
        c,
        &format!("/api/atlas/v2/groups/{gid}/clusters/c0"),
        V20240805,
    )
    .await;
    assert_eq!(s, 200, "{cl}");
    assert_eq!(cl["stateName"], json!("IDLE"));
    assert_eq!(cl["mongoDBMajorVersion"], json!("8.0"));
    let (s, mw) = get(
        c,
        &format!("/api/atlas/v2/groups/{gid}/maintenanceWindow"),
        V20230101,
    )
    .await;
    assert_eq!(s, 200, "{mw}");
    assert_eq!((&mw["dayOfWeek"], &mw["hourOfDay"]), (&json!(3), &json!(4)));
    let (s, role) = get(
        c,
        &format!("/api/atlas/v2/groups/{gid}/customDBRoles/roles/fixtureRole"),
        V20230101,
    )
    .await;
    assert_eq!(s, 200, "{role}");
    assert_eq!(role["actions"][0]["action"], json!("FIND"));
    let (s, keys) = get(c, &format!("/api/atlas/v2/groups/{gid}/apiKeys"), V20230101).await;
    assert_eq!(s, 200, "{keys}");
    assert!(keys["results"]
        .as_array()
        .is_some_and(|k| k.iter().any(|k| k["desc"] == json!("fixture key"))));
    let r = c.control(Method::GET, "/_sandbox/state", None).await;
    let names: Vec<&str> = r.body["serviceAccounts"]
        .as_array()
        .map(|a| a.iter().filter_map(|sa| sa["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(names, ["fixture-sa", "token-sa"], "{}", r.body);
    assert_eq!(r.body["orgs"][0]["id"], json!(org));
}

/// A data dir written by an earlier sandbox (`tests/fixtures/data-dir-v1`: a snapshot and a
/// journal after it, written before the store became generic over the areas' tables; a
/// project with tags, two database users, three access-list entries, a cluster, a
/// maintenance window, a custom role and a project key; two service accounts and an OAuth
/// token) loads, shows every table, takes writes and loads again.
#[tokio::test]
async fn a_data_dir_written_by_an_earlier_version_loads() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/data-dir-v1");
    let dir = copy_data_dir(&fixture);
    let (sb, c) = start_with(persistent(dir.path(), 0.0)).await;
    let org = sb.org_id.clone();
    assert_eq!(org, "6b11f13ea224272263ad517e");
    assert_fixture(&c, &org).await;
    let next = c.create_project(&org, "after-the-upgrade").await;
    assert!(next["id"].as_str().unwrap_or_default() > FIXTURE_GROUP);
    sb.shutdown().await;

    let (sb, c) = start_with(persistent(dir.path(), 0.0)).await;
    assert_fixture(&c, &org).await;
    let (s, list) = get(&c, "/api/atlas/v2/groups", V20230101).await;
    assert_eq!((s, &list["totalCount"]), (200, &json!(2)), "{list}");
    sb.shutdown().await;
}
