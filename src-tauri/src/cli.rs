//! The command line: every capability that makes sense without a window, for scripts,
//! tests and support. Each command calls the same `Desk` operation as the window does.

use std::io::Write;
use std::process::ExitCode;

use chrono::Utc;
use kefu_core::ShopTime;
use serde::Serialize;

use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::settings::{settings_path, Settings};

pub const USAGE: &str = "\
Kefu Desk (客服工作台)

Usage:
  kefu-desk                         open the workbench window
  kefu-desk demo [--if-empty]       load the demo shop into an empty database
  kefu-desk groups                  buyers per group (咨询/订单/发货/成交)
  kefu-desk buyers --group G [--offset N] [--limit N]
                                    a group's buyers, in the workbench's order
  kefu-desk buyer NICK              one buyer with its orders, note and tags
  kefu-desk search TEXT             buyers by nick prefix or by order number
  kefu-desk import FILE... [--skip-bad]
                                    import order exports (ExportOrderList*.csv, ExportOrderDetailList*.csv);
                                    all or nothing unless --skip-bad; exits 1 when rows were rejected
  kefu-desk followups [--at TIME] [--all]
                                    the agenda (待办): overdue, due and upcoming (next 24 h)
                                    follow-ups now, or as planned at TIME (shop time
                                    \"YYYY-MM-DD HH:MM\"), with kind and owner; --all lists
                                    every agent's; nothing is recorded
  kefu-desk followup done ID        mark a follow-up done
  kefu-desk followup snooze ID 15m|1h|tomorrow
  kefu-desk followup add NICK --kind K [--order NO] [--note TEXT]
                                    a follow-up by hand: promised_answer (due in 20 h),
                                    refund_reply, refund_reply_quick, return_receipt
  kefu-desk account add NAME --role main|supervisor|agent [--max-load N] [--weight N]
                                    a shop account (password from KEFU_NEW_PASSWORD); the
                                    first is the main account, later ones need --as a
                                    supervisor or the main account
  kefu-desk team                    accounts with state, presence and load
  kefu-desk state online|suspended|offline [--agent NAME]
                                    one's own state, or a teammate's (supervisor)
  kefu-desk inquiry NICK [--asked TEXT]
                                    a new buyer asks: routed to an agent, the main account
                                    or the queue, with the reason (for a shop's chat system)
  kefu-desk greet CONVERSATION      the agent opened a conversation (within 30 s)
  kefu-desk transfer NICK --to NAME [--note TEXT]
  kefu-desk close NICK              end a conversation (Esc), freeing the load
  kefu-desk conversations [--all]   open conversations, the queue with --all
  kefu-desk route                   re-route late greetings and silent PCs, serve the queue
  kefu-desk orders --status S [--limit N]
                                    orders with a status (unpaid, paid, shipped, success, closed)

Team commands sign in with --as NAME and the password in KEFU_PASSWORD (never on the
command line, where other users could read it).

Options for every command:
  --db URL     database (sqlite: URL or file path); default: KEFU_DB, then the settings,
               then kefu.db in the app-data folder
  --json       machine-readable output
";

const COMMANDS: [&str; 20] = [
    "demo",
    "groups",
    "buyers",
    "buyer",
    "search",
    "orders",
    "import",
    "followups",
    "followup",
    "account",
    "team",
    "state",
    "inquiry",
    "greet",
    "transfer",
    "close",
    "conversations",
    "route",
    "help",
    "--help",
];

/// Whether these arguments ask for the command line rather than the window.
pub fn wants_cli(args: &[String]) -> bool {
    args.first()
        .is_some_and(|a| COMMANDS.contains(&a.as_str()) || a == "--version" || !a.starts_with('-'))
}

struct Args {
    command: String,
    positional: Vec<String>,
    db: Option<String>,
    json: bool,
    flags: Vec<(String, Option<String>)>,
}

impl Args {
    fn parse(raw: &[String]) -> Result<Args> {
        let mut it = raw.iter();
        let command = it.next().cloned().unwrap_or_default();
        let mut a = Args {
            command,
            positional: Vec::new(),
            db: None,
            json: false,
            flags: Vec::new(),
        };
        while let Some(arg) = it.next() {
            match arg.as_str() {
                "--json" => a.json = true,
                "--db" => {
                    a.db = Some(
                        it.next()
                            .cloned()
                            .ok_or_else(|| Error::Usage("--db needs a URL".into()))?,
                    )
                }
                "--if-empty" | "--skip-bad" | "--all" => a.flags.push((arg.clone(), None)),
                "--group" | "--status" | "--limit" | "--offset" | "--at" | "--kind" | "--order"
                | "--note" | "--as" | "--role" | "--max-load" | "--weight" | "--agent"
                | "--asked" | "--to" => {
                    let v = it
                        .next()
                        .cloned()
                        .ok_or_else(|| Error::Usage(format!("{arg} needs a value")))?;
                    a.flags.push((arg.clone(), Some(v)));
                }
                s if s.starts_with("--") => {
                    return Err(Error::Usage(format!("unknown option {s}")))
                }
                _ => a.positional.push(arg.clone()),
            }
        }
        Ok(a)
    }

    fn flag(&self, name: &str) -> Option<&str> {
        self.flags
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.as_deref())
    }

    fn has(&self, name: &str) -> bool {
        self.flags.iter().any(|(n, _)| n == name)
    }

    fn number(&self, name: &str, default: i64) -> Result<i64> {
        match self.flag(name) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| Error::Usage(format!("{name}: {v:?} is not a whole number"))),
        }
    }

    fn one_positional(&self, what: &str) -> Result<&str> {
        match self.positional.as_slice() {
            [one] => Ok(one),
            _ => Err(Error::Usage(format!("{} takes one {what}", self.command))),
        }
    }
}

pub fn run(raw: &[String]) -> ExitCode {
    let json = raw.iter().any(|a| a == "--json");
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return fail(&Error::Internal(format!("async runtime: {e}")), json),
    };
    match runtime.block_on(dispatch(raw)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e, json),
    }
}

fn fail(e: &Error, json: bool) -> ExitCode {
    if let Error::Rejected(_) = e {
        // The report, with every problem, is already printed.
        if !json {
            eprintln!("kefu-desk: {e}");
        }
        return ExitCode::FAILURE;
    }
    if json {
        println!("{}", serde_json::json!({ "error": e }));
    } else {
        eprintln!("kefu-desk: {e}");
        if matches!(e, Error::Usage(_)) {
            eprintln!("Run `kefu-desk help` for usage.");
        }
    }
    ExitCode::from(if matches!(e, Error::Usage(_)) { 2 } else { 1 })
}

async fn dispatch(raw: &[String]) -> Result<()> {
    let args = Args::parse(raw)?;
    match args.command.as_str() {
        "help" | "--help" => {
            print!("{USAGE}");
            return Ok(());
        }
        "--version" => {
            println!("kefu-desk {}", env!("CARGO_PKG_VERSION"));
            return Ok(());
        }
        c if !COMMANDS.contains(&c) => return Err(Error::Usage(format!("unknown command {c:?}"))),
        _ => {}
    }
    let settings = Settings::load(&settings_path()?)?;
    let desk = Desk::open(&settings.database(args.db.as_deref())?, &settings).await?;
    let now = crate::clock::now();
    if let Some(name) = args.flag("--as") {
        let password = std::env::var("KEFU_PASSWORD")
            .map_err(|_| Error::Usage("--as needs the password in KEFU_PASSWORD".into()))?;
        desk.authenticate(name, &password).await?;
    }
    let out = &mut std::io::stdout().lock();
    match args.command.as_str() {
        "demo" => {
            if args.has("--if-empty") && !desk.is_empty().await? {
                return emit(out, args.json, &serde_json::json!({"loaded": false}), |w| {
                    writeln!(w, "the database already holds orders; demo not loaded")
                });
            }
            let applied = desk.load_demo(now).await?.value;
            emit(out, args.json, &applied, |w| {
                writeln!(w, "demo shop loaded: {} orders", applied.new)
            })
        }
        "groups" => {
            let c = desk.group_counts().await?;
            emit(out, args.json, &c, |w| {
                writeln!(w, "咨询 inquiry  {:>8}", c.inquiry)?;
                writeln!(w, "订单 order    {:>8}", c.order)?;
                writeln!(w, "发货 shipped  {:>8}", c.shipped)?;
                writeln!(w, "成交 closed   {:>8}", c.closed)
            })
        }
        "buyers" => {
            let group = args
                .flag("--group")
                .ok_or_else(|| Error::Usage("buyers needs --group".into()))?;
            let list = desk
                .buyers(
                    group,
                    args.number("--offset", 0)?,
                    args.number("--limit", 50)?,
                )
                .await?;
            emit(out, args.json, &list, |w| {
                for b in &list {
                    let close = b.next_close_at.map(shop_time).unwrap_or_default();
                    writeln!(w, "{}\t{} orders\t{}", b.nick, b.order_count, close)?;
                }
                Ok(())
            })
        }
        "buyer" => {
            let d = desk.buyer(args.one_positional("nick")?).await?;
            emit(out, args.json, &d, |w| {
                writeln!(w, "{} ({})", d.summary.nick, d.summary.group.label())?;
                for o in &d.orders {
                    writeln!(
                        w,
                        "  {}  {}  ¥{}  {}",
                        o.no,
                        o.status.label(),
                        o.total,
                        shop_time(o.created_at)
                    )?;
                }
                Ok(())
            })
        }
        "search" => {
            let list = desk.search(args.one_positional("search text")?).await?;
            emit(out, args.json, &list, |w| {
                for b in &list {
                    writeln!(w, "{}\t{}", b.nick, b.group.label())?;
                }
                Ok(())
            })
        }
        "import" => {
            let paths: Vec<std::path::PathBuf> = args.positional.iter().map(Into::into).collect();
            let report = desk
                .import(&paths, args.has("--skip-bad"), now, |_| true)
                .await?
                .value;
            emit(out, args.json, &report, |w| {
                writeln!(
                    w,
                    "read {} rows from {} file(s)",
                    report.rows,
                    report.files.len()
                )?;
                for p in &report.problems {
                    writeln!(w, "rejected: {p}")?;
                }
                if report.written {
                    writeln!(
                        w,
                        "orders: {} new, {} updated, {} unchanged; {} rejected; items: {} stored, {} for unknown orders",
                        report.new, report.updated, report.unchanged, report.rejected, report.items, report.items_skipped
                    )
                } else {
                    writeln!(w, "{} row(s) rejected; nothing was imported (use --skip-bad to import the good rows)", report.rejected)
                }
            })?;
            if report.rejected > 0 {
                return Err(Error::Rejected(report.rejected));
            }
            Ok(())
        }
        "followups" => {
            let at = match args.flag("--at") {
                Some(t) => ShopTime::SHANGHAI.parse_local(t)?,
                None => now,
            };
            let list = if args.has("--all") {
                desk.everyones_followups(at).await?
            } else {
                desk.followups(at).await?
            };
            emit(out, args.json, &list, |w| {
                for (label, items) in [
                    ("overdue", &list.overdue),
                    ("due", &list.due),
                    ("upcoming", &list.upcoming),
                ] {
                    for f in items {
                        writeln!(
                            w,
                            "{label}\t#{}\t{}\t{}{}\t{}\t¥{}\t{}\towner {}",
                            f.id,
                            shop_time(f.due_at),
                            f.kind.code(),
                            f.step.map(|s| format!(" ({s:?})")).unwrap_or_default(),
                            f.nick,
                            f.amount,
                            f.expires_at
                                .map(|t| format!("until {}", shop_time(t)))
                                .unwrap_or_default(),
                            if f.owner.is_empty() {
                                desk.agent()
                            } else {
                                f.owner.clone()
                            }
                        )?;
                    }
                }
                Ok(())
            })
        }
        "followup" => {
            let (action, rest) = args
                .positional
                .split_first()
                .ok_or_else(|| Error::Usage("followup needs done, snooze or add".into()))?;
            let id = |raw: Option<&String>| -> Result<i64> {
                raw.and_then(|v| v.trim_start_matches('#').parse().ok())
                    .ok_or_else(|| Error::Usage("followup: expected a follow-up number".into()))
            };
            let f = match (action.as_str(), rest) {
                ("done", [n]) => desk.done(id(Some(n))?, now).await?.value,
                ("snooze", [n, choice]) => desk.snooze(id(Some(n))?, choice, now).await?.value,
                ("add", [nick]) => {
                    let kind = args
                        .flag("--kind")
                        .ok_or_else(|| Error::Usage("followup add needs --kind".into()))?;
                    desk.add_followup(
                        nick,
                        kind,
                        args.flag("--order"),
                        args.flag("--note").unwrap_or(""),
                        now,
                    )
                    .await?
                    .value
                }
                _ => {
                    return Err(Error::Usage(
                        "followup done ID | snooze ID 15m|1h|tomorrow | add NICK --kind K".into(),
                    ))
                }
            };
            emit(out, args.json, &f, |w| {
                writeln!(
                    w,
                    "#{}\t{}\t{}\t{}",
                    f.id,
                    f.kind.code(),
                    f.nick,
                    shop_time(f.due_at)
                )
            })
        }
        "account" => {
            let name = match args.positional.as_slice() {
                [add, name] if add == "add" => name,
                _ => return Err(Error::Usage("account add NAME --role R".into())),
            };
            let role = args
                .flag("--role")
                .ok_or_else(|| Error::Usage("account add needs --role".into()))?;
            let password = std::env::var("KEFU_NEW_PASSWORD").map_err(|_| {
                Error::Usage("account add needs the new password in KEFU_NEW_PASSWORD".into())
            })?;
            let count = |flag: &str, default: i64| -> Result<u32> {
                u32::try_from(args.number(flag, default)?)
                    .map_err(|_| Error::Usage(format!("{flag}: 0 or more")))
            };
            let a = desk
                .create_account(
                    name,
                    role,
                    &password,
                    count("--max-load", 8)?,
                    count("--weight", 1)?,
                    now,
                )
                .await?
                .value;
            emit(out, args.json, &a, |w| {
                writeln!(w, "account {} ({}) added", a.name, a.role.code())
            })
        }
        "team" => {
            let team = desk.team(now).await?;
            emit(out, args.json, &team, |w| {
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
        "state" => {
            let state = args.one_positional("state")?;
            let moved = desk
                .set_state(args.flag("--agent"), state, now)
                .await?
                .value;
            emit_moved(out, args.json, &moved)
        }
        "inquiry" => {
            let nick = args.one_positional("buyer nick")?;
            let r = desk
                .new_inquiry(nick, args.flag("--asked").unwrap_or(""), now)
                .await?
                .value;
            emit(out, args.json, &r, |w| {
                writeln!(
                    w,
                    "{}\t{}\t{}",
                    r.nick,
                    r.agent.as_deref().unwrap_or("(waiting)"),
                    r.reason
                )
            })
        }
        "greet" => {
            let id = args.one_positional("conversation number")?;
            let id: i64 = id
                .trim_start_matches('#')
                .parse()
                .map_err(|_| Error::Usage(format!("greet: {id:?} is not a conversation number")))?;
            let () = desk.greet(id, now).await?.value;
            emit(out, args.json, &serde_json::json!({"greeted": id}), |w| {
                writeln!(w, "conversation #{id} opened")
            })
        }
        "transfer" => {
            let nick = args.one_positional("buyer nick")?;
            let to = args
                .flag("--to")
                .ok_or_else(|| Error::Usage("transfer needs --to NAME".into()))?;
            let r = desk
                .transfer(nick, to, args.flag("--note").unwrap_or(""), now)
                .await?
                .value;
            emit(out, args.json, &r, |w| {
                writeln!(w, "{}\t{}", r.nick, r.reason)
            })
        }
        "close" => {
            let nick = args.one_positional("buyer nick")?;
            let moved = desk.close_conversation(nick, now).await?.value;
            emit_moved(out, args.json, &moved)
        }
        "conversations" => {
            let all = args.has("--all");
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
            emit(out, args.json, &value, |w| {
                for c in &open {
                    writeln!(w, "#{}\t{}\t{}\t{}", c.id, c.buyer_nick, c.agent, c.reason)?;
                }
                for (n, _, asked) in &waiting {
                    writeln!(w, "waiting\t{n}\t{asked}")?;
                }
                Ok(())
            })
        }
        "route" => {
            let moved = desk.route_due(now).await?.value;
            emit_moved(out, args.json, &moved)
        }
        "orders" => {
            let status = args
                .flag("--status")
                .ok_or_else(|| Error::Usage("orders needs --status".into()))?;
            let list = desk.orders(status, args.number("--limit", 100)?).await?;
            emit(out, args.json, &list, |w| {
                for o in &list {
                    writeln!(
                        w,
                        "{}\t{}\t¥{}\t{}",
                        o.no,
                        o.buyer,
                        o.total,
                        shop_time(o.created_at)
                    )?;
                }
                Ok(())
            })
        }
        _ => Err(Error::Usage(format!("unknown command {:?}", args.command))),
    }
}

fn shop_time(t: chrono::DateTime<Utc>) -> String {
    ShopTime::SHANGHAI
        .local(t)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn emit_moved(out: &mut impl Write, json: bool, moved: &[kefu_db::Routed]) -> Result<()> {
    emit(out, json, &moved, |w| {
        for r in moved {
            writeln!(
                w,
                "{}\t{}\t{}",
                r.nick,
                r.agent.as_deref().unwrap_or("(waiting)"),
                r.reason
            )?;
        }
        Ok(())
    })
}

fn emit<T: Serialize>(
    out: &mut impl Write,
    json: bool,
    value: &T,
    text: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let written = if json {
        serde_json::to_writer_pretty(&mut *out, value)
            .map_err(std::io::Error::other)
            .and_then(|()| writeln!(out))
    } else {
        text(out)
    };
    // A closed pipe (`kefu-desk orders | head`) is not an error worth a message.
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Error::Io(format!("writing the output: {e}")))
        }
        _ => Ok(()),
    }
}
