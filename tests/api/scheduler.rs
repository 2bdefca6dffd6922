//! Scheduled jobs run once per tick, however many processes see the tick.

use chrono::{Duration, TimeZone, Utc};
use schoolgate::store::scheduled_runs;

use crate::helpers::{Backend, spawn_app};

crate::on_both_databases!(
    a_tick_is_run_by_one_process_and_taken_over_only_after_its_lease,
    processes_racing_for_one_tick_get_one_run,
);

async fn a_tick_is_run_by_one_process_and_taken_over_only_after_its_lease(backend: Backend) {
    let app = spawn_app(backend).await;
    let db = &app.state.db;
    let tick = Utc.with_ymd_and_hms(2026, 11, 25, 16, 30, 0).unwrap();
    let now = tick + Duration::seconds(5);
    let lease = Duration::minutes(5);

    let run = scheduled_runs::take(db, "digest", tick, "schedule", now, lease)
        .await
        .unwrap()
        .expect("the first process takes the run");
    assert!(
        scheduled_runs::take(db, "digest", tick, "schedule", now, lease)
            .await
            .unwrap()
            .is_none(),
        "a second process does not run the same tick"
    );
    assert!(
        scheduled_runs::take(db, "news_batch", tick, "schedule", now, lease)
            .await
            .unwrap()
            .is_some(),
        "another job at the same time is its own run"
    );

    // The first process dies: once the lease ran out, another one resumes the same run.
    let later = now + lease + Duration::seconds(1);
    let resumed = scheduled_runs::take(db, "digest", tick, "catch_up", later, lease)
        .await
        .unwrap()
        .expect("an abandoned run is taken over");
    assert_eq!(resumed.id, run.id);

    scheduled_runs::finish(db, run.id, 42, later).await.unwrap();
    let much_later = later + Duration::hours(1);
    assert!(
        scheduled_runs::take(db, "digest", tick, "catch_up", much_later, lease)
            .await
            .unwrap()
            .is_none(),
        "a finished run is never run again"
    );
    let runs = scheduled_runs::list(db, 10).await.unwrap();
    let digest = runs.iter().find(|run| run.job == "digest").unwrap();
    assert_eq!((digest.status.as_str(), digest.recipients), ("done", 42));
}

async fn processes_racing_for_one_tick_get_one_run(backend: Backend) {
    let app = spawn_app(backend).await;
    let tick = Utc.with_ymd_and_hms(2026, 11, 25, 16, 30, 0).unwrap();
    let racers = (0..8).map(|_| {
        let db = app.state.db.clone();
        tokio::spawn(async move {
            scheduled_runs::take(&db, "digest", tick, "schedule", tick, Duration::minutes(5))
                .await
                .unwrap()
        })
    });
    let mut winners = 0;
    for racer in racers.collect::<Vec<_>>() {
        winners += usize::from(racer.await.unwrap().is_some());
    }
    assert_eq!(winners, 1);
}
