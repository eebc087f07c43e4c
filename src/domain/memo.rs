//! What a page read, kept in memory for the next visitor while the data it came from stands.
//!
//! An entry is kept with the change stamp (`tallies::Figures::changes`) read before it was
//! made and answers a later request only while the stamp is still at most that (no write to
//! the tables it reads has committed since) and the entry is younger than the memo's time to
//! live (for what depends on the clock, such as "waiting longer than N days"). The stamp
//! comes from the database, so a write by another process or instance counts as well.
//!
//! One entry is made at a time: the visitors who find none wait for it instead of each
//! reading the same rows, but an entry only past its time (no write since it was made)
//! answers them while its successor is being made. The number of entries is bounded (the
//! keys come from requests).
use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::error::AppResult;

pub struct Memo<K, V> {
    entries: Mutex<HashMap<K, Entry<V>>>,
    making: tokio::sync::Mutex<()>,
    ttl: Duration,
    capacity: usize,
}

struct Entry<V> {
    stamp: i64,
    made: Instant,
    value: Arc<V>,
}

impl<K: Eq + Hash + Clone, V> Memo<K, V> {
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Memo {
            entries: Mutex::new(HashMap::new()),
            making: tokio::sync::Mutex::new(()),
            ttl,
            capacity: capacity.max(1),
        }
    }

    /// The value for `key` as of change stamp `stamp` (read before this call): the kept one
    /// when it is still good, else the one `make` reads, kept for the next request.
    pub async fn get_or_make<F, Fut>(&self, key: K, stamp: i64, make: F) -> AppResult<Arc<V>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = AppResult<V>>,
    {
        if let Some(v) = self.kept(&key, stamp) {
            return Ok(v);
        }
        let _one_at_a_time = match self.making.try_lock() {
            Ok(guard) => guard,
            Err(_) => {
                // Being made: an entry only past its time (no write since) serves meanwhile.
                if let Some(v) = self.entry(&key, stamp, None) {
                    return Ok(v);
                }
                self.making.lock().await
            }
        };
        if let Some(v) = self.kept(&key, stamp) {
            return Ok(v);
        }
        let value = Arc::new(make().await?);
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= self.capacity && !entries.contains_key(&key) {
            let ttl = self.ttl;
            entries.retain(|_, e| e.made.elapsed() < ttl);
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        entries.insert(
            key,
            Entry {
                stamp,
                made: Instant::now(),
                value: value.clone(),
            },
        );
        Ok(value)
    }

    fn kept(&self, key: &K, stamp: i64) -> Option<Arc<V>> {
        self.entry(key, stamp, Some(self.ttl))
    }

    /// The entry for `key` made at `stamp` or later, younger than `ttl` when one is given.
    fn entry(&self, key: &K, stamp: i64, ttl: Option<Duration>) -> Option<Arc<V>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|e| e.stamp >= stamp && ttl.is_none_or(|t| e.made.elapsed() < t))
            .map(|e| e.value.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    async fn made(
        memo: &Memo<&'static str, usize>,
        key: &'static str,
        stamp: i64,
        calls: &AtomicUsize,
    ) -> usize {
        *memo
            .get_or_make(key, stamp, || async {
                Ok(calls.fetch_add(1, Ordering::SeqCst) + 1)
            })
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn kept_while_the_stamp_stands_and_made_again_when_it_moves() {
        let memo = Memo::new(Duration::from_secs(60), 8);
        let calls = AtomicUsize::new(0);
        assert_eq!(made(&memo, "a", 5, &calls).await, 1);
        assert_eq!(made(&memo, "a", 5, &calls).await, 1);
        // A request that read an older stamp may have the newer entry.
        assert_eq!(made(&memo, "a", 4, &calls).await, 1);
        assert_eq!(made(&memo, "a", 6, &calls).await, 2);
        assert_eq!(made(&memo, "b", 6, &calls).await, 3);
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn an_entry_older_than_its_time_is_made_again() {
        let memo = Memo::new(Duration::from_millis(20), 8);
        let calls = AtomicUsize::new(0);
        assert_eq!(made(&memo, "a", 1, &calls).await, 1);
        tokio::time::sleep(Duration::from_millis(30)).await;
        assert_eq!(made(&memo, "a", 1, &calls).await, 2);
    }

    #[tokio::test]
    async fn a_failure_keeps_nothing_and_the_entries_stay_bounded() {
        let memo: Memo<String, usize> = Memo::new(Duration::from_secs(60), 2);
        let failed = memo
            .get_or_make("x".to_string(), 1, || async {
                Err(crate::error::AppError::NotFound)
            })
            .await;
        assert!(failed.is_err());
        for k in ["a", "b", "c", "d"] {
            memo.get_or_make(k.to_string(), 1, || async { Ok(1) })
                .await
                .unwrap();
        }
        assert!(memo.entries.lock().unwrap().len() <= 2);
        assert!(memo.kept(&"x".to_string(), 1).is_none());
        assert!(memo.kept(&"d".to_string(), 1).is_some());
    }

    #[tokio::test]
    async fn an_entry_past_its_time_serves_while_the_next_is_made_but_never_after_a_write() {
        let memo = Arc::new(Memo::new(Duration::from_millis(20), 8));
        memo.get_or_make("k", 1, || async { Ok(1) }).await.unwrap();
        tokio::time::sleep(Duration::from_millis(30)).await;
        let (started_tx, started_rx) = tokio::sync::oneshot::channel();
        let (finish_tx, finish_rx) = tokio::sync::oneshot::channel::<()>();
        let maker = {
            let memo = memo.clone();
            tokio::spawn(async move {
                *memo
                    .get_or_make("k", 1, || async move {
                        started_tx.send(()).unwrap();
                        finish_rx.await.unwrap();
                        Ok(2)
                    })
                    .await
                    .unwrap()
            })
        };
        started_rx.await.unwrap();
        // Same stamp, only older: the old value, at once.
        assert_eq!(
            *memo.get_or_make("k", 1, || async { Ok(9) }).await.unwrap(),
            1
        );
        // A write since (stamp 2): waits for the maker, then makes its own.
        let after_write = {
            let memo = memo.clone();
            tokio::spawn(
                async move { *memo.get_or_make("k", 2, || async { Ok(3) }).await.unwrap() },
            )
        };
        finish_tx.send(()).unwrap();
        assert_eq!(maker.await.unwrap(), 2);
        assert_eq!(after_write.await.unwrap(), 3);
    }

    #[tokio::test]
    async fn many_at_once_make_it_once() {
        let memo = Arc::new(Memo::new(Duration::from_secs(60), 8));
        let calls = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let (memo, calls) = (memo.clone(), calls.clone());
            tasks.push(tokio::spawn(async move {
                *memo
                    .get_or_make("k", 1, || async {
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        Ok(calls.fetch_add(1, Ordering::SeqCst))
                    })
                    .await
                    .unwrap()
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), 0);
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
