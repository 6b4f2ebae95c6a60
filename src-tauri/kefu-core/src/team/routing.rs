//! Routing: where a new buyer goes, and why, in Qianniu's order. Who may take a buyer is
//! `Agent::takes_new_buyers` and `Agent::takes_returning_buyers`.

use std::fmt;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{Agent, AgentState, Role, TeamRules};

/// Why a buyer went where it went, shown in the buyer panel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Why {
    /// The agent who served the buyer recently.
    Sticky {
        agent: String,
        served_at: DateTime<Utc>,
        days_ago: i64,
    },
    /// The eligible agent with the lowest load ratio (then weight, then longest idle).
    LowestLoad {
        agent: String,
        load: u32,
        max_load: u32,
    },
    /// Every routing sub-account is offline.
    MainAccount { agent: String },
    /// Someone is online but every such agent is suspended or full: the buyer waits.
    AllBusy,
    /// No one is online and there is no main account to fall back on.
    NoOne,
    /// Passed on by a teammate.
    Transfer {
        from: String,
        agent: String,
        note: String,
    },
    /// Passed on at the end of a shift (交接班), with the leaving agent's note.
    Handover {
        from: String,
        agent: String,
        note: String,
    },
}

impl fmt::Display for Why {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Why::Sticky {
                agent, days_ago, ..
            } if *days_ago == 0 => {
                write!(f, "今天由 {agent} 接待过，回到 {agent}")
            }
            Why::Sticky {
                agent, days_ago, ..
            } => {
                write!(f, "{days_ago} 天前由 {agent} 接待过，回到 {agent}")
            }
            Why::LowestLoad {
                agent,
                load,
                max_load,
            } => write!(f, "{agent} 负载最低 {load}/{max_load}"),
            Why::MainAccount { agent } => write!(f, "子账号全部离线 → 主账号 {agent}"),
            Why::AllBusy => write!(f, "在线客服全部挂起或满载，排队等待"),
            Why::NoOne => write!(f, "没有在线客服，也没有主账号，排队等待"),
            Why::Transfer { from, agent, note } if note.is_empty() => {
                write!(f, "{from} 转交给 {agent}")
            }
            Why::Transfer { from, agent, note } => write!(f, "{from} 转交给 {agent}：{note}"),
            Why::Handover { from, agent, note } if note.is_empty() => {
                write!(f, "交接班：{from} 交给 {agent}")
            }
            Why::Handover { from, agent, note } => write!(f, "交接班：{from} 交给 {agent}：{note}"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decision {
    Assign { agent_id: i64, why: Why },
    Wait { why: Why },
}

/// The last time an agent served this buyer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Served {
    pub agent_id: i64,
    pub at: DateTime<Utc>,
}

/// Lower load ratio first (compared without division), then higher weight, then longer
/// idle, then the lower id so the choice is deterministic.
fn routing_order(a: &Agent, b: &Agent) -> std::cmp::Ordering {
    let ra = u64::from(a.load) * u64::from(b.max_load);
    let rb = u64::from(b.load) * u64::from(a.max_load);
    ra.cmp(&rb)
        .then(b.weight.cmp(&a.weight))
        .then(a.idle_since.cmp(&b.idle_since))
        .then(a.id.cmp(&b.id))
}

/// The agents a new (not returning) buyer may go to, best first: what `route` picks is the
/// first. Many PCs claiming at once each take the best one no other PC is taking.
pub fn ranked<'a>(agents: &'a [Agent], now: DateTime<Utc>, rules: &TeamRules) -> Vec<&'a Agent> {
    let mut r: Vec<&Agent> = agents
        .iter()
        .filter(|a| a.takes_new_buyers(now, rules))
        .collect();
    r.sort_by(|a, b| routing_order(a, b));
    r
}

/// Where a new buyer goes, in Qianniu's order: back to the agent who served it in the last
/// days if it takes returning buyers; else the agent that takes new buyers with the lowest
/// load ratio, then the highest weight, then the longest idle; else, when every routing
/// sub-account is offline, the main account; else the queue.
pub fn route(
    last_served: Option<&Served>,
    agents: &[Agent],
    now: DateTime<Utc>,
    rules: &TeamRules,
) -> Decision {
    if let Some(s) = last_served.filter(|s| now - s.at <= Duration::days(rules.sticky_days)) {
        if let Some(a) = agents.iter().find(|a| a.id == s.agent_id) {
            if a.takes_returning_buyers(now, rules) {
                return Decision::Assign {
                    agent_id: a.id,
                    why: Why::Sticky {
                        agent: a.name.clone(),
                        served_at: s.at,
                        days_ago: (now - s.at).num_days(),
                    },
                };
            }
        }
    }
    let best = agents
        .iter()
        .filter(|a| a.takes_new_buyers(now, rules))
        .min_by(|a, b| routing_order(a, b));
    if let Some(a) = best {
        return Decision::Assign {
            agent_id: a.id,
            why: Why::LowestLoad {
                agent: a.name.clone(),
                load: a.load,
                max_load: a.max_load,
            },
        };
    }
    let all_offline = agents
        .iter()
        .filter(|a| a.routes())
        .all(|a| a.presence(now, rules) == AgentState::Offline);
    if all_offline {
        if let Some(main) = agents.iter().find(|a| a.role == Role::Main) {
            return Decision::Assign {
                agent_id: main.id,
                why: Why::MainAccount {
                    agent: main.name.clone(),
                },
            };
        }
        return Decision::Wait { why: Why::NoOne };
    }
    Decision::Wait { why: Why::AllBusy }
}
