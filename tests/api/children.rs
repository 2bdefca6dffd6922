//! Parents and their children's data: visibility and the read-only flag.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{Backend, send, spawn_app};

crate::on_both_databases!(
    a_parent_sees_only_their_own_children,
    a_parent_updates_emergency_contacts_but_not_names,
    a_read_only_parent_can_see_but_not_change_child_data,
);

async fn a_parent_sees_only_their_own_children(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    let anna = app.active_user(&admin, "parent", "anna@example.nl").await;
    let lisa = app.active_user(&admin, "parent", "lisa@example.com").await;
    let group = app.create_group(&admin, "Groep 3a").await;
    let emma = app.create_child(&admin, "1001", group).await;
    let noah = app.create_child(&admin, "1002", group).await;
    let sophie = app.create_child(&admin, "1003", group).await;
    app.link_parent(&admin, emma, anna.user_id, false).await;
    app.link_parent(&admin, noah, anna.user_id, false).await;
    app.link_parent(&admin, sophie, lisa.user_id, false).await;

    let (_, children) = send(app.authed(Method::GET, "/api/children", &anna)).await;
    let mut ids: Vec<i64> = children
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    ids.sort();
    assert_eq!(ids, [emma, noah]);
    // Another family's child is invisible, as if it did not exist.
    let (status, body) =
        send(app.authed(Method::GET, &format!("/api/children/{sophie}"), &anna)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (status, _) = send(
        app.authed(Method::PATCH, &format!("/api/children/{sophie}"), &anna)
            .json(&json!({ "emergency_contacts": [] })),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = send(app.authed(Method::GET, "/api/children/999999", &anna)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn a_parent_updates_emergency_contacts_but_not_names(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    let anna = app.active_user(&admin, "parent", "anna@example.nl").await;
    let group = app.create_group(&admin, "Groep 3a").await;
    let emma = app.create_child(&admin, "1001", group).await;
    app.link_parent(&admin, emma, anna.user_id, false).await;
    let path = format!("/api/children/{emma}");

    let contacts = json!({ "emergency_contacts": [{ "name": " Oma Jansen ", "phone": "+31 6 1234 5678", "relation": "grandmother" }] });
    let (status, body) = send(app.authed(Method::PATCH, &path, &anna).json(&contacts)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, child) = send(app.authed(Method::GET, &path, &anna)).await;
    assert_eq!(child["emergency_contacts"][0]["name"], "Oma Jansen");
    assert_eq!(child["can_edit"], true);

    let (status, body) = send(
        app.authed(Method::PATCH, &path, &anna)
            .json(&json!({ "emergency_contacts": [{ "name": "Oma", "phone": "call me" }] })),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str(), body["field"].as_str()),
        (
            StatusCode::BAD_REQUEST,
            Some("invalid_emergency_contact"),
            // The field of the contact, so the app can mark it.
            Some("emergency_contacts[0].phone")
        )
    );
    let (status, body) = send(
        app.authed(Method::PATCH, &path, &anna)
            .json(&json!({ "first_name": "Renamed" })),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("admin_only_field"))
    );
    let (_, child) = send(app.authed(Method::GET, &path, &anna)).await;
    assert_eq!(child["first_name"], "Kim");
    assert_eq!(child["emergency_contacts"][0]["phone"], "+31 6 1234 5678");
}

async fn a_read_only_parent_can_see_but_not_change_child_data(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    let peter = app.active_user(&admin, "parent", "peter@example.nl").await;
    let group = app.create_group(&admin, "Groep 3a").await;
    let emma = app.create_child(&admin, "1001", group).await;
    app.link_parent(&admin, emma, peter.user_id, true).await;
    let path = format!("/api/children/{emma}");

    let (status, child) = send(app.authed(Method::GET, &path, &peter)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(child["can_edit"], false);
    let (_, list) = send(app.authed(Method::GET, "/api/children", &peter)).await;
    assert_eq!(list[0]["can_edit"], false);

    let change = json!({ "emergency_contacts": [{ "name": "Oma", "phone": "0612345678" }] });
    let (status, body) = send(app.authed(Method::PATCH, &path, &peter).json(&change)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("read_only"))
    );
    let (_, child) = send(app.authed(Method::GET, &path, &peter)).await;
    assert_eq!(child["emergency_contacts"], json!([]));

    // The admin lifts the flag; now the change goes through.
    app.link_parent(&admin, emma, peter.user_id, false).await;
    let (status, _) = send(app.authed(Method::PATCH, &path, &peter).json(&change)).await;
    assert_eq!(status, StatusCode::OK);
}
