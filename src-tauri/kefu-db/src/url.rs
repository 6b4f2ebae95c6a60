//! Where the database is: this PC's SQLite file or the shop's team database.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::{Error, Result};

/// How a database is named in settings, the environment and on the command line: a
/// `sqlite:` URL or a plain file path for this PC's own database, or a `postgres://` URL
/// for a team database that every PC of the shop shares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DbUrl(String);

/// Which database a `DbUrl` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl DbUrl {
    pub fn parse(raw: &str) -> Result<DbUrl> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(Error::BadUrl(raw.to_owned(), "empty"));
        }
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            return Ok(DbUrl(s.to_owned()));
        }
        if s.contains("://") && !s.starts_with("sqlite:") {
            return Err(Error::BadUrl(
                raw.to_owned(),
                "expected a postgres:// URL, a sqlite: URL or a file path",
            ));
        }
        Ok(DbUrl(s.to_owned()))
    }

    pub fn from_path(path: &Path) -> DbUrl {
        DbUrl(path.display().to_string())
    }

    pub fn backend(&self) -> Backend {
        if self.0.starts_with("postgres://") || self.0.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    pub(crate) fn sqlite_path(&self) -> PathBuf {
        let s = self
            .0
            .strip_prefix("sqlite://")
            .or_else(|| self.0.strip_prefix("sqlite:"))
            .unwrap_or(&self.0);
        PathBuf::from(s.split('?').next().unwrap_or(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The address without its password, for messages and logs.
    pub fn shown(&self) -> String {
        match self.backend() {
            Backend::Sqlite => self.0.clone(),
            Backend::Postgres => match self.0.split_once("://") {
                Some((scheme, rest)) => match rest.rsplit_once('@') {
                    Some((user, host)) => {
                        let user = user.split(':').next().unwrap_or(user);
                        format!("{scheme}://{user}@{host}")
                    }
                    None => self.0.clone(),
                },
                None => self.0.clone(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_addresses_name_their_backend() {
        let team = DbUrl::parse("postgres://kefu:secret@db.shop.lan/kefu").unwrap();
        assert_eq!(team.backend(), Backend::Postgres);
        assert_eq!(team.shown(), "postgres://kefu@db.shop.lan/kefu");
        assert_eq!(
            DbUrl::parse("/tmp/a.db").unwrap().backend(),
            Backend::Sqlite
        );
        assert!(DbUrl::parse("mysql://x").is_err());
        assert!(DbUrl::parse("").is_err());
        assert_eq!(
            DbUrl::parse("sqlite:///tmp/a.db?mode=rwc")
                .unwrap()
                .sqlite_path(),
            PathBuf::from("/tmp/a.db")
        );
    }
}
