//! The payment-chase loop: a thin timer around `Desk::run_due`. It sleeps until the next
//! chase is due (never polling), wakes early when orders change, and wakes at least every
//! few minutes so that a PC that slept or a clock that jumped catches up.

use std::time::Duration;

use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;

use crate::desk::DueChase;
use crate::Workbench;

const LONGEST_SLEEP: Duration = Duration::from_secs(300);
/// More chases at once than this become one summary, so catching up is not a flood.
const MOST_AT_ONCE: usize = 3;

/// The window comes first at launch; catching up on chases can wait this long.
const FIRST_RUN_DELAY: Duration = Duration::from_secs(2);

pub fn start<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(FIRST_RUN_DELAY).await;
        loop {
            let wb = app.state::<Workbench>();
            let Ok(desk) = wb.desk() else { return };
            let next = match desk.run_due(crate::clock::now()).await {
                Ok((fired, next)) => {
                    announce(&app, &fired);
                    if let Ok(list) = desk.followups(crate::clock::now()).await {
                        crate::tray::set_due(&app, list.due.len() + list.upcoming.len());
                    }
                    next
                }
                Err(e) => {
                    eprintln!("kefu-desk: payment chases: {e}");
                    None
                }
            };
            let wait = next
                .and_then(|t| (t - crate::clock::now()).to_std().ok())
                .unwrap_or(Duration::ZERO)
                .clamp(Duration::from_millis(200), LONGEST_SLEEP);
            let wait = if next.is_none() { LONGEST_SLEEP } else { wait };
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = wb.wake.notified() => {}
            }
        }
    });
}

fn time_left(c: &DueChase) -> String {
    let left = c.closes_at - crate::clock::now();
    let (h, m) = (left.num_hours(), left.num_minutes() % 60);
    if h >= 24 {
        format!("还剩 {} 天 {} 小时自动关闭", h / 24, h % 24)
    } else {
        format!("还剩 {h} 小时 {m} 分自动关闭")
    }
}

fn announce<R: Runtime>(app: &AppHandle<R>, fired: &[DueChase]) {
    let mut shown: Vec<&DueChase> = fired.iter().collect();
    shown.sort_by_key(|c| c.closes_at);
    if fired.len() > MOST_AT_ONCE {
        notify(
            app,
            &format!("{} 位买家待催付", fired.len()),
            "打开客服工作台查看待付款订单",
        );
        shown.truncate(MOST_AT_ONCE);
    }
    for c in shown {
        let body = format!(
            "¥{} · {} 笔订单 · {}",
            c.amount,
            c.orders.len(),
            time_left(c)
        );
        notify(app, &format!("催付：{}", c.nick), &body);
    }
}

fn notify<R: Runtime>(app: &AppHandle<R>, title: &str, body: &str) {
    // The follow-up list is the truth; a notification that fails to show is only logged.
    if let Err(e) = app.notification().builder().title(title).body(body).show() {
        eprintln!("kefu-desk: notification: {e}");
    }
}
