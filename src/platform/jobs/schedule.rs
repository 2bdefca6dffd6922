//! When a job runs: a cron expression read in the school's time zone, so "Wednesday 17:30"
//! stays 17:30 local time across DST changes.

use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use crate::app::config::CronSchedule;

/// A job's schedule: a cron expression (seconds first, as the `cron` crate reads it) in a
/// time zone.
#[derive(Clone, Debug)]
pub struct JobSchedule {
    schedule: cron::Schedule,
    zone: Tz,
}

impl From<CronSchedule> for JobSchedule {
    fn from(cron: CronSchedule) -> Self {
        Self {
            schedule: cron.schedule,
            zone: cron.zone,
        }
    }
}

impl JobSchedule {
    pub fn parse(expression: &str, zone: Tz) -> Result<Self, cron::error::Error> {
        Ok(Self {
            schedule: cron::Schedule::from_str(expression)?,
            zone,
        })
    }

    /// The first run strictly after `after`.
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.schedule
            .after(&after.with_timezone(&self.zone))
            .next()
            .map(|at| at.with_timezone(&Utc))
    }

    /// The latest run that is due at `now` and not older than `catch_up`: after downtime
    /// over several ticks only this one is made up for, once.
    pub fn latest_due(&self, now: DateTime<Utc>, catch_up: Duration) -> Option<DateTime<Utc>> {
        let mut latest = None;
        let mut cursor = now - catch_up;
        while let Some(at) = self.next_after(cursor).filter(|at| *at <= now) {
            latest = Some(at);
            cursor = at;
        }
        latest
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn digest() -> JobSchedule {
        JobSchedule::parse("0 30 17 * * Wed", chrono_tz::Europe::Amsterdam).unwrap()
    }

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    #[test]
    fn wednesday_half_past_five_stays_local_across_the_march_change() {
        // Clocks go forward on Sunday 29 March 2026.
        let before = digest().next_after(utc(2026, 3, 23, 0, 0)).unwrap();
        let after = digest().next_after(before).unwrap();
        assert_eq!(before, utc(2026, 3, 25, 16, 30), "CET: UTC+1");
        assert_eq!(after, utc(2026, 4, 1, 15, 30), "CEST: UTC+2");
    }

    #[test]
    fn wednesday_half_past_five_stays_local_across_the_october_change() {
        // Clocks go back on Sunday 25 October 2026.
        let before = digest().next_after(utc(2026, 10, 19, 0, 0)).unwrap();
        let after = digest().next_after(before).unwrap();
        assert_eq!(before, utc(2026, 10, 21, 15, 30), "CEST: UTC+2");
        assert_eq!(after, utc(2026, 10, 28, 16, 30), "CET: UTC+1");
    }

    #[test]
    fn after_downtime_only_the_latest_missed_run_is_due() {
        // Down from Tuesday 3 November until Thursday 19 November, 09:00: two Wednesdays missed.
        let now = utc(2026, 11, 19, 8, 0);
        assert_eq!(
            digest().latest_due(now, Duration::days(30)),
            Some(utc(2026, 11, 18, 16, 30))
        );
        assert_eq!(
            digest().latest_due(now, Duration::hours(12)),
            None,
            "outside the catch-up window nothing is made up for"
        );
    }

    #[test]
    fn a_run_is_due_from_its_own_minute() {
        let tick = utc(2026, 11, 25, 16, 30);
        assert_eq!(digest().latest_due(tick, Duration::hours(1)), Some(tick));
        assert_eq!(
            digest().latest_due(tick - Duration::seconds(1), Duration::hours(1)),
            None
        );
    }
}
