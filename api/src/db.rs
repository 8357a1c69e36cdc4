//! The database: one connection type over SQLite and PostgreSQL, the pool, migrations, and the
//! helper that runs diesel's blocking calls off the async executor.
//!
//! Backend differences stay inside `db/`; nothing above it knows which database it talks to.

pub mod api_keys;
pub mod campaign_stats;
pub mod campaigns;
pub mod canned_replies;
pub mod carts;
pub mod contacts;
pub mod events;
pub mod idempotency_keys;
pub mod messages;
pub mod orders;
pub mod outbox;
pub mod phone_numbers;
pub mod schema;
pub mod sessions;
pub mod short_links;
pub mod stats;
pub mod stores;
pub mod threads;
pub mod users;

use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Timelike, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::R2D2Connection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::config::DatabaseUrl;
use crate::error::{AppError, AppResult};

#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgres(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

pub type DbPool = r2d2::Pool<ConnectionManager>;

/// Runs a query on the concrete connection inside `DbConn`. For the few statements diesel
/// builds for each backend but not for the multi-backend connection (`ON CONFLICT`).
macro_rules! per_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConn::Postgres($c) => $body,
            $crate::db::DbConn::Sqlite($c) => $body,
        }
    };
}
pub(crate) use per_backend;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

#[diesel::declare_sql_function]
extern "SQL" {
    /// Replaces SQLite's built-in `LOWER` on each connection (see `ConnectionManager`).
    fn lower(text: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// Opens connections of the kind the URL names. (diesel's generic manager would try each
/// backend in turn, and keep retrying an unreachable PostgreSQL URL as an SQLite path.)
#[derive(Debug, Clone)]
pub struct ConnectionManager(DatabaseUrl);

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = DbConn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConn, Self::Error> {
        use diesel::r2d2::Error as E;
        match &self.0 {
            DatabaseUrl::Postgres(url) => diesel::PgConnection::establish(url)
                .map(DbConn::Postgres)
                .map_err(E::ConnectionError),
            DatabaseUrl::Sqlite(path) => {
                let mut conn = diesel::SqliteConnection::establish(&path.to_string_lossy())
                    .map_err(E::ConnectionError)?;
                // Per connection: SQLite forgets these on close. WAL lets readers run during a
                // write; the busy timeout makes writers queue instead of failing at once.
                conn.batch_execute(
                    "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; \
                     PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
                )
                .map_err(E::QueryError)?;
                // SQLite's own LOWER folds only ASCII: a search for "émile" missed "Émile",
                // which PostgreSQL's finds. Every letter is folded here too.
                lower_utils::register_impl(&mut conn, |text: String| text.to_lowercase())
                    .map_err(E::QueryError)?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        conn.is_broken()
    }
}

/// Builds the pool; for SQLite, creates the file's folder first.
pub fn connect(url: &DatabaseUrl, max_size: u32) -> Result<DbPool, String> {
    if let DatabaseUrl::Sqlite(path) = url
        && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    r2d2::Pool::builder()
        .max_size(max_size)
        // Fail a request with 503 quickly rather than hang when the database is away.
        .connection_timeout(Duration::from_secs(5))
        // No `SELECT 1` before every use: a connection found broken by a failed query is
        // discarded by `has_broken`, and the request gets a 503 it can retry.
        .test_on_check_out(false)
        .build(ConnectionManager(url.clone()))
        .map_err(|e| format!("cannot connect to the {} database: {e}", url.backend_name()))
}

/// Applies pending migrations; returns how many ran.
pub fn migrate(conn: &mut DbConn) -> Result<usize, String> {
    let applied = match conn {
        DbConn::Postgres(c) => c
            .run_pending_migrations(POSTGRES_MIGRATIONS)
            .map(|v| v.len()),
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
    };
    applied.map_err(|e| format!("migration failed: {e}"))
}

/// Runs `f` with a pooled connection on the blocking thread pool, so diesel never stalls
/// the async workers. Pool exhaustion or an unreachable database becomes a 503.
pub async fn run<T, F>(pool: &DbPool, f: F) -> AppResult<T>
where
    F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    actix_web::web::block(move || {
        let mut conn = pool.get()?;
        let result = f(&mut conn);
        if matches!(result, Err(AppError::Unavailable(_))) {
            discard_if_dead(&mut conn);
        }
        result
    })
    .await
    .map_err(AppError::internal)?
}

/// A connection the database ended would go back to the pool and fail every request that
/// drew it; marked broken, the pool drops it instead. Checked only after a request failed as
/// unavailable, so it costs nothing otherwise.
pub fn discard_if_dead(conn: &mut DbConn) {
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    if conn.ping().is_ok() {
        return;
    }
    per_backend!(conn, |c| {
        AnsiTransactionManager::transaction_manager_status_mut(c).set_in_error();
    });
}

/// Runs `f` in a transaction that writes. On SQLite it takes the write lock up front
/// (`BEGIN IMMEDIATE`, waiting up to the busy timeout): a deferred transaction that reads
/// first fails at once with "database is locked" when another connection wrote meanwhile.
pub fn write_transaction<T, F>(conn: &mut DbConn, f: F) -> AppResult<T>
where
    F: FnOnce(&mut DbConn) -> AppResult<T>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let outermost_sqlite = match conn {
        DbConn::Sqlite(c) => AnsiTransactionManager::transaction_manager_status_mut(c)
            .transaction_depth()
            .is_ok_and(|depth| depth.is_none()),
        DbConn::Postgres(_) => false,
    };
    if !outermost_sqlite {
        // PostgreSQL locks rows as it writes; inside a transaction this is a savepoint.
        return conn.transaction(f);
    }
    if let DbConn::Sqlite(c) = conn {
        AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
    }
    let result = f(conn);
    if let DbConn::Sqlite(c) = conn {
        match &result {
            Ok(_) => AnsiTransactionManager::commit_transaction(c)?,
            Err(_) => AnsiTransactionManager::rollback_transaction(c)?,
        }
    }
    result
}

/// The statement with its parameters numbered as the connection's database reads them
/// best: `$n` for PostgreSQL, `?n` for SQLite. SQLite takes `$n` for a name and looks each one
/// up among those before it, a cost that grows with the square of a multi-row statement's
/// parameters; `?n` it reads as a number.
pub(crate) fn numbered(conn: &DbConn, sql: String) -> String {
    match conn {
        DbConn::Postgres(_) => sql,
        DbConn::Sqlite(_) => sql.replace('$', "?"),
    }
}

/// Rows one multi-row statement carries: far below both databases' limits on bound
/// parameters (SQLite 32766, PostgreSQL 65535) even for the widest table.
pub(crate) const ROWS_PER_STATEMENT: usize = 500;

/// Ids one `IN` list may carry: SQLite takes at most 32,766 parameters in a statement
/// (PostgreSQL 65,535), so a longer list is asked for in parts.
pub(crate) const IDS_PER_STATEMENT: usize = 10_000;

/// `($n, $n+1, …<tail>), (…)`: placeholders for `rows` rows of `columns` parameters,
/// numbered from `first`, each row ending with `tail` (constant SQL, such as `, 0`). Pass
/// the statement through `numbered` before running it.
pub(crate) fn value_rows(rows: usize, columns: usize, first: usize, tail: &str) -> String {
    let mut sql = String::with_capacity(rows * columns * 5);
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ", (" });
        for column in 0..columns {
            if column > 0 {
                sql.push_str(", ");
            }
            sql.push('$');
            sql.push_str(&(first + row * columns + column).to_string());
        }
        sql.push_str(tail);
        sql.push(')');
    }
    sql
}

/// Now, as stored: UTC, to the microsecond (PostgreSQL's precision, so both backends agree).
pub fn now() -> NaiveDateTime {
    let now = Utc::now().naive_utc();
    now.with_nanosecond(now.nanosecond() / 1_000 * 1_000)
        .unwrap_or(now)
}

pub fn utc(time: NaiveDateTime) -> DateTime<Utc> {
    time.and_utc()
}

#[cfg(test)]
mod tests {
    use diesel::sql_types::Text;

    use super::*;

    #[derive(QueryableByName)]
    struct CompileOption {
        #[diesel(sql_type = Text)]
        compile_options: String,
    }

    /// Without the query planner stability guarantee, SQLite plans a statement with a bound
    /// `LIMIT` again every time it runs (see `.cargo/config.toml`).
    #[test]
    fn sqlite_keeps_its_plans() {
        let mut conn = diesel::SqliteConnection::establish(":memory:").expect("in-memory SQLite");
        let options: Vec<String> =
            diesel::sql_query("SELECT compile_options FROM pragma_compile_options")
                .load::<CompileOption>(&mut conn)
                .expect("compile options")
                .into_iter()
                .map(|o| o.compile_options)
                .collect();
        assert!(
            options.iter().any(|o| o == "ENABLE_QPSG"),
            "SQLite was built without SQLITE_ENABLE_QPSG: {options:?}"
        );
    }
}
