//! iCalendar text (RFC 5545): content lines with escaped text, folded at 75 octets, CRLF
//! line ends, and a VTIMEZONE written from the tz database. Written here rather than with a
//! crate: the writers we looked at (ics 0.5, icalendar 0.17) fold continuation lines to 76
//! octets, and neither writes a VTIMEZONE for a chrono-tz zone.

use std::fmt::Write as _;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

/// The longest content line, in octets, without its CRLF.
const MAX_LINE: usize = 75;

/// An iCalendar document, written line by line.
#[derive(Default)]
pub struct Writer {
    out: String,
}

impl Writer {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn begin(&mut self, component: &str) {
        self.line("BEGIN", component);
    }

    pub fn end(&mut self, component: &str) {
        self.line("END", component);
    }

    /// A property whose value is written as it is (dates, rules, numbers). `name` may carry
    /// parameters: `DTSTART;TZID=Europe/Amsterdam`.
    pub fn line(&mut self, name: &str, value: &str) {
        fold_into(&mut self.out, &format!("{name}:{value}"));
    }

    /// A TEXT property: backslash, semicolon, comma and line breaks escaped.
    pub fn text(&mut self, name: &str, value: &str) {
        self.line(name, &escape_text(value));
    }

    pub fn finish(self) -> String {
        self.out
    }
}

/// Appends `line` with CRLF, folded so that no line is longer than 75 octets: a
/// continuation line starts with a space, which counts, and no UTF-8 character is split.
fn fold_into(out: &mut String, line: &str) {
    let mut rest = line;
    let mut limit = MAX_LINE;
    loop {
        if rest.len() <= limit {
            out.push_str(rest);
            out.push_str("\r\n");
            return;
        }
        let mut cut = limit;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        limit = MAX_LINE - 1;
    }
}

/// The host of the school's public address, for UIDs (`agenda-7@school.example`).
pub fn uid_host(public_url: &str) -> &str {
    public_url
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split(['/', ':']).next())
        .filter(|host| !host.is_empty())
        .unwrap_or("schoolgate.invalid")
}

/// A TEXT value (RFC 5545, 3.3.11).
pub fn escape_text(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => escaped.push_str("\\\\"),
            ';' => escaped.push_str("\\;"),
            ',' => escaped.push_str("\\,"),
            '\r' => {
                chars.next_if_eq(&'\n');
                escaped.push_str("\\n");
            }
            '\n' => escaped.push_str("\\n"),
            c if c.is_control() && c != '\t' => {}
            c => escaped.push(c),
        }
    }
    escaped
}

/// A DATE value: `20261021`.
pub fn date(day: NaiveDate) -> String {
    day.format("%Y%m%d").to_string()
}

/// A local DATE-TIME value, to be read in the zone of its TZID: `20261021T190000`.
pub fn local_date_time(moment: NaiveDateTime) -> String {
    moment.format("%Y%m%dT%H%M%S").to_string()
}

/// A UTC DATE-TIME value: `20261021T170000Z`.
pub fn utc(moment: DateTime<Utc>) -> String {
    moment.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A VTIMEZONE for `zone` that covers the years `first..=last`: one STANDARD or DAYLIGHT
/// observance per change of the zone's offset, read from the tz database, so a client maps
/// local times exactly as the server does (19:00 stays 19:00 on either side of a change).
pub fn write_time_zone(writer: &mut Writer, zone: Tz, first: i32, last: i32) {
    let start = Utc
        .with_ymd_and_hms(first, 1, 1, 0, 0, 0)
        .single()
        .expect("1 January exists");
    let end = Utc
        .with_ymd_and_hms(last + 1, 1, 1, 0, 0, 0)
        .single()
        .expect("1 January exists");
    writer.begin("VTIMEZONE");
    writer.line("TZID", zone.name());
    // In force from before the first change shown (or for good, for a zone without changes).
    let initial = zone.offset_from_utc_datetime(&start.naive_utc());
    let long_ago = NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|day| day.and_hms_opt(0, 0, 0))
        .expect("1970-01-01 exists");
    observance_at(writer, &initial, &initial, long_ago);
    let mut before = initial;
    let mut day = start;
    while day < end {
        let next = day + Duration::days(1);
        let after = zone.offset_from_utc_datetime(&next.naive_utc());
        if after != before {
            let change = moment_of_change(zone, day, next);
            let local = change.naive_utc() + duration_of(&before);
            observance_at(writer, &before, &after, local);
            before = after;
        }
        day = next;
    }
    writer.end("VTIMEZONE");
}

/// The first moment (to the second) in `(from, to]` with the offset `to` has.
fn moment_of_change(zone: Tz, mut from: DateTime<Utc>, mut to: DateTime<Utc>) -> DateTime<Utc> {
    let target = zone.offset_from_utc_datetime(&to.naive_utc());
    while to - from > Duration::seconds(1) {
        let middle = from + (to - from) / 2;
        if zone.offset_from_utc_datetime(&middle.naive_utc()) == target {
            to = middle;
        } else {
            from = middle;
        }
    }
    to
}

fn duration_of(offset: &chrono_tz::TzOffset) -> Duration {
    Duration::seconds(offset.fix().local_minus_utc().into())
}

/// One observance: from `local` (wall time before the change) on, `after` is in force.
fn observance_at(
    writer: &mut Writer,
    before: &chrono_tz::TzOffset,
    after: &chrono_tz::TzOffset,
    local: NaiveDateTime,
) {
    let kind = if after.dst_offset().is_zero() {
        "STANDARD"
    } else {
        "DAYLIGHT"
    };
    writer.begin(kind);
    writer.line("DTSTART", &local_date_time(local));
    writer.line("TZOFFSETFROM", &utc_offset(before));
    writer.line("TZOFFSETTO", &utc_offset(after));
    if let Some(name) = after.abbreviation() {
        writer.text("TZNAME", name);
    }
    writer.end(kind);
}

/// A UTC-OFFSET value: `+0100`, `-0330`, `+053328` (seconds only when there are any).
fn utc_offset(offset: &chrono_tz::TzOffset) -> String {
    let seconds = offset.fix().local_minus_utc();
    let sign = if seconds < 0 { '-' } else { '+' };
    let seconds = seconds.unsigned_abs();
    let mut text = format!("{sign}{:02}{:02}", seconds / 3600, seconds / 60 % 60);
    if !seconds.is_multiple_of(60) {
        let _ = write!(text, "{:02}", seconds % 60);
    }
    text
}

/// The calendar years `first..=last` a set of days touches, widened by one on each side
/// (a client may show an item in the zone's time of the day before or after).
pub fn years_around(days: impl IntoIterator<Item = NaiveDate>) -> Option<(i32, i32)> {
    let years: Vec<i32> = days.into_iter().map(|day| day.year()).collect();
    Some((years.iter().min()? - 1, years.iter().max()? + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<&str> {
        text.split("\r\n").filter(|line| !line.is_empty()).collect()
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let mut writer = Writer::new();
        let title = "Ouderavond über Schulfahrten ".repeat(6) + &"老虎".repeat(40);
        writer.text("SUMMARY", &title);
        let text = writer.finish();
        assert!(text.ends_with("\r\n"));
        for line in lines(&text) {
            assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
        }
        let unfolded = text.trim_end().replace("\r\n ", "");
        assert_eq!(unfolded, format!("SUMMARY:{title}"));
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape_text("Gym; bring shoes, a towel\r\nand \\ water\n"),
            "Gym\\; bring shoes\\, a towel\\nand \\\\ water\\n"
        );
    }

    #[test]
    fn amsterdam_changes_twice_a_year_at_the_right_local_times() {
        let mut writer = Writer::new();
        write_time_zone(&mut writer, chrono_tz::Europe::Amsterdam, 2026, 2026);
        let text = writer.finish();
        let all = lines(&text);
        assert!(all.contains(&"TZID:Europe/Amsterdam"));
        // 29 March 2026 02:00 CET -> CEST, 25 October 2026 03:00 CEST -> CET.
        let spring = all
            .iter()
            .position(|l| *l == "DTSTART:20260329T020000")
            .unwrap();
        assert_eq!(
            &all[spring - 1..spring + 4],
            [
                "BEGIN:DAYLIGHT",
                "DTSTART:20260329T020000",
                "TZOFFSETFROM:+0100",
                "TZOFFSETTO:+0200",
                "TZNAME:CEST"
            ]
        );
        let autumn = all
            .iter()
            .position(|l| *l == "DTSTART:20261025T030000")
            .unwrap();
        assert_eq!(all[autumn - 1], "BEGIN:STANDARD");
        assert_eq!(all[autumn + 1], "TZOFFSETFROM:+0200");
        assert_eq!(all[autumn + 2], "TZOFFSETTO:+0100");
    }

    #[test]
    fn a_zone_without_changes_has_one_observance() {
        let mut writer = Writer::new();
        write_time_zone(&mut writer, chrono_tz::Asia::Tokyo, 2026, 2027);
        let text = writer.finish();
        assert_eq!(text.matches("BEGIN:STANDARD").count(), 1);
        assert!(text.contains("TZOFFSETTO:+0900"));
        assert!(!text.contains("DAYLIGHT"));
    }
}
