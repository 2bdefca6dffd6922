//! Schema migrations for Schoolgate, portable between SQLite and PostgreSQL.
//! Migrations are append-only: never edit one that has been released.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_create_foundation;
mod m20261123_000002_create_imports;
mod m20261123_000003_create_posts;
mod m20261123_000004_create_attachments;
mod m20261123_000005_create_scheduled_runs;
mod m20261123_000006_digest_inclusion;
mod m20261201_000007_create_files;
mod m20261201_000008_attachments_in_file_store;
mod m20261201_000009_session_last_seen;
mod m20261201_000010_create_two_factor;
mod m20261203_000011_name_prefix;
mod m20261203_000012_create_thread_reads;
mod m20261203_000013_outbox_priority_and_owner;
mod m20261203_000014_outbox_queue_order;
mod m20261207_000015_create_agenda;
mod m20261207_000016_create_documents;
mod m20261207_000017_create_directory;
mod m20261207_000018_create_albums;
mod m20261208_000019_create_conferences;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_create_foundation::Migration),
            Box::new(m20261123_000002_create_imports::Migration),
            Box::new(m20261123_000003_create_posts::Migration),
            Box::new(m20261123_000004_create_attachments::Migration),
            Box::new(m20261123_000005_create_scheduled_runs::Migration),
            Box::new(m20261123_000006_digest_inclusion::Migration),
            Box::new(m20261201_000007_create_files::Migration),
            Box::new(m20261201_000008_attachments_in_file_store::Migration),
            Box::new(m20261201_000009_session_last_seen::Migration),
            Box::new(m20261201_000010_create_two_factor::Migration),
            Box::new(m20261203_000011_name_prefix::Migration),
            Box::new(m20261203_000012_create_thread_reads::Migration),
            Box::new(m20261203_000013_outbox_priority_and_owner::Migration),
            Box::new(m20261203_000014_outbox_queue_order::Migration),
            Box::new(m20261207_000015_create_agenda::Migration),
            Box::new(m20261207_000016_create_documents::Migration),
            Box::new(m20261207_000017_create_directory::Migration),
            Box::new(m20261207_000018_create_albums::Migration),
            Box::new(m20261208_000019_create_conferences::Migration),
        ]
    }
}

/// A foreign key from `(table, column)` to `(table, column)`.
fn references(
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(on_delete)
        .to_owned()
}
