//! Accounts, groups, children and their links, sessions, one-time tokens,
//! the audit log and the delivery outbox.

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
                    .table(Users::Table)
                    .col(pk_auto(Users::Id))
                    // Stored trimmed and lower-cased, so the unique index is case-insensitive.
                    .col(string_len_uniq(Users::Email, 254))
                    .col(string_len(Users::FirstName, 100))
                    .col(string_len(Users::LastName, 100))
                    .col(string_len(Users::Role, 16))
                    .col(string_len(Users::Language, 2))
                    .col(string_len(Users::State, 16))
                    .col(string_null(Users::PasswordHash))
                    .col(string_len_null(Users::Address, 300))
                    .col(string_len_null(Users::Phone, 50))
                    .col(string_len_null(Users::ConsentVersion, 32))
                    .col(timestamp_with_time_zone_null(Users::ConsentAt))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .col(timestamp_with_time_zone(Users::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Groups::Table)
                    .col(pk_auto(Groups::Id))
                    .col(string_len_uniq(Groups::Name, 100))
                    .col(timestamp_with_time_zone(Groups::CreatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Children::Table)
                    .col(pk_auto(Children::Id))
                    .col(string_len_uniq(Children::ExternalId, 64))
                    .col(string_len(Children::FirstName, 100))
                    .col(string_len(Children::LastName, 100))
                    .col(integer_null(Children::GroupId))
                    .col(json(Children::EmergencyContacts))
                    .col(timestamp_with_time_zone(Children::CreatedAt))
                    .col(timestamp_with_time_zone(Children::UpdatedAt))
                    .foreign_key(&mut references(
                        (Children::Table, Children::GroupId),
                        (Groups::Table, Groups::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(TeacherGroups::Table)
                    .col(integer(TeacherGroups::TeacherId))
                    .col(integer(TeacherGroups::GroupId))
                    .primary_key(
                        Index::create()
                            .col(TeacherGroups::TeacherId)
                            .col(TeacherGroups::GroupId),
                    )
                    .foreign_key(&mut references(
                        (TeacherGroups::Table, TeacherGroups::TeacherId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut references(
                        (TeacherGroups::Table, TeacherGroups::GroupId),
                        (Groups::Table, Groups::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ParentChildren::Table)
                    .col(integer(ParentChildren::ParentId))
                    .col(integer(ParentChildren::ChildId))
                    .col(boolean(ParentChildren::ReadOnly).default(false))
                    .col(timestamp_with_time_zone(ParentChildren::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(ParentChildren::ParentId)
                            .col(ParentChildren::ChildId),
                    )
                    .foreign_key(&mut references(
                        (ParentChildren::Table, ParentChildren::ParentId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut references(
                        (ParentChildren::Table, ParentChildren::ChildId),
                        (Children::Table, Children::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_parent_children_child")
                    .table(ParentChildren::Table)
                    .col(ParentChildren::ChildId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(pk_auto(Sessions::Id))
                    .col(integer(Sessions::UserId))
                    .col(string_len_uniq(Sessions::TokenHash, 64))
                    .col(string_len(Sessions::CsrfToken, 64))
                    .col(timestamp_with_time_zone(Sessions::CreatedAt))
                    .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                    .foreign_key(&mut references(
                        (Sessions::Table, Sessions::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OneTimeTokens::Table)
                    .col(pk_auto(OneTimeTokens::Id))
                    .col(integer(OneTimeTokens::UserId))
                    .col(string_len(OneTimeTokens::Purpose, 32))
                    .col(string_len_uniq(OneTimeTokens::TokenHash, 64))
                    .col(timestamp_with_time_zone(OneTimeTokens::CreatedAt))
                    .col(timestamp_with_time_zone(OneTimeTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(OneTimeTokens::UsedAt))
                    .foreign_key(&mut references(
                        (OneTimeTokens::Table, OneTimeTokens::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(pk_auto(AuditLog::Id))
                    .col(integer_null(AuditLog::ActorId))
                    .col(string_len(AuditLog::Action, 64))
                    .col(string_len(AuditLog::Target, 128))
                    .col(json(AuditLog::Details))
                    .col(timestamp_with_time_zone(AuditLog::CreatedAt))
                    .foreign_key(&mut references(
                        (AuditLog::Table, AuditLog::ActorId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Outbox::Table)
                    .col(pk_auto(Outbox::Id))
                    .col(string_len(Outbox::Channel, 16))
                    .col(string_len(Outbox::Kind, 32))
                    .col(integer_null(Outbox::UserId))
                    // One row per (what, to whom, how): a second insert of the same delivery is refused.
                    .col(string_len_uniq(Outbox::DedupeKey, 200))
                    .col(json(Outbox::Payload))
                    .col(string_len(Outbox::Status, 16))
                    .col(integer(Outbox::Attempts).default(0))
                    .col(timestamp_with_time_zone(Outbox::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(Outbox::LockedUntil))
                    .col(text_null(Outbox::LastError))
                    .col(timestamp_with_time_zone(Outbox::CreatedAt))
                    .col(timestamp_with_time_zone_null(Outbox::SentAt))
                    .foreign_key(&mut references(
                        (Outbox::Table, Outbox::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_outbox_due")
                    .table(Outbox::Table)
                    .col(Outbox::Status)
                    .col(Outbox::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Outbox::Table.into_iden(),
            AuditLog::Table.into_iden(),
            OneTimeTokens::Table.into_iden(),
            Sessions::Table.into_iden(),
            ParentChildren::Table.into_iden(),
            TeacherGroups::Table.into_iden(),
            Children::Table.into_iden(),
            Groups::Table.into_iden(),
            Users::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Email,
    FirstName,
    LastName,
    Role,
    Language,
    State,
    PasswordHash,
    Address,
    Phone,
    ConsentVersion,
    ConsentAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Groups {
    Table,
    Id,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Children {
    Table,
    Id,
    ExternalId,
    FirstName,
    LastName,
    GroupId,
    EmergencyContacts,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum TeacherGroups {
    Table,
    TeacherId,
    GroupId,
}

#[derive(DeriveIden)]
enum ParentChildren {
    Table,
    ParentId,
    ChildId,
    ReadOnly,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    UserId,
    TokenHash,
    CsrfToken,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum OneTimeTokens {
    Table,
    Id,
    UserId,
    Purpose,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    ActorId,
    Action,
    Target,
    Details,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    Id,
    Channel,
    Kind,
    UserId,
    DedupeKey,
    Payload,
    Status,
    Attempts,
    NextAttemptAt,
    LockedUntil,
    LastError,
    CreatedAt,
    SentAt,
}
