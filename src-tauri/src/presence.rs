//! The team loop: while an account is signed in on this PC, a heartbeat every few seconds
//! (a PC silent for 60 s counts as offline), then the routing housekeeping step (late
//! greetings, silent PCs, the queue). A buyer routed to this PC's account raises a
//! notification (see `watch`).

use std::time::Duration;

use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;

use crate::Workbench;

const BEAT: Duration = Duration::from_secs(15);

pub fn start<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        loop {
            tokio::time::sleep(BEAT).await;
            let wb = app.state::<Workbench>();
            let Ok(desk) = wb.desk() else { return };
            let Ok(me) = desk.account() else { continue };
            let now = crate::clock::now();
            if let Err(e) = desk.heartbeat(now).await {
                eprintln!("kefu-desk: heartbeat: {e}");
                continue;
            }
            // Buyers this step hands to this PC's account are announced by the watch
            // loop, which sees every PC's assignments alike.
            if let Err(e) = desk.route_due(now).await {
                eprintln!("kefu-desk: routing: {e}");
            }
            if me.role != kefu_core::team::Role::Agent {
                if let Ok(late) = desk.queue_alerts(now).await {
                    for (nick, secs) in late {
                        let _ = app
                            .notification()
                            .builder()
                            .title(format!("买家排队 {secs} 秒：{nick}"))
                            .body("在线客服全部挂起或满载，请安排接待")
                            .show();
                    }
                }
            }
            // Other PCs change the team too: the panel refreshes on every beat.
            let _ = app.emit(crate::commands::TEAM_CHANGED, ());
        }
    });
}
