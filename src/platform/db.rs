//! The database: connecting (SQLite in WAL mode, or PostgreSQL), migrating, write
//! transactions, and the audit log every admin change is committed with. Store functions
//! elsewhere take `&impl ConnectionTrait` so their callers decide the transaction.

use std::time::Duration;

use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, SqliteTransactionMode, TransactionOptions, TransactionTrait,
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
};

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set};

use crate::platform::services::Services;
use crate::{app::config::DatabaseSettings, entities::audit_log};

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

/// One entry of the audit log: who did what to which object.
pub struct Audit {
    pub actor_id: Option<i32>,
    /// E.g. `user.invite`, `child.link_parent`.
    pub action: &'static str,
    /// E.g. `user:12`.
    pub target: String,
    pub details: serde_json::Value,
}

impl Audit {
    pub fn new(
        actor_id: impl Into<Option<i32>>,
        action: &'static str,
        target: String,
        details: serde_json::Value,
    ) -> Self {
        Self {
            actor_id: actor_id.into(),
            action,
            target,
            details,
        }
    }
}

/// Writes an audit entry (inside the caller's transaction).
pub async fn record(
    conn: &impl ConnectionTrait,
    audit: Audit,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    audit_log::ActiveModel {
        actor_id: Set(audit.actor_id),
        action: Set(audit.action.into()),
        target: Set(audit.target),
        details: Set(audit.details),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// A write transaction that ends with an audit entry, so a change and the record of who
/// made it exist together or not at all.
pub struct AuditedWrite {
    txn: DatabaseTransaction,
    now: DateTime<Utc>,
    actor_id: Option<i32>,
    action: &'static str,
}

impl AuditedWrite {
    /// Begins the write (see `begin_write`) at the services' "now", of `action` (e.g.
    /// `user.invite`) by `actor_id` (`None`: the command line).
    pub async fn begin(
        services: &Services,
        actor_id: impl Into<Option<i32>>,
        action: &'static str,
    ) -> Result<Self, DbErr> {
        Ok(Self {
            txn: begin_write(&services.db).await?,
            now: services.clock.now(),
            actor_id: actor_id.into(),
            action,
        })
    }

    /// The transaction to write in.
    pub fn txn(&self) -> &DatabaseTransaction {
        &self.txn
    }

    /// When the change happens.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// Records the action on `target` (e.g. `user:12`) with its details, then commits.
    pub async fn commit(self, target: String, details: serde_json::Value) -> Result<(), DbErr> {
        let audit = Audit::new(self.actor_id, self.action, target, details);
        record(&self.txn, audit, self.now).await?;
        self.txn.commit().await
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
