//! The claim query orders due rows by (priority, next_attempt_at, id). The queue index had
//! no `id`, so every claim sorted all rows sharing a due time: a notice's 4,000 pushes, 30 ms
//! per claim on PostgreSQL, a few hundred claims per notice. With `id` in the index the
//! claim reads its 32 rows in order and stops.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Replaced, under a new name: dropping an index and creating one of the same name in one
/// migration failed on SQLite ("already exists") in release builds.
const OLD: &str = "idx_outbox_queue";
const NEW: &str = "idx_outbox_claim_order";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_queue_index(manager, NEW, true).await?;
        drop_index(manager, OLD).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_queue_index(manager, OLD, false).await?;
        drop_index(manager, NEW).await
    }
}

async fn create_queue_index(
    manager: &SchemaManager<'_>,
    name: &str,
    with_id: bool,
) -> Result<(), DbErr> {
    let mut index = Index::create();
    index
        .name(name)
        .table(Outbox::Table)
        .col(Outbox::Status)
        .col(Outbox::Priority)
        .col(Outbox::NextAttemptAt);
    if with_id {
        index.col(Outbox::Id);
    }
    manager.create_index(index.to_owned()).await
}

async fn drop_index(manager: &SchemaManager<'_>, name: &str) -> Result<(), DbErr> {
    manager
        .drop_index(Index::drop().name(name).table(Outbox::Table).to_owned())
        .await
}

#[derive(DeriveIden, Clone, Copy)]
enum Outbox {
    Table,
    Id,
    Status,
    Priority,
    NextAttemptAt,
}
