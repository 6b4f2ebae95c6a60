//! Agents and their published shifts: each agent's own this week and next, and for the
//! supervisor who keeps them now (adherence, 出勤).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use kefu_core::shifts::{self, Shift};
use kefu_core::team;
use kefu_db::WeekPlan;
use serde::Serialize;

use super::schedule::{week_of, SHOP};
use super::Desk;
use crate::error::Result;

/// The signed-in account's published shifts, this week and next.
#[derive(Clone, Debug, Serialize)]
pub struct MyShifts {
    pub agent: String,
    /// Monday of this week, then of next week, and whether each is published.
    pub weeks: [(NaiveDate, bool); 2],
    /// By start; a shift of last Sunday night still running counts.
    pub shifts: Vec<Shift>,
}

impl Desk {
    /// The signed-in account's published shifts for this week and next.
    pub async fn my_shifts(&self, now: DateTime<Utc>) -> Result<MyShifts> {
        let me = self.account()?;
        let this = week_of(SHOP.local(now).date_naive());
        let next = week_of(this.monday() + Duration::days(7));
        let published = |plan: WeekPlan| plan.published_version.is_some();
        let weeks = [
            (this.monday(), published(self.db.week_plan(&this).await?)),
            (next.monday(), published(self.db.week_plan(&next).await?)),
        ];
        let shifts = self
            .db
            .published_shifts_between(this.start(), next.end())
            .await?
            .into_iter()
            .filter(|s| s.agent == me.name)
            .collect();
        Ok(MyShifts {
            agent: me.name,
            weeks,
            shifts,
        })
    }

    /// Adherence of every planned agent now (supervisors and the main account): on shift
    /// and present, late, gone, present off shift; and the day's share of scheduled time
    /// spent present.
    pub async fn adherence(&self, now: DateTime<Utc>) -> Result<Vec<shifts::Adherence>> {
        self.may_plan()?;
        let midnight = shifts::local_midnight(SHOP, SHOP.local(now).date_naive());
        let published = self
            .db
            .published_shifts_between(midnight, now + Duration::seconds(1))
            .await?;
        let online = self.db.online_spans(midnight).await?;
        let team = self.db.team(now, &self.team_rules).await?;
        Ok(team
            .iter()
            .filter(|m| m.agent.role != team::Role::Main)
            .map(|m| {
                let name = m.agent.name.as_str();
                let mine: Vec<Shift> = published
                    .iter()
                    .filter(|s| s.agent == name)
                    .cloned()
                    .collect();
                let spans: Vec<_> = online
                    .iter()
                    .filter(|(n, _, _)| n == name)
                    .map(|(_, a, b)| (*a, *b))
                    .collect();
                let present = m.presence != team::AgentState::Offline;
                shifts::adherence(name, &mine, &spans, present, now)
            })
            .collect())
    }
}
