//! Follow-ups (待办): the agenda, and done, snooze or add one.

use chrono::{DateTime, Utc};
use clap::Subcommand;
use kefu_core::ShopTime;

use super::{numbered, shop_time, Out};
use crate::desk::Desk;
use crate::error::Result;

#[derive(Debug, Subcommand)]
pub(super) enum Followup {
    /// Mark a follow-up done
    Done {
        /// The follow-up's number (#42 or 42)
        #[arg(value_parser = numbered)]
        id: i64,
    },
    /// Put a follow-up off
    Snooze {
        #[arg(value_parser = numbered)]
        id: i64,
        /// 15m, 1h or tomorrow (09:00 shop time)
        choice: String,
    },
    /// A follow-up by hand: promised_answer (due in 20 h), refund_reply,
    /// refund_reply_quick, return_receipt
    Add {
        nick: String,
        #[arg(long)]
        kind: String,
        /// The order it is about
        #[arg(long, value_name = "NO")]
        order: Option<String>,
        #[arg(long, value_name = "TEXT", default_value = "")]
        note: String,
    },
}

pub(super) async fn followups(
    desk: &Desk,
    out: &mut Out,
    at: Option<&str>,
    all: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    let at = match at {
        Some(t) => ShopTime::SHANGHAI.parse_local(t)?,
        None => now,
    };
    let list = if all {
        desk.everyones_followups(at).await?
    } else {
        desk.followups(at).await?
    };
    out.emit(&list, |w| {
        for (label, items) in [
            ("overdue", &list.overdue),
            ("due", &list.due),
            ("upcoming", &list.upcoming),
        ] {
            for f in items {
                writeln!(
                    w,
                    "{label}\t#{}\t{}\t{}{}\t{}\t¥{}\t{}\towner {}",
                    f.id,
                    shop_time(f.due_at),
                    f.kind.code(),
                    f.step.map(|s| format!(" ({s:?})")).unwrap_or_default(),
                    f.nick,
                    f.amount,
                    f.expires_at
                        .map(|t| format!("until {}", shop_time(t)))
                        .unwrap_or_default(),
                    if f.owner.is_empty() {
                        desk.agent()
                    } else {
                        f.owner.clone()
                    }
                )?;
            }
        }
        Ok(())
    })
}

pub(super) async fn followup(
    desk: &Desk,
    out: &mut Out,
    action: Followup,
    now: DateTime<Utc>,
) -> Result<()> {
    let f = match action {
        Followup::Done { id } => desk.done(id, now).await?.value,
        Followup::Snooze { id, choice } => desk.snooze(id, &choice, now).await?.value,
        Followup::Add {
            nick,
            kind,
            order,
            note,
        } => {
            desk.add_followup(&nick, &kind, order.as_deref(), &note, now)
                .await?
                .value
        }
    };
    out.emit(&f, |w| {
        writeln!(
            w,
            "#{}\t{}\t{}\t{}",
            f.id,
            f.kind.code(),
            f.nick,
            shop_time(f.due_at)
        )
    })
}
