//! What the API tests and the file store tests share: real services to test against, made
//! fresh per test, failing loudly when they are not there (never skipping).

use sea_orm::{ConnectionTrait, Database};

/// A database named after a UUID on the local PostgreSQL (TEST_POSTGRES_URL, default
/// postgres://postgres@127.0.0.1:5432/postgres), named with SCHOOLGATE_TEST_RUN so
/// scripts/test drops exactly its own databases afterwards. Returns its URL.
pub async fn fresh_postgres_database() -> String {
    let admin_url = std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let admin = Database::connect(&admin_url).await.unwrap_or_else(|err| {
        panic!(
            "PostgreSQL is not reachable at {admin_url}: {err}. The tests need it: start \
             PostgreSQL or set TEST_POSTGRES_URL."
        )
    });
    let run = std::env::var("SCHOOLGATE_TEST_RUN").unwrap_or_else(|_| "adhoc".into());
    let unique = uuid::Uuid::new_v4().simple().to_string();
    // PostgreSQL names have at most 63 bytes.
    let name: String = format!("schoolgate_test_{run}_{}", &unique[..20])
        .chars()
        .take(63)
        .collect();
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .expect("creating the test database");
    let _ = admin.close().await;
    let base = admin_url
        .rsplit_once('/')
        .map(|(base, _)| base.to_string())
        .unwrap_or(admin_url);
    format!("{base}/{name}")
}

/// A new, empty bucket on the S3-compatible test server (moto, started by scripts/test at
/// TEST_S3_ENDPOINT): its endpoint and name.
pub async fn fresh_s3_bucket(prefix: &str) -> (String, String) {
    let endpoint = std::env::var("TEST_S3_ENDPOINT").unwrap_or_else(|_| {
        panic!(
            "TEST_S3_ENDPOINT is not set: the S3 tests need an S3-compatible server (moto). \
             Start it with scripts/test or set TEST_S3_ENDPOINT, e.g. http://127.0.0.1:5000."
        )
    });
    let bucket = format!(
        "{prefix}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..20]
    );
    let answer = reqwest::Client::new()
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .unwrap_or_else(|err| {
            panic!("the S3 server at TEST_S3_ENDPOINT={endpoint} is unreachable: {err}")
        });
    assert!(answer.status().is_success(), "creating bucket: {answer:?}");
    (endpoint, bucket)
}
