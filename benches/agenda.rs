//! A parent's calendar feed, as calendar apps poll it: a school of 12 groups with 2,000 agenda
//! items (400 for the whole school, the rest spread over the groups; a fifth repeat weekly
//! for twelve weeks with a date left out, a quarter are all day, some cancelled), and a parent
//! of three children in three groups who subscribed to everything.
//!
//! Prints the feed's size and events, the time one request takes to generate it (p50/p99 of
//! sequential requests), and requests/s with p50/p99 for 200 clients polling at once, against
//! the server's bare `/healthz` handler under the same load in the same run (the ratio is
//! what to compare). SQLite, then PostgreSQL when reachable.
//!
//! Run: `cargo bench --bench agenda` (optional: BENCH_SECONDS, default 10; BENCH_CONCURRENCY,
//! default 200).

use std::time::{Duration, Instant};

use chrono::{NaiveDate, NaiveTime};
use schoolgate::{
    app::config::{Secret, Settings},
    entities::users::{Language, Role},
    features::{
        accounts::{self, NewUser},
        agenda::{self, ItemRequest, RepeatRequest, WhenRequest},
        school::{self, NewChild},
    },
    platform::audience::Audience,
};

mod support;

const GROUPS: usize = 12;
const ITEMS: usize = 2_000;
const SCHOOL_ITEMS: usize = 400;

fn settings(database_url: String) -> Settings {
    let mut settings = Settings::embedded_defaults().unwrap();
    settings.database.url = Secret::new(database_url);
    settings.mail.folder = std::env::temp_dir().join("schoolgate-bench-mail");
    settings.security.login_attempts_per_account_per_minute = 100_000;
    settings.security.auth_requests_per_client_per_minute = 100_000;
    settings.delivery.run_worker = false;
    settings.schedule.run_scheduler = false;
    settings
}

/// Item `n`: spread from half a year back to a year ahead, some all day, some repeating.
fn item(n: usize, today: NaiveDate, groups: &[i32]) -> ItemRequest {
    let starts_on = today + chrono::Duration::days((n as i64 * 7) % 540 - 180);
    let timed = !n.is_multiple_of(4);
    let repeat = n.is_multiple_of(5).then(|| RepeatRequest {
        every_weeks: 1,
        until: starts_on + chrono::Duration::weeks(11),
        skip: vec![starts_on + chrono::Duration::weeks(3)],
    });
    ItemRequest {
        audience: if n < SCHOOL_ITEMS {
            Audience::School
        } else {
            Audience::Groups(vec![groups[n % groups.len()]])
        },
        title: format!("Agenda item {n}: parents' evening, sports, excursion"),
        description: "Please bring your child's library book and gym clothes; coffee from 18:45."
            .into(),
        place: "Aula, Schoolstraat 1".into(),
        when: WhenRequest {
            starts_on: Some(starts_on),
            ends_on: None,
            start_time: timed.then(|| NaiveTime::from_hms_opt(19, 0, 0).unwrap()),
            end_time: timed.then(|| NaiveTime::from_hms_opt(20, 30, 0).unwrap()),
            repeat,
        },
    }
}

async fn bench_backend(label: &'static str, url: String, concurrency: usize, seconds: f64) {
    let (state, base) = support::serve(settings(url)).await;
    let services: &schoolgate::platform::services::Services = &state;
    let (admin, _) = support::invite_admin(services, "office@bench.test").await;
    let mut groups = Vec::new();
    for n in 0..GROUPS {
        groups.push(
            school::create_group(services, &admin, &format!("Groep {n}"))
                .await
                .unwrap()
                .group
                .id,
        );
    }
    let invitation = accounts::invite(
        services,
        Some(admin.id),
        NewUser {
            email: "parent@bench.test".parse().unwrap(),
            first_name: "Anna".into(),
            name_prefix: None,
            last_name: "Jansen".into(),
            role: Role::Parent,
            language: Language::Nl,
        },
        false,
    )
    .await
    .unwrap();
    let parent_token = support::activate(services, &base, &invitation.activation_url).await;
    for (n, group) in groups.iter().take(3).enumerate() {
        let child = school::create_child(
            services,
            &admin,
            NewChild {
                external_id: format!("{n}"),
                first_name: format!("Kind {n}"),
                name_prefix: None,
                last_name: "Jansen".into(),
                group_id: Some(*group),
            },
        )
        .await
        .unwrap();
        school::link_parent(services, &admin, child.child.id, invitation.user.id, false)
            .await
            .unwrap();
    }
    let today = chrono::Utc::now().date_naive();
    let started = Instant::now();
    let mut first_id = None;
    for n in 0..ITEMS {
        let view = agenda::create(services, &admin, item(n, today, &groups))
            .await
            .unwrap();
        first_id.get_or_insert(view.item.row.id);
        if n % 50 == 1 {
            agenda::set_cancelled(services, &admin, view.item.row.id, true)
                .await
                .unwrap();
        }
    }
    println!(
        "{label}: {ITEMS} items written in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let client = reqwest::Client::new();
    let feed: serde_json::Value = client
        .post(format!("{base}/api/agenda/feeds"))
        .bearer_auth(&parent_token)
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let path = format!(
        "/api/{}",
        feed["https_url"]
            .as_str()
            .unwrap()
            .split_once("/api/")
            .unwrap()
            .1
    );
    let feed_url = format!("{base}{path}");

    let body = client
        .get(&feed_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let events = body.matches("BEGIN:VEVENT").count();
    let mut latencies = Vec::new();
    for _ in 0..100 {
        let sent = Instant::now();
        let answer = client.get(&feed_url).send().await.unwrap();
        assert!(answer.status().is_success());
        answer.bytes().await.unwrap();
        latencies.push(sent.elapsed());
    }
    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{label}: feed of {events} events (of {ITEMS} items, {GROUPS} groups; the parent's 3 groups and the school's), {} bytes; one request, unchanged agenda: p50 {:.1} ms, p99 {:.1} ms",
        body.len(),
        ms(latencies[latencies.len() / 2]),
        ms(latencies[latencies.len() * 99 / 100])
    );
    // Made anew: each request after a change (an item cancelled or restored).
    let mut remade = Vec::new();
    for n in 0..40 {
        let id = first_id.unwrap();
        agenda::set_cancelled(services, &admin, id, n % 2 == 0)
            .await
            .unwrap();
        let sent = Instant::now();
        client
            .get(&feed_url)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        remade.push(sent.elapsed());
    }
    remade.sort();
    println!(
        "{label}: made anew after a change: p50 {:.1} ms, p99 {:.1} ms",
        ms(remade[remade.len() / 2]),
        ms(remade[remade.len() * 99 / 100])
    );
    // The changes raised the item's SEQUENCE: the feed is a little longer now.
    let length = client
        .get(&feed_url)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .len();
    let polled = support::load(&feed_url, None, Some(length), concurrency, seconds).await;
    let bare = support::load(&format!("{base}/healthz"), None, None, concurrency, seconds).await;
    println!(
        "{label}: {concurrency} clients polling the feed: {:.0} requests/s (p50 {:.1} ms, p99 {:.1} ms); bare /healthz: {:.0} requests/s (p50 {:.1} ms, p99 {:.1} ms); ratio {:.3}",
        polled.per_second,
        polled.p50_ms,
        polled.p99_ms,
        bare.per_second,
        bare.p50_ms,
        bare.p99_ms,
        polled.per_second / bare.per_second
    );
}

#[tokio::main]
async fn main() {
    let (seconds, concurrency) = support::load_settings(10.0, 200);
    support::on_sqlite_and_postgres(|label, url| bench_backend(label, url, concurrency, seconds))
        .await;
}
