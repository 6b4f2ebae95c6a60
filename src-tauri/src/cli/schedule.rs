//! The shift schedule (排班) from the command line: the same operations as the window's
//! schedule view. Writes name the week's version they were made on (`--version`, as `week`
//! prints it); without it they apply to the week as it stands.

use chrono::{DateTime, NaiveDate, Utc};
use clap::Subcommand;
use kefu_core::shifts::Week;

use super::Out;
use crate::desk::{week_of, Desk, WeekView};
use crate::error::{Error, Result};

#[derive(Debug, Subcommand)]
pub(super) enum Schedule {
    /// The shift templates (班次)
    Templates,
    /// A week: the draft, its warnings and the hours short of demand
    Week {
        /// Any date of the week (YYYY-MM-DD); default this week
        #[arg(long, value_parser = date)]
        week: Option<NaiveDate>,
    },
    /// Put an agent on a shift
    Assign {
        agent: String,
        #[arg(value_parser = date)]
        date: NaiveDate,
        template: String,
        /// The week's version this is made on
        #[arg(long)]
        version: Option<i64>,
    },
    /// Take an agent off a shift
    Clear {
        agent: String,
        #[arg(value_parser = date)]
        date: NaiveDate,
        template: String,
        #[arg(long)]
        version: Option<i64>,
    },
    /// The week's draft becomes last week's shifts
    CopyLastWeek {
        #[arg(long, value_parser = date)]
        week: Option<NaiveDate>,
        #[arg(long)]
        version: Option<i64>,
    },
    /// The suggested week for the shop's demand, beside the draft
    Suggest {
        #[arg(long, value_parser = date)]
        week: Option<NaiveDate>,
        /// Make it the draft
        #[arg(long)]
        apply: bool,
        #[arg(long)]
        version: Option<i64>,
    },
    /// Publish the week's draft: routing follows it from then on
    Publish {
        #[arg(long, value_parser = date)]
        week: Option<NaiveDate>,
        #[arg(long)]
        version: Option<i64>,
        /// Publish although the rule checker warns
        #[arg(long)]
        despite_warnings: bool,
    },
}

fn date(raw: &str) -> std::result::Result<NaiveDate, String> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{raw:?} is not a date (YYYY-MM-DD)"))
}

pub(super) async fn schedule(
    desk: &Desk,
    out: &mut Out,
    action: Schedule,
    now: DateTime<Utc>,
) -> Result<()> {
    let this_week = |d: Option<NaiveDate>| {
        week_of(d.unwrap_or_else(|| kefu_db::SHOP_TIME.local(now).date_naive()))
    };
    // Without --version a write applies to the week as it stands now.
    let seen = |week: Week, v: Option<i64>| async move {
        match v {
            Some(v) => Ok::<i64, Error>(v),
            None => Ok(desk.week(&week, now).await?.plan.version),
        }
    };
    let view = match action {
        Schedule::Templates => {
            let templates = desk.shift_templates().await?;
            return out.emit(&templates, |w| {
                for t in &templates {
                    writeln!(w, "{}\t{}–{}", t.name, t.start, t.end)?;
                }
                Ok(())
            });
        }
        Schedule::Week { week } => desk.week(&this_week(week), now).await?,
        Schedule::Assign {
            agent,
            date,
            template,
            version,
        } => {
            let v = seen(week_of(date), version).await?;
            desk.assign_shift(&agent, date, &template, v, now)
                .await?
                .value
        }
        Schedule::Clear {
            agent,
            date,
            template,
            version,
        } => {
            let v = seen(week_of(date), version).await?;
            desk.clear_shift(&agent, date, &template, v, now)
                .await?
                .value
        }
        Schedule::CopyLastWeek { week, version } => {
            let week = this_week(week);
            let v = seen(week, version).await?;
            desk.copy_last_week(&week, v, now).await?.value
        }
        Schedule::Suggest {
            week,
            apply,
            version,
        } => {
            let week = this_week(week);
            let apply_at = match apply {
                true => Some(seen(week, version).await?),
                false => None,
            };
            let s = desk.suggest_week(&week, apply_at, now).await?.value;
            return out.emit(&s, |w| {
                let g = &s.suggestion;
                writeln!(
                    w,
                    "suggested: {} shifts, {:.1} agent-hours (lower bound {:.1}); draft {:.1} h{}",
                    g.shifts.len(),
                    g.agent_hours,
                    g.lower_bound_hours,
                    s.current_hours,
                    if s.applied.is_some() { "; applied" } else { "" }
                )?;
                for short in &g.short {
                    writeln!(
                        w,
                        "short\t{}\t{} of {}",
                        short.start, short.scheduled, short.needed
                    )?;
                }
                for shift in &g.shifts {
                    writeln!(w, "{}\t{}\t{}", shift.date, shift.template, shift.agent)?;
                }
                Ok(())
            });
        }
        Schedule::Publish {
            week,
            version,
            despite_warnings,
        } => {
            let week = this_week(week);
            let v = seen(week, version).await?;
            desk.publish_week(&week, v, despite_warnings, now)
                .await?
                .value
        }
    };
    print_week(out, &view)
}

fn print_week(out: &mut Out, view: &WeekView) -> Result<()> {
    out.emit(view, |w| {
        let p = &view.plan;
        writeln!(
            w,
            "week of {} · version {} · {}",
            p.monday,
            p.version,
            if view.published {
                "published"
            } else if p.published_version.is_some() {
                "draft (changed since published)"
            } else {
                "draft"
            }
        )?;
        for s in &p.shifts {
            writeln!(w, "{}\t{}\t{}", s.date, s.template, s.agent)?;
        }
        for warning in &view.warnings {
            writeln!(w, "warning\t{}", warning.message)?;
        }
        match &view.demand.missing {
            Some(why) => writeln!(w, "demand\t{why}")?,
            None => writeln!(w, "short\t{} half-hours below need", view.short.len())?,
        }
        Ok(())
    })
}
