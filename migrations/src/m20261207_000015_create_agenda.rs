//! The agenda: items of the school or of groups (one day, several days, all day or timed,
//! repeating weekly or every two weeks with dates left out), and personal calendar feeds.
//! Times are local wall times in the school's time zone: 19:00 stays 19:00 across the
//! change to summer time, also for a weekly item.

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
                    .table(AgendaItems::Table)
                    .col(pk_auto(AgendaItems::Id))
                    .col(boolean(AgendaItems::ToSchool))
                    .col(integer_null(AgendaItems::AuthorId))
                    .col(string_len(AgendaItems::Title, 200))
                    .col(text(AgendaItems::Description))
                    .col(string_len(AgendaItems::Place, 200))
                    .col(date(AgendaItems::StartsOn))
                    // Both times empty: an all-day item.
                    .col(time_null(AgendaItems::StartTime))
                    .col(date(AgendaItems::EndsOn))
                    .col(time_null(AgendaItems::EndTime))
                    // 1 (weekly) or 2 (every two weeks), until `repeat_until`; empty: once.
                    .col(small_integer_null(AgendaItems::RepeatWeeks))
                    .col(date_null(AgendaItems::RepeatUntil))
                    .col(timestamp_with_time_zone_null(AgendaItems::CancelledAt))
                    // Rises with each change, for calendar clients (iCalendar SEQUENCE).
                    .col(integer(AgendaItems::Sequence))
                    .col(timestamp_with_time_zone(AgendaItems::CreatedAt))
                    .col(timestamp_with_time_zone(AgendaItems::UpdatedAt))
                    .foreign_key(&mut references(
                        (AgendaItems::Table, AgendaItems::AuthorId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        // Items still to come (or repeating into the window) are found by their last day.
        manager
            .create_index(
                Index::create()
                    .name("idx_agenda_items_last_day")
                    .table(AgendaItems::Table)
                    .col(AgendaItems::EndsOn)
                    .col(AgendaItems::RepeatUntil)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AgendaItemGroups::Table)
                    .col(integer(AgendaItemGroups::ItemId))
                    .col(integer(AgendaItemGroups::GroupId))
                    .primary_key(
                        Index::create()
                            .col(AgendaItemGroups::ItemId)
                            .col(AgendaItemGroups::GroupId),
                    )
                    .foreign_key(&mut references(
                        (AgendaItemGroups::Table, AgendaItemGroups::ItemId),
                        (AgendaItems::Table, AgendaItems::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut references(
                        (AgendaItemGroups::Table, AgendaItemGroups::GroupId),
                        (Groups::Table, Groups::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_agenda_item_groups_group")
                    .table(AgendaItemGroups::Table)
                    .col(AgendaItemGroups::GroupId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AgendaSkips::Table)
                    .col(integer(AgendaSkips::ItemId))
                    // A date of a repeating item on which it does not take place.
                    .col(date(AgendaSkips::OnDate))
                    .primary_key(
                        Index::create()
                            .col(AgendaSkips::ItemId)
                            .col(AgendaSkips::OnDate),
                    )
                    .foreign_key(&mut references(
                        (AgendaSkips::Table, AgendaSkips::ItemId),
                        (AgendaItems::Table, AgendaItems::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CalendarFeeds::Table)
                    .col(pk_auto(CalendarFeeds::Id))
                    .col(integer(CalendarFeeds::UserId))
                    // Only this child's items (and the school's); empty: all of the user's.
                    .col(integer_null(CalendarFeeds::ChildId))
                    // SHA-256 of the secret in the feed's URL: the URL is the only credential.
                    .col(string_len_uniq(CalendarFeeds::TokenHash, 64))
                    .col(timestamp_with_time_zone(CalendarFeeds::CreatedAt))
                    .col(timestamp_with_time_zone_null(CalendarFeeds::LastUsedAt))
                    .foreign_key(&mut references(
                        (CalendarFeeds::Table, CalendarFeeds::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut references(
                        (CalendarFeeds::Table, CalendarFeeds::ChildId),
                        (Children::Table, Children::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_calendar_feeds_user")
                    .table(CalendarFeeds::Table)
                    .col(CalendarFeeds::UserId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            CalendarFeeds::Table.into_iden(),
            AgendaSkips::Table.into_iden(),
            AgendaItemGroups::Table.into_iden(),
            AgendaItems::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum AgendaItems {
    Table,
    Id,
    ToSchool,
    AuthorId,
    Title,
    Description,
    Place,
    StartsOn,
    StartTime,
    EndsOn,
    EndTime,
    RepeatWeeks,
    RepeatUntil,
    CancelledAt,
    Sequence,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AgendaItemGroups {
    Table,
    ItemId,
    GroupId,
}

#[derive(DeriveIden)]
enum AgendaSkips {
    Table,
    ItemId,
    OnDate,
}

#[derive(DeriveIden)]
enum CalendarFeeds {
    Table,
    Id,
    UserId,
    ChildId,
    TokenHash,
    CreatedAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Groups {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Children {
    Table,
    Id,
}
