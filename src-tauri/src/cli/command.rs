//! The command line's definitions: one derived definition per command gives the parser,
//! the help and the checks (clap). What each command does is in `super::dispatch`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use super::{agenda, phrases, schedule, team};

#[derive(Debug, Parser)]
#[command(
    name = "kefu-desk",
    version,
    about = "Kefu Desk (客服工作台)",
    long_about = "Kefu Desk (客服工作台). With no command, opens the workbench window.",
    after_help = "Team commands sign in with --as NAME and the password in KEFU_PASSWORD (never on \
                  the command line, where other users could read it)."
)]
pub(super) struct Cli {
    #[command(subcommand)]
    pub(super) command: Command,
    /// Database (sqlite: URL or file path); default: KEFU_DB, then the settings, then kefu.db
    /// in the app-data folder
    #[arg(long, global = true, value_name = "URL")]
    pub(super) db: Option<String>,
    /// Machine-readable output
    #[arg(long, global = true)]
    pub(super) json: bool,
    /// Sign in as this shop account (password in KEFU_PASSWORD)
    #[arg(long = "as", global = true, value_name = "NAME")]
    pub(super) account: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(super) enum Command {
    /// Load the demo shop into an empty database
    Demo {
        /// Do nothing (and succeed) when the database already holds orders
        #[arg(long)]
        if_empty: bool,
    },
    /// Buyers per group (咨询/订单/发货/成交)
    Groups,
    /// A group's buyers, in the workbench's order
    Buyers {
        /// inquiry, order, shipped or closed
        #[arg(long)]
        group: String,
        #[arg(long, default_value_t = 0)]
        offset: i64,
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// One buyer with its orders, note and tags
    Buyer { nick: String },
    /// Save a buyer's shared note and tags in one write (a part left out is kept)
    Note {
        nick: String,
        /// The note ("" clears it)
        #[arg(long, value_name = "TEXT")]
        text: Option<String>,
        /// Tags separated by spaces ("" clears them)
        #[arg(long, value_name = "TAGS")]
        tags: Option<String>,
        /// Save only if nobody saved since this version (as `buyer` prints it); exits 1
        /// with code "conflict" otherwise
        #[arg(long, value_name = "N")]
        version: Option<i64>,
    },
    /// Buyers by nick prefix or by order number
    Search { text: String },
    /// Import order exports (ExportOrderList*.csv, ExportOrderDetailList*.csv, .xlsx); all or
    /// nothing unless --skip-bad; exits 1 when rows were rejected
    Import {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Import the good rows and list the rejected ones
        #[arg(long)]
        skip_bad: bool,
    },
    /// The agenda (待办): overdue, due and upcoming (next 24 h) follow-ups, with kind and
    /// owner; nothing is recorded
    Followups {
        /// As planned at this shop time ("YYYY-MM-DD HH:MM") instead of now
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
        /// Every agent's follow-ups
        #[arg(long)]
        all: bool,
    },
    /// Act on one follow-up: done, snooze, or add one by hand
    Followup {
        #[command(subcommand)]
        action: agenda::Followup,
    },
    /// Shop accounts
    Account {
        #[command(subcommand)]
        action: team::Account,
    },
    /// Accounts with state, presence and load
    Team,
    /// The shift schedule (排班): weeks, shifts, suggestion, publishing
    Schedule {
        #[command(subcommand)]
        action: schedule::Schedule,
    },
    /// One's own state, or a teammate's (supervisor)
    State {
        /// online, suspended or offline
        state: String,
        /// The teammate whose state to set
        #[arg(long, value_name = "NAME")]
        agent: Option<String>,
    },
    /// A new buyer asks: routed to an agent, the main account or the queue, with the reason
    /// (for a shop's chat system)
    Inquiry {
        nick: String,
        /// What the buyer asked
        #[arg(long, value_name = "TEXT", default_value = "")]
        asked: String,
    },
    /// The agent opened a conversation (within 30 s)
    Greet {
        #[arg(value_parser = numbered)]
        conversation: i64,
    },
    /// Hand a buyer to a teammate
    Transfer {
        nick: String,
        #[arg(long, value_name = "NAME")]
        to: String,
        #[arg(long, value_name = "TEXT", default_value = "")]
        note: String,
    },
    /// End a conversation (Esc), freeing the load
    Close { nick: String },
    /// Open conversations, the queue with --all
    Conversations {
        #[arg(long)]
        all: bool,
    },
    /// Re-route late greetings and silent PCs, serve the queue
    Route,
    /// Quick phrases (快捷短语): list, find, use, add, insert, edit, delete, move, to-group, import, export
    Phrases {
        #[command(subcommand)]
        action: phrases::Phrases,
    },
    /// 绩效: each agent's and the team's figures for shop days FROM to TO (an agent sees its
    /// own), optionally day by day, and exported to .xlsx or CSV
    Kpi {
        /// First day, YYYY-MM-DD
        #[arg(long)]
        from: String,
        /// Last day (default: FROM)
        #[arg(long)]
        to: Option<String>,
        /// agent (the period's figures) or day (each day's too)
        #[arg(long, default_value = "agent")]
        by: String,
        /// Write a workbook: a summary sheet and a sheet per agent and day
        #[arg(long, value_name = "FILE")]
        xlsx: Option<std::path::PathBuf>,
        /// Write CSV (UTF-8 with BOM)
        #[arg(long, value_name = "FILE")]
        csv: Option<std::path::PathBuf>,
    },
    /// A message the shop's chat system saw (for 绩效's response times): the buyer's, or the
    /// agent's signed in here; the text is kept only where the settings say so
    Message {
        nick: String,
        /// buyer or agent
        #[arg(long, default_value = "buyer")]
        from: String,
        #[arg(long)]
        text: Option<String>,
    },
    /// Orders with a status
    Orders {
        /// unpaid, paid, shipped, success or closed
        #[arg(long)]
        status: String,
        #[arg(long, default_value_t = 100)]
        limit: i64,
    },
}

/// A follow-up or conversation number, as printed (`#42`) or bare.
pub(super) fn numbered(raw: &str) -> std::result::Result<i64, String> {
    raw.trim_start_matches('#')
        .parse()
        .map_err(|_| format!("{raw:?} is not a number"))
}
