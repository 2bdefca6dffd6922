//! Shared by the benchmarks: a throw-away PostgreSQL database.

use sea_orm::{ConnectionTrait, Database};

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
