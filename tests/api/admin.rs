//! Admin operations: accounts, groups, teachers, links, disabling, the audit log.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{Backend, PASSWORD, send, spawn_app};

crate::on_both_databases!(
    a_parent_or_teacher_calling_an_admin_endpoint_gets_403,
    inviting_an_existing_address_is_a_conflict,
    an_invitation_email_carries_a_working_activation_link,
    a_teacher_sees_the_children_of_their_groups_only,
    disabling_an_account_ends_its_sessions_and_blocks_login,
    admin_actions_are_recorded_in_the_audit_log,
);

async fn a_parent_or_teacher_calling_an_admin_endpoint_gets_403(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    let parent = app.active_user(&admin, "parent", "anna@example.nl").await;
    let teacher = app.active_user(&admin, "teacher", "jan@school.test").await;
    for session in [&parent, &teacher] {
        for (method, path, body) in [
            (Method::GET, "/api/users", json!(null)),
            (
                Method::POST,
                "/api/users",
                json!({ "email": "x@example.nl", "first_name": "X", "last_name": "Y", "role": "admin" }),
            ),
            (Method::POST, "/api/groups", json!({ "name": "Hack" })),
            (
                Method::POST,
                "/api/children",
                json!({ "external_id": "1", "first_name": "A", "last_name": "B" }),
            ),
            (
                Method::POST,
                &format!("/api/users/{}/disable", admin.user_id),
                json!(null),
            ),
            (
                Method::POST,
                &format!("/api/users/{}/logout-everywhere", admin.user_id),
                json!(null),
            ),
            (
                Method::POST,
                &format!("/api/users/{}/two-factor/reset", admin.user_id),
                json!(null),
            ),
            (Method::GET, "/api/audit-log", json!(null)),
        ] {
            let mut request = app.authed(method.clone(), path, session);
            if !body.is_null() {
                request = request.json(&body);
            }
            let (status, body) = send(request).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: {body}");
            assert_eq!(body["code"], "forbidden_role");
        }
    }
    // Nothing was created.
    let (_, users) = send(app.authed(Method::GET, "/api/users", &admin)).await;
    assert_eq!(users.as_array().unwrap().len(), 3);
}

async fn inviting_an_existing_address_is_a_conflict(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    app.invite(&admin, "parent", "anna@example.nl", "nl").await;
    let (status, body) = send(app.authed(Method::POST, "/api/users", &admin).json(&json!({
        "email": "ANNA@example.nl", "first_name": "Anna", "last_name": "J", "role": "parent"
    })))
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("email_taken"))
    );
    let (status, body) = send(app.authed(Method::POST, "/api/users", &admin).json(&json!({
        "email": "not-an-address", "first_name": "Anna", "last_name": "J", "role": "parent"
    })))
    .await;
    assert_eq!(
        (status, body["code"].as_str(), body["field"].as_str()),
        (
            StatusCode::BAD_REQUEST,
            Some("invalid_email"),
            Some("email")
        )
    );
}

async fn an_invitation_email_carries_a_working_activation_link(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    let (status, body) = send(app.authed(Method::POST, "/api/users", &admin).json(&json!({
        "email": "jan@school.test", "first_name": "Jan", "last_name": "de Vries",
        "role": "teacher", "language": "nl", "send_activation_email": true
    })))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["user"]["state"], "invited");
    let mail = app.smtp.wait_for_mail_to("jan@school.test").await;
    assert_eq!(mail.subject(), "Uw account bij De Regenboog");
    assert!(mail.text().contains("Beste Jan,"));
    let session = app.activate(&mail.link_token("activate"), PASSWORD).await;
    let (_, me) = send(app.authed(Method::GET, "/api/me", &session)).await;
    assert_eq!(
        (me["role"].as_str(), me["language"].as_str()),
        (Some("teacher"), Some("nl"))
    );
}

async fn a_teacher_sees_the_children_of_their_groups_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    let teacher = app.active_user(&admin, "teacher", "jan@school.test").await;
    let own_group = app.create_group(&admin, "Groep 3a").await;
    let other_group = app.create_group(&admin, "Groep 5b").await;
    app.add_teacher(&admin, own_group, &teacher).await;
    let own_child = app.create_child(&admin, "1001", own_group).await;
    let other_child = app.create_child(&admin, "1002", other_group).await;

    let (_, children) = send(app.authed(Method::GET, "/api/children", &teacher)).await;
    let ids: Vec<i64> = children
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [own_child]);
    assert_eq!(children[0]["can_edit"], false);
    assert_eq!(children[0]["group_name"], "Groep 3a");
    let (status, _) = send(app.authed(
        Method::GET,
        &format!("/api/children/{other_child}"),
        &teacher,
    ))
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (_, groups) = send(app.authed(Method::GET, "/api/groups", &teacher)).await;
    assert_eq!(groups[0]["teacher_ids"], json!([teacher.user_id]));
    // Only teachers can be group members.
    let parent = app.active_user(&admin, "parent", "anna@example.nl").await;
    let (status, body) = send(app.authed(
        Method::PUT,
        &format!("/api/groups/{own_group}/teachers/{}", parent.user_id),
        &admin,
    ))
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("not_a_teacher"))
    );
    let (status, body) = send(
        app.authed(Method::POST, "/api/groups", &admin)
            .json(&json!({ "name": "Groep 3a" })),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("group_name_taken"))
    );
}

async fn disabling_an_account_ends_its_sessions_and_blocks_login(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    let parent = app.active_user(&admin, "parent", "anna@example.nl").await;

    let (status, body) = send(app.authed(
        Method::POST,
        &format!("/api/users/{}/disable", parent.user_id),
        &admin,
    ))
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["state"], "disabled");
    assert_eq!(
        send(app.authed(Method::GET, "/api/me", &parent)).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login("anna@example.nl", PASSWORD).await.0,
        StatusCode::UNAUTHORIZED
    );

    let (status, body) = send(app.authed(
        Method::POST,
        &format!("/api/users/{}/disable", admin.user_id),
        &admin,
    ))
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("cannot_disable_self"))
    );

    let (_, body) = send(app.authed(
        Method::POST,
        &format!("/api/users/{}/enable", parent.user_id),
        &admin,
    ))
    .await;
    assert_eq!(body["state"], "active");
    app.login_ok("anna@example.nl", PASSWORD).await;
}

async fn admin_actions_are_recorded_in_the_audit_log(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    let (parent_id, _) = app.invite(&admin, "parent", "anna@example.nl", "nl").await;
    let group = app.create_group(&admin, "Groep 3a").await;
    let child = app.create_child(&admin, "1001", group).await;
    app.link_parent(&admin, child, parent_id, true).await;

    let (status, log) = send(app.authed(Method::GET, "/api/audit-log?limit=3", &admin)).await;
    assert_eq!(status, StatusCode::OK);
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["child.link_parent", "child.create", "group.create"]
    );
    assert_eq!(log[0]["actor_id"].as_i64(), Some(admin.user_id));
    assert_eq!(log[0]["details"]["read_only"], true);
}
