//! Importing children and parents: preview, apply, re-import, problems, letters, limits.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Backend, PASSWORD, Session, TestApp, send, spawn_app, spawn_app_with};

crate::on_both_databases!(
    the_seed_sample_gives_one_account_with_two_links_and_a_swapped_names_warning,
    a_windows_1252_semicolon_file_keeps_its_umlauts,
    a_tsv_with_dutch_headers_is_imported,
    importing_the_same_file_again_changes_nothing,
    a_changed_phone_number_shows_as_an_update,
    a_file_with_one_bad_row_writes_nothing,
    applying_needs_confirmation_and_an_unchanged_database,
    uploads_that_are_no_table_get_a_clear_4xx,
    files_over_the_limits_get_413,
    registration_letters_carry_working_activation_links,
    activation_emails_can_be_sent_on_apply,
    missing_links_are_only_removed_on_request,
);

const CHILDREN: &str =
    "Kind-ID;Vorname;Nachname;Klasse\n9896508;Mia;Mustermann;3a\n9789508;Tim;Mustermann;5b\n";

/// The sample of the IServ guide: first and last name swapped, one parent with two children.
const SEED_PARENTS: &str = "Vorname\tNachname\tAdresse\tE-Mail\tTelefonnummer\tKind-ID\n\
Mustermann\tMax\tMusterstr. 47, 00000 Pusemuckel\tmax.mustermann@nomail.xy\t01234987654\t9896508\n\
Mustermann\tMax\tMusterstr. 47, 00000 Pusemuckel\tmax.mustermann@nomail.xy\t01234987654\t9789508\n";

async fn school_with_children(backend: Backend) -> (TestApp, Session) {
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    let applied = app
        .import(&admin, "children", CHILDREN.as_bytes().to_vec())
        .await;
    assert_eq!(applied["counts"]["create"], 2);
    assert_eq!(applied["counts"]["groups_to_create"], 2);
    (app, admin)
}

async fn parents(app: &TestApp, admin: &Session) -> Vec<Value> {
    let (_, users) = send(app.authed(Method::GET, "/api/users?role=parent", admin)).await;
    users.as_array().unwrap().clone()
}

async fn child_id(app: &TestApp, admin: &Session, external_id: &str) -> i64 {
    let (_, children) = send(app.authed(Method::GET, "/api/children", admin)).await;
    children
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["external_id"] == external_id)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

async fn parent_emails_of(app: &TestApp, admin: &Session, external_id: &str) -> Vec<String> {
    let id = child_id(app, admin, external_id).await;
    let (_, links) =
        send(app.authed(Method::GET, &format!("/api/children/{id}/parents"), admin)).await;
    links
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["email"].as_str().unwrap().to_string())
        .collect()
}

async fn the_seed_sample_gives_one_account_with_two_links_and_a_swapped_names_warning(
    backend: Backend,
) {
    let (app, admin) = school_with_children(backend).await;
    let (status, preview) = app
        .upload(
            &admin,
            "/api/imports/parents",
            "Datei-01.txt",
            SEED_PARENTS.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{preview}");
    assert_eq!(preview["status"], "previewed");
    assert_eq!(preview["counts"]["create"], 1);
    assert_eq!(preview["counts"]["links_to_add"], 2);
    assert_eq!(preview["counts"]["errors"], 0);
    let swapped: Vec<u64> = preview["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["code"] == "names_look_swapped")
        .map(|p| p["line"].as_u64().unwrap())
        .collect();
    assert_eq!(swapped, [2, 3]);
    // The sample's made-up number is no dialable Dutch (the default region) number either.
    assert!(
        preview["problems"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["severity"] == "warning")
    );
    assert_eq!(
        preview["create"][0]["child_ids"],
        json!(["9896508", "9789508"])
    );
    // The preview wrote nothing.
    assert!(parents(&app, &admin).await.is_empty());

    let id = preview["id"].as_str().unwrap();
    let (status, applied) = send(
        app.authed(Method::POST, &format!("/api/imports/{id}/apply"), &admin)
            .json(&json!({ "confirm": true })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{applied}");
    assert_eq!(applied["status"], "applied");
    let parents = parents(&app, &admin).await;
    assert_eq!(parents.len(), 1);
    assert_eq!(parents[0]["email"], "max.mustermann@nomail.xy");
    assert_eq!(parents[0]["state"], "invited");
    assert_eq!(
        parent_emails_of(&app, &admin, "9896508").await,
        ["max.mustermann@nomail.xy"]
    );
    assert_eq!(
        parent_emails_of(&app, &admin, "9789508").await,
        ["max.mustermann@nomail.xy"]
    );

    // The import is on record, and applying it twice is refused.
    let (_, list) = send(app.authed(Method::GET, "/api/imports", &admin)).await;
    assert_eq!(list[0]["file_name"], "Datei-01.txt");
    assert_eq!(list[0]["counts"]["create"], 1);
    let (status, again) = send(
        app.authed(Method::POST, &format!("/api/imports/{id}/apply"), &admin)
            .json(&json!({ "confirm": true })),
    )
    .await;
    assert_eq!(
        (status, again["code"].as_str()),
        (StatusCode::CONFLICT, Some("already_applied"))
    );
}

async fn a_windows_1252_semicolon_file_keeps_its_umlauts(backend: Backend) {
    let (app, admin) = school_with_children(backend).await;
    let mut file = b"Vorname;Nachname;Adresse;E-Mail;Telefonnummer;Kind-ID\r\n".to_vec();
    file.extend_from_slice(b"J\xfcrgen;M\xfcller;\"Hauptstra\xdfe 1; 26169 Friesoythe\";juergen.mueller@example.de;0441 123456;9896508\r\n");
    app.import(&admin, "parents", file).await;
    let parents = parents(&app, &admin).await;
    assert_eq!(
        (
            parents[0]["first_name"].as_str(),
            parents[0]["last_name"].as_str()
        ),
        (Some("Jürgen"), Some("Müller"))
    );
    let user = schoolgate::features::accounts::find_user(
        &app.state.db,
        parents[0]["id"].as_i64().unwrap() as i32,
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(
        user.address.as_deref(),
        Some("Hauptstraße 1; 26169 Friesoythe")
    );
}

async fn a_tsv_with_dutch_headers_is_imported(backend: Backend) {
    let (app, admin) = school_with_children(backend).await;
    let file = "Leerling-ID\tVoornaam\tAchternaam\tE-mailadres\tTelefoon\tAdres\n\
        9896508\tSanne\tde Vries\tsanne@example.nl\t06 12345678\tDorpsstraat 1\n\
        9789508\tSanne\tde Vries\tsanne@example.nl\t06 12345678\tDorpsstraat 1\n";
    let applied = app
        .import(&admin, "parents", file.as_bytes().to_vec())
        .await;
    assert_eq!(applied["counts"]["warnings"], 0, "{applied}");
    assert_eq!(parents(&app, &admin).await[0]["last_name"], "de Vries");
    assert_eq!(
        parent_emails_of(&app, &admin, "9789508").await,
        ["sanne@example.nl"]
    );
}

async fn importing_the_same_file_again_changes_nothing(backend: Backend) {
    let (app, admin) = school_with_children(backend).await;
    app.import(&admin, "parents", SEED_PARENTS.as_bytes().to_vec())
        .await;
    let before = parents(&app, &admin).await;
    let again = app
        .import(&admin, "parents", SEED_PARENTS.as_bytes().to_vec())
        .await;
    let counts = &again["counts"];
    assert_eq!(
        (
            counts["create"].as_u64(),
            counts["update"].as_u64(),
            counts["unchanged"].as_u64(),
            counts["links_to_add"].as_u64()
        ),
        (Some(0), Some(0), Some(1), Some(0))
    );
    assert_eq!(parents(&app, &admin).await, before);
    let children_again = app
        .import(&admin, "children", CHILDREN.as_bytes().to_vec())
        .await;
    assert_eq!(children_again["counts"]["unchanged"], 2);
    assert_eq!(children_again["counts"]["groups_to_create"], 0);
}

async fn a_changed_phone_number_shows_as_an_update(backend: Backend) {
    let (app, admin) = school_with_children(backend).await;
    app.import(&admin, "parents", SEED_PARENTS.as_bytes().to_vec())
        .await;
    let changed = SEED_PARENTS.replace("01234987654", "0441 987654");
    let (_, preview) = app
        .upload(
            &admin,
            "/api/imports/parents",
            "export.tsv",
            changed.into_bytes(),
        )
        .await;
    assert_eq!(preview["counts"]["update"], 1);
    assert_eq!(preview["update"][0]["key"], "max.mustermann@nomail.xy");
    assert_eq!(
        preview["update"][0]["changes"],
        json!([{ "field": "phone", "old": "01234987654", "new": "0441 987654" }])
    );
}

async fn a_file_with_one_bad_row_writes_nothing(backend: Backend) {
    let (app, admin) = school_with_children(backend).await;
    let file = format!("{SEED_PARENTS}Anna;Bakker;;not-an-address;;9896508\n").replace(';', "\t");
    let (_, preview) = app
        .upload(
            &admin,
            "/api/imports/parents",
            "export.tsv",
            file.into_bytes(),
        )
        .await;
    assert_eq!(preview["counts"]["errors"], 1);
    let error = preview["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["severity"] == "error")
        .unwrap()
        .clone();
    assert_eq!(
        (
            error["line"].as_u64(),
            error["code"].as_str(),
            error["field"].as_str()
        ),
        (Some(4), Some("invalid_email"), Some("email"))
    );
    let id = preview["id"].as_str().unwrap();
    let (status, body) = send(
        app.authed(Method::POST, &format!("/api/imports/{id}/apply"), &admin)
            .json(&json!({ "confirm": true })),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("import_has_errors"))
    );
    assert!(parents(&app, &admin).await.is_empty());

    let unknown_child = SEED_PARENTS.replace("9789508", "4711");
    let (_, preview) = app
        .upload(
            &admin,
            "/api/imports/parents",
            "export.tsv",
            unknown_child.into_bytes(),
        )
        .await;
    let unknown: Vec<&Value> = preview["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["code"] == "unknown_child_id")
        .collect();
    assert_eq!((unknown.len(), unknown[0]["line"].as_u64()), (1, Some(3)));
}

async fn applying_needs_confirmation_and_an_unchanged_database(backend: Backend) {
    let (app, admin) = school_with_children(backend).await;
    let (_, preview) = app
        .upload(
            &admin,
            "/api/imports/parents",
            "export.tsv",
            SEED_PARENTS.as_bytes().to_vec(),
        )
        .await;
    let apply = format!("/api/imports/{}/apply", preview["id"].as_str().unwrap());
    let (status, body) = send(
        app.authed(Method::POST, &apply, &admin)
            .json(&json!({ "confirm": false })),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("confirmation_required"))
    );

    // Someone creates the same parent by hand in between.
    app.invite(&admin, "parent", "max.mustermann@nomail.xy", "de")
        .await;
    let (status, body) = send(
        app.authed(Method::POST, &apply, &admin)
            .json(&json!({ "confirm": true })),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("data_changed"))
    );
    assert_eq!(
        parent_emails_of(&app, &admin, "9896508").await,
        Vec::<String>::new()
    );
    let parent = app.active_user(&admin, "parent", "anna@example.nl").await;
    let (status, _) = app
        .upload(
            &parent,
            "/api/imports/parents",
            "export.tsv",
            SEED_PARENTS.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn uploads_that_are_no_table_get_a_clear_4xx(backend: Backend) {
    let (app, admin) = school_with_children(backend).await;
    let png =
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89".to_vec();
    for (bytes, code) in [
        (png, "not_a_text_table"),
        (Vec::new(), "empty_file"),
        (b"Vorname;Nachname;E-Mail;Kind-ID\n".to_vec(), "empty_file"),
        (
            b"Vorname;Nachname;Telefon\nA;B;1\n".to_vec(),
            "missing_column",
        ),
    ] {
        let (status, body) = app
            .upload(&admin, "/api/imports/parents", "upload", bytes)
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some(code)),
            "{body}"
        );
    }
    let (_, body) = app
        .upload(
            &admin,
            "/api/imports/parents",
            "upload",
            b"Vorname;Nachname;Telefon\nA;B;1\n".to_vec(),
        )
        .await;
    assert!(
        body["message"].as_str().unwrap().contains("E-Mail"),
        "{body}"
    );
    let (_, list) = send(app.authed(Method::GET, "/api/imports", &admin)).await;
    assert_eq!(
        list.as_array().unwrap().len(),
        1,
        "only the children import is on record"
    );
}

async fn files_over_the_limits_get_413(backend: Backend) {
    let app = spawn_app_with(backend, |settings| {
        settings.imports.max_file_bytes = 4096;
        settings.imports.max_rows = 3;
    })
    .await;
    let admin = app.admin().await;
    let many_rows = format!(
        "Kind-ID;Vorname;Nachname;Klasse\n{}",
        (1..=4).map(|n| format!("{n};A;B;1a\n")).collect::<String>()
    );
    let (status, body) = app
        .upload(
            &admin,
            "/api/imports/children",
            "big.csv",
            many_rows.into_bytes(),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("too_many_rows"))
    );
    let big = format!(
        "Kind-ID;Vorname;Nachname;Klasse\n1;{};B;1a\n",
        "A".repeat(5000)
    );
    let (status, body) = app
        .upload(&admin, "/api/imports/children", "big.csv", big.into_bytes())
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("file_too_large"))
    );
    let huge = vec![b'a'; 200_000];
    let (status, _) = app
        .upload(&admin, "/api/imports/children", "huge.csv", huge)
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

async fn registration_letters_carry_working_activation_links(backend: Backend) {
    let (app, admin) = school_with_children(backend).await;
    let file = format!("{SEED_PARENTS}Anna\tBakker\t\tanna@example.nl\t\t9789508\n");
    let applied = app.import(&admin, "parents", file.into_bytes()).await;
    let id = applied["id"].as_str().unwrap();
    let response = app
        .authed(
            Method::POST,
            &format!("/api/imports/{id}/registration-letters"),
            &admin,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    assert_eq!(response.headers()["x-letter-count"], "2");
    let pdf = lopdf::Document::load_mem(&response.bytes().await.unwrap()).unwrap();
    let pages: Vec<u32> = pdf.get_pages().keys().copied().collect();
    assert_eq!(pages.len(), 2);
    let texts: Vec<String> = pages
        .iter()
        .map(|page| pdf.extract_text(&[*page]).unwrap())
        .collect();
    let anna = texts
        .iter()
        .find(|text| text.contains("anna@example.nl"))
        .expect("a letter for Anna");
    assert!(
        anna.contains("De Regenboog") && anna.contains("Tim"),
        "{anna}"
    );
    let token = anna
        .split("#token=")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    app.activate(&token, PASSWORD).await;

    // Anna is active now: the next print holds only Max's letter.
    let response = app
        .authed(
            Method::POST,
            &format!("/api/imports/{id}/registration-letters"),
            &admin,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-letter-count"], "1");
}

async fn activation_emails_can_be_sent_on_apply(backend: Backend) {
    let (app, admin) = school_with_children(backend).await;
    let (_, preview) = app
        .upload(
            &admin,
            "/api/imports/parents",
            "export.tsv",
            SEED_PARENTS.as_bytes().to_vec(),
        )
        .await;
    let id = preview["id"].as_str().unwrap();
    let (status, _) = send(
        app.authed(Method::POST, &format!("/api/imports/{id}/apply"), &admin)
            .json(&json!({ "confirm": true, "send_activation_emails": true })),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let mail = app.smtp.wait_for_mail_to("max.mustermann@nomail.xy").await;
    // Imported parents get the school's default language (nl).
    assert_eq!(mail.subject(), "Uw account bij De Regenboog");
    app.activate(&mail.link_token("activate"), PASSWORD).await;
}

async fn missing_links_are_only_removed_on_request(backend: Backend) {
    let (app, admin) = school_with_children(backend).await;
    app.import(&admin, "parents", SEED_PARENTS.as_bytes().to_vec())
        .await;
    let only_first_child: String = SEED_PARENTS
        .lines()
        .take(2)
        .map(|line| format!("{line}\n"))
        .collect();
    let (_, preview) = app
        .upload(
            &admin,
            "/api/imports/parents",
            "export.tsv",
            only_first_child.clone().into_bytes(),
        )
        .await;
    assert_eq!(
        preview["links_missing"],
        json!([{ "email": "max.mustermann@nomail.xy", "child_id": "9789508" }])
    );
    let apply = format!("/api/imports/{}/apply", preview["id"].as_str().unwrap());
    send(
        app.authed(Method::POST, &apply, &admin)
            .json(&json!({ "confirm": true })),
    )
    .await;
    assert_eq!(
        parent_emails_of(&app, &admin, "9789508").await,
        ["max.mustermann@nomail.xy"]
    );

    let (_, preview) = app
        .upload(
            &admin,
            "/api/imports/parents",
            "export.tsv",
            only_first_child.into_bytes(),
        )
        .await;
    let apply = format!("/api/imports/{}/apply", preview["id"].as_str().unwrap());
    let (status, applied) = send(
        app.authed(Method::POST, &apply, &admin)
            .json(&json!({ "confirm": true, "unlink_missing": true })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{applied}");
    assert!(parent_emails_of(&app, &admin, "9789508").await.is_empty());
    assert_eq!(
        parent_emails_of(&app, &admin, "9896508").await,
        ["max.mustermann@nomail.xy"]
    );
}
