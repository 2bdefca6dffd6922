//! Scheduled jobs run once per tick, however many processes see the tick.

use chrono::{Duration, TimeZone, Utc};
use reqwest::Method;
use schoolgate::{digest, domain::posts::PostKind, store::scheduled_runs};
use serde_json::json;

use crate::helpers::{Backend, send, spawn_app};

crate::on_both_databases!(
    a_tick_is_run_by_one_process_and_taken_over_only_after_its_lease,
    processes_racing_for_one_tick_get_one_run,
    a_digest_lists_what_reaches_each_parent_once_with_unread_marked,
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

async fn a_digest_lists_what_reaches_each_parent_once_with_unread_marked(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    let anna = app.active_user(&admin, "parent", "anna@example.nl").await;
    let carl = app.active_user(&admin, "parent", "carl@example.nl").await;
    let class_3a = app.create_group(&admin, "Groep 3a").await;
    let class_5b = app.create_group(&admin, "Groep 5b").await;
    // Anna has twins in 3a; Carl a child in 5b.
    for (external_id, group, parent) in [
        ("1", class_3a, &anna),
        ("2", class_3a, &anna),
        ("3", class_5b, &carl),
    ] {
        let child = app.create_child(&admin, external_id, group).await;
        app.link_parent(&admin, child, parent.user_id, false).await;
    }
    let message = |audience: serde_json::Value, title: &str| {
        let mut body = json!({ "kind": "message", "title": title, "body": "Details inside." });
        body.as_object_mut()
            .unwrap()
            .extend(audience.as_object().unwrap().clone());
        body
    };
    let trip = app
        .post(
            &admin,
            message(json!({ "group_ids": [class_3a] }), "Zoo trip"),
        )
        .await;
    app.post(&admin, message(json!({ "to_school": true }), "Holidays"))
        .await;
    app.post(
        &admin,
        message(json!({ "group_ids": [class_5b] }), "Swimming"),
    )
    .await;
    app.post(
        &admin,
        json!({ "kind": "urgent", "group_ids": [class_3a], "title": "Closed", "body": "Storm." }),
    )
    .await;
    let (status, _) =
        send(app.authed(Method::GET, &format!("/api/posts/{}", trip["id"]), &anna)).await;
    assert!(status.is_success(), "Anna opens the zoo trip");

    let now = app.clock.now();
    let digests = digest::contents(&app.state.db, PostKind::Message, None, now)
        .await
        .unwrap();
    let titles = |user_id: i64| -> Vec<(String, bool)> {
        digests[&(user_id as i32)]
            .items
            .iter()
            .map(|item| (item.post.title.clone(), item.read))
            .collect()
    };
    assert_eq!(
        titles(anna.user_id),
        [
            ("Zoo trip".to_string(), true),
            ("Holidays".to_string(), false)
        ],
        "once per parent, not per child; read marked; no urgent notice, nothing of 5b"
    );
    assert_eq!(
        titles(carl.user_id),
        [
            ("Holidays".to_string(), false),
            ("Swimming".to_string(), false)
        ]
    );
    assert_eq!(
        digests.len(),
        2,
        "only parents, only those with something new"
    );

    let since_swimming = digest::contents(
        &app.state.db,
        PostKind::Message,
        Some(now),
        now + Duration::hours(1),
    )
    .await
    .unwrap();
    assert!(
        since_swimming.is_empty(),
        "the next period starts empty: {since_swimming:?}"
    );
}
