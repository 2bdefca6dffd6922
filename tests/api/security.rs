//! Hardening after an outside review: each defect and risk it found, shown closed.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{
    fixtures::school,
    helpers::{Backend, PASSWORD, send, spawn_app, spawn_app_with},
};

crate::on_both_databases!(
    a_disabled_account_stops_working_at_once_even_with_a_cached_session,
    an_unlinked_parent_loses_the_child_at_once,
    guessing_the_current_password_is_rate_limited_per_account,
    a_teacher_cannot_write_into_the_thread_of_a_parent_the_post_does_not_reach,
    push_endpoints_on_allowed_hosts_must_use_the_https_port,
    on_a_post_to_two_classes_a_teacher_sees_only_the_families_of_their_own_class,
    every_text_field_of_every_request_refuses_control_characters,
    every_text_field_of_every_request_refuses_numbers_and_booleans,
    every_stated_length_limit_is_enforced,
    text_that_reached_postgres_as_nul_is_refused_in_posts_replies_and_contacts,
    a_user_keeps_a_limited_number_of_devices_the_oldest_replaced,
    urgent_notices_are_pinned_at_most_fourteen_days,
    an_invalid_email_is_not_echoed_back,
    a_parents_change_to_a_childs_data_is_in_the_audit_log,
    a_cross_site_get_does_not_mark_a_post_read,
    a_download_is_named_for_what_it_is_and_pdfs_with_scripts_are_refused,
    behind_https_every_answer_carries_strict_transport_security,
    an_unsubscribe_link_works_for_a_year_and_for_its_address_only,
    behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit,
    a_session_unused_for_the_idle_days_ends_a_used_one_goes_on,
    log_out_on_all_devices_ends_every_session_and_stops_push,
    an_admin_logs_an_account_out_everywhere_and_it_is_audited,
    api_answers_are_marked_no_store,
    a_client_sending_its_headers_byte_by_byte_is_cut_off,
    a_stalled_request_body_is_answered_408,
);

async fn a_disabled_account_stops_working_at_once_even_with_a_cached_session(backend: Backend) {
    let s = school(backend).await;
    let app = &s.app;
    let (status, children) = send(app.authed(Method::GET, "/api/children", &s.anna)).await;
    assert_eq!(status, StatusCode::OK, "the session is now cached");
    let child = children[0]["id"].as_i64().unwrap();
    let disable = format!("/api/users/{}/disable", s.anna.user_id);
    assert_eq!(
        send(app.authed(Method::POST, &disable, &s.admin)).await.0,
        StatusCode::OK
    );
    assert_eq!(
        send(app.authed(Method::GET, "/api/children", &s.anna))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    let (status, _) = send(
        app.authed(Method::PATCH, &format!("/api/children/{child}"), &s.anna)
            .json(&json!({ "emergency_contacts": [{ "name": "Oma", "phone": "0612345678" }] })),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Enabled again, the account logs in anew; the old session stays ended.
    let enable = format!("/api/users/{}/enable", s.anna.user_id);
    assert_eq!(
        send(app.authed(Method::POST, &enable, &s.admin)).await.0,
        StatusCode::OK
    );
    assert_eq!(
        send(app.authed(Method::GET, "/api/children", &s.anna))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    app.login_ok("anna@example.nl", PASSWORD).await;
}

async fn an_unlinked_parent_loses_the_child_at_once(backend: Backend) {
    let s = school(backend).await;
    let app = &s.app;
    let (_, children) = send(app.authed(Method::GET, "/api/children", &s.anna)).await;
    let child = children[0]["id"].as_i64().unwrap();
    let path = format!("/api/children/{child}/parents/{}", s.anna.user_id);
    assert_eq!(
        send(app.authed(Method::DELETE, &path, &s.admin)).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        send(app.authed(Method::GET, &format!("/api/children/{child}"), &s.anna))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let (_, children) = send(app.authed(Method::GET, "/api/children", &s.anna)).await;
    assert_eq!(children, json!([]));
}

async fn guessing_the_current_password_is_rate_limited_per_account(backend: Backend) {
    let app = spawn_app_with(backend, |settings| {
        settings.security.login_attempts_per_account_per_minute = 5;
    })
    .await;
    let admin = app.admin().await;
    let anna = app.active_user(&admin, "parent", "anna@example.nl").await;
    let guess = |current: &str| {
        app.authed(Method::POST, "/api/me/password", &anna)
            .json(&json!({
                "current_password": current,
                "new_password": "Herfst-Wandeling8",
                "new_password_repeat": "Herfst-Wandeling8",
            }))
    };
    for attempt in 1..=5 {
        let (status, body) = send(guess(&format!("Wrong-Guess-{attempt}"))).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("wrong_current_password")),
            "attempt {attempt}"
        );
    }
    let response = guess("Wrong-Guess-6").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key("retry-after"));
    // Even the right password waits: the limit is on the account, not on wrong answers.
    assert_eq!(send(guess(PASSWORD)).await.0, StatusCode::TOO_MANY_REQUESTS);
    // Other accounts are not affected.
    let bob = app.active_user(&admin, "parent", "bob@example.nl").await;
    let (status, _) = send(
        app.authed(Method::POST, "/api/me/password", &bob)
            .json(&json!({
                "current_password": PASSWORD,
                "new_password": "Herfst-Wandeling8",
                "new_password_repeat": "Herfst-Wandeling8",
            })),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

async fn a_teacher_cannot_write_into_the_thread_of_a_parent_the_post_does_not_reach(
    backend: Backend,
) {
    let s = school(backend).await;
    let app = &s.app;
    let post = app.post(&s.teacher, json!({ "kind": "message", "group_ids": [s.class_3a], "title": "Trip", "body": "Questions welcome.", "allow_replies": true })).await;
    let replies = format!("/api/posts/{}/replies", post["id"]);
    // Carl's child is in another class: the post does not reach him.
    let (status, body) = send(
        app.authed(Method::POST, &replies, &s.teacher)
            .json(&json!({ "body": "Hello Carl", "parent_id": s.carl.user_id })),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str(), body["field"].as_str()),
        (
            StatusCode::BAD_REQUEST,
            Some("not_addressed"),
            Some("parent_id")
        )
    );
    // Anna's child is in the class: her thread exists.
    let (status, _) = send(
        app.authed(Method::POST, &replies, &s.teacher)
            .json(&json!({ "body": "Hello Anna", "parent_id": s.anna.user_id })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
}

async fn push_endpoints_on_allowed_hosts_must_use_the_https_port(backend: Backend) {
    let app = spawn_app_with(backend, |settings| {
        settings.push.allowed_hosts = vec!["fcm.googleapis.com".into()];
        settings.push.allow_insecure = false;
    })
    .await;
    let admin = app.admin().await;
    let anna = app.active_user(&admin, "parent", "anna@example.nl").await;
    let keys = json!({
        "p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
        "auth": "tBHItJI5svbpez7KI4CCXg",
    });
    for endpoint in [
        "https://fcm.googleapis.com:22/fcm/send/abc",
        "https://fcm.googleapis.com:8443/fcm/send/abc",
    ] {
        let (status, body) = send(
            app.authed(Method::POST, "/api/push/subscriptions", &anna)
                .json(&json!({ "endpoint": endpoint, "keys": keys })),
        )
        .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("endpoint_not_allowed")),
            "{endpoint}"
        );
    }
    for endpoint in [
        "https://fcm.googleapis.com/fcm/send/abc",
        "https://fcm.googleapis.com:443/fcm/send/def",
    ] {
        let (status, body) = send(
            app.authed(Method::POST, "/api/push/subscriptions", &anna)
                .json(&json!({ "endpoint": endpoint, "keys": keys })),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{endpoint}: {body}");
    }
}

/// Replies are private between a family and the staff of its child's group (and the author
/// and admins): on a post to two classes the teacher of one class neither reads the other
/// class's replies nor sees its families in the receipts.
async fn on_a_post_to_two_classes_a_teacher_sees_only_the_families_of_their_own_class(
    backend: Backend,
) {
    let s = school(backend).await;
    let app = &s.app;
    let (_, groups) = send(app.authed(Method::GET, "/api/groups", &s.admin)).await;
    let class_5b = groups
        .as_array()
        .unwrap()
        .iter()
        .find(|group| group["name"] == "Groep 5b")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let post = app.post(&s.admin, json!({ "kind": "message", "group_ids": [s.class_3a, class_5b], "title": "Both classes", "body": "Reply if you can help.", "allow_replies": true })).await;
    let replies = format!("/api/posts/{}/replies", post["id"]);
    for (parent, text) in [(&s.anna, "Anna can help"), (&s.carl, "Carl's private note")] {
        let (status, _) = send(
            app.authed(Method::POST, &replies, parent)
                .json(&json!({ "body": text })),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    // Jan teaches 3a only.
    let (_, seen) = send(app.authed(Method::GET, &replies, &s.teacher)).await;
    let bodies: Vec<&str> = seen
        .as_array()
        .unwrap()
        .iter()
        .map(|reply| reply["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, ["Anna can help"]);
    let carls = format!("{replies}?parent_id={}", s.carl.user_id);
    assert_eq!(
        send(app.authed(Method::GET, &carls, &s.teacher)).await.1,
        json!([])
    );
    let (status, body) = send(
        app.authed(Method::POST, &replies, &s.teacher)
            .json(&json!({ "body": "Hi Carl", "parent_id": s.carl.user_id })),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("not_addressed"))
    );
    let (_, status) = send(app.authed(
        Method::GET,
        &format!("/api/posts/{}/status", post["id"]),
        &s.teacher,
    ))
    .await;
    let parents: Vec<i64> = status["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["parent_id"].as_i64().unwrap())
        .collect();
    assert!(parents.contains(&s.anna.user_id) && parents.contains(&s.bob.user_id));
    assert!(!parents.contains(&s.carl.user_id), "{status}");
    assert_eq!(status["counts"]["parents"], 2);
    assert_eq!(status["counts"]["replied"], 1);
    // The admin who wrote it sees both classes.
    let (_, seen) = send(app.authed(Method::GET, &replies, &s.admin)).await;
    assert_eq!(seen.as_array().unwrap().len(), 2);
}

/// Every string property of every JSON request body in the OpenAPI spec, as (path in the
/// body, a body with only that property set to `text`).
fn string_fields(schema: &Value, schemas: &Value, path: &str, text: &str) -> Vec<(String, Value)> {
    let schema = match schema["$ref"].as_str() {
        Some(reference) => &schemas[reference.trim_start_matches("#/components/schemas/")],
        None => schema,
    };
    if let Some(all) = schema["allOf"].as_array() {
        return all
            .iter()
            .flat_map(|part| string_fields(part, schemas, path, text))
            .collect();
    }
    match schema["type"].as_str() {
        Some("string") => vec![(path.to_string(), json!(text))],
        Some("array") => string_fields(&schema["items"], schemas, &format!("{path}[0]"), text)
            .into_iter()
            .map(|(field, item)| (field, json!([item])))
            .collect(),
        Some("object") | None => schema["properties"]
            .as_object()
            .into_iter()
            .flatten()
            .flat_map(|(name, property)| {
                let inner = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                string_fields(property, schemas, &inner, text)
                    .into_iter()
                    .map(move |(field, value)| (field, json!({ name.clone(): value })))
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The string properties of a JSON value, as paths of keys and indexes.
fn string_paths(value: &Value, path: Vec<Value>) -> Vec<Vec<Value>> {
    match value {
        Value::String(_) => vec![path],
        Value::Array(items) => items
            .iter()
            .enumerate()
            .flat_map(|(index, item)| {
                let mut inner = path.clone();
                inner.push(json!(index));
                string_paths(item, inner)
            })
            .collect(),
        Value::Object(map) => map
            .iter()
            .flat_map(|(key, item)| {
                let mut inner = path.clone();
                inner.push(json!(key));
                string_paths(item, inner)
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn set_at(value: &mut Value, path: &[Value], new: Value) {
    let target = path.iter().fold(value, |value, step| match step {
        Value::String(key) => &mut value[key.as_str()],
        step => &mut value[step.as_u64().unwrap() as usize],
    });
    *target = new;
}

/// Every operation with a JSON request body: its method, a URL with path parameters set to 1,
/// its example body and the body's schema (resolved).
fn json_operations(spec: &Value) -> Vec<(Method, String, Value, Value)> {
    let schemas = &spec["components"]["schemas"];
    let mut found = Vec::new();
    for (path, operations) in spec["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let Some(schema) = operation["requestBody"]["content"]
                .as_object()
                .and_then(|content| {
                    content
                        .iter()
                        .find(|(media, _)| media.starts_with("application/json"))
                })
                .map(|(_, content)| &content["schema"])
            else {
                continue;
            };
            let name = schema["$ref"]
                .as_str()
                .unwrap_or_default()
                .trim_start_matches("#/components/schemas/");
            let example = schemas[name]["example"].clone();
            assert!(
                !example.is_null(),
                "{method} {path}: the request schema {name} has no example"
            );
            let url = format!("/api{}", path.replace(['{', '}'], ""))
                .split('/')
                .map(|segment| {
                    let is_parameter = operation["parameters"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|p| p["in"] == "path" && p["name"] == segment);
                    if is_parameter { "1" } else { segment }.to_string()
                })
                .collect::<Vec<_>>()
                .join("/");
            let method: Method = method.to_uppercase().parse().unwrap();
            found.push((method, url, example, schemas[name].clone()));
        }
    }
    found
}

async fn openapi_spec(app: &crate::helpers::TestApp) -> Value {
    reqwest::get(app.url("/api/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Generated clients send what the schema says: a string field given a number or a boolean is
/// a client bug, answered 400 instead of being stored as "12" or "true". Each operation's
/// example is the base, so the answer is about that one field.
async fn every_text_field_of_every_request_refuses_numbers_and_booleans(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    let mut checked = 0;
    for (method, url, example, _) in json_operations(&openapi_spec(&app).await) {
        for field in string_paths(&example, Vec::new()) {
            for wrong in [json!(true), json!(12)] {
                let mut body = example.clone();
                set_at(&mut body, &field, wrong);
                let (status, error) =
                    send(app.authed(method.clone(), &url, &admin).json(&body)).await;
                assert_eq!(
                    (status, error["code"].as_str()),
                    (StatusCode::BAD_REQUEST, Some("invalid_body")),
                    "{method} {url} with {body}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 60, "only {checked} fields checked");
}

/// The limits the spec states are the server's: one character over a property's `maxLength`
/// is refused (a 4xx naming the field when it is a 400), never stored.
async fn every_stated_length_limit_is_enforced(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    // The examples name group 1: it exists, so the text is what is wrong.
    let (status, _) = send(
        app.authed(Method::POST, "/api/groups", &admin)
            .json(&json!({ "name": "Groep 1" })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let mut checked = 0;
    for (method, url, example, schema) in json_operations(&openapi_spec(&app).await) {
        for (name, property) in schema["properties"].as_object().into_iter().flatten() {
            let Some(max) = property["maxLength"].as_u64() else {
                continue;
            };
            let mut body = example.clone();
            body[name.as_str()] = json!("7".repeat(max as usize + 1));
            let (status, error) = send(app.authed(method.clone(), &url, &admin).json(&body)).await;
            assert!(status.is_client_error(), "{method} {url} {name}: {status}");
            if status == StatusCode::BAD_REQUEST {
                assert!(
                    error["field"]
                        .as_str()
                        .is_some_and(|f| f.starts_with(name.as_str()))
                        || error["message"]
                            .as_str()
                            .unwrap_or("")
                            .contains(name.as_str()),
                    "{method} {url} {name}: {error}"
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 25, "only {checked} limits checked");
}

/// A property test over the whole API: whatever the operation and the text field, a NUL (or
/// another control character) is a 400 naming the field, the same on both databases.
async fn every_text_field_of_every_request_refuses_control_characters(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    let spec = openapi_spec(&app).await;
    let schemas = &spec["components"]["schemas"];
    let mut checked = Vec::new();
    for (method, url, _, schema) in json_operations(&spec) {
        for control in ["a\u{0}b", "a\u{7}b", "\u{1b}[31m", "a\u{7f}", "\u{85}"] {
            for (field, body) in string_fields(&schema, schemas, "", control) {
                let (status, error) = send(
                    app.authed(method.clone(), &url, &admin)
                        .header("content-type", "application/json")
                        .body(body.to_string()),
                )
                .await;
                assert_eq!(
                    (status, error["code"].as_str(), error["field"].as_str()),
                    (
                        StatusCode::BAD_REQUEST,
                        Some("invalid_text"),
                        Some(field.as_str())
                    ),
                    "{method} {url} with {body}"
                );
                checked.push(format!("{method} {url} {field}"));
            }
        }
    }
    // 5 control characters in each of the text fields of the spec's request bodies.
    assert!(checked.len() > 5 * 40, "only {} checks", checked.len());
    for address in ["/api/imports/a%00b", "/api/users?role=parent%00"] {
        let (status, error) = send(app.authed(Method::GET, address, &admin)).await;
        assert_eq!(
            (status, error["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_text")),
            "{address}"
        );
    }
}

/// The three places the review saw PostgreSQL answer 500 to a NUL: now a 400 naming the
/// field on both databases, and line breaks still pass.
async fn text_that_reached_postgres_as_nul_is_refused_in_posts_replies_and_contacts(
    backend: Backend,
) {
    let s = school(backend).await;
    let app = &s.app;
    let (status, error) = send(app.authed(Method::POST, "/api/posts", &s.teacher).json(&json!({
        "kind": "message", "group_ids": [s.class_3a], "title": "Trip", "body": "Bring\u{0}lunch"
    })))
    .await;
    assert_eq!(
        (status, error["code"].as_str(), error["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_text"), Some("body"))
    );
    let post = app.post(&s.teacher, json!({ "kind": "message", "group_ids": [s.class_3a], "title": "Trip", "body": "Bring lunch.\nAnd a hat.", "allow_replies": true })).await;
    assert_eq!(post["body"], "Bring lunch.\nAnd a hat.");
    let (status, error) = send(
        app.authed(
            Method::POST,
            &format!("/api/posts/{}/replies", post["id"]),
            &s.anna,
        )
        .json(&json!({ "body": "Yes\u{0}" })),
    )
    .await;
    assert_eq!(
        (status, error["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("body"))
    );
    let (_, children) = send(app.authed(Method::GET, "/api/children", &s.anna)).await;
    let (status, error) = send(
        app.authed(Method::PATCH, &format!("/api/children/{}", children[0]["id"]), &s.anna)
            .json(&json!({ "emergency_contacts": [{ "name": "Oma", "phone": "0612345678", "relation": "gr\u{0}andma" }] })),
    )
    .await;
    assert_eq!(
        (status, error["field"].as_str()),
        (
            StatusCode::BAD_REQUEST,
            Some("emergency_contacts[0].relation")
        )
    );
}

async fn a_user_keeps_a_limited_number_of_devices_the_oldest_replaced(backend: Backend) {
    let app = spawn_app_with(backend, |settings| settings.push.max_devices_per_user = 3).await;
    let admin = app.admin().await;
    let anna = app.active_user(&admin, "parent", "anna@example.nl").await;
    let mut devices = Vec::new();
    for n in 0..4 {
        let device = app.push.device(&format!("phone-{n}"));
        app.subscribe(&anna, &device).await;
        devices.push(device);
    }
    let kept =
        schoolgate::platform::outbox::devices::of_users(&app.state.db, vec![anna.user_id as i32])
            .await
            .unwrap();
    let endpoints: Vec<&str> = kept.iter().map(|device| device.endpoint.as_str()).collect();
    assert_eq!(
        endpoints,
        devices[1..]
            .iter()
            .map(|device| device.endpoint.as_str())
            .collect::<Vec<_>>(),
        "the oldest device was replaced"
    );
}

async fn urgent_notices_are_pinned_at_most_fourteen_days(backend: Backend) {
    let s = school(backend).await;
    let urgent = |days: i64| {
        let until = s.app.clock.now() + chrono::Duration::days(days);
        json!({ "kind": "urgent", "group_ids": [s.class_3a], "title": "Road works", "body": "Use the back entrance.", "pinned_until": until })
    };
    let (status, error) = send(
        s.app
            .authed(Method::POST, "/api/posts", &s.teacher)
            .json(&urgent(15)),
    )
    .await;
    assert_eq!(
        (status, error["code"].as_str(), error["field"].as_str()),
        (
            StatusCode::BAD_REQUEST,
            Some("pinned_too_long"),
            Some("pinned_until")
        )
    );
    let post = s.app.post(&s.teacher, urgent(13)).await;
    assert_eq!(post["pinned"], true);
}

async fn an_invalid_email_is_not_echoed_back(backend: Backend) {
    let app = spawn_app(backend).await;
    let typed = "<script>alert(1)</script>@@example";
    for path in ["/api/auth/login", "/api/auth/forgot-password"] {
        let (status, error) = app
            .post_json(path, json!({ "email": typed, "password": "x" }))
            .await;
        assert_eq!(
            (status, error["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_email"))
        );
        assert!(
            !error.to_string().contains("script"),
            "{path} echoed the input: {error}"
        );
    }
}

async fn a_parents_change_to_a_childs_data_is_in_the_audit_log(backend: Backend) {
    let s = school(backend).await;
    let app = &s.app;
    let (_, children) = send(app.authed(Method::GET, "/api/children", &s.anna)).await;
    let child = children[0]["id"].as_i64().unwrap();
    let (status, _) = send(
        app.authed(Method::PATCH, &format!("/api/children/{child}"), &s.anna)
            .json(&json!({ "emergency_contacts": [{ "name": "Oma", "phone": "0612345678" }] })),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, log) = send(app.authed(Method::GET, "/api/audit-log", &s.admin)).await;
    let entry = log
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["action"] == "child.update")
        .expect("the change is in the audit log");
    assert_eq!(entry["actor_id"], s.anna.user_id);
    assert_eq!(entry["target"], format!("child:{child}"));
    assert_eq!(entry["details"]["fields"], json!(["emergency_contacts"]));
    assert_eq!(entry["details"]["by_role"], "parent");
    assert!(entry["created_at"].is_string());
}

/// A GET with only the session cookie (what a link or an image on another site sends) shows
/// the post without recording that the parent read it; the app's header, a Bearer token or
/// the explicit POST do record it.
async fn a_cross_site_get_does_not_mark_a_post_read(backend: Backend) {
    let s = school(backend).await;
    let app = &s.app;
    let post = app.post(&s.teacher, json!({ "kind": "message", "group_ids": [s.class_3a], "title": "Trip", "body": "On Friday." })).await;
    let post_path = format!("/api/posts/{}", post["id"]);
    let read_by = |status: &Value, parent: i64| {
        status["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|row| row["parent_id"] == parent)
            .unwrap()["read_at"]
            .is_string()
    };
    let status_path = format!("{post_path}/status");
    // Anna in a browser: the session cookie only.
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let login = browser
        .post(app.url("/api/auth/login"))
        .json(&json!({ "email": "anna@example.nl", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert!(login.status().is_success());
    let shown = browser.get(app.url(&post_path)).send().await.unwrap();
    assert_eq!(shown.status(), StatusCode::OK);
    let (_, status) = send(app.authed(Method::GET, &status_path, &s.teacher)).await;
    assert!(!read_by(&status, s.anna.user_id), "{status}");
    // The app sends its header: now it counts.
    let opened = browser
        .get(app.url(&post_path))
        .header("X-Schoolgate-App", "1")
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status(), StatusCode::OK);
    let (_, status) = send(app.authed(Method::GET, &status_path, &s.teacher)).await;
    assert!(read_by(&status, s.anna.user_id));
    // An API client with its Bearer token, and the explicit POST.
    assert_eq!(
        send(app.authed(Method::GET, &post_path, &s.bob)).await.0,
        StatusCode::OK
    );
    let (_, status) = send(app.authed(Method::GET, &status_path, &s.teacher)).await;
    assert!(read_by(&status, s.bob.user_id));
    let carl_post = app
        .post(
            &s.admin,
            json!({ "kind": "news", "to_school": true, "title": "Fair", "body": "Saturday." }),
        )
        .await;
    let (status, _) = send(app.authed(
        Method::POST,
        &format!("/api/posts/{}/read", carl_post["id"]),
        &s.carl,
    ))
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, feed) = send(app.authed(Method::GET, "/api/posts", &s.carl)).await;
    assert!(feed[0]["read_at"].is_string(), "{feed}");
}

async fn a_download_is_named_for_what_it_is_and_pdfs_with_scripts_are_refused(backend: Backend) {
    let s = school(backend).await;
    let app = &s.app;
    let post = app.post(&s.teacher, json!({ "kind": "message", "group_ids": [s.class_3a], "title": "Letter", "body": "Attached." })).await;
    let path = format!("/api/posts/{}/attachments", post["id"]);
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0".to_vec();
    let (status, attached) = app.upload(&s.teacher, &path, "brief.html", png).await;
    assert_eq!(status, StatusCode::CREATED, "{attached}");
    assert_eq!(attached["file_name"], "brief.png");
    let response = app
        .authed(Method::GET, &format!("{path}/{}", attached["id"]), &s.anna)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment; filename=\"brief.png\""
    );
    // A script far into the file, past the part the type is read from.
    let mut pdf = b"%PDF-1.7\n".to_vec();
    pdf.extend(std::iter::repeat_n(b' ', 200_000));
    pdf.extend_from_slice(
        b"1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj",
    );
    let (status, error) = app.upload(&s.teacher, &path, "letter.pdf", pdf).await;
    assert_eq!(
        (status, error["code"].as_str()),
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Some("pdf_with_javascript")
        )
    );
    let (_, feed) = send(app.authed(Method::GET, "/api/posts", &s.anna)).await;
    let files = &feed[0]["attachments"];
    assert_eq!(files.as_array().unwrap().len(), 1, "{files}");
}

async fn behind_https_every_answer_carries_strict_transport_security(backend: Backend) {
    let plain = spawn_app(backend).await;
    let response = plain.request(Method::GET, "/healthz").send().await.unwrap();
    assert!(!response.headers().contains_key("strict-transport-security"));
    let https = spawn_app_with(backend, |settings| settings.server.secure_cookies = true).await;
    for path in ["/healthz", "/api/me", "/login", "/api/docs/"] {
        let response = https.request(Method::GET, path).send().await.unwrap();
        assert_eq!(
            response.headers()["strict-transport-security"],
            "max-age=31536000; includeSubDomains",
            "{path}"
        );
    }
}

async fn an_unsubscribe_link_works_for_a_year_and_for_its_address_only(backend: Backend) {
    use schoolgate::entities::users;
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, IntoActiveModel};
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    let anna = app.active_user(&admin, "parent", "anna@example.nl").await;
    let links = &app.state.unsubscribe_links;
    let unsubscribe =
        |token: String| app.request(Method::POST, &format!("/api/unsubscribe?token={token}"));
    let token = |email: &str| {
        links
            .token(anna.user_id as i32, email, "news", app.clock.now())
            .unwrap()
    };
    let year_old = token("anna@example.nl");
    app.clock.advance(chrono::Duration::days(366));
    let old_address = token("anna@example.nl");
    let (status, error) = send(unsubscribe(year_old)).await;
    assert_eq!(
        (status, error["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_unsubscribe_link"))
    );
    // Anna's address changes: links made for the old one stop working.
    let db = &app.state.db;
    let mut user = users::Entity::find_by_id(anna.user_id as i32)
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .into_active_model();
    user.email = Set("anna@new.example".into());
    user.update(db).await.unwrap();
    let (status, _) = send(unsubscribe(old_address)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, body) = send(unsubscribe(token("anna@new.example"))).await;
    assert_eq!(
        (status, body["kind"].as_str()),
        (StatusCode::OK, Some("news"))
    );
}

async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit(backend: Backend) {
    let per_minute = 3;
    // A new address each time, so that only the per-client limit can answer 429.
    let asked = std::sync::atomic::AtomicU32::new(0);
    let forgot = |app: &crate::helpers::TestApp, forwarded_for: &str| {
        let n = asked.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        app.request(Method::POST, "/api/auth/forgot-password")
            .header("x-forwarded-for", forwarded_for)
            .json(&json!({ "email": format!("nobody{n}@example.nl") }))
    };
    let tight = move |settings: &mut schoolgate::app::config::Settings| {
        settings.security.auth_requests_per_client_per_minute = per_minute;
    };

    // Without trusted proxies the header is the client's own word and is ignored: changing
    // it does not buy more attempts.
    let direct = spawn_app_with(backend, tight).await;
    for attempt in 0..per_minute {
        let forwarded = format!("203.0.113.{attempt}");
        assert_eq!(
            send(forgot(&direct, &forwarded)).await.0,
            StatusCode::ACCEPTED
        );
    }
    assert_eq!(
        send(forgot(&direct, "203.0.113.99")).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );

    // Behind the school's proxy the forwarded address is the client: one family's attempts
    // do not lock out the next family, who share the proxy's address.
    let proxied = spawn_app_with(backend, move |settings| {
        tight(settings);
        settings.server.trusted_proxies = vec!["127.0.0.1".into(), "::1".into()];
    })
    .await;
    for _ in 0..per_minute {
        assert_eq!(
            send(forgot(&proxied, "198.51.100.7")).await.0,
            StatusCode::ACCEPTED
        );
    }
    assert_eq!(
        send(forgot(&proxied, "198.51.100.7")).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        send(forgot(&proxied, "198.51.100.8")).await.0,
        StatusCode::ACCEPTED
    );
    // Writing your own X-Forwarded-For in front of the proxy's entry changes nothing.
    assert_eq!(
        send(forgot(&proxied, "192.0.2.1, 198.51.100.7")).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
}

async fn a_session_unused_for_the_idle_days_ends_a_used_one_goes_on(backend: Backend) {
    use schoolgate::entities::sessions;
    use sea_orm::{EntityTrait, PaginatorTrait};
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    let used = app.active_user(&admin, "parent", "anna@example.nl").await;
    let unused = app.active_user(&admin, "parent", "bert@example.nl").await;
    let me = |session| send(app.authed(Method::GET, "/api/me", session));
    assert_eq!(me(&used).await.0, StatusCode::OK);
    assert_eq!(me(&unused).await.0, StatusCode::OK);

    app.clock.advance(chrono::Duration::days(13));
    assert_eq!(
        me(&used).await.0,
        StatusCode::OK,
        "13 days idle: still valid"
    );
    app.clock.advance(chrono::Duration::days(2));
    let (status, body) = me(&unused).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthenticated"))
    );
    assert_eq!(me(&used).await.0, StatusCode::OK, "used 2 days ago");
    app.clock.advance(chrono::Duration::days(12));
    assert_eq!(
        me(&used).await.0,
        StatusCode::OK,
        "27 days old, used 12 days ago"
    );
    // The absolute limit (30 days) still holds for a session in daily use.
    app.clock.advance(chrono::Duration::days(4));
    assert_eq!(me(&used).await.0, StatusCode::UNAUTHORIZED);

    // The janitor removes idle sessions too.
    let before = sessions::Entity::find().count(&app.state.db).await.unwrap();
    assert!(before >= 2, "{before}");
    schoolgate::features::accounts::delete_expired_sessions(&app.state)
        .await
        .unwrap();
    let left = sessions::Entity::find().count(&app.state.db).await.unwrap();
    assert_eq!(left, 0, "the admin's session was idle as well");
}

async fn log_out_on_all_devices_ends_every_session_and_stops_push(backend: Backend) {
    use schoolgate::entities::push_subscriptions;
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    let phone = app.active_user(&admin, "parent", "anna@example.nl").await;
    let laptop = app.login_ok("anna@example.nl", PASSWORD).await;
    let other = app.active_user(&admin, "parent", "bert@example.nl").await;
    app.subscribe(&phone, &app.push.device("anna-phone")).await;
    app.subscribe(&other, &app.push.device("bert-phone")).await;

    let response = app
        .authed(Method::POST, "/api/auth/logout-everywhere", &laptop)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cookie.contains("Max-Age=0"),
        "the cookie is cleared: {cookie}"
    );
    for session in [&phone, &laptop] {
        assert_eq!(
            send(app.authed(Method::GET, "/api/me", session)).await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        send(app.authed(Method::GET, "/api/me", &other)).await.0,
        StatusCode::OK,
        "other accounts go on"
    );
    let devices = |user_id: i64| {
        push_subscriptions::Entity::find()
            .filter(push_subscriptions::Column::UserId.eq(user_id as i32))
            .count(&app.state.db)
    };
    assert_eq!(
        devices(phone.user_id).await.unwrap(),
        0,
        "the lost phone gets no notices"
    );
    assert_eq!(devices(other.user_id).await.unwrap(), 1);
    // Logging in again works.
    app.login_ok("anna@example.nl", PASSWORD).await;
    // Without a session there is nothing to log out.
    assert_eq!(
        send(app.request(Method::POST, "/api/auth/logout-everywhere"))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
}

async fn an_admin_logs_an_account_out_everywhere_and_it_is_audited(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    let anna = app.active_user(&admin, "parent", "anna@example.nl").await;
    app.subscribe(&anna, &app.push.device("anna-phone")).await;
    assert_eq!(
        send(app.authed(Method::GET, "/api/children", &anna))
            .await
            .0,
        StatusCode::OK,
        "the session is now cached"
    );
    let path = format!("/api/users/{}/logout-everywhere", anna.user_id);
    let (status, body) = send(app.authed(Method::POST, &path, &admin)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["state"], "active", "the account itself stays usable");
    assert_eq!(
        send(app.authed(Method::GET, "/api/children", &anna))
            .await
            .0,
        StatusCode::UNAUTHORIZED,
        "at once, despite the cache"
    );
    let (_, log) = send(app.authed(Method::GET, "/api/audit-log", &admin)).await;
    let entry = log
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["action"] == "user.logout_everywhere")
        .cloned()
        .expect("audited");
    assert_eq!(entry["target"], format!("user:{}", anna.user_id));
    assert_eq!(entry["details"]["sessions_ended"], 1);
    assert_eq!(entry["details"]["devices_forgotten"], 1);
    assert_eq!(
        send(app.authed(Method::POST, "/api/users/999999/logout-everywhere", &admin))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    app.login_ok("anna@example.nl", PASSWORD).await;
}

async fn api_answers_are_marked_no_store(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    let cache_control = async |request: reqwest::RequestBuilder| {
        let response = request.send().await.unwrap();
        response
            .headers()
            .get("cache-control")
            .map(|value| value.to_str().unwrap().to_string())
    };
    for (what, request) in [
        ("my data", app.authed(Method::GET, "/api/me", &admin)),
        ("an error", app.request(Method::GET, "/api/me")),
        ("a list", app.authed(Method::GET, "/api/users", &admin)),
    ] {
        assert_eq!(
            cache_control(request).await.as_deref(),
            Some("no-store"),
            "{what}"
        );
    }
    for public in ["/api/openapi.json", "/healthz"] {
        let value = cache_control(app.request(Method::GET, public)).await;
        assert_ne!(value.as_deref(), Some("no-store"), "{public}");
    }
}

/// A raw connection to the test server, for clients no HTTP library would imitate.
async fn raw_connection(app: &crate::helpers::TestApp) -> tokio::net::TcpStream {
    let address = app.address.trim_start_matches("http://");
    tokio::net::TcpStream::connect(address).await.unwrap()
}

/// Reads until the server closes the connection (at most 10 s); what it sent.
async fn read_until_closed(stream: &mut tokio::net::TcpStream) -> String {
    use tokio::io::AsyncReadExt;
    let mut received = Vec::new();
    let reading = stream.read_to_end(&mut received);
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), reading).await;
    String::from_utf8_lossy(&received).into_owned()
}

async fn a_client_sending_its_headers_byte_by_byte_is_cut_off(backend: Backend) {
    use std::time::{Duration, Instant};
    use tokio::io::AsyncWriteExt;
    let app = spawn_app_with(backend, |settings| {
        settings.server.header_read_timeout_seconds = 1;
    })
    .await;

    // Slowloris: a header line every 200 ms, never the blank line that ends them. Each byte
    // counts as activity, so only a deadline on the whole header block stops it.
    let mut stream = raw_connection(&app).await;
    let started = Instant::now();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let trickle = tokio::spawn(async move {
        for n in 0..50 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            if writer
                .write_all(format!("X-{n}: y\r\n").as_bytes())
                .await
                .is_err()
            {
                return Instant::now();
            }
        }
        Instant::now()
    });
    let mut received = Vec::new();
    let reading = tokio::io::AsyncReadExt::read_to_end(&mut reader, &mut received);
    let _ = tokio::time::timeout(Duration::from_secs(10), reading).await;
    let closed_after = started.elapsed();
    trickle.abort();
    assert!(
        closed_after < Duration::from_secs(4),
        "the connection stayed open {closed_after:?} while headers trickled in"
    );
    assert!(
        !String::from_utf8_lossy(&received).contains("200 OK"),
        "no answer to an unfinished request"
    );

    // A kept-alive connection that sends no next request is closed too.
    let mut stream = raw_connection(&app).await;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let answer = read_until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );

    // A client sending at a normal pace is served.
    let (status, _) = send(app.request(Method::GET, "/healthz")).await;
    assert_eq!(status, StatusCode::OK);
}

async fn a_stalled_request_body_is_answered_408(backend: Backend) {
    use std::time::{Duration, Instant};
    use tokio::io::AsyncWriteExt;
    let app = spawn_app_with(backend, |settings| {
        settings.server.body_read_timeout_seconds = 1;
    })
    .await;
    let mut stream = raw_connection(&app).await;
    let body = br#"{"email": "anna@example.nl", "#;
    let head = format!(
        "POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        body.len() + 40
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let started = Instant::now();
    let answer = read_until_closed(&mut stream).await;
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"code\":\"request_timeout\""), "{answer}");

    // A whole body at once is fine.
    let (status, _) = app.login("nobody@example.nl", "wrong").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
