//! Two-step login for staff (TOTP, RFC 6238): set-up, login with a code or a recovery code,
//! no code twice, a school that requires it, and an admin's reset for a lost phone.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use totp_rs::{Builder, Secret};

use crate::helpers::{Backend, PASSWORD, Session, TestApp, send, spawn_app, spawn_app_with};

crate::on_both_databases!(
    a_teacher_turns_on_two_step_login_and_then_logs_in_with_a_code,
    a_recovery_code_works_once_and_turns_it_off,
    a_school_that_requires_it_lets_staff_do_nothing_else_until_it_is_set_up,
    an_admin_resets_two_step_login_for_a_lost_phone,
);

const TEACHER: &str = "jan@school.test";

/// The code the authenticator app shows at the server's current time.
fn code_now(app: &TestApp, secret: &str) -> String {
    let totp = Builder::new()
        .with_secret(Secret::try_from_base32(secret).unwrap())
        .build()
        .unwrap();
    totp.generate(app.clock.now().timestamp() as u64)
        .to_string()
}

async fn login_with(
    app: &TestApp,
    email: &str,
    password: &str,
    code: Option<&str>,
) -> (StatusCode, Value) {
    app.post_json(
        "/api/auth/login",
        json!({ "email": email, "password": password, "code": code }),
    )
    .await
}

/// Sets up two-step login for `session`; the secret and the recovery codes.
async fn turn_on(app: &TestApp, session: &Session) -> (String, Vec<String>) {
    let (status, setup) = send(app.authed(Method::POST, "/api/me/two-factor/setup", session)).await;
    assert_eq!(status, StatusCode::OK, "{setup}");
    let secret = setup["secret"].as_str().unwrap().to_string();
    let code = code_now(app, &secret);
    let (status, enabled) = send(
        app.authed(Method::POST, "/api/me/two-factor/enable", session)
            .json(&json!({ "code": code })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{enabled}");
    let codes = enabled["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|code| code.as_str().unwrap().to_string())
        .collect();
    (secret, codes)
}

async fn a_teacher_turns_on_two_step_login_and_then_logs_in_with_a_code(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    let teacher = app.active_user(&admin, "teacher", TEACHER).await;
    let other_device = app.login_ok(TEACHER, PASSWORD).await;
    let (_, status) = send(app.authed(Method::GET, "/api/me/two-factor", &teacher)).await;
    assert_eq!(status["on"], false);

    let (status, setup) =
        send(app.authed(Method::POST, "/api/me/two-factor/setup", &teacher)).await;
    assert_eq!(status, StatusCode::OK, "{setup}");
    let secret = setup["secret"].as_str().unwrap();
    assert!(
        setup["otpauth_url"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/")
    );
    assert!(
        setup["otpauth_url"]
            .as_str()
            .unwrap()
            .contains("jan%40school.test")
    );
    assert!(setup["qr_svg"].as_str().unwrap().contains("<svg"));

    // Not on before a right code; a wrong one is refused.
    let (status, _) = login_with(&app, TEACHER, PASSWORD, None).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "set-up not finished: the password still suffices"
    );
    let (status, body) = send(
        app.authed(Method::POST, "/api/me/two-factor/enable", &teacher)
            .json(&json!({ "code": "000000" })),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str(), body["field"].as_str()),
        (
            StatusCode::BAD_REQUEST,
            Some("two_factor_code_wrong"),
            Some("code")
        )
    );

    let code = code_now(&app, secret);
    let (status, enabled) = send(
        app.authed(Method::POST, "/api/me/two-factor/enable", &teacher)
            .json(&json!({ "code": code })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{enabled}");
    assert_eq!(enabled["recovery_codes"].as_array().unwrap().len(), 10);
    assert_eq!(
        send(app.authed(Method::GET, "/api/me", &teacher)).await.0,
        StatusCode::OK,
        "this session goes on"
    );
    assert_eq!(
        send(app.authed(Method::GET, "/api/me", &other_device))
            .await
            .0,
        StatusCode::UNAUTHORIZED,
        "sessions opened with the password alone end"
    );

    // The password alone no longer logs in; the code the set-up used does not either.
    let (status, body) = login_with(&app, TEACHER, PASSWORD, None).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("two_factor_required"))
    );
    let (status, body) = login_with(&app, TEACHER, PASSWORD, Some(&code)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("two_factor_code_wrong"))
    );
    // A wrong password with a right code says only that the password is wrong.
    app.clock.advance(chrono::Duration::seconds(30));
    let fresh = code_now(&app, secret);
    let (status, body) = login_with(&app, TEACHER, "Wrong-Password-1!", Some(&fresh)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("wrong_credentials"))
    );
    let (status, body) = login_with(&app, TEACHER, PASSWORD, Some(&fresh)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = login_with(&app, TEACHER, PASSWORD, Some(&fresh)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("two_factor_code_wrong")),
        "no code works twice"
    );
    // A code from the step before still works (the phone's clock may lag), an older one not.
    app.clock.advance(chrono::Duration::seconds(60));
    let two_steps_old = fresh;
    let (status, _) = login_with(&app, TEACHER, PASSWORD, Some(&two_steps_old)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (_, status) = send(app.authed(Method::GET, "/api/me/two-factor", &teacher)).await;
    assert_eq!(
        (
            status["on"].as_bool(),
            status["recovery_codes_left"].as_u64()
        ),
        (Some(true), Some(10))
    );
    let (status, body) = send(app.authed(Method::POST, "/api/me/two-factor/setup", &teacher)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("two_factor_already_on"))
    );

    // Parents do not get it.
    let parent = app.active_user(&admin, "parent", "anna@example.nl").await;
    let (status, body) = send(app.authed(Method::POST, "/api/me/two-factor/setup", &parent)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("two_factor_staff_only"))
    );

    let (_, log) = send(app.authed(Method::GET, "/api/audit-log", &admin)).await;
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .any(|entry| entry["action"] == "user.two_factor_on"
                && entry["actor_id"].as_i64() == Some(teacher.user_id)),
        "{log}"
    );
}

async fn a_recovery_code_works_once_and_turns_it_off(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    let teacher = app.active_user(&admin, "teacher", TEACHER).await;
    let (_, codes) = turn_on(&app, &teacher).await;

    // Typed loosely: upper case, a space instead of the dash.
    let typed = codes[0].to_uppercase().replace('-', " ");
    let (status, body) = login_with(&app, TEACHER, PASSWORD, Some(&typed)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = login_with(&app, TEACHER, PASSWORD, Some(&codes[0])).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("two_factor_code_wrong"))
    );
    let (_, status) = send(app.authed(Method::GET, "/api/me/two-factor", &teacher)).await;
    assert_eq!(status["recovery_codes_left"], 9);

    let (status, body) = send(
        app.authed(Method::POST, "/api/me/two-factor/disable", &teacher)
            .json(&json!({ "code": "not-a-code" })),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("two_factor_code_wrong"))
    );
    let (status, _) = send(
        app.authed(Method::POST, "/api/me/two-factor/disable", &teacher)
            .json(&json!({ "code": codes[1] })),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = login_with(&app, TEACHER, PASSWORD, None).await;
    assert_eq!(status, StatusCode::OK, "the password suffices again");
    // The old recovery codes went with it: after a new set-up they do not work.
    let again = app.login_ok(TEACHER, PASSWORD).await;
    let (_, new_codes) = turn_on(&app, &again).await;
    assert!(!new_codes.contains(&codes[2]));
    let (status, _) = login_with(&app, TEACHER, PASSWORD, Some(&codes[2])).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn a_school_that_requires_it_lets_staff_do_nothing_else_until_it_is_set_up(backend: Backend) {
    let app = spawn_app_with(backend, |settings| {
        settings.security.two_factor_required_for_staff = true;
    })
    .await;
    let admin = app.admin().await;
    // The first admin too must set it up before going on.
    let (status, body) = send(app.authed(Method::GET, "/api/users", &admin)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("two_factor_setup_required"))
    );
    turn_on(&app, &admin).await;
    assert_eq!(
        send(app.authed(Method::GET, "/api/users", &admin)).await.0,
        StatusCode::OK
    );
    let parent = app.active_user(&admin, "parent", "anna@example.nl").await;
    assert_eq!(
        send(app.authed(Method::GET, "/api/children", &parent))
            .await
            .0,
        StatusCode::OK,
        "parents are not asked"
    );

    let teacher = app.active_user(&admin, "teacher", TEACHER).await;
    let (status, login) = login_with(&app, TEACHER, PASSWORD, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(login["user"]["two_factor_setup_required"], true);
    let (status, body) = send(app.authed(Method::GET, "/api/posts", &teacher)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("two_factor_setup_required"))
    );
    let (_, me) = send(app.authed(Method::GET, "/api/me", &teacher)).await;
    assert_eq!(me["two_factor_setup_required"], true);
    // However the scheme is spelled.
    let lower_case = app
        .request(Method::GET, "/api/posts")
        .header("authorization", format!("bearer {}", teacher.token));
    assert_ne!(send(lower_case).await.0, StatusCode::OK);

    let (_, codes) = turn_on(&app, &teacher).await;
    let (_, me) = send(app.authed(Method::GET, "/api/me", &teacher)).await;
    assert_eq!(me["two_factor_setup_required"], false);
    assert_eq!(
        send(app.authed(Method::GET, "/api/posts", &teacher))
            .await
            .0,
        StatusCode::OK
    );
    let (status, body) = send(
        app.authed(Method::POST, "/api/me/two-factor/disable", &teacher)
            .json(&json!({ "code": codes[0] })),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("two_factor_required_by_school"))
    );
}

async fn an_admin_resets_two_step_login_for_a_lost_phone(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    let teacher = app.active_user(&admin, "teacher", TEACHER).await;
    turn_on(&app, &teacher).await;
    let reset = format!("/api/users/{}/two-factor/reset", teacher.user_id);
    let (status, body) = send(app.authed(Method::POST, &reset, &teacher)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden_role"))
    );

    assert_eq!(
        send(app.authed(Method::POST, &reset, &admin)).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        send(app.authed(Method::GET, "/api/me", &teacher)).await.0,
        StatusCode::UNAUTHORIZED,
        "the teacher's sessions end"
    );
    let (status, _) = login_with(&app, TEACHER, PASSWORD, None).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the password logs in; set it up again"
    );
    let (_, log) = send(app.authed(Method::GET, "/api/audit-log", &admin)).await;
    let entry = log
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["action"] == "user.two_factor_reset")
        .expect("audited");
    assert_eq!(entry["target"], format!("user:{}", teacher.user_id));
    assert_eq!(entry["details"]["was_on"], true);
    assert_eq!(
        send(app.authed(Method::POST, "/api/users/999999/two-factor/reset", &admin))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
}
