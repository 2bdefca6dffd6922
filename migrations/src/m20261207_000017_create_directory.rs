//! The groups directory and what families share in it: each family's choice of audience per
//! field, labelled phone numbers and extra e-mail addresses, photos of parents and children,
//! children's birthdays, teachers' notes on a child, and pending changes of the login
//! e-mail address (confirmed by a link sent to the new address).

use sea_orm_migration::{prelude::*, schema::*};

use crate::references;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(string_len_null(Users::PhotoKey, 64))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(string_len(Users::PhoneLabel, 16).default("mobile"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Children::Table)
                    .add_column(string_len_null(Children::PhotoKey, 64))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Children::Table)
                    .add_column(date_null(Children::Birthday))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PrivacyChoices::Table)
                    .col(pk_auto(PrivacyChoices::Id))
                    // Exactly one of the two: a parent's own field or a child's.
                    .col(integer_null(PrivacyChoices::UserId))
                    .col(integer_null(PrivacyChoices::ChildId))
                    .col(string_len(PrivacyChoices::Field, 24))
                    .col(string_len(PrivacyChoices::Audience, 16))
                    .col(timestamp_with_time_zone(PrivacyChoices::UpdatedAt))
                    .foreign_key(&mut references(
                        (PrivacyChoices::Table, PrivacyChoices::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut references(
                        (PrivacyChoices::Table, PrivacyChoices::ChildId),
                        (Children::Table, Children::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_privacy_choices_user", PrivacyChoices::UserId),
            ("idx_privacy_choices_child", PrivacyChoices::ChildId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(PrivacyChoices::Table)
                        .col(column)
                        .col(PrivacyChoices::Field)
                        .unique()
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(UserContacts::Table)
                    .col(pk_auto(UserContacts::Id))
                    .col(integer(UserContacts::UserId))
                    // `phone` or `email`.
                    .col(string_len(UserContacts::Kind, 8))
                    // `mobile`, `work`, `home` or `other`.
                    .col(string_len(UserContacts::Label, 16))
                    .col(string_len(UserContacts::Value, 254))
                    .col(integer(UserContacts::Position))
                    .foreign_key(&mut references(
                        (UserContacts::Table, UserContacts::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_user_contacts_user")
                    .table(UserContacts::Table)
                    .col(UserContacts::UserId)
                    .col(UserContacts::Position)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ChildNotes::Table)
                    .col(pk_auto(ChildNotes::Id))
                    .col(integer(ChildNotes::ChildId))
                    .col(integer_null(ChildNotes::AuthorId))
                    .col(text(ChildNotes::Body))
                    .col(timestamp_with_time_zone(ChildNotes::CreatedAt))
                    .col(timestamp_with_time_zone(ChildNotes::UpdatedAt))
                    .foreign_key(&mut references(
                        (ChildNotes::Table, ChildNotes::ChildId),
                        (Children::Table, Children::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut references(
                        (ChildNotes::Table, ChildNotes::AuthorId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_child_notes_child")
                    .table(ChildNotes::Table)
                    .col(ChildNotes::ChildId)
                    .col(ChildNotes::CreatedAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(EmailChanges::Table)
                    .col(pk_auto(EmailChanges::Id))
                    .col(integer(EmailChanges::UserId))
                    .col(string_len(EmailChanges::NewEmail, 254))
                    // SHA-256 of the link's token, set when the mail is written; the token
                    // itself is only ever in the mail.
                    .col(string_len_null(EmailChanges::TokenHash, 64))
                    .col(timestamp_with_time_zone(EmailChanges::CreatedAt))
                    .col(timestamp_with_time_zone(EmailChanges::ExpiresAt))
                    .col(timestamp_with_time_zone_null(EmailChanges::ConfirmedAt))
                    .col(timestamp_with_time_zone_null(EmailChanges::CancelledAt))
                    .foreign_key(&mut references(
                        (EmailChanges::Table, EmailChanges::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_email_changes_token")
                    .table(EmailChanges::Table)
                    .col(EmailChanges::TokenHash)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            EmailChanges::Table.into_iden(),
            ChildNotes::Table.into_iden(),
            UserContacts::Table.into_iden(),
            PrivacyChoices::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        for column in [Children::PhotoKey, Children::Birthday] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Children::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for column in [Users::PhotoKey, Users::PhoneLabel] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    Id,
    PhotoKey,
    PhoneLabel,
}

#[derive(DeriveIden, Clone, Copy)]
enum Children {
    Table,
    Id,
    PhotoKey,
    Birthday,
}

#[derive(DeriveIden, Clone, Copy)]
enum PrivacyChoices {
    Table,
    Id,
    UserId,
    ChildId,
    Field,
    Audience,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum UserContacts {
    Table,
    Id,
    UserId,
    Kind,
    Label,
    Value,
    Position,
}

#[derive(DeriveIden)]
enum ChildNotes {
    Table,
    Id,
    ChildId,
    AuthorId,
    Body,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum EmailChanges {
    Table,
    Id,
    UserId,
    NewEmail,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    ConfirmedAt,
    CancelledAt,
}
