//! Import records: each upload's preview (the planned changes and a fingerprint of the data
//! they were planned against) and whether and when it was applied.

use sea_orm_migration::{prelude::*, schema::*};

use crate::references;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Imports::Table)
                    .col(string_len(Imports::Id, 36).primary_key())
                    .col(string_len(Imports::Kind, 16))
                    .col(string_len(Imports::FileName, 255))
                    .col(string_len(Imports::Status, 16))
                    .col(string_len(Imports::Fingerprint, 64))
                    .col(json(Imports::Plan))
                    .col(json(Imports::Counts))
                    .col(integer_null(Imports::CreatedBy))
                    .col(timestamp_with_time_zone(Imports::CreatedAt))
                    .col(integer_null(Imports::AppliedBy))
                    .col(timestamp_with_time_zone_null(Imports::AppliedAt))
                    .foreign_key(&mut references(
                        (Imports::Table, Imports::CreatedBy),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut references(
                        (Imports::Table, Imports::AppliedBy),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Imports::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Imports {
    Table,
    Id,
    Kind,
    FileName,
    Status,
    Fingerprint,
    Plan,
    Counts,
    CreatedBy,
    CreatedAt,
    AppliedBy,
    AppliedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
