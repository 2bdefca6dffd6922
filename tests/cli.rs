//! The `schoolgate` binary as an admin runs it: bootstrap an admin, serve, demo, stop on SIGTERM.

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use serde_json::json;

struct Workspace {
    dir: tempfile::TempDir,
    port: u16,
}

impl Workspace {
    fn new() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        Self {
            dir: tempfile::tempdir().unwrap(),
            port,
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_schoolgate"));
        command
            .args(args)
            .current_dir(self.dir.path())
            .env(
                "SCHOOLGATE_SERVER__BIND",
                format!("127.0.0.1:{}", self.port),
            )
            .env(
                "SCHOOLGATE_SERVER__PUBLIC_URL",
                format!("http://127.0.0.1:{}", self.port),
            )
            .env("RUST_LOG", "warn");
        command
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Starts the server and waits until it answers /healthz; returns it with its stdout lines.
    async fn start(&self, args: &[&str]) -> (Child, Vec<String>) {
        let mut child = self.command(args).stdout(Stdio::piped()).spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let lines = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .take_while(|line| !line.starts_with("Schoolgate runs on"))
                .collect::<Vec<_>>()
        });
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(response) = reqwest::get(self.url("/healthz")).await
                && response.status().is_success()
            {
                break;
            }
            assert!(Instant::now() < deadline, "server did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let printed = if args == ["demo"] {
            lines.join().unwrap()
        } else {
            Vec::new()
        };
        (child, printed)
    }
}

/// Sends SIGTERM and expects a clean exit within 10 seconds.
fn stop_gracefully(mut child: Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "server exited with {status}");
            return;
        }
        assert!(Instant::now() < deadline, "server did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test]
async fn admin_create_prints_an_activation_link_that_works_on_the_served_app() {
    let workspace = Workspace::new();
    let output = workspace
        .command(&["admin", "create", "--email", "Office@School.NL"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed = String::from_utf8(output.stdout).unwrap();
    let link = printed
        .lines()
        .find(|line| line.contains("/activate#token="))
        .expect(&printed);
    let token = link.split_once("#token=").unwrap().1.trim();
    assert!(workspace.dir.path().join("data/schoolgate.db").exists());

    let (server, _) = workspace.start(&["serve"]).await;
    let client = reqwest::Client::new();
    let activated = client
        .post(workspace.url("/api/auth/activate"))
        .json(&json!({ "token": token, "password": "Zomer-Vakantie7", "password_repeat": "Zomer-Vakantie7", "consent": true, "consent_version": "2026-11" }))
        .send()
        .await
        .unwrap();
    assert_eq!(activated.status(), 200);
    let me: serde_json::Value = activated.json().await.unwrap();
    assert_eq!(me["user"]["role"], "admin");
    assert_eq!(me["user"]["email"], "office@school.nl");
    stop_gracefully(server);
}

#[tokio::test]
async fn demo_loads_a_school_once_and_prints_working_logins() {
    let workspace = Workspace::new();
    let (server, printed) = workspace.start(&["demo"]).await;
    assert!(
        printed
            .iter()
            .any(|line| line.contains("Loaded the demo school")),
        "{printed:?}"
    );
    let admin_line = printed
        .iter()
        .find(|line| line.trim_start().starts_with("admin"))
        .expect("admin login printed");
    let parts: Vec<&str> = admin_line.split_whitespace().collect();
    let client = reqwest::Client::new();
    let login: serde_json::Value = client
        .post(workspace.url("/api/auth/login"))
        .json(&json!({ "email": parts[1], "password": parts[2] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let children: serde_json::Value = client
        .get(workspace.url("/api/children"))
        .bearer_auth(login["token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(children.as_array().unwrap().len(), 5);
    // The library message carries a PDF from the file store.
    let token = login["token"].as_str().unwrap();
    let feed: serde_json::Value = client
        .get(workspace.url("/api/posts"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let with_file = feed
        .as_array()
        .unwrap()
        .iter()
        .find(|post| !post["attachments"].as_array().unwrap().is_empty())
        .expect("a demo post with an attachment");
    let file = client
        .get(workspace.url(&format!(
            "/api/posts/{}/attachments/{}",
            with_file["id"], with_file["attachments"][0]["id"]
        )))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(file.starts_with(b"%PDF"));
    assert!(workspace.dir.path().join("data/files").is_dir());
    stop_gracefully(server);

    // A second start keeps the data and loads nothing twice.
    let (server, printed) = workspace.start(&["demo"]).await;
    assert!(
        !printed
            .iter()
            .any(|line| line.contains("Loaded the demo school")),
        "{printed:?}"
    );
    assert!(printed.iter().any(|line| line.contains("Demo logins")));
    stop_gracefully(server);
}

#[test]
fn a_bad_configuration_value_stops_the_server_naming_its_key() {
    let workspace = Workspace::new();
    let output = workspace
        .command(&["migrate"])
        .env("SCHOOLGATE_SCHOOL__TIME_ZONE", "Europe/Atlantis")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("school.time_zone"), "{stderr}");
}

#[tokio::test]
async fn admin_create_works_while_the_server_runs_on_the_configured_port() {
    let workspace = Workspace::new();
    let (server, _) = workspace.start(&["serve"]).await;
    let output = workspace
        .command(&["admin", "create", "--email", "second@school.nl"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let printed = String::from_utf8(output.stdout).unwrap();
    let link = printed
        .lines()
        .find(|line| line.contains("/activate#token="))
        .expect(&printed);
    // The running server knows the new admin at once: the link is valid there.
    let token = link.split_once("#token=").unwrap().1.trim();
    let status = reqwest::Client::new()
        .post(workspace.url("/api/auth/activation/status"))
        .json(&json!({ "token": token }))
        .send()
        .await
        .unwrap();
    assert_eq!(status.status(), 200);
    let status: serde_json::Value = status.json().await.unwrap();
    assert_eq!(status["email"], "second@school.nl");
    stop_gracefully(server);
}

/// An expected failure is one line on stderr naming what went wrong, and no backtrace, even
/// with RUST_BACKTRACE set.
fn assert_one_line_error(output: &std::process::Output, expected: &str) {
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|line| !line.trim().is_empty())
        .collect();
    assert_eq!(lines.len(), 1, "one line expected: {stderr}");
    assert!(lines[0].starts_with("error: "), "{stderr}");
    assert!(lines[0].contains(expected), "{stderr}");
    assert!(
        !stderr.contains("backtrace") && !stderr.contains("panicked"),
        "{stderr}"
    );
}

#[tokio::test]
async fn a_taken_port_or_e_mail_ends_with_one_line_and_no_backtrace() {
    let workspace = Workspace::new();
    let (server, _) = workspace.start(&["serve"]).await;
    let second_server = workspace
        .command(&["serve"])
        .env("RUST_BACKTRACE", "1")
        .output()
        .unwrap();
    assert_one_line_error(&second_server, &format!("127.0.0.1:{}", workspace.port));
    let create = |email: &str| {
        workspace
            .command(&["admin", "create", "--email", email])
            .env("RUST_BACKTRACE", "1")
            .output()
            .unwrap()
    };
    assert!(create("office@school.nl").status.success());
    assert_one_line_error(&create("office@school.nl"), "exists already");
    assert_one_line_error(&create("not an address"), "not a valid e-mail address");
    stop_gracefully(server);
}
