//! The team loop: while an account is signed in on this PC, a heartbeat every few seconds
//! (a PC silent for 60 s counts as offline), then the routing housekeeping step (late
//! greetings, silent PCs, the queue). A buyer routed to this PC's account raises a
//! notification (see `watch`), and so does a shift of this account about to start.

use std::collections::HashSet;
use std::time::Duration;

use kefu_core::shifts::{self, Shift};

use tauri::{AppHandle, Manager, Runtime};

use crate::desk::Change;
use crate::events;
use crate::Workbench;

const BEAT: Duration = Duration::from_secs(15);

pub fn start<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        // Shifts already reminded of, by start and agent: each once per run of the app.
        let mut reminded: HashSet<(String, i64)> = HashSet::new();
        loop {
            tokio::time::sleep(BEAT).await;
            let wb = app.state::<Workbench>();
            let Ok(desk) = wb.desk().await else { return };
            let Ok(me) = desk.account() else { continue };
            if let Err(e) = desk.keep_time().await {
                eprintln!("kefu-desk: the team database's clock: {e}");
            }
            let now = crate::clock::now();
            let mut changes = match desk.heartbeat(now).await {
                Ok(beat) => beat.changes,
                Err(e) => {
                    eprintln!("kefu-desk: heartbeat: {e}");
                    continue;
                }
            };
            // Buyers this step hands to this PC's account are announced by the watch
            // loop, which sees every PC's assignments alike.
            match desk.route_due(now).await {
                Ok(routed) => changes.extend(routed.changes),
                Err(e) => eprintln!("kefu-desk: routing: {e}"),
            }
            if me.role != kefu_core::team::Role::Agent {
                if let Ok(alerts) = desk.queue_alerts(now).await {
                    changes.extend(alerts.changes);
                }
            }
            // Follow-ups of buyers nobody serves go to whoever is on shift.
            match desk.split_unowned_followups(now).await {
                Ok(split) => changes.extend(split.changes),
                Err(e) => eprintln!("kefu-desk: splitting follow-ups: {e}"),
            }
            if let Ok(mine) = desk.my_shifts(now).await {
                let soon: Vec<Shift> = mine
                    .shifts
                    .into_iter()
                    .filter(|s| shifts::reminder_due(s, now))
                    .filter(|s| reminded.insert((s.agent.clone(), s.start.timestamp())))
                    .collect();
                if !soon.is_empty() {
                    changes.push(Change::ShiftSoon(soon));
                }
            }
            events::tell(&app, &changes);
        }
    });
}
