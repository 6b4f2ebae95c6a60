//! The follow-up loop: a thin timer around `Desk::run_due` (buyers whose platform timer
//! passed move group, due follow-ups are announced). It sleeps until the next follow-up or
//! timer is due (never polling), wakes early when orders change, and wakes at least every
//! few minutes so that a PC that slept or a clock that jumped catches up.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use kefu_core::agenda::Kind;
use kefu_db::{Fired, FollowUp};
use tauri::{AppHandle, Manager, Runtime};

use crate::events;
use crate::Workbench;

const LONGEST_SLEEP: Duration = Duration::from_secs(300);
/// More chases at once than this become one summary, so catching up is not a flood.
const MOST_AT_ONCE: usize = 3;

/// The window comes first at launch; catching up on chases can wait this long.
const FIRST_RUN_DELAY: Duration = Duration::from_secs(2);

/// Notifications are paused until this time (unix seconds, app clock); 0 when not paused.
static PAUSED_UNTIL: AtomicI64 = AtomicI64::new(0);

/// Pauses notifications for `minutes`: what falls due meanwhile stays on the agenda and is
/// announced when the pause ends.
pub fn pause(minutes: i64) {
    let until = crate::clock::now() + chrono::Duration::minutes(minutes);
    PAUSED_UNTIL.store(until.timestamp(), Ordering::SeqCst);
}

fn paused_for() -> Option<Duration> {
    let left = PAUSED_UNTIL.load(Ordering::SeqCst) - crate::clock::now().timestamp();
    (left > 0).then(|| Duration::from_secs(left as u64))
}

pub fn start<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(FIRST_RUN_DELAY).await;
        loop {
            let wb = app.state::<Workbench>();
            let Ok(desk) = wb.desk() else { return };
            let now = crate::clock::now();
            let next = if let Some(pause) = paused_for() {
                Some(now + chrono::Duration::from_std(pause).unwrap_or_default())
            } else {
                match desk.run_due(now).await {
                    Ok(step) => events::publish(&app, step),
                    Err(e) => {
                        eprintln!("kefu-desk: follow-ups: {e}");
                        None
                    }
                }
            };
            if let Ok(due) = desk.due_count(crate::clock::now()).await {
                events::tell(&app, &[due]);
            }
            let wait = match next {
                Some(t) => (t - crate::clock::now())
                    .to_std()
                    .unwrap_or(Duration::ZERO)
                    .clamp(Duration::from_millis(200), LONGEST_SLEEP),
                None => LONGEST_SLEEP,
            };
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = wb.wake.notified() => {}
            }
        }
    });
}

fn time_left(f: &FollowUp) -> String {
    let Some(closes) = f.expires_at else {
        return String::new();
    };
    let left = closes - crate::clock::now();
    let (h, m) = (left.num_hours(), left.num_minutes() % 60);
    if h >= 24 {
        format!("还剩 {} 天 {} 小时自动关闭", h / 24, h % 24)
    } else {
        format!("还剩 {h} 小时 {m} 分自动关闭")
    }
}

/// The notifications for follow-ups that fell due, as (title, body). A few at once are
/// each their own; more (a backlog after the PC was off, a busy minute) are one, with the
/// count by kind and the most urgent chase, so catching up is not a flood.
pub(crate) fn announcements(fired: &Fired) -> Vec<(String, String)> {
    let mut chases: Vec<&FollowUp> = fired
        .shown
        .iter()
        .filter(|f| f.kind == Kind::Chase)
        .collect();
    chases.sort_by_key(|c| c.expires_at);
    let chase_note = |c: &FollowUp| {
        format!(
            "¥{} · {} 笔订单 · {}",
            c.amount,
            c.orders.len(),
            time_left(c)
        )
    };
    let total = fired.total();
    if total as usize <= MOST_AT_ONCE {
        return fired
            .shown
            .iter()
            .map(|f| match f.kind {
                Kind::Chase => (format!("催付：{}", f.nick), chase_note(f)),
                _ => (
                    format!("{}：{}", f.label, f.nick),
                    "打开客服工作台的待办查看".to_owned(),
                ),
            })
            .collect();
    }
    let mut kinds: Vec<(Kind, u64)> = fired.by_kind.iter().map(|(k, n)| (*k, *n)).collect();
    // Chases first (an unpaid order is lost at its close), then the most numerous.
    kinds.sort_by_key(|(k, n)| (*k != Kind::Chase, std::cmp::Reverse(*n)));
    let mut body = kinds
        .iter()
        .map(|(k, n)| format!("{} {n}", k.label()))
        .collect::<Vec<_>>()
        .join(" · ");
    if let Some(c) = chases.first() {
        body.push_str(&format!("；最急：{} {}", c.nick, chase_note(c)));
    }
    vec![(format!("{total} 条待办到期"), body)]
}
