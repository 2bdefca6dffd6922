//! Agenda rules without I/O: what a valid item is (texts, days and times, repeats) and on
//! which days a repeating item takes place. Days and times are local wall times in the
//! school's time zone.

use std::collections::BTreeSet;

use chrono::{Datelike, Duration, NaiveDate, NaiveTime};

use crate::app::error::{AppError, sentence};

pub const MAX_TITLE: usize = 200;
pub const MAX_DESCRIPTION: usize = 5_000;
pub const MAX_PLACE: usize = 200;
/// The longest item: a school trip or project weeks, not a term.
pub const MAX_DAYS: i64 = 62;
/// A repeat ends within two years of its first day.
pub const MAX_REPEAT_DAYS: i64 = 731;
/// Dates left out of one repeating item.
pub const MAX_SKIPS: usize = 100;

/// How an item repeats: every `every_weeks` weeks (1 or 2) until `until` (its last day).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Repeat {
    pub every_weeks: u8,
    pub until: NaiveDate,
}

/// When an item takes place, as asked for: its (first) days, times (none: all day), and
/// how it repeats.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct When {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub times: Option<(NaiveTime, NaiveTime)>,
    pub repeat: Option<Repeat>,
    /// Days a repeating item starts on in its rhythm but does not take place.
    pub skips: BTreeSet<NaiveDate>,
}

/// A request's days and times, unchecked.
#[derive(Clone, Debug, Default)]
pub struct WhenRequest {
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub start_time: Option<NaiveTime>,
    pub end_time: Option<NaiveTime>,
    pub repeat: Option<RepeatRequest>,
}

#[derive(Clone, Debug)]
pub struct RepeatRequest {
    pub every_weeks: u8,
    pub until: NaiveDate,
    pub skip: Vec<NaiveDate>,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum AgendaRuleError {
    #[error("a title needs 1 to {MAX_TITLE} characters")]
    Title,
    #[error("a description has at most {MAX_DESCRIPTION} characters")]
    Description,
    #[error("a place has at most {MAX_PLACE} characters on one line")]
    Place,
    #[error("name the first day")]
    NoStart,
    #[error("give both a start and an end time, or neither for an all-day item")]
    TimesIncomplete,
    #[error("the end must come after the start")]
    EndBeforeStart,
    #[error("an item lasts at most {MAX_DAYS} days")]
    TooLong,
    #[error("an item repeats every 1 or 2 weeks")]
    Interval,
    #[error("a repeat ends on or after the first day and within two years")]
    Until,
    #[error("an item that repeats must end before it comes round again")]
    Overlaps,
    #[error("{0} is not a day on which the item comes round")]
    SkipNotOccurrence(NaiveDate),
    #[error("at most {MAX_SKIPS} dates can be left out")]
    TooManySkips,
    #[error("{0} is not a date between 1900 and 2199")]
    OutOfRange(NaiveDate),
}

/// The days an agenda deals in: a school's past and future, far from the calendar's ends.
pub fn in_range(day: NaiveDate) -> bool {
    (1900..=2199).contains(&day.year())
}

impl AgendaRuleError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Title => "invalid_title",
            Self::Description => "invalid_description",
            Self::Place => "invalid_place",
            Self::NoStart => "starts_on_required",
            Self::TimesIncomplete => "times_incomplete",
            Self::EndBeforeStart => "end_before_start",
            Self::TooLong => "item_too_long",
            Self::Interval => "invalid_repeat_interval",
            Self::Until => "invalid_repeat_until",
            Self::Overlaps => "repeat_overlaps",
            Self::SkipNotOccurrence(_) => "skip_not_an_occurrence",
            Self::TooManySkips => "too_many_skips",
            Self::OutOfRange(_) => "date_out_of_range",
        }
    }

    pub fn field(&self) -> &'static str {
        match self {
            Self::Title => "title",
            Self::Description => "description",
            Self::Place => "place",
            Self::NoStart => "starts_on",
            Self::TimesIncomplete => "end_time",
            Self::EndBeforeStart | Self::TooLong => "ends_on",
            Self::Interval | Self::Overlaps => "repeat.every_weeks",
            Self::Until => "repeat.until",
            Self::SkipNotOccurrence(_) | Self::TooManySkips => "repeat.skip",
            Self::OutOfRange(_) => "starts_on",
        }
    }
}

impl From<AgendaRuleError> for AppError {
    fn from(err: AgendaRuleError) -> Self {
        AppError::invalid(err.field(), err.code(), sentence(&err))
    }
}

/// An item's texts, trimmed: title 1 to 200 characters on one line, description up to
/// 5,000, place up to 200 on one line.
pub fn clean_texts(
    title: &str,
    description: &str,
    place: &str,
) -> Result<(String, String, String), AgendaRuleError> {
    let one_line = |text: &str| !text.chars().any(char::is_control);
    let title = title.trim();
    if title.is_empty() || title.chars().count() > MAX_TITLE || !one_line(title) {
        return Err(AgendaRuleError::Title);
    }
    let description = description.trim();
    if description.chars().count() > MAX_DESCRIPTION
        || description
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(AgendaRuleError::Description);
    }
    let place = place.trim();
    if place.chars().count() > MAX_PLACE || !one_line(place) {
        return Err(AgendaRuleError::Place);
    }
    Ok((title.into(), description.into(), place.into()))
}

impl WhenRequest {
    /// The checked days and times: an end day on or after the first (default: the first),
    /// both times or none, the end after the start, at most 62 days, and a repeat every 1
    /// or 2 weeks that ends within two years, does not overlap itself, and leaves out only
    /// days on which the item comes round.
    pub fn check(self) -> Result<When, AgendaRuleError> {
        let starts_on = self.starts_on.ok_or(AgendaRuleError::NoStart)?;
        let ends_on = self.ends_on.unwrap_or(starts_on);
        let repeat_days = self
            .repeat
            .iter()
            .flat_map(|r| r.skip.iter().copied().chain([r.until]));
        if let Some(day) = [starts_on, ends_on]
            .into_iter()
            .chain(repeat_days)
            .find(|day| !in_range(*day))
        {
            return Err(AgendaRuleError::OutOfRange(day));
        }
        let times = match (self.start_time, self.end_time) {
            (None, None) => None,
            (Some(start), Some(end)) => Some((start, end)),
            _ => return Err(AgendaRuleError::TimesIncomplete),
        };
        let ends_before = match times {
            Some((start, end)) => ends_on.and_time(end) <= starts_on.and_time(start),
            None => ends_on < starts_on,
        };
        if ends_before {
            return Err(AgendaRuleError::EndBeforeStart);
        }
        let span = (ends_on - starts_on).num_days();
        if span >= MAX_DAYS {
            return Err(AgendaRuleError::TooLong);
        }
        let mut when = When {
            starts_on,
            ends_on,
            times,
            repeat: None,
            skips: BTreeSet::new(),
        };
        if let Some(asked) = self.repeat {
            if !(1..=2).contains(&asked.every_weeks) {
                return Err(AgendaRuleError::Interval);
            }
            if asked.until < starts_on || (asked.until - starts_on).num_days() > MAX_REPEAT_DAYS {
                return Err(AgendaRuleError::Until);
            }
            if span >= 7 * i64::from(asked.every_weeks) {
                return Err(AgendaRuleError::Overlaps);
            }
            if asked.skip.len() > MAX_SKIPS {
                return Err(AgendaRuleError::TooManySkips);
            }
            when.repeat = Some(Repeat {
                every_weeks: asked.every_weeks,
                until: asked.until,
            });
            let rhythm: BTreeSet<NaiveDate> = when.rhythm().collect();
            for day in asked.skip {
                if !rhythm.contains(&day) {
                    return Err(AgendaRuleError::SkipNotOccurrence(day));
                }
                when.skips.insert(day);
            }
        }
        Ok(when)
    }
}

impl When {
    /// Days from an occurrence's first day to its last.
    pub fn span(&self) -> Duration {
        self.ends_on - self.starts_on
    }

    /// The first days of the item's rhythm, left-out days included.
    fn rhythm(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        let (step, until) = match self.repeat {
            Some(repeat) => (7 * i64::from(repeat.every_weeks), repeat.until),
            None => (1, self.starts_on),
        };
        (0..)
            .map(move |n| self.starts_on + Duration::days(n * step))
            .take_while(move |day| *day <= until)
    }

    /// The first days of the times the item takes place.
    pub fn first_days(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.rhythm().filter(|day| !self.skips.contains(day))
    }

    /// The last day any of its occurrences covers.
    pub fn last_day(&self) -> NaiveDate {
        match self.repeat {
            Some(repeat) => {
                let last = self.first_days().last().unwrap_or(repeat.until);
                last + self.span()
            }
            None => self.ends_on,
        }
    }

    /// The occurrences (first day, last day) that touch the days `from..=to`.
    pub fn occurrences_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Vec<(NaiveDate, NaiveDate)> {
        let span = self.span();
        self.first_days()
            .take_while(|first| *first <= to)
            .map(|first| (first, first + span))
            .filter(|(_, last)| *last >= from)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn time(text: &str) -> Option<NaiveTime> {
        Some(text.parse().unwrap())
    }

    fn weekly(until: &str, skip: &[&str]) -> Option<RepeatRequest> {
        Some(RepeatRequest {
            every_weeks: 1,
            until: day(until),
            skip: skip.iter().map(|d| day(d)).collect(),
        })
    }

    #[test]
    fn a_weekly_item_comes_round_each_week_but_on_its_left_out_day() {
        let when = WhenRequest {
            starts_on: Some(day("2026-10-14")),
            start_time: time("19:00"),
            end_time: time("20:30"),
            repeat: weekly("2026-11-04", &["2026-10-21"]),
            ..Default::default()
        }
        .check()
        .unwrap();
        let days: Vec<_> = when.first_days().collect();
        assert_eq!(
            days,
            [day("2026-10-14"), day("2026-10-28"), day("2026-11-04")]
        );
        assert_eq!(when.last_day(), day("2026-11-04"));
        assert_eq!(
            when.occurrences_between(day("2026-10-20"), day("2026-10-31")),
            [(day("2026-10-28"), day("2026-10-28"))]
        );
    }

    #[test]
    fn a_three_day_item_is_found_from_any_of_its_days() {
        let when = WhenRequest {
            starts_on: Some(day("2026-05-11")),
            ends_on: Some(day("2026-05-13")),
            ..Default::default()
        }
        .check()
        .unwrap();
        assert_eq!(when.times, None);
        assert_eq!(
            when.occurrences_between(day("2026-05-13"), day("2026-06-01")),
            [(day("2026-05-11"), day("2026-05-13"))]
        );
        assert!(
            when.occurrences_between(day("2026-05-14"), day("2026-06-01"))
                .is_empty()
        );
    }

    #[test]
    fn bad_days_and_times_are_refused_with_their_reason() {
        let base = || WhenRequest {
            starts_on: Some(day("2026-10-14")),
            ..Default::default()
        };
        let refused = |request: WhenRequest| request.check().unwrap_err();
        assert_eq!(
            refused(WhenRequest {
                start_time: time("19:00"),
                ..base()
            }),
            AgendaRuleError::TimesIncomplete
        );
        assert_eq!(
            refused(WhenRequest {
                start_time: time("19:00"),
                end_time: time("18:00"),
                ..base()
            }),
            AgendaRuleError::EndBeforeStart
        );
        assert_eq!(
            refused(WhenRequest {
                ends_on: Some(day("2026-10-13")),
                ..base()
            }),
            AgendaRuleError::EndBeforeStart
        );
        assert_eq!(
            refused(WhenRequest {
                ends_on: Some(day("2027-01-01")),
                ..base()
            }),
            AgendaRuleError::TooLong
        );
        assert_eq!(
            refused(WhenRequest {
                repeat: weekly("2029-01-01", &[]),
                ..base()
            }),
            AgendaRuleError::Until
        );
        assert_eq!(
            refused(WhenRequest {
                ends_on: Some(day("2026-10-21")),
                repeat: weekly("2026-12-01", &[]),
                ..base()
            }),
            AgendaRuleError::Overlaps
        );
        assert_eq!(
            refused(WhenRequest {
                repeat: weekly("2026-12-01", &["2026-10-15"]),
                ..base()
            }),
            AgendaRuleError::SkipNotOccurrence(day("2026-10-15"))
        );
        // A time on the first day and an earlier one on a later day is fine.
        assert!(
            WhenRequest {
                ends_on: Some(day("2026-10-16")),
                start_time: time("09:00"),
                end_time: time("08:00"),
                ..base()
            }
            .check()
            .is_ok()
        );
    }

    #[test]
    fn texts_are_trimmed_and_limited() {
        assert_eq!(
            clean_texts(" Ouderavond ", " Welkom\nallemaal ", " Aula "),
            Ok((
                "Ouderavond".into(),
                "Welkom\nallemaal".into(),
                "Aula".into()
            ))
        );
        assert_eq!(clean_texts(" ", "", ""), Err(AgendaRuleError::Title));
        assert_eq!(clean_texts("A\nB", "", ""), Err(AgendaRuleError::Title));
        assert_eq!(clean_texts("A", "", "Aula\n2"), Err(AgendaRuleError::Place));
    }
}
