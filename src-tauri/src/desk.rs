//! The workbench's operations, shared by the window's commands and the command line: one
//! code path for both.

use chrono::{DateTime, Utc};
use kefu_core::followups::Rules;
use std::path::PathBuf;

use kefu_core::agenda::{Kind, Snooze};
use kefu_core::team::{self, Action, Agent, AgentState, Role, TeamRules};
use kefu_core::{BuyerNick, Group, Order, OrderNo, OrderStatus, ShopTime};
use kefu_db::{
    Agenda, Applied, BuyerDetail, BuyerSummary, Conversation, Db, DbUrl, FollowUp, GroupCounts,
    Routed, TeamMember,
};
use kefu_import::Problem;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::settings::Settings;

#[derive(Clone, Debug)]
pub struct Desk {
    db: Db,
    rules: Rules,
    /// The agent signed in on this PC; changed from the settings without a restart.
    agent: std::sync::Arc<std::sync::RwLock<String>>,
    /// The shop account signed in on this PC, when the shop has a team.
    account: std::sync::Arc<std::sync::RwLock<Option<Agent>>>,
    team_rules: TeamRules,
}

#[derive(Clone, Debug, Serialize)]
pub struct Overview {
    pub counts: GroupCounts,
    pub empty: bool,
    pub agent: String,
    pub database: String,
    /// The app clock when this was read: the window shows times left against it.
    pub at: DateTime<Utc>,
}

impl Desk {
    pub async fn open(url: &DbUrl, settings: &Settings) -> Result<Desk> {
        let db = Db::open(url).await?;
        let rules = settings.rules();
        db.plan_if_needed(&rules, crate::clock::now()).await?;
        Ok(Desk {
            db,
            rules,
            agent: std::sync::Arc::new(std::sync::RwLock::new(settings.agent.clone())),
            account: std::sync::Arc::new(std::sync::RwLock::new(None)),
            team_rules: TeamRules::default(),
        })
    }

    pub async fn overview(&self) -> Result<Overview> {
        Ok(Overview {
            counts: self.db.group_counts().await?,
            empty: self.db.is_empty().await?,
            agent: self.agent(),
            database: self.db.url().as_str().to_owned(),
            at: crate::clock::now(),
        })
    }

    pub fn agent(&self) -> String {
        // A poisoned lock still holds the last name written; keep using it.
        match self.agent.read() {
            Ok(name) => name.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn set_agent(&self, name: &str) {
        match self.agent.write() {
            Ok(mut g) => *g = name.to_owned(),
            Err(poisoned) => *poisoned.into_inner() = name.to_owned(),
        }
    }

    /// Tells when the database changed, whoever changed it.
    pub async fn watch(&self) -> Result<kefu_db::Watch> {
        Ok(self.db.watch().await?)
    }

    pub async fn group_counts(&self) -> Result<GroupCounts> {
        Ok(self.db.group_counts().await?)
    }

    pub async fn buyers(&self, group: &str, offset: i64, limit: i64) -> Result<Vec<BuyerSummary>> {
        let group = Group::parse(group).ok_or_else(|| {
            Error::Usage(format!(
                "group: {group:?} is not one of inquiry, order, shipped, closed"
            ))
        })?;
        Ok(self.db.buyers_in_group(group, offset, limit).await?)
    }

    pub async fn buyer(&self, nick: &str) -> Result<BuyerDetail> {
        Ok(self.db.buyer(&BuyerNick::parse(nick)?, &self.rules).await?)
    }

    pub async fn search(&self, query: &str) -> Result<Vec<BuyerSummary>> {
        Ok(self.db.search(query, 50).await?)
    }

    pub async fn orders(&self, status: &str, limit: i64) -> Result<Vec<Order>> {
        let status = parse_status(status)?;
        Ok(self.db.orders_with_status(status, limit).await?)
    }

    /// Loads the demo shop, generated relative to `now`. Only into an empty database: the
    /// demo must never mix with a shop's real orders.
    pub async fn load_demo(&self, now: DateTime<Utc>) -> Result<Applied> {
        if !self.db.is_empty().await? {
            return Err(Error::Usage(
                "the database already holds orders; the demo shop loads only into an empty one"
                    .to_owned(),
            ));
        }
        Ok(self
            .db
            .apply_orders(&kefu_core::demo::demo_orders(now), &self.rules, now)
            .await?)
    }

    pub async fn is_empty(&self) -> Result<bool> {
        Ok(self.db.is_empty().await?)
    }

    pub async fn set_note(
        &self,
        nick: &str,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<BuyerDetail> {
        if note.chars().count() > 2000 {
            return Err(Error::Usage("note: at most 2000 characters".to_owned()));
        }
        let nick = BuyerNick::parse(nick)?;
        self.db.set_note(&nick, note, &self.agent(), now).await?;
        Ok(self.db.buyer(&nick, &self.rules).await?)
    }

    pub async fn set_tags(
        &self,
        nick: &str,
        tags: &[String],
        now: DateTime<Utc>,
    ) -> Result<BuyerDetail> {
        if tags.len() > 20 || tags.iter().any(|t| t.chars().count() > 16) {
            return Err(Error::Usage(
                "tags: at most 20 tags of at most 16 characters".to_owned(),
            ));
        }
        let nick = BuyerNick::parse(nick)?;
        self.db.set_tags(&nick, tags, &self.agent(), now).await?;
        Ok(self.db.buyer(&nick, &self.rules).await?)
    }
}

/// What an import did, for the summary in the window and on the command line.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ImportReport {
    pub files: Vec<String>,
    /// Data rows read from the files, good and bad.
    pub rows: u64,
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
    pub items: u64,
    pub items_skipped: u64,
    /// Whether anything was written: false when rows were rejected and the user did not
    /// ask to import the good ones.
    pub written: bool,
    pub problems: Vec<Problem>,
}

/// How far an import is, for the progress bar.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct ImportProgress {
    pub stage: &'static str,
    pub done: u64,
    pub total: u64,
}

impl Desk {
    /// Imports order exports. All or nothing by default: if any row is rejected, nothing
    /// is written and every problem is reported; with `skip_bad` the good rows are
    /// written and the rejected ones listed. `keep_going` is asked between steps; when it
    /// says no, the import stops and nothing is written.
    pub async fn import(
        &self,
        paths: &[PathBuf],
        skip_bad: bool,
        now: DateTime<Utc>,
        mut on_progress: impl FnMut(ImportProgress) -> bool,
    ) -> Result<ImportReport> {
        if paths.is_empty() {
            return Err(Error::Usage("import: no file given".to_owned()));
        }
        let mut report = ImportReport::default();
        let mut orders = Vec::new();
        let mut items = Vec::new();
        let total = paths.len() as u64;
        for (done, path) in paths.iter().enumerate() {
            if !on_progress(ImportProgress {
                stage: "read",
                done: done as u64,
                total,
            }) {
                return Err(Error::Db(kefu_db::Error::Cancelled));
            }
            let path = path.clone();
            // Parsing a large export takes seconds: keep it off the async workers.
            let parsed = tokio::task::spawn_blocking(move || {
                kefu_import::read_file(&path, ShopTime::SHANGHAI)
            })
            .await
            .map_err(|e| Error::Unavailable(e.to_string()))??;
            report.files.push(path_name(&paths[done]));
            report.rows += parsed.rows;
            report.rejected += parsed.problems.len() as u64;
            report.problems.extend(parsed.problems);
            orders.extend(parsed.orders);
            items.extend(parsed.items);
        }
        if report.rejected > 0 && !skip_bad {
            return Ok(report);
        }
        let applied = self
            .db
            .apply(orders, &items, &self.rules, now, |done, total| {
                on_progress(ImportProgress {
                    stage: "write",
                    done,
                    total,
                })
            })
            .await?;
        report.new = applied.new;
        report.updated = applied.updated;
        report.unchanged = applied.unchanged;
        report.items = applied.items;
        report.items_skipped = applied.items_skipped;
        report.written = true;
        Ok(report)
    }
}

impl Desk {
    /// The agenda (待办) at `now` of the agent signed in here: follow-ups with no owner
    /// are theirs until routing assigns buyers. Nothing is written.
    pub async fn followups(&self, now: DateTime<Utc>) -> Result<Agenda> {
        Ok(self.db.agenda(now, Some(&self.agent()), 500).await?)
    }

    /// Every agent's agenda at `now`, for support and the supervisor.
    pub async fn everyones_followups(&self, now: DateTime<Utc>) -> Result<Agenda> {
        Ok(self.db.agenda(now, None, 500).await?)
    }

    /// The scheduler's one step: claims and returns what fell due by `now` (each once,
    /// across restarts and PCs), and when the next follow-up falls due.
    pub async fn run_due(
        &self,
        now: DateTime<Utc>,
    ) -> Result<(Vec<FollowUp>, Option<DateTime<Utc>>)> {
        Ok(self.db.run_due(now, &self.rules).await?)
    }

    /// Open follow-ups due by `now`: the tray's count.
    pub async fn due_count(&self, now: DateTime<Utc>) -> Result<i64> {
        Ok(self.db.due_count(now).await?)
    }

    /// Snoozes a follow-up for `choice`: `15m`, `1h` or `tomorrow` (09:00).
    pub async fn snooze(&self, id: i64, choice: &str, now: DateTime<Utc>) -> Result<FollowUp> {
        Ok(self.db.snooze(id, Snooze::parse(choice)?, now).await?)
    }

    pub async fn done(&self, id: i64, now: DateTime<Utc>) -> Result<FollowUp> {
        Ok(self.db.done(id, &self.agent(), now).await?)
    }

    /// Adds a follow-up by hand for a buyer: `promised_answer`, `refund_reply`,
    /// `refund_reply_quick` or `return_receipt`, owned by the agent signed in here.
    pub async fn add_followup(
        &self,
        nick: &str,
        kind: &str,
        order: Option<&str>,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<FollowUp> {
        let nick = BuyerNick::parse(nick)?;
        let kind = Kind::parse(kind)?;
        let order = order
            .filter(|o| !o.trim().is_empty())
            .map(OrderNo::parse)
            .transpose()?;
        let n = note.chars().count();
        if n > 500 {
            return Err(Error::Usage(format!(
                "note: at most 500 characters (got {n})"
            )));
        }
        let planned = kefu_core::agenda::by_hand(kind, order, now, &self.rules)?;
        Ok(self
            .db
            .add_by_hand(&nick, &planned, note, &self.agent(), now)
            .await?)
    }

    /// The open follow-ups of one buyer, for the buyer panel.
    pub async fn followups_of(&self, nick: &str, now: DateTime<Utc>) -> Result<Vec<FollowUp>> {
        Ok(self.db.follow_ups_of(&BuyerNick::parse(nick)?, now).await?)
    }
}

/// The team: accounts, sign-in, states and routing. Every operation checks the signed-in
/// account's role through the core's rules, whatever called it (window, command line).
impl Desk {
    /// Checks a password without changing anything: the command line signs in this way
    /// for each command.
    pub async fn authenticate(&self, name: &str, password: &str) -> Result<Agent> {
        let (agent, stored) = match self.db.agent_credentials(name).await {
            Ok(found) => found,
            Err(kefu_db::Error::NotFound(_)) => return Err(Error::SignIn),
            Err(e) => return Err(e.into()),
        };
        if !crate::signin::verify(password, &stored) {
            return Err(Error::SignIn);
        }
        self.set_account(Some(agent.clone()));
        self.set_agent(&agent.name);
        Ok(agent)
    }

    /// Signs this PC in: the account comes online and its heartbeat starts.
    pub async fn sign_in(&self, name: &str, password: &str, now: DateTime<Utc>) -> Result<Agent> {
        let agent = self.authenticate(name, password).await?;
        self.db
            .set_agent_state(
                &agent,
                &agent.name,
                AgentState::Online,
                &self.team_rules,
                now,
            )
            .await?;
        let agent = self.db.agent(&agent.name).await?;
        self.set_account(Some(agent.clone()));
        Ok(agent)
    }

    fn set_account(&self, agent: Option<Agent>) {
        match self.account.write() {
            Ok(mut g) => *g = agent,
            Err(poisoned) => *poisoned.into_inner() = agent,
        }
    }

    /// The account signed in on this PC.
    pub fn account(&self) -> Result<Agent> {
        let a = match self.account.read() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        a.ok_or(Error::NotSignedIn("this needs a shop account"))
    }

    /// Adds an account. The first account of a shop is its main account and needs no
    /// sign-in (it is the shop's setup); after that only a supervisor or the main account
    /// adds accounts.
    pub async fn create_account(
        &self,
        name: &str,
        role: &str,
        password: &str,
        max_load: u32,
        weight: u32,
        now: DateTime<Utc>,
    ) -> Result<Agent> {
        let role = Role::parse(role)?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 32 {
            return Err(Error::Usage("name: 1 to 32 characters".into()));
        }
        let team = self.db.team(now, &self.team_rules).await?;
        if team.is_empty() {
            if role != Role::Main {
                return Err(Error::Usage(
                    "role: the shop's first account is its main account (--role main)".into(),
                ));
            }
        } else {
            team::allowed(self.account()?.role, Action::ManageAgents)?;
        }
        let hash = crate::signin::hash(password)?;
        Ok(self
            .db
            .add_agent(name, role, &hash, max_load, weight.max(1), now)
            .await?)
    }

    pub async fn team(&self, now: DateTime<Utc>) -> Result<Vec<TeamMember>> {
        Ok(self.db.team(now, &self.team_rules).await?)
    }

    /// Sets a state: one's own (`target` None) or, for a supervisor, a teammate's.
    pub async fn set_state(
        &self,
        target: Option<&str>,
        state: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Routed>> {
        let me = self.account()?;
        let to = AgentState::parse(state)?;
        let target = target.unwrap_or(&me.name).to_owned();
        let moved = self
            .db
            .set_agent_state(&me, &target, to, &self.team_rules, now)
            .await?;
        if let Ok(a) = self.db.agent(&me.name).await {
            self.set_account(Some(a));
        }
        Ok(moved)
    }

    pub async fn heartbeat(&self, now: DateTime<Utc>) -> Result<()> {
        let me = self.account()?;
        Ok(self.db.heartbeat(me.id, now).await?)
    }

    /// A new buyer asks something: routed to an agent, the main account, or the queue.
    /// Any signed-in account may report one (the "new inquiry" action, or a shop's chat
    /// system signed in as an account).
    pub async fn new_inquiry(&self, nick: &str, asked: &str, now: DateTime<Utc>) -> Result<Routed> {
        team::allowed(self.account()?.role, Action::Serve)?;
        let nick = BuyerNick::parse(nick)?;
        if asked.chars().count() > 500 {
            return Err(Error::Usage("asked: at most 500 characters".into()));
        }
        Ok(self
            .db
            .new_inquiry(&nick, asked, &self.team_rules, &self.rules, now)
            .await?)
    }

    pub async fn greet(&self, conversation: i64, now: DateTime<Utc>) -> Result<()> {
        let me = self.account()?;
        Ok(self.db.open_conversation(&me, conversation, now).await?)
    }

    pub async fn close_conversation(&self, nick: &str, now: DateTime<Utc>) -> Result<Vec<Routed>> {
        let me = self.account()?;
        let nick = BuyerNick::parse(nick)?;
        Ok(self
            .db
            .close_conversation(&me, &nick, &self.team_rules, now)
            .await?)
    }

    pub async fn transfer(
        &self,
        nick: &str,
        to: &str,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<Routed> {
        let me = self.account()?;
        let nick = BuyerNick::parse(nick)?;
        Ok(self
            .db
            .transfer(&me, &nick, to, note, &self.team_rules, now)
            .await?)
    }

    /// Open conversations: the signed-in agent's, or everyone's with `all`.
    pub async fn conversations(&self, all: bool) -> Result<Vec<Conversation>> {
        let me = self.account()?;
        Ok(self
            .db
            .conversations(if all { None } else { Some(me.id) })
            .await?)
    }

    /// The routing housekeeping step (late greetings, silent PCs, the queue).
    pub async fn route_due(&self, now: DateTime<Utc>) -> Result<Vec<Routed>> {
        Ok(self.db.route_due(&self.team_rules, now).await?)
    }

    /// For a supervisor (or the main account): buyers waiting too long, each reported once.
    pub async fn queue_alerts(&self, now: DateTime<Utc>) -> Result<Vec<(String, i64)>> {
        team::allowed(self.account()?.role, Action::Schedule)?;
        Ok(self.db.waiting_too_long(&self.team_rules, now).await?)
    }

    pub async fn waiting(&self) -> Result<Vec<(String, i64, String)>> {
        Ok(self.db.waiting().await?)
    }
}

fn path_name(p: &std::path::Path) -> String {
    p.display().to_string()
}

fn parse_status(s: &str) -> Result<OrderStatus> {
    let by_name = match s.trim() {
        "unpaid" | "awaiting_payment" => Some(OrderStatus::AwaitingPayment),
        "paid" | "awaiting_shipment" => Some(OrderStatus::AwaitingShipment),
        "shipped" => Some(OrderStatus::Shipped),
        "success" | "trade_success" => Some(OrderStatus::TradeSuccess),
        "closed" | "trade_closed" => Some(OrderStatus::TradeClosed),
        _ => None,
    };
    match by_name {
        Some(st) => Ok(st),
        None => Ok(OrderStatus::parse(s)?.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    async fn demo_desk(now: DateTime<Utc>) -> (tempfile::TempDir, Desk) {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = DbUrl::from_path(&dir.path().join("desk.db"));
        let desk = Desk::open(&url, &Settings::default()).await.expect("open");
        desk.load_demo(now).await.expect("demo");
        (dir, desk)
    }

    fn noon() -> DateTime<Utc> {
        ShopTime::SHANGHAI
            .parse_local("2026-11-22 12:00:00")
            .expect("time")
    }

    fn chases(list: &[FollowUp]) -> Vec<&FollowUp> {
        list.iter().filter(|f| f.kind == Kind::Chase).collect()
    }

    #[tokio::test]
    async fn a_follow_up_is_announced_exactly_once_across_restarts() {
        let (dir, desk) = demo_desk(noon()).await;
        let (fired, next) = desk.run_due(noon()).await.expect("run");
        assert_eq!(
            chases(&fired).len(),
            12,
            "every unpaid demo buyer's first chase"
        );
        assert!(next.is_some_and(|t| t > noon()));
        assert!(desk.run_due(noon()).await.expect("again").0.is_empty());
        // A second process (or the app after a restart) on the same database.
        let url = DbUrl::from_path(&dir.path().join("desk.db"));
        let again = Desk::open(&url, &Settings::default())
            .await
            .expect("reopen");
        assert!(again
            .run_due(noon() + Duration::minutes(1))
            .await
            .expect("run")
            .0
            .is_empty());
        let c = chases(&fired)[0];
        assert!(
            c.text.contains(&c.nick) && c.text.contains("自动关闭"),
            "{}",
            c.text
        );
        // Announced is not done: the chases stay on the agenda until the agent acts.
        let list = desk.followups(noon()).await.expect("list");
        assert_eq!(chases(&list.due).len(), 12);
        assert!(list.due.iter().all(|f| f.announced));
    }

    #[tokio::test]
    async fn paying_an_order_cancels_its_remaining_chases() {
        let (_dir, desk) = demo_desk(noon()).await;
        desk.run_due(noon()).await.expect("run");
        let list = desk.everyones_followups(noon()).await.expect("list");
        // A buyer with a chase due now and more planned (its final chase).
        let nick = chases(&list.upcoming)
            .iter()
            .find(|c| list.due.iter().any(|d| d.nick == c.nick))
            .map(|c| c.nick.clone());
        // The final chase is 2 h before the close, which may be beyond the next 24 h.
        let nick = match nick {
            Some(n) => n,
            None => chases(&list.due)[0].nick.clone(),
        };
        let mut orders = desk
            .db
            .orders_of(&BuyerNick::parse(&nick).expect("nick"))
            .await
            .expect("orders");
        for o in &mut orders {
            if o.status == OrderStatus::AwaitingPayment {
                o.status = OrderStatus::AwaitingShipment;
                o.paid_at = Some(noon());
            }
        }
        desk.db
            .apply_orders(&orders, &desk.rules, noon())
            .await
            .expect("pay");
        let later = noon() + Duration::hours(80);
        for at in [noon(), later] {
            let list = desk.everyones_followups(at).await.expect("list");
            assert!(
                !list
                    .overdue
                    .iter()
                    .chain(&list.due)
                    .chain(&list.upcoming)
                    .any(|c| c.nick == nick && c.kind == Kind::Chase),
                "no chase of {nick} left at {at}"
            );
        }
        // Not announced later either.
        let (fired, _) = desk.run_due(later).await.expect("run");
        assert!(!fired
            .iter()
            .any(|f| f.nick == nick && f.kind == Kind::Chase));
    }

    #[tokio::test]
    async fn snooze_done_and_by_hand() {
        let (_dir, desk) = demo_desk(noon()).await;
        desk.run_due(noon()).await.expect("run");
        let list = desk.followups(noon()).await.expect("list");
        let first = chases(&list.due)[0].clone();

        let s = desk.snooze(first.id, "1h", noon()).await.expect("snooze");
        assert_eq!(s.due_at, noon() + Duration::hours(1));
        assert!(!s.announced);
        let list = desk.followups(noon()).await.expect("list");
        assert!(!list.due.iter().any(|f| f.id == first.id));
        assert!(list.upcoming.iter().any(|f| f.id == first.id));
        // Announced again when the snooze ends, once.
        let (fired, _) = desk
            .run_due(noon() + Duration::hours(1))
            .await
            .expect("run");
        assert_eq!(fired.iter().filter(|f| f.id == first.id).count(), 1);

        desk.done(first.id, noon()).await.expect("done");
        assert!(desk.done(first.id, noon()).await.is_err(), "done once");
        let list = desk
            .followups(noon() + Duration::hours(2))
            .await
            .expect("list");
        assert!(!list
            .overdue
            .iter()
            .chain(&list.due)
            .any(|f| f.id == first.id));

        let promised = desk
            .add_followup(&first.nick, "promised_answer", None, "尺码表", noon())
            .await
            .expect("add");
        assert_eq!(promised.due_at, noon() + Duration::hours(20));
        assert_eq!(promised.expires_at, Some(noon() + Duration::hours(24)));
        assert_eq!(promised.owner, desk.agent());
        assert!(desk
            .add_followup("不存在的买家", "promised_answer", None, "", noon())
            .await
            .is_err());
        assert!(desk
            .add_followup(&first.nick, "chase", None, "", noon())
            .await
            .is_err());
        // An order number that is not this buyer's is refused by name.
        let err = desk
            .add_followup(&first.nick, "refund_reply", Some("1"), "", noon())
            .await
            .expect_err("not the buyer's order");
        assert_eq!(err.code(), "not_found");
        assert!(err.to_string().contains("order 1 of buyer"), "{err}");
        let long = "字".repeat(501);
        let err = desk
            .add_followup(&first.nick, "promised_answer", None, &long, noon())
            .await
            .expect_err("a note too long");
        assert!(err.to_string().starts_with("note:"), "{err}");
    }
}
