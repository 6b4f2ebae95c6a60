use thiserror::Error;

#[derive(Debug, Error)]
pub enum Error {
    #[error("database address {0:?} is not usable: {1}")]
    BadUrl(String, &'static str),
    #[error("cannot open the database at {0}: {1}")]
    Open(String, String),
    #[error("cannot bring the database schema up to date: {0}")]
    Migrate(String),
    #[error("cancelled; nothing was written")]
    Cancelled,
    #[error("not found: {0}")]
    NotFound(String),
    /// Someone else changed it since the caller looked (a week of the schedule): nothing
    /// was written.
    #[error("{0}")]
    Conflict(String),
    #[error("the database holds a value this version cannot read: {0}")]
    Corrupt(String),
    /// A rule of the core refused the operation (a permission, a state change).
    #[error("{0}")]
    Refused(kefu_core::Error),
    /// The database does not answer (a team database on another machine, most often):
    /// nothing was written, and the next call tries again.
    #[error("the database does not answer; nothing was saved, try again in a moment ({0})")]
    Unavailable(String),
    /// The team database itself refused: this PC's login, or the account signed in on it,
    /// may not do this (SQLSTATE 42501, a privilege or a row-level security policy).
    #[error("the team database refused this for this PC's sign-in: {0}")]
    Denied(String),
    /// A staging file a big import writes its rows through (a full or read-only temporary
    /// folder, most often); nothing was imported.
    #[error("cannot write the import's staging file {0}: {1}")]
    Staging(String, String),
    /// A big import's rows written into the database through SQLite's C interface (a full
    /// disk, most often); nothing was imported.
    #[error("cannot write the import's {0}: {1}")]
    Write(String, String),
    #[error("database error: {0}")]
    Sql(sqlx::Error),
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::Io(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => Error::Unavailable(e.to_string()),
            // The server is shutting down or restarting, or the connection broke (SQLSTATE
            // classes 57P0x and 08): nothing was committed, and a moment later it may
            // answer again.
            sqlx::Error::Database(ref d)
                if d.code()
                    .is_some_and(|c| c.starts_with("57P0") || c.starts_with("08")) =>
            {
                Error::Unavailable(e.to_string())
            }
            sqlx::Error::Database(ref d) if d.code().as_deref() == Some("42501") => {
                Error::Denied(d.message().to_owned())
            }
            other => Error::Sql(other),
        }
    }
}

impl Error {
    /// A stored value the core does not accept: the row is damaged or was written by a
    /// newer version. (A core refusal of what a caller asked is `Refused`; there is no
    /// blanket conversion, so each call says which it is.)
    pub(crate) fn unreadable(e: kefu_core::Error) -> Error {
        Error::Corrupt(e.to_string())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
