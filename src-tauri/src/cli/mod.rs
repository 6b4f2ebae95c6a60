//! The command line: every capability that makes sense without a window, for scripts,
//! tests and support. Each command calls the same `Desk` operation as the window does. The
//! commands are defined once, in `command.rs`: clap derives the parser, the help and the
//! checks from that one definition.

mod agenda;
mod command;
mod kpi;
mod phrases;
mod schedule;
mod shop;
mod team;

use std::io::Write;
use std::process::ExitCode;

use chrono::Utc;
use clap::error::ErrorKind;
use clap::Parser;
use kefu_core::ShopTime;
use serde::Serialize;

use command::{numbered, Cli, Command};

use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::settings::{settings_path, Settings};

/// Whether these arguments ask for the command line rather than the window: a command (or
/// any word, so that a mistyped one is refused rather than opening the window), `--help` or
/// `--version`. Tauri's own arguments start with a dash and open the window.
pub fn wants_cli(args: &[String]) -> bool {
    args.first()
        .is_some_and(|a| !a.starts_with('-') || a == "--help" || a == "--version")
}

pub fn run(raw: &[String]) -> ExitCode {
    let json = raw.iter().any(|a| a == "--json");
    let cli = match Cli::try_parse_from(
        std::iter::once("kefu-desk".to_owned()).chain(raw.iter().cloned()),
    ) {
        Ok(cli) => cli,
        Err(e) => return refused(&e, json),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return fail(&Error::Internal(format!("async runtime: {e}")), json),
    };
    let outcome = runtime.block_on(dispatch(cli));
    // All a command awaits is done; what may still run is memory being freed (a big
    // import's orders, a few tenths of a second): the process's exit frees it at once.
    runtime.shutdown_background();
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e, json),
    }
}

/// Help and version go to stdout and succeed; anything else clap refused is a usage error,
/// reported like every other error (`{"error": {code, message}}` with `--json`).
fn refused(e: &clap::Error, json: bool) -> ExitCode {
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        // A closed pipe (`kefu-desk help | head`) is not worth a message, nor a panic.
        let _ = write!(std::io::stdout(), "{e}");
        return ExitCode::SUCCESS;
    }
    // clap's text names the argument over a few lines, then adds usage and a tip: keep the
    // part that says what was wrong, on one line.
    let text = e.to_string();
    let message = text
        .lines()
        .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("  tip:"))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let message = message.trim_start_matches("error: ").to_owned();
    fail(&Error::Usage(message), json)
}

fn fail(e: &Error, json: bool) -> ExitCode {
    if let Error::Rejected(_) = e {
        // The report, with every problem, is already printed.
        if !json {
            eprintln!("kefu-desk: {e}");
        }
        return ExitCode::FAILURE;
    }
    // By code, not variant: a limit the core checks (a name, a note) is a usage error too.
    let usage = e.code() == "usage";
    if json {
        // A closed pipe is not worth a panic: the exit code still says what happened.
        let _ = writeln!(std::io::stdout(), "{}", serde_json::json!({ "error": e }));
    } else {
        eprintln!("kefu-desk: {e}");
        if usage {
            eprintln!("Run `kefu-desk help` for usage.");
        }
    }
    ExitCode::from(if usage { 2 } else { 1 })
}

async fn dispatch(cli: Cli) -> Result<()> {
    let settings = Settings::load(&settings_path()?)?;
    let desk = Desk::open(&settings.database(cli.db.as_deref())?, &settings).await?;
    let outcome = command(&desk, cli).await;
    // Closed here, before the process ends: SQLite's last connection folds the log into
    // the database file and removes it.
    desk.close().await;
    outcome
}

async fn command(desk: &Desk, cli: Cli) -> Result<()> {
    let now = crate::clock::now();
    if let Some(name) = &cli.account {
        let password = std::env::var("KEFU_PASSWORD")
            .map_err(|_| Error::Usage("--as needs the password in KEFU_PASSWORD".into()))?;
        desk.authenticate(name, &password, now).await?;
    }
    let out = &mut Out {
        w: std::io::stdout().lock(),
        json: cli.json,
    };
    match cli.command {
        Command::Demo { if_empty } => shop::demo(desk, out, if_empty, now).await,
        Command::Groups => shop::groups(desk, out).await,
        Command::Buyers {
            group,
            offset,
            limit,
        } => shop::buyers(desk, out, &group, offset, limit).await,
        Command::Buyer { nick } => shop::buyer(desk, out, &nick).await,
        Command::Note {
            nick,
            text,
            tags,
            version,
        } => {
            let tags: Option<Vec<String>> =
                tags.map(|t| t.split_whitespace().map(str::to_owned).collect());
            let note = shop::Note {
                text: text.as_deref(),
                tags: tags.as_deref(),
                version,
            };
            shop::note(desk, out, &nick, note, now).await
        }
        Command::Search { text } => shop::search(desk, out, &text).await,
        Command::Import { files, skip_bad } => shop::import(desk, out, &files, skip_bad, now).await,
        Command::Orders { status, limit } => shop::orders(desk, out, &status, limit).await,
        Command::Followups { at, all } => {
            agenda::followups(desk, out, at.as_deref(), all, now).await
        }
        Command::Followup { action } => agenda::followup(desk, out, action, now).await,
        Command::Account { action } => team::account(desk, out, action, now).await,
        Command::Team => team::team(desk, out, now).await,
        Command::Schedule { action } => schedule::schedule(desk, out, action, now).await,
        Command::State { state, agent } => {
            team::state(desk, out, &state, agent.as_deref(), now).await
        }
        Command::Inquiry { nick, asked } => team::inquiry(desk, out, &nick, &asked, now).await,
        Command::Greet { conversation } => team::greet(desk, out, conversation, now).await,
        Command::Transfer { nick, to, note } => {
            team::transfer(desk, out, &nick, &to, &note, now).await
        }
        Command::Close { nick } => team::close(desk, out, &nick, now).await,
        Command::Conversations { all } => team::conversations(desk, out, all).await,
        Command::Route => team::route(desk, out, now).await,
        Command::Phrases { action } => phrases::phrases(desk, out, action, now).await,
        Command::Kpi {
            from,
            to,
            by,
            xlsx,
            csv,
        } => {
            kpi::kpi(
                desk,
                out,
                &from,
                to.as_deref(),
                &by,
                xlsx.as_deref(),
                csv.as_deref(),
                now,
            )
            .await
        }
        Command::Message { nick, from, text } => {
            kpi::message(desk, out, &nick, &from, text.as_deref(), now).await
        }
    }
}

/// Where a command prints: JSON with `--json`, else its lines of text.
struct Out {
    w: std::io::StdoutLock<'static>,
    json: bool,
}

impl Out {
    fn emit<T: Serialize>(
        &mut self,
        value: &T,
        text: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<()> {
        let out = &mut self.w;
        let written = if self.json {
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

    /// Where buyers went, one line each.
    fn moved(&mut self, moved: &[kefu_db::Routed]) -> Result<()> {
        self.emit(&moved, |w| {
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
}

fn shop_time(t: chrono::DateTime<Utc>) -> String {
    ShopTime::SHANGHAI
        .local(t)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &[&str]) -> Vec<String> {
        line.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_window_opens_without_a_command_and_with_tauri_arguments() {
        assert!(!wants_cli(&[]));
        assert!(!wants_cli(&args(&["--no-sandbox"])));
        for line in [
            &["groups"][..],
            &["help"],
            &["--help"],
            &["--version"],
            &["frobnicate"],
        ] {
            assert!(wants_cli(&args(line)), "{line:?}");
        }
    }

    #[test]
    fn every_command_takes_json_db_and_as_wherever_they_stand() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
        let cli = Cli::try_parse_from([
            "kefu-desk",
            "--json",
            "followup",
            "done",
            "#42",
            "--db",
            "x.db",
            "--as",
            "小美",
        ])
        .expect("parses");
        assert!(cli.json);
        assert_eq!(cli.db.as_deref(), Some("x.db"));
        assert_eq!(cli.account.as_deref(), Some("小美"));
        assert!(matches!(
            cli.command,
            Command::Followup {
                action: agenda::Followup::Done { id: 42 }
            }
        ));
    }

    #[test]
    fn clap_refusals_are_usage_errors_on_one_line() {
        for line in [
            &["kefu-desk", "frobnicate"][..],
            &["kefu-desk", "buyers"],
            &["kefu-desk", "groups", "--frob"],
            &["kefu-desk", "buyers", "--group", "order", "--limit", "ten"],
            &["kefu-desk", "import"],
            &["kefu-desk", "greet", "x"],
        ] {
            let e = Cli::try_parse_from(line).expect_err("refused");
            assert!(!matches!(e.kind(), ErrorKind::DisplayHelp), "{line:?}");
        }
        let e = Cli::try_parse_from(["kefu-desk", "buyers"]).expect_err("no group");
        assert_eq!(refused(&e, true), ExitCode::from(2));
    }
}
