//! Parent-teacher conferences. A teacher opens a round for a group: days with time windows
//! and breaks cut into slots, a message, per child a note, a double slot and whether a talk
//! is needed. From its opening moment the parents of the group see one invitation per child
//! and book a slot (two adjacent ones for a double slot); either parent of a child may book,
//! cancel or move the child's one booking until the deadline or until the teacher closes the
//! planning. The database decides who gets a slot: a booking claims its slots under a unique
//! index, so of two requests for one slot exactly one succeeds, whatever their timing. A
//! family's talks may not overlap and are warned about when they come close. Closing mails
//! every parent of every booked child the final time with an .ics; the day before, booked
//! parents get a push reminder (`jobs`).

pub mod door_list;
mod mails;
pub mod rules;
pub mod store;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use sea_orm::DatabaseTransaction;

use crate::{
    app::{actor::Actor, config::Settings, error::AppError},
    entities::{
        children,
        conference_invitations::TalkNeed,
        full_name,
        outbox::Channel,
        users::{self, Role},
    },
    platform::{
        audience, db,
        jobs::{self},
        outbox::{self, Handlers, NewDelivery},
        services::Services,
        text,
    },
};
use rules::{DayWindow, FamilyTalk, Fit, Phase, SlotState, SlotTimes, WindowError};
pub use store::{Booking, Round, Slot};

pub const MAX_TITLE: usize = 200;
pub const MAX_MESSAGE: usize = 4000;
pub const MAX_NOTE: usize = 2000;
pub const MAX_LOCATION: usize = 200;
pub const MAX_LINK: usize = 500;

/// Registers the conference mails and pushes with the outbox.
pub fn register(handlers: &mut Handlers) {
    mails::register(handlers);
}

/// The reminders: the day before their talk booked parents get a push; the day before a
/// deadline parents of required children who have not booked get a mail.
pub fn jobs(settings: &Settings) -> anyhow::Result<Vec<jobs::Job>> {
    Ok(vec![jobs::Job {
        name: "conference_reminders",
        schedule: settings
            .cron_schedule(
                "schedule.conference_reminders",
                &settings.schedule.conference_reminders,
            )?
            .into(),
        run: |services, run| Box::pin(mails::send_reminders(services, run)),
    }])
}

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

/// A round's days as the teacher gives them.
pub struct RoundInput {
    pub group_id: i32,
    pub title: String,
    pub message: String,
    pub location: String,
    pub video_link: String,
    pub slot_minutes: u32,
    /// None: at once.
    pub opens_at: Option<DateTime<Utc>>,
    pub deadline_at: Option<DateTime<Utc>>,
    pub days: Vec<DayWindow>,
}

/// The rounds a user sees: staff the rounds of the groups they teach (admins all); parents
/// the opened rounds of their children's groups.
pub async fn list(services: &Services, actor: &Actor) -> Result<Vec<RoundView>, AppError> {
    let reader = Reader::of(services, actor).await?;
    let rounds = store::rounds(&services.db, reader.groups.clone()).await?;
    let now = services.clock.now();
    let mut views = Vec::new();
    for round in rounds {
        if !reader.is_staff() && now < round.opens_at {
            continue;
        }
        views.push(view(services, &reader, round).await?);
    }
    Ok(views)
}

/// A round with its slots and children, for the teachers of its group and admins.
pub async fn get(services: &Services, actor: &Actor, id: i32) -> Result<RoundPage, AppError> {
    let reader = Reader::of(services, actor).await?;
    let round = managed_round(services, &reader, id).await?;
    page(services, &reader, round).await
}

/// Opens a round for a group (its teachers, admins): its slots are made from the days.
pub async fn create(
    services: &Services,
    actor: &Actor,
    input: RoundInput,
) -> Result<RoundPage, AppError> {
    let reader = Reader::of(services, actor).await?;
    if !reader.is_staff() {
        return Err(AppError::forbidden_with(
            "forbidden_role",
            "Only teachers and the office open conference rounds.",
        ));
    }
    audience::check_addressing(
        &services.db,
        actor,
        &audience::Audience::Groups(vec![input.group_id]),
    )
    .await?;
    let zone = zone(services)?;
    let now = services.clock.now();
    let today = now.with_timezone(&zone).date_naive();
    if let Some(index) = input.days.iter().position(|day| day.date < today) {
        return Err(AppError::invalid_at(
            format!("days[{index}].date"),
            "day_in_past",
            "A day of the round lies in the past.",
        ));
    }
    let slots = rules::slots(zone, &input.days, input.slot_minutes).map_err(window_error)?;
    let texts = clean_round_texts(
        &input.title,
        &input.message,
        &input.location,
        &input.video_link,
    )?;
    let opens_at = input.opens_at.unwrap_or(now);
    check_deadline(opens_at, input.deadline_at)?;
    let write = db::AuditedWrite::begin(services, actor.id, "conferences.create").await?;
    let new = store::NewRound {
        group_id: input.group_id,
        title: texts.title,
        message: texts.message,
        location: texts.location,
        video_link: texts.video_link,
        slot_minutes: i32::try_from(input.slot_minutes).unwrap_or(i32::MAX),
        opens_at,
        deadline_at: input.deadline_at,
        author_id: actor.id,
    };
    let round = store::insert_round(write.txn(), new, &slots, write.now()).await?;
    let details = serde_json::json!({ "slots": slots.len() });
    write
        .commit(format!("conference_round:{}", round.id), details)
        .await?;
    page(services, &reader, round).await
}

/// What may change in a round once made (its slots stay: block those not wanted).
pub struct RoundUpdate {
    pub title: String,
    pub message: String,
    pub location: String,
    pub video_link: String,
    pub opens_at: DateTime<Utc>,
    pub deadline_at: Option<DateTime<Utc>>,
}

pub async fn update(
    services: &Services,
    actor: &Actor,
    id: i32,
    update: RoundUpdate,
) -> Result<RoundPage, AppError> {
    let reader = Reader::of(services, actor).await?;
    let round = managed_round(services, &reader, id).await?;
    let texts = clean_round_texts(
        &update.title,
        &update.message,
        &update.location,
        &update.video_link,
    )?;
    check_deadline(update.opens_at, update.deadline_at)?;
    let change = store::RoundChange {
        title: texts.title,
        message: texts.message,
        location: texts.location,
        video_link: texts.video_link,
        opens_at: update.opens_at,
        deadline_at: update.deadline_at,
    };
    let round = store::update_round(&services.db, round, change, services.clock.now()).await?;
    page(services, &reader, round).await
}

/// Deletes a round with its bookings (nobody is mailed: tell the parents yourself).
pub async fn delete(services: &Services, actor: &Actor, id: i32) -> Result<(), AppError> {
    let reader = Reader::of(services, actor).await?;
    let round = managed_round(services, &reader, id).await?;
    let write = db::AuditedWrite::begin(services, actor.id, "conferences.delete").await?;
    store::delete_round(write.txn(), round.id).await?;
    let details = serde_json::json!({ "title": round.title });
    write
        .commit(format!("conference_round:{id}"), details)
        .await?;
    Ok(())
}

/// What the teacher sets for one child.
pub struct InvitationSettings {
    pub note: String,
    pub double_slot: bool,
    pub need: TalkNeed,
}

/// Sets a child's note, double slot and need. A child who is booked keeps their slots: a
/// double slot counts from the next booking or move.
pub async fn set_invitation(
    services: &Services,
    actor: &Actor,
    round_id: i32,
    child_id: i32,
    settings: InvitationSettings,
) -> Result<RoundPage, AppError> {
    let reader = Reader::of(services, actor).await?;
    let round = managed_round(services, &reader, round_id).await?;
    child_of_round(services, &round, child_id).await?;
    let note = text::optional_text("note", &settings.note, MAX_NOTE)?.unwrap_or_default();
    let change = store::InvitationChange {
        note,
        double_slot: settings.double_slot,
        need: settings.need,
    };
    store::save_invitation(&services.db, round.id, child_id, change).await?;
    page(services, &reader, round).await
}

/// Blocks a free slot, or frees a blocked one (`blocked` false).
pub async fn block(
    services: &Services,
    actor: &Actor,
    round_id: i32,
    slot_id: i32,
    blocked: bool,
) -> Result<RoundPage, AppError> {
    let reader = Reader::of(services, actor).await?;
    let round = managed_round(services, &reader, round_id).await?;
    let slots = store::slots(&services.db, round.id).await?;
    if !slots.iter().any(|slot| slot.id == slot_id) {
        return Err(AppError::not_found("slot"));
    }
    let txn = db::begin_write(&services.db).await?;
    if blocked {
        let claim = store::claims(&txn, round.id)
            .await?
            .into_iter()
            .find(|claim| claim.slot_id == slot_id);
        match claim {
            Some(claim) if claim.booking_id.is_some() => return Err(slot_booked()),
            // Blocked already: nothing to do.
            Some(_) => {}
            None => match store::claim(&txn, round.id, &[slot_id], None).await {
                Ok(()) => {}
                // Booked in the moment between: the database refused the block.
                Err(store::ClaimError::SlotTaken) => return Err(slot_booked()),
                Err(other) => return Err(claim_failure(other)),
            },
        }
    } else {
        store::unblock(&txn, slot_id).await?;
    }
    txn.commit().await?;
    page(services, &reader, round).await
}

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

/// Closes the planning: bookings are final, and every parent of every booked child gets
/// the final time with an .ics. Closing twice changes nothing.
pub async fn close(
    services: &Services,
    actor: &Actor,
    round_id: i32,
) -> Result<RoundPage, AppError> {
    let reader = Reader::of(services, actor).await?;
    let round = managed_round(services, &reader, round_id).await?;
    if round.closed_at.is_some() {
        return page(services, &reader, round).await;
    }
    let write = db::AuditedWrite::begin(services, actor.id, "conferences.close").await?;
    let round = store::close_round(write.txn(), round, write.now()).await?;
    let bookings = store::bookings(write.txn(), round.id).await?;
    let links = store::parent_links(
        write.txn(),
        bookings.iter().map(|booking| booking.child_id).collect(),
    )
    .await?;
    let mails: Vec<NewDelivery> = bookings
        .iter()
        .flat_map(|booking| {
            links
                .iter()
                .filter(move |link| link.child_id == booking.child_id)
                .map(move |link| NewDelivery {
                    channel: Channel::Email,
                    kind: mails::FINAL_TIME,
                    user_id: Some(link.parent_id),
                    dedupe_key: format!(
                        "conference:{}:final:{}:{}",
                        round.id, booking.id, link.parent_id
                    ),
                    payload: serde_json::json!({ "booking_id": booking.id }),
                    urgent: false,
                })
        })
        .collect();
    let count = mails.len();
    outbox::enqueue(write.txn(), mails, write.now()).await?;
    let details = serde_json::json!({ "bookings": bookings.len(), "mails": count });
    write
        .commit(format!("conference_round:{}", round.id), details)
        .await?;
    services.outbox.wake();
    page(services, &reader, round).await
}

/// Mails the parents of required children who have not booked (at most once a day per
/// child). Returns how many children's parents were reminded.
pub async fn remind(services: &Services, actor: &Actor, round_id: i32) -> Result<usize, AppError> {
    let reader = Reader::of(services, actor).await?;
    let round = managed_round(services, &reader, round_id).await?;
    if round.closed_at.is_some() {
        return Err(AppError::conflict(
            "planning_closed",
            "The planning is closed: book for these families yourself.",
        ));
    }
    let txn = db::begin_write(&services.db).await?;
    let count = mails::queue_booking_reminders(&txn, services, &round).await?;
    txn.commit().await?;
    services.outbox.wake();
    Ok(count)
}

/// The door list of one day of a round as a PDF, in the reader's language.
pub async fn door_list(
    services: &Services,
    actor: &Actor,
    round_id: i32,
    day: NaiveDate,
) -> Result<Vec<u8>, AppError> {
    let reader = Reader::of(services, actor).await?;
    let round = managed_round(services, &reader, round_id).await?;
    let page = page(services, &reader, round).await?;
    let zone = zone(services)?;
    let language = crate::features::accounts::find_user(&services.db, actor.id)
        .await?
        .map_or(users::Language::En, |user| user.language);
    let plans: HashMap<i32, &ChildPlan> = page.children.iter().map(|c| (c.child_id, c)).collect();
    let rows: Vec<door_list::Row> = page
        .slots
        .iter()
        .filter(|view| view.slot.starts_at.with_timezone(&zone).date_naive() == day)
        .map(|view| {
            let start = view.slot.starts_at.with_timezone(&zone);
            let end = view.slot.ends_at.with_timezone(&zone);
            let entry = match &view.usage {
                SlotUse::Free => door_list::Entry::Free,
                SlotUse::Blocked => door_list::Entry::Blocked,
                SlotUse::Booked {
                    child_id,
                    child_name,
                } => {
                    let plan = child_id.and_then(|id| plans.get(&id));
                    door_list::Entry::Talk {
                        child: child_name.clone().unwrap_or_default(),
                        parents: plan.map(|plan| plan.parents.clone()).unwrap_or_default(),
                        continued: plan
                            .and_then(|plan| plan.booking.as_ref())
                            .is_some_and(|booking| booking.starts_at != view.slot.starts_at),
                    }
                }
            };
            door_list::Row {
                time: format!("{}–{}", start.format("%H:%M"), end.format("%H:%M")),
                entry,
            }
        })
        .collect();
    if rows.is_empty() {
        return Err(AppError::not_found("day"));
    }
    let list = door_list::DoorList {
        school: services.settings.school.name.clone(),
        title: page.view.round.title.clone(),
        group: page.view.group_name.clone(),
        day: mails::day_label(language, day),
        location: page.view.round.location.clone(),
        language,
        rows,
    };
    crate::app::error::blocking(move || door_list::render(&list))
        .await?
        .map_err(AppError::Internal)
}

/// The children of a round's group who must have a talk and have none.
pub fn missing(children: &[ChildPlan]) -> impl Iterator<Item = &ChildPlan> {
    children
        .iter()
        .filter(|child| child.need == TalkNeed::Required && child.booking.is_none())
}

/// Who reads, and what they may reach.
struct Reader {
    actor: Actor,
    /// Staff: the groups they teach (None: admins, every group). Parents: their children's.
    groups: Option<Vec<i32>>,
    /// A parent's children, with whether the link is read-only.
    children: HashMap<i32, bool>,
}

impl Reader {
    async fn of(services: &Services, actor: &Actor) -> Result<Self, AppError> {
        let groups = audience::groups_seen_by(&services.db, actor.id, actor.role).await?;
        let children = match actor.role {
            Role::Parent => store::links_of_parents(&services.db, vec![actor.id])
                .await?
                .into_iter()
                .map(|link| (link.child_id, link.read_only))
                .collect(),
            _ => HashMap::new(),
        };
        Ok(Self {
            actor: *actor,
            groups,
            children,
        })
    }

    fn is_staff(&self) -> bool {
        self.actor.role != Role::Parent
    }

    fn manages(&self, round: &Round) -> bool {
        self.is_staff()
            && self
                .groups
                .as_ref()
                .is_none_or(|groups| groups.contains(&round.group_id))
    }

    /// Whether the reader may book for the child now; true when on a parent's behalf.
    fn check_may_book(
        &self,
        round: &Round,
        child_id: i32,
        now: DateTime<Utc>,
    ) -> Result<bool, AppError> {
        if self.manages(round) {
            return Ok(true);
        }
        if self.children.get(&child_id) == Some(&true) {
            return Err(AppError::forbidden_with(
                "read_only",
                "You may see but not change this child's bookings.",
            ));
        }
        match rules::phase(round.opens_at, round.deadline_at, round.closed_at, now) {
            Phase::Open => Ok(false),
            Phase::NotOpen => Err(AppError::not_found("round")),
            Phase::PastDeadline => Err(AppError::conflict(
                "booking_deadline_passed",
                "The deadline for booking has passed: ask the teacher to change your time.",
            )),
            Phase::Closed => Err(AppError::conflict(
                "planning_closed",
                "The planning is closed: ask the teacher to change your time.",
            )),
        }
    }
}

/// How a booking changed, for the parents' mail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Change {
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
async fn tell_parents(
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
            }),
            urgent: false,
        })
        .collect();
    outbox::enqueue(txn, mails, now).await?;
    Ok(())
}

/// The 409 of a slot taken meanwhile, with the slots that are free now.
async fn slot_taken(services: &Services, round_id: i32, child_id: i32, double: bool) -> AppError {
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

fn slot_booked() -> AppError {
    AppError::conflict("slot_booked", "This slot is booked: move the talk first.")
}

fn claim_failure(err: store::ClaimError) -> AppError {
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
async fn slot_states(
    conn: &impl sea_orm::ConnectionTrait,
    round_id: i32,
    own_booking: Option<i32>,
) -> Result<Vec<SlotState>, sea_orm::DbErr> {
    let claims = store::claims(conn, round_id).await?;
    let taken: HashSet<i32> = claims
        .iter()
        .filter(|claim| claim.booking_id.is_none() || claim.booking_id != own_booking)
        .map(|claim| claim.slot_id)
        .collect();
    Ok(store::slots(conn, round_id)
        .await?
        .into_iter()
        .map(|slot| SlotState {
            id: slot.id,
            starts_at: slot.starts_at,
            ends_at: slot.ends_at,
            taken: taken.contains(&slot.id),
        })
        .collect())
}

/// The other talks of the child's family: every booking of a child who shares a parent
/// with this one, but `except`.
async fn family_talks(
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

async fn child_names(
    conn: &impl sea_orm::ConnectionTrait,
    ids: Vec<i32>,
) -> Result<HashMap<i32, String>, sea_orm::DbErr> {
    Ok(store::children_by_ids(conn, ids)
        .await?
        .into_iter()
        .map(|child| (child.id, child_name(&child)))
        .collect())
}

fn child_name(child: &children::Model) -> String {
    full_name(
        &child.first_name,
        child.name_prefix.as_deref(),
        &child.last_name,
    )
}

async fn view(services: &Services, reader: &Reader, round: Round) -> Result<RoundView, AppError> {
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

async fn page(services: &Services, reader: &Reader, round: Round) -> Result<RoundPage, AppError> {
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

async fn invitation_view(
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
        let states = slot_states(&services.db, round.id, own).await?;
        let bookable: HashSet<i32> = rules::free_starts(&states, settings.double_slot)
            .into_iter()
            .map(|slot| slot.id)
            .collect();
        let claims = store::claims(&services.db, round.id).await?;
        store::slots(&services.db, round.id)
            .await?
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

async fn invitation_settings(
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

async fn user_names(services: &Services, ids: Vec<i32>) -> Result<HashMap<i32, String>, AppError> {
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

/// A round the reader manages: 404 when they do not see it, 403 when they only see it.
async fn managed_round(services: &Services, reader: &Reader, id: i32) -> Result<Round, AppError> {
    let round = store::round(&services.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("round"))?;
    if reader.manages(&round) {
        return Ok(round);
    }
    let sees = !reader.is_staff()
        && reader
            .groups
            .as_ref()
            .is_some_and(|groups| groups.contains(&round.group_id))
        && round.opens_at <= services.clock.now();
    if sees {
        Err(AppError::forbidden())
    } else {
        Err(AppError::not_found("round"))
    }
}

/// The round and one child of its group the reader may see the invitation of: a parent of
/// the child (once the round opened), or staff who manage the round. 404 otherwise.
async fn invited_child(
    services: &Services,
    reader: &Reader,
    round_id: i32,
    child_id: i32,
) -> Result<(Round, children::Model), AppError> {
    let round = store::round(&services.db, round_id)
        .await?
        .ok_or_else(|| AppError::not_found("round"))?;
    let parent_sees =
        reader.children.contains_key(&child_id) && round.opens_at <= services.clock.now();
    if !reader.manages(&round) && !parent_sees {
        return Err(AppError::not_found("round"));
    }
    let child = child_of_round(services, &round, child_id).await?;
    Ok((round, child))
}

async fn child_of_round(
    services: &Services,
    round: &Round,
    child_id: i32,
) -> Result<children::Model, AppError> {
    store::children_by_ids(&services.db, vec![child_id])
        .await?
        .pop()
        .filter(|child| child.group_id == Some(round.group_id))
        .ok_or_else(|| AppError::not_found("child"))
}

fn zone(services: &Services) -> Result<Tz, AppError> {
    services.settings.time_zone().map_err(AppError::Internal)
}

struct RoundTexts {
    title: String,
    message: String,
    location: String,
    video_link: String,
}

fn clean_round_texts(
    title: &str,
    message: &str,
    location: &str,
    video_link: &str,
) -> Result<RoundTexts, AppError> {
    let title = title.trim();
    if title.is_empty() || title.chars().count() > MAX_TITLE || title.chars().any(char::is_control)
    {
        return Err(AppError::invalid(
            "title",
            "invalid_title",
            format!("A title has 1 to {MAX_TITLE} characters on one line."),
        ));
    }
    let message = text::optional_text("message", message, MAX_MESSAGE)?.unwrap_or_default();
    let location = location.trim();
    if location.chars().count() > MAX_LOCATION || location.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "location",
            "invalid_location",
            format!("A room or place has at most {MAX_LOCATION} characters on one line."),
        ));
    }
    let video_link = video_link.trim();
    let link_ok = video_link.is_empty()
        || (video_link.len() <= MAX_LINK
            && video_link.starts_with("https://")
            && !video_link
                .chars()
                .any(|c| c.is_whitespace() || c.is_control()));
    if !link_ok {
        return Err(AppError::invalid(
            "video_link",
            "invalid_video_link",
            "A video link is an https:// address.",
        ));
    }
    Ok(RoundTexts {
        title: title.into(),
        message,
        location: location.into(),
        video_link: video_link.into(),
    })
}

fn check_deadline(
    opens_at: DateTime<Utc>,
    deadline_at: Option<DateTime<Utc>>,
) -> Result<(), AppError> {
    if deadline_at.is_some_and(|deadline| deadline <= opens_at) {
        return Err(AppError::invalid(
            "deadline_at",
            "invalid_deadline",
            "The deadline lies after the moment booking opens.",
        ));
    }
    Ok(())
}

fn window_error(err: WindowError) -> AppError {
    match err {
        WindowError::NoDays => AppError::invalid("days", "no_days", "Give at least one day."),
        WindowError::TooManyDays => AppError::invalid(
            "days",
            "too_many_days",
            format!("A round has at most {} time windows.", rules::MAX_DAYS * 3),
        ),
        WindowError::BadWindow(index) => AppError::invalid_at(
            format!("days[{index}]"),
            "invalid_window",
            "A time window ends after it starts, and its breaks lie inside it.",
        ),
        WindowError::Overlapping(index) => AppError::invalid_at(
            format!("days[{index}]"),
            "overlapping_windows",
            "Two time windows of one day overlap.",
        ),
        WindowError::SlotLength => AppError::invalid(
            "slot_minutes",
            "invalid_slot_length",
            format!("A slot lasts 1 to {} minutes.", rules::MAX_SLOT_MINUTES),
        ),
        WindowError::TooManySlots => AppError::invalid(
            "days",
            "too_many_slots",
            format!("A round has at most {} slots.", rules::MAX_SLOTS),
        ),
        WindowError::NoSlots => AppError::invalid(
            "days",
            "no_slots",
            "These windows leave no room for a single slot.",
        ),
    }
}

/// The local date of a moment in the school's time zone (door lists are per day).
pub fn local_day(services: &Services, moment: DateTime<Utc>) -> Result<NaiveDate, AppError> {
    Ok(moment.with_timezone(&zone(services)?).date_naive())
}
