//! The one place where changes become what the agent sees: the window's events (the names
//! ui/main.js listens to), the tray's count, notifications, and waking the chase timer.
//! Commands and loops report `Change`s; none of them picks an event itself.

use std::sync::atomic::{AtomicU64, Ordering};

use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_notification::{Notification, NotificationExt};

use crate::desk::{Change, Changed};
use crate::Workbench;

/// Orders or buyers changed: every view refreshes.
pub const CHANGED: &str = "desk://changed";
/// Follow-ups changed (announced, snoozed, done, added): the agenda refreshes.
pub const AGENDA_CHANGED: &str = "desk://agenda";
/// The team changed (a state, an assignment): the team panel refreshes.
pub const TEAM_CHANGED: &str = "desk://team";
/// The database changed from outside: the page refreshes without moving the agent's place.
pub const EXTERNAL: &str = "desk://external";
/// The database stopped or started answering again: `{ok, message}`; the page says so in
/// a banner and keeps what the agent typed.
pub const CONNECTION: &str = "desk://connection";
/// The shift schedule changed: the schedule view and the agent's shifts refresh.
pub const SCHEDULE_CHANGED: &str = "desk://schedule";
/// A quick phrase set changed: the phrase box reads its sets again.
pub const PHRASES_CHANGED: &str = "desk://phrases";
/// A fact 绩效 counts was recorded: the 绩效 view reads its figures again.
pub const KPI_CHANGED: &str = "desk://kpi";
/// The follow-up loop finished a step, as `Steps`.
pub const TIMER: &str = "desk://timer";
/// Progress of the running import, as `ImportProgress`.
pub const IMPORT_PROGRESS: &str = "import://progress";

/// Notifications the desktop accepted since launch (reported with each step of the loop).
static NOTIFICATIONS: AtomicU64 = AtomicU64::new(0);

pub fn notifications_shown() -> u64 {
    NOTIFICATIONS.load(Ordering::SeqCst)
}

#[derive(Clone, serde::Serialize)]
struct Connection<'a> {
    ok: bool,
    message: &'a str,
}

/// Tells the window what an operation changed and hands back its value.
pub fn publish<R: Runtime, T>(app: &AppHandle<R>, changed: Changed<T>) -> T {
    tell(app, &changed.changes);
    changed.value
}

/// Each refresh event goes out at most once per call: a heartbeat and the routing step of
/// the same beat refresh the team panel once.
pub fn tell<R: Runtime>(app: &AppHandle<R>, changes: &[Change]) {
    let mut sent: Vec<&str> = Vec::new();
    let mut refresh = |event: &'static str| {
        if !sent.contains(&event) {
            sent.push(event);
            // The page listens for this; a failed emit only delays its refresh.
            let _ = app.emit(event, ());
        }
    };
    for change in changes {
        match change {
            Change::Orders => {
                // New or paid orders start or cancel chases.
                wake(app);
                refresh(CHANGED);
            }
            Change::Buyers => refresh(CHANGED),
            Change::BuyerNote => {}
            Change::Agenda => {
                // A snooze or a new follow-up moves the next due time.
                wake(app);
                refresh(AGENDA_CHANGED);
            }
            Change::Announced { fired, at } => {
                for (title, body) in crate::chasing::announcements(fired, *at) {
                    notify(app, &title, &body);
                }
                if !fired.is_empty() {
                    refresh(AGENDA_CHANGED);
                }
            }
            Change::DueNow(n) => crate::tray::set_due(app, *n),
            Change::Team => refresh(TEAM_CHANGED),
            Change::QueueLate(late) => {
                for (nick, secs) in late {
                    notify(
                        app,
                        &format!("买家排队 {secs} 秒：{nick}"),
                        "在线客服全部挂起或满载，请安排接待",
                    );
                }
            }
            Change::Assigned(conversations) => {
                for c in conversations {
                    notify(app, &format!("新买家：{}", c.buyer_nick), &c.reason);
                }
            }
            Change::External => {
                // New orders from outside may bring chases.
                wake(app);
                refresh(EXTERNAL);
            }
            Change::Connection { ok, message } => {
                let _ = app.emit(CONNECTION, Connection { ok: *ok, message });
            }
            Change::Paused => wake(app),
            Change::Schedule => refresh(SCHEDULE_CHANGED),
            Change::Phrases => refresh(PHRASES_CHANGED),
            Change::Kpi => refresh(KPI_CHANGED),
            Change::ShiftSoon(shifts) => {
                for s in shifts {
                    notify(
                        app,
                        &format!(
                            "{} 分钟后上班：{}",
                            kefu_core::shifts::REMINDER_LEAD_MINUTES,
                            s.template
                        ),
                        &format!(
                            "{} {}，开始后会给你分配新买家",
                            s.date.format("%m/%d"),
                            s.hours_text(kefu_db::SHOP_TIME)
                        ),
                    );
                }
            }
            Change::Stepped(steps) => {
                let _ = app.emit(TIMER, steps);
            }
        }
    }
}

/// Wakes the chase timer so that new data or a pause takes effect at once.
fn wake<R: Runtime>(app: &AppHandle<R>) {
    if let Some(wb) = app.try_state::<Workbench>() {
        wb.wake.notify_one();
    }
}

fn notify<R: Runtime>(app: &AppHandle<R>, title: &str, body: &str) {
    // Without the notification plugin (the command tests' mock app) there is no one to show
    // it to. The lists in the window are the truth; a notification that fails is only logged.
    if app.try_state::<Notification<R>>().is_none() {
        return;
    }
    let body = for_notification_body(body);
    match app.notification().builder().title(title).body(&body).show() {
        Ok(()) => {
            NOTIFICATIONS.fetch_add(1, Ordering::SeqCst);
        }
        Err(e) => eprintln!("kefu-desk: notification: {e}"),
    }
}

/// A notification's body may carry markup (`<b>`, `<a href>`, `<img>`) where the
/// notification server supports it, and buyer text (nicks, transfer notes) is hostile: its
/// `&`, `<` and `>` are written as entities so that it shows as the text it is. The title
/// is plain text by the specification.
fn for_notification_body(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::for_notification_body;

    #[test]
    fn buyer_text_in_a_notification_body_is_text_not_markup() {
        assert_eq!(
            for_notification_body("<img src=x> 坏人 & <a href='http://x'>点我</a>"),
            "&lt;img src=x&gt; 坏人 &amp; &lt;a href='http://x'&gt;点我&lt;/a&gt;"
        );
        assert_eq!(
            for_notification_body("催付：小荔4503 ¥12.00"),
            "催付：小荔4503 ¥12.00"
        );
    }
}
