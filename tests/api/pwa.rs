//! The PWA in headless Chromium: this test starts the server, fills it with a class, a
//! teacher, a parent and posts, and runs `tests/pwa/app.test.mjs` (Node + playwright-core
//! driving Debian's chromium) against it. `scripts/test` installs both; if either is
//! missing the test fails and says so.

use std::{path::Path, process::Command};

use serde_json::json;

use crate::helpers::{Backend, PASSWORD, spawn_app_with};

const URGENT_TITLE: &str = "School closes at 12:00 today";
const SCHOOL_NAME: &str = "Basisschool De Regenboog";

/// Copies the app's files, so the update test can publish a new service worker.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[tokio::test]
async fn the_app_in_headless_chromium() {
    let root = env!("CARGO_MANIFEST_DIR");
    let pwa = tempfile::tempdir().unwrap();
    copy_dir(&Path::new(root).join("pwa"), pwa.path());
    let pwa_dir = pwa.path().to_path_buf();
    // The school's own name and logo (here: the app icon) brand the app.
    let logo = Path::new(root).join("pwa/icons/icon-192.png");
    let app = spawn_app_with(Backend::Sqlite, |settings| {
        settings.server.pwa_dir = pwa_dir;
        settings.school.name = SCHOOL_NAME.into();
        settings.school.logo = Some(logo);
    })
    .await;
    let admin = app.admin().await;
    let teacher = app.active_user(&admin, "teacher", "jan@school.test").await;
    let parent = app.active_user(&admin, "parent", "anna@example.nl").await;
    let class = app.create_group(&admin, "Groep 3a").await;
    app.add_teacher(&admin, class, &teacher).await;
    let child = app.create_child(&admin, "1001", class).await;
    app.link_parent(&admin, child, parent.user_id, false).await;
    // A Dutch name with a prefix: shown as written, "Kim van der Kind".
    let (status, _) = crate::helpers::send(
        app.authed(
            reqwest::Method::PATCH,
            &format!("/api/children/{child}"),
            &admin,
        )
        .json(&json!({ "name_prefix": "van der" })),
    )
    .await;
    assert!(status.is_success());
    // A second child in another class: cards say which child a post is for.
    let class_5b = app.create_group(&admin, "Groep 5b").await;
    let mia = app.create_child(&admin, "1003", class_5b).await;
    let (status, _) = crate::helpers::send(
        app.authed(
            reqwest::Method::PATCH,
            &format!("/api/children/{mia}"),
            &admin,
        )
        .json(&json!({ "first_name": "Mia", "last_name": "Zeeman" })),
    )
    .await;
    assert!(status.is_success());
    app.link_parent(&admin, mia, parent.user_id, false).await;
    app.post(
        &admin,
        json!({ "kind": "message", "group_ids": [class_5b], "title": "Swimming lessons",
                "body": "Swimming lessons start next week: bring a towel." }),
    )
    .await;
    app.post(
        &teacher,
        json!({ "kind": "message", "group_ids": [class], "title": "Library on Tuesday",
                "body": "Please bring the library books back on Tuesday.", "allow_replies": true }),
    )
    .await;
    app.post(
        &admin,
        json!({ "kind": "news", "to_school": true, "title": "Sports day was a success",
                "body": "Thank you to all parents who helped." }),
    )
    .await;
    let urgent = app
        .post(
            &teacher,
            json!({ "kind": "urgent", "group_ids": [class], "title": URGENT_TITLE,
                    "body": "Because of the storm warning, please pick up your child at 12:00.",
                    "ask_confirmation": true }),
        )
        .await;

    // Invited from the school's import, not yet active: activates in the browser (German).
    let (invited_id, activation_token) =
        app.invite(&admin, "parent", "jonas@example.de", "de").await;
    let second_child = app.create_child(&admin, "1002", class).await;
    app.link_parent(&admin, second_child, invited_id, false)
        .await;

    // Asked for a new password; the link from the e-mail is opened in the browser.
    let carla = "carla@example.nl";
    app.active_user(&admin, "parent", carla).await;
    let (status, _) = app
        .post_json("/api/auth/forgot-password", json!({ "email": carla }))
        .await;
    assert!(status.is_success());
    app.wait_for_outbox().await;
    let reset_token = app
        .smtp
        .wait_for_mail_to(carla)
        .await
        .link_token("reset-password");

    // Another family of 3a lists its child and shares phone and photo with the class; a
    // third (Jonas, invited) shares nothing yet.
    let bea = app.active_user(&admin, "parent", "bea@example.nl").await;
    let bo = app.create_child(&admin, "1004", class).await;
    app.link_parent(&admin, bo, bea.user_id, false).await;
    for (path, body) in [(
        format!("/api/children/{bo}"),
        json!({ "first_name": "Bo", "last_name": "Berg", "birthday": "2019-04-23" }),
    )] {
        let (status, answer) = crate::helpers::send(
            app.authed(reqwest::Method::PATCH, &path, &admin)
                .json(&body),
        )
        .await;
        assert!(status.is_success(), "{answer}");
    }
    for (path, body) in [
        (
            format!("/api/children/{bo}/privacy"),
            json!({ "choices": [
            { "field": "child_name", "audience": "group_parents" },
            { "field": "child_birthday", "audience": "group_parents" },
            { "field": "child_photo", "audience": "group_parents" }] }),
        ),
        (
            "/api/me/privacy".to_string(),
            json!({ "choices": [
            { "field": "parent_phone", "audience": "group_parents" },
            { "field": "parent_photo", "audience": "group_parents" }] }),
        ),
        (
            "/api/me/contact".to_string(),
            json!({ "phones": [{ "label": "mobile", "value": "+31 6 2345 6789" }] }),
        ),
    ] {
        let (status, answer) =
            crate::helpers::send(app.authed(reqwest::Method::PUT, &path, &bea).json(&body)).await;
        assert!(status.is_success(), "{answer}");
    }
    let icon = std::fs::read(Path::new(root).join("pwa/icons/icon-192.png")).unwrap();
    for path in [
        "/api/me/photo".to_string(),
        format!("/api/children/{bo}/photo"),
    ] {
        let part = reqwest::multipart::Part::bytes(icon.clone()).file_name("photo.png");
        let form = reqwest::multipart::Form::new().part("photo", part);
        let (status, answer) = crate::helpers::send(
            app.authed(reqwest::Method::PUT, &path, &bea)
                .multipart(form),
        )
        .await;
        assert!(status.is_success(), "{answer}");
    }
    // Carla asked to log in with a new address; its link is opened in the browser.
    let carla_session = app.login_ok(carla, PASSWORD).await;
    let (status, answer) = crate::helpers::send(
        app.authed(reqwest::Method::POST, "/api/me/email", &carla_session)
            .json(&json!({ "new_email": "carla.new@example.nl", "current_password": PASSWORD })),
    )
    .await;
    assert!(status.is_success(), "{answer}");
    app.wait_for_outbox().await;
    let confirm_token = app
        .smtp
        .wait_for_mail_to("carla.new@example.nl")
        .await
        .link_token("confirm-email");

    // Photos "from the camera roll" for the albums: real JPEGs of 2000 x 1500.
    let camera_roll = tempfile::tempdir().unwrap();
    let photos: Vec<String> = [[200u8, 80, 40], [40, 140, 70], [60, 90, 200]]
        .iter()
        .enumerate()
        .map(|(index, colour)| {
            let picture = image::RgbImage::from_fn(2000, 1500, |x, y| {
                let light = ((x / 100 + y / 100) % 2) as u8 * 30;
                image::Rgb(colour.map(|c| c.saturating_add(light)))
            });
            let path = camera_roll.path().join(format!("IMG_100{index}.jpg"));
            picture.save(&path).unwrap();
            path.display().to_string()
        })
        .collect();

    // A relative folder is meant from the project root, not from tests/pwa where node runs.
    let screenshots = std::env::var("PWA_SCREENSHOTS")
        .map(|dir| std::path::Path::new(root).join(dir).display().to_string())
        .unwrap_or_else(|_| format!("{root}/target/pwa-screenshots"));
    let node_modules = format!("{root}/tests/pwa/node_modules/playwright-core");
    assert!(
        std::path::Path::new(&node_modules).exists(),
        "tests/pwa/node_modules is missing: run scripts/test (it runs `npm ci --prefix tests/pwa`)"
    );
    assert!(
        std::path::Path::new("/usr/bin/chromium").exists(),
        "/usr/bin/chromium is missing: run scripts/test (it installs Debian's chromium)"
    );
    // PWA_TESTS=<pattern> runs only the browser tests whose names match (while working on one).
    let mut args = vec!["--test".to_string(), "--test-concurrency=1".to_string()];
    if let Ok(pattern) = std::env::var("PWA_TESTS") {
        args.push(format!("--test-name-pattern={pattern}"));
    }
    args.push("app.test.mjs".into());
    let test = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .args(&args)
            .current_dir(format!("{root}/tests/pwa"))
            .env("BASE_URL", &app.address)
            .env("PASSWORD", PASSWORD)
            .env("PARENT_EMAIL", "anna@example.nl")
            .env("ADMIN_EMAIL", "office@school.test")
            .env("TEACHER_EMAIL", "jan@school.test")
            .env("URGENT_POST_ID", urgent["id"].to_string())
            .env("URGENT_TITLE", URGENT_TITLE)
            .env("SCHOOL_NAME", SCHOOL_NAME)
            .env("ACTIVATION_TOKEN", &activation_token)
            .env("PWA_DIR", pwa.path())
            .env("RESET_EMAIL", carla)
            .env("RESET_TOKEN", &reset_token)
            .env("CONFIRM_EMAIL_TOKEN", &confirm_token)
            .env("SCREENSHOTS", &screenshots)
            .env("ALBUM_PHOTOS", photos.join(","))
            .output()
            .map(|output| (output, app))
    })
    .await
    .unwrap();
    let (output, _app) = test.expect("running node (is Node.js installed?)");
    drop(camera_roll);
    let report = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    println!("{report}");
    assert!(
        output.status.success(),
        "the browser tests failed:\n{report}"
    );
}
