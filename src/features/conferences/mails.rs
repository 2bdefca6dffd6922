//! The conferences' mails and pushes: a booking changed (to the child's other parents, or
//! to all when the teacher changed it), the final time when the planning closes (with an
//! .ics), a reminder to book for required talks, and the push the day before a talk. All
//! are switched off with the `conferences` e-mail setting but the push.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use futures_util::future::BoxFuture;
use sea_orm::ConnectionTrait;
use serde::Deserialize;

use super::{rules, store, views::child_name};
use crate::{
    entities::{
        conference_invitations::TalkNeed,
        outbox::Channel,
        users::{self, Language},
    },
    features::{accounts, notifications, school},
    platform::{
        ical::{self, Writer},
        jobs::ScheduledRun,
        outbox::{
            self, Handler, Handlers, NewDelivery, OutboxRow, devices,
            mail::{MailAttachment, OutgoingMail, mailbox, recipient},
            push::{PushMessage, Urgency},
            templates::MailParts,
        },
        services::Services,
        text,
    },
};

pub const BOOKING_CHANGED: &str = "conference_booking_changed";
pub const FINAL_TIME: &str = "conference_final_time";
pub const REMIND_TO_BOOK: &str = "conference_remind_to_book";
pub const TALK_TOMORROW: &str = "conference_talk_tomorrow";
/// The e-mail setting that switches conference mails off.
const EMAIL_KIND: &str = "conferences";

pub fn register(handlers: &mut Handlers) {
    handlers.register(BOOKING_CHANGED, Handler::Mail(booking_changed));
    handlers.register(FINAL_TIME, Handler::Mail(final_time));
    handlers.register(REMIND_TO_BOOK, Handler::Mail(remind_to_book));
    handlers.register(TALK_TOMORROW, Handler::Push(talk_tomorrow));
}

#[derive(Deserialize)]
struct ChangedPayload {
    round_id: i32,
    child_id: i32,
    booking_id: i32,
    change: String,
    by: i32,
    by_teacher: bool,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    /// The booking's SEQUENCE when it changed.
    #[serde(default)]
    sequence: i32,
}

fn booking_changed<'a>(
    services: &'a Services,
    row: &'a OutboxRow,
) -> BoxFuture<'a, anyhow::Result<Option<OutgoingMail>>> {
    Box::pin(async move {
        let Some(parent) = subscribed_recipient(services, row).await? else {
            return Ok(None);
        };
        let payload: ChangedPayload = serde_json::from_value(row.payload.clone())?;
        let Some(round) = store::round(&services.db, payload.round_id).await? else {
            return Ok(None);
        };
        let Some(child) = store::children_by_ids(&services.db, vec![payload.child_id])
            .await?
            .pop()
        else {
            return Ok(None);
        };
        let by = accounts::find_user(&services.db, payload.by)
            .await?
            .map(|user| user.full_name())
            .unwrap_or_default();
        let zone = services.settings.time_zone()?;
        let values = serde_json::json!({
            "child": child_name(&child),
            "title": round.title,
            "change": payload.change,
            "by": by,
            "by_teacher": payload.by_teacher,
            "time": talk_time(parent.language, zone, payload.starts_at, payload.ends_at),
            "closed": round.closed_at.is_some(),
        });
        // Once the planning is closed calendars hold the talk: they get the change.
        let attachment = match round.closed_at {
            None => None,
            Some(_) => {
                let current = store::booking_by_id(&services.db, payload.booking_id).await?;
                let event = match (&current, payload.change.as_str()) {
                    (Some(booking), _) => Some(Event::of(booking, false)),
                    // Calendars replace the entry with a cancelled one: a higher SEQUENCE.
                    (None, "cancelled") => Some(Event {
                        booking_id: payload.booking_id,
                        sequence: payload.sequence + 1,
                        starts_at: payload.starts_at,
                        ends_at: payload.ends_at,
                        stamp: services.clock.now(),
                        cancelled: true,
                    }),
                    (None, _) => None,
                };
                event.map(|event| calendar_file(services, zone, &round, &child, &event))
            }
        };
        let link = invitation_link(services, round.id, child.id);
        talk_mail(
            services,
            &parent,
            BOOKING_CHANGED,
            values,
            &link,
            attachment,
        )
        .map(Some)
    })
}

#[derive(Deserialize)]
struct BookingPayload {
    booking_id: i32,
}

fn final_time<'a>(
    services: &'a Services,
    row: &'a OutboxRow,
) -> BoxFuture<'a, anyhow::Result<Option<OutgoingMail>>> {
    Box::pin(async move {
        let Some(parent) = subscribed_recipient(services, row).await? else {
            return Ok(None);
        };
        let payload: BookingPayload = serde_json::from_value(row.payload.clone())?;
        let Some(booking) = store::booking_by_id(&services.db, payload.booking_id).await? else {
            return Ok(None);
        };
        let Some(round) = store::round(&services.db, booking.round_id).await? else {
            return Ok(None);
        };
        let Some(child) = store::children_by_ids(&services.db, vec![booking.child_id])
            .await?
            .pop()
        else {
            return Ok(None);
        };
        let zone = services.settings.time_zone()?;
        let group = school::find_group_by_id(services, round.group_id)
            .await?
            .map(|group| group.name)
            .unwrap_or_default();
        let values = serde_json::json!({
            "child": child_name(&child),
            "title": round.title,
            "group": group,
            "time": talk_time(parent.language, zone, booking.starts_at, booking.ends_at),
            "location": round.location,
            "video_link": round.video_link,
        });
        let file = calendar_file(services, zone, &round, &child, &Event::of(&booking, false));
        let link = invitation_link(services, round.id, child.id);
        talk_mail(services, &parent, FINAL_TIME, values, &link, Some(file)).map(Some)
    })
}

#[derive(Deserialize)]
struct RemindPayload {
    round_id: i32,
    child_id: i32,
}

fn remind_to_book<'a>(
    services: &'a Services,
    row: &'a OutboxRow,
) -> BoxFuture<'a, anyhow::Result<Option<OutgoingMail>>> {
    Box::pin(async move {
        let Some(parent) = subscribed_recipient(services, row).await? else {
            return Ok(None);
        };
        let payload: RemindPayload = serde_json::from_value(row.payload.clone())?;
        let Some(round) = store::round(&services.db, payload.round_id)
            .await?
            .filter(|round| round.closed_at.is_none())
        else {
            return Ok(None);
        };
        // Booked meanwhile: nothing to remind of.
        if store::booking(&services.db, round.id, payload.child_id)
            .await?
            .is_some()
        {
            return Ok(None);
        }
        let Some(child) = store::children_by_ids(&services.db, vec![payload.child_id])
            .await?
            .pop()
        else {
            return Ok(None);
        };
        let zone = services.settings.time_zone()?;
        let deadline = round
            .deadline_at
            .map(|deadline| day_and_time(parent.language, zone, deadline));
        let values = serde_json::json!({
            "child": child_name(&child),
            "title": round.title,
            "deadline": deadline,
        });
        let link = invitation_link(services, round.id, child.id);
        talk_mail(services, &parent, REMIND_TO_BOOK, values, &link, None).map(Some)
    })
}

#[derive(Deserialize)]
struct TomorrowPayload {
    booking_id: i32,
    subscription_id: i32,
}

fn talk_tomorrow<'a>(
    services: &'a Services,
    row: &'a OutboxRow,
) -> BoxFuture<'a, anyhow::Result<Option<PushMessage>>> {
    Box::pin(async move {
        let payload: TomorrowPayload = serde_json::from_value(row.payload.clone())?;
        let Some(booking) = store::booking_by_id(&services.db, payload.booking_id).await? else {
            return Ok(None);
        };
        let Some(child) = store::children_by_ids(&services.db, vec![booking.child_id])
            .await?
            .pop()
        else {
            return Ok(None);
        };
        let language = match row.user_id {
            Some(id) => accounts::find_user(&services.db, id)
                .await?
                .map_or(Language::En, |user| user.language),
            None => Language::En,
        };
        let zone = services.settings.time_zone()?;
        let time = booking.starts_at.with_timezone(&zone).format("%H:%M");
        let title = match language {
            Language::Nl => format!("Morgen om {time}: oudergesprek over {}", child.first_name),
            Language::De => format!("Morgen um {time}: Elterngespräch zu {}", child.first_name),
            Language::En => format!("Tomorrow at {time}: your talk about {}", child.first_name),
        };
        let url = format!("/conferences/{}/children/{}", booking.round_id, child.id);
        let tag = format!("conference-{}", booking.id);
        Ok(Some(PushMessage {
            subscription_id: payload.subscription_id,
            payload: serde_json::json!({
                "kind": "conference",
                "title": text::shorten(&title, 100),
                "body": talk_time(language, zone, booking.starts_at, booking.ends_at),
                "url": url,
                "tag": tag,
            }),
            minimal_payload: serde_json::json!({
                "kind": "conference",
                "title": text::shorten(&title, 60),
                "url": url,
                "tag": tag,
            }),
            topic: Some(tag),
            urgency: Urgency::Normal,
            ttl_seconds: services.settings.push.ttl_seconds,
        }))
    })
}

/// The reminder job: a push to each device of each booked parent for tomorrow's talks, and
/// for rounds whose deadline comes within a day, a mail to parents of required children
/// who have not booked. Safe to repeat: every row has a dedupe key.
pub async fn send_reminders(services: &Services, run: &ScheduledRun) -> anyhow::Result<i32> {
    let zone = services.settings.time_zone()?;
    let today = run.scheduled_for.with_timezone(&zone).date_naive();
    let midnight = chrono::NaiveTime::MIN;
    let from = rules::local(zone, today + Duration::days(1), midnight);
    let to = rules::local(zone, today + Duration::days(2), midnight);
    let txn = crate::platform::db::begin_write(&services.db).await?;
    let bookings = store::bookings_starting(&txn, from, to).await?;
    let mut pushes = Vec::new();
    for booking in &bookings {
        let parents: Vec<i32> = store::parent_links(&txn, vec![booking.child_id])
            .await?
            .into_iter()
            .map(|link| link.parent_id)
            .collect();
        for device in devices::of_users(&txn, parents).await? {
            pushes.push(NewDelivery {
                channel: Channel::Push,
                kind: TALK_TOMORROW,
                user_id: Some(device.user_id),
                dedupe_key: format!(
                    "conference:{}:tomorrow:{}:{}",
                    booking.id, booking.sequence, device.id
                ),
                payload: serde_json::json!({
                    "booking_id": booking.id,
                    "subscription_id": device.id,
                }),
                urgent: false,
            });
        }
    }
    let mut queued = pushes.len();
    outbox::enqueue(&txn, pushes, services.clock.now()).await?;
    let horizon = run.scheduled_for + Duration::days(1);
    for round in store::rounds(&txn, None).await? {
        let due = round.closed_at.is_none()
            && round
                .deadline_at
                .is_some_and(|deadline| deadline > run.scheduled_for && deadline <= horizon);
        if due {
            queued += queue_booking_reminders(&txn, services, &round).await?;
        }
    }
    txn.commit().await?;
    services.outbox.wake();
    Ok(i32::try_from(queued).unwrap_or(i32::MAX))
}

/// Queues a mail to each parent of each required child of the round without a booking (at
/// most one per child, parent and day). Returns how many children's parents were reminded.
pub async fn queue_booking_reminders(
    conn: &impl ConnectionTrait,
    services: &Services,
    round: &store::Round,
) -> anyhow::Result<usize> {
    let required: Vec<i32> = store::invitations(conn, round.id)
        .await?
        .into_iter()
        .filter(|invitation| invitation.need == TalkNeed::Required)
        .map(|invitation| invitation.child_id)
        .collect();
    let booked: Vec<i32> = store::bookings(conn, round.id)
        .await?
        .into_iter()
        .map(|booking| booking.child_id)
        .collect();
    let in_group: Vec<i32> = store::children_of_group(conn, round.group_id)
        .await?
        .into_iter()
        .map(|child| child.id)
        .collect();
    let missing: Vec<i32> = required
        .into_iter()
        .filter(|child| !booked.contains(child) && in_group.contains(child))
        .collect();
    let now = services.clock.now();
    let day = now
        .with_timezone(&services.settings.time_zone()?)
        .date_naive();
    let mails: Vec<NewDelivery> = store::parent_links(conn, missing.clone())
        .await?
        .into_iter()
        .map(|link| NewDelivery {
            channel: Channel::Email,
            kind: REMIND_TO_BOOK,
            user_id: Some(link.parent_id),
            dedupe_key: format!(
                "conference:{}:remind:{}:{}:{day}",
                round.id, link.child_id, link.parent_id
            ),
            payload: serde_json::json!({ "round_id": round.id, "child_id": link.child_id }),
            urgent: false,
        })
        .collect();
    outbox::enqueue(conn, mails, now).await?;
    store::mark_reminded(conn, round.id, missing.clone(), now).await?;
    Ok(missing.len())
}

/// The recipient, unless gone, disabled or without conference mails.
async fn subscribed_recipient(
    services: &Services,
    row: &OutboxRow,
) -> anyhow::Result<Option<users::Model>> {
    let Some(parent) = recipient(&services.db, row).await? else {
        return Ok(None);
    };
    if notifications::is_opted_out(&services.db, parent.id, EMAIL_KIND).await? {
        return Ok(None);
    }
    Ok(Some(parent))
}

fn invitation_link(services: &Services, round_id: i32, child_id: i32) -> String {
    format!(
        "{}/conferences/{round_id}/children/{child_id}",
        services.settings.public_url()
    )
}

/// A conference mail: the catalog's texts, a button to the invitation, the unsubscribe
/// link of conference mails, and the .ics where there is one.
fn talk_mail(
    services: &Services,
    parent: &users::Model,
    kind: &str,
    mut values: serde_json::Value,
    link: &str,
    calendar: Option<MailAttachment>,
) -> anyhow::Result<OutgoingMail> {
    let settings = &services.settings;
    let public_url = settings.public_url();
    values["first_name"] = parent.first_name.clone().into();
    values["school"] = settings.school.name.clone().into();
    let token = services.unsubscribe_links.token(
        parent.id,
        &parent.email,
        EMAIL_KIND,
        services.clock.now(),
    );
    let unsubscribe_page = token
        .as_ref()
        .map(|token| format!("{public_url}/unsubscribe?token={token}"));
    let mail = services.templates.render(
        kind,
        parent.language,
        &settings.school.name,
        values,
        MailParts {
            action_url: Some(link),
            items: &[],
            unsubscribe_url: unsubscribe_page.as_deref(),
        },
    )?;
    Ok(OutgoingMail {
        to: mailbox(parent)?,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        list_unsubscribe: token.map(|token| format!("{public_url}/api/unsubscribe?token={token}")),
        attachments: calendar.into_iter().collect(),
    })
}

/// A talk as a calendar event.
struct Event {
    booking_id: i32,
    sequence: i32,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    stamp: DateTime<Utc>,
    cancelled: bool,
}

impl Event {
    fn of(booking: &store::Booking, cancelled: bool) -> Self {
        Self {
            booking_id: booking.id,
            sequence: booking.sequence,
            starts_at: booking.starts_at,
            ends_at: booking.ends_at,
            stamp: booking.updated_at,
            cancelled,
        }
    }
}

fn calendar_file(
    services: &Services,
    zone: Tz,
    round: &store::Round,
    child: &crate::entities::children::Model,
    event: &Event,
) -> MailAttachment {
    let host = ical::uid_host(&services.settings.server.public_url);
    MailAttachment {
        file_name: "talk.ics".into(),
        content_type: "text/calendar; charset=utf-8; method=PUBLISH".into(),
        body: calendar(zone, host, round, &child_name(child), event).into_bytes(),
    }
}

/// The talk as an iCalendar document (METHOD:PUBLISH: a calendar entry, not an invitation
/// to answer). Its UID stays the same for the booking; a move raises SEQUENCE, so calendar
/// apps replace the entry.
fn calendar(zone: Tz, host: &str, round: &store::Round, child: &str, event: &Event) -> String {
    let mut writer = Writer::new();
    writer.begin("VCALENDAR");
    writer.line("VERSION", "2.0");
    writer.line("PRODID", "-//Schoolgate//Conferences//EN");
    writer.line("CALSCALE", "GREGORIAN");
    writer.line("METHOD", "PUBLISH");
    let days = [
        event.starts_at.with_timezone(&zone).date_naive(),
        event.ends_at.with_timezone(&zone).date_naive(),
    ];
    if let Some((first, last)) = ical::years_around(days) {
        ical::write_time_zone(&mut writer, zone, first, last);
    }
    let tzid = format!("TZID={}", zone.name());
    writer.begin("VEVENT");
    writer.line("UID", &format!("conference-{}@{host}", event.booking_id));
    writer.line("DTSTAMP", &ical::utc(event.stamp));
    writer.line("SEQUENCE", &event.sequence.to_string());
    writer.text("SUMMARY", &format!("{}: {child}", round.title));
    let mut description = round.message.clone();
    if !round.video_link.is_empty() {
        if !description.is_empty() {
            description.push_str("\n\n");
        }
        description.push_str(&round.video_link);
        writer.line("URL", &round.video_link);
    }
    if !description.is_empty() {
        writer.text("DESCRIPTION", &description);
    }
    if !round.location.is_empty() {
        writer.text("LOCATION", &round.location);
    }
    writer.line(
        &format!("DTSTART;{tzid}"),
        &ical::local_date_time(event.starts_at.with_timezone(&zone).naive_local()),
    );
    writer.line(
        &format!("DTEND;{tzid}"),
        &ical::local_date_time(event.ends_at.with_timezone(&zone).naive_local()),
    );
    writer.line(
        "STATUS",
        if event.cancelled {
            "CANCELLED"
        } else {
            "CONFIRMED"
        },
    );
    writer.end("VEVENT");
    writer.end("VCALENDAR");
    writer.finish()
}

fn locale(language: Language) -> chrono::Locale {
    match language {
        Language::Nl => chrono::Locale::nl_NL,
        Language::De => chrono::Locale::de_DE,
        Language::En => chrono::Locale::en_GB,
    }
}

/// "dinsdag 10 maart 2026, 15:10-15:20" in the reader's language.
pub fn talk_time(
    language: Language,
    zone: Tz,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
) -> String {
    let start = starts_at.with_timezone(&zone);
    let end = ends_at.with_timezone(&zone);
    let day = match language {
        Language::De => start.format_localized("%A, %-d. %B %Y", locale(language)),
        _ => start.format_localized("%A %-d %B %Y", locale(language)),
    };
    format!("{day}, {}–{}", start.format("%H:%M"), end.format("%H:%M"))
}

fn day_and_time(language: Language, zone: Tz, moment: DateTime<Utc>) -> String {
    let local = moment.with_timezone(&zone);
    match language {
        Language::De => local
            .format_localized("%A, %-d. %B, %H:%M Uhr", locale(language))
            .to_string(),
        _ => local
            .format_localized("%A %-d %B, %H:%M", locale(language))
            .to_string(),
    }
}

/// "dinsdag 22 december 2026" in the reader's language.
pub fn day_label(language: Language, day: chrono::NaiveDate) -> String {
    match language {
        Language::De => day.format_localized("%A, %-d. %B %Y", locale(language)),
        _ => day.format_localized("%A %-d %B %Y", locale(language)),
    }
    .to_string()
}
