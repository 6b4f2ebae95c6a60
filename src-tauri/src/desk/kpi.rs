//! 绩效: the figures of a period for whoever may read them (everyone's for a supervisor or
//! the main account, one's own for an agent: kefu-core's `kpi::visible_to`), and the chat
//! system's message reports.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use kefu_core::kpi::{self, Figures, Index, Period, Report, ShiftHours};
use kefu_core::team::Role;
use kefu_core::BuyerNick;
use serde::Serialize;

use super::{Change, Changed, Desk};
use crate::error::Result;

/// A report, and on request the same figures day by day (one row per agent and day, and
/// the team's as agent "").
#[derive(Clone, Debug, Serialize)]
pub struct KpiView {
    #[serde(flatten)]
    pub report: Report,
    pub days: Vec<KpiDay>,
    /// With published shifts: each agent's scheduled time in the period (up to now) and how
    /// much of it the agent was present (kefu-core's `shifts::adherence`).
    pub shifts: BTreeMap<String, ShiftHours>,
}

#[derive(Clone, Debug, Serialize)]
pub struct KpiDay {
    pub day: NaiveDate,
    /// Empty for the team.
    pub agent: String,
    pub figures: Figures,
}

/// The settings 绩效 follows, changed from the settings dialog without a restart.
#[derive(Clone, Copy, Debug)]
pub struct KpiSettings {
    pub rules: kpi::KpiRules,
    /// Reported messages keep their text.
    pub keep_message_text: bool,
}

impl KpiSettings {
    pub fn of(settings: &crate::settings::Settings) -> KpiSettings {
        KpiSettings {
            rules: settings.kpi_rules(),
            keep_message_text: settings.keep_message_text,
        }
    }
}

/// An unpaid order may close days after it was placed: the history read reaches this far
/// beyond the settling window, so a payment in the period finds who served the order.
const ORDER_REACH_DAYS: i64 = 4;

impl Desk {
    /// Who reads the figures here, and as what: the account signed in; a PC on a database
    /// without accounts is the whole shop.
    async fn kpi_reader(&self, now: DateTime<Utc>) -> Result<(String, Role)> {
        match self.account() {
            Ok(a) => Ok((a.name, a.role)),
            Err(e) => {
                if self.db.team(now, &self.team_rules).await?.is_empty() {
                    Ok((self.agent(), Role::Main))
                } else {
                    Err(e)
                }
            }
        }
    }

    /// The figures of `from`..=`to` (shop days) at `now`; with `by_day`, each day's too.
    pub async fn kpi(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        by_day: bool,
        now: DateTime<Utc>,
    ) -> Result<KpiView> {
        let period = Period::new(from, to)?;
        let (reader, role) = self.kpi_reader(now).await?;
        let only = kpi::visible_to(&reader, role);
        let rules = self.kpi_settings().rules;
        let (start, end) = period.bounds(rules.shop_time);
        let margin = rules.settle() + Duration::days(ORDER_REACH_DAYS);
        let (facts, orders) = self.db.kpi_history(start, end, margin).await?;
        let index = Index::new(&facts, &orders, rules);
        let (report, by_days) = index.report_by_day(period, by_day, now, only.as_deref());
        let mut days = Vec::new();
        for (day, r) in period.days().zip(by_days) {
            days.extend(r.team.map(|figures| KpiDay {
                day,
                agent: String::new(),
                figures,
            }));
            days.extend(r.agents.into_iter().map(|(agent, figures)| KpiDay {
                day,
                agent,
                figures,
            }));
        }
        let shifts = self
            .kpi_shifts(start, end.min(now), only.as_deref())
            .await?;
        Ok(KpiView {
            report,
            days,
            shifts,
        })
    }

    /// Scheduled and present time of each agent with published shifts in `from`..`until`
    /// (only `only`'s, for an agent).
    async fn kpi_shifts(
        &self,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
        only: Option<&str>,
    ) -> Result<BTreeMap<String, ShiftHours>> {
        let mut out = BTreeMap::new();
        if until <= from {
            return Ok(out);
        }
        let published = self.db.published_shifts_between(from, until).await?;
        let online = self.db.online_spans(from).await?;
        let mut names: Vec<&str> = published.iter().map(|s| s.agent.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        for name in names.into_iter().filter(|n| only.is_none_or(|me| me == *n)) {
            let mine: Vec<_> = published
                .iter()
                .filter(|s| s.agent == name)
                .cloned()
                .collect();
            let spans: Vec<_> = online
                .iter()
                .filter(|(n, _, _)| n == name)
                .map(|(_, a, b)| (*a, *b))
                .collect();
            let a = kefu_core::shifts::adherence(name, &mine, &spans, false, until);
            out.insert(
                name.to_owned(),
                ShiftHours {
                    scheduled_minutes: a.scheduled_minutes,
                    present_minutes: a.present_minutes,
                    adherence: a.share(),
                },
            );
        }
        Ok(out)
    }

    /// Records a message the shop's chat system reports: the buyer's (`by_agent` false) or
    /// the agent's signed in here. Its text is kept only where the settings say so.
    pub async fn report_message(
        &self,
        nick: &str,
        by_agent: bool,
        text: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Changed<()>> {
        let nick = BuyerNick::parse(nick)?;
        let agent = by_agent.then(|| self.agent());
        let text = text.filter(|_| self.kpi_settings().keep_message_text);
        self.db
            .report_message(&nick, agent.as_deref(), now, text)
            .await?;
        Ok(Changed::one((), Change::Kpi))
    }
}

impl KpiView {
    /// The report as spreadsheet rows: each agent, then the team (团队).
    pub fn sheets(&self) -> kefu_import::kpi::KpiSheets<'_> {
        let r = &self.report;
        let name = |a: &str| {
            if a.is_empty() {
                "团队".to_owned()
            } else {
                a.to_owned()
            }
        };
        kefu_import::kpi::KpiSheets {
            title: format!(
                "{} 至 {} · 业绩判定：{}",
                r.period.from,
                r.period.to,
                match r.attribution {
                    kpi::Attribution::Order => "下单判定",
                    kpi::Attribution::Payment => "付款判定",
                    kpi::Attribution::OrderFirst => "下单优先",
                }
            ),
            summary: r
                .agents
                .iter()
                .map(|(a, f)| (a.clone(), f))
                .chain(r.team.iter().map(|f| ("团队".to_owned(), f)))
                .collect(),
            days: self
                .days
                .iter()
                .map(|d| (d.day, name(&d.agent), &d.figures))
                .collect(),
            silent_sales: r.silent_sales.map(|f| f.0),
            shop_sales: r.shop_sales.map(|f| f.0),
            provisional: r.provisional,
            shifts: &self.shifts,
        }
    }
}

impl Desk {
    /// Writes a report to `path` as .xlsx or CSV (UTF-8 with BOM) by its extension, whole
    /// or not at all (a temporary file renamed).
    pub fn export_kpi(&self, view: &KpiView, path: &std::path::Path) -> Result<()> {
        let xlsx = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
        let sheets = view.sheets();
        let bytes = if xlsx {
            kefu_import::kpi::write_xlsx(&sheets)?
        } else {
            kefu_import::kpi::write_csv(&sheets)?
        };
        let io = |e: std::io::Error| crate::error::Error::Io(format!("{}: {e}", path.display()));
        let tmp = path.with_extension("part");
        std::fs::write(&tmp, &bytes).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    }
}
