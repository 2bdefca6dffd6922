//! A 50 MB attachment uploaded and downloaded through the HTTP API of a real `schoolgate serve`
//! process, on the local folder and on an S3-compatible bucket (moto), with the server
//! process's peak memory (VmHWM from /proc) before and after, next to the file size: uploads
//! and downloads are streamed, so the peak must stay far below 50 MB. Baseline in the same
//! run: the same bytes copied through the kernel (`tokio::fs::copy`) for throughput.
//!
//! Run: `cargo bench --bench attachments` (BENCH_ATTACHMENT_MB, default 50). The S3 part uses
//! BENCH_S3_ENDPOINT, or starts moto from `target/moto-venv` (made by scripts/test).

use std::{
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use futures_util::StreamExt;
use serde_json::{Value, json};

#[path = "support/process.rs"]
mod process;

use process::{Server, admin_token, json_post};

/// Pseudo-random bytes made as they are sent, so the bench itself holds no copy.
fn generated(size: usize) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    const CHUNK: usize = 64 * 1024;
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    futures_util::stream::iter((0..size).step_by(CHUNK).map(move |start| {
        let length = CHUNK.min(size - start);
        let mut chunk = Vec::with_capacity(length);
        if start == 0 {
            chunk.extend_from_slice(b"%PDF-1.4\n");
        }
        while chunk.len() < length {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            chunk.push(state as u8);
        }
        Ok(chunk)
    }))
}

async fn bench_backend(label: &str, size: usize, extra: &[(&str, String)]) {
    let server = Server::start(extra).await;
    let client = reqwest::Client::new();
    let bearer = &admin_token(&server, extra).await;
    let post = json_post(&client, format!("{}/api/posts", server.base), Some(bearer), json!({
        "kind": "news", "to_school": true, "title": "Year book", "body": "The year book, as PDF."
    }))
    .await;
    // Start-up (migrations, the admin's argon2 hash) may have peaked higher: start afresh.
    let resting = server.memory_mb("VmRSS:");
    server.reset_peak();

    let part = reqwest::multipart::Part::stream_with_length(
        reqwest::Body::wrap_stream(generated(size)),
        size as u64,
    )
    .file_name("yearbook.pdf");
    let form = reqwest::multipart::Form::new().part("file", part);
    let started = Instant::now();
    let response = client
        .post(format!(
            "{}/api/posts/{}/attachments",
            server.base, post["id"]
        ))
        .bearer_auth(bearer)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    let upload = started.elapsed().as_secs_f64();
    let attached: Value = response.json().await.unwrap();
    let upload_peak = server.memory_mb("VmHWM:");
    server.reset_peak();

    let started = Instant::now();
    let response = client
        .get(format!(
            "{}/api/posts/{}/attachments/{}",
            server.base, post["id"], attached["id"]
        ))
        .bearer_auth(bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let mut received = 0;
    let mut body = response.bytes_stream();
    while let Some(chunk) = body.next().await {
        received += chunk.unwrap().len();
    }
    assert_eq!(received, size);
    let download = started.elapsed().as_secs_f64();
    let download_peak = server.memory_mb("VmHWM:");
    let mb = size as f64 / (1024.0 * 1024.0);
    let most = (upload_peak - resting).max(download_peak - resting);
    println!(
        "{label}: {mb:.0} MB upload {upload:.2} s ({:.0} MB/s), download {download:.2} s ({:.0} MB/s); \
         server resident {resting:.1} MB at rest, peak {upload_peak:.1} MB during the upload and \
         {download_peak:.1} MB during the download: at most {most:.1} MB more = {:.2} of the file size",
        mb / upload,
        mb / download,
        most / mb,
    );
}

/// The same number of bytes copied file to file by the kernel: what a disk can do here.
async fn baseline(size: usize) {
    let dir = tempfile::tempdir().unwrap();
    let from = dir.path().join("from");
    let mut file = tokio::fs::File::create(&from).await.unwrap();
    let mut bytes = generated(size);
    while let Some(chunk) = bytes.next().await {
        tokio::io::AsyncWriteExt::write_all(&mut file, &chunk.unwrap())
            .await
            .unwrap();
    }
    file.sync_all().await.unwrap();
    let started = Instant::now();
    tokio::fs::copy(&from, dir.path().join("to")).await.unwrap();
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "baseline: kernel file copy of {:.0} MB {seconds:.2} s ({:.0} MB/s)",
        size as f64 / 1048576.0,
        size as f64 / 1048576.0 / seconds
    );
}

/// BENCH_S3_ENDPOINT, or moto started from the venv scripts/test makes; `None` if neither.
fn s3_endpoint() -> Option<(String, Option<Child>)> {
    if let Ok(endpoint) = std::env::var("BENCH_S3_ENDPOINT") {
        return Some((endpoint, None));
    }
    let moto = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/target/moto-venv/bin/moto_server"
    );
    if !std::path::Path::new(moto).exists() {
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(moto)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    Some((format!("http://127.0.0.1:{port}"), Some(child)))
}

#[tokio::main]
async fn main() {
    let size: usize = std::env::var("BENCH_ATTACHMENT_MB")
        .ok()
        .and_then(|mb| mb.parse().ok())
        .unwrap_or(50)
        * 1024
        * 1024;
    baseline(size).await;
    bench_backend("local folder", size, &[]).await;
    match s3_endpoint() {
        Some((endpoint, moto)) => {
            for _ in 0..100 {
                if reqwest::get(&endpoint).await.is_ok() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            let bucket = format!("bench-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
            reqwest::Client::new()
                .put(format!("{endpoint}/{bucket}"))
                .send()
                .await
                .unwrap();
            let s3 = [
                ("SCHOOLGATE_FILES__BACKEND", "s3".to_string()),
                ("SCHOOLGATE_FILES__S3__BUCKET", bucket),
                ("SCHOOLGATE_FILES__S3__REGION", "us-east-1".into()),
                ("SCHOOLGATE_FILES__S3__ENDPOINT", endpoint),
                ("SCHOOLGATE_FILES__S3__ACCESS_KEY_ID", "bench".into()),
                ("SCHOOLGATE_FILES__S3__SECRET_ACCESS_KEY", "bench".into()),
                ("SCHOOLGATE_FILES__S3__ALLOW_HTTP", "true".into()),
            ];
            bench_backend("s3 (moto)", size, &s3).await;
            if let Some(mut moto) = moto {
                let _ = moto.kill();
                let _ = moto.wait();
            }
        }
        None => println!("s3: no BENCH_S3_ENDPOINT and no target/moto-venv: skipped"),
    }
}
