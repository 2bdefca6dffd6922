//! Parent-teacher conferences: a round per group with its slots, per child an invitation
//! (note, double slot, whether a talk is needed), the bookings, and the claims that tie a
//! booking (or a teacher's block) to its slots. A slot has at most one claim: the unique
//! index on `conference_claims.slot_id` is what makes double booking impossible, whatever
//! the timing of two requests.

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
                    .table(ConferenceRounds::Table)
                    .col(pk_auto(ConferenceRounds::Id))
                    .col(integer(ConferenceRounds::GroupId))
                    .col(string_len(ConferenceRounds::Title, 200))
                    .col(text(ConferenceRounds::Message))
                    .col(string_len(ConferenceRounds::Location, 200))
                    .col(string_len(ConferenceRounds::VideoLink, 500))
                    .col(integer(ConferenceRounds::SlotMinutes))
                    // Parents see the round, and may book, from this moment.
                    .col(timestamp_with_time_zone(ConferenceRounds::OpensAt))
                    // Parents may book, cancel and move until then (None: until closed).
                    .col(timestamp_with_time_zone_null(ConferenceRounds::DeadlineAt))
                    // The teacher closed the planning: bookings are final.
                    .col(timestamp_with_time_zone_null(ConferenceRounds::ClosedAt))
                    .col(integer_null(ConferenceRounds::AuthorId))
                    .col(timestamp_with_time_zone(ConferenceRounds::CreatedAt))
                    .col(timestamp_with_time_zone(ConferenceRounds::UpdatedAt))
                    .foreign_key(&mut references(
                        (ConferenceRounds::Table, ConferenceRounds::GroupId),
                        (Groups::Table, Groups::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut references(
                        (ConferenceRounds::Table, ConferenceRounds::AuthorId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_conference_rounds_group")
                    .table(ConferenceRounds::Table)
                    .col(ConferenceRounds::GroupId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ConferenceSlots::Table)
                    .col(pk_auto(ConferenceSlots::Id))
                    .col(integer(ConferenceSlots::RoundId))
                    .col(timestamp_with_time_zone(ConferenceSlots::StartsAt))
                    .col(timestamp_with_time_zone(ConferenceSlots::EndsAt))
                    .foreign_key(&mut references(
                        (ConferenceSlots::Table, ConferenceSlots::RoundId),
                        (ConferenceRounds::Table, ConferenceRounds::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_conference_slots_round_start")
                    .table(ConferenceSlots::Table)
                    .col(ConferenceSlots::RoundId)
                    .col(ConferenceSlots::StartsAt)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ConferenceInvitations::Table)
                    .col(pk_auto(ConferenceInvitations::Id))
                    .col(integer(ConferenceInvitations::RoundId))
                    .col(integer(ConferenceInvitations::ChildId))
                    // The teacher's personal note to the child's parents.
                    .col(text(ConferenceInvitations::Note))
                    // The talk needs two adjacent slots.
                    .col(boolean(ConferenceInvitations::DoubleSlot).default(false))
                    // `required`, `optional` or `not_needed`.
                    .col(string_len(ConferenceInvitations::Need, 12))
                    .col(timestamp_with_time_zone_null(
                        ConferenceInvitations::RemindedAt,
                    ))
                    .foreign_key(&mut references(
                        (ConferenceInvitations::Table, ConferenceInvitations::RoundId),
                        (ConferenceRounds::Table, ConferenceRounds::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut references(
                        (ConferenceInvitations::Table, ConferenceInvitations::ChildId),
                        (Children::Table, Children::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_conference_invitations_round_child")
                    .table(ConferenceInvitations::Table)
                    .col(ConferenceInvitations::RoundId)
                    .col(ConferenceInvitations::ChildId)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ConferenceBookings::Table)
                    .col(pk_auto(ConferenceBookings::Id))
                    .col(integer(ConferenceBookings::RoundId))
                    .col(integer(ConferenceBookings::ChildId))
                    .col(integer_null(ConferenceBookings::BookedBy))
                    // The talk's time (its first slot's start, its last slot's end).
                    .col(timestamp_with_time_zone(ConferenceBookings::StartsAt))
                    .col(timestamp_with_time_zone(ConferenceBookings::EndsAt))
                    // The iCalendar SEQUENCE: raised with each move.
                    .col(integer(ConferenceBookings::Sequence).default(0))
                    .col(timestamp_with_time_zone(ConferenceBookings::CreatedAt))
                    .col(timestamp_with_time_zone(ConferenceBookings::UpdatedAt))
                    .foreign_key(&mut references(
                        (ConferenceBookings::Table, ConferenceBookings::RoundId),
                        (ConferenceRounds::Table, ConferenceRounds::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut references(
                        (ConferenceBookings::Table, ConferenceBookings::ChildId),
                        (Children::Table, Children::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut references(
                        (ConferenceBookings::Table, ConferenceBookings::BookedBy),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        // One booking per child and round.
        manager
            .create_index(
                Index::create()
                    .name("idx_conference_bookings_round_child")
                    .table(ConferenceBookings::Table)
                    .col(ConferenceBookings::RoundId)
                    .col(ConferenceBookings::ChildId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_conference_bookings_child")
                    .table(ConferenceBookings::Table)
                    .col(ConferenceBookings::ChildId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ConferenceClaims::Table)
                    .col(pk_auto(ConferenceClaims::Id))
                    .col(integer(ConferenceClaims::SlotId))
                    .col(integer(ConferenceClaims::RoundId))
                    // None: the teacher blocked the slot.
                    .col(integer_null(ConferenceClaims::BookingId))
                    .foreign_key(&mut references(
                        (ConferenceClaims::Table, ConferenceClaims::SlotId),
                        (ConferenceSlots::Table, ConferenceSlots::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut references(
                        (ConferenceClaims::Table, ConferenceClaims::BookingId),
                        (ConferenceBookings::Table, ConferenceBookings::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_conference_claims_slot")
                    .table(ConferenceClaims::Table)
                    .col(ConferenceClaims::SlotId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_conference_claims_booking")
                    .table(ConferenceClaims::Table)
                    .col(ConferenceClaims::BookingId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ConferenceClaims::Table.into_iden(),
            ConferenceBookings::Table.into_iden(),
            ConferenceInvitations::Table.into_iden(),
            ConferenceSlots::Table.into_iden(),
            ConferenceRounds::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum ConferenceRounds {
    Table,
    Id,
    GroupId,
    Title,
    Message,
    Location,
    VideoLink,
    SlotMinutes,
    OpensAt,
    DeadlineAt,
    ClosedAt,
    AuthorId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ConferenceSlots {
    Table,
    Id,
    RoundId,
    StartsAt,
    EndsAt,
}

#[derive(DeriveIden)]
enum ConferenceInvitations {
    Table,
    Id,
    RoundId,
    ChildId,
    Note,
    DoubleSlot,
    Need,
    RemindedAt,
}

#[derive(DeriveIden)]
enum ConferenceBookings {
    Table,
    Id,
    RoundId,
    ChildId,
    BookedBy,
    StartsAt,
    EndsAt,
    Sequence,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ConferenceClaims {
    Table,
    Id,
    SlotId,
    RoundId,
    BookingId,
}

#[derive(DeriveIden)]
enum Groups {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Children {
    Table,
    Id,
}
