//! What readers see of a round: its summary, the teacher's plan (slots with whose talk
//! each holds, the children with their settings and parents) and a child's invitation (the
//! slots a talk may start at, the family's talks that come close).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};

use super::{
    InvitationSettings, Reader,
    booking::{family_talks, states_of},
    rules::{self, Fit, Phase},
    store::{self, Booking, Round, Slot},
};
use crate::{
    app::error::AppError,
    entities::{children, conference_invitations::TalkNeed, full_name},
    platform::services::Services,
};

/// A round as one reader sees it.
#[derive(Clone, Debug)]
pub struct RoundView {
    pub round: Round,
    pub group_name: String,
    pub phase: Phase,
    pub first_slot: Option<DateTime<Utc>>,
    pub last_slot_end: Option<DateTime<Utc>>,
    pub slot_count: usize,
    pub booked_children: usize,
    pub children: usize,
    /// The reader sets up, blocks, books for parents, moves and closes.
    pub may_manage: bool,
}

/// What is in a slot, as the reader may know it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SlotUse {
    Free,
    Blocked,
    /// Booked for a child (staff and that child's parents learn whose).
    Booked {
        child_id: Option<i32>,
        child_name: Option<String>,
    },
}

#[derive(Clone, Debug)]
pub struct SlotView {
    pub slot: Slot,
    pub usage: SlotUse,
    /// The talk being looked at (an invitation's) may start here.
    pub bookable: bool,
}

/// One child of a round as the teacher plans it.
#[derive(Clone, Debug)]
pub struct ChildPlan {
    pub child_id: i32,
    pub name: String,
    pub note: String,
    pub double_slot: bool,
    pub need: TalkNeed,
    pub booking: Option<Booking>,
    pub booked_by: Option<String>,
    pub parents: Vec<String>,
    pub reminded_at: Option<DateTime<Utc>>,
}

/// A round with its slots and children, for those who manage it.
pub struct RoundPage {
    pub view: RoundView,
    pub slots: Vec<SlotView>,
    pub children: Vec<ChildPlan>,
}

/// A talk of the family that comes close to this one.
#[derive(Clone, Debug)]
pub struct CloseTalk {
    pub child_name: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// One child's invitation to a round, as its parents see it.
pub struct InvitationView {
    pub view: RoundView,
    pub child_id: i32,
    pub child_name: String,
    pub note: String,
    pub double_slot: bool,
    pub need: TalkNeed,
    pub booking: Option<Booking>,
    pub booked_by: Option<String>,
    /// The reader may book, cancel and move now.
    pub may_book: bool,
    /// The family's other talks that come closer than `conferences.family_gap_minutes`.
    pub close_talks: Vec<CloseTalk>,
    /// With `invitation`: the round's slots (empty in the list of invitations).
    pub slots: Vec<SlotView>,
}

pub(super) async fn child_names(
    conn: &impl sea_orm::ConnectionTrait,
    ids: Vec<i32>,
) -> Result<HashMap<i32, String>, sea_orm::DbErr> {
    Ok(store::children_by_ids(conn, ids)
        .await?
        .into_iter()
        .map(|child| (child.id, child_name(&child)))
        .collect())
}

pub(super) fn child_name(child: &children::Model) -> String {
    full_name(
        &child.first_name,
        child.name_prefix.as_deref(),
        &child.last_name,
    )
}

pub(super) async fn view(
    services: &Services,
    reader: &Reader,
    round: Round,
) -> Result<RoundView, AppError> {
    let slots = store::slots(&services.db, round.id).await?;
    let bookings = store::bookings(&services.db, round.id).await?;
    let children = store::children_of_group(&services.db, round.group_id).await?;
    let group_name = crate::features::school::find_group_by_id(services, round.group_id)
        .await?
        .map(|group| group.name)
        .unwrap_or_default();
    Ok(RoundView {
        phase: rules::phase(
            round.opens_at,
            round.deadline_at,
            round.closed_at,
            services.clock.now(),
        ),
        first_slot: slots.first().map(|slot| slot.starts_at),
        last_slot_end: slots.last().map(|slot| slot.ends_at),
        slot_count: slots.len(),
        booked_children: bookings.len(),
        children: children.len(),
        may_manage: reader.manages(&round),
        group_name,
        round,
    })
}

pub(super) async fn page(
    services: &Services,
    reader: &Reader,
    round: Round,
) -> Result<RoundPage, AppError> {
    let view = view(services, reader, round).await?;
    let round = &view.round;
    let children = store::children_of_group(&services.db, round.group_id).await?;
    let bookings = store::bookings(&services.db, round.id).await?;
    let invitations: HashMap<i32, store::Invitation> = store::invitations(&services.db, round.id)
        .await?
        .into_iter()
        .map(|invitation| (invitation.child_id, invitation))
        .collect();
    let links = store::parent_links(&services.db, children.iter().map(|c| c.id).collect()).await?;
    let people = user_names(
        services,
        links
            .iter()
            .map(|link| link.parent_id)
            .chain(bookings.iter().filter_map(|booking| booking.booked_by))
            .collect(),
    )
    .await?;
    let by_child: HashMap<i32, &Booking> = bookings.iter().map(|b| (b.child_id, b)).collect();
    let names: HashMap<i32, String> = children.iter().map(|c| (c.id, child_name(c))).collect();
    let plans = children
        .iter()
        .map(|child| {
            let invitation = invitations.get(&child.id);
            let booking = by_child.get(&child.id).map(|booking| (*booking).clone());
            ChildPlan {
                child_id: child.id,
                name: child_name(child),
                note: invitation.map(|i| i.note.clone()).unwrap_or_default(),
                double_slot: invitation.is_some_and(|i| i.double_slot),
                need: invitation.map(|i| i.need).unwrap_or_default(),
                booked_by: booking
                    .as_ref()
                    .and_then(|b| b.booked_by)
                    .and_then(|id| people.get(&id).cloned()),
                booking,
                parents: links
                    .iter()
                    .filter(|link| link.child_id == child.id)
                    .filter_map(|link| people.get(&link.parent_id).cloned())
                    .collect(),
                reminded_at: invitation.and_then(|i| i.reminded_at),
            }
        })
        .collect();
    let claims = store::claims(&services.db, round.id).await?;
    let booking_child: HashMap<i32, i32> = bookings.iter().map(|b| (b.id, b.child_id)).collect();
    let slots = store::slots(&services.db, round.id)
        .await?
        .into_iter()
        .map(|slot| {
            let usage = match claims.iter().find(|claim| claim.slot_id == slot.id) {
                None => SlotUse::Free,
                Some(claim) => match claim.booking_id.and_then(|id| booking_child.get(&id)) {
                    None => SlotUse::Blocked,
                    Some(child_id) => SlotUse::Booked {
                        child_id: Some(*child_id),
                        child_name: names.get(child_id).cloned(),
                    },
                },
            };
            SlotView {
                bookable: usage == SlotUse::Free,
                slot,
                usage,
            }
        })
        .collect();
    Ok(RoundPage {
        view,
        slots,
        children: plans,
    })
}

pub(super) async fn invitation_view(
    services: &Services,
    reader: &Reader,
    view: RoundView,
    child: &children::Model,
    with_slots: bool,
) -> Result<InvitationView, AppError> {
    let round = &view.round;
    let settings = invitation_settings(services, round.id, child.id).await?;
    let booking = store::booking(&services.db, round.id, child.id).await?;
    let booked_by = match booking.as_ref().and_then(|b| b.booked_by) {
        Some(id) => user_names(services, vec![id]).await?.remove(&id),
        None => None,
    };
    let now = services.clock.now();
    let may_book = reader.check_may_book(round, child.id, now).is_ok();
    let close_talks = match &booking {
        Some(booking) => {
            let family = family_talks(&services.db, child.id, Some(booking.id)).await?;
            let gap =
                Duration::minutes(i64::from(services.settings.conferences.family_gap_minutes));
            match rules::fit(&family, booking.starts_at, booking.ends_at, gap) {
                Fit::Close(talks) => {
                    let names = child_names(
                        &services.db,
                        talks.iter().map(|talk| talk.child_id).collect(),
                    )
                    .await?;
                    talks
                        .into_iter()
                        .map(|talk| CloseTalk {
                            child_name: names.get(&talk.child_id).cloned().unwrap_or_default(),
                            starts_at: talk.starts_at,
                            ends_at: talk.ends_at,
                        })
                        .collect()
                }
                _ => Vec::new(),
            }
        }
        None => Vec::new(),
    };
    let slots = if with_slots {
        let own = booking.as_ref().map(|b| b.id);
        let claims = store::claims(&services.db, round.id).await?;
        let slots = store::slots(&services.db, round.id).await?;
        let states = states_of(&slots, &claims, own);
        let bookable: HashSet<i32> = rules::free_starts(&states, settings.double_slot)
            .into_iter()
            .map(|slot| slot.id)
            .collect();
        slots
            .into_iter()
            .map(|slot| {
                let claim = claims.iter().find(|claim| claim.slot_id == slot.id);
                let usage = match claim {
                    None => SlotUse::Free,
                    Some(claim) if claim.booking_id.is_some() && claim.booking_id == own => {
                        SlotUse::Booked {
                            child_id: Some(child.id),
                            child_name: Some(child.first_name.clone()),
                        }
                    }
                    // Whose talk another slot holds is not the parents' business.
                    Some(claim) if claim.booking_id.is_some() => SlotUse::Booked {
                        child_id: None,
                        child_name: None,
                    },
                    Some(_) => SlotUse::Blocked,
                };
                SlotView {
                    bookable: may_book && bookable.contains(&slot.id),
                    slot,
                    usage,
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(InvitationView {
        child_id: child.id,
        child_name: child_name(child),
        note: settings.note,
        double_slot: settings.double_slot,
        need: settings.need,
        booking,
        booked_by,
        may_book,
        close_talks,
        slots,
        view,
    })
}

pub(super) async fn invitation_settings(
    services: &Services,
    round_id: i32,
    child_id: i32,
) -> Result<InvitationSettings, AppError> {
    let invitation = store::invitations(&services.db, round_id)
        .await?
        .into_iter()
        .find(|invitation| invitation.child_id == child_id);
    Ok(match invitation {
        Some(row) => InvitationSettings {
            note: row.note,
            double_slot: row.double_slot,
            need: row.need,
        },
        None => InvitationSettings {
            note: String::new(),
            double_slot: false,
            need: TalkNeed::default(),
        },
    })
}

pub(super) async fn user_names(
    services: &Services,
    ids: Vec<i32>,
) -> Result<HashMap<i32, String>, AppError> {
    let ids: Vec<i32> = ids
        .into_iter()
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    Ok(crate::features::accounts::find_users(&services.db, ids)
        .await?
        .into_iter()
        .map(|(id, user)| (id, user.full_name()))
        .collect())
}
