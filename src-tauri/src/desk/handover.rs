//! The change of shift as the agents live it: 交接班 (the leaving agent's open
//! conversations and follow-ups pass, balanced, to the agents of the next shift, with a
//! note) and follow-ups of buyers nobody serves split among the agents on shift. Who gets
//! what is kefu-core's (`shifts::successors`, `shifts::balance`).

use chrono::{DateTime, Duration, Utc};
use kefu_core::shifts::{self, Shift};
use kefu_core::team::Duty;
use kefu_db::{Handed, HandedItem, Handover};
use serde::Serialize;

use super::{Change, Changed, Desk};
use crate::error::Result;

/// Handovers received are shown this long.
const RECEIVED_FOR_HOURS: i64 = 24;

/// Follow-ups split per step at most: a shop's backlog is split over a few steps, each a
/// short transaction.
const SPLIT_AT_ONCE: i64 = 500;

/// What a handover would pass now, and to whom: what the leaving agent sees before it
/// confirms.
#[derive(Clone, Debug, Serialize)]
pub struct HandoverPlan {
    pub shift: Shift,
    /// The agents on shift when this one ends; empty when nobody is (then nothing passes).
    pub receivers: Vec<String>,
    pub items: Vec<HandedItem>,
}

impl Desk {
    /// The handover the signed-in agent would make now (nothing is written).
    pub async fn handover_plan(&self, now: DateTime<Utc>) -> Result<HandoverPlan> {
        let me = self.account()?;
        let mine = self
            .db
            .published_shifts_between(now - Duration::days(2), now + Duration::days(1))
            .await?
            .into_iter()
            .filter(|s| s.agent == me.name)
            .collect::<Vec<_>>();
        let shift = shifts::leaving_shift(&mine, now)?.clone();
        let receivers = shifts::successors(
            &shift,
            &self
                .db
                .published_shifts_between(shift.end, shift.end + Duration::seconds(1))
                .await?,
        );
        let team = self.db.team(now, &self.team_rules).await?;
        let load = |name: &str| {
            team.iter()
                .find(|m| m.agent.name == name)
                .map_or(0, |m| m.agent.load)
        };
        let holding = self.db.holding(&me.name).await?;
        let by_load: Vec<(String, u32)> = receivers.iter().map(|r| (r.clone(), load(r))).collect();
        let (talks, followups) =
            shifts::hand_out(holding.conversations, holding.followups, &by_load);
        let item = |kind| {
            move |((id, buyer_nick), to): ((i64, String), String)| HandedItem {
                kind,
                id,
                buyer_nick,
                to,
            }
        };
        let mut items: Vec<HandedItem> =
            talks.into_iter().map(item(Handed::Conversation)).collect();
        items.extend(followups.into_iter().map(item(Handed::Followup)));
        Ok(HandoverPlan {
            shift,
            receivers,
            items,
        })
    }

    /// Hands the signed-in agent's work over to the next shift, with `note` for the
    /// receivers. Refused when there is nobody to receive it.
    pub async fn hand_over(&self, note: &str, now: DateTime<Utc>) -> Result<Changed<Handover>> {
        let note = shifts::handover_note(note)?;
        let plan = self.handover_plan(now).await?;
        if plan.receivers.is_empty() {
            return Err(crate::error::Error::Usage(format!(
                "handover: nobody is on a published shift at {} to receive the work",
                kefu_db::SHOP_TIME
                    .local(plan.shift.end)
                    .format("%m/%d %H:%M")
            )));
        }
        let me = self.account()?;
        let done = self.db.hand_over(&me, &note, &plan.items, now).await?;
        Ok(Changed::new(done, vec![Change::Team, Change::Agenda]))
    }

    /// Handovers the signed-in agent received in the last day, newest first.
    pub async fn handovers_received(&self, now: DateTime<Utc>) -> Result<Vec<Handover>> {
        let me = self.account()?;
        Ok(self
            .db
            .handovers_to(&me.name, now - Duration::hours(RECEIVED_FOR_HOURS))
            .await?)
    }

    /// Gives follow-ups of buyers nobody serves to the agents on shift, balanced by what
    /// each already owns. Nothing while no published schedule puts anyone on shift.
    pub async fn split_unowned_followups(&self, now: DateTime<Utc>) -> Result<Changed<u64>> {
        let team = self.db.team(now, &self.team_rules).await?;
        let on_shift: Vec<&str> = team
            .iter()
            .filter(|m| m.agent.duty == Duty::OnShift)
            .map(|m| m.agent.name.as_str())
            .collect();
        if on_shift.is_empty() {
            return Ok(Changed::none(0));
        }
        let unowned = self.db.unowned_followups(SPLIT_AT_ONCE).await?;
        if unowned.is_empty() {
            return Ok(Changed::none(0));
        }
        let owned = self.db.open_followups_by_owner().await?;
        let receivers: Vec<(String, u32)> = on_shift
            .iter()
            .map(|name| {
                let n = owned.iter().find(|(o, _)| o == name).map_or(0, |(_, n)| *n);
                (name.to_string(), u32::try_from(n).unwrap_or(u32::MAX))
            })
            .collect();
        let given: Vec<(i64, String)> = shifts::balance(unowned, &receivers)
            .into_iter()
            .map(|((id, _), to)| (id, to))
            .collect();
        let n = self.db.give_unowned_followups(&given).await?;
        let changes = if n > 0 {
            vec![Change::Agenda]
        } else {
            Vec::new()
        };
        Ok(Changed::new(n, changes))
    }
}
