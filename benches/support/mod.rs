//! Shared by the benchmarks: the server on a free port, each database backend in turn, a
//! throw-away PostgreSQL database, an SMTP sink.

// Each benchmark uses a part of this module.
#![allow(dead_code)]

use std::{
    future::Future,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use schoolgate::platform::services::Services;
use schoolgate::{
    app::{
        actor::Actor,
        clock::Clock,
        config::{Secret, Settings},
    },
    entities::users::{Language, Role},
    features::{
        accounts::{self, NewUser},
        imports::{self, ApplyOptions, ImportKind},
    },
    http::state::HttpState,
    platform::db,
    startup::Application,
};
use sea_orm::{ConnectionTrait, Database};

#[path = "../../tests/support/server_process.rs"]
pub mod server_process;

pub const PASSWORD: &str = "Zomer-Vakantie7";

/// Starts the server with `settings` (database migrated) on a free local port and keeps it
/// running; returns its state and base URL.
pub async fn serve(mut settings: Settings) -> (HttpState, String) {
    settings.server.bind = "127.0.0.1:0".into();
    let app = Application::build(settings).await.unwrap();
    let state = app.state();
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until(std::future::pending()));
    (state, base)
}

/// An invited admin, made the way `schoolgate admin create` makes one: the admin as actor
/// and the activation link.
pub async fn invite_admin(services: &Services, email: &str) -> (Actor, String) {
    let new = NewUser {
        email: email.parse().unwrap(),
        first_name: "Office".into(),
        name_prefix: None,
        last_name: "Bench".into(),
        role: Role::Admin,
        language: Language::En,
    };
    let invitation = accounts::invite(services, None, new, false)
        .await
        .map_err(|err| err.to_string())
        .unwrap();
    let actor = Actor {
        id: invitation.user.id,
        role: Role::Admin,
    };
    (actor, invitation.activation_url)
}

/// Activates an account through the API with `PASSWORD`; returns the session's bearer token.
pub async fn activate(services: &Services, base: &str, activation_url: &str) -> String {
    let token = activation_url.split_once("#token=").unwrap().1;
    let session: serde_json::Value = reqwest::Client::new()
        .post(format!("{base}/api/auth/activate"))
        .json(&serde_json::json!({
            "token": token, "password": PASSWORD, "password_repeat": PASSWORD, "consent": true,
            "consent_version": services.settings.security.consent_version,
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    session["token"].as_str().unwrap().to_string()
}

/// Previews and applies an import file as `admin`.
pub async fn import(services: &Services, admin: &Actor, kind: ImportKind, file: String) {
    let preview = imports::preview(services, admin, kind, "bench.csv".into(), file.into_bytes())
        .await
        .unwrap();
    imports::apply(services, admin, &preview.id, ApplyOptions::default())
        .await
        .unwrap();
}

/// Runs `bench` with a label and database URL on a fresh SQLite file, then on a fresh
/// PostgreSQL database (dropped afterwards), or says that PostgreSQL was not reachable.
pub async fn on_sqlite_and_postgres<Bench, Run>(mut bench: Bench)
where
    Bench: FnMut(&'static str, String) -> Run,
    Run: Future<Output = ()>,
{
    // BENCH_DATABASES=postgres (or sqlite) runs one of them, e.g. while profiling.
    let only = std::env::var("BENCH_DATABASES").unwrap_or_default();
    let dir = tempfile::tempdir().unwrap();
    let sqlite_url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.db").display()
    );
    if only != "postgres" {
        bench("sqlite", sqlite_url).await;
    }
    if only == "sqlite" {
        return;
    }
    match create_postgres_database().await {
        Some((url, name)) => {
            bench("postgres", url).await;
            drop_postgres_database(&name).await;
        }
        None => println!("postgres: not reachable, skipped"),
    }
}

fn admin_url() -> String {
    std::env::var("BENCH_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A new, empty database on the local PostgreSQL (BENCH_POSTGRES_URL, default the local
/// server); `None` when PostgreSQL cannot be reached. Returns its URL and name.
pub async fn create_postgres_database() -> Option<(String, String)> {
    let admin_url = admin_url();
    let admin = Database::connect(&admin_url).await.ok()?;
    let name = format!(
        "schoolgate_bench_{}",
        &uuid::Uuid::new_v4().simple().to_string()[..16]
    );
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .ok()?;
    Some((format!("{}/{name}", admin_url.rsplit_once('/')?.0), name))
}

pub async fn drop_postgres_database(name: &str) {
    if let Ok(admin) = Database::connect(&admin_url()).await {
        let drop = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        let _ = admin.execute_unprepared(&drop).await;
    }
}

/// An SMTP server that accepts and counts every message, for load figures.
pub async fn start_smtp_sink() -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    start_faulty_smtp_sink(0, 0).await
}

/// An SMTP sink that misbehaves like real relays: the first `tempfails` mails are refused
/// with 451, and every `drop_every`-th DATA (0: none) loses its connection.
pub async fn start_faulty_smtp_sink(
    tempfails: usize,
    drop_every: usize,
) -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    };
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(AtomicUsize::new(0));
    let counter = received.clone();
    let data_commands = Arc::new(AtomicUsize::new(0));
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let counter = counter.clone();
            let data_commands = data_commands.clone();
            tokio::spawn(async move {
                let (reader, mut writer) = stream.into_split();
                let mut lines = BufReader::new(reader);
                let _ = writer.write_all(b"220 sink\r\n").await;
                let mut line = String::new();
                let mut in_data = false;
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    if in_data {
                        if line == ".\r\n" {
                            in_data = false;
                            counter.fetch_add(1, Ordering::Relaxed);
                            let _ = writer.write_all(b"250 ok\r\n").await;
                        }
                        continue;
                    }
                    let command = line.to_ascii_uppercase();
                    let reply: &[u8] = if command.starts_with("EHLO") {
                        b"250-sink\r\n250 8BITMIME\r\n"
                    } else if command.starts_with("DATA") {
                        let n = data_commands.fetch_add(1, Ordering::Relaxed) + 1;
                        if n <= tempfails {
                            b"451 4.3.0 try again later\r\n"
                        } else if drop_every > 0 && n.is_multiple_of(drop_every) {
                            return;
                        } else {
                            in_data = true;
                            b"354 go\r\n"
                        }
                    } else if command.starts_with("QUIT") {
                        let _ = writer.write_all(b"221 bye\r\n").await;
                        return;
                    } else {
                        b"250 ok\r\n"
                    };
                    let _ = writer.write_all(reply).await;
                }
            });
        }
    });
    (port, received)
}

/// What a load run measured.
pub struct LoadResult {
    pub requests: usize,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

/// `concurrency` clients send GET requests back to back for `seconds`, with a Bearer token
/// when given; with `expected_bytes`, every answer must be that long.
pub async fn load(
    url: &str,
    token: Option<&str>,
    expected_bytes: Option<usize>,
    concurrency: usize,
    seconds: f64,
) -> LoadResult {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let client = client.clone();
        let url = url.to_string();
        let token = token.map(str::to_string);
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let sent = Instant::now();
                let mut request = client.get(&url);
                if let Some(token) = &token {
                    request = request.bearer_auth(token);
                }
                let response = request.send().await.expect("request");
                assert!(response.status().is_success(), "{}", response.status());
                let body = response.bytes().await.unwrap();
                latencies.push(sent.elapsed());
                if let Some(expected) = expected_bytes {
                    assert_eq!(body.len(), expected);
                }
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await.unwrap());
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let percentile = |p: f64| {
        latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)].as_secs_f64()
            * 1000.0
    };
    LoadResult {
        requests: latencies.len(),
        per_second: latencies.len() as f64 / elapsed,
        p50_ms: percentile(0.50),
        p99_ms: percentile(0.99),
    }
}

/// BENCH_SECONDS and BENCH_CONCURRENCY, or the bench's defaults; printed with the core count.
pub fn load_settings(default_seconds: f64, default_concurrency: usize) -> (f64, usize) {
    let seconds: f64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default_seconds);
    let concurrency: usize = std::env::var("BENCH_CONCURRENCY")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default_concurrency);
    println!(
        "concurrency {concurrency}, {seconds} s per measurement, {} cores",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    (seconds, concurrency)
}

/// Every statement sea-orm runs on the server's connection: counted always, its SQL kept
/// while `recording` is on.
#[derive(Default)]
pub struct StatementLog {
    count: AtomicUsize,
    recording: AtomicBool,
    statements: Mutex<Vec<String>>,
}

impl StatementLog {
    pub fn count(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }

    /// The statements `during` runs (nothing else may use the server meanwhile).
    pub async fn record<T>(&self, during: impl Future<Output = T>) -> (T, Vec<String>) {
        self.statements.lock().unwrap().clear();
        self.recording.store(true, Ordering::SeqCst);
        let result = during.await;
        self.recording.store(false, Ordering::SeqCst);
        (
            result,
            std::mem::take(&mut *self.statements.lock().unwrap()),
        )
    }
}

/// Starts Schoolgate on `database_url` with the statement log on its connection; returns its
/// state and base URL.
pub async fn serve_with_statement_log(
    database_url: String,
    log: Arc<StatementLog>,
) -> (HttpState, String) {
    let mut settings = Settings::embedded_defaults().unwrap();
    settings.server.bind = "127.0.0.1:0".into();
    settings.database.url = Secret::new(database_url);
    settings.mail.folder = std::env::temp_dir().join("schoolgate-bench-mail");
    settings.security.login_attempts_per_account_per_minute = 100_000;
    settings.security.auth_requests_per_client_per_minute = 100_000;
    settings.delivery.run_worker = false;
    settings.schedule.run_scheduler = false;
    let mut connection = db::connect(&settings.database).await.unwrap();
    db::migrate(&connection).await.unwrap();
    connection.set_metric_callback(move |info| {
        log.count.fetch_add(1, Ordering::SeqCst);
        if log.recording.load(Ordering::SeqCst) {
            log.statements
                .lock()
                .unwrap()
                .push(info.statement.sql.clone());
        }
    });
    let app = Application::build_with(settings, connection, Clock::default())
        .await
        .unwrap();
    let state = app.state();
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until(std::future::pending()));
    (state, base)
}
