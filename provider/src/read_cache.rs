//! Coalescing of reads: one list call per project serves every concurrent read of its entries.
//!
//! A refresh reads each resource with its own `ReadResource` call; for a project with 200
//! access-list entries that would be 200 GETs. Instead, reads of access-list entries and of
//! database users go through a per-project, per-process cache of the project's whole list
//! (one cache per item type, [`ReadCache::list`])
//! (`list_all`, 500 items a page): concurrent readers share one in-flight list call and its
//! answer stays fresh for a short while, long enough to serve one refresh walk of one terraform
//! command and short enough not to hide drift across commands (a provider process normally
//! lives for one command anyway).
//!
//! Writes invalidate: every create, update or delete in a project calls
//! [`ReadCache::invalidate`] once it is done (whatever the outcome). Each project slot carries a
//! generation counter bumped by invalidation, and a list call only stores its answer if the
//! generation is the one it started under, so a list that was in flight during a write never
//! "undoes" the write by being cached after it. Errors go to every caller waiting on that
//! list call and are never cached.

use atlas_admin_sdk::Error;
use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::OnceCell;

/// How long a list stays fresh after its last use.
pub const DEFAULT_IDLE_TTL: Duration = Duration::from_secs(2);
/// How long a list stays fresh at most, however often it is used.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(30);

/// What a list read yields: the whole list, shared, or the error shared by all its waiters.
pub type ListResult<T> = Result<Arc<Vec<T>>, Arc<Error>>;

type Fetch<T> = Arc<OnceCell<ListResult<T>>>;

struct Fresh<T> {
    items: Arc<Vec<T>>,
    fetched: Instant,
    last_used: Instant,
}

struct Slot<T> {
    /// Bumped by every invalidation.
    generation: u64,
    fresh: Option<Fresh<T>>,
    /// The list call in flight, with the generation it started under.
    in_flight: Option<(u64, Fetch<T>)>,
}

/// A per-project cache of one kind of list.
pub struct ListCache<T> {
    idle_ttl: Duration,
    max_age: Duration,
    slots: Mutex<HashMap<String, Slot<T>>>,
}

impl<T> std::fmt::Debug for ListCache<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListCache")
            .field("idle_ttl", &self.idle_ttl)
            .field("max_age", &self.max_age)
            .finish_non_exhaustive()
    }
}

impl<T> Default for ListCache<T> {
    fn default() -> Self {
        ListCache::new(DEFAULT_IDLE_TTL, DEFAULT_MAX_AGE)
    }
}

impl<T> ListCache<T> {
    pub fn new(idle_ttl: Duration, max_age: Duration) -> Self {
        ListCache {
            idle_ttl,
            max_age,
            slots: Mutex::new(HashMap::new()),
        }
    }

    fn slots(&self) -> std::sync::MutexGuard<'_, HashMap<String, Slot<T>>> {
        self.slots.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Forgets the project's list and makes any list call in flight unable to store its answer.
    pub fn invalidate(&self, project_id: &str) {
        if let Some(slot) = self.slots().get_mut(project_id) {
            slot.generation = slot.generation.wrapping_add(1);
            slot.fresh = None;
            slot.in_flight = None;
        }
    }
}

impl<T: Send + Sync + 'static> ListCache<T> {
    /// The project's list: fresh from the cache, or from the list call in flight, or from a new
    /// call of `fetch` (shared with every concurrent caller).
    pub async fn get<F, Fut>(&self, project_id: &str, fetch: F) -> ListResult<T>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Vec<T>, Error>>,
    {
        let (generation, cell) = {
            let mut slots = self.slots();
            let slot = slots.entry(project_id.to_string()).or_insert_with(|| Slot {
                generation: 0,
                fresh: None,
                in_flight: None,
            });
            let now = Instant::now();
            if let Some(fresh) = &mut slot.fresh {
                let idle = now.saturating_duration_since(fresh.last_used);
                let age = now.saturating_duration_since(fresh.fetched);
                if idle < self.idle_ttl && age < self.max_age {
                    fresh.last_used = now;
                    return Ok(fresh.items.clone());
                }
                slot.fresh = None;
            }
            match &slot.in_flight {
                Some((g, cell)) if *g == slot.generation => (*g, cell.clone()),
                _ => {
                    let cell: Fetch<T> = Arc::new(OnceCell::new());
                    slot.in_flight = Some((slot.generation, cell.clone()));
                    (slot.generation, cell)
                }
            }
        };
        // If the caller running `fetch` is dropped (a timeout, a cancelled RPC), the next
        // waiter runs its own.
        let result = cell
            .get_or_init(|| async { fetch().await.map(Arc::new).map_err(Arc::new) })
            .await
            .clone();
        let mut slots = self.slots();
        if let Some(slot) = slots.get_mut(project_id) {
            let ours = matches!(&slot.in_flight, Some((g, c)) if *g == generation && Arc::ptr_eq(c, &cell));
            if ours {
                slot.in_flight = None;
                if let Ok(items) = &result {
                    let now = Instant::now();
                    slot.fresh = Some(Fresh {
                        items: items.clone(),
                        fetched: now,
                        last_used: now,
                    });
                }
            }
        }
        result
    }
}

/// What the process-wide [`ReadCache`] needs of each list cache, whatever its item type.
trait ProjectLists: Send + Sync {
    fn invalidate(&self, project_id: &str);
    fn as_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync>;
}

impl<T: Send + Sync + 'static> ProjectLists for ListCache<T> {
    fn invalidate(&self, project_id: &str) {
        ListCache::invalidate(self, project_id);
    }
    fn as_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync> {
        self
    }
}

/// The read caches of one provider process (see [`crate::AtlasClient`]): one [`ListCache`]
/// per item type, made on first use, so a resource that reads through a project list needs
/// no field of its own here.
#[derive(Default)]
pub struct ReadCache {
    lists: Mutex<HashMap<TypeId, Arc<dyn ProjectLists>>>,
}

impl std::fmt::Debug for ReadCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadCache").finish_non_exhaustive()
    }
}

impl ReadCache {
    fn cache_of<T: Send + Sync + 'static>(&self) -> Arc<ListCache<T>> {
        let mut lists = self.lists.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = lists
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Arc::new(ListCache::<T>::default()))
            .clone();
        drop(lists);
        match entry.as_any().downcast::<ListCache<T>>() {
            Ok(cache) => cache,
            // Unreachable (the map is keyed by T's TypeId); an uncached list is still correct.
            Err(_) => Arc::new(ListCache::default()),
        }
    }

    /// The project's whole list of `T`, fetched by `fetch` when nothing fresh is cached.
    pub async fn list<T, F, Fut>(&self, project_id: &str, fetch: F) -> ListResult<T>
    where
        T: Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Vec<T>, Error>>,
    {
        self.cache_of::<T>().get(project_id, fetch).await
    }

    /// To be called after every write to a project: forgets every list of it.
    pub fn invalidate(&self, project_id: &str) {
        let lists: Vec<_> = self
            .lists
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .cloned()
            .collect();
        for list in lists {
            list.invalidate(project_id);
        }
    }

    /// Invalidates the project when dropped: hold it across a write so that every way out of
    /// the write (success, error, `?`, cancellation) invalidates after it.
    pub fn writing(self: &Arc<Self>, project_id: &str) -> InvalidateOnDrop {
        InvalidateOnDrop {
            cache: self.clone(),
            project_id: project_id.to_string(),
        }
    }
}

/// See [`ReadCache::writing`].
#[must_use = "the project is invalidated when this is dropped"]
pub struct InvalidateOnDrop {
    cache: Arc<ReadCache>,
    project_id: String,
}

impl Drop for InvalidateOnDrop {
    fn drop(&mut self) {
        self.cache.invalidate(&self.project_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn cache() -> Arc<ListCache<u32>> {
        Arc::new(ListCache::new(
            Duration::from_secs(60),
            Duration::from_secs(60),
        ))
    }

    async fn slow_list(calls: &AtomicUsize, value: u32) -> Result<Vec<u32>, Error> {
        calls.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(50)).await;
        Ok(vec![value])
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_readers_share_one_fetch() {
        let cache = cache();
        let calls = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                let (cache, calls) = (cache.clone(), calls.clone());
                tokio::spawn(async move { cache.get("p", || slow_list(&calls, 7)).await })
            })
            .collect();
        for t in tasks {
            let got = t.await.unwrap_or_else(|e| panic!("task: {e}"));
            assert_eq!(got.ok().as_deref(), Some(&vec![7]));
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // Still fresh: served from the cache.
        let again = cache.get("p", || slow_list(&calls, 8)).await;
        assert_eq!(again.ok().as_deref(), Some(&vec![7]));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // Another project has its own list.
        let other = cache.get("q", || slow_list(&calls, 9)).await;
        assert_eq!(other.ok().as_deref(), Some(&vec![9]));
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn invalidation_forces_a_new_fetch() {
        let cache = cache();
        let calls = AtomicUsize::new(0);
        let first = cache.get("p", || slow_list(&calls, 1)).await;
        assert_eq!(first.ok().as_deref(), Some(&vec![1]));
        cache.invalidate("p");
        let second = cache.get("p", || slow_list(&calls, 2)).await;
        assert_eq!(second.ok().as_deref(), Some(&vec![2]));
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        // Invalidating a project never read is harmless.
        cache.invalidate("never-read");
    }

    #[tokio::test]
    async fn expiry_after_idle_time() {
        let cache = Arc::new(ListCache::new(
            Duration::from_millis(30),
            Duration::from_secs(60),
        ));
        let calls = AtomicUsize::new(0);
        let _ = cache.get("p", || slow_list(&calls, 1)).await;
        tokio::time::sleep(Duration::from_millis(60)).await;
        let later = cache.get("p", || slow_list(&calls, 2)).await;
        assert_eq!(later.ok().as_deref(), Some(&vec![2]));
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    /// A list in flight while a write happens answers its own waiters but is not cached: the
    /// first read after the write fetches again.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_list_in_flight_during_a_write_is_not_cached() {
        let cache = cache();
        let calls = Arc::new(AtomicUsize::new(0));
        let (c, k) = (cache.clone(), calls.clone());
        let stale = tokio::spawn(async move { c.get("p", || slow_list(&k, 1)).await });
        tokio::time::sleep(Duration::from_millis(10)).await;
        // The write completes while the list call is still in flight.
        cache.invalidate("p");
        // A reader after the write does not join the stale call.
        let fresh = cache.get("p", || slow_list(&calls, 2)).await;
        assert_eq!(fresh.ok().as_deref(), Some(&vec![2]));
        let stale = stale.await.unwrap_or_else(|e| panic!("task: {e}"));
        assert_eq!(stale.ok().as_deref(), Some(&vec![1]));
        // The stale answer, arriving last, did not replace the fresh one.
        let cached = cache.get("p", || slow_list(&calls, 3)).await;
        assert_eq!(cached.ok().as_deref(), Some(&vec![2]));
        assert_eq!(calls.load(Ordering::SeqCst), 2);

        // The stale call finishing after the invalidation stores nothing either.
        let cache = self::cache();
        let (c, k) = (cache.clone(), calls.clone());
        let stale = tokio::spawn(async move { c.get("p", || slow_list(&k, 4)).await });
        tokio::time::sleep(Duration::from_millis(10)).await;
        cache.invalidate("p");
        let _ = stale.await;
        let after = cache.get("p", || slow_list(&calls, 5)).await;
        assert_eq!(after.ok().as_deref(), Some(&vec![5]));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn an_error_reaches_every_waiter_and_is_not_cached() {
        let cache = cache();
        let calls = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..10)
            .map(|_| {
                let (cache, calls) = (cache.clone(), calls.clone());
                tokio::spawn(async move {
                    cache
                        .get("p", || async {
                            calls.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            Err(Error::InvalidRequest("boom".into()))
                        })
                        .await
                })
            })
            .collect();
        for t in tasks {
            let got = t.await.unwrap_or_else(|e| panic!("task: {e}"));
            let e = got.err().map(|e| e.to_string()).unwrap_or_default();
            assert!(e.contains("boom"), "{e}");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        let next = cache.get("p", || slow_list(&calls, 3)).await;
        assert_eq!(next.ok().as_deref(), Some(&vec![3]));
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    /// A reader that gives up (timeout, cancelled RPC) while running the list call does not
    /// strand the others: one of them runs the call instead.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_dropped_leader_hands_over() {
        let cache = cache();
        let calls = Arc::new(AtomicUsize::new(0));
        let leader = {
            let (c, k) = (cache.clone(), calls.clone());
            tokio::spawn(async move {
                tokio::time::timeout(Duration::from_millis(10), c.get("p", || slow_list(&k, 1)))
                    .await
            })
        };
        tokio::time::sleep(Duration::from_millis(2)).await;
        let follower = cache.get("p", || slow_list(&calls, 2)).await;
        assert!(leader
            .await
            .unwrap_or_else(|e| panic!("task: {e}"))
            .is_err());
        assert_eq!(follower.ok().as_deref(), Some(&vec![2]));
    }
}
