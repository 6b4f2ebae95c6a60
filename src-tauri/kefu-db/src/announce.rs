//! Announcing claims of new buyers on a team database. Every claim must reach the other
//! PCs within a second (LISTEN/NOTIFY), but a notification costs the server a transaction
//! of its own, and notifying transactions commit one at a time across the whole database.
//! So a PC announces its first claim at once and, for a burst of claims, one announcement
//! at the end of a short window covers the rest; the watch of every PC re-reads what
//! changed whatever the number of notifications.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use sqlx::AnyPool;

use crate::CHANGES_CHANNEL;

/// After an announcement, further claims of this PC wait at most this long to be announced
/// together.
const WINDOW: Duration = Duration::from_millis(250);

#[derive(Debug, Default)]
pub(crate) struct Announcer {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    last: Option<Instant>,
    /// An announcement is due at the end of the window.
    pending: bool,
}

impl Announcer {
    fn state(&self) -> MutexGuard<'_, State> {
        // The state is two plain values, valid whatever a panicking holder left behind.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether the claim about to be made at `now` announces itself: none was announced
    /// within the window.
    pub(crate) fn at_once(&self, now: Instant) -> bool {
        let mut s = self.state();
        match s.last {
            Some(t) if now.duration_since(t) < WINDOW => false,
            _ => {
                s.last = Some(now);
                true
            }
        }
    }

    /// A claim committed without announcing itself: one announcement at the end of the
    /// window covers it (and any other made meanwhile). Called after the commit, so the
    /// announcement always follows it.
    pub(crate) fn later(self: &Arc<Self>, pool: &AnyPool, now: Instant) {
        let wait = {
            let mut s = self.state();
            if s.pending {
                return;
            }
            s.pending = true;
            s.last
                .map(|t| (t + WINDOW).saturating_duration_since(now))
                .unwrap_or_default()
        };
        let me = Arc::clone(self);
        let pool = pool.clone();
        tokio::spawn(async move {
            tokio::time::sleep(wait).await;
            {
                // A claim committed after this point schedules its own announcement.
                let mut s = me.state();
                s.pending = false;
                s.last = Some(Instant::now());
            }
            // Nothing to flush: should it fail, the other PCs catch up at their next
            // refresh, and the claims themselves stand.
            let _ = sqlx::query(
                "SELECT set_config('synchronous_commit', 'off', true), pg_notify($1, 'conversations')",
            )
            .bind(CHANGES_CHANNEL)
            .execute(&pool)
            .await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_claim_announces_at_once_and_a_burst_waits_for_the_window() {
        let a = Announcer::default();
        let t = Instant::now();
        let ms = Duration::from_millis;
        assert!(a.at_once(t));
        assert!(!a.at_once(t + ms(1)));
        assert!(!a.at_once(t + WINDOW - ms(1)));
        assert!(a.at_once(t + WINDOW + ms(5)));
        assert!(
            !a.at_once(t + WINDOW + ms(6)),
            "a new window from the second"
        );
    }
}
