//! The stored agenda: planning follow-ups from the orders, announcing each once, snooze and
//! done. The rules are kefu-core's; this is where they meet the rows.

mod due;
mod plan;
mod queries;

use chrono::{DateTime, Duration, Utc};
use kefu_core::agenda::{self, Kind, Urgency};
pub use kefu_core::agenda::{OVERDUE_AFTER_MINUTES, UPCOMING_HOURS};
use kefu_core::followups::ChaseStep;
use kefu_core::{Fen, ShopTime};
use serde::Serialize;

pub use due::Fired;
pub(crate) use plan::{
    assign_owners, assign_owners_of_new, followup_values, new_buyer_plan_rows, plan,
    plan_new_buyer, write, write_changes, Known, Plans, ToPlan, FOLLOWUP_COLUMNS,
};

use crate::rows::at as time;
use crate::{Error, Result};

/// Shop time of the rules (quiet hours, "tomorrow 09:00"): Taobao shops keep Beijing time.
pub const SHOP_TIME: ShopTime = ShopTime::SHANGHAI;

const ROWS_PER_STATEMENT: usize = 2_000;

/// A follow-up on the agenda.
/// Whose follow-ups a query takes, its one statement in SQL: with an agent (bound at
/// `param`), that agent's and those nobody owns yet, the follow-ups an agent's agenda lists
/// and its PC announces (kefu-core's `check_followup_action` says the same for acting on
/// one); with `None`, everyone's. Two plain forms rather than `$n IS NULL OR …`, so that the
/// planner can seek an index by owner; `None` still names the parameter, which is bound.
pub(crate) fn owned_by(owner: Option<&str>, param: &str) -> String {
    match owner {
        Some(_) => format!("AND owner IN ('', {param})"),
        None => format!("AND {param} = {param}"),
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FollowUp {
    pub id: i64,
    pub kind: Kind,
    /// What the agenda calls the kind (催付, 发货回访, …).
    pub label: &'static str,
    pub step: Option<ChaseStep>,
    pub nick: String,
    pub orders: Vec<String>,
    pub amount: Fen,
    /// When it needs the agent: the due time, or the end of a snooze.
    pub due_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub owner: String,
    pub note: String,
    pub announced: bool,
    pub snoozed_until: Option<DateTime<Utc>>,
    pub urgency: Urgency,
    /// Ready to copy into the chat.
    pub text: String,
}

/// The agenda at a moment: overdue and due most urgent first, upcoming soonest first.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Agenda {
    pub at: Option<DateTime<Utc>>,
    pub overdue: Vec<FollowUp>,
    pub due: Vec<FollowUp>,
    pub upcoming: Vec<FollowUp>,
    /// How many each list holds in all: the lists stop at a page, the counts do not.
    pub counts: AgendaCounts,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AgendaCounts {
    pub overdue: i64,
    pub due: i64,
    pub upcoming: i64,
}

#[derive(sqlx::FromRow)]
pub(crate) struct FollowUpRow {
    id: i64,
    buyer_nick: String,
    kind: String,
    step: Option<String>,
    orders: String,
    amount_fen: i64,
    wake_at: i64,
    expires_at: Option<i64>,
    owner: String,
    note: String,
    announced_at: Option<i64>,
    snoozed_until: Option<i64>,
}

impl FollowUpRow {
    pub(crate) fn into_follow_up(self, now: DateTime<Utc>) -> Result<FollowUp> {
        let kind = Kind::parse(&self.kind)
            .map_err(|_| Error::Corrupt(format!("followups.kind = {}", self.kind)))?;
        let due_at = time(self.wake_at)?;
        let expires_at = self.expires_at.map(time).transpose()?;
        Ok(FollowUp {
            id: self.id,
            kind,
            label: kind.label(),
            step: self
                .step
                .as_deref()
                .map(|raw| {
                    ChaseStep::parse(raw)
                        .map_err(|_| Error::Corrupt(format!("followups.step = {raw}")))
                })
                .transpose()?,
            text: agenda::message(kind, &self.buyer_nick, expires_at, SHOP_TIME),
            nick: self.buyer_nick,
            orders: self
                .orders
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            amount: Fen(self.amount_fen),
            due_at,
            expires_at,
            owner: self.owner,
            note: self.note,
            announced: self.announced_at.is_some(),
            snoozed_until: self.snoozed_until.map(time).transpose()?,
            urgency: agenda::urgency(due_at, now, Duration::minutes(OVERDUE_AFTER_MINUTES)),
        })
    }
}
