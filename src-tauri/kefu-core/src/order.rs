//! Orders, order numbers, buyer nicks and the five export statuses.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

use crate::error::{Error, Result};
use crate::money::Fen;

/// Strips what spreadsheets and exports wrap around a cell: `="…"` (kept long digit strings
/// intact in Excel), surrounding quotes, a leading apostrophe (phones) and white space.
pub fn unwrap_cell(raw: &str) -> &str {
    // Most cells are bare: nothing to trim or strip at either end (each of an export's
    // twenty cells a row goes through here).
    let bare_start = raw
        .chars()
        .next()
        .is_some_and(|c| !c.is_whitespace() && !matches!(c, '=' | '"' | '\''));
    let bare_end = raw
        .chars()
        .next_back()
        .is_some_and(|c| !c.is_whitespace() && c != '"');
    if bare_start && bare_end {
        return raw;
    }
    unwrap_wrapped(raw)
}

fn unwrap_wrapped(raw: &str) -> &str {
    let mut s = raw.trim();
    if let Some(inner) = s.strip_prefix("=\"").and_then(|r| r.strip_suffix('"')) {
        s = inner.trim();
    }
    if let Some(inner) = s.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        s = inner.trim();
    }
    s.strip_prefix('\'').unwrap_or(s).trim()
}

/// 订单编号: a long digit string. Spreadsheet re-saves may append `.00`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OrderNo(String);

impl OrderNo {
    pub fn parse(raw: &str) -> Result<OrderNo> {
        let s = unwrap_cell(raw);
        let s = match s.split_once('.') {
            Some((digits, zeros)) if zeros.bytes().all(|b| b == b'0') => digits,
            _ => s,
        };
        if s.is_empty() || s.len() > 32 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::invalid("order number", raw, "must be 1–32 digits"));
        }
        Ok(OrderNo(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for OrderNo {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        OrderNo::parse(&s)
    }
}

impl From<OrderNo> for String {
    fn from(n: OrderNo) -> String {
        n.0
    }
}

impl fmt::Display for OrderNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// 买家会员名 / 旺旺ID. Stored verbatim (it is buyer-chosen, hostile text) but never empty,
/// never with control characters and at most 64 characters.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BuyerNick(String);

impl BuyerNick {
    pub fn parse(raw: &str) -> Result<BuyerNick> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(Error::invalid("buyer nick", raw, "is empty"));
        }
        if s.chars().count() > 64 {
            return Err(Error::invalid(
                "buyer nick",
                raw,
                "longer than 64 characters",
            ));
        }
        if s.chars().any(char::is_control) {
            return Err(Error::invalid(
                "buyer nick",
                raw,
                "contains control characters",
            ));
        }
        Ok(BuyerNick(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for BuyerNick {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        BuyerNick::parse(&s)
    }
}

impl From<BuyerNick> for String {
    fn from(n: BuyerNick) -> String {
        n.0
    }
}

impl fmt::Display for BuyerNick {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// 等待买家付款
    AwaitingPayment,
    /// 买家已付款，等待卖家发货
    AwaitingShipment,
    /// 卖家已发货，等待买家确认
    Shipped,
    /// 交易成功
    TradeSuccess,
    /// 交易关闭
    TradeClosed,
}

/// Why a trade closed: before payment (unpaid, by buyer, by agreement, automatically) or
/// after payment (refunded).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CloseReason {
    Unpaid,
    Refunded,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 5] = [
        OrderStatus::AwaitingPayment,
        OrderStatus::AwaitingShipment,
        OrderStatus::Shipped,
        OrderStatus::TradeSuccess,
        OrderStatus::TradeClosed,
    ];

    /// Reads a status as exports and the open platform write it. Full- and half-width
    /// commas and stray spaces are normalised first; the open-platform closed states also
    /// tell the close reason.
    pub fn parse(raw: &str) -> Result<(OrderStatus, Option<CloseReason>)> {
        let norm: String = unwrap_cell(raw)
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| match c {
                '，' | '､' | '、' => ',',
                c => c,
            })
            .collect();
        let parsed = match norm.as_str() {
            "等待买家付款" | "WAIT_BUYER_PAY" => (OrderStatus::AwaitingPayment, None),
            "买家已付款,等待卖家发货"
            | "买家已付款"
            | "等待卖家发货"
            | "WAIT_SELLER_SEND_GOODS" => (OrderStatus::AwaitingShipment, None),
            "卖家已发货,等待买家确认" | "卖家已发货" | "WAIT_BUYER_CONFIRM_GOODS" => {
                (OrderStatus::Shipped, None)
            }
            "交易成功" | "TRADE_FINISHED" => (OrderStatus::TradeSuccess, None),
            "交易关闭" => (OrderStatus::TradeClosed, None),
            "TRADE_CLOSED" => (OrderStatus::TradeClosed, Some(CloseReason::Refunded)),
            "TRADE_CLOSED_BY_TAOBAO" => (OrderStatus::TradeClosed, Some(CloseReason::Unpaid)),
            _ => return Err(Error::invalid("status", raw, "not a known order status")),
        };
        Ok(parsed)
    }

    /// The name in the core's answers (serde's).
    pub fn name(self) -> &'static str {
        match self {
            OrderStatus::AwaitingPayment => "awaiting_payment",
            OrderStatus::AwaitingShipment => "awaiting_shipment",
            OrderStatus::Shipped => "shipped",
            OrderStatus::TradeSuccess => "trade_success",
            OrderStatus::TradeClosed => "trade_closed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            OrderStatus::AwaitingPayment => "等待买家付款",
            OrderStatus::AwaitingShipment => "买家已付款，等待卖家发货",
            OrderStatus::Shipped => "卖家已发货，等待买家确认",
            OrderStatus::TradeSuccess => "交易成功",
            OrderStatus::TradeClosed => "交易关闭",
        }
    }

    /// How far along the trade is. Success and closed are both ends of the road.
    pub fn progress(self) -> u8 {
        match self {
            OrderStatus::AwaitingPayment => 0,
            OrderStatus::AwaitingShipment => 1,
            OrderStatus::Shipped => 2,
            OrderStatus::TradeSuccess | OrderStatus::TradeClosed => 3,
        }
    }

    /// The status after learning `incoming` about an order that is `self` now. Status
    /// never moves backwards (an older export read after a newer one changes nothing), and
    /// an ended trade stays as it ended.
    pub fn advance(self, incoming: OrderStatus) -> OrderStatus {
        if incoming.progress() > self.progress() {
            incoming
        } else {
            self
        }
    }

    pub fn is_live(self) -> bool {
        self.progress() < 3
    }

    pub fn code(self) -> i64 {
        self as i64
    }

    pub fn from_code(code: i64) -> Option<OrderStatus> {
        OrderStatus::ALL.get(usize::try_from(code).ok()?).copied()
    }
}

impl CloseReason {
    /// `订单关闭原因` is free text in exports; a close after payment is a refund.
    pub fn infer(reason_text: &str, paid: bool) -> CloseReason {
        let t = reason_text.trim();
        if t.contains("退款") || (paid && !t.contains("未付款")) {
            CloseReason::Refunded
        } else {
            CloseReason::Unpaid
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub no: OrderNo,
    pub buyer: BuyerNick,
    pub status: OrderStatus,
    pub close_reason: Option<CloseReason>,
    /// What the buyer pays in total, postage included.
    pub total: Fen,
    pub postage: Fen,
    pub created_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    pub shipped_at: Option<DateTime<Utc>>,
    /// When the trade succeeded or closed, where known.
    pub ended_at: Option<DateTime<Utc>>,
    /// The seller last changed price or postage: restarts the auto-close clock.
    pub terms_changed_at: Option<DateTime<Utc>>,
    /// An explicit auto-close deadline from the data, which wins over the computed one.
    pub close_deadline: Option<DateTime<Utc>>,
    pub title: String,
    pub buyer_message: String,
    pub seller_remark: String,
    pub receiver: String,
    pub address: String,
    pub phone: String,
    pub tracking_no: String,
    pub shop_name: String,
}

/// A line of an order (the export's items file).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderItem {
    pub order_no: OrderNo,
    pub title: String,
    pub price: Fen,
    pub quantity: i64,
    pub attributes: String,
}

impl Order {
    /// An order just placed and not paid, with nothing but its number, buyer, total and
    /// time; every other field empty. What tests, benchmarks and the demo build on (an
    /// import fills every field from the export).
    pub fn placed(no: OrderNo, buyer: BuyerNick, total: Fen, at: DateTime<Utc>) -> Order {
        Order {
            no,
            buyer,
            status: OrderStatus::AwaitingPayment,
            close_reason: None,
            total,
            postage: Fen(0),
            created_at: at,
            paid_at: None,
            shipped_at: None,
            ended_at: None,
            terms_changed_at: None,
            close_deadline: None,
            title: String::new(),
            buyer_message: String::new(),
            seller_remark: String::new(),
            receiver: String::new(),
            address: String::new(),
            phone: String::new(),
            tracking_no: String::new(),
            shop_name: String::new(),
        }
    }

    /// The same order, paid at `at`.
    pub fn paid(self, at: DateTime<Utc>) -> Order {
        Order {
            status: OrderStatus::AwaitingShipment,
            paid_at: Some(at),
            ..self
        }
    }

    /// The same order, shipped at `at` (paid before, if it was not yet).
    pub fn shipped(self, at: DateTime<Utc>) -> Order {
        Order {
            status: OrderStatus::Shipped,
            paid_at: self.paid_at.or(Some(at)),
            shipped_at: Some(at),
            ..self
        }
    }

    /// Merges what a newer read of the same order says. The status only advances; remarks,
    /// tracking numbers and other text take the incoming value when it has one.
    pub fn merge(&mut self, incoming: &Order) {
        let advanced = self.status.advance(incoming.status);
        if advanced != self.status {
            self.status = advanced;
            self.close_reason = incoming.close_reason;
            self.ended_at = incoming.ended_at.or(self.ended_at);
        }
        self.paid_at = self.paid_at.or(incoming.paid_at);
        self.shipped_at = self.shipped_at.or(incoming.shipped_at);
        self.terms_changed_at = self.terms_changed_at.max(incoming.terms_changed_at);
        if incoming.close_deadline.is_some() {
            self.close_deadline = incoming.close_deadline;
        }
        for (mine, theirs) in [
            (&mut self.seller_remark, &incoming.seller_remark),
            (&mut self.tracking_no, &incoming.tracking_no),
            (&mut self.buyer_message, &incoming.buyer_message),
            (&mut self.address, &incoming.address),
            (&mut self.receiver, &incoming.receiver),
            (&mut self.phone, &incoming.phone),
            (&mut self.title, &incoming.title),
        ] {
            if !theirs.is_empty() {
                mine.clone_from(theirs);
            }
        }
        // Price and postage may change only while unpaid: take them from a read that is
        // still unpaid or that moved the order on.
        if incoming.status.progress() >= self.status.progress() {
            self.total = incoming.total;
            self.postage = incoming.postage;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn order_numbers_survive_spreadsheets() {
        assert_eq!(
            OrderNo::parse("=\"4012345678901235164\"").unwrap().as_str(),
            "4012345678901235164"
        );
        assert_eq!(
            OrderNo::parse("4012345678901235164.00").unwrap().as_str(),
            "4012345678901235164"
        );
        assert_eq!(OrderNo::parse(" 123 ").unwrap().as_str(), "123");
        assert!(OrderNo::parse("4.01E+18").is_err());
        assert!(OrderNo::parse("").is_err());
        assert!(OrderNo::parse("12a").is_err());
    }

    #[test]
    fn nicks_are_kept_verbatim_but_sane() {
        let hostile = "<img src=x onerror=alert(1)>";
        assert_eq!(BuyerNick::parse(hostile).unwrap().as_str(), hostile);
        assert_eq!(
            BuyerNick::parse(" 𠮷野家粉丝珍3110 ").unwrap().as_str(),
            "𠮷野家粉丝珍3110"
        );
        assert!(BuyerNick::parse("  ").is_err());
        assert!(BuyerNick::parse("a\u{7}b").is_err());
        assert!(BuyerNick::parse(&"长".repeat(65)).is_err());
    }

    #[test]
    fn every_status_spelling() {
        use OrderStatus::*;
        let cases = [
            ("等待买家付款", AwaitingPayment, None),
            ("买家已付款，等待卖家发货", AwaitingShipment, None),
            ("买家已付款,等待卖家发货", AwaitingShipment, None),
            ("买家已付款, 等待卖家发货 ", AwaitingShipment, None),
            ("卖家已发货，等待买家确认", Shipped, None),
            ("卖家已发货,等待买家确认", Shipped, None),
            ("交易成功", TradeSuccess, None),
            ("交易关闭", TradeClosed, None),
            ("WAIT_BUYER_PAY", AwaitingPayment, None),
            ("WAIT_SELLER_SEND_GOODS", AwaitingShipment, None),
            ("WAIT_BUYER_CONFIRM_GOODS", Shipped, None),
            ("TRADE_FINISHED", TradeSuccess, None),
            ("TRADE_CLOSED", TradeClosed, Some(CloseReason::Refunded)),
            (
                "TRADE_CLOSED_BY_TAOBAO",
                TradeClosed,
                Some(CloseReason::Unpaid),
            ),
        ];
        for (raw, status, reason) in cases {
            assert_eq!(OrderStatus::parse(raw), Ok((status, reason)), "{raw}");
        }
        assert!(OrderStatus::parse("已发货吧").is_err());
    }

    #[test]
    fn status_codes_round_trip() {
        for s in OrderStatus::ALL {
            assert_eq!(OrderStatus::from_code(s.code()), Some(s));
        }
        assert_eq!(OrderStatus::from_code(9), None);
    }

    fn status() -> impl Strategy<Value = OrderStatus> {
        prop::sample::select(OrderStatus::ALL.to_vec())
    }

    proptest! {
        /// Whatever order exports are read in, status never goes backwards and an ended
        /// trade stays ended.
        #[test]
        fn status_never_regresses(start in status(), reads in prop::collection::vec(status(), 0..20)) {
            let mut s = start;
            for r in reads {
                let next = s.advance(r);
                prop_assert!(next.progress() >= s.progress());
                if !s.is_live() { prop_assert_eq!(next, s); }
                prop_assert_eq!(next.advance(r), next, "reading the same status twice changes nothing");
                s = next;
            }
        }

        /// A bare cell is returned as it is exactly when unwrapping would return it whole:
        /// the shortcut and the unwrapping agree on every cell, wrapped or not.
        #[test]
        fn the_bare_cell_shortcut_agrees_with_unwrapping(
            cell in "[ \t\u{3000}='\"a-z0-9.,加绒]{0,8}",
        ) {
            prop_assert_eq!(unwrap_cell(&cell), unwrap_wrapped(&cell));
        }
    }
}
