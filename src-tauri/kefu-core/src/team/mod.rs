//! The shop's team: agents and their states, who may do what, and the routing of new
//! buyers, which mirrors Qianniu's E客服 routing. Pure rules: the times come in as arguments
//! and the caller stores the outcome.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

mod routing;
pub mod sign_in;

pub use routing::{ranked, route, Decision, Served, Why};

/// 主账号 (the shop's main account), or a sub-account (子账号) that is a supervisor or an
/// agent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Main,
    Supervisor,
    Agent,
}

impl Role {
    pub fn code(self) -> &'static str {
        match self {
            Role::Main => "main",
            Role::Supervisor => "supervisor",
            Role::Agent => "agent",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Main => "主账号",
            Role::Supervisor => "主管",
            Role::Agent => "客服",
        }
    }

    pub fn parse(raw: &str) -> Result<Role> {
        match raw.trim() {
            "main" => Ok(Role::Main),
            "supervisor" => Ok(Role::Supervisor),
            "agent" => Ok(Role::Agent),
            _ => Err(Error::invalid(
                "role",
                raw,
                "expected main, supervisor or agent",
            )),
        }
    }
}

/// 在线 / 挂起 / 离线. A suspended agent gets no new buyers but keeps serving its own,
/// including returning ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentState {
    Online,
    Suspended,
    Offline,
}

impl AgentState {
    pub fn code(self) -> &'static str {
        match self {
            AgentState::Online => "online",
            AgentState::Suspended => "suspended",
            AgentState::Offline => "offline",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AgentState::Online => "在线",
            AgentState::Suspended => "挂起",
            AgentState::Offline => "离线",
        }
    }

    pub fn parse(raw: &str) -> Result<AgentState> {
        match raw.trim() {
            "online" => Ok(AgentState::Online),
            "suspended" => Ok(AgentState::Suspended),
            "offline" => Ok(AgentState::Offline),
            _ => Err(Error::invalid(
                "state",
                raw,
                "expected online, suspended or offline",
            )),
        }
    }
}

/// The team's numbers, each a setting with this default.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TeamRules {
    /// A buyer served within this long goes back to the same agent.
    pub sticky_days: i64,
    /// A PC silent for this long counts as offline.
    pub heartbeat_timeout_seconds: i64,
    /// An assignment not opened within this long is routed again.
    pub greet_within_seconds: i64,
    /// The supervisor hears of a buyer waiting longer than this.
    pub queue_alert_seconds: i64,
}

impl Default for TeamRules {
    fn default() -> Self {
        TeamRules {
            sticky_days: 3,
            heartbeat_timeout_seconds: 60,
            greet_within_seconds: 30,
            queue_alert_seconds: 60,
        }
    }
}

/// Where the published shift schedule puts an agent at a moment (`shifts::duty`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Duty {
    /// No published schedule covers the moment: routing is as without a schedule.
    #[default]
    Unscheduled,
    OnShift,
    /// A published schedule covers the moment and the agent has no shift in it: it gets no
    /// new buyers, its returning buyers go to someone on shift, and it receives no
    /// transfers.
    OffShift,
}

impl Duty {
    pub const ALL: [Duty; 3] = [Duty::Unscheduled, Duty::OnShift, Duty::OffShift];

    pub fn code(self) -> &'static str {
        match self {
            Duty::Unscheduled => "unscheduled",
            Duty::OnShift => "on_shift",
            Duty::OffShift => "off_shift",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Duty::Unscheduled => "未排班",
            Duty::OnShift => "在班",
            Duty::OffShift => "不在班",
        }
    }
}

/// An agent as routing sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agent {
    pub id: i64,
    pub name: String,
    pub role: Role,
    /// The state the agent chose.
    pub state: AgentState,
    /// Takes part in routing (分流); the main account usually does not.
    pub in_routing: bool,
    /// 最大接待量: open conversations at most.
    pub max_load: u32,
    pub weight: u32,
    pub load: u32,
    /// Since when the agent has had no new buyer: the longest idle goes first on a tie.
    pub idle_since: DateTime<Utc>,
    /// The last heartbeat of the agent's PC.
    pub last_seen: Option<DateTime<Utc>>,
    /// Where the published schedule puts the agent at the moment it was read.
    #[serde(default)]
    pub duty: Duty,
}

impl Agent {
    /// The state that counts at `now`: a PC that stopped sending heartbeats is offline,
    /// whatever the agent chose.
    pub fn presence(&self, now: DateTime<Utc>, rules: &TeamRules) -> AgentState {
        let alive = self
            .last_seen
            .is_some_and(|t| now - t < Duration::seconds(rules.heartbeat_timeout_seconds));
        if alive {
            self.state
        } else {
            AgentState::Offline
        }
    }

    /// Takes part in routing now: a sub-account in routing and not off shift. (The main
    /// account is the fallback, never scheduled.)
    fn routes(&self) -> bool {
        self.role != Role::Main && self.in_routing && self.duty != Duty::OffShift
    }

    fn has_room(&self) -> bool {
        self.load < self.max_load
    }

    /// May get a buyer no one served lately: a routing sub-account, online, below its
    /// maximum load.
    ///
    /// This and `takes_returning_buyers` are the rule of who may take a buyer. The storage
    /// states it once more, for claims made in one statement, in one view per backend
    /// (`routable_agents`, kefu-db's migrations); kefu-db's property test
    /// `claims_follow_the_cores_ranking` holds every claim path to `route`.
    pub fn takes_new_buyers(&self, now: DateTime<Utc>, rules: &TeamRules) -> bool {
        self.routes() && self.has_room() && self.presence(now, rules) == AgentState::Online
    }

    /// May get back a buyer it served lately: as `takes_new_buyers`, or suspended (挂起
    /// stops new buyers, not one's own).
    pub fn takes_returning_buyers(&self, now: DateTime<Utc>, rules: &TeamRules) -> bool {
        self.routes() && self.has_room() && self.presence(now, rules) != AgentState::Offline
    }

    /// May receive a teammate's buyer by transfer: online, below its maximum load and not
    /// off shift (whether it takes part in routing does not matter: a transfer is chosen by
    /// a person).
    pub fn takes_transfers(&self, now: DateTime<Utc>, rules: &TeamRules) -> bool {
        self.has_room()
            && self.presence(now, rules) == AgentState::Online
            && self.duty != Duty::OffShift
    }
}

/// Checks the receiver of a transfer (see `Agent::takes_transfers`).
pub fn check_transfer_target(to: &Agent, now: DateTime<Utc>, rules: &TeamRules) -> Result<()> {
    if to.takes_transfers(now, rules) {
        Ok(())
    } else {
        Err(cannot_take_transfer(&to.name))
    }
}

/// The refusal of a transfer to `to`, also when it filled up while the transfer was made.
pub fn cannot_take_transfer(to: &str) -> Error {
    Error::invalid(
        "to",
        to,
        "can take buyers only when online and below the maximum load",
    )
}

/// Checks a new account against the shop's: names are unique, and a shop has one main
/// account.
pub fn check_new_account(name: &str, role: Role, name_taken: bool, has_main: bool) -> Result<()> {
    if name_taken {
        return Err(Error::invalid(
            "name",
            name,
            "an account with this name exists",
        ));
    }
    if role == Role::Main && has_main {
        return Err(Error::invalid(
            "role",
            "main",
            "the shop has a main account already",
        ));
    }
    Ok(())
}

/// An assignment not opened (greeted) within the setting goes to someone else and counts
/// against the agent. The main account is the last resort, so nothing is taken from it.
pub fn greeting_is_late(
    role: Role,
    assigned_at: DateTime<Utc>,
    now: DateTime<Utc>,
    rules: &TeamRules,
) -> bool {
    role != Role::Main && now - assigned_at >= Duration::seconds(rules.greet_within_seconds)
}

/// The idle time an agent keeps through a state change: an agent coming (back) from
/// suspended or offline starts idle now, so time away does not put it first on a tie; an
/// agent who was online keeps its place.
pub fn idle_since_after_state_change(
    before: AgentState,
    idle_since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    if before == AgentState::Online {
        idle_since
    } else {
        now
    }
}

/// What locking or unlocking the PC's screen does to the agent signed in on it: locking
/// suspends an online agent (its buyers stay with it; new ones go to teammates); unlocking
/// brings back an agent the lock suspended, not one who suspended by hand. The main
/// account cannot suspend.
pub fn on_screen_lock(
    role: Role,
    state: AgentState,
    locked: bool,
    suspended_by_lock: bool,
) -> Option<AgentState> {
    match (locked, state) {
        (true, AgentState::Online) if role != Role::Main => Some(AgentState::Suspended),
        (false, AgentState::Suspended) if suspended_by_lock => Some(AgentState::Online),
        _ => None,
    }
}

/// The most buyers one agent may serve at once (最大接待量). Qianniu's own limit is far
/// lower; the bound also keeps a load ratio exact as a floating-point number (two different
/// ratios of numbers up to 9,999 differ by more than 1e-8, far above rounding), which a
/// team database relies on to rank agents in SQL the same way as `ranked`.
pub const MAX_LOAD_LIMIT: u32 = 9_999;

/// Checks a maximum load set for an agent.
pub fn check_max_load(max_load: u32) -> Result<u32> {
    if max_load > MAX_LOAD_LIMIT {
        return Err(Error::invalid(
            "max_load",
            &max_load.to_string(),
            "at most 9999 buyers at once",
        ));
    }
    Ok(max_load)
}

/// What a signed-in account may do; checked in the core so that no window, command line or
/// IPC call can skip it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Add agents, set roles, maximum load, weight and routing.
    ManageAgents,
    /// Change another agent's state.
    SetOthersState,
    /// Shift scheduling.
    Schedule,
    /// Add, edit, reorder, delete or import the shop's shared quick phrases.
    EditShopPhrases,
    /// Read every agent's 绩效 (an agent reads its own).
    SeeTeamKpis,
    /// Transfer one's own buyer, close a conversation, take a new inquiry.
    Serve,
}

pub fn allowed(role: Role, action: Action) -> Result<()> {
    let ok = match action {
        Action::ManageAgents
        | Action::SetOthersState
        | Action::Schedule
        | Action::EditShopPhrases
        | Action::SeeTeamKpis => {
            matches!(role, Role::Main | Role::Supervisor)
        }
        Action::Serve => true,
    };
    if ok {
        Ok(())
    } else {
        Err(Error::Forbidden("a supervisor's or the main account's"))
    }
}

/// Checks a state change by `actor` of `target`: one's own state is one's own; another's
/// needs a supervisor; the main account cannot suspend.
pub fn check_state_change(actor: &Agent, target: &Agent, to: AgentState) -> Result<()> {
    if actor.id != target.id {
        allowed(actor.role, Action::SetOthersState)?;
    }
    if target.role == Role::Main && to == AgentState::Suspended {
        return Err(Error::invalid(
            "state",
            to.code(),
            "the main account cannot suspend",
        ));
    }
    Ok(())
}

/// Checks that `actor` may mark done or snooze a follow-up of `owner` (empty: nobody's
/// yet, so whoever is signed in): an agent acts on its own and on nobody's, a supervisor or
/// the main account on anyone's (a colleague off sick leaves chases behind).
pub fn check_followup_action(actor: &Agent, owner: &str) -> Result<()> {
    if owner.is_empty() || owner == actor.name {
        return Ok(());
    }
    allowed(actor.role, Action::SetOthersState).map_err(|_| {
        Error::Forbidden(
            "another agent's follow-up: its owner's, a supervisor's or the main account's",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_locked_screen_suspends_and_unlocking_brings_back_only_what_the_lock_suspended() {
        use AgentState::*;
        assert_eq!(
            on_screen_lock(Role::Agent, Online, true, false),
            Some(Suspended)
        );
        assert_eq!(
            on_screen_lock(Role::Supervisor, Online, true, false),
            Some(Suspended)
        );
        assert_eq!(
            on_screen_lock(Role::Agent, Suspended, false, true),
            Some(Online)
        );
        // Suspended by hand before the lock: stays suspended after it.
        assert_eq!(on_screen_lock(Role::Agent, Suspended, true, false), None);
        assert_eq!(on_screen_lock(Role::Agent, Suspended, false, false), None);
        // Offline stays offline; the main account never suspends.
        assert_eq!(on_screen_lock(Role::Agent, Offline, true, false), None);
        assert_eq!(on_screen_lock(Role::Main, Online, true, false), None);
    }
    use proptest::prelude::*;

    #[test]
    fn an_agent_acts_on_its_own_and_nobodys_follow_ups_a_supervisor_on_all() {
        let xiaomei = agent(2, "小美", AgentState::Online, 0, 8);
        assert_eq!(check_followup_action(&xiaomei, "小美"), Ok(()));
        assert_eq!(check_followup_action(&xiaomei, ""), Ok(()));
        assert!(matches!(
            check_followup_action(&xiaomei, "小王"),
            Err(Error::Forbidden(_))
        ));
        let boss = Agent {
            role: Role::Supervisor,
            ..agent(3, "主管", AgentState::Online, 0, 8)
        };
        assert_eq!(check_followup_action(&boss, "小王"), Ok(()));
        assert_eq!(check_followup_action(&main_account(), "小王"), Ok(()));
    }

    fn t(min: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000, 0).unwrap() + Duration::minutes(min)
    }

    fn agent(id: i64, name: &str, state: AgentState, load: u32, max: u32) -> Agent {
        Agent {
            id,
            name: name.into(),
            role: Role::Agent,
            state,
            in_routing: true,
            max_load: max,
            weight: 1,
            load,
            idle_since: t(0),
            last_seen: Some(t(100)),
            duty: Duty::Unscheduled,
        }
    }

    fn main_account() -> Agent {
        Agent {
            role: Role::Main,
            in_routing: false,
            ..agent(99, "云朵旗舰店", AgentState::Online, 0, 100)
        }
    }

    #[test]
    fn off_shift_an_agent_gets_neither_new_nor_returning_buyers() {
        let off = Agent {
            duty: Duty::OffShift,
            ..agent(1, "小美", AgentState::Online, 0, 8)
        };
        let on = Agent {
            duty: Duty::OnShift,
            ..agent(2, "小帅", AgentState::Online, 5, 8)
        };
        let rules = TeamRules::default();
        let served = Served {
            agent_id: 1,
            at: t(100) - Duration::hours(5),
        };
        // 小美 is idle and served the buyer lately, but is off shift: 小帅 takes it.
        let d = route(Some(&served), &[off.clone(), on.clone()], t(100), &rules);
        assert!(matches!(d, Decision::Assign { agent_id: 2, .. }), "{d:?}");
        assert!(!off.takes_transfers(t(100), &rules));
        // No one on shift: the main account, as when every sub-account is offline.
        let d = route(None, &[off, main_account()], t(100), &rules);
        assert!(
            matches!(
                d,
                Decision::Assign {
                    why: Why::MainAccount { .. },
                    ..
                }
            ),
            "{d:?}"
        );
    }

    #[test]
    fn sticky_goes_back_to_the_same_agent_even_suspended() {
        let agents = [
            agent(1, "小美", AgentState::Suspended, 3, 8),
            agent(2, "小帅", AgentState::Online, 0, 8),
        ];
        let served = Served {
            agent_id: 1,
            at: t(100) - Duration::days(2),
        };
        let d = route(Some(&served), &agents, t(100), &TeamRules::default());
        let Decision::Assign { agent_id, why } = d else {
            panic!("{d:?}")
        };
        assert_eq!(agent_id, 1);
        assert_eq!(why.to_string(), "2 天前由 小美 接待过，回到 小美");
        // Four days ago is not sticky: the suspended agent gets no new buyer.
        let old = Served {
            agent_id: 1,
            at: t(100) - Duration::days(4),
        };
        let d = route(Some(&old), &agents, t(100), &TeamRules::default());
        assert!(matches!(d, Decision::Assign { agent_id: 2, .. }), "{d:?}");
    }

    #[test]
    fn lowest_load_ratio_then_weight_then_longest_idle() {
        let mut a = agent(1, "小美", AgentState::Online, 2, 8);
        let mut b = agent(2, "小帅", AgentState::Online, 1, 2);
        let rules = TeamRules::default();
        let d = route(None, &[a.clone(), b.clone()], t(100), &rules);
        let Decision::Assign { agent_id, why } = d else {
            panic!()
        };
        assert_eq!(agent_id, 1, "2/8 is lower than 1/2");
        assert_eq!(why.to_string(), "小美 负载最低 2/8");
        b.load = 1;
        b.max_load = 4;
        b.weight = 3;
        assert!(
            matches!(
                route(None, &[a.clone(), b.clone()], t(100), &rules),
                Decision::Assign { agent_id: 2, .. }
            ),
            "same ratio: the higher weight"
        );
        b.weight = 1;
        a.idle_since = t(50);
        b.idle_since = t(10);
        assert!(
            matches!(
                route(None, &[a, b], t(100), &rules),
                Decision::Assign { agent_id: 2, .. }
            ),
            "same ratio and weight: the longest idle"
        );
    }

    #[test]
    fn main_account_only_when_every_routing_sub_account_is_offline() {
        let rules = TeamRules::default();
        let mut agents = vec![
            agent(1, "小美", AgentState::Offline, 0, 8),
            agent(2, "小帅", AgentState::Offline, 0, 8),
            main_account(),
        ];
        let d = route(None, &agents, t(100), &rules);
        assert_eq!(
            d,
            Decision::Assign {
                agent_id: 99,
                why: Why::MainAccount {
                    agent: "云朵旗舰店".into()
                }
            }
        );
        agents[1].state = AgentState::Suspended;
        assert_eq!(
            route(None, &agents, t(100), &rules),
            Decision::Wait { why: Why::AllBusy }
        );
        // A PC silent for 60 s counts as offline.
        agents[1].last_seen = Some(t(99));
        assert!(matches!(
            route(None, &agents, t(100), &rules),
            Decision::Assign { agent_id: 99, .. }
        ));
    }

    #[test]
    fn transfers_accounts_greetings_and_idle_time() {
        let rules = TeamRules::default();
        let mut to = agent(2, "小帅", AgentState::Online, 7, 8);
        to.in_routing = false;
        assert!(check_transfer_target(&to, t(100), &rules).is_ok());
        to.load = 8;
        assert!(check_transfer_target(&to, t(100), &rules).is_err(), "full");
        to.load = 0;
        to.state = AgentState::Suspended;
        assert!(check_transfer_target(&to, t(100), &rules).is_err());
        to.state = AgentState::Online;
        to.last_seen = Some(t(98));
        assert!(
            check_transfer_target(&to, t(100), &rules).is_err(),
            "a PC silent for 60 s is offline"
        );

        assert!(check_new_account("小美", Role::Agent, false, true).is_ok());
        let taken = check_new_account("小美", Role::Agent, true, false).unwrap_err();
        assert!(taken.to_string().contains("exists"), "{taken}");
        assert!(check_new_account("店长", Role::Main, false, true).is_err());
        assert!(check_new_account("店长", Role::Main, false, false).is_ok());

        let assigned = t(100);
        let at = |s: i64| assigned + Duration::seconds(s);
        assert!(!greeting_is_late(Role::Agent, assigned, at(29), &rules));
        assert!(greeting_is_late(Role::Agent, assigned, at(30), &rules));
        assert!(greeting_is_late(Role::Supervisor, assigned, at(30), &rules));
        assert!(!greeting_is_late(Role::Main, assigned, at(3_600), &rules));

        use AgentState::*;
        assert_eq!(idle_since_after_state_change(Online, t(5), t(100)), t(5));
        assert_eq!(
            idle_since_after_state_change(Suspended, t(5), t(100)),
            t(100)
        );
        assert_eq!(idle_since_after_state_change(Offline, t(5), t(100)), t(100));
    }

    #[test]
    fn roles_and_state_changes() {
        let agent_ = agent(1, "小美", AgentState::Online, 0, 8);
        let boss = Agent {
            role: Role::Supervisor,
            ..agent(2, "主管", AgentState::Online, 0, 8)
        };
        let main = main_account();
        assert!(allowed(Role::Agent, Action::ManageAgents).is_err());
        assert!(allowed(Role::Supervisor, Action::ManageAgents).is_ok());
        assert!(check_state_change(&agent_, &agent_, AgentState::Suspended).is_ok());
        assert!(check_state_change(&agent_, &boss, AgentState::Offline).is_err());
        assert!(check_state_change(&boss, &agent_, AgentState::Suspended).is_ok());
        assert!(check_state_change(&main, &main, AgentState::Suspended).is_err());
        assert!(check_state_change(&main, &main, AgentState::Offline).is_ok());
    }

    fn arb_agent() -> impl Strategy<Value = Agent> {
        (
            prop_oneof![
                Just(AgentState::Online),
                Just(AgentState::Suspended),
                Just(AgentState::Offline)
            ],
            any::<bool>(),
            0u32..10,
            1u32..10,
            1u32..5,
            0i64..100,
            prop::option::of(0i64..200),
            prop::bool::weighted(0.1),
            prop_oneof![
                Just(Duty::Unscheduled),
                Just(Duty::OnShift),
                Just(Duty::OffShift)
            ],
        )
            .prop_map(
                |(state, in_routing, load, max, weight, idle, seen, main, duty)| Agent {
                    id: 0,
                    name: String::new(),
                    role: if main { Role::Main } else { Role::Agent },
                    state,
                    in_routing,
                    max_load: max,
                    weight,
                    load: load.min(max),
                    idle_since: t(idle),
                    last_seen: seen.map(t),
                    duty,
                },
            )
    }

    proptest! {
        #[test]
        fn routing_invariants(
            mut agents in prop::collection::vec(arb_agent(), 0..12),
            sticky in prop::option::of((0usize..12, 0i64..(6 * 1440))),
        ) {
            for (i, a) in agents.iter_mut().enumerate() {
                a.id = i as i64 + 1;
                a.name = format!("客服{i}");
            }
            let now = t(200);
            let rules = TeamRules::default();
            let served = sticky
                .filter(|(i, _)| *i < agents.len())
                .map(|(i, ago)| Served { agent_id: i as i64 + 1, at: now - Duration::minutes(ago) });
            let d = route(served.as_ref(), &agents, now, &rules);
            let routing_all_offline = agents
                .iter()
                .filter(|a| a.role != Role::Main && a.in_routing && a.duty != Duty::OffShift)
                .all(|a| a.presence(now, &rules) == AgentState::Offline);
            match d {
                Decision::Assign { agent_id, why } => {
                    let a = agents.iter().find(|a| a.id == agent_id).unwrap();
                    // The main account, the last resort, is never scheduled.
                    prop_assert!(
                        a.role == Role::Main || a.duty != Duty::OffShift,
                        "no buyer for an agent off shift"
                    );
                    match why {
                        Why::MainAccount { .. } => {
                            prop_assert_eq!(a.role, Role::Main);
                            prop_assert!(routing_all_offline, "main account only when every routing sub-account is offline");
                        }
                        Why::Sticky { .. } => {
                            let s = served.as_ref().unwrap();
                            prop_assert_eq!(s.agent_id, agent_id);
                            prop_assert!(now - s.at <= Duration::days(3));
                            prop_assert!(a.presence(now, &rules) != AgentState::Offline);
                            prop_assert!(a.load < a.max_load, "load never exceeds the maximum");
                        }
                        Why::LowestLoad { .. } => {
                            // Many PCs at once walk the same ranking: its head is this choice,
                            // and every agent in it could take the buyer.
                            let r = ranked(&agents, now, &rules);
                            prop_assert_eq!(r.first().map(|a| a.id), Some(agent_id));
                            for c in &r {
                                prop_assert!(c.load < c.max_load && c.presence(now, &rules) == AgentState::Online);
                            }
                            // A suspended (or offline) agent never receives a non-sticky buyer.
                            prop_assert_eq!(a.presence(now, &rules), AgentState::Online);
                            prop_assert!(a.load < a.max_load, "load never exceeds the maximum");
                            prop_assert!(a.in_routing && a.role != Role::Main);
                        }
                        other => prop_assert!(false, "assign with {:?}", other),
                    }
                }
                Decision::Wait { why } => {
                    // Nobody eligible, and not a case for the main account.
                    let eligible = agents.iter().any(|a| a.role != Role::Main && a.in_routing
                        && a.load < a.max_load && a.presence(now, &rules) == AgentState::Online);
                    prop_assert!(!eligible, "a buyer waits only when no one can take it");
                    let has_main = agents.iter().any(|a| a.role == Role::Main);
                    prop_assert!(!(routing_all_offline && has_main), "main account fallback missed");
                    prop_assert!(matches!(why, Why::AllBusy | Why::NoOne));
                }
            }
        }
    }
}
