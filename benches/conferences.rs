//! Booking conference slots under contention: one round of 60 ten-minute slots for a class
//! of 300 children (300 families), and 1,000 booking attempts released at the same moment:
//! each family sends 3 or 4 (double taps, both parents), each for a random slot. Prints the
//! bookings made, the double bookings found afterwards in the database (must be 0), the
//! answers by code, and p50/p99 latency; then, in the same run, the bare insert of the same
//! 1,000 claim rows straight into the database at the same moment (no HTTP, session or
//! reads) and the ratio. SQLite, then PostgreSQL when reachable.
//!
//! Run: `cargo bench --bench conferences`.

use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};

use chrono::{Duration as Days, NaiveTime};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, sea_query::Expr,
};

use schoolgate::{
    entities::{conference_bookings, conference_claims, users},
    features::{
        conferences::{self, RoundInput, rules::DayWindow},
        imports::ImportKind,
        school,
    },
    platform::sessions,
};

mod support;

const FAMILIES: usize = 300;
const ATTEMPTS: usize = 1_000;
const SLOTS: usize = 60;

/// A small random number generator (xorshift): the bench needs no crate for dice.
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

fn percentile(sorted: &[Duration], p: usize) -> f64 {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

async fn bench_backend(label: &'static str, url: String) {
    let log = Arc::new(support::StatementLog::default());
    let (state, base) = support::serve_with_statement_log(url, log).await;
    let (admin, _) = support::invite_admin(&state, "office@bench.test").await;
    let mut children = String::from("Kind-ID;Vorname;Nachname;Klasse\n");
    let mut parents = String::from("Vorname;Nachname;E-Mail;Telefon;Kind-ID\n");
    for n in 0..FAMILIES {
        children.push_str(&format!("{n};Kind{n};Familie{n};Klasse 1\n"));
        parents.push_str(&format!("Ouder;Familie{n};ouder{n}@example.nl;;{n}\n"));
    }
    support::import(&state, &admin, ImportKind::Children, children).await;
    support::import(&state, &admin, ImportKind::Parents, parents).await;
    let group = school::list_groups(&state).await.unwrap()[0].group.id;

    // One day from 13:00, 60 slots of 10 minutes (no breaks): until 23:00.
    let day = (state.clock.now() + Days::days(14)).date_naive();
    let at = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap();
    let input = RoundInput {
        group_id: group,
        title: "Bench conferences".into(),
        message: String::new(),
        location: String::new(),
        video_link: String::new(),
        slot_minutes: 10,
        opens_at: None,
        deadline_at: None,
        days: vec![DayWindow {
            date: day,
            from: at(13),
            to: at(23),
            breaks: Vec::new(),
        }],
    };
    let page = conferences::create(&state, &admin, input).await.unwrap();
    let round = page.view.round.id;
    let slot_ids: Vec<i32> = page.slots.iter().map(|slot| slot.slot.id).collect();
    assert_eq!(slot_ids.len(), SLOTS);

    // Sessions made directly: 300 password hashes would only slow the setup.
    users::Entity::update_many()
        .col_expr(users::Column::State, Expr::value("active"))
        .filter(users::Column::Email.like("ouder%@example.nl"))
        .exec(&state.db)
        .await
        .unwrap();
    let children_by_family: HashMap<String, i32> = school::list_children(&state, &admin)
        .await
        .unwrap()
        .into_iter()
        .map(|view| (view.child.external_id.clone(), view.child.id))
        .collect();
    let mut families = Vec::new();
    for n in 0..FAMILIES {
        let parent = users::Entity::find()
            .filter(users::Column::Email.eq(format!("ouder{n}@example.nl")))
            .one(&state.db)
            .await
            .unwrap()
            .unwrap();
        let session = sessions::create(&state.db, parent.id, Days::days(1), state.clock.now())
            .await
            .unwrap();
        families.push((session.token, children_by_family[&n.to_string()]));
    }

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(ATTEMPTS)
        .build()
        .unwrap();
    // All 1,000 attempts at once: each family sends 3 or 4 (a double tap, the other parent
    // on another phone), each for a random slot.
    let started = Instant::now();
    let gate = Arc::new(tokio::sync::Barrier::new(ATTEMPTS));
    let mut workers = Vec::new();
    for attempt in 0..ATTEMPTS {
        let (token, child) = families[attempt % FAMILIES].clone();
        let client = client.clone();
        let wanted = slot_ids[Dice(attempt as u64 * 7919 + 17).below(slot_ids.len())];
        let url = format!("{base}/api/conferences/{round}/children/{child}/booking");
        let gate = gate.clone();
        workers.push(tokio::spawn(async move {
            gate.wait().await;
            let sent = Instant::now();
            let response = client
                .put(&url)
                .bearer_auth(&token)
                .json(&serde_json::json!({ "slot_id": wanted }))
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let body: serde_json::Value = response.json().await.unwrap_or_default();
            vec![(
                status,
                body["code"].as_str().unwrap_or("ok").to_string(),
                sent.elapsed(),
            )]
        }));
    }
    let mut latencies = Vec::new();
    let mut codes: HashMap<String, usize> = HashMap::new();
    for worker in workers {
        for (_, code, latency) in worker.await.unwrap() {
            *codes.entry(code).or_default() += 1;
            latencies.push(latency);
        }
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let bookings = conference_bookings::Entity::find()
        .filter(conference_bookings::Column::RoundId.eq(round))
        .all(&state.db)
        .await
        .unwrap();
    let claims = conference_claims::Entity::find()
        .filter(conference_claims::Column::RoundId.eq(round))
        .all(&state.db)
        .await
        .unwrap();
    let mut per_slot: HashMap<i32, usize> = HashMap::new();
    for claim in &claims {
        *per_slot.entry(claim.slot_id).or_default() += 1;
    }
    let double_bookings = per_slot.values().filter(|count| **count > 1).count();
    // Every booking holds exactly one slot (no double slots here), every claim names one.
    let mut held: HashMap<i32, usize> = HashMap::new();
    for claim in claims.iter().filter_map(|claim| claim.booking_id) {
        *held.entry(claim).or_default() += 1;
    }
    assert!(
        bookings
            .iter()
            .all(|booking| held.get(&booking.id) == Some(&1))
    );
    assert_eq!(claims.len(), bookings.len());
    let mut per_child: HashMap<i32, usize> = HashMap::new();
    for booking in &bookings {
        *per_child.entry(booking.child_id).or_default() += 1;
    }
    let children_twice = per_child.values().filter(|count| **count > 1).count();
    let mut codes: Vec<_> = codes.into_iter().collect();
    codes.sort();
    println!(
        "{label}: {} attempts at once by {FAMILIES} families on {SLOTS} slots, all answered in {:.2} s ({:.0} attempts/s): {} bookings made, \
         {double_bookings} double bookings, {children_twice} children booked twice; answers {codes:?}",
        latencies.len(),
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        bookings.len(),
    );
    let (p50, p99) = (percentile(&latencies, 50), percentile(&latencies, 99));
    println!("{label}: booking request latency p50 {p50:.2} ms, p99 {p99:.2} ms");

    // The baseline: the same claim rows (1,000 attempts on the 60 slots) inserted straight
    // into the database with the same concurrency, into a fresh round's slots.
    let page = conferences::create(
        &state,
        &admin,
        RoundInput {
            group_id: group,
            title: "Baseline".into(),
            message: String::new(),
            location: String::new(),
            video_link: String::new(),
            slot_minutes: 10,
            opens_at: None,
            deadline_at: None,
            days: vec![DayWindow {
                date: day + Days::days(1),
                from: at(13),
                to: at(23),
                breaks: Vec::new(),
            }],
        },
    )
    .await
    .unwrap();
    let baseline_round = page.view.round.id;
    let baseline_slots: Vec<i32> = page.slots.iter().map(|slot| slot.slot.id).collect();
    let started = Instant::now();
    let gate = Arc::new(tokio::sync::Barrier::new(ATTEMPTS));
    let mut workers = Vec::new();
    for attempt in 0..ATTEMPTS {
        let db = state.db.clone();
        let slot = baseline_slots[Dice(attempt as u64 * 7919 + 17).below(baseline_slots.len())];
        let gate = gate.clone();
        workers.push(tokio::spawn(async move {
            gate.wait().await;
            let sent = Instant::now();
            // A unique violation is the expected answer for most.
            let _ = conference_claims::Entity::insert(conference_claims::ActiveModel {
                slot_id: Set(slot),
                round_id: Set(baseline_round),
                booking_id: Set(None),
                ..Default::default()
            })
            .exec(&db)
            .await;
            vec![sent.elapsed()]
        }));
    }
    let mut bare = Vec::new();
    for worker in workers {
        bare.extend(worker.await.unwrap());
    }
    let bare_elapsed = started.elapsed();
    bare.sort();
    let taken = conference_claims::Entity::find()
        .filter(conference_claims::Column::RoundId.eq(baseline_round))
        .count(&state.db)
        .await
        .unwrap();
    let (bare_p50, bare_p99) = (percentile(&bare, 50), percentile(&bare, 99));
    println!(
        "{label}: bare insert of claim rows, {} attempts in {:.2} s ({taken} rows): p50 {bare_p50:.2} ms, p99 {bare_p99:.2} ms; booking / bare: p50 {:.1}x, p99 {:.1}x",
        bare.len(),
        bare_elapsed.as_secs_f64(),
        p50 / bare_p50,
        p99 / bare_p99
    );
}

#[tokio::main]
async fn main() {
    support::on_sqlite_and_postgres(bench_backend).await;
}
