//! Persistence: connection set-up and query/mutation functions per aggregate. Functions take
//! `&impl ConnectionTrait` so callers decide the transaction.

pub mod audit;
pub mod children;
pub mod groups;
pub mod imports;
pub mod outbox;
pub mod posts;
pub mod push;
pub mod scheduled_runs;
pub mod server_keys;
pub mod sessions;
pub mod tokens;
pub mod users;

use std::time::Duration;

use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, SqliteTransactionMode, TransactionOptions, TransactionTrait,
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
};

use crate::config::DatabaseSettings;

/// Opens the pool. SQLite runs in WAL mode with a busy timeout and foreign keys on; its
/// folder is created when missing.
pub async fn connect(settings: &DatabaseSettings) -> anyhow::Result<DatabaseConnection> {
    let url = settings.url.expose();
    if let Some(folder) = sqlite_file_path(url).and_then(|path| std::path::Path::new(path).parent())
    {
        std::fs::create_dir_all(folder)
            .with_context(|| format!("creating database folder {}", folder.display()))?;
    }
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(settings.max_connections)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        });
    Database::connect(options)
        .await
        .context("connecting to the database (database.url)")
}

fn sqlite_file_path(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("sqlite://")?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && path != ":memory:").then_some(path)
}

/// Applies all pending migrations.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None)
        .await
        .context("applying database migrations")
}

/// Starts a transaction that will write. On SQLite it takes the write lock at once
/// (`BEGIN IMMEDIATE`), so a read-then-write transaction waits for the lock instead of
/// failing with "database is locked".
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// After an import changed thousands of rows: PostgreSQL's planner statistics are brought
/// up to date at once rather than at autovacuum's next visit, so the queries right after
/// (the first digest, parents' feeds) use the indexes. SQLite plans without statistics.
pub async fn refresh_statistics(db: &DatabaseConnection) {
    if db.get_database_backend() != DbBackend::Postgres {
        return;
    }
    if let Err(err) = db
        .execute_unprepared("ANALYZE users, children, parent_children, groups")
        .await
    {
        tracing::warn!(error = %err, "refreshing planner statistics failed");
    }
}

#[cfg(test)]
mod tests {
    use super::sqlite_file_path;

    #[test]
    fn sqlite_paths_are_found_in_urls() {
        assert_eq!(
            sqlite_file_path("sqlite://data/schoolgate.db?mode=rwc"),
            Some("data/schoolgate.db")
        );
        assert_eq!(sqlite_file_path("sqlite::memory:"), None);
        assert_eq!(sqlite_file_path("postgres://localhost/x"), None);
    }
}
