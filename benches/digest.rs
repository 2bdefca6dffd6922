//! The Wednesday digest for a large school: 10,000 parents with three children each in three
//! different classes (60 classes), 20 messages in the week (5 to the whole school, 15 to five
//! classes each). Measures the run (what each parent gets, one outbox row per parent) and the
//! delivery of every digest to a local SMTP sink, and compares the mails/s with lettre sending
//! ready-made mails of the same size through the same pooled transport in the same run.
//! SQLite, and PostgreSQL when reachable.
//!
//! Run: `cargo bench --bench digest`.

use std::{sync::atomic::Ordering, time::Instant};

use chrono::Duration as ChronoDuration;
use futures_util::StreamExt;
use schoolgate::{
    app::config::{MailTransportKind, Secret, Settings, SmtpTls},
    features::{
        accounts,
        digest::{self, Job},
        imports::ImportKind,
        school,
    },
    http::state::HttpState,
    platform::outbox::{mail::OutgoingMail, worker},
};
use serde_json::json;

mod support;

const PARENTS: usize = 10_000;
const CHILDREN_PER_PARENT: usize = 3;
const CLASSES: usize = 60;
const RAW_MAILS: usize = 2_000;

async fn start(database_url: String, smtp_port: u16) -> (HttpState, String) {
    let mut settings = Settings::embedded_defaults().unwrap();
    settings.database.url = Secret::new(database_url);
    settings.mail.transport = MailTransportKind::Smtp;
    settings.mail.smtp.host = "127.0.0.1".into();
    settings.mail.smtp.port = smtp_port;
    settings.mail.smtp.tls = SmtpTls::None;
    // The bench drives the run itself and measures its delivery.
    settings.schedule.run_scheduler = false;
    settings.delivery.run_worker = false;
    support::serve(settings).await
}

/// Imports the school and returns an admin's bearer token.
async fn school(state: &HttpState, base: &str) -> String {
    let (admin, activation_url) = support::invite_admin(state, "office@bench.test").await;
    let mut children = String::from("Kind-ID;Vorname;Nachname;Klasse\n");
    let mut parents = String::from("Vorname;Nachname;E-Mail;Kind-ID\n");
    for family in 0..PARENTS {
        for n in 0..CHILDREN_PER_PARENT {
            let child = family * CHILDREN_PER_PARENT + n;
            let class =
                n * (CLASSES / CHILDREN_PER_PARENT) + family % (CLASSES / CHILDREN_PER_PARENT);
            children.push_str(&format!(
                "{child};Kind{child};Familie{family};Klasse {class}\n"
            ));
            parents.push_str(&format!(
                "Ouder;Familie{family};ouder{family}@example.nl;{child}\n"
            ));
        }
    }
    support::import(state, &admin, ImportKind::Children, children).await;
    support::import(state, &admin, ImportKind::Parents, parents).await;
    support::activate(state, base, &activation_url).await
}

async fn post_messages(state: &HttpState, base: &str, bearer: &str) {
    let groups: Vec<i32> = school::list_groups(state)
        .await
        .unwrap()
        .into_iter()
        .map(|view| view.group.id)
        .collect();
    assert_eq!(groups.len(), CLASSES);
    let client = reqwest::Client::new();
    for n in 0..20 {
        let audience = if n < 5 {
            json!({ "to_school": true })
        } else {
            let five: Vec<i32> = (0..5).map(|k| groups[(n * 5 + k) % groups.len()]).collect();
            json!({ "group_ids": five })
        };
        let mut body = json!({
            "kind": "message",
            "title": format!("Message {n}: the week ahead"),
            "body": "Next week the children go to the library on Tuesday. Please remember their library cards and a bag. On Thursday afternoon school ends at 12:00.",
        });
        body.as_object_mut()
            .unwrap()
            .extend(audience.as_object().unwrap().clone());
        let response = client
            .post(format!("{base}/api/posts"))
            .bearer_auth(bearer)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
    }
    // Fan-out jobs of the messages (no push devices here): out of the way before measuring.
    worker::deliver_due(state).await.unwrap();
}

/// Mails/s when lettre sends ready-made mails of a digest's size through the same pooled
/// transport, as many at once as the delivery worker sends.
async fn raw_lettre_per_second(state: &HttpState, sample: &OutgoingMail) -> f64 {
    let started = Instant::now();
    let results: Vec<_> = futures_util::stream::iter(0..RAW_MAILS)
        .map(|_| state.mailer.send(sample.clone()))
        .buffer_unordered(worker::CONCURRENCY)
        .collect()
        .await;
    assert!(results.iter().all(Result::is_ok));
    RAW_MAILS as f64 / started.elapsed().as_secs_f64()
}

/// Parent 0's digest, rendered as the run will render it.
async fn sample_mail(state: &HttpState) -> OutgoingMail {
    let parent =
        accounts::store::users::find_by_email(&state.db, &"ouder0@example.nl".parse().unwrap())
            .await
            .unwrap()
            .unwrap();
    let preview = digest::preview(state, Job::Digest, &parent).await.unwrap();
    println!("digest of parent 0: {} messages", preview.items.len());
    let mail = preview.mail.unwrap();
    OutgoingMail {
        to: "Ouder Familie0 <ouder0@example.nl>".parse().unwrap(),
        subject: mail.mail.subject,
        text: mail.mail.text,
        html: mail.mail.html,
        list_unsubscribe: mail.one_click_unsubscribe_url,
        attachments: Vec::new(),
    }
}

async fn bench_backend(label: &str, database_url: String) {
    let (smtp_port, received) = support::start_smtp_sink().await;
    let (state, base) = start(database_url, smtp_port).await;
    let setup = Instant::now();
    let bearer = school(&state, &base).await;
    post_messages(&state, &base, &bearer).await;
    println!(
        "{label}: set-up (import of {PARENTS} parents, 20 messages) {:.1} s",
        setup.elapsed().as_secs_f64()
    );
    // Wednesday evening: the posts are a minute old.
    state.clock.advance(ChronoDuration::minutes(1));
    let sample = sample_mail(&state).await;

    let started = Instant::now();
    let run = digest::run_now(&state, Job::Digest).await.unwrap().unwrap();
    let queued = started.elapsed();
    let delivered_before = received.load(Ordering::Relaxed);
    let sending = Instant::now();
    let report = worker::deliver_due(&state).await.unwrap();
    let sent = sending.elapsed();
    let total = started.elapsed();
    assert_eq!(run.recipients as usize, PARENTS);
    assert_eq!(report.sent, PARENTS, "{report:?}");
    assert_eq!(received.load(Ordering::Relaxed) - delivered_before, PARENTS);
    let pipeline_rate = PARENTS as f64 / sent.as_secs_f64();
    println!(
        "{label}: run (contents + {PARENTS} outbox rows) {:.2} s; delivery (render + send + record) {:.2} s; total {:.2} s; {:.0} mails/s overall, {pipeline_rate:.0} mails/s while sending",
        queued.as_secs_f64(),
        sent.as_secs_f64(),
        total.as_secs_f64(),
        PARENTS as f64 / total.as_secs_f64(),
    );

    // Baseline: the same SMTP sink, transport and concurrency, mails rendered beforehand.
    let raw_rate = raw_lettre_per_second(&state, &sample).await;
    println!(
        "{label}: raw lettre (same mail size, pool, {} at once) {raw_rate:.0} mails/s; digest pipeline / raw = {:.2}",
        worker::CONCURRENCY,
        pipeline_rate / raw_rate
    );
}

#[tokio::main]
async fn main() {
    support::on_sqlite_and_postgres(bench_backend).await;
}
