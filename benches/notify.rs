//! An urgent notice to a school: 2,500 parents with 4,000 push devices (1,500 parents with
//! two, 1,000 with one) against a local push service and SMTP sink, first without faults,
//! then with the faults real services show: 3% of devices answer 500 once, 2% answer 429
//! with `Retry-After: 2` once, 1% are gone (410); the relay refuses the first 20 mails with
//! 451 and drops every 100th connection. Prints the POST's latency, the time until the last
//! device and the last e-mail, and push throughput as a ratio of raw encrypt+sign throughput
//! measured in the same run. Then the same with the server process SIGKILLed 0.5 s after
//! the POST and started again: when the last device and e-mail got it, and how many got it
//! twice. SQLite, and PostgreSQL when reachable.
//!
//! Run: `cargo bench --bench notify`.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use poem::{
    EndpointExt, Response, Route, Server, handler,
    http::StatusCode,
    listener::TcpAcceptor,
    post,
    web::{Data, Path},
};
use schoolgate::{
    app::config::{MailTransportKind, Secret, Settings, SmtpTls},
    entities::users::Role,
    features::{accounts, imports::ImportKind, school},
    platform::{
        db,
        outbox::devices::{self, NewDevice},
    },
};
use serde_json::json;
use web_push::{ContentEncoding, SubscriptionInfo, VapidSignatureBuilder, WebPushMessageBuilder};

mod support;

use support::server_process::ServerProcess;

const PARENTS: usize = 2_500;
/// Parents with a second device: 1,500 x 2 + 1,000 x 1 = 4,000 devices.
const PARENTS_WITH_TWO_DEVICES: usize = 1_500;
const DEVICES: usize = PARENTS + PARENTS_WITH_TWO_DEVICES;

/// What the push service does with a device's first request, by the device's number: of
/// each 100 devices, 3 answer 500, 2 answer 429, 1 is gone; later requests are accepted.
fn first_answer(device: usize, faults: bool) -> Option<StatusCode> {
    match (faults, device % 100) {
        (true, 0..=2) => Some(StatusCode::INTERNAL_SERVER_ERROR),
        (true, 3..=4) => Some(StatusCode::TOO_MANY_REQUESTS),
        (true, 5) => Some(StatusCode::GONE),
        _ => None,
    }
}

struct PushService {
    faults: bool,
    delivered: AtomicUsize,
    requests: Mutex<HashMap<usize, usize>>,
}

#[handler]
fn accept_push(Path(device): Path<usize>, Data(service): Data<&Arc<PushService>>) -> Response {
    let tries = {
        let mut requests = service.requests.lock().unwrap();
        let tries = requests.entry(device).or_default();
        *tries += 1;
        *tries
    };
    let answer = first_answer(device, service.faults);
    match answer {
        Some(StatusCode::GONE) => return StatusCode::GONE.into(),
        Some(status) if tries == 1 => {
            return Response::builder()
                .status(status)
                .header("Retry-After", "2")
                .finish();
        }
        _ => {}
    }
    service.delivered.fetch_add(1, Ordering::Relaxed);
    StatusCode::CREATED.into()
}

async fn start_push_service(faults: bool) -> (u16, Arc<PushService>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let service = Arc::new(PushService {
        faults,
        delivered: AtomicUsize::new(0),
        requests: Mutex::default(),
    });
    let app = Route::new()
        .at("/push/:device", post(accept_push))
        .data(service.clone());
    tokio::spawn(Server::new_with_acceptor(TcpAcceptor::from_tokio(listener).unwrap()).run(app));
    (port, service)
}

fn device_keys() -> (String, String) {
    let (key_pair, auth) = ece::generate_keypair_and_auth_secret().unwrap();
    (
        URL_SAFE_NO_PAD.encode(key_pair.pub_as_raw().unwrap()),
        URL_SAFE_NO_PAD.encode(auth),
    )
}

/// Messages per second when every message is encrypted and freshly signed, in one thread.
fn raw_encrypt_and_sign_per_second(endpoint: &str) -> f64 {
    let (p256dh, auth) = device_keys();
    let info = SubscriptionInfo::new(endpoint.to_string(), p256dh, auth);
    let private_key = {
        let (pair, _) = ece::generate_keypair_and_auth_secret().unwrap();
        let raw = pair.raw_components().unwrap().private_key().to_vec();
        let mut scalar = [0u8; 32];
        scalar[32 - raw.len()..].copy_from_slice(&raw);
        URL_SAFE_NO_PAD.encode(scalar)
    };
    let payload = br#"{"post_id":1,"kind":"urgent","title":"School closes at 12:00","body":"Because of the storm warning, school closes at noon today.","url":"/posts/1"}"#;
    let rounds = 1_000;
    let started = Instant::now();
    for _ in 0..rounds {
        let mut builder = WebPushMessageBuilder::new(&info);
        builder.set_payload(ContentEncoding::Aes128Gcm, payload);
        builder.set_vapid_signature(
            VapidSignatureBuilder::from_base64(&private_key, &info)
                .unwrap()
                .build()
                .unwrap(),
        );
        builder.build().unwrap();
    }
    rounds as f64 / started.elapsed().as_secs_f64()
}

/// How a run ends: delivered by the server that took the POST, or by a restarted one.
#[derive(Clone, Copy, PartialEq)]
enum Run {
    Undisturbed,
    /// The server process is SIGKILLed this long after the POST and started again under
    /// the same worker name.
    KilledAfter(Duration),
}

async fn bench_backend(label: &str, database_url: String, faults: bool, run: Run) {
    let (push_port, pushes) = start_push_service(faults).await;
    let (smtp_port, mails) = if faults {
        support::start_faulty_smtp_sink(20, 100).await
    } else {
        support::start_smtp_sink().await
    };
    let mut settings = Settings::embedded_defaults().unwrap();
    settings.database.url = Secret::new(database_url);
    settings.mail.transport = MailTransportKind::Smtp;
    settings.mail.smtp.host = "127.0.0.1".into();
    settings.mail.smtp.port = smtp_port;
    settings.mail.smtp.tls = SmtpTls::None;
    settings.push.allowed_hosts = vec!["127.0.0.1".into()];
    settings.push.allow_insecure = true;
    settings.security.login_attempts_per_account_per_minute = 1000;
    // Pool size to compare against the default (10), e.g. BENCH_DB_CONNECTIONS=32.
    if let Ok(connections) = std::env::var("BENCH_DB_CONNECTIONS") {
        settings.database.max_connections = connections.parse().expect("a number");
    }
    if run != Run::Undisturbed {
        // This process only sets up the school; a real server process delivers.
        settings.delivery.run_worker = false;
    }
    let (state, base) = support::serve(settings.clone()).await;

    // The school: one year group of 2,500 children, one parent each, with 4,000 devices.
    let (admin, activation_url) = support::invite_admin(&state, "office@bench.test").await;
    let children: String = (0..PARENTS)
        .map(|n| format!("{n};Kind{n};Familie{n};Jaar 6\n"))
        .collect();
    let parents: String = (0..PARENTS)
        .map(|n| format!("Ouder;Familie{n};ouder{n}@example.nl;{n}\n"))
        .collect();
    let children = format!("Kind-ID;Vorname;Nachname;Klasse\n{children}");
    support::import(&state, &admin, ImportKind::Children, children).await;
    let parents = format!("Vorname;Nachname;E-Mail;Kind-ID\n{parents}");
    support::import(&state, &admin, ImportKind::Parents, parents).await;
    let keys: Vec<(String, String)> = (0..16).map(|_| device_keys()).collect();
    let now = state.clock.now();
    let parent_ids: Vec<i32> = accounts::list(&state, &admin, Some(Role::Parent))
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.id)
        .collect();
    let txn = db::begin_write(&state.db).await.unwrap();
    let mut device_number = 0;
    for (n, parent_id) in parent_ids.iter().enumerate() {
        let devices = if n < PARENTS_WITH_TWO_DEVICES { 2 } else { 1 };
        for _ in 0..devices {
            let (p256dh, auth) = &keys[device_number % keys.len()];
            let endpoint = format!("http://127.0.0.1:{push_port}/push/{device_number}");
            device_number += 1;
            let device = NewDevice {
                endpoint: &endpoint,
                p256dh,
                auth,
            };
            devices::save(&txn, *parent_id, device, now).await.unwrap();
        }
    }
    txn.commit().await.unwrap();
    let group_id = school::list_groups(&state).await.unwrap()[0].group.id;
    let bearer = support::activate(&state, &base, &activation_url).await;
    let client = reqwest::Client::new();
    let binary = env!("CARGO_BIN_EXE_schoolgate");
    let worker = [
        ("SCHOOLGATE_DELIVERY__WORKER_NAME", "bench-server"),
        ("RUST_LOG", "error"),
    ];
    let mut server = match run {
        Run::Undisturbed => None,
        Run::KilledAfter(_) => Some(ServerProcess::start(binary, &settings, &worker).await),
    };
    let base = server.as_ref().map_or(base, ServerProcess::base_url);

    let started = Instant::now();
    let response = client.post(format!("{base}/api/posts")).bearer_auth(&bearer)
        .json(&json!({ "kind": "urgent", "group_ids": [group_id], "title": "School closes at 12:00", "body": "Because of the storm warning, school closes at noon today." }))
        .send().await.unwrap();
    let post_latency = started.elapsed();
    assert_eq!(response.status(), 201);
    let gone = (0..DEVICES)
        .filter(|&device| first_answer(device, faults) == Some(StatusCode::GONE))
        .count();
    let expected_pushes = DEVICES - gone;
    let mut first_push = None;
    let mut pushes_done = None;
    let mut mails_done = None;
    let mut restarted = None;
    let mut replacement = None;
    let mut at_kill = (0, 0);
    while pushes_done.is_none() || mails_done.is_none() {
        if let Run::KilledAfter(after) = run
            && restarted.is_none()
            && started.elapsed() >= after
        {
            server.take().unwrap().kill();
            at_kill = (
                pushes.delivered.load(Ordering::Relaxed),
                mails.load(Ordering::Relaxed),
            );
            replacement = Some(ServerProcess::start(binary, &settings, &worker).await);
            restarted = Some(started.elapsed());
        }
        let (p, m) = (
            pushes.delivered.load(Ordering::Relaxed),
            mails.load(Ordering::Relaxed),
        );
        if first_push.is_none() && p > 0 {
            first_push = Some(started.elapsed());
        }
        if pushes_done.is_none() && p >= expected_pushes {
            pushes_done = Some(started.elapsed());
        }
        if mails_done.is_none() && m >= PARENTS {
            mails_done = Some(started.elapsed());
        }
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "only {p} pushes and {m} mails after 300 s"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let (pushes_done, mails_done) = (pushes_done.unwrap(), mails_done.unwrap());
    let first_push = first_push.unwrap();
    let push_rate = expected_pushes as f64 / (pushes_done - first_push).as_secs_f64().max(0.001);
    let raw_rate =
        raw_encrypt_and_sign_per_second(&format!("http://127.0.0.1:{push_port}/push/raw"));
    let faults = if faults {
        format!("with faults ({gone} devices gone)")
    } else {
        "without faults".into()
    };
    let label = match run {
        Run::Undisturbed => format!("{label} {faults}"),
        Run::KilledAfter(after) => {
            format!(
                "{label} {faults}, SIGKILL {} ms after the POST",
                after.as_millis()
            )
        }
    };
    println!(
        "{label}: POST /api/posts {:.1} ms; first push after {:.2} s; {expected_pushes} pushes done after {:.2} s; {PARENTS} e-mails done after {:.2} s; last delivery {:.2} s",
        post_latency.as_secs_f64() * 1000.0,
        first_push.as_secs_f64(),
        pushes_done.as_secs_f64(),
        mails_done.as_secs_f64(),
        pushes_done.max(mails_done).as_secs_f64()
    );
    println!(
        "{label}: push throughput {push_rate:.0}/s (whole pipeline, 2 cores shared with the push service, SMTP sink and e-mails) vs raw encrypt+fresh-sign {raw_rate:.0}/s on one thread: ratio {:.2}",
        push_rate / raw_rate
    );
    if let Some(restarted) = restarted {
        // Give repeats a moment to show before counting them.
        tokio::time::sleep(Duration::from_secs(2)).await;
        println!(
            "{label}: {} pushes and {} e-mails out before the kill; restarted server up after {:.2} s, last delivery {:.2} s after that; sent twice: {} pushes, {} e-mails",
            at_kill.0,
            at_kill.1,
            restarted.as_secs_f64(),
            (pushes_done.max(mails_done) - restarted).as_secs_f64(),
            pushes.delivered.load(Ordering::Relaxed) - expected_pushes,
            mails.load(Ordering::Relaxed) - PARENTS,
        );
    }
    // The restarted server runs until the figures are in.
    drop(replacement);
}

#[tokio::main]
async fn main() {
    // RUST_LOG=schoolgate=info shows what the server logs while it sends (fan-out timing).
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .init();
    }
    let killed = Run::KilledAfter(Duration::from_millis(500));
    for (faults, run) in [
        (false, Run::Undisturbed),
        (true, Run::Undisturbed),
        (false, killed),
        (true, killed),
    ] {
        // BENCH_RUNS=killed (or quiet) runs only those, e.g. while profiling.
        let wanted = std::env::var("BENCH_RUNS").unwrap_or_default();
        let name = if run == Run::Undisturbed {
            "quiet"
        } else {
            "killed"
        };
        if !wanted.is_empty() && wanted != name {
            continue;
        }
        support::on_sqlite_and_postgres(|label, url| bench_backend(label, url, faults, run)).await;
    }
}
