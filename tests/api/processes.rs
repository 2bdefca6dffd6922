//! Real server processes on one database: a crash (SIGKILL) and a stop (SIGTERM) in the
//! middle of sending an urgent notice, two processes sharing the outbox, and two schedulers
//! seeing the same ticks.

use std::{
    collections::{HashMap, HashSet},
    time::Duration,
};

use schoolgate::{
    entities::outbox::{Channel, DeliveryStatus},
    entities::{outbox, push_subscriptions},
    features::posts::deliveries_of,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{Backend, Session, TestApp, spawn_app_with};

crate::on_both_databases!(
    a_server_killed_mid_delivery_is_replaced_by_its_restart_at_once_and_sends_the_rest_once,
    a_server_stopped_mid_send_exits_within_its_bound_and_the_next_sends_the_rest_at_once,
    two_server_processes_share_the_outbox_and_send_each_message_once,
    two_server_processes_at_the_same_ticks_send_one_digest_per_parent_and_tick,
);

/// At most the sends in flight when a process dies can reach a receiver twice.
const IN_FLIGHT_AT_MOST: usize = schoolgate::platform::outbox::worker::CONCURRENCY;

pub struct Class {
    pub teacher: Session,
    pub group: i64,
    /// E-mail address by user id.
    pub parents: HashMap<i64, String>,
    pub devices: Vec<String>,
}

/// One class with `parents` parents, each subscribed on two devices.
pub async fn class_with_parents(app: &TestApp, parents: usize) -> Class {
    let admin = app.admin().await;
    let teacher = app.active_user(&admin, "teacher", "jan@school.test").await;
    let group = app.create_group(&admin, "Groep 3a").await;
    app.add_teacher(&admin, group, &teacher).await;
    let mut class = Class {
        teacher,
        group,
        parents: HashMap::new(),
        devices: Vec::new(),
    };
    for n in 0..parents {
        let email = format!("parent{n}@example.nl");
        let parent = app.active_user(&admin, "parent", &email).await;
        let child = app.create_child(&admin, &format!("{n}"), group).await;
        app.link_parent(&admin, child, parent.user_id, false).await;
        for device in ["phone", "laptop"] {
            let device = app.push.device(&format!("{device}-{n}"));
            app.subscribe(&parent, &device).await;
            class.devices.push(device.name);
        }
        class.parents.insert(parent.user_id, email);
    }
    class
}

fn urgent(group: i64, title: &str) -> Value {
    json!({ "kind": "urgent", "group_ids": [group], "title": title,
            "body": "Because of the storm warning, school closes at noon today." })
}

/// Waits until every delivery of `post_id` is sent (or 60 s passed).
async fn wait_until_sent(app: &TestApp, post_id: i64, expected: usize) -> Vec<outbox::Model> {
    for _ in 0..3000 {
        let rows = deliveries_of(&app.state.db, post_id as i32).await.unwrap();
        if rows.len() == expected && rows.iter().all(|row| row.status == DeliveryStatus::Sent) {
            return rows;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the deliveries of post {post_id} were not all sent within 60 s");
}

/// Device name of each subscription id (the push outbox rows name the subscription).
async fn device_of_subscription(app: &TestApp) -> HashMap<i64, String> {
    push_subscriptions::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|subscription| {
            let device = subscription
                .endpoint
                .rsplit('/')
                .next()
                .unwrap()
                .to_string();
            (i64::from(subscription.id), device)
        })
        .collect()
}

/// A long lease, so only taking claims back (not waiting for them to run out) is fast.
const LONG_LEASE: (&str, &str) = ("SCHOOLGATE_DELIVERY__LEASE_SECONDS", "60");

async fn a_server_killed_mid_delivery_is_replaced_by_its_restart_at_once_and_sends_the_rest_once(
    backend: Backend,
) {
    // The test process itself does not deliver: the server processes do.
    let app = spawn_app_with(backend, |settings| settings.delivery.run_worker = false).await;
    let class = class_with_parents(&app, 40).await;
    let subscriptions = device_of_subscription(&app).await;
    // A busy push service: each push takes 100 ms, so the kill lands mid-delivery.
    app.push.set_processing_time(Duration::from_millis(100));
    let settings = [
        LONG_LEASE,
        ("SCHOOLGATE_DELIVERY__WORKER_NAME", "school-server-1"),
    ];
    let server = app.start_process(&settings).await;

    let post = app
        .post(
            &class.teacher,
            urgent(class.group, "School closes at 12:00"),
        )
        .await;
    let post_id = post["id"].as_i64().unwrap();
    app.push.wait_for(10).await;
    server.kill();

    let received_before = app.push.received().len();
    let total = class.devices.len();
    assert!(received_before < total, "the kill came mid-delivery");
    let rows = deliveries_of(&app.state.db, post_id as i32).await.unwrap();
    assert_eq!(
        rows.len(),
        1 + total + class.parents.len(),
        "fan-out was done"
    );
    let sent_before: HashSet<String> = rows
        .iter()
        .filter(|row| row.status == DeliveryStatus::Sent)
        .map(|row| row.dedupe_key.clone())
        .collect();

    // Restarted under the same name: it takes back what its dead predecessor had claimed
    // at once, instead of waiting a minute for the lease.
    let restarted_at = std::time::Instant::now();
    let _restarted = app.start_process(&settings).await;
    let rows = wait_until_sent(&app, post_id, 1 + total + class.parents.len()).await;
    let recovery = restarted_at.elapsed();
    assert!(
        recovery < Duration::from_secs(30),
        "everything sent {recovery:?} after the restart"
    );

    let mut repeated = 0;
    for row in rows.iter().filter(|row| row.channel == Channel::Push) {
        let device = &subscriptions[&row.payload["subscription_id"].as_i64().unwrap()];
        let got = app.push.received_by(device).len();
        assert!(got >= 1, "{device} got the notice");
        if sent_before.contains(&row.dedupe_key) {
            assert_eq!(
                got, 1,
                "{device}: recorded as sent before the crash, not sent again"
            );
        }
        repeated += got - 1;
    }
    for row in rows.iter().filter(|row| row.channel == Channel::Email) {
        let parent = &class.parents[&i64::from(row.user_id.unwrap())];
        let got = app.smtp.mails_to(parent).len();
        assert!(got >= 1, "{parent} got the e-mail");
        if sent_before.contains(&row.dedupe_key) {
            assert_eq!(got, 1, "{parent}: sent before the crash, not sent again");
        }
        repeated += got - 1;
    }
    eprintln!(
        "killed after {received_before} of {total} pushes ({} deliveries recorded as sent); \
         repeated after restart: {repeated}; all sent {recovery:?} after the restart",
        sent_before.len()
    );
    assert!(
        repeated <= IN_FLIGHT_AT_MOST,
        "only deliveries in flight at the crash may repeat, got {repeated}"
    );
}

async fn a_server_stopped_mid_send_exits_within_its_bound_and_the_next_sends_the_rest_at_once(
    backend: Backend,
) {
    let app = spawn_app_with(backend, |settings| settings.delivery.run_worker = false).await;
    let class = class_with_parents(&app, 40).await;
    // Each push takes 3 s, longer than the 2 s the stop allows: at SIGTERM, sends are under
    // way that cannot finish in time, and most are not started.
    app.push.set_processing_time(Duration::from_secs(3));
    let server = app
        .start_process(&[
            LONG_LEASE,
            ("SCHOOLGATE_DELIVERY__SHUTDOWN_SECONDS", "2"),
            ("SCHOOLGATE_DELIVERY__WORKER_NAME", "school-server-1"),
        ])
        .await;
    let post = app
        .post(
            &class.teacher,
            urgent(class.group, "School closes at 12:00"),
        )
        .await;
    let post_id = post["id"].as_i64().unwrap();
    app.push.wait_for(5).await;

    let exit = server.terminate();
    assert!(
        exit < Duration::from_secs(4),
        "exited {exit:?} after SIGTERM (bound: 2 s)"
    );
    let rows = deliveries_of(&app.state.db, post_id as i32).await.unwrap();
    let unsent: Vec<_> = rows
        .iter()
        .filter(|row| row.status == DeliveryStatus::Pending)
        .collect();
    assert!(!unsent.is_empty(), "the stop came mid-send");
    assert!(
        unsent.iter().all(|row| row.locked_until.is_none()),
        "unsent deliveries were handed back"
    );

    // Another process sends the rest at once, not after the minute-long lease.
    let started = std::time::Instant::now();
    let _next = app
        .start_process(&[
            LONG_LEASE,
            ("SCHOOLGATE_DELIVERY__WORKER_NAME", "school-server-2"),
        ])
        .await;
    wait_until_sent(&app, post_id, 1 + class.devices.len() + class.parents.len()).await;
    let rest = started.elapsed();
    assert!(rest < Duration::from_secs(30), "the rest took {rest:?}");
    for device in &class.devices {
        assert!(!app.push.received_by(device).is_empty(), "{device} got it");
    }
    eprintln!(
        "SIGTERM: exited after {exit:?} with {} deliveries unsent; the next process sent them in {rest:?}",
        unsent.len()
    );
}

async fn two_server_processes_share_the_outbox_and_send_each_message_once(backend: Backend) {
    let app = spawn_app_with(backend, |settings| settings.delivery.run_worker = false).await;
    let class = class_with_parents(&app, 30).await;
    app.push.set_processing_time(Duration::from_millis(10));
    let _first = app.start_process(&[]).await;
    let _second = app.start_process(&[]).await;

    let mut posts = Vec::new();
    for title in [
        "Storm: school closes at 12:00",
        "Water pipe burst",
        "Bus is late",
    ] {
        let post = app.post(&class.teacher, urgent(class.group, title)).await;
        posts.push(post["id"].as_i64().unwrap());
    }
    for &post_id in &posts {
        wait_until_sent(&app, post_id, 1 + class.devices.len() + class.parents.len()).await;
    }
    for device in &class.devices {
        let mut got: Vec<i64> = app
            .push
            .received_by(device)
            .iter()
            .map(|push| push.notice["post_id"].as_i64().unwrap())
            .collect();
        got.sort();
        assert_eq!(got, posts, "{device} got each notice once");
    }
    for parent in class.parents.values() {
        assert_eq!(
            app.smtp.mails_to(parent).len(),
            3,
            "{parent}: one e-mail per notice"
        );
    }
    let rows = outbox::Entity::find()
        .filter(outbox::Column::Status.ne(DeliveryStatus::Sent))
        .all(&app.state.db)
        .await
        .unwrap();
    assert!(rows.is_empty(), "nothing left over or failed: {rows:?}");
}

/// The texts of the digest mails to `address`.
fn digests_to(app: &TestApp, address: &str) -> Vec<String> {
    app.smtp
        .scheduled_mails_to(address)
        .iter()
        .map(|mail| mail.text())
        .collect()
}

async fn wait_for_digests(app: &TestApp, addresses: &[&String], count: usize) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while addresses
        .iter()
        .any(|address| digests_to(app, address).len() < count)
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "not every parent got {count} digest(s) within 60 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn two_server_processes_at_the_same_ticks_send_one_digest_per_parent_and_tick(
    backend: Backend,
) {
    use schoolgate::platform::jobs::runs as scheduled_runs;

    let app = spawn_app_with(backend, |settings| settings.delivery.run_worker = false).await;
    let class = class_with_parents(&app, 12).await;
    // Both processes run the digest every two seconds of real time and look every second.
    let every_two_seconds = [
        ("SCHOOLGATE_SCHEDULE__RUN_SCHEDULER", "true"),
        ("SCHOOLGATE_SCHEDULE__DIGEST", "*/2 * * * * *"),
        ("SCHOOLGATE_SCHEDULE__CHECK_SECONDS", "1"),
        ("SCHOOLGATE_SCHEDULE__CATCH_UP_HOURS", "1"),
    ];
    let _first = app.start_process(&every_two_seconds).await;
    let _second = app.start_process(&every_two_seconds).await;
    let addresses: Vec<&String> = class.parents.values().collect();

    for (round, title) in ["Zoo trip", "Swimming lessons"].into_iter().enumerate() {
        let body = json!({ "kind": "message", "group_ids": [class.group], "title": title, "body": "See the app." });
        app.post(&class.teacher, body).await;
        wait_for_digests(&app, &addresses, round + 1).await;
    }
    // Three more ticks are run with nothing new.
    let runs_so_far = scheduled_runs::list(&app.state.db, 10_000)
        .await
        .unwrap()
        .len();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while scheduled_runs::list(&app.state.db, 10_000)
        .await
        .unwrap()
        .len()
        < runs_so_far + 3
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no further ticks were run"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    for address in &addresses {
        let digests = digests_to(&app, address);
        assert_eq!(digests.len(), 2, "{address}: one digest per message's tick");
        assert!(digests[0].contains("Zoo trip") && !digests[0].contains("Swimming"));
        assert!(digests[1].contains("Swimming lessons") && !digests[1].contains("Zoo trip"));
    }
    let runs = scheduled_runs::list(&app.state.db, 10_000).await.unwrap();
    let with_mail: Vec<i32> = runs
        .iter()
        .filter(|run| run.recipients > 0)
        .map(|run| run.recipients)
        .collect();
    assert_eq!(
        with_mail,
        [class.parents.len() as i32; 2],
        "two runs mailed, each to every parent"
    );
}
