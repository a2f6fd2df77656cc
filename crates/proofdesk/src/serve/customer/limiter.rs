//! Fixed-window request counting per key (a link, an address), in memory: enough to
//! stop a burst against one server; several servers each count their own.

use std::collections::HashMap;
use std::sync::Mutex;

/// Counts per key within a window.
#[derive(Default)]
pub struct Limiter {
    windows: Mutex<HashMap<String, (i64, u32)>>,
}

/// Most keys remembered before expired windows are dropped.
const MAX_KEYS: usize = 50_000;

impl Limiter {
    /// Counts one request for `key` at `now_ms`; whether it is within `max` per
    /// `window_ms`.
    pub fn allow(&self, key: &str, max: u32, window_ms: i64, now_ms: i64) -> bool {
        let mut w = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if w.len() > MAX_KEYS {
            w.retain(|_, (start, _)| now_ms - *start < window_ms);
        }
        let slot = w.entry(key.to_owned()).or_insert((now_ms, 0));
        if now_ms - slot.0 >= window_ms {
            *slot = (now_ms, 0);
        }
        slot.1 = slot.1.saturating_add(1);
        slot.1 <= max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_stopped_and_the_next_window_is_free() {
        let l = Limiter::default();
        assert!((0..5).all(|i| l.allow("link", 5, 1000, i)));
        assert!(!l.allow("link", 5, 1000, 10));
        assert!(l.allow("other", 5, 1000, 10), "keys are counted apart");
        assert!(l.allow("link", 5, 1000, 1000));
    }
}
