//! The pure rules of conference rounds: the slots a day's window makes, which slots a
//! booking needs (one, or two adjacent for a double slot), where a family's talks overlap or
//! come too close, and whether parents may still book.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// The longest slot, and the most slots a round may have.
pub const MAX_SLOT_MINUTES: u32 = 120;
pub const MAX_SLOTS: usize = 600;
pub const MAX_DAYS: usize = 10;

/// A time window on one day in which talks are held, with breaks inside it.
#[derive(Clone, Debug)]
pub struct DayWindow {
    pub date: NaiveDate,
    pub from: NaiveTime,
    pub to: NaiveTime,
    pub breaks: Vec<(NaiveTime, NaiveTime)>,
}

/// Why a round's windows make no slots as asked.
#[derive(Debug, PartialEq, Eq)]
pub enum WindowError {
    NoDays,
    TooManyDays,
    /// Window `index` ends before it starts, or a break lies outside it.
    BadWindow(usize),
    /// Window `index` overlaps an earlier one.
    Overlapping(usize),
    SlotLength,
    TooManySlots,
    NoSlots,
}

/// A slot's times.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlotTimes {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// The slots of all windows, in order: each window is cut into slots of `minutes`, breaks
/// left out (a slot that would run into a break or past the window's end is not made).
/// Local times are read in `zone`; a time skipped by a clock change moves to the first
/// moment after it.
pub fn slots(zone: Tz, windows: &[DayWindow], minutes: u32) -> Result<Vec<SlotTimes>, WindowError> {
    if windows.is_empty() {
        return Err(WindowError::NoDays);
    }
    if windows.len() > MAX_DAYS * 3 {
        return Err(WindowError::TooManyDays);
    }
    if minutes == 0 || minutes > MAX_SLOT_MINUTES {
        return Err(WindowError::SlotLength);
    }
    let length = Duration::minutes(i64::from(minutes));
    let mut made: Vec<SlotTimes> = Vec::new();
    for (index, window) in windows.iter().enumerate() {
        if window.to <= window.from
            || window
                .breaks
                .iter()
                .any(|(from, to)| to <= from || *from < window.from || *to > window.to)
        {
            return Err(WindowError::BadWindow(index));
        }
        let overlaps = windows[..index].iter().any(|earlier| {
            earlier.date == window.date && earlier.from < window.to && window.from < earlier.to
        });
        if overlaps {
            return Err(WindowError::Overlapping(index));
        }
        let mut start = window.from;
        while let Some(end) = add_within_day(start, length).filter(|end| *end <= window.to) {
            if let Some((_, break_end)) = window
                .breaks
                .iter()
                .find(|(from, to)| start < *to && *from < end)
            {
                start = *break_end;
                continue;
            }
            made.push(SlotTimes {
                starts_at: local(zone, window.date, start),
                ends_at: local(zone, window.date, end),
            });
            if made.len() > MAX_SLOTS {
                return Err(WindowError::TooManySlots);
            }
            start = end;
        }
    }
    if made.is_empty() {
        return Err(WindowError::NoSlots);
    }
    made.sort_by_key(|slot| slot.starts_at);
    Ok(made)
}

fn add_within_day(time: NaiveTime, length: Duration) -> Option<NaiveTime> {
    let (end, wrapped) = time.overflowing_add_signed(length);
    (wrapped == 0 && end > time).then_some(end)
}

/// `date` at `time` in `zone`, in UTC.
pub fn local(zone: Tz, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let naive = date.and_time(time);
    zone.from_local_datetime(&naive)
        .earliest()
        .or_else(|| {
            // Skipped by a clock change: an hour later exists.
            zone.from_local_datetime(&(naive + Duration::hours(1)))
                .earliest()
        })
        .map(|moment| moment.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&naive))
}

/// A slot as the booking rules see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlotState {
    pub id: i32,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Taken by a booking other than the one being made, or blocked.
    pub taken: bool,
}

/// The slots a booking starting at `start` takes: that slot alone, or with `double` that
/// slot and the one that starts when it ends. None when the start does not exist or a slot
/// it needs is taken.
pub fn slots_for(slots: &[SlotState], start: i32, double: bool) -> Option<Vec<SlotState>> {
    let first = slots.iter().find(|slot| slot.id == start)?;
    let mut needed = vec![*first];
    if double {
        let second = slots.iter().find(|slot| slot.starts_at == first.ends_at)?;
        needed.push(*second);
    }
    (!needed.iter().any(|slot| slot.taken)).then_some(needed)
}

/// The slots a booking may start at: free, and for a double slot followed at once by a free
/// one.
pub fn free_starts(slots: &[SlotState], double: bool) -> Vec<SlotState> {
    slots
        .iter()
        .filter(|slot| slots_for(slots, slot.id, double).is_some())
        .copied()
        .collect()
}

/// A family's talk (another child's, or another round's).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FamilyTalk {
    pub child_id: i32,
    pub round_id: i32,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// How a new talk fits the family's others.
#[derive(Debug, PartialEq, Eq)]
pub enum Fit<'a> {
    Fine,
    /// Less than the gap apart from these talks (a warning, not a refusal).
    Close(Vec<&'a FamilyTalk>),
    /// At the same time as this talk: refused.
    Overlaps(&'a FamilyTalk),
}

/// Whether a talk from `starts_at` to `ends_at` fits the family's `others`, which must be
/// at least `gap` apart from it.
pub fn fit(
    others: &[FamilyTalk],
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    gap: Duration,
) -> Fit<'_> {
    if let Some(overlapping) = others
        .iter()
        .find(|talk| talk.starts_at < ends_at && starts_at < talk.ends_at)
    {
        return Fit::Overlaps(overlapping);
    }
    let close: Vec<&FamilyTalk> = others
        .iter()
        .filter(|talk| talk.starts_at < ends_at + gap && starts_at < talk.ends_at + gap)
        .collect();
    if close.is_empty() {
        Fit::Fine
    } else {
        Fit::Close(close)
    }
}

/// Where a round stands for parents at `now`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Not opened yet: parents do not see it.
    NotOpen,
    /// Parents book, cancel and move.
    Open,
    /// The deadline passed: bookings stand; only the teacher changes them.
    PastDeadline,
    /// The teacher closed the planning: bookings are final.
    Closed,
}

pub fn phase(
    opens_at: DateTime<Utc>,
    deadline_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Phase {
    if closed_at.is_some() {
        Phase::Closed
    } else if now < opens_at {
        Phase::NotOpen
    } else if deadline_at.is_some_and(|deadline| now >= deadline) {
        Phase::PastDeadline
    } else {
        Phase::Open
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time(text: &str) -> NaiveTime {
        NaiveTime::parse_from_str(text, "%H:%M").unwrap()
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn window(date: &str, from: &str, to: &str, breaks: &[(&str, &str)]) -> DayWindow {
        DayWindow {
            date: day(date),
            from: time(from),
            to: time(to),
            breaks: breaks.iter().map(|(a, b)| (time(a), time(b))).collect(),
        }
    }

    #[test]
    fn a_window_is_cut_into_slots_around_its_breaks() {
        let zone: Tz = "Europe/Amsterdam".parse().unwrap();
        let made = slots(
            zone,
            &[window(
                "2026-03-10",
                "15:00",
                "16:25",
                &[("15:30", "15:45")],
            )],
            10,
        )
        .unwrap();
        let local: Vec<String> = made
            .iter()
            .map(|slot| {
                slot.starts_at
                    .with_timezone(&zone)
                    .format("%H:%M")
                    .to_string()
            })
            .collect();
        // 16:25 leaves no room for a slot from 16:25; 15:20-15:30 ends where the break starts.
        assert_eq!(
            local,
            [
                "15:00", "15:10", "15:20", "15:45", "15:55", "16:05", "16:15"
            ]
        );
        assert_eq!(made[0].ends_at - made[0].starts_at, Duration::minutes(10));
    }

    #[test]
    fn local_times_follow_the_clock_change() {
        let zone: Tz = "Europe/Amsterdam".parse().unwrap();
        let winter = slots(zone, &[window("2026-03-27", "15:00", "15:10", &[])], 10).unwrap();
        let summer = slots(zone, &[window("2026-03-30", "15:00", "15:10", &[])], 10).unwrap();
        assert_eq!(winter[0].starts_at.format("%H:%M").to_string(), "14:00");
        assert_eq!(summer[0].starts_at.format("%H:%M").to_string(), "13:00");
    }

    #[test]
    fn impossible_windows_are_refused() {
        let zone: Tz = "Europe/Amsterdam".parse().unwrap();
        assert_eq!(slots(zone, &[], 10), Err(WindowError::NoDays));
        assert_eq!(
            slots(zone, &[window("2026-03-10", "16:00", "15:00", &[])], 10),
            Err(WindowError::BadWindow(0))
        );
        assert_eq!(
            slots(
                zone,
                &[window(
                    "2026-03-10",
                    "15:00",
                    "16:00",
                    &[("14:00", "15:10")]
                )],
                10
            ),
            Err(WindowError::BadWindow(0))
        );
        assert_eq!(
            slots(
                zone,
                &[
                    window("2026-03-10", "15:00", "16:00", &[]),
                    window("2026-03-10", "15:30", "17:00", &[])
                ],
                10
            ),
            Err(WindowError::Overlapping(1))
        );
        assert_eq!(
            slots(zone, &[window("2026-03-10", "15:00", "15:05", &[])], 10),
            Err(WindowError::NoSlots)
        );
        assert_eq!(
            slots(zone, &[window("2026-03-10", "15:00", "16:00", &[])], 0),
            Err(WindowError::SlotLength)
        );
    }

    fn slot(id: i32, minute: i64, taken: bool) -> SlotState {
        let base = Utc.with_ymd_and_hms(2026, 3, 10, 14, 0, 0).unwrap();
        SlotState {
            id,
            starts_at: base + Duration::minutes(minute),
            ends_at: base + Duration::minutes(minute + 10),
            taken,
        }
    }

    #[test]
    fn a_double_slot_needs_the_adjacent_slot_free() {
        // 14:00, 14:10 (taken), 14:20, then a break, 15:00.
        let slots = [
            slot(1, 0, false),
            slot(2, 10, true),
            slot(3, 20, false),
            slot(4, 60, false),
        ];
        assert_eq!(slots_for(&slots, 1, true), None);
        assert_eq!(slots_for(&slots, 3, true), None, "the break is not a slot");
        assert_eq!(slots_for(&slots, 3, false).unwrap().len(), 1);
        assert_eq!(slots_for(&slots, 2, false), None);
        assert_eq!(slots_for(&slots, 9, false), None);
        let ids = |free: Vec<SlotState>| free.iter().map(|s| s.id).collect::<Vec<_>>();
        assert_eq!(ids(free_starts(&slots, false)), [1, 3, 4]);
        assert!(free_starts(&slots, true).is_empty());
        let more = [slot(1, 0, false), slot(2, 10, false), slot(3, 20, false)];
        assert_eq!(ids(free_starts(&more, true)), [1, 2]);
    }

    #[test]
    fn a_family_s_talks_may_not_overlap_and_are_warned_when_close() {
        let at = |minute: i64| {
            Utc.with_ymd_and_hms(2026, 3, 10, 14, 0, 0).unwrap() + Duration::minutes(minute)
        };
        let others = [FamilyTalk {
            child_id: 2,
            round_id: 7,
            starts_at: at(20),
            ends_at: at(30),
        }];
        let gap = Duration::minutes(15);
        assert_eq!(fit(&others, at(25), at(35), gap), Fit::Overlaps(&others[0]));
        assert_eq!(
            fit(&others, at(10), at(20), gap),
            Fit::Close(vec![&others[0]])
        );
        assert_eq!(
            fit(&others, at(40), at(50), gap),
            Fit::Close(vec![&others[0]])
        );
        assert_eq!(fit(&others, at(45), at(55), gap), Fit::Fine);
        assert_eq!(fit(&others, at(-5), at(5), gap), Fit::Fine);
    }

    #[test]
    fn parents_book_between_opening_and_deadline_until_closed() {
        let at = |hour: u32| Utc.with_ymd_and_hms(2026, 3, 1, hour, 0, 0).unwrap();
        assert_eq!(phase(at(10), Some(at(20)), None, at(9)), Phase::NotOpen);
        assert_eq!(phase(at(10), Some(at(20)), None, at(10)), Phase::Open);
        assert_eq!(phase(at(10), None, None, at(23)), Phase::Open);
        assert_eq!(
            phase(at(10), Some(at(20)), None, at(20)),
            Phase::PastDeadline
        );
        assert_eq!(phase(at(10), None, Some(at(12)), at(11)), Phase::Closed);
    }
}
