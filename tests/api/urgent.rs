//! Urgent notices in seconds under push-service and SMTP faults: retries within seconds for
//! urgent deliveries (slower for the rest), throttling that does not use up attempts, and
//! retries that do not queue behind a notice's bulk e-mail.

use std::time::{Duration, Instant};

use chrono::Duration as ChronoDuration;
use schoolgate::{
    entities::outbox::{Channel, DeliveryStatus},
    features::posts::deliveries_of,
};
use serde_json::{Value, json};

use crate::{
    fixtures::school,
    helpers::{Backend, TestApp, spawn_app_with},
    processes::class_with_parents,
};

crate::on_both_databases!(
    an_urgent_push_answered_500_arrives_within_seconds_but_a_message_retries_later,
    throttling_is_waited_out_without_using_up_attempts,
    a_retry_due_during_a_big_send_goes_out_at_its_time,
    a_notice_s_e_mails_share_the_pooled_smtp_connections,
    a_relay_that_hangs_up_after_each_mail_gets_every_mail_at_the_first_try,
);

fn post_of(kind: &str, group: i64, title: &str) -> Value {
    json!({ "kind": kind, "group_ids": [group], "title": title,
            "body": "Because of the storm warning, school closes at noon today." })
}

/// The push delivery of `post_id` once it has been tried `attempts` times (or 10 s passed).
async fn push_row_after(
    app: &TestApp,
    post_id: i64,
    attempts: i32,
) -> schoolgate::entities::outbox::Model {
    for _ in 0..500 {
        let rows = deliveries_of(&app.state.db, post_id as i32).await.unwrap();
        if let Some(row) = rows
            .into_iter()
            .find(|row| row.channel == Channel::Push && row.attempts >= attempts)
        {
            return row;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the push of post {post_id} was not tried {attempts} times within 10 s");
}

async fn an_urgent_push_answered_500_arrives_within_seconds_but_a_message_retries_later(
    backend: Backend,
) {
    let s = school(backend).await;
    let app = &s.app;
    let phone = app.push.device("phone");
    app.subscribe(&s.anna, &phone).await;
    app.push.answer_next("phone", 500, None);
    app.push.answer_next("phone", 503, None);
    let started = Instant::now();
    let post = app
        .post(&s.teacher, post_of("urgent", s.class_3a, "Storm"))
        .await;
    app.push.wait_for(1).await;
    // Retried after about 1.5 s and 3 s (with jitter), not 30 s and 60 s.
    let took = started.elapsed();
    assert!(took < Duration::from_secs(8), "arrived after {took:?}");
    let row = push_row_after(app, post["id"].as_i64().unwrap(), 3).await;
    assert_eq!(row.status, DeliveryStatus::Sent);

    // A message is retried by the ordinary policy: half a minute later.
    app.push.answer_next("phone", 500, None);
    let message = app
        .post(&s.teacher, post_of("message", s.class_3a, "Zoo trip"))
        .await;
    let row = push_row_after(app, message["id"].as_i64().unwrap(), 1).await;
    assert_eq!(row.status, DeliveryStatus::Pending);
    let wait = row.next_attempt_at - app.clock.now();
    assert!(
        wait > ChronoDuration::seconds(20) && wait <= ChronoDuration::seconds(36),
        "{wait}"
    );
}

async fn throttling_is_waited_out_without_using_up_attempts(backend: Backend) {
    let s = school(backend).await;
    let app = &s.app;
    let phone = app.push.device("phone");
    app.subscribe(&s.anna, &phone).await;
    // Throttled twelve times (more than the old limit of eight attempts), then a 500.
    for _ in 0..12 {
        app.push.answer_next("phone", 429, Some("30"));
    }
    app.push.answer_next("phone", 500, None);
    let post = app
        .post(&s.teacher, post_of("urgent", s.class_3a, "Storm"))
        .await;
    let post_id = post["id"].as_i64().unwrap();
    for _ in 0..40 {
        if !app.push.received_by("phone").is_empty() {
            break;
        }
        app.wait_for_outbox().await;
        app.clock.advance(ChronoDuration::seconds(31));
    }
    app.push.wait_for(1).await;
    let answers = app.push.answered();
    assert_eq!(answers.iter().filter(|a| a.1 == 429).count(), 12);
    let row = push_row_after(app, post_id, 1).await;
    assert_eq!(row.status, DeliveryStatus::Sent);
    assert_eq!(
        row.attempts, 2,
        "only the 500 and the delivery count as attempts, not the 429s"
    );

    // Only the time to live ends the tries: throttled past it, the push is given up.
    for _ in 0..8 {
        app.push.answer_next("phone", 429, Some("3600"));
    }
    let late = app
        .post(&s.teacher, post_of("urgent", s.class_3a, "Late"))
        .await;
    let late_id = late["id"].as_i64().unwrap();
    for _ in 0..8 {
        app.wait_for_outbox().await;
        app.clock.advance(ChronoDuration::minutes(61));
    }
    app.wait_for_outbox().await;
    let row = push_row_after(app, late_id, 0).await;
    assert_eq!(row.status, DeliveryStatus::Failed, "given up after 6 hours");
    assert_eq!(app.push.received_by("phone").len(), 1);
}

async fn a_retry_due_during_a_big_send_goes_out_at_its_time(backend: Backend) {
    // One SMTP connection to a slow relay: the notice's 60 e-mails take about 6 s.
    let app = spawn_app_with(backend, |settings| settings.mail.smtp.pool_size = 1).await;
    let class = class_with_parents(&app, 60).await;
    app.smtp.set_processing_time(Duration::from_millis(100));
    let throttled = &class.devices[0];
    app.push.answer_next(throttled, 429, Some("1"));
    app.post(&class.teacher, post_of("urgent", class.group, "Storm"))
        .await;
    let retried = loop {
        if let Some(push) = app.push.received_by(throttled).pop() {
            break push;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let throttled_at = app.push.answered()[0].2;
    let late = (retried.received_at - throttled_at).saturating_sub(Duration::from_secs(1));
    let mails_by_then = app
        .smtp
        .mails()
        .iter()
        .filter(|mail| mail.subject() == "Urgent: Storm" && mail.received_at < retried.received_at)
        .count();
    assert!(
        mails_by_then < 60,
        "the e-mails were still going out ({mails_by_then} sent; the retry was {late:?} late)"
    );
    assert!(
        late < Duration::from_millis(1000),
        "the retry went out {late:?} after it was due"
    );
    eprintln!(
        "retry due 1 s after the 429 went out {late:?} after that; {mails_by_then} of 60 e-mails sent by then"
    );
}

/// The urgent e-mails of `post_id` once all `count` are sent (or 20 s passed).
async fn sent_mail_rows(
    app: &TestApp,
    post_id: i64,
    count: usize,
) -> Vec<schoolgate::entities::outbox::Model> {
    for _ in 0..1000 {
        let rows: Vec<_> = deliveries_of(&app.state.db, post_id as i32)
            .await
            .unwrap()
            .into_iter()
            .filter(|row| row.channel == Channel::Email)
            .collect();
        if rows.len() == count && rows.iter().all(|r| r.status == DeliveryStatus::Sent) {
            return rows;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the {count} e-mails of post {post_id} were not all sent within 20 s");
}

async fn a_notice_s_e_mails_share_the_pooled_smtp_connections(backend: Backend) {
    let app = spawn_app_with(backend, |settings| settings.mail.smtp.pool_size = 4).await;
    let class = class_with_parents(&app, 24).await;
    app.wait_for_outbox().await;
    let (connections_before, _) = app.smtp.connections();
    let post = app
        .post(&class.teacher, post_of("urgent", class.group, "Storm"))
        .await;
    sent_mail_rows(&app, post["id"].as_i64().unwrap(), 24).await;
    for parent in class.parents.values() {
        assert_eq!(app.smtp.mails_to(parent).len(), 1, "{parent}: one e-mail");
    }
    let (connections_after, most_open) = app.smtp.connections();
    assert!(
        most_open <= 4,
        "at most pool_size connections at once, saw {most_open}"
    );
    assert!(
        connections_after - connections_before <= 4,
        "24 e-mails over reused connections, not one each: {} new connections",
        connections_after - connections_before
    );
}

async fn a_relay_that_hangs_up_after_each_mail_gets_every_mail_at_the_first_try(backend: Backend) {
    let app = spawn_app_with(backend, |settings| settings.mail.smtp.pool_size = 4).await;
    let class = class_with_parents(&app, 20).await;
    app.wait_for_outbox().await;
    app.smtp.hang_up_after_each_mail();
    let post = app
        .post(&class.teacher, post_of("urgent", class.group, "Storm"))
        .await;
    let rows = sent_mail_rows(&app, post["id"].as_i64().unwrap(), 20).await;
    for row in &rows {
        assert_eq!(
            row.attempts, 1,
            "a pooled connection the relay had closed is replaced at once, not retried later: {:?}",
            row.last_error
        );
    }
    for parent in class.parents.values() {
        assert_eq!(app.smtp.mails_to(parent).len(), 1, "{parent}: one e-mail");
    }
}
