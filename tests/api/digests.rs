//! The digest and news-batch e-mails as parents receive them: one per parent, in their
//! language, with one-click unsubscribe; unsubscribe links; a run resumed after a crash.

use chrono::Duration;
use reqwest::{Method, StatusCode};
use schoolgate::{
    entities::scheduled_runs::{RunStatus, Trigger},
    features::digest::{self, Job},
    platform::{
        jobs::{self, runs},
        outbox,
    },
};
use serde_json::{Value, json};

use crate::{
    helpers::{Backend, Session, TestApp, send, spawn_app, spawn_app_with},
    smtp::ReceivedMail,
};

crate::on_both_databases!(
    each_parent_gets_one_digest_in_their_language_with_unread_marked_and_links,
    the_unsubscribe_link_works_without_login_and_only_for_its_own_kind,
    a_run_interrupted_half_way_is_resumed_without_duplicates,
    admins_see_runs_preview_a_parent_and_run_a_job_now,
    a_post_saved_just_after_a_run_looked_goes_into_the_next_digest,
    posts_from_before_the_first_digest_are_never_mailed,
    one_click_unsubscribes_from_one_mail_provider_are_not_rate_limited,
);

/// A parent with a language, logged in.
async fn parent(app: &TestApp, admin: &Session, email: &str, language: &str) -> Session {
    let (_, token) = app.invite(admin, "parent", email, language).await;
    app.activate(&token, crate::helpers::PASSWORD).await
}

async fn parent_of_child_in(
    app: &TestApp,
    admin: &Session,
    email: &str,
    language: &str,
    group: i64,
) -> Session {
    let parent = parent(app, admin, email, language).await;
    let child = app.create_child(admin, email, group).await;
    app.link_parent(admin, child, parent.user_id, false).await;
    parent
}

fn message(kind: &str, audience: Value, title: &str) -> Value {
    let mut body = json!({ "kind": kind, "title": title, "body": format!("All about {title}.") });
    body.as_object_mut()
        .unwrap()
        .extend(audience.as_object().unwrap().clone());
    body
}

/// Moves the clock to a minute after the job's next tick and runs what is due.
async fn tick(app: &TestApp, job: Job) {
    let schedule = job.schedule(&app.state.settings).unwrap();
    let next = schedule.next_after(app.clock.now()).unwrap();
    app.clock
        .advance(next - app.clock.now() + Duration::minutes(1));
    jobs::run_due(&app.state).await.unwrap();
    app.wait_for_outbox().await;
}

async fn each_parent_gets_one_digest_in_their_language_with_unread_marked_and_links(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    // Just after a news-batch tick, whatever today is: the week's digest then comes before
    // its news batch, and that first news batch looks back to the posts below.
    let schedule = Job::NewsBatch.schedule(&app.state.settings).unwrap();
    let tick_passed = schedule.next_after(app.clock.now()).unwrap();
    app.clock
        .advance(tick_passed - app.clock.now() + Duration::minutes(1));
    let admin = app.admin().await;
    let class_3a = app.create_group(&admin, "Groep 3a").await;
    let class_5b = app.create_group(&admin, "Groep 5b").await;
    let anna = parent_of_child_in(&app, &admin, "anna@example.nl", "nl", class_3a).await;
    parent_of_child_in(&app, &admin, "ben@example.de", "de", class_3a).await;
    parent_of_child_in(&app, &admin, "carl@example.com", "en", class_5b).await;
    let trip = app
        .post(
            &admin,
            message("message", json!({ "group_ids": [class_3a] }), "Zoo trip"),
        )
        .await;
    let holidays = app
        .post(
            &admin,
            message("message", json!({ "to_school": true }), "Holidays"),
        )
        .await;
    app.post(
        &admin,
        message("news", json!({ "to_school": true }), "Sports day"),
    )
    .await;
    let (status, _) =
        send(app.authed(Method::GET, &format!("/api/posts/{}", trip["id"]), &anna)).await;
    assert!(status.is_success());

    tick(&app, Job::Digest).await;

    let anna_mails = app.smtp.scheduled_mails_to("anna@example.nl");
    assert_eq!(anna_mails.len(), 1, "one digest for Anna");
    let mail = &anna_mails[0];
    assert_eq!(mail.subject(), "2 nieuwe berichten van De Regenboog");
    let text = mail.text();
    assert!(text.contains("Beste Test,"), "{text}");
    assert!(text.contains("U heeft er 1 nog niet gelezen."), "{text}");
    assert!(
        text.contains("[Ongelezen] Holidays") && !text.contains("[Ongelezen] Zoo trip"),
        "only the unread message is marked:\n{text}"
    );
    assert!(text.contains("All about Zoo trip."), "{text}");
    assert!(
        !text.contains("Sports day"),
        "news comes in the news batch:\n{text}"
    );
    for post in [&trip, &holidays] {
        let link = format!("http://schoolgate.test/posts/{}", post["id"]);
        assert!(text.contains(&link), "{link} in\n{text}");
        // minijinja writes '/' as an entity in HTML; a browser reads the same link.
        let html = mail.html().replace("&#x2f;", "/");
        assert!(html.contains(&format!("href=\"{link}\"")), "{html}");
    }
    assert!(text.contains("http://schoolgate.test/unsubscribe?token="));
    assert!(
        mail.html()
            .contains("<strong style=\"color:#1f5fbf;\">Ongelezen</strong>")
    );
    let unsubscribe = mail.header("List-Unsubscribe").unwrap();
    assert!(
        unsubscribe.starts_with("<http://schoolgate.test/api/unsubscribe?token=")
            && unsubscribe.ends_with('>'),
        "{unsubscribe}"
    );
    assert_eq!(
        mail.header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    assert!(mail.header("Message-ID").is_some() && mail.header("Date").is_some());

    let ben = app.smtp.scheduled_mails_to("ben@example.de");
    assert_eq!(ben.len(), 1);
    assert_eq!(ben[0].subject(), "2 neue Nachrichten von De Regenboog");
    assert!(ben[0].text().contains("[Ungelesen] Zoo trip"));
    let carl = app.smtp.scheduled_mails_to("carl@example.com");
    assert_eq!(carl.len(), 1);
    assert_eq!(carl[0].subject(), "1 new message from De Regenboog");
    assert!(!carl[0].text().contains("Zoo trip"), "not Carl's class");

    tick(&app, Job::NewsBatch).await;
    let anna_mails = app.smtp.scheduled_mails_to("anna@example.nl");
    assert_eq!(anna_mails.len(), 2, "then the news batch");
    assert_eq!(anna_mails[1].subject(), "Nieuws van De Regenboog");
    assert!(anna_mails[1].text().contains("Sports day"));

    tick(&app, Job::Digest).await;
    assert_eq!(
        app.smtp.scheduled_mails_to("anna@example.nl").len(),
        2,
        "nothing new, no digest"
    );
}

/// The token of a mail's `List-Unsubscribe` URL and the URL on the test server.
fn one_click_url(app: &TestApp, mail: &ReceivedMail) -> (String, String) {
    let header = mail.header("List-Unsubscribe").unwrap();
    let url = header.trim_start_matches('<').trim_end_matches('>');
    let token = url.split("token=").nth(1).unwrap().to_string();
    (token, url.replace("http://schoolgate.test", &app.address))
}

async fn notification_settings(app: &TestApp, user: &Session) -> Vec<(String, bool)> {
    let (status, body) = send(app.authed(Method::GET, "/api/me/notifications", user)).await;
    assert_eq!(status, StatusCode::OK);
    body.as_array()
        .unwrap()
        .iter()
        .map(|setting| {
            (
                setting["kind"].as_str().unwrap().to_string(),
                setting["enabled"].as_bool().unwrap(),
            )
        })
        .collect()
}

async fn the_unsubscribe_link_works_without_login_and_only_for_its_own_kind(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    let class = app.create_group(&admin, "Groep 3a").await;
    let anna = parent_of_child_in(&app, &admin, "anna@example.nl", "en", class).await;
    let ben = parent_of_child_in(&app, &admin, "ben@example.nl", "en", class).await;
    let to_class = json!({ "group_ids": [class] });
    app.post(&admin, message("message", to_class.clone(), "Zoo trip"))
        .await;
    tick(&app, Job::Digest).await;
    let digest = app.smtp.scheduled_mails_to("anna@example.nl").remove(0);
    let (token, url) = one_click_url(&app, &digest);

    // The link in the mail's text opens a page that asks before it unsubscribes (opening
    // it, as mail scanners do, changes nothing).
    let page = reqwest::get(app.url(&format!("/unsubscribe?token={token}")))
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("unsubscribe.js"));
    assert!(
        notification_settings(&app, &anna)
            .await
            .contains(&("messages".into(), true))
    );

    // What a mail program sends for one-click unsubscribe (RFC 8058): no cookie, no login.
    let one_click = || {
        reqwest::Client::new()
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("List-Unsubscribe=One-Click")
    };
    let (status, body) = send(one_click()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["kind"], "messages");
    let (status, _) = send(one_click()).await;
    assert_eq!(status, StatusCode::OK, "a second click changes nothing");

    let settings = notification_settings(&app, &anna).await;
    assert!(
        settings.contains(&("messages".into(), false)),
        "{settings:?}"
    );
    assert!(settings.contains(&("news".into(), true)), "{settings:?}");
    assert!(settings.contains(&("urgent".into(), true)), "{settings:?}");
    assert!(
        notification_settings(&app, &ben)
            .await
            .contains(&("messages".into(), true)),
        "Ben's digest stays on"
    );

    // A link changed to another kind, or forged for urgent notices, does nothing.
    let signature = token.rsplit('.').next().unwrap();
    for forged in [
        token.replacen(".messages.", ".news.", 1),
        format!("{}.urgent.{signature}", anna.user_id),
        format!("{}.messages.{signature}", ben.user_id),
        "garbage".to_string(),
    ] {
        let (status, body) = app
            .post_json(&format!("/api/unsubscribe?token={forged}"), json!({}))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{forged}: {body}");
        assert_eq!(body["code"], "invalid_unsubscribe_link");
    }
    assert!(
        notification_settings(&app, &ben)
            .await
            .contains(&("messages".into(), true))
    );

    // Anna gets no more digests, but still the news, with a link for the news only.
    app.post(&admin, message("message", to_class.clone(), "Swimming"))
        .await;
    app.post(&admin, message("news", to_class, "Sports day"))
        .await;
    tick(&app, Job::NewsBatch).await;
    tick(&app, Job::Digest).await;
    let anna_mails = app.smtp.scheduled_mails_to("anna@example.nl");
    let subjects: Vec<String> = anna_mails.iter().map(ReceivedMail::subject).collect();
    assert_eq!(
        subjects,
        ["1 new message from De Regenboog", "News from De Regenboog"]
    );
    let (_, news_url) = one_click_url(&app, &anna_mails[1]);
    let (status, body) = send(reqwest::Client::new().post(&news_url)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["kind"], "news");
    let settings = notification_settings(&app, &anna).await;
    assert!(settings.contains(&("news".into(), false)), "{settings:?}");
    let ben_subjects: Vec<String> = app
        .smtp
        .scheduled_mails_to("ben@example.nl")
        .iter()
        .map(ReceivedMail::subject)
        .collect();
    assert_eq!(
        ben_subjects.len(),
        3,
        "Ben: two digests and the news: {ben_subjects:?}"
    );
}

async fn a_run_interrupted_half_way_is_resumed_without_duplicates(backend: Backend) {
    let app = spawn_app_with(backend, |settings| settings.delivery.run_worker = false).await;
    let admin = app.admin().await;
    let class = app.create_group(&admin, "Groep 3a").await;
    let mut addresses = Vec::new();
    for n in 0..3 {
        let email = format!("parent{n}@example.nl");
        parent_of_child_in(&app, &admin, &email, "en", class).await;
        addresses.push(email);
    }
    app.post(
        &admin,
        message("message", json!({ "group_ids": [class] }), "Zoo trip"),
    )
    .await;
    let schedule = Job::Digest.schedule(&app.state.settings).unwrap();
    let wednesday = schedule.next_after(app.clock.now()).unwrap();
    app.clock
        .advance(wednesday - app.clock.now() + Duration::minutes(1));

    // A process takes the run, queues the mails, sends them, and dies before recording the
    // run as done.
    let run = runs::take(
        &app.state.db,
        "digest",
        wednesday,
        Trigger::Schedule,
        app.clock.now(),
        Duration::minutes(10),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(
        digest::queue_mails(&app.state, Job::Digest, &run)
            .await
            .unwrap(),
        3
    );
    app.wait_for_outbox().await;

    // While its lease runs, nobody else touches the run (other jobs may run meanwhile).
    let digests = |runs: Vec<jobs::ScheduledRun>| -> Vec<jobs::ScheduledRun> {
        runs.into_iter().filter(|run| run.job == "digest").collect()
    };
    assert!(digests(jobs::run_due(&app.state).await.unwrap()).is_empty());
    // Then another process resumes it: the same run, finished, nothing queued twice.
    app.clock.advance(Duration::minutes(11));
    let resumed = digests(jobs::run_due(&app.state).await.unwrap());
    assert_eq!(resumed.len(), 1);
    assert_eq!(
        (resumed[0].id, resumed[0].status, resumed[0].recipients),
        (run.id, RunStatus::Done, 3)
    );
    app.wait_for_outbox().await;
    for address in &addresses {
        assert_eq!(
            app.smtp.scheduled_mails_to(address).len(),
            1,
            "{address} got the digest once"
        );
    }
    let counts = outbox::status_counts(&app.state.db, &digest::dedupe_prefix(Job::Digest, run.id))
        .await
        .unwrap();
    assert_eq!((counts.sent, counts.pending, counts.failed), (3, 0, 0));
}

async fn admins_see_runs_preview_a_parent_and_run_a_job_now(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    let class = app.create_group(&admin, "Groep 3a").await;
    let anna = parent_of_child_in(&app, &admin, "anna@example.nl", "de", class).await;
    let teacher = app.active_user(&admin, "teacher", "jan@school.test").await;
    app.add_teacher(&admin, class, &teacher).await;
    app.post(
        &admin,
        message("message", json!({ "group_ids": [class] }), "Zoo trip"),
    )
    .await;

    let (status, body) = send(app.authed(
        Method::GET,
        &format!(
            "/api/schedule/jobs/digest/preview?parent_id={}",
            anna.user_id
        ),
        &admin,
    ))
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["would_send"], true);
    assert_eq!(body["items"][0]["title"], "Zoo trip");
    assert_eq!(body["items"][0]["unread"], true);
    assert_eq!(body["subject"], "1 neue Nachricht von De Regenboog");
    assert!(body["html"].as_str().unwrap().contains("Zoo trip"));
    app.wait_for_outbox().await;
    assert!(
        app.smtp.scheduled_mails_to("anna@example.nl").is_empty(),
        "a preview sends nothing"
    );

    for (session, path) in [
        (&teacher, "/api/schedule/runs"),
        (&anna, "/api/schedule/jobs"),
    ] {
        let (status, body) = send(app.authed(Method::GET, path, session)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
    }
    let (status, _) =
        send(app.authed(Method::POST, "/api/schedule/jobs/digest/run", &teacher)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) =
        send(app.authed(Method::POST, "/api/schedule/jobs/weekly/run", &admin)).await;
    assert!(status.is_client_error(), "{body}");

    let (status, run) =
        send(app.authed(Method::POST, "/api/schedule/jobs/digest/run", &admin)).await;
    assert_eq!(status, StatusCode::OK, "{run}");
    assert_eq!(
        (
            run["job"].as_str(),
            run["triggered_by"].as_str(),
            run["recipients"].as_i64()
        ),
        (Some("digest"), Some("admin"), Some(1))
    );
    app.wait_for_outbox().await;
    assert_eq!(app.smtp.scheduled_mails_to("anna@example.nl").len(), 1);
    let (_, log) = send(app.authed(Method::GET, "/api/audit-log?limit=1", &admin)).await;
    assert_eq!(
        (log[0]["action"].as_str(), log[0]["actor_id"].as_i64()),
        (Some("schedule.run_now"), Some(admin.user_id)),
        "{log}"
    );

    let (status, runs) =
        send(app.authed(Method::GET, "/api/schedule/runs?job=digest", &admin)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(runs[0]["id"], run["id"]);
    assert_eq!(
        (
            runs[0]["status"].as_str(),
            runs[0]["sent"].as_i64(),
            runs[0]["failed"].as_i64()
        ),
        (Some("done"), Some(1), Some(0))
    );

    // The Wednesday run after it starts where "run now" ended: nothing twice.
    tick(&app, Job::Digest).await;
    assert_eq!(app.smtp.scheduled_mails_to("anna@example.nl").len(), 1);
    let (_, jobs) = send(app.authed(Method::GET, "/api/schedule/jobs", &admin)).await;
    let digest = jobs
        .as_array()
        .unwrap()
        .iter()
        .find(|job| job["job"] == "digest")
        .unwrap();
    assert_eq!(digest["schedule"], "0 30 17 * * Wed");
    assert_eq!(digest["time_zone"], "Europe/Amsterdam");
    assert!(
        digest["next_run_local"]
            .as_str()
            .unwrap()
            .contains("T17:30:00+0"),
        "{digest}"
    );
    assert_eq!(digest["last_run"]["triggered_by"], "schedule");
}

async fn a_post_saved_just_after_a_run_looked_goes_into_the_next_digest(backend: Backend) {
    use schoolgate::{
        entities::posts::PostKind,
        features::posts::{NewPost, store as posts},
        platform::audience::Audience,
    };
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    let class = app.create_group(&admin, "Groep 3a").await;
    parent_of_child_in(&app, &admin, "anna@example.nl", "en", class).await;
    app.post(
        &admin,
        message("message", json!({ "group_ids": [class] }), "Zoo trip"),
    )
    .await;
    tick(&app, Job::Digest).await;
    // A message stamped before the tick whose transaction committed only after the run
    // read the posts (a slow disk, a long lock wait).
    let stamped = app.clock.now() - Duration::minutes(2);
    posts::create(
        &app.state.db,
        NewPost {
            kind: PostKind::Message,
            author_id: admin.user_id as i32,
            audience: Audience::Groups(vec![class as i32]),
            title: "Late but not lost".into(),
            body: "Saved while the digest ran.".into(),
            ask_confirmation: false,
            allow_replies: false,
            pinned_until: None,
        },
        stamped,
    )
    .await
    .unwrap();
    tick(&app, Job::Digest).await;
    let mails = app.smtp.scheduled_mails_to("anna@example.nl");
    assert_eq!(mails.len(), 2);
    assert!(mails[0].text().contains("Zoo trip") && !mails[0].text().contains("Late but not lost"));
    assert!(mails[1].text().contains("Late but not lost") && !mails[1].text().contains("Zoo trip"));
}

async fn posts_from_before_the_first_digest_are_never_mailed(backend: Backend) {
    use schoolgate::{
        entities::posts::PostKind,
        features::posts::{NewPost, store as posts},
        platform::audience::Audience,
    };
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    let class = app.create_group(&admin, "Groep 3a").await;
    parent_of_child_in(&app, &admin, "anna@example.nl", "en", class).await;
    // The school used the app for a term before the digest was switched on.
    posts::create(
        &app.state.db,
        NewPost {
            kind: PostKind::Message,
            author_id: admin.user_id as i32,
            audience: Audience::Groups(vec![class as i32]),
            title: "Last term's trip".into(),
            body: "Long ago.".into(),
            ask_confirmation: false,
            allow_replies: false,
            pinned_until: None,
        },
        app.clock.now() - Duration::days(60),
    )
    .await
    .unwrap();
    app.post(
        &admin,
        message("message", json!({ "group_ids": [class] }), "Zoo trip"),
    )
    .await;
    tick(&app, Job::Digest).await;
    app.post(
        &admin,
        message("message", json!({ "group_ids": [class] }), "Swimming"),
    )
    .await;
    tick(&app, Job::Digest).await;
    let mails = app.smtp.scheduled_mails_to("anna@example.nl");
    assert_eq!(mails.len(), 2);
    assert!(mails[0].text().contains("Zoo trip"));
    assert!(mails[1].text().contains("Swimming"));
    for mail in &mails {
        assert!(!mail.text().contains("Last term's trip"), "{}", mail.text());
    }
}

async fn one_click_unsubscribes_from_one_mail_provider_are_not_rate_limited(backend: Backend) {
    const LIMIT: u32 = 20;
    let app = spawn_app_with(backend, |settings| {
        settings.security.auth_requests_per_client_per_minute = LIMIT;
    })
    .await;
    let admin = app.admin().await;
    let class = app.create_group(&admin, "Groep 3a").await;
    parent_of_child_in(&app, &admin, "anna@example.nl", "en", class).await;
    app.post(
        &admin,
        message("message", json!({ "group_ids": [class] }), "Zoo trip"),
    )
    .await;
    tick(&app, Job::Digest).await;
    let (_, url) = one_click_url(&app, &app.smtp.scheduled_mails_to("anna@example.nl")[0]);
    // A provider's few servers post the one-click unsubscribes of many parents (here one
    // parent's, repeated, from this test's single address).
    for _ in 0..2 * LIMIT {
        let (status, body) = send(reqwest::Client::new().post(&url)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // Guessing links is limited: LIMIT guesses, plus one per 60/LIMIT seconds the guessing
    // took (a loaded machine may take seconds for these requests).
    let started = std::time::Instant::now();
    let mut statuses = Vec::new();
    for _ in 0..2 * LIMIT {
        let (status, _) = app
            .post_json("/api/unsubscribe?token=1.messages.guess", json!({}))
            .await;
        statuses.push(status);
    }
    let refilled = (started.elapsed().as_secs_f64() * f64::from(LIMIT) / 60.0).ceil() as usize;
    let answered = statuses
        .iter()
        .filter(|status| **status == StatusCode::BAD_REQUEST)
        .count();
    assert_eq!(statuses[0], StatusCode::BAD_REQUEST);
    assert!(
        answered <= LIMIT as usize + refilled,
        "{answered} guesses answered: {statuses:?}"
    );
    assert!(
        statuses.contains(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
}
