//! One row per run of a scheduled job (digest, news batch), keyed by the tick it belongs to,
//! so a tick is run once however many processes see it.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ScheduledRuns::Table)
                    .col(pk_auto(ScheduledRuns::Id))
                    .col(string_len(ScheduledRuns::Job, 32))
                    .col(timestamp_with_time_zone(ScheduledRuns::ScheduledFor))
                    .col(string_len(ScheduledRuns::Status, 16))
                    .col(string_len(ScheduledRuns::TriggeredBy, 16))
                    .col(timestamp_with_time_zone_null(ScheduledRuns::LeaseUntil))
                    .col(timestamp_with_time_zone(ScheduledRuns::StartedAt))
                    .col(timestamp_with_time_zone_null(ScheduledRuns::FinishedAt))
                    .col(integer(ScheduledRuns::Recipients).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_scheduled_runs_job_tick")
                    .table(ScheduledRuns::Table)
                    .col(ScheduledRuns::Job)
                    .col(ScheduledRuns::ScheduledFor)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ScheduledRuns::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ScheduledRuns {
    Table,
    Id,
    Job,
    ScheduledFor,
    Status,
    TriggeredBy,
    LeaseUntil,
    StartedAt,
    FinishedAt,
    Recipients,
}
