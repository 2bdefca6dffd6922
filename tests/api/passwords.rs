//! The password policy and changing one's password.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{Backend, PASSWORD, send, spawn_app};

crate::on_both_databases!(
    every_broken_password_rule_has_its_own_error_code,
    changing_the_password_needs_the_current_one_and_the_new_one_twice,
);

async fn every_broken_password_rule_has_its_own_error_code(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    let (_, token) = app.invite(&admin, "parent", "anna@example.nl", "nl").await;
    let long = format!("Aa1!{}", "x".repeat(300));
    let cases = [
        ("Ab1!xyz", "password_too_short"),
        ("ABCDEFG1!", "password_missing_lowercase"),
        ("abcdefg1!", "password_missing_uppercase"),
        ("Abcdefgh!", "password_missing_digit"),
        ("Abcdefgh1", "password_missing_special"),
        ("Password1!", "password_too_common"),
        (long.as_str(), "password_too_long"),
    ];
    for (password, code) in cases {
        let (status, body) = app
            .post_json(
                "/api/auth/activate",
                json!({ "token": token, "password": password, "password_repeat": password, "consent": true, "consent_version": "2026-11" }),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{password}: {body}");
        assert_eq!(body["code"], code, "{password}: {body}");
        assert_eq!(body["field"], "password");
    }
    // Several broken rules are all listed.
    let (_, body) = app
        .post_json("/api/auth/activate", json!({ "token": token, "password": "abc", "password_repeat": "abc", "consent": true, "consent_version": "2026-11" }))
        .await;
    let violations: Vec<&str> = body["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        violations,
        [
            "password_too_short",
            "password_missing_uppercase",
            "password_missing_digit",
            "password_missing_special"
        ]
    );
    // A 64-character passphrase is fine, and none of the refusals used the link up.
    let passphrase = "Mijn kinderen gaan graag naar school, ook op maandag! 2026 ja ja.";
    assert!(passphrase.chars().count() >= 64);
    app.activate(&token, passphrase).await;
}

async fn changing_the_password_needs_the_current_one_and_the_new_one_twice(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    let session = app.active_user(&admin, "parent", "anna@example.nl").await;
    let other_device = app.login_ok("anna@example.nl", PASSWORD).await;
    assert_eq!(
        send(app.authed(Method::GET, "/api/me", &other_device))
            .await
            .0,
        StatusCode::OK
    );
    let new_password = "Herfst-Wandeling8";
    let change = |current: &str, new: &str, repeat: &str| {
        app.authed(Method::POST, "/api/me/password", &session)
            .json(&json!({ "current_password": current, "new_password": new, "new_password_repeat": repeat }))
    };

    let (status, body) = send(change("Wrong-Password1", new_password, new_password)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("wrong_current_password"))
    );
    let (status, body) = send(change(PASSWORD, new_password, "Herfst-Wandeling9")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("password_mismatch"))
    );
    assert_eq!(body["field"], "new_password_repeat");
    let (status, body) = send(change(PASSWORD, "short", "short")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("password_too_short"))
    );

    let (status, _) = send(change(PASSWORD, new_password, new_password)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.login("anna@example.nl", PASSWORD).await.0,
        StatusCode::UNAUTHORIZED
    );
    app.login_ok("anna@example.nl", new_password).await;
    // This session goes on; the other device has to log in again.
    assert_eq!(
        send(app.authed(Method::GET, "/api/me", &session)).await.0,
        StatusCode::OK
    );
    assert_eq!(
        send(app.authed(Method::GET, "/api/me", &other_device))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
}
