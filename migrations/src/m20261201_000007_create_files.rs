//! The file store's index: one row per stored object (attachment, document, photo). The bytes
//! live in the configured backend (a folder or an S3 bucket) under the row's key; features
//! point at `files.key` from their own tables.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Files::Table)
                    .col(string_len(Files::Key, 64).primary_key())
                    .col(big_integer(Files::Size))
                    .col(string_len(Files::Sha256, 64))
                    .col(string_len(Files::ContentType, 100))
                    .col(timestamp_with_time_zone(Files::CreatedAt))
                    .to_owned(),
            )
            .await?;
        // The janitor looks for unreferenced rows older than a cut-off.
        manager
            .create_index(
                Index::create()
                    .name("idx_files_created_at")
                    .table(Files::Table)
                    .col(Files::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Files::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Files {
    Table,
    Key,
    Size,
    Sha256,
    ContentType,
    CreatedAt,
}
