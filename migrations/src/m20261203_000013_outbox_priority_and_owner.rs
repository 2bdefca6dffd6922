//! Urgent deliveries first and quick recovery: each outbox row says whether it is urgent
//! (its retry policy), its place in the queue (`priority`: retries and urgent pushes before
//! bulk e-mail), and which worker holds its lease (`locked_by`), so a restarted process takes
//! its dead predecessor's rows back at once. Existing rows become ordinary (priority 2).

use sea_orm_migration::{
    prelude::*,
    schema::{boolean, small_integer, string_len_null},
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        for column in [
            boolean(Outbox::Urgent).default(false).to_owned(),
            small_integer(Outbox::Priority).default(2).to_owned(),
            string_len_null(Outbox::LockedBy, 200).to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Outbox::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_outbox_queue")
                    .table(Outbox::Table)
                    .col(Outbox::Status)
                    .col(Outbox::Priority)
                    .col(Outbox::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_outbox_locked_by")
                    .table(Outbox::Table)
                    .col(Outbox::LockedBy)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for index in ["idx_outbox_queue", "idx_outbox_locked_by"] {
            manager
                .drop_index(Index::drop().name(index).table(Outbox::Table).to_owned())
                .await?;
        }
        for column in [Outbox::Urgent, Outbox::Priority, Outbox::LockedBy] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Outbox::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Outbox {
    Table,
    Status,
    NextAttemptAt,
    Urgent,
    Priority,
    LockedBy,
}
