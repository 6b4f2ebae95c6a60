//! Kefu Desk settings: one JSON object in the app-data folder, read and written here for the window
//! and the command line alike, so both open the same database. A broken file is an error
//! that names it (never silently replaced by defaults, which would quietly open a local
//! database on a team PC); a save replaces the file whole (temporary file, then rename), and
//! the file is readable by its owner only, since a team database address holds a password.

use std::io::Write;
use std::path::{Path, PathBuf};

use kefu_db::DbUrl;
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The settings file, or a value in it: what is wrong and where.
    #[error("{0}")]
    Settings(String),
    /// The database the settings, the environment or a flag name is not an address.
    #[error(transparent)]
    Db(#[from] kefu_db::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

pub const IDENTIFIER: &str = "com.kefudesk.desk";
pub const SETTINGS_FILE: &str = "settings.json";
/// The most `max_import_mb` may be: 16 GiB, more than a PC holds in memory.
const MAX_IMPORT_MB: u64 = 16 << 10;
/// Overrides the database for one run (tests, support, a second profile).
pub const DB_ENV: &str = "KEFU_DB";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// `sqlite:` URL or file path; empty means the default file in the app-data folder.
    pub db_url: String,
    /// The agent signed in on this PC, shown in the header and written beside notes.
    pub agent: String,
    /// Unpaid orders auto-close this many minutes after placing or a change of terms.
    pub auto_close_minutes: i64,
    /// Suspend the signed-in agent while the screen is locked, back online on unlocking.
    pub suspend_when_locked: bool,
    /// The largest export file an import reads, in MiB.
    pub max_import_mb: u64,
    /// 绩效: who a paid order is credited to (下单判定 `order`, 付款判定 `payment`, 下单优先
    /// `order_first`).
    pub kpi_attribution: kefu_core::kpi::Attribution,
    /// 绩效: days after a reception in which its conversion still counts (最终).
    pub kpi_settle_days: u32,
    /// Keep the text of the messages the chat system reports (off: only their times).
    pub keep_message_text: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            db_url: String::new(),
            agent: "客服".to_owned(),
            auto_close_minutes: kefu_core::followups::Rules::default().auto_close_minutes,
            suspend_when_locked: true,
            max_import_mb: kefu_import::MAX_FILE_BYTES >> 20,
            kpi_attribution: kefu_core::kpi::Attribution::default(),
            kpi_settle_days: kefu_core::kpi::KpiRules::default().settle_days,
            keep_message_text: false,
        }
    }
}

impl Settings {
    /// Reads the settings file; a missing file is the defaults, a broken one is an error
    /// that names the file and what is wrong (it is never overwritten behind the user's
    /// back).
    pub fn load(path: &Path) -> Result<Settings> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Settings::default()),
            Err(e) => return Err(Error::Settings(format!("{}: {e}", path.display()))),
        };
        let settings = Settings::from_json(&text)
            .map_err(|e| Error::Settings(format!("{}: {e}", path.display())))?;
        // A file written by an older version, or by hand, may be readable by everyone.
        owner_only(path).map_err(|e| Error::Settings(format!("{}: {e}", path.display())))?;
        Ok(settings)
    }

    /// Writes the settings to `path`: a temporary file beside it, flushed to disk, then
    /// renamed over the old one, so that a crash or a full disk leaves the old settings or
    /// the new ones, never half a file. Only the owner may read it.
    pub fn save(&self, path: &Path) -> Result<()> {
        let failed = |e: std::io::Error| Error::Settings(format!("{}: {e}", path.display()));
        let dir = path
            .parent()
            .ok_or_else(|| Error::Settings(format!("{}: no folder", path.display())))?;
        std::fs::create_dir_all(dir).map_err(failed)?;
        let text = self.to_json();
        let tmp = dir.join(format!(".{SETTINGS_FILE}.{}.tmp", std::process::id()));
        let written = (|| {
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&tmp)?;
            // `mode` applies only to a new file: a leftover of a crash keeps its own.
            owner_only(&tmp)?;
            file.write_all(text.as_bytes())?;
            file.write_all(b"\n")?;
            file.sync_all()?;
            std::fs::rename(&tmp, path)?;
            // The rename itself reaches the disk with the folder.
            std::fs::File::open(dir)?.sync_all()
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        written.map_err(failed)
    }

    pub fn from_json(text: &str) -> std::result::Result<Settings, String> {
        let s: Settings = serde_json::from_str(text).map_err(|e| e.to_string())?;
        s.validate()?;
        Ok(s)
    }

    /// The file's text, as `save` writes it.
    pub fn to_json(&self) -> String {
        // A struct of strings, numbers and a flag always serializes.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    fn validate(&self) -> std::result::Result<(), String> {
        if !(60..=30 * 24 * 60).contains(&self.auto_close_minutes) {
            return Err(format!(
                "auto_close_minutes: {} is outside 60–43200 minutes",
                self.auto_close_minutes
            ));
        }
        if !(1..=MAX_IMPORT_MB).contains(&self.max_import_mb) {
            return Err(format!(
                "max_import_mb: {} is outside 1–{MAX_IMPORT_MB} MiB",
                self.max_import_mb
            ));
        }
        if !(1..=30).contains(&self.kpi_settle_days) {
            return Err(format!(
                "kpi_settle_days: {} is outside 1–30 days",
                self.kpi_settle_days
            ));
        }
        if self.agent.trim().is_empty() || self.agent.chars().count() > 32 {
            return Err("agent: must be 1–32 characters".to_owned());
        }
        if !self.db_url.trim().is_empty() {
            DbUrl::parse(&self.db_url).map_err(|e| format!("db_url: {e}"))?;
        }
        Ok(())
    }

    /// The database to open: `--db` on the command line, then `KEFU_DB`, then the
    /// settings, then `kefu.db` in the app-data folder.
    pub fn database(&self, flag: Option<&str>) -> Result<DbUrl> {
        let env = std::env::var(DB_ENV).ok().filter(|v| !v.trim().is_empty());
        let chosen = flag
            .map(str::to_owned)
            .or(env)
            .or_else(|| (!self.db_url.trim().is_empty()).then(|| self.db_url.clone()));
        match chosen {
            Some(url) => Ok(DbUrl::parse(&url)?),
            None => Ok(DbUrl::from_path(&data_dir()?.join("kefu.db"))),
        }
    }

    /// The rules 绩效 is computed with.
    pub fn kpi_rules(&self) -> kefu_core::kpi::KpiRules {
        kefu_core::kpi::KpiRules {
            attribution: self.kpi_attribution,
            settle_days: self.kpi_settle_days,
            ..kefu_core::kpi::KpiRules::default()
        }
    }

    /// The largest export file an import reads, in bytes.
    pub fn import_limit(&self) -> u64 {
        self.max_import_mb << 20
    }

    pub fn rules(&self) -> kefu_core::followups::Rules {
        kefu_core::followups::Rules {
            auto_close_minutes: self.auto_close_minutes,
            ..Default::default()
        }
    }
}

/// For the fuzz target (`fuzz/`, nightly) and the replay of its corpus (`tests/`).
pub mod fuzzing {
    use super::Settings;

    /// Any bytes: the parser answers without a panic; what it accepts is valid and writes
    /// back to the same settings.
    pub fn settings(data: &[u8]) {
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        if let Ok(s) = Settings::from_json(text) {
            assert_eq!(s.validate(), Ok(()));
            assert_eq!(Settings::from_json(&s.to_json()).as_ref(), Ok(&s));
        }
    }
}

/// The app-data folder, where Tauri also keeps it: `$XDG_DATA_HOME/<identifier>` or
/// `~/.local/share/<identifier>`.
pub fn data_dir() -> Result<PathBuf> {
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .ok_or_else(|| Error::Settings("neither XDG_DATA_HOME nor HOME is set".to_owned()))?;
    Ok(base.join(IDENTIFIER))
}

pub fn settings_path() -> Result<PathBuf> {
    Ok(data_dir()?.join(SETTINGS_FILE))
}

/// Makes a file readable and writable by its owner alone.
fn owner_only(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)?.permissions().mode();
        if mode & 0o077 != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_settings_name_the_field() {
        let err = Settings::from_json(r#"{"auto_close_minutes": 5}"#).unwrap_err();
        assert!(err.contains("auto_close_minutes"), "{err}");
        let err = Settings::from_json(r#"{"agnet": "小美"}"#).unwrap_err();
        assert!(err.contains("agnet"), "{err}");
        let err = Settings::from_json(r#"{"max_import_mb": 0}"#).unwrap_err();
        assert!(err.contains("max_import_mb"), "{err}");
        let err = Settings::from_json(r#"{"agent": 3}"#).unwrap_err();
        assert!(err.contains("line 1"), "{err}");
        assert_eq!(Settings::from_json("{}").unwrap(), Settings::default());
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    #[cfg(unix)]
    fn settings_are_written_whole_and_for_the_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app").join(SETTINGS_FILE);
        let team = Settings {
            db_url: "postgres://kefu:secret@192.168.1.10/shop".to_owned(),
            agent: "小美".to_owned(),
            ..Settings::default()
        };
        team.save(&path).unwrap();
        assert_eq!(Settings::load(&path).unwrap(), team);
        assert_eq!(mode(&path), 0o600, "the file holds the database password");
        // Nothing is left beside it.
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from(SETTINGS_FILE)]);

        // An older, world-readable file is made the owner's on reading.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        Settings::load(&path).unwrap();
        assert_eq!(mode(&path), 0o600);
    }

    #[test]
    fn a_broken_file_is_reported_with_its_path_and_line_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(SETTINGS_FILE);
        let broken = "{\n  \"db_url\": \"postgres://kefu@db/shop\",\n  \"agent\": \n";
        std::fs::write(&path, broken).unwrap();
        let err = Settings::load(&path).unwrap_err().to_string();
        assert!(err.contains(&path.display().to_string()), "{err}");
        assert!(err.contains("line 4"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), broken);
    }

    #[test]
    fn a_team_database_address_is_checked_before_it_is_saved() {
        let err = Settings::from_json(r#"{"db_url": "mysql://kefu@db/shop"}"#).unwrap_err();
        assert!(err.contains("db_url"), "{err}");
        let team =
            Settings::from_json(r#"{"db_url": "postgres://kefu@192.168.1.10/shop"}"#).unwrap();
        assert_eq!(
            DbUrl::parse(&team.db_url).unwrap().backend(),
            kefu_db::Backend::Postgres
        );
    }
}
