//! Changes from outside the window: a shop script importing from the command line, the
//! chat system reporting a new buyer, another app on this PC. Checked every second on a
//! connection of its own; a change wakes the follow-up loop (new orders may bring chases)
//! and tells the page to refresh what it shows, without moving the agent's place.

use std::time::Duration;

use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::Workbench;

/// Emitted when the database changed; the page refreshes counts, agenda and team.
pub const EXTERNAL: &str = "desk://external";

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
        loop {
            tokio::time::sleep(EVERY).await;
            match watch.changed().await {
                Ok(true) => {
                    app.state::<Workbench>().wake.notify_one();
                    let _ = app.emit(EXTERNAL, ());
                }
                Ok(false) => {}
                Err(e) => eprintln!("kefu-desk: watching the database: {e}"),
            }
        }
    });
}
