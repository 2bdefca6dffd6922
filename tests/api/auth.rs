//! Login, logout, sessions by cookie and bearer, CSRF, forgot/reset, activation, rate limits.

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{Backend, PASSWORD, send, spawn_app, spawn_app_with};

crate::on_both_databases!(
    the_session_probe_answers_200_with_or_without_a_session,
    login_with_the_right_password_opens_a_session_usable_by_bearer_and_cookie,
    wrong_password_and_unknown_address_get_the_same_answer,
    login_ignores_the_case_of_the_email_address,
    logout_ends_the_session,
    a_session_expires_after_its_lifetime,
    cookie_authenticated_writes_need_the_csrf_token,
    forgot_password_mails_a_link_that_sets_a_new_password_and_ends_sessions,
    forgot_password_answers_the_same_for_unknown_addresses_and_sends_nothing,
    a_reset_link_works_only_once,
    a_reset_link_expires_after_an_hour,
    activation_sets_the_password_and_records_consent,
    opening_a_used_activation_link_says_already_activated,
    activation_needs_consent_to_the_current_text,
    too_many_logins_are_refused_with_429_and_retry_after,
    a_transient_smtp_failure_is_retried_later,
);

async fn login_with_the_right_password_opens_a_session_usable_by_bearer_and_cookie(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    app.active_user(&admin, "parent", "anna@example.nl").await;

    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let response = client
        .post(app.url("/api/auth/login"))
        .json(&json!({ "email": "anna@example.nl", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("sg_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["user"]["email"], "anna@example.nl");
    assert_eq!(body["user"]["role"], "parent");

    // The cookie alone authenticates reads.
    let me: serde_json::Value = client
        .get(app.url("/api/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], "anna@example.nl");
    // So does the token as Bearer.
    let (status, me) = send(
        app.request(Method::GET, "/api/me")
            .bearer_auth(body["token"].as_str().unwrap()),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["first_name"], "Test");
}

async fn wrong_password_and_unknown_address_get_the_same_answer(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    app.active_user(&admin, "parent", "anna@example.nl").await;

    let (wrong_status, wrong_body) = app.login("anna@example.nl", "Not-The-Password1").await;
    let (unknown_status, unknown_body) = app.login("nobody@example.nl", "Not-The-Password1").await;
    assert_eq!(wrong_status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown_status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong_body, unknown_body);
    assert_eq!(wrong_body["code"], "wrong_credentials");

    // An invited account (no password yet) answers the same way too.
    app.invite(&admin, "parent", "invited@example.nl", "nl")
        .await;
    let (status, body) = app.login("invited@example.nl", "Not-The-Password1").await;
    assert_eq!((status, body), (unknown_status, unknown_body));
}

async fn login_ignores_the_case_of_the_email_address(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    app.active_user(&admin, "parent", "Anna.Jansen@Example.NL")
        .await;
    let session = app.login_ok("  ANNA.JANSEN@example.nl ", PASSWORD).await;
    let (_, me) = send(app.authed(Method::GET, "/api/me", &session)).await;
    assert_eq!(me["email"], "anna.jansen@example.nl");
}

async fn logout_ends_the_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    let other_session = app.login_ok("office@school.test", PASSWORD).await;

    let (status, _) = send(app.authed(Method::POST, "/api/auth/logout", &admin)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = send(app.authed(Method::GET, "/api/me", &admin)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "unauthenticated");
    // Only that session ended.
    let (status, _) = send(app.authed(Method::GET, "/api/me", &other_session)).await;
    assert_eq!(status, StatusCode::OK);
}

async fn a_session_expires_after_its_lifetime(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    assert_eq!(
        send(app.authed(Method::GET, "/api/me", &admin)).await.0,
        StatusCode::OK
    );

    app.clock.advance(Duration::days(31));
    let (status, body) = send(app.authed(Method::GET, "/api/me", &admin)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthenticated"))
    );
    let removed = schoolgate::features::accounts::delete_expired_sessions(&app.state)
        .await
        .unwrap();
    // The admin's two sessions: the one activation started and the login's.
    assert_eq!(removed, 2);
}

async fn cookie_authenticated_writes_need_the_csrf_token(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    drop(admin);
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let login: serde_json::Value = client
        .post(app.url("/api/auth/login"))
        .json(&json!({ "email": "office@school.test", "password": PASSWORD }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let change = json!({ "language": "de" });

    let (status, body) = send(client.patch(app.url("/api/me")).json(&change)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["code"], "csrf_token_invalid");

    let (status, body) = send(
        client
            .patch(app.url("/api/me"))
            .header("X-CSRF-Token", "forged")
            .json(&change),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    let (status, body) = send(
        client
            .patch(app.url("/api/me"))
            .header("X-CSRF-Token", login["csrf_token"].as_str().unwrap())
            .json(&change),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["language"], "de");
}

async fn forgot_password_mails_a_link_that_sets_a_new_password_and_ends_sessions(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    let (_, token) = app
        .invite(&admin, "parent", "jurgen@example.de", "de")
        .await;
    let old_session = app.activate(&token, PASSWORD).await;

    let (status, _) = app
        .post_json(
            "/api/auth/forgot-password",
            json!({ "email": "Jurgen@Example.de" }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let mail = app.smtp.wait_for_mail_to("jurgen@example.de").await;
    // In the parent's language, with text and HTML parts, Message-ID and Date.
    assert_eq!(mail.subject(), "Neues Passwort wählen");
    assert!(mail.text().contains("60 Minuten"), "{}", mail.text());
    assert!(mail.html().contains("Neues Passwort wählen"));
    assert!(mail.header("Message-ID").is_some() && mail.header("Date").is_some());
    let reset_token = mail.link_token("reset-password");

    let new_password = "Herfst-Wandeling8";
    let (status, body) = app
        .post_json(
            "/api/auth/reset-password",
            json!({ "token": reset_token, "new_password": new_password, "new_password_repeat": new_password }),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

    assert_eq!(
        app.login("jurgen@example.de", PASSWORD).await.0,
        StatusCode::UNAUTHORIZED
    );
    app.login_ok("jurgen@example.de", new_password).await;
    let (status, _) = send(app.authed(Method::GET, "/api/me", &old_session)).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the old session must have ended"
    );
}

async fn forgot_password_answers_the_same_for_unknown_addresses_and_sends_nothing(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    app.active_user(&admin, "parent", "anna@example.nl").await;

    let known = app
        .post_json(
            "/api/auth/forgot-password",
            json!({ "email": "anna@example.nl" }),
        )
        .await;
    let unknown = app
        .post_json(
            "/api/auth/forgot-password",
            json!({ "email": "nobody@example.nl" }),
        )
        .await;
    assert_eq!(known, unknown);
    assert_eq!(known.0, StatusCode::ACCEPTED);

    app.smtp.wait_for_mail_to("anna@example.nl").await;
    app.wait_for_outbox().await;
    assert!(app.smtp.mails_to("nobody@example.nl").is_empty());
    assert!(
        app.smtp
            .mails()
            .iter()
            .all(|mail| !mail.text().contains(PASSWORD))
    );
}

async fn request_reset_token(app: &crate::helpers::TestApp, email: &str, nth: usize) -> String {
    let (status, _) = app
        .post_json("/api/auth/forgot-password", json!({ "email": email }))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    app.smtp.wait_for_mails_to(email, nth).await[nth - 1].link_token("reset-password")
}

async fn a_reset_link_works_only_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    app.active_user(&admin, "parent", "anna@example.nl").await;
    let token = request_reset_token(&app, "anna@example.nl", 1).await;
    let body = json!({ "token": token, "new_password": "Herfst-Wandeling8", "new_password_repeat": "Herfst-Wandeling8" });
    // Checked before typing: usable, and checking does not use it up.
    for _ in 0..2 {
        let (status, _) = app
            .post_json("/api/auth/reset-password/status", json!({ "token": token }))
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }

    assert_eq!(
        app.post_json("/api/auth/reset-password", body.clone())
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    let (status, again) = app.post_json("/api/auth/reset-password", body).await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(again["code"], "token_used");
    let (status, checked) = app
        .post_json("/api/auth/reset-password/status", json!({ "token": token }))
        .await;
    assert_eq!(
        (status, checked["code"].as_str()),
        (StatusCode::GONE, Some("token_used"))
    );
    let (status, checked) = app
        .post_json(
            "/api/auth/reset-password/status",
            json!({ "token": "made-up" }),
        )
        .await;
    assert_eq!(
        (status, checked["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("token_invalid"))
    );

    let (status, invalid) = app
        .post_json("/api/auth/reset-password", json!({ "token": "made-up", "new_password": "Herfst-Wandeling8", "new_password_repeat": "Herfst-Wandeling8" }))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(invalid["code"], "token_invalid");
}

async fn a_reset_link_expires_after_an_hour(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    app.active_user(&admin, "parent", "anna@example.nl").await;
    let token = request_reset_token(&app, "anna@example.nl", 1).await;

    app.clock.advance(Duration::minutes(61));
    let (status, body) = app
        .post_json("/api/auth/reset-password", json!({ "token": token, "new_password": "Herfst-Wandeling8", "new_password_repeat": "Herfst-Wandeling8" }))
        .await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(body["code"], "token_expired");
    let (status, checked) = app
        .post_json("/api/auth/reset-password/status", json!({ "token": token }))
        .await;
    assert_eq!(
        (status, checked["code"].as_str()),
        (StatusCode::GONE, Some("token_expired"))
    );
    app.login_ok("anna@example.nl", PASSWORD).await;
}

async fn activation_sets_the_password_and_records_consent(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    let (id, token) = app.invite(&admin, "parent", "lisa@example.com", "en").await;

    let (status, info) = app
        .post_json("/api/auth/activation/status", json!({ "token": token }))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(info["email"], "lisa@example.com");
    let version = info["consent_version"].as_str().unwrap().to_string();

    let session = app.activate(&token, PASSWORD).await;
    let (_, me) = send(app.authed(Method::GET, "/api/me", &session)).await;
    assert_eq!(me["id"].as_i64(), Some(id));
    let user = schoolgate::features::accounts::find_user(&app.state.db, id as i32)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.consent_version.as_deref(), Some(version.as_str()));
    let consent_at = user.consent_at.expect("consent time recorded");
    assert!((app.clock.now() - consent_at).num_seconds().abs() < 60);
    app.login_ok("lisa@example.com", PASSWORD).await;
}

async fn opening_a_used_activation_link_says_already_activated(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    let (_, token) = app.invite(&admin, "parent", "lisa@example.com", "en").await;
    app.activate(&token, PASSWORD).await;

    let (status, body) = app
        .post_json("/api/auth/activation/status", json!({ "token": token }))
        .await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(body["code"], "already_activated");
    assert!(body["message"].as_str().unwrap().contains("Log in"));

    let (status, body) = app
        .post_json("/api/auth/activate", json!({ "token": token, "password": "Other-Password9", "password_repeat": "Other-Password9", "consent": true, "consent_version": "2026-11" }))
        .await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(body["code"], "already_activated");
    // The password chosen at activation still works; the second attempt changed nothing.
    app.login_ok("lisa@example.com", PASSWORD).await;
}

async fn activation_needs_consent_to_the_current_text(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    let (_, token) = app.invite(&admin, "parent", "lisa@example.com", "en").await;
    let current = app.state.settings.security.consent_version.clone();

    let (status, body) = app
        .post_json("/api/auth/activate", json!({ "token": token, "password": PASSWORD, "password_repeat": PASSWORD, "consent": false, "consent_version": current }))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("consent_required"))
    );
    let (status, body) = app
        .post_json("/api/auth/activate", json!({ "token": token, "password": PASSWORD, "password_repeat": PASSWORD, "consent": true, "consent_version": "2020-01" }))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("consent_version_outdated"))
    );
    // Neither attempt used up the link.
    app.activate(&token, PASSWORD).await;
}

async fn too_many_logins_are_refused_with_429_and_retry_after(backend: Backend) {
    let app = spawn_app_with(backend, |settings| {
        settings.security.login_attempts_per_account_per_minute = 3;
        settings.security.auth_requests_per_client_per_minute = 8;
    })
    .await;
    // Per account: the 4th attempt within a minute is refused, for unknown addresses too.
    for _ in 0..3 {
        assert_eq!(
            app.login("nobody@example.nl", "Wrong-Password1").await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    let response = app
        .request(Method::POST, "/api/auth/login")
        .json(&json!({ "email": "nobody@example.nl", "password": "Wrong-Password1" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited");

    // Per client address: other accounts, and the forgot-password form, are limited too.
    let mut statuses = Vec::new();
    for n in 0..6 {
        statuses.push(
            app.post_json(
                "/api/auth/forgot-password",
                json!({ "email": format!("p{n}@example.nl") }),
            )
            .await
            .0,
        );
    }
    assert!(
        statuses.contains(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
}

async fn a_transient_smtp_failure_is_retried_later(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    app.active_user(&admin, "parent", "anna@example.nl").await;
    app.smtp.reject_next_data_with("451 4.3.0 try again later");

    app.post_json(
        "/api/auth/forgot-password",
        json!({ "email": "anna@example.nl" }),
    )
    .await;
    // Wait until the first attempt was refused.
    for _ in 0..500 {
        if app.smtp.data_commands() >= 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    app.wait_for_outbox().await;
    assert!(
        app.smtp.mails_to("anna@example.nl").is_empty(),
        "not before the backoff"
    );

    app.clock.advance(Duration::seconds(31));
    let mail = app.smtp.wait_for_mail_to("anna@example.nl").await;
    assert_eq!(mail.subject(), "Choose a new password");
    assert_eq!(app.smtp.data_commands(), 2);
}

async fn the_session_probe_answers_200_with_or_without_a_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    let parent = app.active_user(&admin, "parent", "anna@example.nl").await;
    let (status, body) = send(app.request(Method::GET, "/api/auth/session")).await;
    assert_eq!((status, body), (StatusCode::OK, json!({ "user": null })));
    let (status, body) = send(app.authed(Method::GET, "/api/auth/session", &parent)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["user"]["email"], "anna@example.nl");
    assert!(
        body["user"]["csrf_token"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    );
    // An unknown token is nobody, not an error.
    let (status, body) = send(
        app.request(Method::GET, "/api/auth/session")
            .header("Cookie", "sg_session=not-a-session"),
    )
    .await;
    assert_eq!((status, body), (StatusCode::OK, json!({ "user": null })));
    // A disabled account's session is over at once.
    send(app.authed(
        Method::POST,
        &format!("/api/users/{}/disable", parent.user_id),
        &admin,
    ))
    .await;
    let (_, body) = send(app.authed(Method::GET, "/api/auth/session", &parent)).await;
    assert_eq!(body, json!({ "user": null }));
}
