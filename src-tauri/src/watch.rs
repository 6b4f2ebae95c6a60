//! Changes from outside the window: a shop script importing from the command line, the
//! chat system reporting a new buyer, another app on this PC, another agent's PC on a team
//! database. On a connection of its own: SQLite is asked every second, PostgreSQL pushes
//! (LISTEN/NOTIFY). A change wakes the follow-up loop (new orders may bring chases) and
//! tells the page to refresh what it shows, without moving the agent's place.

use std::collections::HashSet;
use std::time::Duration;

use tauri::{AppHandle, Manager, Runtime};

use crate::desk::Change;
use crate::events;
use crate::Workbench;

const EVERY: Duration = Duration::from_secs(1);

pub fn start<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        let mut watch = {
            let wb = app.state::<Workbench>();
            let Ok(desk) = wb.desk().await else { return };
            match desk.watch().await {
                Ok(w) => w,
                Err(e) => {
                    eprintln!("kefu-desk: cannot watch the database: {e}");
                    return;
                }
            }
        };
        let mut new_buyers = NewBuyers::default();
        let mut down = false;
        loop {
            new_buyers.tell(&app).await;
            match watch.next_change(EVERY).await {
                Ok(changed) => {
                    let back = std::mem::take(&mut down);
                    let mut changes = Vec::new();
                    if back {
                        changes.push(Change::Connection {
                            ok: true,
                            message: String::new(),
                        });
                    }
                    // Back from an outage, refresh too: what changed meanwhile went unseen.
                    if changed || back {
                        changes.push(Change::External);
                    }
                    events::tell(&app, &changes);
                }
                Err(e) => {
                    eprintln!("kefu-desk: watching the database: {e}");
                    if !down {
                        down = true;
                        let lost = Change::Connection {
                            ok: false,
                            message: e.to_string(),
                        };
                        events::tell(&app, &[lost]);
                    }
                    // A team database that went away: try again shortly, not in a spin.
                    tokio::time::sleep(EVERY).await;
                }
            }
        }
    });
}

/// Buyers routed to the account signed in on this PC, by this PC or by any other on the
/// same database: each conversation not yet greeted raises one notification (at sign-in,
/// the ones already waiting for this agent too).
#[derive(Default)]
struct NewBuyers {
    account: Option<i64>,
    told: HashSet<i64>,
}

impl NewBuyers {
    async fn tell<R: Runtime>(&mut self, app: &AppHandle<R>) {
        let wb = app.state::<Workbench>();
        let Ok(desk) = wb.desk().await else { return };
        let Ok(me) = desk.account() else {
            self.account = None;
            self.told.clear();
            return;
        };
        // A database that went away is reported by the watch; try again next time.
        let Ok(mine) = desk.conversations(false).await else {
            return;
        };
        if self.account != Some(me.id) {
            self.account = Some(me.id);
            self.told.clear();
        }
        let new: Vec<_> = mine
            .into_iter()
            .filter(|c| c.opened_at.is_none() && self.told.insert(c.id))
            .collect();
        if !new.is_empty() {
            events::tell(app, &[Change::Assigned(new)]);
        }
    }
}
