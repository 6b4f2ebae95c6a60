//! Settings: one JSON object in the app-data folder, written by tauri-plugin-store in the
//! app and read by the same rules on the command line, so both open the same database.

use std::path::{Path, PathBuf};

use kefu_db::DbUrl;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

pub const IDENTIFIER: &str = "com.kefudesk.desk";
pub const STORE_FILE: &str = "settings.json";
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
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            db_url: String::new(),
            agent: "客服".to_owned(),
            auto_close_minutes: kefu_core::followups::Rules::default().auto_close_minutes,
            suspend_when_locked: true,
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
        Settings::from_json(&text).map_err(|e| Error::Settings(format!("{}: {e}", path.display())))
    }

    pub fn from_json(text: &str) -> std::result::Result<Settings, String> {
        let s: Settings = serde_json::from_str(text).map_err(|e| e.to_string())?;
        s.validate()?;
        Ok(s)
    }

    fn validate(&self) -> std::result::Result<(), String> {
        if !(60..=30 * 24 * 60).contains(&self.auto_close_minutes) {
            return Err(format!(
                "auto_close_minutes: {} is outside 60–43200 minutes",
                self.auto_close_minutes
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

    pub fn rules(&self) -> kefu_core::followups::Rules {
        kefu_core::followups::Rules {
            auto_close_minutes: self.auto_close_minutes,
            ..Default::default()
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
    Ok(data_dir()?.join(STORE_FILE))
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
        let err = Settings::from_json(r#"{"agent": 3}"#).unwrap_err();
        assert!(err.contains("line 1"), "{err}");
        assert_eq!(Settings::from_json("{}").unwrap(), Settings::default());
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
