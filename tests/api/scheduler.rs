//! Scheduled jobs run once per tick, however many processes see the tick.

use chrono::{Duration, TimeZone, Utc};
use reqwest::Method;
use schoolgate::{
    entities::{
        posts::PostKind,
        scheduled_runs::{RunStatus, Trigger},
    },
    features::digest::{self, store as posts},
    platform::jobs::runs as scheduled_runs,
};
use serde_json::json;

use crate::helpers::{Backend, send, spawn_app};

crate::on_both_databases!(
    a_tick_is_run_by_one_process_and_taken_over_only_after_its_lease,
    processes_racing_for_one_tick_get_one_run,
    a_digest_lists_what_reaches_each_parent_once_with_unread_marked,
    each_tick_queues_one_digest_per_parent_once_and_downtime_catches_up_once,
);

async fn a_tick_is_run_by_one_process_and_taken_over_only_after_its_lease(backend: Backend) {
    let app = spawn_app(backend).await;
    let db = &app.state.db;
    let tick = Utc.with_ymd_and_hms(2026, 11, 25, 16, 30, 0).unwrap();
    let now = tick + Duration::seconds(5);
    let lease = Duration::minutes(5);

    let run = scheduled_runs::take(db, "digest", tick, Trigger::Schedule, now, lease)
        .await
        .unwrap()
        .expect("the first process takes the run");
    assert!(
        scheduled_runs::take(db, "digest", tick, Trigger::Schedule, now, lease)
            .await
            .unwrap()
            .is_none(),
        "a second process does not run the same tick"
    );
    assert!(
        scheduled_runs::take(
            db,
            "digest",
            tick + Duration::days(7),
            Trigger::Admin,
            now,
            lease
        )
        .await
        .unwrap()
        .is_none(),
        "no second run of the job while one is unfinished"
    );
    assert!(
        scheduled_runs::take(db, "news_batch", tick, Trigger::Schedule, now, lease)
            .await
            .unwrap()
            .is_some(),
        "another job at the same time is its own run"
    );

    // The first process dies: once the lease ran out, another one resumes the same run.
    let later = now + lease + Duration::seconds(1);
    let resumed = scheduled_runs::take(db, "digest", tick, Trigger::CatchUp, later, lease)
        .await
        .unwrap()
        .expect("an abandoned run is taken over");
    assert_eq!(resumed.id, run.id);

    scheduled_runs::finish(db, run.id, 42, later).await.unwrap();
    let much_later = later + Duration::hours(1);
    assert!(
        scheduled_runs::take(db, "digest", tick, Trigger::CatchUp, much_later, lease)
            .await
            .unwrap()
            .is_none(),
        "a finished run is never run again"
    );
    let runs = scheduled_runs::list(db, 10).await.unwrap();
    let digest = runs.iter().find(|run| run.job == "digest").unwrap();
    assert_eq!((digest.status, digest.recipients), (RunStatus::Done, 42));
}

async fn processes_racing_for_one_tick_get_one_run(backend: Backend) {
    let app = spawn_app(backend).await;
    let tick = Utc.with_ymd_and_hms(2026, 11, 25, 16, 30, 0).unwrap();
    let racers = (0..8).map(|_| {
        let db = app.state.db.clone();
        tokio::spawn(async move {
            scheduled_runs::take(
                &db,
                "digest",
                tick,
                Trigger::Schedule,
                tick,
                Duration::minutes(5),
            )
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
    let db = &app.state.db;
    let messages = posts::for_run(db, PostKind::Message, None, None, now)
        .await
        .unwrap();
    let message_ids: Vec<i32> = messages.iter().map(|post| post.id).collect();
    let digests = digest::contents(db, messages).await.unwrap();
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

    // Once a run listed them, a later run does not; the same run, resumed, gets them again.
    let run = scheduled_runs::take(db, "digest", now, Trigger::Admin, now, Duration::minutes(5))
        .await
        .unwrap()
        .unwrap();
    posts::mark_included(db, message_ids.clone(), run.id)
        .await
        .unwrap();
    let later = now + Duration::hours(1);
    assert!(
        posts::for_run(db, PostKind::Message, None, None, later)
            .await
            .unwrap()
            .is_empty(),
        "the next run starts empty"
    );
    let resumed: Vec<i32> = posts::for_run(db, PostKind::Message, Some(run.id), None, later)
        .await
        .unwrap()
        .iter()
        .map(|post| post.id)
        .collect();
    assert_eq!(resumed, message_ids);
}

/// Outbox digest rows: (user id, post count).
async fn queued_digests(app: &crate::helpers::TestApp) -> Vec<(i64, usize)> {
    use schoolgate::entities::outbox;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    outbox::Entity::find()
        .filter(outbox::Column::Kind.eq("digest"))
        .order_by_asc(outbox::Column::Id)
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|row| {
            let posts = row.payload["post_ids"].as_array().unwrap().len();
            (i64::from(row.user_id.unwrap()), posts)
        })
        .collect()
}

async fn each_tick_queues_one_digest_per_parent_once_and_downtime_catches_up_once(
    backend: Backend,
) {
    let app =
        crate::helpers::spawn_app_with(backend, |settings| settings.delivery.run_worker = false)
            .await;
    let admin = app.admin().await;
    let anna = app.active_user(&admin, "parent", "anna@example.nl").await;
    let carl = app.active_user(&admin, "parent", "carl@example.nl").await;
    let class_3a = app.create_group(&admin, "Groep 3a").await;
    for (external_id, parent) in [("1", &anna), ("2", &carl)] {
        let child = app.create_child(&admin, external_id, class_3a).await;
        app.link_parent(&admin, child, parent.user_id, false).await;
    }
    let (status, _) = send(
        app.authed(Method::PUT, "/api/me/notifications/messages", &carl)
            .json(&json!({ "enabled": false })),
    )
    .await;
    assert!(status.is_success(), "Carl switches the digest off");
    let message = |title: &str| json!({ "kind": "message", "group_ids": [class_3a], "title": title, "body": "See the app." });
    app.post(&admin, message("Zoo trip")).await;
    app.post(&admin, message("Swimming")).await;

    let digest = app.state.settings.clone();
    let digest = digest::Job::Digest.schedule(&digest).unwrap();
    let tick = digest.next_after(app.clock.now()).unwrap();
    app.clock
        .advance(tick - app.clock.now() + Duration::minutes(1));
    schoolgate::platform::jobs::run_due(&app.state)
        .await
        .unwrap();
    assert_eq!(
        queued_digests(&app).await,
        [(anna.user_id, 2)],
        "one mail for Anna with both messages; Carl switched it off"
    );
    schoolgate::platform::jobs::run_due(&app.state)
        .await
        .unwrap();
    assert_eq!(
        queued_digests(&app).await.len(),
        1,
        "the same tick never runs twice"
    );

    // Down for two Wednesdays: after the restart one digest covers what came since.
    app.post(&admin, message("Christmas market")).await;
    app.clock.advance(Duration::days(14) + Duration::hours(1));
    schoolgate::platform::jobs::run_due(&app.state)
        .await
        .unwrap();
    schoolgate::platform::jobs::run_due(&app.state)
        .await
        .unwrap();
    assert_eq!(
        queued_digests(&app).await,
        [(anna.user_id, 2), (anna.user_id, 1)],
        "one catch-up digest with only the new message"
    );
    let runs = scheduled_runs::list(&app.state.db, 50).await.unwrap();
    let digest_runs: Vec<_> = runs
        .iter()
        .filter(|run| run.job == "digest" && run.recipients > 0)
        .map(|run| run.triggered_by)
        .collect();
    assert_eq!(digest_runs, [Trigger::CatchUp, Trigger::Schedule]);
}
