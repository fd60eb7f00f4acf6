//! A small in-process cache with a time to live, for reads that many requests repeat
//! (who is signed in, overview figures). Entries are at most `ttl` old, so a change made
//! through another instance shows here within that time; changes made here invalidate
//! their entries at once.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct TtlCache<K, V> {
    entries: Mutex<HashMap<K, (Instant, V)>>,
    ttl: Duration,
    capacity: usize,
}

impl<K: Eq + Hash, V: Clone> TtlCache<K, V> {
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        TtlCache { entries: Mutex::new(HashMap::new()), ttl, capacity }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, (Instant, V)>> {
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn get(&self, key: &K) -> Option<V> {
        let entries = self.lock();
        entries.get(key).filter(|(at, _)| at.elapsed() < self.ttl).map(|(_, value)| value.clone())
    }

    pub fn insert(&self, key: K, value: V) {
        let mut entries = self.lock();
        if entries.len() >= self.capacity {
            entries.retain(|_, (at, _)| at.elapsed() < self.ttl);
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        entries.insert(key, (Instant::now(), value));
    }

    /// The entry however old, with its age: for callers that serve a stale value while they refresh it.
    pub fn get_with_age(&self, key: &K) -> Option<(V, Duration)> {
        self.lock().get(key).map(|(at, value)| (value.clone(), at.elapsed()))
    }

    pub fn remove(&self, key: &K) {
        self.lock().remove(key);
    }

    /// Drops every entry for which `stale` is true.
    pub fn remove_where(&self, stale: impl Fn(&V) -> bool) {
        self.lock().retain(|_, (_, value)| !stale(value));
    }
}

/// How many changes each municipality has seen in this process. What is computed from a
/// municipality's data is kept with the count read before computing it, and is good only
/// while the count is the same (see `caches::fresh_after_writes`, which counts).
///
/// Changes made through other instances (and the CLI) reach this one as announcements from
/// PostgreSQL (`caches::follow_changes`); while this instance is not listening,
/// `is_live` is false and nothing computed may be served.
#[derive(Default)]
pub struct Changes {
    counts: Mutex<HashMap<crate::db::MunicipalityId, u64>>,
    /// Raised when every municipality may have changed (the announcements were lost).
    epoch: std::sync::atomic::AtomicU64,
    identities: std::sync::atomic::AtomicU64,
    live: std::sync::atomic::AtomicBool,
}

impl Changes {
    pub fn count(&self, m: crate::db::MunicipalityId) -> u64 {
        let own = self.counts.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).get(&m).copied().unwrap_or(0);
        own + self.epoch.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn bump(&self, m: crate::db::MunicipalityId) {
        *self.counts.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).entry(m).or_default() += 1;
    }

    /// Every municipality may have changed.
    pub fn bump_all(&self) {
        self.epoch.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    /// How many times identities changed: an identity read before a change is not kept after it.
    pub fn identity_epoch(&self) -> u64 {
        self.identities.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn bump_identities(&self) {
        self.identities.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    /// Whether this instance hears every change as it is committed, so that what it computed
    /// may be served until it hears otherwise.
    pub fn is_live(&self) -> bool {
        self.live.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn set_live(&self, live: bool) {
        self.live.store(live, std::sync::atomic::Ordering::SeqCst);
    }
}

/// One computation per key at a time. Right after a restart many clients open the same
/// dashboard at once, and the moment a list's copy runs out everyone reading it asks again;
/// the first computes while the others wait for its turn to end and then find the result in
/// the cache, instead of each computing it. A key's gate is removed by the last one out, so
/// keys that are many and short-lived (a viewer and an address) leave nothing behind.
pub struct Flights<K> {
    gates: Arc<Mutex<HashMap<K, Arc<tokio::sync::Mutex<()>>>>>,
}

impl<K: Eq + Hash + Clone> Default for Flights<K> {
    fn default() -> Self {
        Flights { gates: Arc::default() }
    }
}

/// Holds a key until dropped (also when the request holding it is dropped mid-way).
pub struct Flight<K: Eq + Hash> {
    gates: Arc<Mutex<HashMap<K, Arc<tokio::sync::Mutex<()>>>>>,
    key: K,
    gate: Arc<tokio::sync::Mutex<()>>,
    held: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl<K: Eq + Hash + Clone> Flights<K> {
    /// Waits until no one else holds `key`, and holds it until the flight is dropped.
    pub async fn enter(&self, key: &K) -> Flight<K> {
        let gate = {
            let mut gates = self.gates.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            gates.entry(key.clone()).or_default().clone()
        };
        let held = Some(gate.clone().lock_owned().await);
        Flight { gates: self.gates.clone(), key: key.clone(), gate, held }
    }

    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.gates.lock().unwrap().is_empty()
    }
}

impl<K: Eq + Hash> Drop for Flight<K> {
    fn drop(&mut self) {
        self.held.take();
        let mut gates = self.gates.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        // Only the map and this flight still hold the gate: no one waits for it.
        if gates.get(&self.key).is_some_and(|gate| Arc::ptr_eq(gate, &self.gate)) && Arc::strong_count(&self.gate) <= 2
        {
            gates.remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_key_is_held_by_one_at_a_time() {
        let flights = Arc::new(Flights::default());
        let computed = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let cache = Arc::new(TtlCache::new(Duration::from_secs(60), 10));
        let mut waiting = Vec::new();
        for _ in 0..8 {
            let (flights, computed, cache) = (flights.clone(), computed.clone(), cache.clone());
            waiting.push(tokio::spawn(async move {
                let _held = flights.enter(&"dashboard").await;
                if cache.get(&"dashboard").is_none() {
                    computed.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    cache.insert("dashboard", 1);
                }
            }));
        }
        for task in waiting {
            task.await.unwrap();
        }
        assert_eq!(computed.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert!(flights.is_empty(), "the last one out removes the gate");
        {
            let _other = flights.enter(&"another").await;
            let _same_again = flights.enter(&"dashboard").await;
        }
        assert!(flights.is_empty());
        let dropped = tokio::spawn({
            let flights = flights.clone();
            async move {
                let _held = flights.enter(&"dashboard").await;
                std::future::pending::<()>().await
            }
        });
        tokio::time::sleep(Duration::from_millis(10)).await;
        dropped.abort();
        let _ = dropped.await;
        assert!(flights.is_empty(), "a request dropped mid-way leaves nothing");
    }

    #[test]
    fn entries_expire_and_can_be_removed() {
        let cache = TtlCache::new(Duration::from_millis(50), 2);
        cache.insert("a", 1);
        assert_eq!(cache.get(&"a"), Some(1));
        cache.remove(&"a");
        assert_eq!(cache.get(&"a"), None);
        cache.insert("b", 2);
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(cache.get(&"b"), None, "expired");
        cache.insert("c", 3);
        cache.insert("d", 4);
        cache.insert("e", 5);
        assert_eq!(cache.get(&"e"), Some(5), "full caches make room");
        cache.remove_where(|v| *v == 5);
        assert_eq!(cache.get(&"e"), None);
    }
}
