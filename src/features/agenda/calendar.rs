//! Agenda items as iCalendar (RFC 5545) for calendar apps: a published calendar (no
//! invitations), one VEVENT per item with a stable UID and a SEQUENCE that rises with each
//! change, local times with the school's VTIMEZONE, all-day items as dates with an
//! exclusive end, repeats as RRULE + EXDATE, cancelled items as STATUS:CANCELLED.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::store::Item;
use crate::platform::ical::{self, Writer};

/// How often calendar apps are asked to fetch the feed again.
const REFRESH: &str = "PT1H";

/// What a calendar needs besides its items.
pub struct CalendarInfo<'a> {
    /// Shown as the calendar's name in the app.
    pub name: &'a str,
    pub zone: Tz,
    /// The host of the school's address: items' UIDs are `agenda-<id>@<host>`.
    pub host: &'a str,
}

/// A whole calendar of `items`.
pub fn calendar(info: &CalendarInfo, items: &[Item]) -> String {
    let mut writer = Writer::new();
    writer.begin("VCALENDAR");
    writer.line("VERSION", "2.0");
    writer.line("PRODID", "-//Schoolgate//Agenda//EN");
    writer.line("CALSCALE", "GREGORIAN");
    writer.line("METHOD", "PUBLISH");
    writer.text("X-WR-CALNAME", info.name);
    writer.line("X-WR-TIMEZONE", info.zone.name());
    writer.line("REFRESH-INTERVAL;VALUE=DURATION", REFRESH);
    writer.line("X-PUBLISHED-TTL", REFRESH);
    let timed_days = items
        .iter()
        .filter(|item| item.row.start_time.is_some())
        .flat_map(|item| [item.row.starts_on, item.when().last_day()]);
    if let Some((first, last)) = ical::years_around(timed_days) {
        ical::write_time_zone(&mut writer, info.zone, first, last);
    }
    for item in items {
        write_event(&mut writer, info, item);
    }
    writer.end("VCALENDAR");
    writer.finish()
}

fn write_event(writer: &mut Writer, info: &CalendarInfo, item: &Item) {
    let row = &item.row;
    let when = item.when();
    let tzid = format!("TZID={}", info.zone.name());
    writer.begin("VEVENT");
    writer.line("UID", &format!("agenda-{}@{}", row.id, info.host));
    // A published item's DTSTAMP is when it was last changed: the feed stays the same
    // (and its ETag with it) until something changes.
    writer.line("DTSTAMP", &ical::utc(row.updated_at));
    writer.line("CREATED", &ical::utc(row.created_at));
    writer.line("LAST-MODIFIED", &ical::utc(row.updated_at));
    writer.line("SEQUENCE", &row.sequence.to_string());
    writer.text("SUMMARY", &row.title);
    if !row.description.is_empty() {
        writer.text("DESCRIPTION", &row.description);
    }
    if !row.place.is_empty() {
        writer.text("LOCATION", &row.place);
    }
    match when.times {
        Some((start, end)) => {
            let start_at = when.starts_on.and_time(start);
            let end_at = when.ends_on.and_time(end);
            writer.line(&format!("DTSTART;{tzid}"), &ical::local_date_time(start_at));
            writer.line(&format!("DTEND;{tzid}"), &ical::local_date_time(end_at));
            writer.line("TRANSP", "OPAQUE");
        }
        None => {
            writer.line("DTSTART;VALUE=DATE", &ical::date(when.starts_on));
            // The end of an all-day item is the day after its last day.
            writer.line(
                "DTEND;VALUE=DATE",
                &ical::date(when.ends_on + Duration::days(1)),
            );
            writer.line("TRANSP", "TRANSPARENT");
        }
    }
    if let Some(repeat) = when.repeat {
        let until = match when.times {
            // With a local start time, UNTIL is a UTC moment (RFC 5545, 3.3.10): the end of
            // the last day in the school's time zone.
            Some(_) => ical::utc(end_of_day_utc(info.zone, repeat.until)),
            None => ical::date(repeat.until),
        };
        writer.line(
            "RRULE",
            &format!("FREQ=WEEKLY;INTERVAL={};UNTIL={until}", repeat.every_weeks),
        );
        for day in &when.skips {
            match when.times {
                Some((start, _)) => writer.line(
                    &format!("EXDATE;{tzid}"),
                    &ical::local_date_time(day.and_time(start)),
                ),
                None => writer.line("EXDATE;VALUE=DATE", &ical::date(*day)),
            }
        }
    }
    let status = if row.cancelled_at.is_some() {
        "CANCELLED"
    } else {
        "CONFIRMED"
    };
    writer.line("STATUS", status);
    writer.end("VEVENT");
}

/// The last second of `day` in `zone`, in UTC.
fn end_of_day_utc(zone: Tz, day: NaiveDate) -> chrono::DateTime<Utc> {
    let next_midnight: NaiveDateTime = (day + Duration::days(1)).and_time(NaiveTime::MIN);
    let local = zone
        .from_local_datetime(&next_midnight)
        .earliest()
        .map(|moment| moment.with_timezone(&Utc))
        // Midnight skipped by a change: an hour later surely exists.
        .unwrap_or_else(|| Utc.from_utc_datetime(&next_midnight));
    local - Duration::seconds(1)
}
