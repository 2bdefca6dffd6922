//! Booking: a parent's (or the teacher's) booking, move and cancel of a child's talk, with
//! the invitations parents see. The slots' claims are inserted under their unique index,
//! so the database picks the one winner of any race; a refused claim rolls the whole
//! transaction back.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use sea_orm::DatabaseTransaction;

use super::{
    InvitationView, Reader, invited_child, mails, rules,
    rules::{FamilyTalk, Fit, SlotState, SlotTimes},
    store::{self, Booking, Round},
    view,
    views::{child_names, invitation_settings, invitation_view},
    zone,
};
use crate::{
    app::{actor::Actor, error::AppError},
    entities::outbox::Channel,
    platform::{
        db,
        outbox::{self, NewDelivery},
        services::Services,
    },
};

/// Every invitation of the parent's children in opened rounds that are not over, soonest
/// talk first; for staff, empty.
pub async fn invitations(
    services: &Services,
    actor: &Actor,
) -> Result<Vec<InvitationView>, AppError> {
    let reader = Reader::of(services, actor).await?;
    if reader.is_staff() || reader.children.is_empty() {
        return Ok(Vec::new());
    }
    let now = services.clock.now();
    let rounds = store::rounds(&services.db, reader.groups.clone()).await?;
    let children =
        store::children_by_ids(&services.db, reader.children.keys().copied().collect()).await?;
    let mut invitations = Vec::new();
    for round in rounds.into_iter().filter(|round| round.opens_at <= now) {
        let view = view(services, &reader, round).await?;
        if view
            .last_slot_end
            .is_some_and(|end| end + Duration::days(1) < now)
        {
            continue;
        }
        for child in children
            .iter()
            .filter(|child| child.group_id == Some(view.round.group_id))
        {
            invitations.push(invitation_view(services, &reader, view.clone(), child, false).await?);
        }
    }
    invitations.sort_by_key(|invitation| {
        (
            invitation.booking.is_none(),
            invitation.booking.as_ref().map(|booking| booking.starts_at),
            invitation.view.first_slot,
        )
    });
    Ok(invitations)
}

/// One child's invitation with the round's slots: its parents (and staff who manage the
/// round) see it.
pub async fn invitation(
    services: &Services,
    actor: &Actor,
    round_id: i32,
    child_id: i32,
) -> Result<InvitationView, AppError> {
    let reader = Reader::of(services, actor).await?;
    let (round, child) = invited_child(services, &reader, round_id, child_id).await?;
    let view = view(services, &reader, round).await?;
    invitation_view(services, &reader, view, &child, true).await
}

/// Books a child's talk starting at `slot_id`, or moves it there: one slot, or with a
/// double slot that one and the next. Parents book while the round is open; the teacher at
/// any time (the parents are told). The database refuses a slot taken meanwhile:
/// `slot_taken`, with the slots still free.
pub async fn book(
    services: &Services,
    actor: &Actor,
    round_id: i32,
    child_id: i32,
    slot_id: i32,
) -> Result<InvitationView, AppError> {
    let reader = Reader::of(services, actor).await?;
    let (round, child) = invited_child(services, &reader, round_id, child_id).await?;
    let on_behalf = reader.check_may_book(&round, child_id, services.clock.now())?;
    let settings = invitation_settings(services, round.id, child_id).await?;
    let txn = db::begin_write(&services.db).await?;
    let existing = store::booking(&txn, round.id, child_id).await?;
    let slots = slot_states(&txn, round.id, existing.as_ref().map(|b| b.id)).await?;
    if !slots.iter().any(|slot| slot.id == slot_id) {
        return Err(AppError::invalid(
            "slot_id",
            "unknown_slot",
            "This slot is not part of the round.",
        ));
    }
    let Some(needed) = rules::slots_for(&slots, slot_id, settings.double_slot) else {
        drop(txn);
        return Err(slot_taken(services, round.id, child_id, settings.double_slot).await);
    };
    let times = SlotTimes {
        starts_at: needed[0].starts_at,
        ends_at: needed[needed.len() - 1].ends_at,
    };
    let family = family_talks(&txn, child_id, existing.as_ref().map(|b| b.id)).await?;
    if let Fit::Overlaps(other) =
        rules::fit(&family, times.starts_at, times.ends_at, Duration::zero())
    {
        let names = child_names(&txn, vec![other.child_id]).await?;
        let zone = zone(services)?;
        return Err(AppError::conflict(
            "family_overlap",
            format!(
                "{} has a talk at {} already: pick another time.",
                names.get(&other.child_id).cloned().unwrap_or_default(),
                other.starts_at.with_timezone(&zone).format("%H:%M"),
            ),
        ));
    }
    let slot_ids: Vec<i32> = needed.iter().map(|slot| slot.id).collect();
    let now = services.clock.now();
    let outcome = match existing {
        Some(booking) => {
            store::release(&txn, booking.id).await?;
            match store::claim(&txn, round.id, &slot_ids, Some(booking.id)).await {
                Ok(()) => {}
                Err(store::ClaimError::SlotTaken) => {
                    drop(txn);
                    return Err(
                        slot_taken(services, round.id, child_id, settings.double_slot).await,
                    );
                }
                Err(other) => return Err(claim_failure(other)),
            }
            let moved = store::move_booking(&txn, booking, actor.id, times, now).await?;
            (moved, Change::Moved)
        }
        None => {
            let booking =
                match store::insert_booking(&txn, round.id, child_id, actor.id, times, now).await {
                    Ok(booking) => booking,
                    Err(store::ClaimError::AlreadyBooked) => {
                        return Err(AppError::conflict(
                            "already_booked",
                            "Someone booked a talk for this child just now: look again.",
                        ));
                    }
                    Err(other) => return Err(claim_failure(other)),
                };
            match store::claim(&txn, round.id, &slot_ids, Some(booking.id)).await {
                Ok(()) => {}
                Err(store::ClaimError::SlotTaken) => {
                    drop(txn);
                    return Err(
                        slot_taken(services, round.id, child_id, settings.double_slot).await,
                    );
                }
                Err(other) => return Err(claim_failure(other)),
            }
            (booking, Change::Booked)
        }
    };
    let (booking, change) = outcome;
    tell_parents(&txn, &round, &booking, change, actor.id, on_behalf, now).await?;
    txn.commit().await?;
    services.outbox.wake();
    let view = view(services, &reader, round).await?;
    invitation_view(services, &reader, view, &child, true).await
}

/// Cancels a child's talk: parents while the round is open, the teacher at any time.
pub async fn cancel(
    services: &Services,
    actor: &Actor,
    round_id: i32,
    child_id: i32,
) -> Result<InvitationView, AppError> {
    let reader = Reader::of(services, actor).await?;
    let (round, child) = invited_child(services, &reader, round_id, child_id).await?;
    let on_behalf = reader.check_may_book(&round, child_id, services.clock.now())?;
    let txn = db::begin_write(&services.db).await?;
    let Some(booking) = store::booking(&txn, round.id, child_id).await? else {
        return Err(AppError::not_found("booking"));
    };
    store::delete_booking(&txn, booking.id).await?;
    let now = services.clock.now();
    tell_parents(
        &txn,
        &round,
        &booking,
        Change::Cancelled,
        actor.id,
        on_behalf,
        now,
    )
    .await?;
    txn.commit().await?;
    services.outbox.wake();
    let view = view(services, &reader, round).await?;
    invitation_view(services, &reader, view, &child, true).await
}

/// How a booking changed, for the parents' mail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Change {
    Booked,
    Moved,
    Cancelled,
}

impl Change {
    fn code(self) -> &'static str {
        match self {
            Self::Booked => "booked",
            Self::Moved => "moved",
            Self::Cancelled => "cancelled",
        }
    }
}

/// Queues the mails about a changed booking: a parent's change to the child's other
/// parents (who booked is named), the teacher's change to every parent.
pub(super) async fn tell_parents(
    txn: &DatabaseTransaction,
    round: &Round,
    booking: &Booking,
    change: Change,
    actor_id: i32,
    on_behalf: bool,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let parents: Vec<i32> = store::parent_links(txn, vec![booking.child_id])
        .await?
        .into_iter()
        .map(|link| link.parent_id)
        .filter(|parent| on_behalf || *parent != actor_id)
        .collect();
    let mails = parents
        .into_iter()
        .map(|parent| NewDelivery {
            channel: Channel::Email,
            kind: mails::BOOKING_CHANGED,
            user_id: Some(parent),
            dedupe_key: format!(
                "conference:{}:{}:{}:{}:{}",
                round.id,
                booking.id,
                change.code(),
                booking.sequence,
                parent
            ),
            payload: serde_json::json!({
                "round_id": round.id,
                "child_id": booking.child_id,
                "booking_id": booking.id,
                "change": change.code(),
                "by": actor_id,
                "by_teacher": on_behalf,
                "starts_at": booking.starts_at,
                "ends_at": booking.ends_at,
                "sequence": booking.sequence,
            }),
            urgent: false,
        })
        .collect();
    outbox::enqueue(txn, mails, now).await?;
    Ok(())
}

/// The 409 of a slot taken meanwhile, with the slots that are free now.
pub(super) async fn slot_taken(
    services: &Services,
    round_id: i32,
    child_id: i32,
    double: bool,
) -> AppError {
    let free = async {
        let existing = store::booking(&services.db, round_id, child_id).await?;
        let slots = slot_states(&services.db, round_id, existing.map(|b| b.id)).await?;
        Ok::<_, sea_orm::DbErr>(rules::free_starts(&slots, double))
    }
    .await;
    let free_slots: Vec<serde_json::Value> = free
        .unwrap_or_default()
        .into_iter()
        .map(|slot| {
            serde_json::json!({
                "slot_id": slot.id,
                "starts_at": slot.starts_at,
                "ends_at": slot.ends_at,
            })
        })
        .collect();
    AppError::conflict_with(
        "slot_taken",
        "Someone else took this time just now: pick another one.",
        serde_json::json!({ "free_slots": free_slots }),
    )
}

pub(super) fn slot_booked() -> AppError {
    AppError::conflict("slot_booked", "This slot is booked: move the talk first.")
}

pub(super) fn claim_failure(err: store::ClaimError) -> AppError {
    match err {
        store::ClaimError::Db(err) => err.into(),
        store::ClaimError::SlotTaken => AppError::conflict(
            "slot_taken",
            "Someone else took this time just now: pick another one.",
        ),
        store::ClaimError::AlreadyBooked => AppError::conflict(
            "already_booked",
            "Someone booked a talk for this child just now: look again.",
        ),
    }
}

/// The round's slots, each marked taken unless free or held by `own_booking`.
pub(super) async fn slot_states(
    conn: &impl sea_orm::ConnectionTrait,
    round_id: i32,
    own_booking: Option<i32>,
) -> Result<Vec<SlotState>, sea_orm::DbErr> {
    let claims = store::claims(conn, round_id).await?;
    let slots = store::slots(conn, round_id).await?;
    Ok(states_of(&slots, &claims, own_booking))
}

/// The slots as the booking rules see them: taken unless free or held by `own_booking`.
pub(super) fn states_of(
    slots: &[store::Slot],
    claims: &[store::Claim],
    own_booking: Option<i32>,
) -> Vec<SlotState> {
    let taken: HashSet<i32> = claims
        .iter()
        .filter(|claim| claim.booking_id.is_none() || claim.booking_id != own_booking)
        .map(|claim| claim.slot_id)
        .collect();
    slots
        .iter()
        .map(|slot| SlotState {
            id: slot.id,
            starts_at: slot.starts_at,
            ends_at: slot.ends_at,
            taken: taken.contains(&slot.id),
        })
        .collect()
}

/// The other talks of the child's family: every booking of a child who shares a parent
/// with this one, but `except`.
pub(super) async fn family_talks(
    conn: &impl sea_orm::ConnectionTrait,
    child_id: i32,
    except: Option<i32>,
) -> Result<Vec<FamilyTalk>, sea_orm::DbErr> {
    let parents: Vec<i32> = store::parent_links(conn, vec![child_id])
        .await?
        .into_iter()
        .map(|link| link.parent_id)
        .collect();
    let family: HashSet<i32> = store::links_of_parents(conn, parents)
        .await?
        .into_iter()
        .map(|link| link.child_id)
        .chain([child_id])
        .collect();
    Ok(
        store::bookings_of_children(conn, family.into_iter().collect())
            .await?
            .into_iter()
            .filter(|booking| Some(booking.id) != except)
            .map(|booking| FamilyTalk {
                child_id: booking.child_id,
                round_id: booking.round_id,
                starts_at: booking.starts_at,
                ends_at: booking.ends_at,
            })
            .collect(),
    )
}
