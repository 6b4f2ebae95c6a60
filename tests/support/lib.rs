//! Test support: a throwaway desktop (Xvfb + a private D-Bus session), tauri-driver, and a
//! small WebDriver client, to drive the built app in its real WebKit window.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{json, Value};

pub mod export;
pub mod team;

/// Where the app's clock starts in end-to-end tests: a weekday noon, shop time.
pub const CLOCK_START: &str = "2026-11-23T12:00:00+08:00";

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the workspace")
        .to_path_buf()
}

/// The app binary built by `cargo build -p kefu-desk` (the README's test command builds it
/// before running the tests).
pub fn app_binary() -> PathBuf {
    built_binary("debug")
}

/// `target/<profile>/kefu-desk`, which must have been built.
pub fn built_binary(profile: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    let bin = target.join(profile).join("kefu-desk");
    let flag = if profile == "release" {
        " --release"
    } else {
        ""
    };
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build{flag} -p kefu-desk` first",
        bin.display()
    );
    bin
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

struct Killed(Child);

/// Starts a helper that announces itself (display number, bus address) on its first line.
fn first_line(command: &mut Command, what: &str) -> (Child, String) {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{what} is not installed or did not start: {e}"));
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("piped"))
        .read_line(&mut line)
        .unwrap_or_else(|e| panic!("{what} printed nothing: {e}"));
    (child, line)
}

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// tauri-driver, stopped with SIGTERM so that it stops the WebKitWebDriver it started (a
/// SIGKILL would leave that one running with its browser).
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let stopped = (0..50).any(|_| {
            std::thread::sleep(Duration::from_millis(20));
            matches!(self.0.try_wait(), Ok(Some(_)))
        });
        if !stopped {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// The database a test uses: a fresh SQLite file in `dir`; with
/// `KEFU_TEST_BACKEND=postgres`, a fresh database on the PostgreSQL test server at
/// `KEFU_TEST_POSTGRES` (see `src-tauri/scripts/postgres.sh`), so that the same story runs
/// on a team database.
pub fn scratch_db(dir: &Path) -> String {
    kefu_db::Scratch::in_folder(dir)
        .unwrap_or_else(|e| panic!("a test database: {e}"))
        .as_str()
        .to_owned()
}

/// One isolated desktop session: its own X display, D-Bus session bus, HOME and database.
pub struct Desktop {
    pub home: tempfile::TempDir,
    pub display: String,
    pub dbus: String,
    /// The database: an SQLite file in HOME, or a team database (see `scratch_db`).
    pub db: String,
    _xvfb: Killed,
    _dbus: Killed,
}

impl Desktop {
    pub fn start() -> Desktop {
        let home = tempfile::tempdir().expect("temp HOME");
        let (xvfb, line) = first_line(
            Command::new("Xvfb").args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ]),
            "Xvfb (package xvfb)",
        );
        let display = format!(":{}", line.trim());
        // Services the bus starts on demand (the notification daemon) need the display.
        let (dbus, addr) = first_line(
            Command::new("dbus-daemon")
                .args(["--session", "--nofork", "--print-address=1"])
                .env("DISPLAY", &display),
            "dbus-daemon (package dbus)",
        );
        let db = scratch_db(home.path());
        Desktop {
            display,
            dbus: addr.trim().to_owned(),
            db,
            home,
            _xvfb: Killed(xvfb),
            _dbus: Killed(dbus),
        }
    }

    /// A command with this desktop's environment (display, bus, HOME, database).
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut c = Command::new(program);
        c.env("DISPLAY", &self.display)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.dbus)
            .env("HOME", self.home.path())
            .env("XDG_DATA_HOME", self.home.path().join("data"))
            .env("XDG_CONFIG_HOME", self.home.path().join("config"))
            .env("XDG_CACHE_HOME", self.home.path().join("cache"))
            .env("XDG_RUNTIME_DIR", self.home.path())
            .env("KEFU_DB", &self.db)
            // A fixed daytime start, so that timer rules (quiet hours) do not depend on
            // the hour the tests run at.
            .env("KEFU_CLOCK_START", CLOCK_START)
            .env_remove("WAYLAND_DISPLAY");
        c
    }

    /// Runs the app's command line against this desktop's database and parses its JSON.
    pub fn cli_json(&self, args: &[&str]) -> Value {
        self.cli_json_with(&app_binary(), args)
    }

    pub fn cli_json_with(&self, binary: &Path, args: &[&str]) -> Value {
        let out = self
            .command(binary)
            .args(args)
            .arg("--json")
            .output()
            .expect("the app binary runs");
        assert!(
            out.status.success(),
            "kefu-desk {args:?} failed: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        serde_json::from_slice(&out.stdout).expect("--json prints JSON")
    }
}

/// The desktop's screensaver: a connection to the desktop's session bus that owns
/// `org.freedesktop.ScreenSaver`, as a desktop's own screensaver does, and announces that
/// the screen locked or unlocked.
pub struct ScreenSaver {
    bus: zbus::Connection,
}

impl ScreenSaver {
    pub fn start(desktop: &Desktop) -> ScreenSaver {
        let bus = zbus::block_on(async {
            zbus::connection::Builder::address(desktop.dbus.as_str())
                .name("org.freedesktop.ScreenSaver")
                .build()
                .await
        })
        .expect("owning org.freedesktop.ScreenSaver on the session bus");
        ScreenSaver { bus }
    }

    pub fn active_changed(&self, locked: bool) {
        zbus::block_on(self.bus.emit_signal(
            None::<&str>,
            "/org/freedesktop/ScreenSaver",
            "org.freedesktop.ScreenSaver",
            "ActiveChanged",
            &(locked,),
        ))
        .expect("ActiveChanged sent");
    }
}

/// A WebDriver session on the app, started through tauri-driver.
pub struct App {
    display: String,
    base: String,
    session: String,
    artifacts: PathBuf,
    /// What the driver, the browser and the app wrote to stderr.
    log: PathBuf,
    _driver: Driver,
}

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

impl App {
    pub fn launch(desktop: &Desktop, name: &str) -> App {
        App::launch_binary(desktop, name, &app_binary())
    }

    /// Starts tauri-driver and opens a session on `binary`; returns once the window's page
    /// has loaded.
    ///
    /// WebKitWebDriver now and then drops the connection while it starts the browser (seen
    /// on a loaded 2-core machine: "Unexpected EOF" on `POST /session`, with nothing of the
    /// app run yet). That is the test harness failing, not the app, so a dropped connection
    /// is tried again with a fresh driver, up to three times, and each driver's log is kept
    /// under `tests/artifacts/<name>/`. An answer from the driver, such as "session not
    /// created" because the app did not start, fails at once.
    pub fn launch_binary(desktop: &Desktop, name: &str, binary: &Path) -> App {
        let artifacts = workspace_root().join("tests/artifacts").join(name);
        let _ = std::fs::create_dir_all(&artifacts);
        let caps =
            json!({"capabilities": {"alwaysMatch": {"tauri:options": {"application": binary}}}});
        let mut dropped = Vec::new();
        for attempt in 1..=3 {
            let port = free_port();
            let native = free_port();
            let log = artifacts.join(format!("tauri-driver-{attempt}.log"));
            let log_file = std::fs::File::create(&log).expect("a log for tauri-driver");
            let driver = desktop
                .command("tauri-driver")
                .args([
                    "--port",
                    &port.to_string(),
                    "--native-port",
                    &native.to_string(),
                ])
                .stdout(Stdio::null())
                .stderr(log_file)
                .spawn()
                .expect("tauri-driver is installed (cargo install tauri-driver --locked)");
            let driver = Driver(driver);
            let base = format!("http://127.0.0.1:{port}");
            wait_for(Duration::from_secs(20), "tauri-driver to listen", || {
                ureq::get(&format!("{base}/status")).call().ok()
            });
            let resp = match ureq::post(&format!("{base}/session")).send_json(caps.clone()) {
                Ok(r) => r.into_json::<Value>().unwrap_or(Value::Null),
                Err(ureq::Error::Status(code, r)) => panic!(
                    "WebDriver {base}/session answered {code}: {}",
                    r.into_string().unwrap_or_default()
                ),
                Err(e) => {
                    eprintln!(
                        "{name}: the driver dropped the new session (attempt {attempt}: {e}); log in {}",
                        log.display()
                    );
                    dropped.push(e.to_string());
                    continue;
                }
            };
            let session = resp["value"]["sessionId"]
                .as_str()
                .unwrap_or_else(|| panic!("no session: {resp}"))
                .to_owned();
            return App {
                display: desktop.display.clone(),
                base,
                session,
                artifacts,
                log,
                _driver: driver,
            };
        }
        panic!("WebDriver dropped every new session: {dropped:?}");
    }

    fn url(&self, path: &str) -> String {
        format!("{}/session/{}{}", self.base, self.session, path)
    }

    /// Waits until the app (or its driver) has written a line containing `needle` to
    /// stderr, and returns that line.
    pub fn wait_log(&self, what: &str, needle: &str) -> String {
        wait_for(Duration::from_secs(15), what, || {
            std::fs::read_to_string(&self.log)
                .ok()?
                .lines()
                .find(|l| l.contains(needle))
                .map(str::to_owned)
        })
    }

    /// Runs a script in the page and returns its value.
    pub fn js(&self, script: &str) -> Value {
        let r = post(
            &self.url("/execute/sync"),
            &json!({"script": script, "args": []}),
        );
        r["value"].clone()
    }

    /// Runs a script that calls its last argument when done, and returns what it passed.
    pub fn js_async(&self, script: &str) -> Value {
        let r = post(
            &self.url("/execute/async"),
            &json!({"script": script, "args": []}),
        );
        r["value"].clone()
    }

    /// Finds and clicks an element as a user would. The page re-renders lists when data
    /// changes (an import, a routing step on another PC), so an element found a moment ago
    /// may be replaced before the click lands: then it is found again, for up to 3 s.
    pub fn click(&self, css: &str) {
        let mut last = String::new();
        for _ in 0..30 {
            let id = self.find(css);
            match ureq::post(&self.url(&format!("/element/{id}/click"))).send_json(json!({})) {
                Ok(_) => return,
                Err(ureq::Error::Status(_, r)) => {
                    last = r.into_string().unwrap_or_default();
                    let replaced =
                        last.contains("stale element") || last.contains("click intercepted");
                    assert!(replaced, "WebDriver click on {css}: {last}");
                }
                Err(e) => panic!("WebDriver click on {css}: {e}"),
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("could not click {css}: {last}");
    }

    /// The WebDriver id of the element `css` selects.
    fn find(&self, css: &str) -> String {
        let found = post(
            &self.url("/element"),
            &json!({"using": "css selector", "value": css}),
        );
        found["value"][ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {found}"))
            .to_owned()
    }

    /// Types into an element as a user would. As with `click`, a list or form re-rendered
    /// between finding the element and typing (the page keeps what was typed across its
    /// re-renders) is found again, for up to 3 s; a stale element received no keys.
    pub fn type_keys(&self, css: &str, text: &str) {
        let mut last = String::new();
        for _ in 0..30 {
            let id = self.find(css);
            match ureq::post(&self.url(&format!("/element/{id}/value")))
                .send_json(json!({"text": text}))
            {
                Ok(_) => return,
                Err(ureq::Error::Status(_, r)) => {
                    last = r.into_string().unwrap_or_default();
                    assert!(
                        last.contains("stale element"),
                        "WebDriver keys to {css}: {last}"
                    );
                }
                Err(e) => panic!("WebDriver keys to {css}: {e}"),
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("could not type into {css}: {last}");
    }

    /// Polls a script until it returns something other than null/false.
    pub fn wait_js(&self, what: &str, script: &str) -> Value {
        wait_for(Duration::from_secs(15), what, || {
            let v = self.js(script);
            (!v.is_null() && v != Value::Bool(false)).then_some(v)
        })
    }

    /// Saves what the screen shows: the X display's pixels, as a person would see them
    /// (WebDriver's own screenshot can return a stale frame under Xvfb).
    pub fn screenshot(&self, label: &str) -> PathBuf {
        // Let the last DOM change reach the screen: two animation frames, then shots
        // until two in a row agree (painting lags behind the DOM on a loaded machine).
        let _ = ureq::post(&self.url("/execute/async")).send_json(json!({
            "script": "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
            "args": []
        }));
        let _ = std::fs::create_dir_all(&self.artifacts);
        let path = self.artifacts.join(format!("{label}.png"));
        let mut previous: Vec<u8> = Vec::new();
        for _ in 0..20 {
            std::thread::sleep(Duration::from_millis(300));
            let shot = Command::new("/usr/bin/import")
                .args(["-display", &self.display, "-window", "root", "png:-"])
                .output();
            match shot {
                Ok(out) if out.status.success() && !out.stdout.is_empty() => {
                    let settled = out.stdout == previous;
                    previous = out.stdout;
                    if settled {
                        break;
                    }
                }
                _ => break,
            }
        }
        if previous.is_empty() {
            let r = ureq::get(&self.url("/screenshot"))
                .call()
                .map(|r| r.into_json::<Value>());
            if let Ok(Ok(v)) = r {
                previous = base64::engine::general_purpose::STANDARD
                    .decode(v["value"].as_str().unwrap_or_default())
                    .unwrap_or_default();
            }
        }
        let _ = std::fs::write(&path, previous);
        path
    }

    /// Runs the steps; on a failure saves a screenshot first, then fails as the step did.
    pub fn steps(&self, f: impl FnOnce(&App)) {
        if let Err(panic) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(self))) {
            let shot = self.screenshot("failure");
            eprintln!("end-to-end failure; screenshot saved to {}", shot.display());
            std::panic::resume_unwind(panic);
        }
    }
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = ureq::delete(&self.url("")).call();
    }
}

fn post(url: &str, body: &Value) -> Value {
    match ureq::post(url).send_json(body.clone()) {
        Ok(r) => r.into_json().unwrap_or(Value::Null),
        Err(ureq::Error::Status(code, r)) => panic!(
            "WebDriver {url} answered {code}: {}",
            r.into_string().unwrap_or_default()
        ),
        Err(e) => panic!("WebDriver {url}: {e}"),
    }
}

/// Records the `Notify` calls made on a desktop's session bus, as dbus-monitor prints them.
pub struct NotifyMonitor {
    log: PathBuf,
    _monitor: Killed,
}

impl NotifyMonitor {
    pub fn start(desktop: &Desktop) -> NotifyMonitor {
        let log = desktop.home.path().join("notify.log");
        let file = std::fs::File::create(&log).expect("monitor log");
        let monitor = desktop
            .command("dbus-monitor")
            .args([
                "--session",
                "interface='org.freedesktop.Notifications',member='Notify'",
            ])
            .stdout(file)
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-monitor (package dbus) is installed");
        // dbus-monitor prints its own name acquisition first; wait for it to be listening.
        wait_for(Duration::from_secs(5), "dbus-monitor to start", || {
            std::fs::metadata(&log).ok().filter(|m| m.len() > 0)
        });
        NotifyMonitor {
            log,
            _monitor: Killed(monitor),
        }
    }

    pub fn text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Notifications sent on the bus so far (each is one `Notify` method call).
    pub fn count(&self) -> usize {
        self.text()
            .lines()
            .filter(|l| l.starts_with("method call") && l.contains("member=Notify"))
            .count()
    }
}

pub fn wait_for<T>(limit: Duration, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            start.elapsed() < limit,
            "timed out after {limit:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Proportional set size (kB) of the processes running on `display`, by process: the app
/// and its WebKit web and network processes (the WebDriver helpers are left out).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pss {
    pub total: u64,
    pub app: u64,
    pub web: u64,
    pub network: u64,
}

pub fn pss_kb_on_display(display: &str) -> Pss {
    let mut pss = Pss::default();
    for (kind, dir) in app_processes_on_display(display) {
        let slot = match kind {
            AppProcess::App => &mut pss.app,
            AppProcess::Web => &mut pss.web,
            AppProcess::Network => &mut pss.network,
        };
        let rollup = std::fs::read_to_string(dir.join("smaps_rollup")).unwrap_or_default();
        let kb = rollup
            .lines()
            .find_map(|l| l.strip_prefix("Pss:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .unwrap_or(0);
        *slot += kb;
        pss.total += kb;
    }
    pss
}

/// Waits until the app and its WebKit processes on `display` have exited: a window closed
/// over WebDriver hides to the tray, and the driver's stop ends it a moment later. A bench
/// that launched again meanwhile would measure two instances sharing the two cores.
pub fn wait_until_gone(display: &str) {
    wait_for(
        Duration::from_secs(20),
        "the app's processes to exit",
        || app_processes_on_display(display).is_empty().then_some(()),
    );
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum AppProcess {
    App,
    Web,
    Network,
}

/// The app's and its WebKit processes that run on `display`, with their /proc folders.
fn app_processes_on_display(display: &str) -> Vec<(AppProcess, PathBuf)> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let wanted = format!("DISPLAY={display}");
    let mut found = Vec::new();
    for e in entries.flatten() {
        let dir = e.path();
        let comm = std::fs::read_to_string(dir.join("comm")).unwrap_or_default();
        let kind = match comm.trim() {
            c if c.starts_with("kefu-desk") => AppProcess::App,
            c if c.starts_with("WebKitWebProces") => AppProcess::Web,
            c if c.starts_with("WebKitNetworkPr") => AppProcess::Network,
            _ => continue,
        };
        let environ = std::fs::read(dir.join("environ")).unwrap_or_default();
        // A process that already exited (a zombie) has no environment left to match.
        if environ.split(|b| *b == 0).any(|v| v == wanted.as_bytes()) {
            found.push((kind, dir));
        }
    }
    found
}
