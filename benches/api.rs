//! Throughput and p99 latency of an authenticated `GET /api/me` against a bare poem handler
//! measured in the same run (the ratio is what to compare), and login latency against raw
//! argon2id verification. SQLite always; PostgreSQL too when it is reachable
//! (BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/postgres).
//!
//! Run: `cargo bench --bench api` (optional: BENCH_SECONDS, BENCH_CONCURRENCY).

use std::time::Instant;

use poem::{Route, Server, get, handler, listener::TcpAcceptor, web::Json};
use schoolgate::{
    app::config::{Secret, Settings},
    features::accounts::rules::password,
};
use serde_json::json;
use support::PASSWORD;

#[handler]
fn bare_me() -> Json<serde_json::Value> {
    Json(json!({ "id": 1, "email": "admin@bench.test", "first_name": "Bench", "role": "admin" }))
}

async fn start_bare_poem() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let acceptor = TcpAcceptor::from_tokio(listener).unwrap();
    tokio::spawn(Server::new_with_acceptor(acceptor).run(Route::new().at("/api/me", get(bare_me))));
    format!("http://127.0.0.1:{port}/api/me")
}

/// Starts Schoolgate on `database_url` with one active admin; returns base URL and token.
async fn start_schoolgate(database_url: String) -> (String, String) {
    let mut settings = Settings::embedded_defaults().unwrap();
    settings.database.url = Secret::new(database_url);
    settings.mail.folder = std::env::temp_dir().join("schoolgate-bench-mail");
    settings.security.login_attempts_per_account_per_minute = 100_000;
    settings.security.auth_requests_per_client_per_minute = 100_000;
    let (state, base) = support::serve(settings).await;
    let (_, activation_url) = support::invite_admin(&state, "admin@bench.test").await;
    let token = support::activate(&state, &base, &activation_url).await;
    (base, token)
}

async fn login_latencies(base: &str, rounds: usize) -> Vec<f64> {
    let client = reqwest::Client::new();
    let mut latencies = Vec::new();
    for _ in 0..rounds {
        let started = Instant::now();
        let response = client
            .post(format!("{base}/api/auth/login"))
            .json(&json!({ "email": "admin@bench.test", "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success());
        latencies.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    latencies.sort_by(f64::total_cmp);
    latencies
}

fn median(sorted: &[f64]) -> f64 {
    sorted[sorted.len() / 2]
}

async fn bench_backend(
    label: &str,
    database_url: String,
    bare_url: &str,
    concurrency: usize,
    seconds: f64,
) {
    let (base, token) = start_schoolgate(database_url).await;
    let me_url = format!("{base}/api/me");
    // Warm-up both, then alternate so drift of the machine hits both sides alike.
    support::load(bare_url, None, None, concurrency, 1.0).await;
    support::load(&me_url, Some(&token), None, concurrency, 1.0).await;
    let mut ratios = Vec::new();
    for round in 1..=3 {
        let bare = support::load(bare_url, None, None, concurrency, seconds).await;
        let app = support::load(&me_url, Some(&token), None, concurrency, seconds).await;
        let ratio = app.per_second / bare.per_second;
        ratios.push(ratio);
        println!(
            "{label} round {round}: GET /api/me {:>8.0} req/s p50 {:>6.2} ms p99 {:>6.2} ms ({} requests) | bare poem {:>8.0} req/s p50 {:>6.2} ms p99 {:>6.2} ms | ratio {:.2}",
            app.per_second,
            app.p50_ms,
            app.p99_ms,
            app.requests,
            bare.per_second,
            bare.p50_ms,
            bare.p99_ms,
            ratio
        );
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "{label}: median throughput ratio app/bare = {:.2}",
        median(&ratios)
    );

    let logins = login_latencies(&base, 20).await;
    println!(
        "{label}: POST /api/auth/login median {:.1} ms, max {:.1} ms (20 sequential logins)",
        median(&logins),
        logins[logins.len() - 1]
    );
}

mod support;

#[tokio::main]
async fn main() {
    let (seconds, concurrency) = support::load_settings(4.0, 32);

    // Baseline for login: one argon2id verification with the same parameters, in-process.
    let hash = password::hash(PASSWORD);
    let mut verify_ms: Vec<f64> = (0..20)
        .map(|_| {
            let started = Instant::now();
            assert!(password::verify(PASSWORD, &hash));
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    verify_ms.sort_by(f64::total_cmp);
    println!(
        "argon2id verify (m=19456 KiB, t=2, p=1): median {:.1} ms",
        median(&verify_ms)
    );

    let bare_url = start_bare_poem().await;
    support::on_sqlite_and_postgres(|label, url| {
        bench_backend(label, url, &bare_url, concurrency, seconds)
    })
    .await;
}
