//! Posting urgent notices and messages: who gets them (push, e-mail, feed), receipts,
//! replies, and durable delivery through the outbox.

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use schoolgate::{
    app::config::FilesBackend,
    entities::outbox::{self, DeliveryStatus},
    features::posts::deliveries_of,
    platform::outbox::worker,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};

use crate::{
    fixtures::{School, populate, school},
    helpers::{Backend, Session, TestApp, s3_bucket, send, spawn_app_upgrading, spawn_app_with},
};

crate::on_both_databases!(
    an_urgent_notice_reaches_every_device_and_parent_of_the_class_and_nobody_else,
    parents_read_confirm_and_reply_and_the_teacher_sees_who_did,
    a_conversation_counts_unread_both_ways_and_an_answer_is_pushed_to_the_parent,
    conversations_are_private_to_the_family_and_the_staff_of_its_class,
    the_feed_pages_through_every_post_once_with_pinned_notices_on_the_first_page,
    an_author_counts_whom_a_post_would_reach_with_the_checks_of_posting,
    an_edited_urgent_notice_is_pushed_again_as_updated_and_a_deleted_post_leaves_every_feed,
    a_scheduled_notice_stays_with_its_author_until_its_time_and_then_goes_out_once,
    the_status_shows_deliveries_and_phones_and_a_reminder_reaches_only_those_who_have_not_confirmed,
    teachers_post_only_to_their_own_groups,
    a_gone_subscription_is_pruned,
    a_429_is_retried_after_retry_after,
    a_5xx_is_retried_with_backoff,
    a_413_is_answered_with_a_shorter_notice,
    a_subscription_to_a_foreign_host_is_refused,
    deliveries_claimed_by_a_crashed_worker_are_sent_exactly_once,
    urgent_emails_cannot_be_switched_off_but_others_can,
    attachments_are_checked_by_content_and_shown_only_to_the_audience,
    attachments_go_to_an_s3_bucket_when_configured_and_stream_back,
    an_attachment_over_the_configured_limit_gets_413_and_leaves_no_file,
    stored_files_nothing_points_at_are_removed_by_the_janitor_a_day_later,
    attachments_kept_in_the_database_are_served_and_moved_into_the_file_store,
    upgrading_moves_attachments_from_the_database_into_the_file_store,
);

fn urgent(group: i64) -> Value {
    json!({ "kind": "urgent", "group_ids": [group], "title": "School closes at 12:00",
            "body": "Because of the storm warning, school closes at noon today.", "ask_confirmation": true })
}

async fn an_urgent_notice_reaches_every_device_and_parent_of_the_class_and_nobody_else(
    backend: Backend,
) {
    let s = school(backend).await;
    let app = &s.app;
    let (anna_phone, anna_tablet, bob_phone, carl_phone) = (
        app.push.device("anna-phone"),
        app.push.device("anna-tablet"),
        app.push.device("bob-phone"),
        app.push.device("carl-phone"),
    );
    app.subscribe(&s.anna, &anna_phone).await;
    app.subscribe(&s.anna, &anna_tablet).await;
    app.subscribe(&s.bob, &bob_phone).await;
    app.subscribe(&s.carl, &carl_phone).await;

    let post = app.post(&s.teacher, urgent(s.class_3a)).await;
    assert_eq!(post["pinned"], true);
    let post_id = post["id"].as_i64().unwrap();

    let pushes = app.push.wait_for(3).await;
    let mut devices: Vec<&str> = pushes.iter().map(|push| push.device.as_str()).collect();
    devices.sort();
    assert_eq!(devices, ["anna-phone", "anna-tablet", "bob-phone"]);
    for push in &pushes {
        assert_eq!(push.notice["post_id"], post_id);
        assert_eq!(push.notice["title"], "School closes at 12:00");
        assert_eq!(push.notice["url"], format!("/posts/{post_id}"));
        assert_eq!(push.urgency.as_deref(), Some("high"));
        assert!(push.ttl > 0 && push.ttl <= 24 * 3600, "{}", push.ttl);
        assert_eq!(
            push.topic.as_deref(),
            Some(format!("post-{post_id}").as_str())
        );
    }
    assert!(app.push.rejected().is_empty(), "{:?}", app.push.rejected());

    let mail = app.smtp.wait_for_mail_to("anna@example.nl").await;
    assert_eq!(mail.subject(), "Urgent: School closes at 12:00");
    assert!(mail.text().contains("closes at noon"));
    app.smtp.wait_for_mail_to("bob@example.nl").await;
    app.wait_for_outbox().await;
    assert!(app.push.received_by("carl-phone").is_empty());
    assert!(app.smtp.mails_to("carl@example.nl").is_empty());
    assert_eq!(
        app.smtp.mails_to("anna@example.nl").len(),
        1,
        "one e-mail per parent"
    );

    // Pinned on top of Anna's feed, above a newer message; invisible to Carl.
    app.post(&s.teacher, json!({ "kind": "message", "group_ids": [s.class_3a], "title": "Trip", "body": "Tomorrow we go to the zoo." })).await;
    let (_, feed) = send(app.authed(Method::GET, "/api/posts", &s.anna)).await;
    assert_eq!(
        (feed[0]["id"].as_i64(), feed[0]["pinned"].as_bool()),
        (Some(post_id), Some(true))
    );
    assert_eq!(feed[1]["title"], "Trip");
    let (_, carl_feed) = send(app.authed(Method::GET, "/api/posts", &s.carl)).await;
    assert!(carl_feed.as_array().unwrap().is_empty());
    let (status, _) =
        send(app.authed(Method::GET, &format!("/api/posts/{post_id}"), &s.carl)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // After the pin ends it is an ordinary post again.
    app.clock.advance(Duration::hours(25));
    let (_, feed) = send(app.authed(Method::GET, "/api/posts", &s.anna)).await;
    assert_eq!(
        (feed[0]["title"].as_str(), feed[1]["pinned"].as_bool()),
        (Some("Trip"), Some(false))
    );

    let (_, deliveries) = send(app.authed(
        Method::GET,
        &format!("/api/posts/{post_id}/deliveries"),
        &s.admin,
    ))
    .await;
    assert_eq!(
        (
            deliveries["sent"].as_u64(),
            deliveries["failed"].as_u64(),
            deliveries["pending"].as_u64()
        ),
        (Some(6), Some(0), Some(0)),
        "{deliveries}"
    );
}

async fn parents_read_confirm_and_reply_and_the_teacher_sees_who_did(backend: Backend) {
    let s = school(backend).await;
    let app = &s.app;
    let post = app
        .post(
            &s.teacher,
            json!({ "kind": "message", "group_ids": [s.class_3a], "title": "Excursion",
        "body": "Can you drive on Friday?", "ask_confirmation": true, "allow_replies": true }),
        )
        .await;
    let id = post["id"].as_i64().unwrap();
    let status_path = format!("/api/posts/{id}/status");

    let (_, status) = send(app.authed(Method::GET, &status_path, &s.teacher)).await;
    assert_eq!(
        status["counts"],
        json!({ "parents": 2, "read": 0, "confirmed": 0, "replied": 0, "not_read": 2, "not_confirmed": 2 })
    );

    let (_, opened) = send(app.authed(Method::GET, &format!("/api/posts/{id}"), &s.anna)).await;
    assert!(opened["read_at"].is_string());
    assert_eq!(
        send(app.authed(Method::POST, &format!("/api/posts/{id}/confirm"), &s.anna))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    let (status, _) = send(
        app.authed(Method::POST, &format!("/api/posts/{id}/replies"), &s.anna)
            .json(&json!({ "body": "Yes, I can drive." })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);

    let (_, status) = send(app.authed(Method::GET, &status_path, &s.teacher)).await;
    assert_eq!(
        status["counts"],
        json!({ "parents": 2, "read": 1, "confirmed": 1, "replied": 1, "not_read": 1, "not_confirmed": 1 })
    );
    let anna_row = status["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["parent_id"] == s.anna.user_id)
        .unwrap();
    assert!(anna_row["confirmed_at"].is_string() && anna_row["replied"] == true);
    let bob_row = status["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["parent_id"] == s.bob.user_id)
        .unwrap();
    assert!(bob_row["read_at"].is_null());

    // The teacher answers Anna; Bob sees neither message of that private thread.
    let (status, _) = send(
        app.authed(
            Method::POST,
            &format!("/api/posts/{id}/replies"),
            &s.teacher,
        )
        .json(&json!({ "body": "Thank you!", "parent_id": s.anna.user_id })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, thread) =
        send(app.authed(Method::GET, &format!("/api/posts/{id}/replies"), &s.anna)).await;
    let thread: Vec<(&str, bool)> = thread
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["body"].as_str().unwrap(),
                r["from_staff"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(thread, [("Yes, I can drive.", false), ("Thank you!", true)]);
    let (_, bobs) =
        send(app.authed(Method::GET, &format!("/api/posts/{id}/replies"), &s.bob)).await;
    assert!(bobs.as_array().unwrap().is_empty());
    // Parents cannot see the status; confirmation of a post that does not ask is refused.
    assert_eq!(
        send(app.authed(Method::GET, &status_path, &s.anna)).await.0,
        StatusCode::FORBIDDEN
    );
    let news = app.post(&s.teacher, json!({ "kind": "news", "group_ids": [s.class_3a], "title": "New books", "body": "The library has new books." })).await;
    let (status, body) = send(app.authed(
        Method::POST,
        &format!("/api/posts/{}/confirm", news["id"]),
        &s.anna,
    ))
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("confirmation_not_requested"))
    );
    let (status, body) = send(
        app.authed(
            Method::POST,
            &format!("/api/posts/{}/replies", news["id"]),
            &s.anna,
        )
        .json(&json!({ "body": "Nice" })),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("replies_not_allowed"))
    );
}

async fn teachers_post_only_to_their_own_groups(backend: Backend) {
    let s = school(backend).await;
    let app = &s.app;
    let (_, groups) = send(app.authed(Method::GET, "/api/groups", &s.teacher)).await;
    let other = groups
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] != s.class_3a)
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (status, body) = send(
        app.authed(Method::POST, "/api/posts", &s.teacher)
            .json(&urgent(other)),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("not_own_group"))
    );
    let (status, body) = send(
        app.authed(Method::POST, "/api/posts", &s.teacher)
            .json(&json!({ "kind": "news", "to_school": true, "title": "x", "body": "y" })),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("school_audience_needs_admin"))
    );
    let (status, body) = send(
        app.authed(Method::POST, "/api/posts", &s.anna)
            .json(&urgent(s.class_3a)),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden_role"))
    );
    let (status, body) =
        send(app.authed(Method::POST, "/api/posts", &s.teacher).json(
            &json!({ "kind": "message", "group_ids": [s.class_3a], "title": " ", "body": "y" }),
        ))
        .await;
    assert_eq!(
        (status, body["code"].as_str(), body["field"].as_str()),
        (
            StatusCode::BAD_REQUEST,
            Some("invalid_title"),
            Some("title")
        )
    );
    // The school office writes to everyone: Carl (group 5b) sees it too.
    app.post(&s.admin, json!({ "kind": "news", "to_school": true, "title": "Open day", "body": "Saturday 10-14." })).await;
    let (_, feed) = send(app.authed(Method::GET, "/api/posts", &s.carl)).await;
    assert_eq!(feed[0]["title"], "Open day");
}

async fn a_gone_subscription_is_pruned(backend: Backend) {
    let s = school(backend).await;
    let app = &s.app;
    let (phone, old_laptop) = (app.push.device("phone"), app.push.device("old-laptop"));
    app.subscribe(&s.anna, &phone).await;
    app.subscribe(&s.anna, &old_laptop).await;
    app.push.answer_next("old-laptop", 410, None);
    app.post(&s.teacher, urgent(s.class_3a)).await;
    app.push.wait_for(1).await;
    app.wait_for_outbox().await;
    // The second notice is only tried on the device that still exists.
    app.post(&s.teacher, urgent(s.class_3a)).await;
    app.push.wait_for(2).await;
    app.wait_for_outbox().await;
    assert_eq!(app.push.received_by("phone").len(), 2);
    assert!(app.push.received_by("old-laptop").is_empty());
    let (status, _) = send(
        app.authed(Method::DELETE, "/api/push/subscriptions", &s.anna)
            .json(&json!({ "endpoint": old_laptop.endpoint })),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the 410 removed the subscription"
    );
}

async fn a_429_is_retried_after_retry_after(backend: Backend) {
    let s = school(backend).await;
    let app = &s.app;
    let phone = app.push.device("phone");
    app.subscribe(&s.anna, &phone).await;
    app.push.answer_next("phone", 429, Some("120"));
    app.post(&s.teacher, urgent(s.class_3a)).await;
    app.smtp.wait_for_mail_to("anna@example.nl").await;
    app.wait_for_outbox().await;
    app.clock.advance(Duration::seconds(100));
    app.wait_for_outbox().await;
    assert!(
        app.push.received_by("phone").is_empty(),
        "not before Retry-After"
    );
    app.clock.advance(Duration::seconds(25));
    app.wait_for_outbox().await;
    assert_eq!(app.push.received_by("phone").len(), 1);
}

async fn a_5xx_is_retried_with_backoff(backend: Backend) {
    let s = school(backend).await;
    let app = &s.app;
    let phone = app.push.device("phone");
    app.subscribe(&s.anna, &phone).await;
    app.push.answer_next("phone", 503, None);
    app.push.answer_next("phone", 500, None);
    app.post(&s.teacher, urgent(s.class_3a)).await;
    app.smtp.wait_for_mail_to("anna@example.nl").await;
    app.wait_for_outbox().await;
    app.clock.advance(Duration::seconds(31));
    app.wait_for_outbox().await;
    assert!(
        app.push.received_by("phone").is_empty(),
        "second attempt also failed"
    );
    app.clock.advance(Duration::seconds(61));
    app.wait_for_outbox().await;
    assert_eq!(app.push.received_by("phone").len(), 1);
}

async fn a_413_is_answered_with_a_shorter_notice(backend: Backend) {
    let s = school(backend).await;
    let app = &s.app;
    let phone = app.push.device("phone");
    app.subscribe(&s.anna, &phone).await;
    app.push.answer_next("phone", 413, None);
    let post = app.post(&s.teacher, urgent(s.class_3a)).await;
    app.push.wait_for(1).await;
    app.wait_for_outbox().await;
    let received = app.push.received_by("phone");
    assert_eq!(received.len(), 1, "sent again at once, not after a backoff");
    let notice = &received[0].notice;
    assert_eq!(notice["body"], "", "the shorter notice leaves out the body");
    assert_eq!(notice["title"], "School closes at 12:00");
    assert_eq!(
        notice["url"],
        format!("/posts/{}", post["id"]),
        "tapping it still opens the notice"
    );
}

async fn a_subscription_to_a_foreign_host_is_refused(backend: Backend) {
    let s = school(backend).await;
    let app = &s.app;
    for endpoint in [
        "http://10.0.0.5/push/x",
        "https://metadata.google.internal/computeMetadata",
        "file:///etc/passwd",
    ] {
        let device = app.push.device("phone");
        let (status, body) = send(
            app.authed(Method::POST, "/api/push/subscriptions", &s.anna)
                .json(&json!({
                    "endpoint": endpoint, "keys": { "p256dh": device.p256dh, "auth": device.auth }
                })),
        )
        .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("endpoint_not_allowed")),
            "{endpoint}"
        );
    }
    let device = app.push.device("phone");
    let (status, body) = send(
        app.authed(Method::POST, "/api/push/subscriptions", &s.anna)
            .json(&json!({
                "endpoint": device.endpoint, "keys": { "p256dh": "AAAA", "auth": device.auth }
            })),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_subscription_keys"))
    );
    let (status, key) = send(app.request(Method::GET, "/api/push/public-key")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        key["public_key"].as_str().unwrap().len(),
        87,
        "65 bytes base64url"
    );
}

async fn deliveries_claimed_by_a_crashed_worker_are_sent_exactly_once(backend: Backend) {
    // This process does not deliver by itself: the test plays the workers.
    let app = spawn_app_with(backend, |settings| settings.delivery.run_worker = false).await;
    let s = populate(app).await;
    let app = &s.app;
    let devices: Vec<_> = (0..4)
        .map(|n| app.push.device(&format!("device-{n}")))
        .collect();
    for (n, device) in devices.iter().enumerate() {
        app.subscribe(if n % 2 == 0 { &s.anna } else { &s.bob }, device)
            .await;
    }
    let post = app.post(&s.teacher, urgent(s.class_3a)).await;
    let post_id = post["id"].as_i64().unwrap() as i32;

    // Another process's worker takes the fan-out job and dies: the job stays leased until
    // its lease runs out.
    let other = schoolgate::platform::outbox::Claimant {
        worker: "other-host:8080".into(),
        lease: Duration::seconds(120),
    };
    let taken =
        schoolgate::platform::outbox::claim_due(&app.state.db, app.clock.now(), &other, 1000)
            .await
            .unwrap();
    assert_eq!(taken.len(), 1);
    let report = worker::deliver_due(&app.state).await.unwrap();
    assert_eq!(report.sent, 0, "leased work is not taken twice");
    app.clock.advance(Duration::seconds(121));
    let report = worker::deliver_due(&app.state).await.unwrap();
    assert_eq!(
        report.sent,
        1 + 4 + 2,
        "fan-out job, four pushes, two e-mails"
    );

    // A restart that runs the same fan-out job again (crash before it was marked done)
    // creates no second delivery.
    outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::value(DeliveryStatus::Pending))
        .filter(outbox::Column::Id.eq(taken[0].id))
        .exec(&app.state.db)
        .await
        .unwrap();
    let report = worker::deliver_due(&app.state).await.unwrap();
    assert_eq!(report.sent, 1);
    for device in &devices {
        assert_eq!(
            app.push.received_by(&device.name).len(),
            1,
            "{} got it once",
            device.name
        );
    }
    assert_eq!(
        deliveries_of(&app.state.db, post_id).await.unwrap().len(),
        7
    );
    assert_eq!(app.smtp.mails_to("anna@example.nl").len(), 1);
}

async fn urgent_emails_cannot_be_switched_off_but_others_can(backend: Backend) {
    let s = school(backend).await;
    let app = &s.app;
    let (status, body) = send(
        app.authed(Method::PUT, "/api/me/notifications/urgent", &s.anna)
            .json(&json!({ "enabled": false })),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("urgent_always_on"))
    );
    let (status, settings) = send(
        app.authed(Method::PUT, "/api/me/notifications/news", &s.anna)
            .json(&json!({ "enabled": false })),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let news = settings
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == "news")
        .unwrap();
    assert_eq!(
        (news["enabled"].as_bool(), news["can_change"].as_bool()),
        (Some(false), Some(true))
    );
    let (_, settings) = send(app.authed(Method::GET, "/api/me/notifications", &s.anna)).await;
    let urgent_setting = settings
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == "urgent")
        .unwrap();
    assert_eq!(
        (
            urgent_setting["enabled"].as_bool(),
            urgent_setting["can_change"].as_bool()
        ),
        (Some(true), Some(false))
    );
    app.post(&s.teacher, urgent(s.class_3a)).await;
    app.smtp.wait_for_mail_to("anna@example.nl").await;
    // Notice e-mails go to parents: staff have no such settings, and cannot make any.
    let (status, staff) = send(app.authed(Method::GET, "/api/me/notifications", &s.teacher)).await;
    assert_eq!((status, staff), (StatusCode::OK, json!([])));
    let (status, _) = send(
        app.authed(Method::PUT, "/api/me/notifications/news", &s.teacher)
            .json(&json!({ "enabled": false })),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn attachments_are_checked_by_content_and_shown_only_to_the_audience(backend: Backend) {
    let s = school(backend).await;
    let app = &s.app;
    let post = app.post(&s.teacher, json!({ "kind": "message", "group_ids": [s.class_3a], "title": "Letter", "body": "See the attached letter." })).await;
    let path = format!("/api/posts/{}/attachments", post["id"]);
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
    let (status, attached) = app
        .upload(&s.teacher, &path, "../Brief \"Juni\".pdf", pdf.clone())
        .await;
    assert_eq!(status, StatusCode::CREATED, "{attached}");
    assert_eq!(
        (
            attached["file_name"].as_str(),
            attached["content_type"].as_str()
        ),
        (Some("Brief Juni.pdf"), Some("application/pdf"))
    );
    // A web page renamed to .pdf is still a web page.
    let (status, body) = app
        .upload(
            &s.teacher,
            &path,
            "letter.pdf",
            b"<html><script>alert(1)</script></html>".to_vec(),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Some("file_type_not_allowed")
        )
    );
    let (status, _) = app.upload(&s.anna, &path, "x.pdf", pdf.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let download = format!("{path}/{}", attached["id"]);
    let response = app
        .authed(Method::GET, &download, &s.anna)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment; filename=\"Brief Juni.pdf\""
    );
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert_eq!(response.bytes().await.unwrap().to_vec(), pdf);
    assert_eq!(
        send(app.authed(Method::GET, &download, &s.carl)).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, feed) = send(app.authed(Method::GET, "/api/posts", &s.anna)).await;
    assert_eq!(feed[0]["attachments"][0]["file_name"], "Brief Juni.pdf");
}

/// A PDF of `size` bytes: a PDF header, then pseudo-random bytes.
fn pdf_of(size: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.4\n".to_vec();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    while bytes.len() < size {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        bytes.push(state as u8);
    }
    bytes
}

/// An attachment to a new message of the teacher: the upload's answer and the download path.
struct Attached {
    status: StatusCode,
    body: Value,
    download: String,
    post_id: i32,
}

async fn attach(s: &School, bytes: Vec<u8>) -> Attached {
    let post = s.app.post(&s.teacher, json!({ "kind": "message", "group_ids": [s.class_3a], "title": "Letter", "body": "See the attachment." })).await;
    let path = format!("/api/posts/{}/attachments", post["id"]);
    let (status, body) = s.app.upload(&s.teacher, &path, "letter.pdf", bytes).await;
    Attached {
        download: format!("{path}/{}", body["id"]),
        post_id: post["id"].as_i64().unwrap() as i32,
        status,
        body,
    }
}

/// Every file below the test's file store folder.
pub(crate) fn stored_objects(app: &TestApp) -> Vec<std::path::PathBuf> {
    fn walk(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, found);
            } else {
                found.push(path);
            }
        }
    }
    let mut found = Vec::new();
    walk(app.files_dir.path(), &mut found);
    found
}

async fn downloaded(app: &TestApp, path: &str, session: &Session) -> Vec<u8> {
    let response = app.authed(Method::GET, path, session).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let length: usize = response.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let bytes = response.bytes().await.unwrap().to_vec();
    assert_eq!(length, bytes.len());
    bytes
}

async fn attachments_go_to_an_s3_bucket_when_configured_and_stream_back(backend: Backend) {
    let bucket = s3_bucket().await;
    let app = spawn_app_with(backend, |settings| {
        settings.files.backend = FilesBackend::S3;
        settings.files.s3 = bucket;
    })
    .await;
    let s = populate(app).await;
    // Larger than one 5 MB part: an S3 multipart upload.
    let pdf = pdf_of(7 * 1024 * 1024 + 123);
    let attached = attach(&s, pdf.clone()).await;
    assert_eq!(attached.status, StatusCode::CREATED, "{}", attached.body);
    assert_eq!(attached.body["size"], pdf.len());
    assert!(
        stored_objects(&s.app).is_empty(),
        "nothing in the local folder"
    );
    assert_eq!(downloaded(&s.app, &attached.download, &s.anna).await, pdf);
    let objects = reqwest::get(format!(
        "{}/{}?list-type=2",
        s.app.state.settings.files.s3.endpoint, s.app.state.settings.files.s3.bucket
    ))
    .await
    .unwrap()
    .text()
    .await
    .unwrap();
    assert_eq!(objects.matches("<Key>").count(), 1, "{objects}");
}

async fn an_attachment_over_the_configured_limit_gets_413_and_leaves_no_file(backend: Backend) {
    let app = spawn_app_with(backend, |settings| {
        settings.files.max_attachment_bytes = 1024 * 1024;
    })
    .await;
    let s = populate(app).await;
    let Attached { status, body, .. } = attach(&s, pdf_of(1024 * 1024 + 1)).await;
    assert_eq!(
        (status, body["code"].as_str(), body["message"].as_str()),
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            Some("file_too_large"),
            Some("The file is larger than 1 MB.")
        )
    );
    let Attached { status, body, .. } = attach(&s, Vec::new()).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("empty_file"))
    );
    assert!(stored_objects(&s.app).is_empty());
    let at_the_limit = attach(&s, pdf_of(1024 * 1024)).await;
    assert_eq!(
        at_the_limit.status,
        StatusCode::CREATED,
        "{}",
        at_the_limit.body
    );
    assert_eq!(stored_objects(&s.app).len(), 1);
    assert_eq!(
        downloaded(&s.app, &at_the_limit.download, &s.anna).await,
        pdf_of(1024 * 1024)
    );
}

async fn stored_files_nothing_points_at_are_removed_by_the_janitor_a_day_later(backend: Backend) {
    use schoolgate::entities::{files, posts as post_rows};
    let s = school(backend).await;
    let kept = attach(&s, pdf_of(2000)).await;
    let gone = attach(&s, pdf_of(3000)).await;
    assert_eq!(stored_objects(&s.app).len(), 2);
    // The post of the second file goes (and with it, by cascade, its attachment).
    post_rows::Entity::delete_by_id(gone.post_id)
        .exec(&s.app.state.db)
        .await
        .unwrap();
    // Within a day nothing is removed: an upload may still be about to commit.
    schoolgate::startup::tidy_up(&s.app.state).await;
    assert_eq!(stored_objects(&s.app).len(), 2);
    s.app.clock.advance(Duration::hours(25));
    schoolgate::startup::tidy_up(&s.app.state).await;
    assert_eq!(stored_objects(&s.app).len(), 1);
    assert_eq!(
        files::Entity::find()
            .all(&s.app.state.db)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        downloaded(&s.app, &kept.download, &s.anna).await,
        pdf_of(2000)
    );
}

async fn attachments_kept_in_the_database_are_served_and_moved_into_the_file_store(
    backend: Backend,
) {
    use schoolgate::entities::{attachment_blobs, attachments};
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    let s = school(backend).await;
    let post = s.app.post(&s.teacher, json!({ "kind": "message", "group_ids": [s.class_3a], "title": "Old letter", "body": "From before the file store." })).await;
    // As the upgrade leaves an attachment of the previous release: no file, bytes aside.
    let pdf = pdf_of(50_000);
    let db = &s.app.state.db;
    let attachment = attachments::ActiveModel {
        post_id: Set(post["id"].as_i64().unwrap() as i32),
        file_name: Set("old.pdf".into()),
        content_type: Set("application/pdf".into()),
        size: Set(pdf.len() as i32),
        file_key: Set(None),
        created_at: Set(s.app.clock.now()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    attachment_blobs::ActiveModel {
        attachment_id: Set(attachment.id),
        data: Set(pdf.clone()),
    }
    .insert(db)
    .await
    .unwrap();
    let download = format!("/api/posts/{}/attachments/{}", post["id"], attachment.id);
    assert_eq!(downloaded(&s.app, &download, &s.anna).await, pdf);

    let moved = schoolgate::features::posts::move_stored_attachments(&s.app.state)
        .await
        .unwrap();
    assert_eq!(moved, 1);
    let attachment = attachments::Entity::find_by_id(attachment.id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert!(attachment.file_key.is_some());
    assert!(
        attachment_blobs::Entity::find()
            .all(db)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(stored_objects(&s.app).len(), 1);
    assert_eq!(downloaded(&s.app, &download, &s.anna).await, pdf);
    // Nothing left to move, nothing moved twice.
    assert_eq!(
        schoolgate::features::posts::move_stored_attachments(&s.app.state)
            .await
            .unwrap(),
        0
    );
}

/// The previous release kept attachments in a column of `attachments`: after upgrading, the
/// server moves them into the file store at start and serves them from there.
async fn upgrading_moves_attachments_from_the_database_into_the_file_store(backend: Backend) {
    use migration::{Migrator, MigratorTrait};
    use sea_orm::{ConnectionTrait, Statement};
    let pdf = pdf_of(30_000);
    let legacy = pdf.clone();
    let app = spawn_app_upgrading(backend, |_| {}, async move |db| {
        // The migrations of the previous release, then a post with an attachment as it wrote
        // them.
        Migrator::up(db, Some(7)).await.unwrap();
        let backend = db.get_database_backend();
        let now = chrono::Utc::now();
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            "INSERT INTO posts (kind, to_school, title, body, ask_confirmation, allow_replies, created_at) \
             VALUES ('message', true, 'Old letter', 'From the previous release.', false, false, $1)",
            [now.into()],
        ))
        .await
        .unwrap();
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            "INSERT INTO attachments (post_id, file_name, content_type, size, data, created_at) \
             VALUES (1, 'old.pdf', 'application/pdf', $1, $2, $3)",
            [(legacy.len() as i32).into(), legacy.into(), now.into()],
        ))
        .await
        .unwrap();
    })
    .await;
    let admin = app.admin().await;
    // The move runs at start, in the background.
    for _ in 0..500 {
        if stored_objects(&app).len() == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(stored_objects(&app).len(), 1, "moved into the file store");
    assert_eq!(
        downloaded(&app, "/api/posts/1/attachments/1", &admin).await,
        pdf
    );
    let (_, feed) = send(app.authed(Method::GET, "/api/posts", &admin)).await;
    assert_eq!(feed[0]["attachments"][0]["file_name"], "old.pdf");
}

async fn conversations_of(app: &TestApp, who: &Session) -> Value {
    let (status, body) = send(app.authed(Method::GET, "/api/conversations", who)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn a_conversation_counts_unread_both_ways_and_an_answer_is_pushed_to_the_parent(
    backend: Backend,
) {
    let s = school(backend).await;
    let app = &s.app;
    let anna_phone = app.push.device("anna-phone");
    app.subscribe(&s.anna, &anna_phone).await;
    let post = app
        .post(
            &s.teacher,
            json!({ "kind": "news", "group_ids": [s.class_3a], "title": "Excursion",
            "body": "Who can drive on Friday?", "allow_replies": true }),
        )
        .await;
    let id = post["id"].as_i64().unwrap();
    let replies = format!("/api/posts/{id}/replies");
    assert_eq!(
        conversations_of(app, &s.teacher).await,
        json!({ "unread": 0, "threads": [] })
    );

    for body in ["Yes, I can drive.", "Four seats."] {
        send(
            app.authed(Method::POST, &replies, &s.anna)
                .json(&json!({ "body": body })),
        )
        .await;
    }
    send(
        app.authed(Method::POST, &replies, &s.bob)
            .json(&json!({ "body": "Not this time." })),
    )
    .await;
    // Two threads, both unread; the newest first.
    let listed = conversations_of(app, &s.teacher).await;
    assert_eq!(listed["unread"], 3, "{listed}");
    let threads = listed["threads"].as_array().unwrap();
    assert_eq!(threads.len(), 2);
    assert_eq!(threads[0]["parent_id"], s.bob.user_id);
    assert_eq!(
        (
            &threads[1]["last_message"],
            &threads[1]["unread"],
            &threads[1]["messages"]
        ),
        (&json!("Four seats."), &json!(2), &json!(2))
    );
    assert_eq!(threads[1]["post_title"], "Excursion");
    assert_eq!(threads[1]["child_names"].as_array().unwrap().len(), 1);
    // Reading Anna's thread leaves Bob's unread, and puts it first.
    send(app.authed(
        Method::GET,
        &format!("{replies}?parent_id={}", s.anna.user_id),
        &s.teacher,
    ))
    .await;
    let listed = conversations_of(app, &s.teacher).await;
    assert_eq!(listed["unread"], 1);
    assert_eq!(listed["threads"][0]["parent_id"], s.bob.user_id);
    // The parent's own messages are never new to them.
    assert_eq!(conversations_of(app, &s.anna).await["unread"], 0);

    // The answer: new for Anna, pushed to her phone, not new for the teacher who wrote it.
    let (status, _) = send(
        app.authed(Method::POST, &replies, &s.teacher)
            .json(&json!({ "body": "Thank you, Anna!", "parent_id": s.anna.user_id })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let pushes = app.push.wait_for(1).await;
    assert_eq!(pushes[0].device, "anna-phone");
    let notice = &pushes[0].notice;
    assert_eq!(notice["kind"], "answer");
    assert_eq!(notice["title"], "Excursion");
    assert!(
        notice["body"]
            .as_str()
            .unwrap()
            .ends_with(": Thank you, Anna!"),
        "{notice}"
    );
    assert_eq!(notice["url"], format!("/posts/{id}#replies"));
    assert_eq!(pushes[0].urgency.as_deref(), Some("normal"));
    let anna = conversations_of(app, &s.anna).await;
    assert_eq!(anna["unread"], 1, "{anna}");
    assert_eq!(anna["threads"][0]["last_from_staff"], true);
    assert_eq!(conversations_of(app, &s.teacher).await["unread"], 1);
    // Opened in the app, the answer is read.
    send(app.authed(Method::GET, &replies, &s.anna)).await;
    assert_eq!(conversations_of(app, &s.anna).await["unread"], 0);
    // Bob was not answered: nothing new for him, and no push.
    assert_eq!(conversations_of(app, &s.bob).await["unread"], 0);
    app.wait_for_outbox().await;
    assert_eq!(app.push.received_by("anna-phone").len(), 1);
}

async fn conversations_are_private_to_the_family_and_the_staff_of_its_class(backend: Backend) {
    let s = school(backend).await;
    let app = &s.app;
    let other_teacher = app
        .active_user(&s.admin, "teacher", "piet@school.test")
        .await;
    let (_, groups) = send(app.authed(Method::GET, "/api/groups", &s.admin)).await;
    let class_5b = groups
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "Groep 5b")
        .unwrap()["id"]
        .clone();
    let post = app
        .post(
            &s.admin,
            json!({ "kind": "message", "group_ids": [s.class_3a, class_5b], "title": "Survey",
            "body": "Tell us what you think.", "allow_replies": true }),
        )
        .await;
    let id = post["id"].as_i64().unwrap();
    let replies = format!("/api/posts/{id}/replies");
    for parent in [&s.anna, &s.carl] {
        send(
            app.authed(Method::POST, &replies, parent)
                .json(&json!({ "body": "Fine." })),
        )
        .await;
    }
    // The admin who wrote it sees both threads; Anna's class teacher only hers (Carl's child
    // is in another class); a teacher without a class none; each parent only their own.
    let threads = |listed: Value| -> Vec<i64> {
        listed["threads"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["parent_id"].as_i64().unwrap())
            .collect()
    };
    let mut admin_sees = threads(conversations_of(app, &s.admin).await);
    admin_sees.sort();
    assert_eq!(admin_sees, [s.anna.user_id, s.carl.user_id]);
    assert_eq!(
        threads(conversations_of(app, &s.teacher).await),
        [s.anna.user_id]
    );
    assert!(threads(conversations_of(app, &other_teacher).await).is_empty());
    assert_eq!(
        threads(conversations_of(app, &s.anna).await),
        [s.anna.user_id]
    );
    assert!(threads(conversations_of(app, &s.bob).await).is_empty());
    // One post's threads: for a teacher without a class of it, the post is not there.
    let (status, body) = send(app.authed(
        Method::GET,
        &format!("/api/conversations?post_id={id}"),
        &other_teacher,
    ))
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    // A post a parent cannot see is not found, not empty.
    let private = app
        .post(
            &s.teacher,
            json!({ "kind": "message", "group_ids": [s.class_3a], "title": "3a only",
            "body": "For 3a.", "allow_replies": true }),
        )
        .await;
    let (status, _) = send(app.authed(
        Method::GET,
        &format!("/api/conversations?post_id={}", private["id"]),
        &s.carl,
    ))
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = send(app.request(Method::GET, "/api/conversations")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn the_status_shows_deliveries_and_phones_and_a_reminder_reaches_only_those_who_have_not_confirmed(
    backend: Backend,
) {
    let s = school(backend).await;
    let app = &s.app;
    let (anna_phone, bob_phone) = (app.push.device("anna-phone"), app.push.device("bob-phone"));
    app.subscribe(&s.anna, &anna_phone).await;
    app.subscribe(&s.bob, &bob_phone).await;
    let (status, _) = send(
        app.authed(Method::PATCH, "/api/me", &s.bob)
            .json(&json!({ "phone": "+31 6 12345678" })),
    )
    .await;
    assert!(status.is_success());
    // Shown to staff only as the family shares it (privacy by default: at first not).
    let (status, _) = send(
        app.authed(Method::PUT, "/api/me/privacy", &s.bob)
            .json(&json!({ "choices": [{ "field": "parent_phone", "audience": "staff" }] })),
    )
    .await;
    assert!(status.is_success());
    let post = app.post(&s.teacher, urgent(s.class_3a)).await;
    let id = post["id"].as_i64().unwrap();
    app.push.wait_for(2).await;
    app.wait_for_outbox().await;
    send(app.authed(Method::POST, &format!("/api/posts/{id}/confirm"), &s.anna)).await;

    let (_, status) =
        send(app.authed(Method::GET, &format!("/api/posts/{id}/status"), &s.teacher)).await;
    assert_eq!(status["title"], "School closes at 12:00");
    assert_eq!(
        status["delivery"],
        json!({ "push_sent": 2, "push_pending": 0, "push_failed": 0,
                "email_sent": 2, "email_pending": 0, "email_failed": 0 })
    );
    let row = |who: i64| {
        status["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["parent_id"] == who)
            .unwrap()
            .clone()
    };
    // The phone number of who has not confirmed, to call; none for who has.
    assert_eq!(row(s.bob.user_id)["parent_phone"], "+31 6 12345678");
    assert!(row(s.anna.user_id)["parent_phone"].is_null());
    // Once Bob no longer shares his phone with staff, the status page leaves it out.
    send(
        app.authed(Method::PUT, "/api/me/privacy", &s.bob)
            .json(&json!({ "choices": [{ "field": "parent_phone", "audience": "nobody" }] })),
    )
    .await;
    let (_, hidden) =
        send(app.authed(Method::GET, &format!("/api/posts/{id}/status"), &s.teacher)).await;
    let bob_row = hidden["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["parent_id"] == s.bob.user_id)
        .unwrap();
    assert!(bob_row["parent_phone"].is_null(), "{bob_row}");
    assert!(status["reminded_at"].is_null());

    // A parent cannot remind anyone.
    let remind = format!("/api/posts/{id}/remind");
    let (code, _) = send(app.authed(Method::POST, &remind, &s.anna)).await;
    assert_eq!(code, StatusCode::FORBIDDEN);
    let (code, sent) = send(app.authed(Method::POST, &remind, &s.teacher)).await;
    assert_eq!(code, StatusCode::ACCEPTED, "{sent}");
    assert_eq!(
        sent,
        json!({ "parents": 1, "push_messages": 1, "emails": 1 })
    );
    app.wait_for_outbox().await;
    assert_eq!(app.push.received_by("bob-phone").len(), 2);
    assert_eq!(app.push.received_by("anna-phone").len(), 1);
    let mails = app.smtp.wait_for_mails_to("bob@example.nl", 2).await;
    assert_eq!(mails[1].subject(), "Please confirm: School closes at 12:00");
    assert_eq!(
        app.smtp.mails_to("anna@example.nl").len(),
        1,
        "no reminder for who confirmed"
    );
    // Not again right away; after a quarter of an hour it may.
    let (code, body) = send(app.authed(Method::POST, &remind, &s.teacher)).await;
    assert_eq!(
        (code, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("reminded_recently"))
    );
    app.clock.advance(Duration::minutes(16));
    let (code, _) = send(app.authed(Method::POST, &remind, &s.teacher)).await;
    assert_eq!(code, StatusCode::ACCEPTED);
    let (_, status) =
        send(app.authed(Method::GET, &format!("/api/posts/{id}/status"), &s.teacher)).await;
    assert!(status["reminded_at"].is_string());

    // A message that asks for no confirmation has nobody to remind.
    let message = app
        .post(&s.teacher, json!({ "kind": "message", "group_ids": [s.class_3a], "title": "Trip", "body": "Tomorrow." }))
        .await;
    let (code, body) = send(app.authed(
        Method::POST,
        &format!("/api/posts/{}/remind", message["id"]),
        &s.teacher,
    ))
    .await;
    assert_eq!(
        (code, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("no_confirmation_asked"))
    );
}

async fn the_feed_pages_through_every_post_once_with_pinned_notices_on_the_first_page(
    backend: Backend,
) {
    let s = school(backend).await;
    let app = &s.app;
    let pinned = app.post(&s.teacher, urgent(s.class_3a)).await;
    let mut titles = Vec::new();
    for n in 1..=7 {
        let kind = if n % 3 == 0 { "news" } else { "message" };
        let title = format!("Post {n}");
        app.post(
            &s.teacher,
            json!({ "kind": kind, "group_ids": [s.class_3a], "title": title, "body": "Text." }),
        )
        .await;
        titles.push(title);
        app.clock.advance(Duration::seconds(1));
    }
    let anna = &s.anna;
    let page = |query: String| async move {
        let (status, body) =
            send(app.authed(Method::GET, &format!("/api/posts?{query}"), anna)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body.as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["id"].as_i64().unwrap(),
                    p["title"].as_str().unwrap().to_string(),
                )
            })
            .collect::<Vec<_>>()
    };
    let first = page("limit=3".into()).await;
    assert_eq!(first[0].0, pinned["id"].as_i64().unwrap(), "pinned on top");
    assert_eq!(first.len(), 4, "pinned plus three");
    let mut seen: Vec<String> = first[1..].iter().map(|(_, t)| t.clone()).collect();
    let mut last = first.last().unwrap().0;
    loop {
        let next = page(format!("limit=3&before={last}")).await;
        seen.extend(next.iter().map(|(_, t)| t.clone()));
        if next.len() < 3 {
            break;
        }
        last = next.last().unwrap().0;
    }
    // Every post once, newest first; the pinned notice not again further down.
    let mut newest_first = titles.clone();
    newest_first.reverse();
    assert_eq!(seen, newest_first);
    // News alone, and everything else.
    let news: Vec<String> = page("limit=50&news=true".into())
        .await
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    assert_eq!(news, ["Post 6", "Post 3"]);
    let notices = page("limit=50&news=false".into()).await;
    assert_eq!(notices.len(), 6, "the urgent notice and five messages");
    // A cursor that is not a post of this reader's feed.
    let (status, body) = send(app.authed(Method::GET, "/api/posts?before=999999", &s.anna)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unknown_cursor"))
    );
}

async fn an_author_counts_whom_a_post_would_reach_with_the_checks_of_posting(backend: Backend) {
    let s = school(backend).await;
    let app = &s.app;
    let count = |who: &Session, body: Value| {
        let request = app
            .authed(Method::POST, "/api/posts/reach", who)
            .json(&body);
        async move { send(request).await }
    };
    let (status, reach) = count(&s.teacher, json!({ "group_ids": [s.class_3a] })).await;
    assert_eq!(
        (status, reach),
        (StatusCode::OK, json!({ "parents": 2, "children": 2 }))
    );
    let (status, reach) = count(&s.admin, json!({ "to_school": true })).await;
    assert_eq!(
        (status, reach),
        (StatusCode::OK, json!({ "parents": 3, "children": 3 }))
    );
    let (status, body) = count(&s.teacher, json!({ "to_school": true })).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("school_audience_needs_admin"))
    );
    let (status, body) = count(&s.anna, json!({ "group_ids": [s.class_3a] })).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden_role"))
    );
    let (status, body) = count(&s.admin, json!({ "group_ids": [] })).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("no_audience"))
    );
}

async fn an_edited_urgent_notice_is_pushed_again_as_updated_and_a_deleted_post_leaves_every_feed(
    backend: Backend,
) {
    let s = school(backend).await;
    let app = &s.app;
    let anna_phone = app.push.device("anna-phone");
    app.subscribe(&s.anna, &anna_phone).await;
    let other_teacher = app
        .active_user(&s.admin, "teacher", "piet@school.test")
        .await;
    let post = app.post(&s.teacher, urgent(s.class_3a)).await;
    let id = post["id"].as_i64().unwrap();
    let path = format!("/api/posts/{id}");
    app.push.wait_for(1).await;

    // Only the author (and admins) change it; a title that is too long is refused.
    let (status, _) = send(
        app.authed(Method::PATCH, &path, &other_teacher)
            .json(&json!({ "title": "Mine now" })),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another class's teacher does not even see it"
    );
    let (status, _) = send(
        app.authed(Method::PATCH, &path, &s.anna)
            .json(&json!({ "title": "Mine now" })),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = send(
        app.authed(Method::PATCH, &path, &s.teacher)
            .json(&json!({ "title": "x".repeat(201) })),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    let (status, changed) = send(
        app.authed(Method::PATCH, &path, &s.teacher)
            .json(&json!({ "title": "School closes at 11:30" })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["title"], "School closes at 11:30");
    assert_eq!(changed["body"], post["body"], "the text stays");
    let pushes = app.push.wait_for(2).await;
    let update = pushes
        .iter()
        .find(|push| push.notice["title"] != "School closes at 12:00")
        .unwrap();
    assert_eq!(update.notice["title"], "Updated: School closes at 11:30");
    assert_eq!(
        update.topic.as_deref(),
        Some(format!("post-{id}").as_str()),
        "replaces the first"
    );

    // Deleted: gone from every feed and every link, recorded in the audit log.
    let (status, _) = send(app.authed(Method::DELETE, &path, &s.anna)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = send(app.authed(Method::DELETE, &path, &s.teacher)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, feed) = send(app.authed(Method::GET, "/api/posts", &s.anna)).await;
    assert!(
        feed.as_array().unwrap().iter().all(|p| p["id"] != id),
        "{feed}"
    );
    let (status, _) = send(app.authed(Method::GET, &path, &s.anna)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, log) = send(app.authed(Method::GET, "/api/audit-log", &s.admin)).await;
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert!(
        actions.contains(&"post.edit") && actions.contains(&"post.delete"),
        "{actions:?}"
    );
}

fn moment(value: &Value) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(value.as_str().expect("a date"))
        .expect("an RFC 3339 date")
        .to_utc()
}

async fn a_scheduled_notice_stays_with_its_author_until_its_time_and_then_goes_out_once(
    backend: Backend,
) {
    let s = school(backend).await;
    let app = &s.app;
    let anna_phone = app.push.device("anna-phone");
    app.subscribe(&s.anna, &anna_phone).await;
    // Whole seconds: what a phone sends, and what both databases keep exactly.
    let at = |hours: i64| {
        let moment = app.clock.now() + Duration::hours(hours);
        moment.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    };

    // Too early or too far ahead is refused with the field to fix.
    for (publish_at, code) in [
        (at(-1), "publish_at_in_past"),
        (at(24 * 91), "publish_at_too_far"),
    ] {
        let mut body = urgent(s.class_3a);
        body["publish_at"] = json!(publish_at);
        let (status, error) = send(
            app.authed(Method::POST, "/api/posts", &s.teacher)
                .json(&body),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
        assert_eq!(
            (error["code"].as_str(), error["field"].as_str()),
            (Some(code), Some("publish_at"))
        );
    }

    let first = at(2);
    let mut body = urgent(s.class_3a);
    body["publish_at"] = json!(first);
    let post = app.post(&s.teacher, body).await;
    let id = post["id"].as_i64().unwrap();
    let path = format!("/api/posts/{id}");
    assert_eq!(post["scheduled"], true);
    assert_eq!(moment(&post["created_at"]), moment(&json!(first)));
    assert_eq!(
        moment(&post["pinned_until"]),
        moment(&post["created_at"]) + Duration::hours(24),
        "pinned for a day from when it goes out"
    );

    // Nothing goes out and parents do not see it; the author and admins do.
    app.wait_for_outbox().await;
    assert!(app.push.received_by("anna-phone").is_empty());
    assert!(app.smtp.mails_to("anna@example.nl").is_empty());
    let (_, feed) = send(app.authed(Method::GET, "/api/posts", &s.anna)).await;
    assert!(feed.as_array().unwrap().is_empty(), "{feed}");
    let (status, _) = send(app.authed(Method::GET, &path, &s.anna)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for staff in [&s.teacher, &s.admin] {
        let (_, feed) = send(app.authed(Method::GET, "/api/posts", staff)).await;
        assert_eq!(
            (feed[0]["id"].as_i64(), feed[0]["scheduled"].as_bool()),
            (Some(id), Some(true))
        );
    }
    let (status, error) =
        send(app.authed(Method::POST, &format!("{path}/remind"), &s.teacher)).await;
    assert_eq!(
        (status, error["code"].as_str()),
        (StatusCode::CONFLICT, Some("not_published_yet"))
    );
    let (_, status_page) =
        send(app.authed(Method::GET, &format!("{path}/status"), &s.teacher)).await;
    assert_eq!(status_page["scheduled"], true);

    // Moved to an hour later and retitled: no "updated" push, it has not gone out yet.
    let later = at(3);
    let (status, changed) = send(
        app.authed(Method::PATCH, &path, &s.teacher)
            .json(&json!({ "publish_at": later, "title": "School closes at 11:30" })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(moment(&changed["created_at"]), moment(&json!(later)));
    assert_eq!(
        moment(&changed["pinned_until"]),
        moment(&json!(later)) + Duration::hours(24),
        "the pin moves along"
    );
    app.clock.advance(Duration::minutes(150));
    app.wait_for_outbox().await;
    assert!(
        app.push.received_by("anna-phone").is_empty(),
        "not at the old time"
    );

    // At its time it goes out once, as changed, and is pinned on top of Anna's feed.
    app.clock.advance(Duration::minutes(31));
    app.wait_for_outbox().await;
    let pushes = app.push.wait_for(1).await;
    assert_eq!(pushes[0].notice["title"], "School closes at 11:30");
    let mail = app.smtp.wait_for_mail_to("anna@example.nl").await;
    assert_eq!(mail.subject(), "Urgent: School closes at 11:30");
    let (_, feed) = send(app.authed(Method::GET, "/api/posts", &s.anna)).await;
    assert_eq!(
        (
            feed[0]["id"].as_i64(),
            feed[0]["pinned"].as_bool(),
            feed[0]["scheduled"].as_bool()
        ),
        (Some(id), Some(true), Some(false))
    );
    let (status, error) = send(
        app.authed(Method::PATCH, &path, &s.teacher)
            .json(&json!({ "publish_at": at(1) })),
    )
    .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (StatusCode::CONFLICT, Some("already_published"))
    );
    app.clock.advance(Duration::hours(1));
    app.wait_for_outbox().await;
    assert_eq!(app.push.received_by("anna-phone").len(), 1, "sent once");
    assert_eq!(app.smtp.mails_to("anna@example.nl").len(), 1, "mailed once");
}
