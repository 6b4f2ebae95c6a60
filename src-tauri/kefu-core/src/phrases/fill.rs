//! A phrase's text as a template: `{买家}` and its siblings are filled from the selected
//! buyer and order, `{?尺码}` asks the agent. What cannot be filled is named before anything
//! is copied: a buyer never receives `{订单号}` or a silent gap.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::{Error, Order, Result, ShopTime};

/// The values a phrase may name, filled from what is selected in the workbench.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Var {
    Buyer,
    Agent,
    Shop,
    OrderNo,
    Amount,
    CloseAt,
    TrackingNo,
    Item,
}

impl Var {
    pub const ALL: [Var; 8] = [
        Var::Buyer,
        Var::Agent,
        Var::Shop,
        Var::OrderNo,
        Var::Amount,
        Var::CloseAt,
        Var::TrackingNo,
        Var::Item,
    ];

    /// The name written between the braces.
    pub fn name(self) -> &'static str {
        match self {
            Var::Buyer => "买家",
            Var::Agent => "客服",
            Var::Shop => "店铺",
            Var::OrderNo => "订单号",
            Var::Amount => "金额",
            Var::CloseAt => "关闭时间",
            Var::TrackingNo => "物流单号",
            Var::Item => "宝贝",
        }
    }

    pub fn from_name(name: &str) -> Option<Var> {
        Var::ALL.into_iter().find(|v| v.name() == name)
    }
}

/// A piece of a parsed template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    Var(Var),
    /// `{?尺码}`: the agent is asked for the value of `尺码`.
    Ask(&'a str),
}

/// Longest name between braces that is read as a placeholder; a longer brace run is text.
const MAX_NAME_CHARS: usize = 12;

/// Splits a phrase's text into text, variables and prompted blanks. An unknown name in
/// braces is refused, naming it (a typo such as `{订单}` would otherwise reach a buyer).
/// Braces around anything that cannot be a name (spaces, nothing, a long run) stay text.
pub fn parse(text: &str) -> Result<Vec<Piece<'_>>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find(['{', '}']) else {
            break;
        };
        let name = &after[..close];
        let is_name = after[close..].starts_with('}')
            && !name.is_empty()
            && name.chars().count() <= MAX_NAME_CHARS
            && !name.chars().any(char::is_whitespace);
        if !is_name {
            // Not a placeholder: keep the brace as text and go on after it.
            push_text(&mut out, &rest[..open + 1]);
            rest = after;
            continue;
        }
        push_text(&mut out, &rest[..open]);
        if let Some(asked) = name.strip_prefix('?') {
            if asked.is_empty() {
                return Err(Error::invalid(
                    "phrase",
                    name,
                    "a prompted blank needs a name, as in {?尺码}",
                ));
            }
            out.push(Piece::Ask(asked));
        } else {
            let var = Var::from_name(name).ok_or_else(|| {
                Error::invalid(
                    "phrase",
                    name,
                    "unknown variable: use 买家, 客服, 店铺, 订单号, 金额, 关闭时间, 物流单号, 宝贝 or {?名称}",
                )
            })?;
            out.push(Piece::Var(var));
        }
        rest = &after[close + 1..];
    }
    push_text(&mut out, rest);
    Ok(out)
}

fn push_text<'a>(out: &mut Vec<Piece<'a>>, text: &'a str) {
    if !text.is_empty() {
        out.push(Piece::Text(text));
    }
}

/// What the workbench has selected, as the values a phrase may name. An absent value is
/// `None`, never an empty string: filling refuses it by name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Values {
    values: BTreeMap<Var, String>,
}

impl Values {
    pub fn set(&mut self, var: Var, value: impl Into<String>) -> &mut Self {
        let value = value.into();
        if value.trim().is_empty() {
            self.values.remove(&var);
        } else {
            self.values.insert(var, value);
        }
        self
    }

    pub fn get(&self, var: Var) -> Option<&str> {
        self.values.get(&var).map(String::as_str)
    }

    /// The values of a buyer, the agent serving it and, when one is selected, an order
    /// with its auto-close time (shown in shop time).
    pub fn of(
        buyer: &str,
        agent: &str,
        order: Option<&Order>,
        closes_at: Option<DateTime<Utc>>,
        shop: ShopTime,
    ) -> Values {
        let mut v = Values::default();
        v.set(Var::Buyer, buyer).set(Var::Agent, agent);
        if let Some(o) = order {
            v.set(Var::Shop, o.shop_name.as_str())
                .set(Var::OrderNo, o.no.as_str())
                .set(Var::Amount, o.total.to_string())
                .set(Var::TrackingNo, o.tracking_no.as_str())
                .set(Var::Item, o.title.as_str());
        }
        if let Some(t) = closes_at {
            v.set(
                Var::CloseAt,
                shop.local(t).format("%m月%d日 %H:%M").to_string(),
            );
        }
        v
    }
}

/// Why a phrase cannot be copied yet: the variables without a value here and the blanks
/// the agent has not answered, each named once, in the order the text has them.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Missing {
    pub vars: Vec<String>,
    pub asks: Vec<String>,
}

impl Missing {
    pub fn is_empty(&self) -> bool {
        self.vars.is_empty() && self.asks.is_empty()
    }
}

/// Fills a phrase, or says what is missing. `answers` holds the agent's values for the
/// prompted blanks, by name.
pub fn fill(
    text: &str,
    values: &Values,
    answers: &BTreeMap<String, String>,
) -> Result<std::result::Result<String, Missing>> {
    let pieces = parse(text)?;
    let mut out = String::with_capacity(text.len() + 32);
    let mut missing = Missing::default();
    for p in pieces {
        match p {
            Piece::Text(t) => out.push_str(t),
            Piece::Var(v) => match values.get(v) {
                Some(value) => out.push_str(value),
                None => push_once(&mut missing.vars, v.name()),
            },
            Piece::Ask(name) => match answers.get(name).filter(|a| !a.trim().is_empty()) {
                Some(a) => out.push_str(a),
                None => push_once(&mut missing.asks, name),
            },
        }
    }
    Ok(if missing.is_empty() {
        Ok(out)
    } else {
        Err(missing)
    })
}

fn push_once(list: &mut Vec<String>, name: &str) {
    if !list.iter().any(|n| n == name) {
        list.push(name.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> Values {
        let mut v = Values::default();
        v.set(Var::Buyer, "云朵希9624").set(Var::Agent, "小美");
        v
    }

    #[test]
    fn variables_are_filled_and_braces_that_are_not_names_stay_text() {
        let filled = fill(
            "亲，{买家}，我是{客服}{}～{ 空格 }",
            &values(),
            &BTreeMap::new(),
        )
        .unwrap()
        .unwrap();
        assert_eq!(filled, "亲，云朵希9624，我是小美{}～{ 空格 }");
    }

    #[test]
    fn an_unknown_variable_is_refused_by_name() {
        let e = parse("您的{订单}已发货").unwrap_err();
        assert!(e.to_string().contains("\"订单\""), "{e}");
        assert!(parse("{?}").is_err());
    }

    #[test]
    fn what_has_no_value_is_named_once_and_nothing_is_filled() {
        let missing = fill(
            "{订单号}：{金额} 元，{订单号}，尺码 {?尺码}",
            &values(),
            &BTreeMap::new(),
        )
        .unwrap()
        .unwrap_err();
        assert_eq!(missing.vars, vec!["订单号", "金额"]);
        assert_eq!(missing.asks, vec!["尺码"]);
    }

    #[test]
    fn a_prompted_blank_takes_the_agents_answer() {
        let answers = BTreeMap::from([("尺码".to_owned(), "L".to_owned())]);
        let filled = fill("给{买家}换成 {?尺码} 码", &values(), &answers)
            .unwrap()
            .unwrap();
        assert_eq!(filled, "给云朵希9624换成 L 码");
    }

    #[test]
    fn an_order_gives_its_number_amount_and_close_time_in_shop_time() {
        let o = crate::followups::tests::unpaid("2026-11-01 10:00:00");
        let closes = crate::followups::tests::at("2026-11-04 10:00:00");
        let v = Values::of("买家", "小美", Some(&o), Some(closes), ShopTime::SHANGHAI);
        assert_eq!(v.get(Var::OrderNo), Some(o.no.as_str()));
        assert_eq!(v.get(Var::Amount), Some(o.total.to_string().as_str()));
        // The fixture's times are shop time: 10:00 in Shanghai.
        assert_eq!(v.get(Var::CloseAt), Some("11月04日 10:00"));
        // No order selected: the order's values are absent, not empty.
        let none = Values::of("买家", "小美", None, None, ShopTime::SHANGHAI);
        assert_eq!(none.get(Var::OrderNo), None);
    }
}
