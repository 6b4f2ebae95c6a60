//! The shift schedule (排班) from the command line: the same operations as the window's
//! schedule view. Writes name the week's version they were made on (`--version`, as `week`
//! prints it); without it they apply to the week as it stands.

use chrono::{DateTime, NaiveDate, Utc};
use clap::Subcommand;
use kefu_core::shifts::{ExtraShifts, PeakDay, Week};

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
    /// Add a shift template or change its times (HH:MM, shop time; 24:00 ends at midnight)
    Template {
        name: String,
        start: String,
        end: String,
    },
    /// Mark a day an agent cannot work (请假); --undo takes it back
    TimeOff {
        agent: String,
        #[arg(value_parser = date)]
        date: NaiveDate,
        #[arg(long)]
        undo: bool,
    },
    /// Put an agent on a shift
    Assign(ShiftArgs),
    /// Take an agent off a shift
    Clear(ShiftArgs),
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
    /// Name a peak day (双11, 618, …): more demand that day, extra agents on templates
    Peak {
        #[arg(value_parser = date)]
        date: NaiveDate,
        name: String,
        /// Arrivals times this
        #[arg(long, default_value_t = 1.0)]
        multiplier: f64,
        /// Plus this many arrivals each half hour
        #[arg(long, default_value_t = 0.0)]
        added: f64,
        /// TEMPLATE:COUNT more agents than the demand asks for (repeatable)
        #[arg(long, value_parser = extra)]
        extra: Vec<ExtraShifts>,
    },
    /// Remove a peak day
    Unpeak {
        #[arg(value_parser = date)]
        date: NaiveDate,
    },
    /// One's own published shifts, this week and next
    Mine,
    /// 交接班: pass one's open conversations and follow-ups to the next shift
    Handover {
        /// For the receivers
        #[arg(long, value_name = "TEXT", default_value = "")]
        note: String,
        /// Show who would receive what, and write nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Handovers received in the last day
    Handovers,
    /// Who keeps the published shifts now: on shift, late, gone, online off shift
    Adherence,
    /// Give follow-ups of buyers nobody serves to the agents on shift now
    SplitFollowups,
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

#[derive(Debug, clap::Args)]
pub(super) struct ShiftArgs {
    agent: String,
    #[arg(value_parser = date)]
    date: NaiveDate,
    template: String,
    /// The week's version this is made on
    #[arg(long)]
    version: Option<i64>,
}

fn extra(raw: &str) -> std::result::Result<ExtraShifts, String> {
    let (template, count) = raw
        .rsplit_once(':')
        .ok_or_else(|| format!("{raw:?} is not TEMPLATE:COUNT"))?;
    let count = count
        .trim()
        .parse()
        .map_err(|_| format!("{raw:?}: the count is not a number"))?;
    Ok(ExtraShifts {
        template: template.trim().to_owned(),
        count,
    })
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
    // Assign and Clear differ only in which way the shift goes.
    let on = matches!(action, Schedule::Assign(_));
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
        Schedule::Template { name, start, end } => {
            let t = kefu_core::shifts::ShiftTemplate::new(&name, &start, &end)?;
            let week = this_week(None);
            let templates = desk
                .save_shift_template(&t, &week, now)
                .await?
                .value
                .templates;
            return out.emit(&templates, |w| {
                for t in &templates {
                    writeln!(w, "{}\t{}–{}", t.name, t.start, t.end)?;
                }
                Ok(())
            });
        }
        Schedule::TimeOff { agent, date, undo } => {
            desk.set_time_off(&agent, date, !undo, now).await?.value
        }
        Schedule::Peak {
            date,
            name,
            multiplier,
            added,
            extra,
        } => {
            let peak = PeakDay {
                date,
                name,
                multiplier,
                added_per_slot: added,
                extra,
            };
            desk.save_peak_day(peak, now).await?.value
        }
        Schedule::Unpeak { date } => desk.remove_peak_day(date, now).await?.value,
        Schedule::Mine => {
            let mine = desk.my_shifts(now).await?;
            return out.emit(&mine, |w| {
                for s in &mine.shifts {
                    writeln!(w, "{}\t{}\t{}–{}", s.date, s.template, s.start, s.end)?;
                }
                Ok(())
            });
        }
        Schedule::Handover { note, dry_run } => {
            if dry_run {
                let plan = desk.handover_plan(now).await?;
                return out.emit(&plan, |w| print_items(w, &plan.items));
            }
            let done = desk.hand_over(&note, now).await?.value;
            return out.emit(&done, |w| print_items(w, &done.items));
        }
        Schedule::Handovers => {
            let got = desk.handovers_received(now).await?;
            return out.emit(&got, |w| {
                for h in &got {
                    writeln!(
                        w,
                        "{}\t{}\t{} items\t{}",
                        h.at,
                        h.from,
                        h.items.len(),
                        h.note
                    )?;
                }
                Ok(())
            });
        }
        Schedule::Adherence => {
            let all = desk.adherence(now).await?;
            return out.emit(&all, |w| {
                for a in &all {
                    let share = a
                        .share()
                        .map_or("-".to_owned(), |s| format!("{:.0}%", s * 100.0));
                    writeln!(w, "{}\t{:?}\t{share}", a.agent, a.attendance)?;
                }
                Ok(())
            });
        }
        Schedule::SplitFollowups => {
            let n = desk.split_unowned_followups(now).await?.value;
            return out.emit(&serde_json::json!({ "given": n }), |w| {
                writeln!(w, "{n} follow-ups given")
            });
        }
        Schedule::Assign(a) | Schedule::Clear(a) => {
            let v = seen(week_of(a.date), a.version).await?;
            desk.set_shift(&a.agent, a.date, &a.template, on, v, now)
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

fn print_items(w: &mut dyn std::io::Write, items: &[kefu_db::HandedItem]) -> std::io::Result<()> {
    for i in items {
        writeln!(w, "{:?}\t{}\t{}\t→ {}", i.kind, i.id, i.buyer_nick, i.to)?;
    }
    Ok(())
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
        for p in &view.peaks {
            writeln!(
                w,
                "peak\t{}\t{}\t×{} +{}",
                p.date, p.name, p.multiplier, p.added_per_slot
            )?;
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
