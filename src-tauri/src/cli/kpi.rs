//! 绩效 from the command line, and the chat system's message reports.

use chrono::{DateTime, NaiveDate, Utc};

use super::Out;
use crate::desk::Desk;
use crate::error::{Error, Result};

fn date(flag: &str, raw: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| Error::Usage(format!("--{flag} {raw:?}: write a date as YYYY-MM-DD")))
}

fn percent(p: Option<f64>) -> String {
    p.map_or_else(|| "—".to_owned(), |p| format!("{:.1}%", p * 100.0))
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn kpi(
    desk: &Desk,
    out: &mut Out,
    from: &str,
    to: Option<&str>,
    by: &str,
    xlsx: Option<&std::path::Path>,
    csv: Option<&std::path::Path>,
    now: DateTime<Utc>,
) -> Result<()> {
    let from = date("from", from)?;
    let to = to.map(|t| date("to", t)).transpose()?.unwrap_or(from);
    let by_day = match by {
        "agent" => xlsx.is_some() || csv.is_some(),
        "day" => true,
        other => return Err(Error::Usage(format!("--by {other:?}: use agent or day"))),
    };
    let view = desk.kpi(from, to, by_day, now).await?;
    for path in [xlsx, csv].into_iter().flatten() {
        desk.export_kpi(&view, path)?;
    }
    out.emit(&view, |w| {
        let r = &view.report;
        writeln!(
            w,
            "{} – {}{}",
            r.period.from,
            r.period.to,
            if r.provisional {
                " (provisional: conversions may still rise)"
            } else {
                ""
            }
        )?;
        writeln!(
            w,
            "{:<12} {:>8} {:>8} {:>9} {:>7} {:>12} {:>9} {:>8}",
            "agent", "received", "inquired", "paid conv", "replied", "sales", "1st resp", "refunds"
        )?;
        let team = r.team.iter().map(|f| ("(team)".to_owned(), f));
        for (a, f) in r.agents.iter().map(|(a, f)| (a.clone(), f)).chain(team) {
            writeln!(
                w,
                "{:<12} {:>8} {:>8} {:>9} {:>7} {:>12} {:>9} {:>8}",
                a,
                f.received,
                f.inquired,
                percent(f.rates.pay_conversion[2]),
                percent(f.rates.reply_rate),
                kefu_core::Fen(f.sales.0).to_string(),
                f.rates
                    .first_response_secs
                    .map_or("—".to_owned(), |s| format!("{s:.0}")),
                percent(f.rates.refund_rate),
            )?;
        }
        if let (Some(silent), Some(shop)) = (r.silent_sales, r.shop_sales) {
            writeln!(w, "silent sales {silent}, shop sales {shop}")?;
        }
        for d in &view.days {
            let who = if d.agent.is_empty() {
                "(team)"
            } else {
                d.agent.as_str()
            };
            writeln!(
                w,
                "{} {:<12} 接待 {} 销售额 {}",
                d.day, who, d.figures.received, d.figures.sales
            )?;
        }
        Ok(())
    })
}

/// A message the chat system saw: the buyer's, or the agent's signed in here.
pub(super) async fn message(
    desk: &Desk,
    out: &mut Out,
    nick: &str,
    from: &str,
    text: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    let by_agent = match from {
        "buyer" => false,
        "agent" => true,
        other => {
            return Err(Error::Usage(format!(
                "--from {other:?}: use buyer or agent"
            )))
        }
    };
    let _recorded: () = desk.report_message(nick, by_agent, text, now).await?.value;
    out.emit(&serde_json::json!({ "recorded": true, "at": now }), |w| {
        writeln!(w, "recorded")
    })
}
