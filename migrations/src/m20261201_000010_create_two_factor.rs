//! Two-step login (TOTP, RFC 6238) for staff: one authenticator secret per account, and
//! single-use recovery codes for a lost phone (only their SHA-256 is kept).

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
                    .table(TwoFactor::Table)
                    .col(integer(TwoFactor::UserId).primary_key())
                    // Base32, as authenticator apps take it.
                    .col(string_len(TwoFactor::Secret, 64))
                    .col(timestamp_with_time_zone(TwoFactor::CreatedAt))
                    // Null while set-up waits for the first code from the app.
                    .col(timestamp_with_time_zone_null(TwoFactor::ConfirmedAt))
                    // The last 30-second step whose code was accepted: no code works twice.
                    .col(big_integer(TwoFactor::LastUsedStep).default(0))
                    .foreign_key(&mut references(
                        (TwoFactor::Table, TwoFactor::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RecoveryCodes::Table)
                    .col(pk_auto(RecoveryCodes::Id))
                    .col(integer(RecoveryCodes::UserId))
                    .col(string_len_uniq(RecoveryCodes::CodeHash, 64))
                    .col(timestamp_with_time_zone_null(RecoveryCodes::UsedAt))
                    .foreign_key(&mut references(
                        (RecoveryCodes::Table, RecoveryCodes::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_recovery_codes_user")
                    .table(RecoveryCodes::Table)
                    .col(RecoveryCodes::UserId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RecoveryCodes::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(TwoFactor::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum TwoFactor {
    Table,
    UserId,
    Secret,
    CreatedAt,
    ConfirmedAt,
    LastUsedStep,
}

#[derive(DeriveIden)]
enum RecoveryCodes {
    Table,
    Id,
    UserId,
    CodeHash,
    UsedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
