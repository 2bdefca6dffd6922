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
    missing_links_are_only_removed_on_request_and_only_in_the_files_class,
    the_name_prefix_is_kept_shown_and_sorted_the_dutch_way,
    problems_name_the_spreadsheet_row_and_come_grouped_by_kind,
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
        (
            b"Vorname;Nachname;E-Mail;Kind-ID\r\n".to_vec(),
            "no_data_rows",
        ),
        (CHILDREN.as_bytes().to_vec(), "children_file"),
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
    let texts = letter_pages(&app, &admin, id, 2).await;
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
    letter_pages(&app, &admin, id, 1).await;
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

async fn missing_links_are_only_removed_on_request_and_only_in_the_files_class(backend: Backend) {
    let (app, admin) = school_with_children(backend).await;
    // Max has a child in 3a and one in 5b; Anna one in 3a.
    let file = format!("{SEED_PARENTS}Anna\tBakker\t\tanna@example.nl\t\t9896508\n");
    app.import(&admin, "parents", file.into_bytes()).await;
    // The office exports class 3a only, where Anna no longer is.
    let class_3a: String = SEED_PARENTS
        .lines()
        .take(2)
        .map(|line| format!("{line}\n"))
        .collect();
    let (_, preview) = app
        .upload(
            &admin,
            "/api/imports/parents",
            "export-3a.tsv",
            class_3a.clone().into_bytes(),
        )
        .await;
    // Max's link to his child in 5b is no candidate: the file says nothing about 5b.
    assert_eq!(
        preview["links_missing"],
        json!([{
            "email": "anna@example.nl", "child_id": "9896508", "parent_name": "Anna Bakker",
            "child_name": "Mia Mustermann", "group": "3a"
        }])
    );
    let apply = format!("/api/imports/{}/apply", preview["id"].as_str().unwrap());
    send(
        app.authed(Method::POST, &apply, &admin)
            .json(&json!({ "confirm": true })),
    )
    .await;
    assert_eq!(parent_emails_of(&app, &admin, "9896508").await.len(), 2);

    let (_, preview) = app
        .upload(
            &admin,
            "/api/imports/parents",
            "export-3a.tsv",
            class_3a.into_bytes(),
        )
        .await;
    let apply = format!("/api/imports/{}/apply", preview["id"].as_str().unwrap());
    let (status, applied) = send(
        app.authed(Method::POST, &apply, &admin)
            .json(&json!({ "confirm": true, "unlink_missing": true })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{applied}");
    assert_eq!(
        parent_emails_of(&app, &admin, "9896508").await,
        ["max.mustermann@nomail.xy"]
    );
    assert_eq!(
        parent_emails_of(&app, &admin, "9789508").await,
        ["max.mustermann@nomail.xy"]
    );
}

/// A Dutch export: the Tussenvoegsel in a column of its own, and a language column.
async fn the_name_prefix_is_kept_shown_and_sorted_the_dutch_way(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    let children = "Leerlingnummer;Roepnaam;Tussenvoegsel;Achternaam;Groep\n\
        501;Daan;van der;Berg;Groep 3a\n502;Győző;;Bakker;Groep 3a\n503;Sem;de;Zwart;Groep 3a\n";
    app.import(&admin, "children", children.as_bytes().to_vec())
        .await;
    let parents_file = "Voornaam;Tussenvoegsel;Achternaam;E-mailadres;Leerlingnummer;Taal\n\
        Anke;van der;Berg;anke@example.nl;501;Duits\n\
        Şeyma;;Bakker;seyma@example.nl;502;Nederlands\n\
        Łukasz;de;Zwart;lukasz@example.nl;503;\n";
    let applied = app
        .import(&admin, "parents", parents_file.as_bytes().to_vec())
        .await;
    assert_eq!(applied["create"][0]["name_prefix"], "van der");
    assert_eq!(applied["create"][0]["language"], "de");
    let users = parents(&app, &admin).await;
    let names: Vec<(&str, &str, &str)> = users
        .iter()
        .map(|u| {
            (
                u["full_name"].as_str().unwrap(),
                u["last_name"].as_str().unwrap(),
                u["language"].as_str().unwrap(),
            )
        })
        .collect();
    // Sorted by the last name without its prefix: Bakker, Berg, Zwart.
    assert_eq!(
        names,
        [
            ("Şeyma Bakker", "Bakker", "nl"),
            ("Anke van der Berg", "Berg", "de"),
            ("Łukasz de Zwart", "Zwart", "nl")
        ]
    );
    let (_, children) = send(app.authed(Method::GET, "/api/children", &admin)).await;
    let children: Vec<&str> = children
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["full_name"].as_str().unwrap())
        .collect();
    assert_eq!(
        children,
        ["Győző Bakker", "Daan van der Berg", "Sem de Zwart"]
    );
    // A second import with the same file changes nothing; without the prefix it would.
    let (_, again) = app
        .upload(
            &admin,
            "/api/imports/parents",
            "export.csv",
            parents_file.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(again["counts"]["unchanged"], 3, "{again}");
    // The letters greet each parent by their full name, in their language, every letter
    // printed as written (the text read back from the PDF).
    let texts = letter_pages(&app, &admin, applied["id"].as_str().unwrap(), 3).await;
    for expected in [
        "Liebe/r Anke van der Berg,",
        "Beste Şeyma Bakker,",
        "Győző",
        "Łukasz de Zwart",
    ] {
        assert!(
            texts.iter().any(|text| text.contains(expected)),
            "{expected} in {texts:?}"
        );
    }
    assert!(texts.iter().all(|text| !text.contains('?')), "{texts:?}");
}

/// The registration letters of an import as PDF, checked, and the text of each page.
async fn letter_pages(app: &TestApp, admin: &Session, id: &str, letters: usize) -> Vec<String> {
    let response = app
        .authed(
            Method::POST,
            &format!("/api/imports/{id}/registration-letters"),
            admin,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    assert_eq!(response.headers()["x-letter-count"], letters.to_string());
    let pdf = lopdf::Document::load_mem(&response.bytes().await.unwrap()).unwrap();
    let pages: Vec<u32> = pdf.get_pages().keys().copied().collect();
    assert_eq!(pages.len(), letters);
    pages
        .iter()
        .map(|page| pdf.extract_text(&[*page]).unwrap())
        .collect()
}

/// Excel on Windows: CRLF line ends, a quoted address with a line break, a letter lost to
/// Windows-1252, German numbers at a Dutch school, common names at different addresses.
async fn problems_name_the_spreadsheet_row_and_come_grouped_by_kind(backend: Backend) {
    let (app, admin) = school_with_children(backend).await;
    let mut file = String::from("Vorname;Nachname;Adresse;E-Mail;Telefonnummer;Kind-ID\r\n");
    file.push_str(
        "Ay?e;Şahin;\"Hauptstr. 1\r\n26169 Friesoythe\";ayse@example.de;0441 123456;9896508\r\n",
    );
    file.push_str("Max;Muster;Hauptstr. 2;not-an-address;030 901820;9789508\r\n");
    file.push_str(";;;;;\r\n");
    for n in 0..8 {
        file.push_str(&format!(
            "Jan;Jansen;Dorpsstraat {n};jan{n}@example.nl;0049 441 12345{n};9789508\r\n"
        ));
    }
    file.push_str("Jan;Jansen;Dorpsstraat 0;jan.work@example.nl;;9896508\r\n");
    file.push_str("Tim;Test;;tim@example.nl;call me maybe;9896508\r\n");
    let (status, preview) = app
        .upload(
            &admin,
            "/api/imports/parents",
            "export.csv",
            file.into_bytes(),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{preview}");
    let problems: Vec<(u64, &str)> = preview["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["line"].as_u64().unwrap(), p["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        problems,
        [
            (2, "lost_letter"),
            (3, "invalid_email"),
            (13, "same_person_two_emails"),
            (14, "phone_unparseable"),
        ]
    );
    let groups: Vec<(&str, &str, u64)> = preview["problem_groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["severity"].as_str().unwrap(),
                g["code"].as_str().unwrap(),
                g["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(groups[0], ("error", "invalid_email", 1));
    assert_eq!(groups.len(), 4);
    assert!(
        preview["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Ay?e")
    );
}
