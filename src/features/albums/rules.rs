//! The albums' pure rules: school years, whether a consent answer counts, whether families
//! may still answer, and whether parents see a photo.

use chrono::{Datelike, NaiveDate};

use crate::entities::album_photos::PhotoStatus;

/// The school year (the year it starts in) of a day, for a school year starting on
/// `start` (month, day).
pub fn school_year_of(day: NaiveDate, start: (u32, u32)) -> i32 {
    if (day.month(), day.day()) >= start {
        day.year()
    } else {
        day.year() - 1
    }
}

/// How a school year is written: "2026/27".
pub fn school_year_label(year: i32) -> String {
    format!("{year}/{:02}", (year + 1).rem_euclid(100))
}

/// A consent answer as it stands now: `Some(granted)` if it counts, `None` if it was never
/// given or (where the school asks each year) given in an earlier school year.
pub fn current_answer(
    answer: Option<(bool, i32)>,
    school_year: i32,
    asked_each_year: bool,
) -> Option<bool> {
    let (granted, given_in) = answer?;
    (!asked_each_year || given_in == school_year).then_some(granted)
}

/// Whether families can no longer give consent on `today` (the office still can, and
/// withdrawing is always possible): from the lock day of the current school year on.
pub fn giving_locked(today: NaiveDate, start: (u32, u32), locked_from: Option<(u32, u32)>) -> bool {
    let Some((month, day)) = locked_from else {
        return false;
    };
    let year = school_year_of(today, start);
    // The lock day falls in the calendar year the school year starts in, or the next.
    let lock_year = if (month, day) >= start {
        year
    } else {
        year + 1
    };
    NaiveDate::from_ymd_opt(lock_year, month, day).is_some_and(|lock| today >= lock)
}

/// Why parents do not see a photo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Hidden {
    /// Still being processed, or processing failed.
    NotReady,
    /// Nobody said yet which children are on it.
    Untagged,
    /// These tagged children have no (current) consent for albums.
    NoConsent(Vec<i32>),
}

/// What decides whether parents see a photo.
pub struct PhotoFacts<'a> {
    pub status: PhotoStatus,
    pub no_recognisable_children: bool,
    pub tagged: &'a [i32],
}

/// Parents see a processed photo once it is tagged (or marked as showing no recognisable
/// child) and every child on it has consent for albums.
pub fn hidden_from_parents(
    photo: &PhotoFacts<'_>,
    has_consent: impl Fn(i32) -> bool,
) -> Option<Hidden> {
    if photo.status != PhotoStatus::Ready {
        return Some(Hidden::NotReady);
    }
    if photo.tagged.is_empty() && !photo.no_recognisable_children {
        return Some(Hidden::Untagged);
    }
    let without: Vec<i32> = photo
        .tagged
        .iter()
        .copied()
        .filter(|child| !has_consent(*child))
        .collect();
    (!without.is_empty()).then_some(Hidden::NoConsent(without))
}

/// Albums of school years up to this one are past their retention.
pub fn last_expired_school_year(current: i32, keep_school_years: u32) -> i32 {
    current - i32::try_from(keep_school_years).unwrap_or(i32::MAX / 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn school_years_start_on_their_day() {
        assert_eq!(school_year_of(day("2026-07-31"), (8, 1)), 2025);
        assert_eq!(school_year_of(day("2026-08-01"), (8, 1)), 2026);
        assert_eq!(school_year_of(day("2027-01-15"), (8, 1)), 2026);
        assert_eq!(school_year_label(2026), "2026/27");
        assert_eq!(school_year_label(2099), "2099/00");
    }

    #[test]
    fn last_year_s_answer_counts_only_where_the_school_does_not_ask_again() {
        assert_eq!(current_answer(Some((true, 2025)), 2026, true), None);
        assert_eq!(current_answer(Some((true, 2025)), 2026, false), Some(true));
        assert_eq!(current_answer(Some((false, 2026)), 2026, true), Some(false));
        assert_eq!(current_answer(None, 2026, false), None);
    }

    #[test]
    fn giving_consent_locks_from_the_lock_day_of_the_current_school_year() {
        let start = (8, 1);
        assert!(!giving_locked(day("2026-10-01"), start, None));
        assert!(!giving_locked(day("2026-09-30"), start, Some((10, 1))));
        assert!(giving_locked(day("2026-10-01"), start, Some((10, 1))));
        assert!(giving_locked(day("2027-07-31"), start, Some((10, 1))));
        // A new school year opens it again.
        assert!(!giving_locked(day("2027-08-01"), start, Some((10, 1))));
        // A lock day after New Year.
        assert!(!giving_locked(day("2026-12-31"), start, Some((1, 15))));
        assert!(giving_locked(day("2027-01-15"), start, Some((1, 15))));
    }

    #[test]
    fn parents_see_tagged_photos_of_consenting_children_only() {
        let ready = |tagged: &'static [i32], none: bool| PhotoFacts {
            status: PhotoStatus::Ready,
            no_recognisable_children: none,
            tagged,
        };
        let consent = |child: i32| child != 2;
        assert_eq!(
            hidden_from_parents(&ready(&[], false), consent),
            Some(Hidden::Untagged)
        );
        assert_eq!(hidden_from_parents(&ready(&[], true), consent), None);
        assert_eq!(hidden_from_parents(&ready(&[1, 3], false), consent), None);
        assert_eq!(
            hidden_from_parents(&ready(&[1, 2], false), consent),
            Some(Hidden::NoConsent(vec![2]))
        );
        let pending = PhotoFacts {
            status: PhotoStatus::Pending,
            no_recognisable_children: true,
            tagged: &[],
        };
        assert_eq!(
            hidden_from_parents(&pending, consent),
            Some(Hidden::NotReady)
        );
    }
}
