//! The shift schedule (排班): the supervisor plans a week, sees its coverage and warnings,
//! takes a suggestion and publishes. Planning is a supervisor's or the main account's
//! (checked here through the core, whatever called it); every account sees the week.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use kefu_core::shifts::{
    self, DemandSource, PeakDay, Roster, Shift, ShiftRules, ShiftTemplate, ShortSlot, Staffing,
    Suggestion, TimeOff, Warning, Week,
};
use kefu_core::team::{self, Action};
use kefu_db::{WeekChange, WeekPlan};
use serde::Serialize;

use super::{Change, Changed, Desk};
use crate::error::{Error, Result};

/// The shop's zone: kefu-db reads exports in it too.
pub(super) const SHOP: kefu_core::ShopTime = kefu_db::SHOP_TIME;

/// A week as the grid shows it: the draft, its warnings, and coverage against demand.
#[derive(Clone, Debug, Serialize)]
pub struct WeekView {
    #[serde(flatten)]
    pub plan: WeekPlan,
    pub published: bool,
    pub templates: Vec<ShiftTemplate>,
    /// The team that can be planned: sub-accounts and supervisors.
    pub agents: Vec<String>,
    pub warnings: Vec<Warning>,
    pub demand: Demand,
    /// Per hour of the week (168): agents needed and agents scheduled.
    pub needed_by_hour: Vec<u32>,
    pub scheduled_by_hour: Vec<u32>,
    pub short: Vec<ShortSlot>,
    /// The week's peak days (双11, 618, …), by date.
    pub peaks: Vec<PeakDay>,
    /// Days agents cannot work (请假, 调休).
    pub time_off: Vec<TimeOff>,
}

/// Where the week's need comes from.
#[derive(Clone, Debug, Serialize)]
pub struct Demand {
    /// Conversations, or orders as a stand-in; `None` with too little history.
    pub source: Option<DemandSource>,
    /// Complete weeks of history averaged.
    pub weeks: u32,
    /// Why there is no need to plan against, if there is none.
    pub missing: Option<String>,
    pub handling_seconds: f64,
    /// Conversations the handling time was measured on (0: the setting).
    pub handling_measured: usize,
}

/// A suggestion next to the current draft.
#[derive(Clone, Debug, Serialize)]
pub struct Suggested {
    pub suggestion: Suggestion,
    pub current_hours: f64,
    /// Whether it was taken into the draft (`--apply`).
    pub applied: Option<WeekPlan>,
}

/// The week whose Monday is on or before `date`.
pub fn week_of(date: NaiveDate) -> Week {
    Week::containing(date, SHOP)
}

impl Desk {
    pub(super) fn may_plan(&self) -> Result<String> {
        let me = self.account()?;
        team::allowed(me.role, Action::Schedule)?;
        Ok(me.name)
    }

    pub async fn shift_templates(&self) -> Result<Vec<ShiftTemplate>> {
        Ok(self.db.shift_templates().await?)
    }

    /// The week with its warnings and coverage; anyone signed in may look.
    pub async fn week(&self, week: &Week, now: DateTime<Utc>) -> Result<WeekView> {
        self.account()?;
        let plan = self.db.week_plan(week).await?;
        self.view(week, plan, now).await
    }

    async fn view(&self, week: &Week, plan: WeekPlan, now: DateTime<Utc>) -> Result<WeekView> {
        let templates = self.db.shift_templates().await?;
        let team = self.db.team(now, &self.team_rules).await?;
        let agents: Vec<String> = team
            .iter()
            .filter(|m| m.agent.role != team::Role::Main)
            .map(|m| m.agent.name.clone())
            .collect();
        let time_off = self.db.time_off(week).await?;
        let warnings = shifts::check(&plan.shifts, &time_off, &ShiftRules::default(), SHOP);
        let peaks = self.week_peaks(week).await?;
        let (need, demand) = self.need(week, &templates, &team, &peaks, now).await?;
        let coverage = shifts::coverage(week, &need, &plan.shifts);
        let (needed_by_hour, scheduled_by_hour) = coverage.hourly();
        Ok(WeekView {
            published: plan.is_published(),
            short: coverage.short(week),
            plan,
            templates,
            agents,
            warnings,
            demand,
            needed_by_hour,
            scheduled_by_hour,
            peaks,
            time_off,
        })
    }

    /// Agents needed per half hour of `week`, from the last 8 weeks of conversations (or
    /// orders, for a shop with little chat history).
    async fn need(
        &self,
        week: &Week,
        templates: &[ShiftTemplate],
        team: &[kefu_db::TeamMember],
        peaks: &[PeakDay],
        now: DateTime<Utc>,
    ) -> Result<(Vec<u32>, Demand)> {
        let from = week.start() - Duration::weeks(9);
        let staffing = Staffing::default();
        let spans = self.db.conversation_spans(from, now).await?;
        let handling = shifts::handling_time(&spans, staffing.fallback_handling_seconds);
        let chats = self.db.conversations_started(from, now).await?;
        let (events, source) = if chats.len() >= 100 {
            (chats, DemandSource::Conversations)
        } else {
            (
                self.db.orders_placed(from, now).await?,
                DemandSource::Orders,
            )
        };
        let demand = |source, weeks, missing| Demand {
            source,
            weeks,
            missing,
            handling_seconds: handling.seconds,
            handling_measured: handling.measured,
        };
        let arrivals = match shifts::arrivals(&events, source, now, SHOP) {
            Ok(a) => a,
            Err(short) => {
                return Ok((
                    vec![0; shifts::SLOTS_PER_WEEK],
                    demand(None, short.weeks, Some(short.to_string())),
                ))
            }
        };
        let loads: Vec<u32> = team
            .iter()
            .filter(|m| m.agent.role != team::Role::Main)
            .map(|m| m.agent.max_load)
            .collect();
        let max_load = median(loads).unwrap_or(1).max(1);
        let need = shifts::week_need(
            &arrivals, week, peaks, handling, max_load, &staffing, templates,
        )?;
        Ok((need, demand(Some(source), arrivals.weeks, None)))
    }

    async fn week_peaks(&self, week: &Week) -> Result<Vec<PeakDay>> {
        Ok(self.db.peak_days(week.monday(), week.date(6)).await?)
    }

    /// Marks (or with `off` false, takes back) a day `agent` cannot work; the rule checker
    /// warns of a shift on it and the suggestion leaves it free.
    pub async fn set_time_off(
        &self,
        agent: &str,
        date: NaiveDate,
        off: bool,
        now: DateTime<Utc>,
    ) -> Result<Changed<WeekView>> {
        self.may_plan()?;
        if off {
            self.db.add_time_off(agent, date).await?;
        } else {
            self.db.remove_time_off(agent, date).await?;
        }
        Ok(Changed::one(
            self.week(&week_of(date), now).await?,
            Change::Schedule,
        ))
    }

    /// Adds a shift template or changes the times of one (shifts already planned keep
    /// theirs); returns `week` as it now reads, templates included.
    pub async fn save_shift_template(
        &self,
        t: &ShiftTemplate,
        week: &Week,
        now: DateTime<Utc>,
    ) -> Result<Changed<WeekView>> {
        self.may_plan()?;
        self.db.save_shift_template(t).await?;
        Ok(Changed::one(self.week(week, now).await?, Change::Schedule))
    }

    /// Saves a peak day (replacing one of its date): the need of its week follows.
    pub async fn save_peak_day(
        &self,
        peak: PeakDay,
        now: DateTime<Utc>,
    ) -> Result<Changed<WeekView>> {
        self.may_plan()?;
        shifts::check_peak(&peak, &self.db.shift_templates().await?)?;
        self.db.save_peak_day(&peak).await?;
        let week = week_of(peak.date);
        Ok(Changed::one(self.week(&week, now).await?, Change::Schedule))
    }

    pub async fn remove_peak_day(
        &self,
        date: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Changed<WeekView>> {
        self.may_plan()?;
        if !self.db.remove_peak_day(date).await? {
            return Err(Error::Db(kefu_db::Error::NotFound(format!(
                "peak day {date}"
            ))));
        }
        Ok(Changed::one(
            self.week(&week_of(date), now).await?,
            Change::Schedule,
        ))
    }

    /// Puts an agent on a shift (`template` on `date`), or with `on` false takes it off,
    /// if the week is still at `seen_version`.
    pub async fn set_shift(
        &self,
        agent: &str,
        date: NaiveDate,
        template: &str,
        on: bool,
        seen_version: i64,
        now: DateTime<Utc>,
    ) -> Result<Changed<WeekView>> {
        self.may_plan()?;
        let week = week_of(date);
        let change = if on {
            let templates = self.db.shift_templates().await?;
            let t = templates
                .iter()
                .find(|t| t.name == template)
                .ok_or_else(|| Error::Db(kefu_db::Error::NotFound(format!("shift {template}"))))?;
            WeekChange::Assign(vec![Shift::new(agent, date, t, SHOP)])
        } else {
            WeekChange::Clear {
                agent: agent.to_owned(),
                date,
                template: template.to_owned(),
            }
        };
        let plan = self.db.change_week(&week, seen_version, &change).await?;
        Ok(Changed::one(
            self.view(&week, plan, now).await?,
            Change::Schedule,
        ))
    }

    /// The week's draft becomes last week's shifts, a week later.
    pub async fn copy_last_week(
        &self,
        week: &Week,
        seen_version: i64,
        now: DateTime<Utc>,
    ) -> Result<Changed<WeekView>> {
        self.may_plan()?;
        let last = week_of(week.monday() - Duration::days(7));
        let templates = self.db.shift_templates().await?;
        let copied: Vec<Shift> = self
            .db
            .week_plan(&last)
            .await?
            .shifts
            .iter()
            .filter_map(|s| {
                let t = templates.iter().find(|t| t.name == s.template)?;
                Some(Shift::new(&s.agent, s.date + Duration::days(7), t, SHOP))
            })
            .collect();
        let plan = self
            .db
            .change_week(week, seen_version, &WeekChange::Replace(copied))
            .await?;
        Ok(Changed::one(
            self.view(week, plan, now).await?,
            Change::Schedule,
        ))
    }

    /// The suggested week for the shop's demand, next to the draft; with `apply_at` (the
    /// version seen) it becomes the draft.
    pub async fn suggest_week(
        &self,
        week: &Week,
        apply_at: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<Changed<Suggested>> {
        self.may_plan()?;
        let templates = self.db.shift_templates().await?;
        let team = self.db.team(now, &self.team_rules).await?;
        let peaks = self.week_peaks(week).await?;
        let (need, _) = self.need(week, &templates, &team, &peaks, now).await?;
        let roster = Roster {
            agents: team
                .iter()
                .filter(|m| m.agent.role != team::Role::Main)
                .map(|m| m.agent.name.clone())
                .collect(),
            time_off: self.db.time_off(week).await?,
            fixed: Vec::new(),
        };
        let suggestion = shifts::suggest(week, &need, &roster, &templates, &ShiftRules::default())?;
        let current = self.db.week_plan(week).await?;
        let current_hours = current.shifts.iter().map(|s| s.minutes()).sum::<i64>() as f64 / 60.0;
        let (applied, changes) = match apply_at {
            Some(seen) => {
                let change = WeekChange::Replace(suggestion.shifts.clone());
                let plan = self.db.change_week(week, seen, &change).await?;
                (Some(plan), vec![Change::Schedule])
            }
            None => (None, Vec::new()),
        };
        Ok(Changed::new(
            Suggested {
                suggestion,
                current_hours,
                applied,
            },
            changes,
        ))
    }

    /// Publishes the week's draft (see `shifts::check_publishable`): routing follows it from
    /// now on.
    pub async fn publish_week(
        &self,
        week: &Week,
        seen_version: i64,
        despite_warnings: bool,
        now: DateTime<Utc>,
    ) -> Result<Changed<WeekView>> {
        let me = self.may_plan()?;
        let plan = self.db.week_plan(week).await?;
        let time_off = self.db.time_off(week).await?;
        let warnings = shifts::check(&plan.shifts, &time_off, &ShiftRules::default(), SHOP);
        shifts::check_publishable(&warnings, despite_warnings)?;
        let plan = self.db.publish_week(week, seen_version, &me, now).await?;
        Ok(Changed::one(
            self.view(week, plan, now).await?,
            Change::Schedule,
        ))
    }
}

fn median(mut v: Vec<u32>) -> Option<u32> {
    v.sort_unstable();
    v.get(v.len() / 2).copied()
}
