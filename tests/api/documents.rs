//! Documents: folders of the school and of groups, uploads checked by their content, new
//! versions under the same link, streamed downloads, and who may do what.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{
    agenda::agenda_school,
    helpers::{Backend, Session, TestApp, send, spawn_app_with},
    posts::stored_objects,
};

crate::on_both_databases!(
    staff_upload_documents_the_group_downloads_them_and_a_new_version_keeps_the_link,
    files_that_are_not_documents_or_too_large_are_refused_and_leave_nothing,
    who_may_do_what_with_folders_and_documents,
);

const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

async fn folder(app: &TestApp, who: &Session, body: Value) -> (StatusCode, Value) {
    send(
        app.authed(Method::POST, "/api/documents/folders", who)
            .json(&body),
    )
    .await
}

async fn download(app: &TestApp, who: &Session, id: i64) -> reqwest::Response {
    app.authed(Method::GET, &format!("/api/documents/{id}/file"), who)
        .send()
        .await
        .unwrap()
}

async fn staff_upload_documents_the_group_downloads_them_and_a_new_version_keeps_the_link(
    backend: Backend,
) {
    let s = agenda_school(backend).await;
    let (status, guide_folder) = folder(&s.app, &s.admin, json!({ "name": "School guide" })).await;
    assert_eq!(status, StatusCode::CREATED, "{guide_folder}");
    let (status, class_folder) = folder(
        &s.app,
        &s.jan,
        json!({ "group_id": s.class_3a, "name": "Groep 3a" }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{class_folder}");
    let (status, error) = folder(&s.app, &s.jan, json!({ "name": "Mine" })).await;
    assert_eq!(
        (status, error["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("school_audience_needs_admin"))
    );
    let (status, error) = folder(
        &s.app,
        &s.jan,
        json!({ "group_id": s.class_5b, "name": "5b" }),
    )
    .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("not_own_group"))
    );

    let path = format!("/api/documents/folders/{}/documents", class_folder["id"]);
    let (status, document) = s
        .app
        .upload(&s.jan, &path, "Reading list.pdf", PDF.to_vec())
        .await;
    assert_eq!(status, StatusCode::CREATED, "{document}");
    assert_eq!(
        (
            document["title"].as_str(),
            document["content_type"].as_str(),
            document["version"].as_i64(),
            document["is_new"].as_bool()
        ),
        (
            Some("Reading list"),
            Some("application/pdf"),
            Some(1),
            Some(true)
        )
    );
    let id = document["id"].as_i64().unwrap();
    let (status, _) = s
        .app
        .upload(
            &s.admin,
            &format!("/api/documents/folders/{}/documents", guide_folder["id"]),
            "guide.pdf",
            PDF.to_vec(),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    // Anna sees the school's folder first, then her child's group's; Carl only the school's.
    let (_, seen) = send(s.app.authed(Method::GET, "/api/documents", &s.anna)).await;
    let names: Vec<&str> = seen
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["School guide", "Groep 3a"]);
    assert_eq!(seen[1]["documents"][0]["id"], json!(id));
    assert_eq!(seen[1]["may_manage"], json!(false));
    let (_, carls) = send(s.app.authed(Method::GET, "/api/documents", &s.carl)).await;
    let names: Vec<&str> = carls
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["School guide"]);

    let response = download(&s.app, &s.anna, id).await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "application/pdf");
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"Reading list.pdf\""
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(response.bytes().await.unwrap().as_ref(), PDF);
    assert_eq!(
        download(&s.app, &s.carl, id).await.status(),
        StatusCode::NOT_FOUND
    );

    // A new version: same id and link, new bytes and type.
    let text = "Reading list, term 2\n- Kikker is verliefd\n"
        .as_bytes()
        .to_vec();
    let (status, replaced) = s
        .app
        .upload(
            &s.jan,
            &format!("/api/documents/{id}/versions"),
            "list.txt",
            text.clone(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{replaced}");
    assert_eq!(
        (replaced["id"].as_i64(), replaced["version"].as_i64()),
        (Some(id), Some(2))
    );
    assert_eq!(replaced["content_type"], "text/plain; charset=utf-8");
    let response = download(&s.app, &s.anna, id).await;
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment; filename=\"list.txt\""
    );
    assert_eq!(response.bytes().await.unwrap().as_ref(), &text[..]);
}

async fn files_that_are_not_documents_or_too_large_are_refused_and_leave_nothing(backend: Backend) {
    let app = spawn_app_with(backend, |settings| settings.files.max_document_bytes = 4096).await;
    let admin = app.admin().await;
    let (_, created) = folder(&app, &admin, json!({ "name": "Forms" })).await;
    let path = format!("/api/documents/folders/{}/documents", created["id"]);
    let before = stored_objects(&app).len();
    for (name, bytes, status, code) in [
        (
            "page.pdf",
            b"<html><script>alert(1)</script></html>".to_vec(),
            415,
            "file_type_not_allowed",
        ),
        (
            "photo.jpg",
            b"<?php system($_GET['c']); ?>".to_vec(),
            415,
            "file_type_not_allowed",
        ),
        (
            "setup.pdf",
            b"MZ\x90\0\x03\0\0\0\x04\0".to_vec(),
            415,
            "file_type_not_allowed",
        ),
        ("empty.pdf", Vec::new(), 400, "empty_file"),
        (
            "big.pdf",
            [PDF, &vec![b' '; 5000]].concat(),
            413,
            "file_too_large",
        ),
        (
            "active.pdf",
            b"%PDF-1.7 << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>".to_vec(),
            415,
            "pdf_with_javascript",
        ),
    ] {
        let (got, error) = app.upload(&admin, &path, name, bytes).await;
        assert_eq!(
            (got.as_u16(), error["code"].as_str()),
            (status, Some(code)),
            "{name}: {error}"
        );
    }
    assert_eq!(
        stored_objects(&app).len(),
        before,
        "refused uploads leave no file behind"
    );
    let (_, folders) = send(app.authed(Method::GET, "/api/documents", &admin)).await;
    assert_eq!(folders[0]["documents"], json!([]));
}

/// Every documents operation for anonymous, parent of 3a, its read-only parent, parent of
/// 5b, teacher of 3a, teacher of 5b and admin.
async fn who_may_do_what_with_folders_and_documents(backend: Backend) {
    let s = agenda_school(backend).await;
    let callers = s.callers();
    let request = |method: Method, path: &str, caller: Option<&Session>| match caller {
        Some(session) => s.app.authed(method, path, session),
        None => s.app.request(method, path),
    };
    // A fresh folder of 3a with one document, for each row that changes or removes things.
    let fresh = || async {
        let (_, created) = folder(
            &s.app,
            &s.jan,
            json!({ "group_id": s.class_3a, "name": "3a" }),
        )
        .await;
        let path = format!("/api/documents/folders/{}/documents", created["id"]);
        let (_, document) = s.app.upload(&s.jan, &path, "a.pdf", PDF.to_vec()).await;
        (
            created["id"].as_i64().unwrap(),
            document["id"].as_i64().unwrap(),
        )
    };
    const A: u16 = 401;
    for (
        (name, caller),
        [
            list,
            download_status,
            upload,
            replace,
            delete,
            delete_folder,
        ],
    ) in callers.iter().zip([
        [A, A, A, A, A, A],
        [200, 200, 403, 403, 403, 403],
        [200, 200, 403, 403, 403, 403],
        [200, 404, 404, 404, 404, 404],
        [200, 200, 201, 200, 204, 204],
        [200, 404, 404, 404, 404, 404],
        [200, 200, 201, 200, 204, 204],
    ]) {
        let (folder_id, document_id) = fresh().await;
        let status = |answer: (StatusCode, Value)| answer.0.as_u16();
        assert_eq!(
            status(send(request(Method::GET, "/api/documents", *caller)).await),
            list,
            "list as {name}"
        );
        let got = request(
            Method::GET,
            &format!("/api/documents/{document_id}/file"),
            *caller,
        )
        .send()
        .await
        .unwrap()
        .status();
        assert_eq!(got.as_u16(), download_status, "download as {name}");
        let form = || {
            reqwest::multipart::Form::new().part(
                "file",
                reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("b.pdf"),
            )
        };
        let path = format!("/api/documents/folders/{folder_id}/documents");
        assert_eq!(
            status(send(request(Method::POST, &path, *caller).multipart(form())).await),
            upload,
            "upload as {name}"
        );
        let path = format!("/api/documents/{document_id}/versions");
        assert_eq!(
            status(send(request(Method::POST, &path, *caller).multipart(form())).await),
            replace,
            "new version as {name}"
        );
        let path = format!("/api/documents/{document_id}");
        assert_eq!(
            status(send(request(Method::DELETE, &path, *caller)).await),
            delete,
            "delete as {name}"
        );
        let path = format!("/api/documents/folders/{folder_id}");
        assert_eq!(
            status(send(request(Method::DELETE, &path, *caller)).await),
            delete_folder,
            "delete folder as {name}"
        );
    }
    // Making folders: a school folder only for admins, a group's for its teachers and admins.
    for ((name, caller), [school, group]) in callers.iter().zip([
        [A, A],
        [403, 403],
        [403, 403],
        [403, 403],
        [403, 201],
        [403, 403],
        [201, 201],
    ]) {
        let body = |group: Option<i64>| json!({ "group_id": group, "name": "New" });
        let made = |body: Value| async move {
            send(request(Method::POST, "/api/documents/folders", *caller).json(&body))
                .await
                .0
                .as_u16()
        };
        assert_eq!(made(body(None)).await, school, "school folder as {name}");
        assert_eq!(
            made(body(Some(s.class_3a))).await,
            group,
            "3a folder as {name}"
        );
    }
}
