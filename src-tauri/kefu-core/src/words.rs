//! The words the window shows for what the core names: groups, order statuses, roles,
//! states, follow-up kinds and their lists, the snooze menu. The window keeps no tables of
//! its own; it gets these once, with the codes the core's answers carry.

use serde::Serialize;

use crate::agenda::{Snooze, Urgency, KINDS};
use crate::order::OrderStatus;
use crate::team::{AgentState, Duty, Role};
use crate::Group;

/// A code as the core's answers spell it, and its words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Named {
    pub code: &'static str,
    pub label: &'static str,
}

/// An order status's words and how far along the trade is (0–3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatusWords {
    pub code: &'static str,
    pub label: &'static str,
    pub progress: u8,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Words {
    pub groups: Vec<Named>,
    pub statuses: Vec<StatusWords>,
    pub roles: Vec<Named>,
    pub states: Vec<Named>,
    /// Where the published schedule puts an agent now.
    pub duties: Vec<Named>,
    /// Whether an agent keeps its shift now (adherence).
    pub attendances: Vec<Named>,
    pub urgencies: Vec<Named>,
    /// The follow-ups an agent adds by hand, as the form offers them (with their deadline).
    pub by_hand: Vec<Named>,
    pub snooze: Vec<Named>,
}

pub fn words() -> Words {
    Words {
        groups: Group::ALL
            .iter()
            .map(|g| Named {
                code: g.name(),
                label: g.label(),
            })
            .collect(),
        statuses: OrderStatus::ALL
            .iter()
            .map(|s| StatusWords {
                code: s.name(),
                label: s.label(),
                progress: s.progress(),
            })
            .collect(),
        roles: [Role::Main, Role::Supervisor, Role::Agent]
            .iter()
            .map(|r| Named {
                code: r.code(),
                label: r.label(),
            })
            .collect(),
        states: [
            AgentState::Online,
            AgentState::Suspended,
            AgentState::Offline,
        ]
        .iter()
        .map(|s| Named {
            code: s.code(),
            label: s.label(),
        })
        .collect(),
        attendances: crate::shifts::Attendance::ALL
            .iter()
            .map(|&(code, label)| Named { code, label })
            .collect(),
        duties: Duty::ALL
            .iter()
            .map(|d| Named {
                code: d.code(),
                label: d.label(),
            })
            .collect(),
        urgencies: [Urgency::Overdue, Urgency::Due, Urgency::Upcoming]
            .iter()
            .map(|u| Named {
                code: u.code(),
                label: u.label(),
            })
            .collect(),
        by_hand: KINDS
            .iter()
            .filter_map(|k| {
                Some(Named {
                    code: k.code(),
                    label: k.form_label()?,
                })
            })
            .collect(),
        snooze: [Snooze::Quarter, Snooze::Hour, Snooze::Tomorrow]
            .iter()
            .map(|s| Named {
                code: s.code(),
                label: s.label(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agenda::Kind;

    /// The codes are the ones the answers carry (serde's names), and each parses back.
    #[test]
    fn codes_are_the_serialized_names() {
        let w = words();
        let json = |v: &dyn erased::Ser| v.json();
        for g in Group::ALL {
            assert_eq!(json(&g), format!("\"{}\"", g.name()));
        }
        for s in OrderStatus::ALL {
            assert_eq!(json(&s), format!("\"{}\"", s.name()));
        }
        assert_eq!(w.groups.len(), 4);
        assert_eq!(w.statuses[0].label, "等待买家付款");
        assert_eq!(
            w.by_hand.iter().map(|n| n.code).collect::<Vec<_>>(),
            [
                "promised_answer",
                "refund_reply",
                "refund_reply_quick",
                "return_receipt"
            ]
        );
        for n in &w.by_hand {
            assert!(
                Kind::parse(n.code).is_ok_and(Kind::is_by_hand),
                "{}",
                n.code
            );
        }
        for n in &w.snooze {
            assert!(Snooze::parse(n.code).is_ok(), "{}", n.code);
        }
        for n in &w.roles {
            assert!(Role::parse(n.code).is_ok());
        }
        for n in &w.states {
            assert!(AgentState::parse(n.code).is_ok());
        }
        for u in [Urgency::Overdue, Urgency::Due, Urgency::Upcoming] {
            assert_eq!(json(&u), format!("\"{}\"", u.code()));
        }
        for d in Duty::ALL {
            assert_eq!(json(&d), format!("\"{}\"", d.code()));
        }
        assert_eq!(w.duties.len(), 3);
    }

    mod erased {
        pub trait Ser {
            fn json(&self) -> String;
        }
        impl<T: serde::Serialize> Ser for T {
            fn json(&self) -> String {
                serde_json::to_string(self).expect("json")
            }
        }
    }
}
