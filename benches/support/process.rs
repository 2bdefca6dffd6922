//! A `schoolgate serve` process of its own, in its own folder, for benchmarks that read its
//! memory from /proc: start, the admin made by the command line, JSON calls.

// Each benchmark uses a part of this module.
#![allow(dead_code)]

use std::{
    process::{Child, Command, Stdio},
    time::Duration,
};

use serde_json::{Value, json};

pub const PASSWORD: &str = "Zomer-Vakantie7";

/// A running server process on a free port, with its own folder.
pub struct Server {
    pub child: Child,
    pub base: String,
    pub dir: tempfile::TempDir,
}

impl Server {
    pub async fn start(extra: &[(&str, String)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut command = command(&dir, port, &["serve"]);
        for (key, value) in extra {
            command.env(key, value);
        }
        let child = command.stdout(Stdio::null()).spawn().unwrap();
        let base = format!("http://127.0.0.1:{port}");
        for _ in 0..600 {
            if reqwest::get(format!("{base}/healthz")).await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Self { child, base, dir }
    }

    /// Resident memory of the server process (`VmRSS`, or `VmHWM` for the peak), in MB.
    pub fn memory_mb(&self, field: &str) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let kb: f64 = status
            .lines()
            .find(|line| line.starts_with(field))
            .and_then(|line| line.split_whitespace().nth(1))
            .and_then(|kb| kb.parse().ok())
            .unwrap();
        kb / 1024.0
    }

    /// Starts a new peak: the kernel sets `VmHWM` back to the current resident size.
    pub fn reset_peak(&self) {
        std::fs::write(format!("/proc/{}/clear_refs", self.child.id()), "5").unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn command(dir: &tempfile::TempDir, port: u16, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_schoolgate"));
    command
        .args(args)
        .current_dir(dir.path())
        .env("RUST_LOG", "warn")
        .env("SCHOOLGATE_SERVER__BIND", format!("127.0.0.1:{port}"))
        .env("SCHOOLGATE_SCHEDULE__RUN_SCHEDULER", "false")
        .env(
            "SCHOOLGATE_FILES__MAX_ATTACHMENT_BYTES",
            (1u64 << 30).to_string(),
        );
    command
}

/// The admin, made by the command line beside the running server, activated: its Bearer
/// token.
pub async fn admin_token(server: &Server, extra: &[(&str, String)]) -> String {
    let port: u16 = server.base.rsplit(':').next().unwrap().parse().unwrap();
    let output = command(
        &server.dir,
        port,
        &["admin", "create", "--email", "office@bench.test"],
    )
    .envs(extra.iter().map(|(k, v)| (*k, v.clone())))
    .output()
    .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed = String::from_utf8(output.stdout).unwrap();
    let token = printed.split_once("#token=").unwrap().1.trim().to_string();
    let session = json_post(
        &reqwest::Client::new(),
        format!("{}/api/auth/activate", server.base),
        None,
        json!({
            "token": token, "password": PASSWORD, "password_repeat": PASSWORD,
            "consent": true, "consent_version": "2026-11"
        }),
    )
    .await;
    session["token"].as_str().unwrap().to_string()
}

pub async fn json_post(
    client: &reqwest::Client,
    url: String,
    token: Option<&str>,
    body: Value,
) -> Value {
    let mut request = client.post(url).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    assert!(response.status().is_success(), "{:?}", response.status());
    response.json().await.unwrap()
}
