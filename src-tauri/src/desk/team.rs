//! The team: accounts, sign-in, states and routing.

use chrono::{DateTime, Utc};
use kefu_core::team::{self, Action, Agent, AgentState, Role};
use kefu_core::{AccountName, Asked, BuyerNick};
use kefu_db::{Conversation, Routed, SignedIn, TeamMember};

use super::{Change, Changed, Desk};
use crate::error::{Error, Result};

/// The team: accounts, sign-in, states and routing. Every operation checks the signed-in
/// account's role through the core's rules, whatever called it (window, command line).
impl Desk {
    /// Checks a password, signing this process in as the account: the command line signs
    /// in this way for each command. The password is hashed here with the account's salt
    /// and the hash compared in the database (on a team database by the database itself,
    /// which never shows a hash to a PC). After five wrong passwords in a row a name waits
    /// (kefu-core's `team::sign_in`), on every PC; an unknown name is hashed all the same,
    /// so that neither the answer nor its time tells which names exist.
    pub async fn authenticate(
        &self,
        name: &str,
        password: &str,
        now: DateTime<Utc>,
    ) -> Result<Agent> {
        let salt = self.db.password_salt(name).await?;
        let hash = crate::signin::hash_with_salt(password, salt.as_deref());
        let agent = match self.db.sign_in(name, &hash, now).await? {
            SignedIn::As(agent) => agent,
            SignedIn::Wrong => return Err(Error::SignIn),
            SignedIn::Wait(seconds) => {
                return Err(Error::Invalid(kefu_core::Error::Throttled { seconds }))
            }
        };
        self.set_account(Some(agent.clone()));
        self.set_agent(&agent.name);
        Ok(agent)
    }

    /// Signs this PC in: the account comes online and its heartbeat starts.
    pub async fn sign_in(
        &self,
        name: &str,
        password: &str,
        now: DateTime<Utc>,
    ) -> Result<Changed<Agent>> {
        let agent = self.authenticate(name, password, now).await?;
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
        Ok(Changed::one(agent, Change::Team))
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
    ) -> Result<Changed<Agent>> {
        let role = Role::parse(role)?;
        let name = AccountName::parse(name)?;
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
        let agent = self
            .db
            .add_agent(name.as_str(), role, &hash, max_load, weight.max(1), now)
            .await?;
        Ok(Changed::one(agent, Change::Team))
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
    ) -> Result<Changed<Vec<Routed>>> {
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
        Ok(Changed::one(moved, Change::Team))
    }

    /// This PC's account is present. Other PCs change the team too, so the beat also
    /// reports the team as changed: the panel refreshes on every beat.
    pub async fn heartbeat(&self, now: DateTime<Utc>) -> Result<Changed<()>> {
        let me = self.account()?;
        if self.db.heartbeat(me.id, now, &self.team_rules).await? {
            // Back from a silence: the account's state is what it chose again.
            self.set_account(Some(self.db.agent(&me.name).await?));
        }
        Ok(Changed::one((), Change::Team))
    }

    /// A new buyer asks something: routed to an agent, the main account, or the queue.
    /// Any signed-in account may report one (the "new inquiry" action, or a shop's chat
    /// system signed in as an account).
    pub async fn new_inquiry(
        &self,
        nick: &str,
        asked: &str,
        now: DateTime<Utc>,
    ) -> Result<Changed<Routed>> {
        team::allowed(self.account()?.role, Action::Serve)?;
        let nick = BuyerNick::parse(nick)?;
        let asked = Asked::parse(asked)?;
        let routed = self
            .db
            .new_inquiry(&nick, asked.as_str(), &self.team_rules, &self.rules, now)
            .await?;
        Ok(Changed::new(routed, vec![Change::Team, Change::Buyers]))
    }

    pub async fn greet(&self, conversation: i64, now: DateTime<Utc>) -> Result<Changed<()>> {
        let me = self.account()?;
        self.db.open_conversation(&me, conversation, now).await?;
        Ok(Changed::one((), Change::Team))
    }

    pub async fn close_conversation(
        &self,
        nick: &str,
        now: DateTime<Utc>,
    ) -> Result<Changed<Vec<Routed>>> {
        let me = self.account()?;
        let nick = BuyerNick::parse(nick)?;
        let moved = self
            .db
            .close_conversation(&me, &nick, &self.team_rules, now)
            .await?;
        Ok(Changed::one(moved, Change::Team))
    }

    pub async fn transfer(
        &self,
        nick: &str,
        to: &str,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<Changed<Routed>> {
        let me = self.account()?;
        let nick = BuyerNick::parse(nick)?;
        let note = kefu_core::TransferNote::parse(note)?;
        let routed = self
            .db
            .transfer(&me, &nick, to, note.as_str(), &self.team_rules, now)
            .await?;
        Ok(Changed::one(routed, Change::Team))
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
    pub async fn route_due(&self, now: DateTime<Utc>) -> Result<Changed<Vec<Routed>>> {
        let moved = self.db.route_due(&self.team_rules, now).await?;
        let changes = if moved.is_empty() {
            Vec::new()
        } else {
            vec![Change::Team]
        };
        Ok(Changed::new(moved, changes))
    }

    /// For a supervisor (or the main account): buyers waiting too long, each reported once.
    pub async fn queue_alerts(&self, now: DateTime<Utc>) -> Result<Changed<()>> {
        team::allowed(self.account()?.role, Action::Schedule)?;
        let late = self.db.waiting_too_long(&self.team_rules, now).await?;
        let changes = if late.is_empty() {
            Vec::new()
        } else {
            vec![Change::QueueLate(late)]
        };
        Ok(Changed::new((), changes))
    }

    pub async fn waiting(&self) -> Result<Vec<(String, i64, String)>> {
        Ok(self.db.waiting().await?)
    }
}
