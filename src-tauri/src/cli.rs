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
  kefu-desk followups [--at TIME]   payment chases due now (or at TIME, shop time
                                    \"YYYY-MM-DD HH:MM\") and upcoming; nothing is recorded
  kefu-desk orders --status S [--limit N]
                                    orders with a status (unpaid, paid, shipped, success, closed)

Options for every command:
  --db URL     database (sqlite: URL or file path); default: KEFU_DB, then the settings,
               then kefu.db in the app-data folder
  --json       machine-readable output
";

const COMMANDS: [&str; 10] = [
    "demo",
    "groups",
    "buyers",
    "buyer",
    "search",
    "orders",
    "import",
    "followups",
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
                "--if-empty" | "--skip-bad" => a.flags.push((arg.clone(), None)),
                "--group" | "--status" | "--limit" | "--offset" | "--at" => {
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
        Err(e) => return fail(&Error::Unavailable(e.to_string()), json),
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
    let out = &mut std::io::stdout().lock();
    match args.command.as_str() {
        "demo" => {
            if args.has("--if-empty") && !desk.is_empty().await? {
                return emit(out, args.json, &serde_json::json!({"loaded": false}), |w| {
                    writeln!(w, "the database already holds orders; demo not loaded")
                });
            }
            let applied = desk.load_demo(now).await?;
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
                .await?;
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
            let list = desk.followups(at).await?;
            emit(out, args.json, &list, |w| {
                for (label, chases) in [("due", &list.due), ("upcoming", &list.upcoming)] {
                    for c in chases {
                        writeln!(
                            w,
                            "{label}\t{}\tpayment chase ({:?})\t{}\t¥{}\tcloses {}",
                            shop_time(c.due_at),
                            c.step,
                            c.nick,
                            c.amount,
                            shop_time(c.closes_at)
                        )?;
                    }
                }
                Ok(())
            })
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
            Err(Error::Unavailable(e.to_string()))
        }
        _ => Ok(()),
    }
}
