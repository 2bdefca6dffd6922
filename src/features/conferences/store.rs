//! Queries of the conference rounds. A booking's slots are its claims; a claim is inserted
//! under the unique index on its slot, so a taken slot fails the insert (`SlotTaken`) and
//! the transaction is rolled back whole.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, SqlErr, TryIntoModel,
};

use super::rules::SlotTimes;
use crate::entities::{
    children, conference_bookings, conference_claims, conference_invitations,
    conference_invitations::TalkNeed, conference_rounds, conference_slots, parent_children,
    teacher_groups,
};

pub use conference_bookings::Model as Booking;
pub use conference_claims::Model as Claim;
pub use conference_invitations::Model as Invitation;
pub use conference_rounds::Model as Round;
pub use conference_slots::Model as Slot;

pub struct NewRound {
    pub group_id: i32,
    pub title: String,
    pub message: String,
    pub location: String,
    pub video_link: String,
    pub slot_minutes: i32,
    pub opens_at: DateTime<Utc>,
    pub deadline_at: Option<DateTime<Utc>>,
    pub author_id: i32,
}

pub async fn insert_round(
    conn: &impl ConnectionTrait,
    new: NewRound,
    slots: &[SlotTimes],
    now: DateTime<Utc>,
) -> Result<Round, DbErr> {
    let round = conference_rounds::ActiveModel {
        group_id: Set(new.group_id),
        title: Set(new.title),
        message: Set(new.message),
        location: Set(new.location),
        video_link: Set(new.video_link),
        slot_minutes: Set(new.slot_minutes),
        opens_at: Set(new.opens_at),
        deadline_at: Set(new.deadline_at),
        closed_at: Set(None),
        author_id: Set(Some(new.author_id)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    let rows: Vec<conference_slots::ActiveModel> = slots
        .iter()
        .map(|slot| conference_slots::ActiveModel {
            round_id: Set(round.id),
            starts_at: Set(slot.starts_at),
            ends_at: Set(slot.ends_at),
            ..Default::default()
        })
        .collect();
    for batch in rows.chunks(200) {
        conference_slots::Entity::insert_many(batch.to_vec())
            .exec(conn)
            .await?;
    }
    Ok(round)
}

/// What may change in a round after it was made (its slots stay).
pub struct RoundChange {
    pub title: String,
    pub message: String,
    pub location: String,
    pub video_link: String,
    pub opens_at: DateTime<Utc>,
    pub deadline_at: Option<DateTime<Utc>>,
}

pub async fn update_round(
    conn: &impl ConnectionTrait,
    round: Round,
    change: RoundChange,
    now: DateTime<Utc>,
) -> Result<Round, DbErr> {
    let mut active = round.into_active_model();
    active.title = Set(change.title);
    active.message = Set(change.message);
    active.location = Set(change.location);
    active.video_link = Set(change.video_link);
    active.opens_at = Set(change.opens_at);
    active.deadline_at = Set(change.deadline_at);
    active.updated_at = Set(now);
    active.update(conn).await
}

pub async fn close_round(
    conn: &impl ConnectionTrait,
    round: Round,
    now: DateTime<Utc>,
) -> Result<Round, DbErr> {
    let mut active = round.into_active_model();
    active.closed_at = Set(Some(now));
    active.updated_at = Set(now);
    active.update(conn).await
}

pub async fn delete_round(conn: &impl ConnectionTrait, id: i32) -> Result<(), DbErr> {
    conference_rounds::Entity::delete_by_id(id)
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn round(conn: &impl ConnectionTrait, id: i32) -> Result<Option<Round>, DbErr> {
    conference_rounds::Entity::find_by_id(id).one(conn).await
}

/// Rounds of these groups (every round with None), soonest first.
pub async fn rounds(
    conn: &impl ConnectionTrait,
    groups: Option<Vec<i32>>,
) -> Result<Vec<Round>, DbErr> {
    let mut query = conference_rounds::Entity::find();
    if let Some(groups) = groups {
        query = query.filter(conference_rounds::Column::GroupId.is_in(groups));
    }
    query
        .order_by_desc(conference_rounds::Column::OpensAt)
        .order_by_desc(conference_rounds::Column::Id)
        .all(conn)
        .await
}

pub async fn slots(conn: &impl ConnectionTrait, round_id: i32) -> Result<Vec<Slot>, DbErr> {
    conference_slots::Entity::find()
        .filter(conference_slots::Column::RoundId.eq(round_id))
        .order_by_asc(conference_slots::Column::StartsAt)
        .all(conn)
        .await
}

pub async fn claims(conn: &impl ConnectionTrait, round_id: i32) -> Result<Vec<Claim>, DbErr> {
    conference_claims::Entity::find()
        .filter(conference_claims::Column::RoundId.eq(round_id))
        .all(conn)
        .await
}

pub async fn bookings(conn: &impl ConnectionTrait, round_id: i32) -> Result<Vec<Booking>, DbErr> {
    conference_bookings::Entity::find()
        .filter(conference_bookings::Column::RoundId.eq(round_id))
        .order_by_asc(conference_bookings::Column::StartsAt)
        .all(conn)
        .await
}

pub async fn booking(
    conn: &impl ConnectionTrait,
    round_id: i32,
    child_id: i32,
) -> Result<Option<Booking>, DbErr> {
    conference_bookings::Entity::find()
        .filter(conference_bookings::Column::RoundId.eq(round_id))
        .filter(conference_bookings::Column::ChildId.eq(child_id))
        .one(conn)
        .await
}

pub async fn booking_by_id(conn: &impl ConnectionTrait, id: i32) -> Result<Option<Booking>, DbErr> {
    conference_bookings::Entity::find_by_id(id).one(conn).await
}

/// The bookings of these children in every round.
pub async fn bookings_of_children(
    conn: &impl ConnectionTrait,
    child_ids: Vec<i32>,
) -> Result<Vec<Booking>, DbErr> {
    conference_bookings::Entity::find()
        .filter(conference_bookings::Column::ChildId.is_in(child_ids))
        .order_by_asc(conference_bookings::Column::StartsAt)
        .all(conn)
        .await
}

/// Bookings whose talk starts in `[from, to)`.
pub async fn bookings_starting(
    conn: &impl ConnectionTrait,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Booking>, DbErr> {
    conference_bookings::Entity::find()
        .filter(conference_bookings::Column::StartsAt.gte(from))
        .filter(conference_bookings::Column::StartsAt.lt(to))
        .all(conn)
        .await
}

pub async fn invitations(
    conn: &impl ConnectionTrait,
    round_id: i32,
) -> Result<Vec<Invitation>, DbErr> {
    conference_invitations::Entity::find()
        .filter(conference_invitations::Column::RoundId.eq(round_id))
        .all(conn)
        .await
}

/// What the teacher sets for one child.
pub struct InvitationChange {
    pub note: String,
    pub double_slot: bool,
    pub need: TalkNeed,
}

pub async fn save_invitation(
    conn: &impl ConnectionTrait,
    round_id: i32,
    child_id: i32,
    change: InvitationChange,
) -> Result<Invitation, DbErr> {
    let existing = conference_invitations::Entity::find()
        .filter(conference_invitations::Column::RoundId.eq(round_id))
        .filter(conference_invitations::Column::ChildId.eq(child_id))
        .one(conn)
        .await?;
    let mut active = match existing {
        Some(row) => row.into_active_model(),
        None => conference_invitations::ActiveModel {
            round_id: Set(round_id),
            child_id: Set(child_id),
            reminded_at: Set(None),
            ..Default::default()
        },
    };
    active.note = Set(change.note);
    active.double_slot = Set(change.double_slot);
    active.need = Set(change.need);
    active.save(conn).await?.try_into_model()
}

pub async fn mark_reminded(
    conn: &impl ConnectionTrait,
    round_id: i32,
    child_ids: Vec<i32>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    conference_invitations::Entity::update_many()
        .col_expr(
            conference_invitations::Column::RemindedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(conference_invitations::Column::RoundId.eq(round_id))
        .filter(conference_invitations::Column::ChildId.is_in(child_ids))
        .exec(conn)
        .await?;
    Ok(())
}

/// Why a booking could not be written.
#[derive(Debug)]
pub enum ClaimError {
    /// A slot it needs has a claim already.
    SlotTaken,
    /// The child has a booking in this round already.
    AlreadyBooked,
    Db(DbErr),
}

impl From<DbErr> for ClaimError {
    fn from(err: DbErr) -> Self {
        Self::Db(err)
    }
}

fn is_unique_violation(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// The booking's row (one per child and round: a second insert fails `AlreadyBooked`).
pub async fn insert_booking(
    conn: &impl ConnectionTrait,
    round_id: i32,
    child_id: i32,
    booked_by: i32,
    times: SlotTimes,
    now: DateTime<Utc>,
) -> Result<Booking, ClaimError> {
    conference_bookings::ActiveModel {
        round_id: Set(round_id),
        child_id: Set(child_id),
        booked_by: Set(Some(booked_by)),
        starts_at: Set(times.starts_at),
        ends_at: Set(times.ends_at),
        sequence: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await
    .map_err(|err| match is_unique_violation(&err) {
        true => ClaimError::AlreadyBooked,
        false => ClaimError::Db(err),
    })
}

/// Gives a booking new times after a move, its SEQUENCE raised.
pub async fn move_booking(
    conn: &impl ConnectionTrait,
    booking: Booking,
    booked_by: i32,
    times: SlotTimes,
    now: DateTime<Utc>,
) -> Result<Booking, DbErr> {
    let sequence = booking.sequence + 1;
    let mut active = booking.into_active_model();
    active.booked_by = Set(Some(booked_by));
    active.starts_at = Set(times.starts_at);
    active.ends_at = Set(times.ends_at);
    active.sequence = Set(sequence);
    active.updated_at = Set(now);
    active.update(conn).await
}

/// Claims slots for a booking, or blocks them (`booking_id` None), in one statement: a slot
/// with a claim already fails it whole (`SlotTaken`).
pub async fn claim(
    conn: &impl ConnectionTrait,
    round_id: i32,
    slot_ids: &[i32],
    booking_id: Option<i32>,
) -> Result<(), ClaimError> {
    let rows = slot_ids
        .iter()
        .map(|slot_id| conference_claims::ActiveModel {
            slot_id: Set(*slot_id),
            round_id: Set(round_id),
            booking_id: Set(booking_id),
            ..Default::default()
        });
    conference_claims::Entity::insert_many(rows)
        .exec(conn)
        .await
        .map_err(|err| match is_unique_violation(&err) {
            true => ClaimError::SlotTaken,
            false => ClaimError::Db(err),
        })?;
    Ok(())
}

/// Frees a booking's slots.
pub async fn release(conn: &impl ConnectionTrait, booking_id: i32) -> Result<(), DbErr> {
    conference_claims::Entity::delete_many()
        .filter(conference_claims::Column::BookingId.eq(booking_id))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn delete_booking(conn: &impl ConnectionTrait, id: i32) -> Result<(), DbErr> {
    conference_bookings::Entity::delete_by_id(id)
        .exec(conn)
        .await?;
    Ok(())
}

/// Removes the teacher's block of a slot; false when it was not blocked.
pub async fn unblock(conn: &impl ConnectionTrait, slot_id: i32) -> Result<bool, DbErr> {
    let result = conference_claims::Entity::delete_many()
        .filter(conference_claims::Column::SlotId.eq(slot_id))
        .filter(conference_claims::Column::BookingId.is_null())
        .exec(conn)
        .await?;
    Ok(result.rows_affected > 0)
}

/// The children of a group, by name.
pub async fn children_of_group(
    conn: &impl ConnectionTrait,
    group_id: i32,
) -> Result<Vec<children::Model>, DbErr> {
    children::Entity::find()
        .filter(children::Column::GroupId.eq(group_id))
        .order_by_asc(children::Column::FirstName)
        .order_by_asc(children::Column::LastName)
        .all(conn)
        .await
}

pub async fn children_by_ids(
    conn: &impl ConnectionTrait,
    ids: Vec<i32>,
) -> Result<Vec<children::Model>, DbErr> {
    children::Entity::find()
        .filter(children::Column::Id.is_in(ids))
        .all(conn)
        .await
}

/// The parent links of these children.
pub async fn parent_links(
    conn: &impl ConnectionTrait,
    child_ids: Vec<i32>,
) -> Result<Vec<parent_children::Model>, DbErr> {
    parent_children::Entity::find()
        .filter(parent_children::Column::ChildId.is_in(child_ids))
        .all(conn)
        .await
}

/// The children linked to these parents.
pub async fn links_of_parents(
    conn: &impl ConnectionTrait,
    parent_ids: Vec<i32>,
) -> Result<Vec<parent_children::Model>, DbErr> {
    parent_children::Entity::find()
        .filter(parent_children::Column::ParentId.is_in(parent_ids))
        .all(conn)
        .await
}

/// The teachers of a group.
pub async fn teachers_of(conn: &impl ConnectionTrait, group_id: i32) -> Result<Vec<i32>, DbErr> {
    Ok(teacher_groups::Entity::find()
        .filter(teacher_groups::Column::GroupId.eq(group_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|row| row.teacher_id)
        .collect())
}
