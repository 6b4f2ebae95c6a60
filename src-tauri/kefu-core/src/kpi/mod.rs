//! 绩效: the team's figures as Taobao/Tmall shop teams define them, folded from append-only
//! facts (a buyer received, greeted, transferred, closed; a chase announced; the buyer's and
//! the agent's messages where the chat system reports them) and the imported orders. Pure:
//! the period and `now` are passed in. Every formula is written once, in `figures.rs`, and
//! in the README's 绩效 section.

mod figures;
mod index;
#[cfg(feature = "sample")]
pub mod sample;
#[cfg(test)]
mod tests;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::team::{allowed, Action, Role};
use crate::{Fen, ShopTime};

pub use figures::{report, Figures, Rates, Report};
pub use index::Index;

/// What happened, as recorded when it happened; facts are never changed afterwards.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactKind {
    /// The buyer was assigned to `agent` (routed, or handed over by a transfer).
    Received,
    /// `agent` opened the buyer (the window's greeting).
    Greeted,
    /// `agent` handed the buyer to `other`.
    Transferred,
    /// `agent` ended the conversation.
    Closed,
    /// A payment chase of `order` was announced to `agent`.
    Chased,
    /// The buyer wrote (reported by the shop's chat system).
    BuyerMessage,
    /// `agent` wrote to the buyer.
    AgentMessage,
}

impl FactKind {
    pub const ALL: [FactKind; 7] = [
        FactKind::Received,
        FactKind::Greeted,
        FactKind::Transferred,
        FactKind::Closed,
        FactKind::Chased,
        FactKind::BuyerMessage,
        FactKind::AgentMessage,
    ];

    /// The kind as the database stores it (and serde names it).
    pub fn code(self) -> &'static str {
        match self {
            FactKind::Received => "received",
            FactKind::Greeted => "greeted",
            FactKind::Transferred => "transferred",
            FactKind::Closed => "closed",
            FactKind::Chased => "chased",
            FactKind::BuyerMessage => "buyer_message",
            FactKind::AgentMessage => "agent_message",
        }
    }

    pub fn from_code(code: &str) -> Option<FactKind> {
        FactKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact {
    pub at: DateTime<Utc>,
    pub kind: FactKind,
    pub buyer: String,
    /// The agent acting or served; empty for a buyer's message before anyone serves it.
    pub agent: String,
    /// The receiving agent of a transfer.
    #[serde(default)]
    pub other: String,
    /// The order a chase is about.
    #[serde(default)]
    pub order: String,
}

/// An order as the figures need it, from the imports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderFact {
    pub no: String,
    pub buyer: String,
    pub created_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    /// What the buyer pays (postage included), in fen.
    pub amount: Fen,
    /// Closed after payment: refunded.
    pub refunded: bool,
}

/// An agent's published shifts in a period (up to now) and its presence in them.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ShiftHours {
    pub scheduled_minutes: i64,
    pub present_minutes: i64,
    /// 排班遵守率: present ÷ scheduled; `None` without scheduled time.
    pub adherence: Option<f64>,
}

/// Who a paid order's sale is credited to (业绩判定), a shop setting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attribution {
    /// 下单判定: the agent serving the buyer when it placed the order.
    #[default]
    Order,
    /// 付款判定: the agent serving the buyer when it paid.
    Payment,
    /// 下单优先: the agent at the order, or failing one, the agent at the payment.
    OrderFirst,
}

impl Attribution {
    pub fn from_code(raw: &str) -> Option<Attribution> {
        match raw {
            "order" | "下单判定" => Some(Attribution::Order),
            "payment" | "付款判定" => Some(Attribution::Payment),
            "order_first" | "下单优先" => Some(Attribution::OrderFirst),
            _ => None,
        }
    }
}

/// The shop's settings for the figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct KpiRules {
    pub attribution: Attribution,
    /// Days after a reception in which its conversion still counts (最终): the platform
    /// settles after 4. Figures whose window has not closed are provisional.
    pub settle_days: u32,
    /// A response round counts at most this long.
    pub round_cap_minutes: u32,
    /// Rounds are counted when the buyer wrote between these shop hours (from, to).
    pub counted_hours: (u32, u32),
    #[serde(skip)]
    pub shop_time: ShopTime,
}

impl Default for KpiRules {
    fn default() -> Self {
        KpiRules {
            attribution: Attribution::Order,
            settle_days: 4,
            round_cap_minutes: 10,
            counted_hours: (8, 23),
            shop_time: ShopTime::SHANGHAI,
        }
    }
}

impl KpiRules {
    pub fn settle(&self) -> Duration {
        Duration::days(i64::from(self.settle_days))
    }
}

/// A period of whole shop days, `from` to `to` inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    pub fn new(from: NaiveDate, to: NaiveDate) -> crate::Result<Period> {
        if to < from {
            return Err(crate::Error::invalid(
                "period",
                &format!("{from} – {to}"),
                "ends before it starts",
            ));
        }
        if (to - from).num_days() > 366 {
            return Err(crate::Error::invalid(
                "period",
                &format!("{from} – {to}"),
                "longer than a year",
            ));
        }
        Ok(Period { from, to })
    }

    pub fn day(day: NaiveDate) -> Period {
        Period { from: day, to: day }
    }

    pub fn days(&self) -> impl Iterator<Item = NaiveDate> + use<> {
        let to = self.to;
        self.from.iter_days().take_while(move |d| *d <= to)
    }

    /// The period's first and past-the-last instants.
    pub fn bounds(&self, shop: ShopTime) -> (DateTime<Utc>, DateTime<Utc>) {
        (
            start_of(shop, self.from),
            start_of(shop, self.to + Duration::days(1)),
        )
    }
}

/// The instant a shop day starts.
pub fn start_of(shop: ShopTime, day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    shop.from_local(midnight)
        .unwrap_or_else(|| DateTime::from_naive_utc_and_offset(midnight, Utc))
}

/// Longest message text a shop keeps (when it keeps texts at all).
pub const MAX_MESSAGE_CHARS: usize = 2_000;

/// A reported message's text, if it may be kept.
pub fn checked_message(text: &str) -> crate::Result<&str> {
    if text.chars().count() > MAX_MESSAGE_CHARS {
        return Err(crate::Error::invalid(
            "message",
            &text.chars().take(20).collect::<String>(),
            "longer than 2,000 characters",
        ));
    }
    Ok(text)
}

/// Whose figures `viewer` may read: everyone's for a supervisor or the main account, its
/// own for an agent. `None` means everyone.
pub fn visible_to(viewer: &str, role: Role) -> Option<String> {
    allowed(role, Action::SeeTeamKpis)
        .is_err()
        .then(|| viewer.to_owned())
}
