//! Post attachments move into the file store: an attachment points at `files.key` instead of
//! holding its bytes. The bytes already in the database wait in `attachment_blobs` until the
//! server, which knows the configured file store, moves them there at start
//! (`features::posts::move_stored_attachments`); a download reads them from there until then.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let bytes = match manager.get_database_backend() {
            sea_orm::DbBackend::Postgres => "bytea",
            _ => "blob",
        };
        db.execute_unprepared(&format!(
            "CREATE TABLE attachment_blobs (
                 attachment_id integer NOT NULL PRIMARY KEY
                     REFERENCES attachments (id) ON DELETE CASCADE,
                 data {bytes} NOT NULL
             )"
        ))
        .await?;
        db.execute_unprepared(
            "INSERT INTO attachment_blobs (attachment_id, data) SELECT id, data FROM attachments",
        )
        .await?;
        // SQLite drops a column since 3.35; a plain column like this one has no constraints
        // in the way.
        db.execute_unprepared("ALTER TABLE attachments DROP COLUMN data")
            .await?;
        db.execute_unprepared(
            "ALTER TABLE attachments ADD COLUMN file_key varchar(64) NULL REFERENCES files (key)",
        )
        .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_attachments_file_key")
                    .table(Attachments::Table)
                    .col(Attachments::FileKey)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        // The bytes may live in an S3 bucket by now, out of a migration's reach.
        Err(DbErr::Migration(
            "attachments in the file store cannot be moved back into the database".into(),
        ))
    }
}

#[derive(DeriveIden)]
enum Attachments {
    Table,
    FileKey,
}
