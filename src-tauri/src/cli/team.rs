//! The team: accounts, states, inquiries, conversations and routing. Each command signs in
//! with `--as` (see `dispatch`); the core's rules decide what the account may do.

use chrono::{DateTime, Utc};
use clap::Subcommand;

use super::Out;
use crate::desk::Desk;
use crate::error::{Error, Result};

#[derive(Debug, Subcommand)]
pub(super) enum Account {
    /// A shop account (password from KEFU_NEW_PASSWORD); the first is the main account,
    /// later ones need --as a supervisor or the main account
    Add {
        name: String,
        /// main, supervisor or agent
        #[arg(long)]
        role: String,
        /// Buyers served at once
        #[arg(long, default_value_t = 8)]
        max_load: u32,
        /// Share of new buyers, relative to teammates
        #[arg(long, default_value_t = 1)]
        weight: u32,
    },
}

pub(super) async fn account(
    desk: &Desk,
    out: &mut Out,
    action: Account,
    now: DateTime<Utc>,
) -> Result<()> {
    let Account::Add {
        name,
        role,
        max_load,
        weight,
    } = action;
    // From the environment: on the command line other users could read it.
    let password = std::env::var("KEFU_NEW_PASSWORD").map_err(|_| {
        Error::Usage("account add needs the new password in KEFU_NEW_PASSWORD".into())
    })?;
    let a = desk
        .create_account(&name, &role, &password, max_load, weight, now)
        .await?
        .value;
    out.emit(&a, |w| {
        writeln!(w, "account {} ({}) added", a.name, a.role.code())
    })
}

pub(super) async fn team(desk: &Desk, out: &mut Out, now: DateTime<Utc>) -> Result<()> {
    let team = desk.team(now).await?;
    out.emit(&team, |w| {
        for m in &team {
            writeln!(
                w,
                "{}\t{}\t{}\tload {}/{}\tweight {}{}",
                m.agent.name,
                m.agent.role.code(),
                m.presence.code(),
                m.agent.load,
                m.agent.max_load,
                m.agent.weight,
                if m.agent.in_routing {
                    ""
                } else {
                    "\tnot routing"
                }
            )?;
        }
        Ok(())
    })
}

pub(super) async fn state(
    desk: &Desk,
    out: &mut Out,
    state: &str,
    agent: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    let moved = desk.set_state(agent, state, now).await?.value;
    out.moved(&moved)
}

pub(super) async fn inquiry(
    desk: &Desk,
    out: &mut Out,
    nick: &str,
    asked: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let r = desk.new_inquiry(nick, asked, now).await?.value;
    out.emit(&r, |w| {
        writeln!(
            w,
            "{}\t{}\t{}",
            r.nick,
            r.agent.as_deref().unwrap_or("(waiting)"),
            r.reason
        )
    })
}

pub(super) async fn greet(desk: &Desk, out: &mut Out, id: i64, now: DateTime<Utc>) -> Result<()> {
    let () = desk.greet(id, now).await?.value;
    out.emit(&serde_json::json!({"greeted": id}), |w| {
        writeln!(w, "conversation #{id} opened")
    })
}

pub(super) async fn transfer(
    desk: &Desk,
    out: &mut Out,
    nick: &str,
    to: &str,
    note: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let r = desk.transfer(nick, to, note, now).await?.value;
    out.emit(&r, |w| writeln!(w, "{}\t{}", r.nick, r.reason))
}

pub(super) async fn close(
    desk: &Desk,
    out: &mut Out,
    nick: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let moved = desk.close_conversation(nick, now).await?.value;
    out.moved(&moved)
}

pub(super) async fn conversations(desk: &Desk, out: &mut Out, all: bool) -> Result<()> {
    let open = desk.conversations(all).await?;
    let waiting = if all {
        desk.waiting().await?
    } else {
        Vec::new()
    };
    let value = serde_json::json!({
        "open": open,
        "waiting": waiting
            .iter()
            .map(|(n, since, asked)| serde_json::json!({"nick": n, "since": since, "asked": asked}))
            .collect::<Vec<_>>(),
    });
    out.emit(&value, |w| {
        for c in &open {
            writeln!(w, "#{}\t{}\t{}\t{}", c.id, c.buyer_nick, c.agent, c.reason)?;
        }
        for (n, _, asked) in &waiting {
            writeln!(w, "waiting\t{n}\t{asked}")?;
        }
        Ok(())
    })
}

pub(super) async fn route(desk: &Desk, out: &mut Out, now: DateTime<Utc>) -> Result<()> {
    let moved = desk.route_due(now).await?.value;
    out.moved(&moved)
}
