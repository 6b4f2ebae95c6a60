//! The app's one error type. It reaches the window as `{code, message}` so the UI can tell
//! kinds apart, and the command line prints the message and exits non-zero.

use serde::Serialize;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum Error {
    #[error("{0}")]
    Db(#[from] kefu_db::Error),
    #[error("{0}")]
    Invalid(#[from] kefu_core::Error),
    #[error("{0}")]
    Import(#[from] kefu_import::Error),
    #[error("{0}")]
    Usage(String),
    #[error("{0} row(s) rejected")]
    Rejected(u64),
    #[error("{0}")]
    Settings(String),
    /// The database did not open at start (a bad path in the settings, a disk that went
    /// away, a team database that does not answer): every command says why, with the code
    /// of what went wrong.
    #[error("the database is not available: {message}")]
    NotOpen { code: &'static str, message: String },
    /// A fault of the app itself (a worker thread that died, a runtime that did not
    /// start), not of the database or of the input.
    #[error("{0}")]
    Internal(String),
    /// Reading or writing outside the database failed (the command line's output).
    #[error("{0}")]
    Io(String),
    /// Deliberately the same for an unknown name and a wrong password.
    #[error("wrong account name or password")]
    SignIn,
    #[error("sign in first: {0}")]
    NotSignedIn(&'static str),
}

impl From<kefu_settings::Error> for Error {
    fn from(e: kefu_settings::Error) -> Self {
        match e {
            kefu_settings::Error::Settings(m) => Error::Settings(m),
            kefu_settings::Error::Db(e) => Error::Db(e),
        }
    }
}

impl Error {
    pub fn code(&self) -> &'static str {
        match self {
            Error::Db(kefu_db::Error::NotFound(_)) => "not_found",
            Error::Db(kefu_db::Error::Cancelled) => "cancelled",
            Error::Db(kefu_db::Error::Conflict(_)) => "conflict",
            Error::Import(_) => "import",
            // An address no database can have (a typo in settings, KEFU_DB or --db).
            Error::Db(kefu_db::Error::BadUrl(..)) => "bad_address",
            Error::Db(kefu_db::Error::Refused(kefu_core::Error::Forbidden(_))) => "forbidden",
            Error::Db(kefu_db::Error::Refused(_)) => "invalid",
            Error::Db(kefu_db::Error::Unavailable(_)) => "unavailable",
            // The team database's own check, behind the core's: "forbidden" all the same.
            Error::Db(kefu_db::Error::Denied(_)) => "forbidden",
            Error::Db(_) => "db",
            Error::Invalid(kefu_core::Error::Forbidden(_)) => "forbidden",
            Error::Invalid(kefu_core::Error::Throttled { .. }) => "throttled",
            // A limit the caller was told up front (by the form, in the help), as before the
            // limits moved into the core: on the command line it exits 2 like a usage error.
            Error::Invalid(kefu_core::Error::Limit { .. }) => "usage",
            Error::Invalid(_) => "invalid",
            Error::Usage(_) => "usage",
            Error::Rejected(_) => "rejected",
            Error::Settings(_) => "settings",
            Error::NotOpen { code, .. } => code,
            Error::Internal(_) => "internal",
            Error::Io(_) => "io",
            Error::SignIn => "sign_in",
            Error::NotSignedIn(_) => "not_signed_in",
        }
    }
}

impl Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Error", 2)?;
        st.serialize_field("code", self.code())?;
        st.serialize_field("message", &self.to_string())?;
        st.end()
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_database_that_does_not_answer_is_unavailable() {
        // The window tells agents "数据库连不上" for `unavailable`: a fault of the app or of
        // the output must not say so.
        assert_eq!(Error::Internal("worker died".into()).code(), "internal");
        assert_eq!(Error::Io("broken disk".into()).code(), "io");
        let down = Error::Db(kefu_db::Error::Unavailable("timed out".into()));
        assert_eq!(down.code(), "unavailable");
    }

    #[test]
    fn a_database_that_did_not_open_keeps_the_code_of_why() {
        let not_open = |e: Error| Error::NotOpen {
            code: e.code(),
            message: e.to_string(),
        };
        let bad = not_open(Error::Settings("settings.json: not JSON".into()));
        assert_eq!(bad.code(), "settings");
        assert_eq!(
            bad.to_string(),
            "the database is not available: settings.json: not JSON"
        );
        let down = not_open(Error::Db(kefu_db::Error::Unavailable("timed out".into())));
        assert_eq!(down.code(), "unavailable");
        let typo = Error::Db(kefu_db::DbUrl::parse("mysql://shop").unwrap_err());
        assert_eq!(typo.code(), "bad_address");
    }
}
