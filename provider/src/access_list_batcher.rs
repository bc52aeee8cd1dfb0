//! Coalescing of project IP access list writes.
//!
//! The access list endpoint does not support concurrent POSTs to one project, and Terraform
//! applies up to ten resources at once in one provider process. Instead of a plain mutex (one
//! POST per entry, one after the other) creates for one project are batched: callers queue their
//! entry; whoever holds the project's lock waits a short gathering window (until everyone in
//! flight has queued, or the next arrival is overdue: see `gather`), then sends every queued entry in one POST (the API takes an array) and hands each
//! caller its own entry from the answer. Entries queued while a POST is in flight go out
//! together in the next one; a caller answered by someone else's POST leaves at once.
//! Deletes run under the same per-project lock, so a project never sees two writes at once.
//!
//! If a batch of several entries is rejected as a client error (4xx other than auth and
//! throttling), each entry is retried alone so the error lands on the entry that caused it.

use async_trait::async_trait;
use atlas_admin_sdk::Error;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;

/// The default gathering window.
pub const DEFAULT_WINDOW: Duration = Duration::from_millis(40);

/// What a caller gets: its own entry as the API answered it (`None` if the answer did not list
/// it, e.g. a long paginated list), or the error shared by the whole batch.
pub type BatchResult<T> = Result<Option<T>, Arc<Error>>;

/// Sends one batch. Implemented for the SDK client, and by fakes in tests.
#[async_trait]
pub trait BatchSender<T>: Send + Sync {
    /// One POST carrying all `items`; returns the entries the API answered with.
    async fn send(&self, project_id: &str, items: Vec<T>) -> Result<Vec<T>, Error>;
    /// Whether `answered` is the API's version of `requested`.
    fn matches(&self, requested: &T, answered: &T) -> bool;
}

struct Pending<T> {
    item: T,
    reply: oneshot::Sender<BatchResult<T>>,
}

struct ProjectQueue<T> {
    /// Held for every write (batched POST or DELETE) to the project.
    writes: tokio::sync::Mutex<()>,
    pending: Mutex<Vec<Pending<T>>>,
    /// How many creates were in flight at once around the last POST (its batch plus those that
    /// queued while it was out): the size the next gathering waits for.
    wave: AtomicUsize,
    /// How long the last POST took (µs; 0 before the first), the cost gathering weighs waiting
    /// against.
    last_post_micros: AtomicU64,
    /// Signalled whenever a create queues up, for the gathering window.
    arrived: tokio::sync::Notify,
}

/// Per-project write coalescer; one per provider process (see [`crate::AtlasClient`]).
pub struct Batcher<T> {
    projects: Mutex<HashMap<String, Arc<ProjectQueue<T>>>>,
    window: Duration,
}

impl<T> std::fmt::Debug for Batcher<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batcher")
            .field("window", &self.window)
            .finish_non_exhaustive()
    }
}

impl<T> Default for Batcher<T> {
    fn default() -> Self {
        Batcher::new(DEFAULT_WINDOW)
    }
}

fn is_entry_error(e: &Error) -> bool {
    matches!(e.status(), Some(s) if (400..500).contains(&s) && !matches!(s, 401 | 403 | 429))
}

impl<T> Batcher<T> {
    pub fn new(window: Duration) -> Self {
        Batcher {
            projects: Mutex::new(HashMap::new()),
            window,
        }
    }

    fn queue(&self, project_id: &str) -> Arc<ProjectQueue<T>> {
        let mut projects = self
            .projects
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        projects
            .entry(project_id.to_string())
            .or_insert_with(|| {
                Arc::new(ProjectQueue {
                    writes: tokio::sync::Mutex::new(()),
                    pending: Mutex::new(Vec::new()),
                    wave: AtomicUsize::new(0),
                    last_post_micros: AtomicU64::new(0),
                    arrived: tokio::sync::Notify::new(),
                })
            })
            .clone()
    }

    /// Runs `f` while no other write to the project is in flight (for deletes).
    pub async fn exclusive<F: Future>(&self, project_id: &str, f: F) -> F::Output {
        let queue = self.queue(project_id);
        let _guard = queue.writes.lock().await;
        f.await
    }
}

impl<T: Clone + Send + 'static> Batcher<T> {
    /// Creates `item` in the project, batched with concurrent creates for the same project.
    pub async fn create(
        &self,
        sender: &dyn BatchSender<T>,
        project_id: &str,
        item: T,
    ) -> BatchResult<T> {
        let queue = self.queue(project_id);
        let (reply, mut answer) = oneshot::channel();
        take_lock(&queue.pending).push(Pending { item, reply });
        queue.arrived.notify_one();
        // Whoever gets the project's write lock while entries are queued sends them all. A
        // caller whose entry went out in someone else's batch takes its answer and leaves
        // without waiting for the lock: otherwise every caller would send one more batch (for
        // the entries queued meanwhile) before reading its own answer, and under steady load
        // the creates would end up one POST each, one after the other.
        let answered = tokio::select! {
            biased;
            a = &mut answer => Some(a),
            guard = queue.writes.lock() => {
                if !take_lock(&queue.pending).is_empty() {
                    let gathering = std::time::Instant::now();
                    self.gather(&queue).await;
                    let batch = std::mem::take(&mut *take_lock(&queue.pending));
                    let sent = batch.len();
                    tracing::debug!(
                        project_id,
                        entries = sent,
                        wave = queue.wave.load(Ordering::Relaxed),
                        gathered_ms = gathering.elapsed().as_millis() as u64,
                        "access list batch"
                    );
                    let posting = std::time::Instant::now();
                    send_batch(sender, project_id, batch).await;
                    let took = u64::try_from(posting.elapsed().as_micros()).unwrap_or(u64::MAX);
                    queue.last_post_micros.store(took, Ordering::Relaxed);
                    let queued_meanwhile = take_lock(&queue.pending).len();
                    queue.wave.store(sent + queued_meanwhile, Ordering::Relaxed);
                }
                drop(guard);
                None
            }
        };
        let answered = match answered {
            Some(a) => a,
            None => answer.await,
        };
        answered.unwrap_or_else(|_| {
            Err(Arc::new(Error::InvalidRequest(
                "the access list request batch was abandoned (the provider was stopped)".into(),
            )))
        })
    }
}

impl<T> Batcher<T> {
    /// The gathering window: lets concurrent creates queue up before a POST.
    ///
    /// Terraform keeps a fixed number of creates in flight (`-parallelism`). Right after a POST
    /// the callers it answered come back with their successors one by one, as terraform
    /// records each result (a few ms apart, more as its state grows). Gathering stops:
    /// * at once when the queue is as large as the last wave (the previous batch plus the
    ///   creates that queued during its POST): everyone in flight is waiting;
    /// * when the next arrival is overdue: with `n` queued after `g` of gathering and a POST
    ///   costing `p`, one more entry is worth waiting `(g + p) / n` for (it raises the entries
    ///   per unit of time); with `p` measured from the last POST, so slow APIs wait longer;
    /// * at the latest after the window, or one POST's time if that is longer.
    async fn gather(&self, queue: &ProjectQueue<T>) {
        if self.window.is_zero() {
            return;
        }
        let wave = queue.wave.load(Ordering::Relaxed);
        let post = match queue.last_post_micros.load(Ordering::Relaxed) {
            0 => self.window,
            us => Duration::from_micros(us),
        };
        let started = tokio::time::Instant::now();
        let deadline = started + self.window.max(post);
        let min_quiet = (self.window / 4).max(Duration::from_millis(1));
        let mut seen = take_lock(&queue.pending).len();
        let mut last_growth = started;
        loop {
            if wave > 0 && seen >= wave {
                return;
            }
            let gathered = last_growth - started;
            let quiet = ((gathered + post) / u32::try_from(seen.max(1)).unwrap_or(u32::MAX))
                .clamp(min_quiet, self.window);
            let until = deadline.min(last_growth + quiet);
            if tokio::time::Instant::now() >= until {
                return;
            }
            tokio::select! {
                _ = queue.arrived.notified() => {}
                _ = tokio::time::sleep_until(until) => {}
            }
            let queued = take_lock(&queue.pending).len();
            if queued != seen {
                seen = queued;
                last_growth = tokio::time::Instant::now();
            }
        }
    }
}

fn take_lock<V>(m: &Mutex<V>) -> std::sync::MutexGuard<'_, V> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

async fn send_batch<T: Clone>(
    sender: &dyn BatchSender<T>,
    project_id: &str,
    batch: Vec<Pending<T>>,
) {
    let items: Vec<T> = batch.iter().map(|p| p.item.clone()).collect();
    let several = items.len() > 1;
    match sender.send(project_id, items).await {
        Ok(answered) => {
            for p in batch {
                let found = answered
                    .iter()
                    .find(|a| sender.matches(&p.item, a))
                    .cloned();
                let _ = p.reply.send(Ok(found));
            }
        }
        Err(e) if several && is_entry_error(&e) => {
            for p in batch {
                let result = sender
                    .send(project_id, vec![p.item.clone()])
                    .await
                    .map(|answered| {
                        answered
                            .iter()
                            .find(|a| sender.matches(&p.item, a))
                            .cloned()
                    })
                    .map_err(Arc::new);
                let _ = p.reply.send(result);
            }
        }
        Err(e) => {
            let e = Arc::new(e);
            for p in batch {
                let _ = p.reply.send(Err(e.clone()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use atlas_admin_sdk::ApiError;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[derive(Default)]
    struct Fake {
        posts: AtomicUsize,
        in_flight: AtomicUsize,
        max_in_flight: AtomicUsize,
        sizes: Mutex<Vec<usize>>,
        fail_all: bool,
        bad_item: Option<String>,
        /// How long a POST takes (20 ms if unset).
        post_delay: Option<Duration>,
    }

    #[async_trait]
    impl BatchSender<String> for Fake {
        async fn send(&self, _project: &str, items: Vec<String>) -> Result<Vec<String>, Error> {
            self.posts.fetch_add(1, Ordering::SeqCst);
            let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            self.max_in_flight.fetch_max(now, Ordering::SeqCst);
            take_lock(&self.sizes).push(items.len());
            tokio::time::sleep(self.post_delay.unwrap_or(Duration::from_millis(20))).await;
            self.in_flight.fetch_sub(1, Ordering::SeqCst);
            if self.fail_all {
                return Err(Error::InvalidRequest("boom".into()));
            }
            if let Some(bad) = &self.bad_item {
                if items.contains(bad) {
                    return Err(Error::Api(ApiError::from_response(
                        400,
                        br#"{"error":400,"errorCode":"INVALID_IP_ADDRESS_OR_CIDR_NOTATION","detail":"bad entry"}"#,
                    )));
                }
            }
            Ok(items.iter().map(|i| format!("{i}/answered")).collect())
        }

        fn matches(&self, requested: &String, answered: &String) -> bool {
            answered.strip_suffix("/answered") == Some(requested.as_str())
        }
    }

    async fn run(fake: Arc<Fake>, n: usize) -> Vec<BatchResult<String>> {
        let batcher = Arc::new(Batcher::new(Duration::from_millis(100)));
        let tasks: Vec<_> = (0..n)
            .map(|i| {
                let (b, f) = (batcher.clone(), fake.clone());
                tokio::spawn(async move { b.create(&*f, "p1", format!("10.0.0.{i}")).await })
            })
            .collect();
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.unwrap_or_else(|e| panic!("task failed: {e}")));
        }
        out
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_creates_share_one_post() {
        let fake = Arc::new(Fake::default());
        let results = run(fake.clone(), 20).await;
        assert_eq!(fake.posts.load(Ordering::SeqCst), 1);
        assert_eq!(*take_lock(&fake.sizes), vec![20]);
        for (i, r) in results.iter().enumerate() {
            assert_eq!(
                r.as_ref().ok().cloned().flatten(),
                Some(format!("10.0.0.{i}/answered"))
            );
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn posts_never_overlap_and_late_callers_form_the_next_batch() {
        let fake = Arc::new(Fake::default());
        let batcher = Arc::new(Batcher::new(Duration::from_millis(10)));
        let mut tasks = Vec::new();
        for i in 0..30 {
            let (b, f) = (batcher.clone(), fake.clone());
            tasks.push(tokio::spawn(async move {
                b.create(&*f, "p1", format!("e{i}")).await
            }));
            if i % 10 == 9 {
                tokio::time::sleep(Duration::from_millis(15)).await;
            }
        }
        for t in tasks {
            let r = t.await.unwrap_or_else(|e| panic!("task failed: {e}"));
            assert!(r.is_ok());
        }
        assert_eq!(fake.max_in_flight.load(Ordering::SeqCst), 1);
        let posts = fake.posts.load(Ordering::SeqCst);
        assert!((2..=5).contains(&posts), "{posts} posts for 30 entries");
        assert_eq!(take_lock(&fake.sizes).iter().sum::<usize>(), 30);
    }

    /// Terraform's steady state: ten workers, each starting its next create as soon as the
    /// previous one returns. Batches must stay large (not decay to one POST per entry).
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn steady_load_keeps_batches_large() {
        let fake = Arc::new(Fake::default());
        let batcher = Arc::new(Batcher::new(Duration::from_millis(8)));
        let workers: Vec<_> = (0..10)
            .map(|w| {
                let (b, f) = (batcher.clone(), fake.clone());
                tokio::spawn(async move {
                    for i in 0..10 {
                        let r = b.create(&*f, "p1", format!("w{w}-{i}")).await;
                        assert!(r.is_ok_and(|a| a.is_some()));
                    }
                })
            })
            .collect();
        for w in workers {
            w.await.unwrap_or_else(|e| panic!("worker failed: {e}"));
        }
        assert_eq!(take_lock(&fake.sizes).iter().sum::<usize>(), 100);
        let posts = fake.posts.load(Ordering::SeqCst);
        assert!(posts <= 30, "{posts} POSTs for 100 entries from 10 workers");
        assert_eq!(fake.max_in_flight.load(Ordering::SeqCst), 1);
    }

    /// Terraform records each result one at a time (a state write, 2–14 ms here) before that
    /// worker starts its next create, so a wave of successors trickles in over ~80 ms with
    /// gaps longer than the quiet period at times. With POSTs slower than that (100 ms),
    /// batches must still hold the whole wave (10) instead of being cut at a gap (a fixed
    /// 10 ms quiet period made 24 POSTs of ~6 here).
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn slow_result_recording_still_fills_the_wave() {
        let fake = Arc::new(Fake {
            post_delay: Some(Duration::from_millis(100)),
            ..Fake::default()
        });
        let batcher = Arc::new(Batcher::new(DEFAULT_WINDOW));
        let recorder = Arc::new(tokio::sync::Mutex::new(0u64));
        let workers: Vec<_> = (0..10u64)
            .map(|w| {
                let (b, f, recorder) = (batcher.clone(), fake.clone(), recorder.clone());
                tokio::spawn(async move {
                    for i in 0..15u64 {
                        let r = b.create(&*f, "p1", format!("w{w}-{i}")).await;
                        assert!(r.is_ok_and(|a| a.is_some()));
                        let mut recorded = recorder.lock().await;
                        *recorded += 1;
                        let cost = 2 + (*recorded * 7919) % 13;
                        tokio::time::sleep(Duration::from_millis(cost)).await;
                    }
                })
            })
            .collect();
        for w in workers {
            w.await.unwrap_or_else(|e| panic!("worker failed: {e}"));
        }
        let sizes = take_lock(&fake.sizes).clone();
        assert_eq!(sizes.iter().sum::<usize>(), 150);
        assert!(
            sizes.len() <= 17,
            "{} POSTs for 150 entries: {sizes:?}",
            sizes.len()
        );
        assert_eq!(fake.max_in_flight.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn an_error_reaches_every_caller() {
        let fake = Arc::new(Fake {
            fail_all: true,
            ..Fake::default()
        });
        let results = run(fake.clone(), 5).await;
        assert_eq!(fake.posts.load(Ordering::SeqCst), 1);
        for r in results {
            let e = r.err().map(|e| e.to_string()).unwrap_or_default();
            assert!(e.contains("boom"), "{e}");
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_bad_entry_fails_alone() {
        let fake = Arc::new(Fake {
            bad_item: Some("10.0.0.2".into()),
            ..Fake::default()
        });
        let results = run(fake.clone(), 4).await;
        assert_eq!(
            fake.posts.load(Ordering::SeqCst),
            5,
            "one batch, then one each"
        );
        for (i, r) in results.iter().enumerate() {
            assert_eq!(r.is_err(), i == 2, "entry {i}: {r:?}");
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn deletes_wait_for_an_in_flight_post() {
        let fake = Arc::new(Fake::default());
        let batcher = Arc::new(Batcher::new(Duration::ZERO));
        let (b, f) = (batcher.clone(), fake.clone());
        let create = tokio::spawn(async move { b.create(&*f, "p1", "e".to_string()).await });
        tokio::time::sleep(Duration::from_millis(5)).await;
        let seen = batcher
            .exclusive("p1", async { fake.in_flight.load(Ordering::SeqCst) })
            .await;
        assert_eq!(seen, 0);
        assert!(create.await.is_ok());
    }
}
