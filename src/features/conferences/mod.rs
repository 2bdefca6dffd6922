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

mod booking;
pub mod door_list;
mod mails;
pub mod rules;
pub mod store;
mod views;

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::{
    app::{actor::Actor, config::Settings, error::AppError},
    entities::{
        children,
        conference_invitations::TalkNeed,
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
pub use booking::{book, cancel, invitation, invitations};
use booking::{claim_failure, slot_booked};
use rules::{DayWindow, Phase, WindowError};
pub use store::{Booking, Round, Slot};
pub use views::{ChildPlan, CloseTalk, InvitationView, RoundPage, RoundView, SlotUse, SlotView};
use views::{page, view};

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
pub(super) struct Reader {
    pub(super) actor: Actor,
    /// Staff: the groups they teach (None: admins, every group). Parents: their children's.
    pub(super) groups: Option<Vec<i32>>,
    /// A parent's children, with whether the link is read-only.
    pub(super) children: HashMap<i32, bool>,
}

impl Reader {
    pub(super) async fn of(services: &Services, actor: &Actor) -> Result<Self, AppError> {
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

    pub(super) fn is_staff(&self) -> bool {
        self.actor.role != Role::Parent
    }

    pub(super) fn manages(&self, round: &Round) -> bool {
        self.is_staff()
            && self
                .groups
                .as_ref()
                .is_none_or(|groups| groups.contains(&round.group_id))
    }

    /// Whether the reader may book for the child now; true when on a parent's behalf.
    pub(super) fn check_may_book(
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

/// A round the reader manages: 404 when they do not see it, 403 when they only see it.
pub(super) async fn managed_round(
    services: &Services,
    reader: &Reader,
    id: i32,
) -> Result<Round, AppError> {
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
pub(super) async fn invited_child(
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

pub(super) async fn child_of_round(
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

pub(super) fn zone(services: &Services) -> Result<Tz, AppError> {
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
