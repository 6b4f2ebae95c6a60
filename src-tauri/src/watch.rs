//! Changes from outside the window: a shop script importing from the command line, the
//! chat system reporting a new buyer, another app on this PC, another agent's PC on a team
//! database. On a connection of its own: SQLite is asked every second, PostgreSQL pushes
//! (LISTEN/NOTIFY). A change wakes the follow-up loop (new orders may bring chases) and
//! tells the page to refresh what it shows, without moving the agent's place.

use std::collections::HashSet;
use std::time::Duration;

use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;

use crate::Workbench;

/// Emitted when the database changed; the page refreshes counts, agenda and team.
pub const EXTERNAL: &str = "desk://external";

/// Emitted when the database stops or starts answering again: `{ok, message}`. The page
/// says so in a banner and keeps what the agent typed.
pub const CONNECTION: &str = "desk://connection";

#[derive(Clone, serde::Serialize)]
struct Connection {
    ok: bool,
    message: String,
}

const EVERY: Duration = Duration::from_secs(1);

pub fn start<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        let mut watch = {
            let wb = app.state::<Workbench>();
            let Ok(desk) = wb.desk() else { return };
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
                    if back {
                        let _ = app.emit(
                            CONNECTION,
                            Connection {
                                ok: true,
                                message: String::new(),
                            },
                        );
                    }
                    // Back from an outage, refresh too: what changed meanwhile went unseen.
                    if changed || back {
                        app.state::<Workbench>().wake.notify_one();
                        let _ = app.emit(EXTERNAL, ());
                    }
                }
                Err(e) => {
                    eprintln!("kefu-desk: watching the database: {e}");
                    if !down {
                        down = true;
                        let _ = app.emit(
                            CONNECTION,
                            Connection {
                                ok: false,
                                message: e.to_string(),
                            },
                        );
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
        let Ok(desk) = wb.desk() else { return };
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
        for c in mine {
            if c.opened_at.is_none() && self.told.insert(c.id) {
                let _ = app
                    .notification()
                    .builder()
                    .title(format!("新买家：{}", c.buyer_nick))
                    .body(&c.reason)
                    .show();
            }
        }
    }
}
