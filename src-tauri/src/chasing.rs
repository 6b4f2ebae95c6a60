//! The follow-up loop: a thin timer around `Desk::run_due` (buyers whose platform timer
//! passed move group, due follow-ups are announced). It sleeps until the next follow-up or
//! timer is due (never polling), wakes early when orders change, and wakes at least every
//! few minutes so that a PC that slept or a clock that jumped catches up.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use kefu_core::agenda::Kind;
use kefu_db::{Fired, FollowUp};
use tauri::{AppHandle, Manager, Runtime};

use crate::desk::{Change, Steps};
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
        let mut done = Steps::default();
        loop {
            let wb = app.state::<Workbench>();
            let Ok(desk) = wb.desk().await else { return };
            let now = crate::clock::now();
            let next = if let Some(pause) = paused_for() {
                Some(now + chrono::Duration::from_std(pause).unwrap_or_default())
            } else {
                done.steps += 1;
                match desk.run_due(now).await {
                    Ok(step) => {
                        done.announced += step
                            .changes
                            .iter()
                            .map(|c| match c {
                                Change::Announced { fired, .. } => fired.total(),
                                _ => 0,
                            })
                            .sum::<u64>();
                        events::publish(&app, step)
                    }
                    Err(e) => {
                        eprintln!("kefu-desk: follow-ups: {e}");
                        None
                    }
                }
            };
            done.notifications = events::notifications_shown();
            let mut report = vec![Change::Stepped(done)];
            if let Ok(due) = desk.due_count(crate::clock::now()).await {
                report.push(due);
            }
            events::tell(&app, &report);
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

fn time_left(f: &FollowUp, now: DateTime<Utc>) -> String {
    let Some(closes) = f.expires_at else {
        return String::new();
    };
    let left = closes - now;
    let (h, m) = (left.num_hours(), left.num_minutes() % 60);
    if h >= 24 {
        format!("还剩 {} 天 {} 小时自动关闭", h / 24, h % 24)
    } else {
        format!("还剩 {h} 小时 {m} 分自动关闭")
    }
}

/// The notifications for follow-ups that fell due, as (title, body). A few at once are
/// each their own; more (a backlog after the PC was off, a busy minute) are one, with the
/// count by kind and the most urgent chase, so catching up is not a flood. Times left are
/// counted from `now`, the moment of the step that claimed them.
pub(crate) fn announcements(fired: &Fired, now: DateTime<Utc>) -> Vec<(String, String)> {
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
            time_left(c, now)
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use kefu_core::agenda::Urgency;
    use kefu_core::Fen;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, h, m, 0).unwrap()
    }

    fn follow_up(kind: Kind, nick: &str, expires_at: Option<DateTime<Utc>>) -> FollowUp {
        FollowUp {
            id: 1,
            kind,
            label: kind.label(),
            step: None,
            nick: nick.to_owned(),
            orders: vec!["1".to_owned()],
            amount: Fen(5900),
            due_at: at(1, 0),
            expires_at,
            owner: String::new(),
            note: String::new(),
            announced: true,
            snoozed_until: None,
            urgency: Urgency::Due,
            text: String::new(),
        }
    }

    fn fired(shown: Vec<FollowUp>, extra: &[(Kind, u64)]) -> Fired {
        let mut by_kind = std::collections::BTreeMap::new();
        for f in &shown {
            *by_kind.entry(f.kind).or_insert(0) += 1;
        }
        for (k, n) in extra {
            *by_kind.entry(*k).or_insert(0) += n;
        }
        Fired { shown, by_kind }
    }

    #[test]
    fn a_few_at_once_are_each_their_own_with_the_time_left_from_the_steps_moment() {
        let chase = follow_up(Kind::Chase, "小王", Some(at(12, 30)));
        let check_in = follow_up(Kind::ShippedCheckIn, "小李", None);
        let shown = announcements(&fired(vec![chase, check_in], &[]), at(10, 0));
        assert_eq!(
            shown,
            vec![
                (
                    "催付：小王".to_owned(),
                    "¥59.00 · 1 笔订单 · 还剩 2 小时 30 分自动关闭".to_owned()
                ),
                (
                    format!("{}：小李", Kind::ShippedCheckIn.label()),
                    "打开客服工作台的待办查看".to_owned()
                ),
            ]
        );
        // The same follow-up a day earlier: the text follows `now`, not the clock.
        let early = announcements(
            &fired(vec![follow_up(Kind::Chase, "小王", Some(at(12, 30)))], &[]),
            at(10, 0) - chrono::Duration::days(1),
        );
        assert_eq!(early[0].1, "¥59.00 · 1 笔订单 · 还剩 1 天 2 小时自动关闭");
    }

    #[test]
    fn a_backlog_is_one_notification_with_counts_by_kind_and_the_most_urgent_chase() {
        let shown = vec![
            follow_up(Kind::Chase, "晚关的", Some(at(20, 0))),
            follow_up(Kind::Chase, "先关的", Some(at(11, 0))),
        ];
        let backlog = fired(shown, &[(Kind::DelayedShipment, 4_000), (Kind::Chase, 10)]);
        let shown = announcements(&backlog, at(10, 0));
        assert_eq!(shown.len(), 1);
        let (title, body) = &shown[0];
        assert_eq!(title, "4012 条待办到期");
        assert_eq!(
            body,
            &format!(
                "{} 12 · {} 4000；最急：先关的 ¥59.00 · 1 笔订单 · 还剩 1 小时 0 分自动关闭",
                Kind::Chase.label(),
                Kind::DelayedShipment.label()
            )
        );
    }
}
