//! Lighthouse figures for the app: starts the server with the demo school on SQLite, logs a
//! parent in, and runs `benches/pwa/lighthouse.mjs` (npm lighthouse 12 driving Debian's
//! chromium) on the login and home pages, with a static page of the same server as baseline.
//!
//! Run: `cargo bench --bench pwa` (installs the bench's npm packages on first use).

use std::process::Command;

use schoolgate::{
    app::config::{Secret, Settings},
    demo,
};

mod support;

#[tokio::main]
async fn main() {
    let root = env!("CARGO_MANIFEST_DIR");
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::embedded_defaults().unwrap();
    settings.database.url = Secret::new(format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.db").display()
    ));
    settings.mail.folder = dir.path().join("mail");
    settings.schedule.run_scheduler = false;
    let (state, base) = support::serve(settings).await;
    demo::load_if_empty(&state).await.unwrap();

    let login = reqwest::Client::new()
        .post(format!("{base}/api/auth/login"))
        .json(&serde_json::json!({ "email": "anna.jansen@example.nl", "password": demo::PARENT_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert!(login.status().is_success());
    let cookie = login
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("sg_session="))
        .and_then(|value| value.split(';').next())
        .expect("a session cookie")
        .to_string();

    let bench_dir = format!("{root}/benches/pwa");
    if !std::path::Path::new(&format!("{bench_dir}/node_modules/lighthouse")).exists() {
        let installed = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&bench_dir)
            .status()
            .expect("npm");
        assert!(installed.success(), "npm ci in benches/pwa failed");
    }
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg("lighthouse.mjs")
            .current_dir(&bench_dir)
            .env("BASE_URL", &base)
            .env("COOKIE", &cookie)
            .output()
            .expect("node")
    })
    .await
    .unwrap();
    print!("{}", String::from_utf8_lossy(&output.stdout));
    eprint!("{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "lighthouse failed");
}
