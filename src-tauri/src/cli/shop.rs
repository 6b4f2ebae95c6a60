//! Orders and buyers: demo, groups, buyers, buyer, note, search, import, orders.

use std::path::PathBuf;

use chrono::{DateTime, Utc};

use super::{shop_time, Out};
use crate::desk::Desk;
use crate::error::{Error, Result};

pub(super) async fn demo(
    desk: &Desk,
    out: &mut Out,
    if_empty: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    if if_empty && !desk.is_empty().await? {
        return out.emit(&serde_json::json!({"loaded": false}), |w| {
            writeln!(w, "the database already holds orders; demo not loaded")
        });
    }
    let applied = desk.load_demo(now).await?.value;
    out.emit(&applied, |w| {
        writeln!(w, "demo shop loaded: {} orders", applied.new)
    })
}

pub(super) async fn groups(desk: &Desk, out: &mut Out) -> Result<()> {
    let c = desk.group_counts().await?;
    out.emit(&c, |w| {
        writeln!(w, "咨询 inquiry  {:>8}", c.inquiry)?;
        writeln!(w, "订单 order    {:>8}", c.order)?;
        writeln!(w, "发货 shipped  {:>8}", c.shipped)?;
        writeln!(w, "成交 closed   {:>8}", c.closed)
    })
}

pub(super) async fn buyers(
    desk: &Desk,
    out: &mut Out,
    group: &str,
    offset: i64,
    limit: i64,
) -> Result<()> {
    let list = desk.buyers(group, offset, limit).await?;
    out.emit(&list, |w| {
        for b in &list {
            let close = b.next_close_at.map(shop_time).unwrap_or_default();
            writeln!(w, "{}\t{} orders\t{}", b.nick, b.order_count, close)?;
        }
        Ok(())
    })
}

pub(super) async fn buyer(desk: &Desk, out: &mut Out, nick: &str) -> Result<()> {
    let d = desk.buyer(nick).await?;
    print_buyer(out, &d)
}

/// What `note` saves: a part left out keeps what is stored.
pub(super) struct Note<'a> {
    pub text: Option<&'a str>,
    pub tags: Option<&'a [String]>,
    pub version: Option<i64>,
}

pub(super) async fn note(
    desk: &Desk,
    out: &mut Out,
    nick: &str,
    note: Note<'_>,
    now: DateTime<Utc>,
) -> Result<()> {
    if note.text.is_none() && note.tags.is_none() {
        return Err(Error::Usage("note: give --text, --tags or both".to_owned()));
    }
    let d = desk
        .save_note(nick, note.text, note.tags, note.version, now)
        .await?
        .value;
    print_buyer(out, &d)
}

fn print_buyer(out: &mut Out, d: &kefu_db::BuyerDetail) -> Result<()> {
    out.emit(d, |w| {
        writeln!(w, "{} ({})", d.summary.nick, d.summary.group.label())?;
        if !d.summary.note.is_empty() || !d.tags.is_empty() {
            writeln!(
                w,
                "  备注 v{}: {}  标签: {}",
                d.note_version,
                d.summary.note,
                d.tags.join(" ")
            )?;
        }
        for o in &d.orders {
            writeln!(
                w,
                "  {}  {}  ¥{}  {}",
                o.no,
                o.status.label(),
                o.total,
                shop_time(o.created_at)
            )?;
        }
        Ok(())
    })
}

pub(super) async fn search(desk: &Desk, out: &mut Out, text: &str) -> Result<()> {
    let list = desk.search(text).await?;
    out.emit(&list, |w| {
        for b in &list {
            writeln!(w, "{}\t{}", b.nick, b.group.label())?;
        }
        Ok(())
    })
}

pub(super) async fn import(
    desk: &Desk,
    out: &mut Out,
    paths: &[PathBuf],
    skip_bad: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    let report = desk.import(paths, skip_bad, now, |_| true).await?.value;
    out.emit(&report, |w| {
        writeln!(
            w,
            "read {} rows from {} file(s)",
            report.rows,
            report.files.len()
        )?;
        for p in &report.problems {
            writeln!(w, "rejected: {p}")?;
        }
        let unlisted = report.rejected - report.problems.len() as u64;
        if unlisted > 0 {
            writeln!(w, "rejected: … and {unlisted} more rows, not listed")?;
        }
        if report.written {
            writeln!(
                w,
                "orders: {} new, {} updated, {} unchanged; {} rejected; items: {} stored, {} for unknown orders",
                report.new, report.updated, report.unchanged, report.rejected, report.items, report.items_skipped
            )
        } else {
            writeln!(w, "{} row(s) rejected; nothing was imported (use --skip-bad to import the good rows)", report.rejected)
        }
    })?;
    if report.rejected > 0 {
        return Err(Error::Rejected(report.rejected));
    }
    Ok(())
}

pub(super) async fn orders(desk: &Desk, out: &mut Out, status: &str, limit: i64) -> Result<()> {
    let list = desk.orders(status, limit).await?;
    out.emit(&list, |w| {
        for o in &list {
            writeln!(
                w,
                "{}\t{}\t¥{}\t{}",
                o.no,
                o.buyer,
                o.total,
                shop_time(o.created_at)
            )?;
        }
        Ok(())
    })
}
