//! Shared by the benchmarks: a throw-away PostgreSQL database, an SMTP sink.

// Each benchmark uses a part of this module.
#![allow(dead_code)]

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

/// An SMTP server that accepts and counts every message, for load figures.
pub async fn start_smtp_sink() -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    };
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(AtomicUsize::new(0));
    let counter = received.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let counter = counter.clone();
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
                        in_data = true;
                        b"354 go\r\n"
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
