//! The spec as a contract for generated clients: every GET of the demo school, as admin,
//! teacher and parent, answers what its schema in `/api/openapi.json` says: required fields
//! present, types right, `null` only where the field is declared nullable, no field the spec
//! does not document.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{Backend, send, spawn_app};

crate::on_both_databases!(every_answer_of_the_demo_school_matches_the_spec);

/// The schema behind a `$ref`, or the schema itself.
fn resolve<'a>(schema: &'a Value, spec: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference.trim_start_matches("#/components/schemas/");
            resolve(&spec["components"]["schemas"][name], spec)
        }
        None => schema,
    }
}

/// The properties an object schema documents, through `allOf`.
fn documented_properties(schema: &Value, spec: &Value, into: &mut BTreeSet<String>) {
    let schema = resolve(schema, spec);
    into.extend(
        schema["properties"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(name, _)| name.clone()),
    );
    for part in schema["allOf"].as_array().into_iter().flatten() {
        documented_properties(part, spec, into);
    }
}

/// Checks `value` against an OpenAPI 3.0 schema (the subset poem-openapi writes), collecting
/// what is wrong with its place in the answer.
fn check(schema: &Value, value: &Value, at: &str, spec: &Value, problems: &mut Vec<String>) {
    check_part(schema, value, at, spec, problems);
    let resolved = resolve(schema, spec);
    let documents_an_object = resolved["type"] == "object" || resolved.get("allOf").is_some();
    if let Some(object) = value.as_object().filter(|_| documents_an_object) {
        let mut documented = BTreeSet::new();
        documented_properties(schema, spec, &mut documented);
        for name in object.keys().filter(|name| !documented.contains(*name)) {
            problems.push(format!("{at}.{name} is not in the spec"));
        }
    }
}

/// `check` without the look for undocumented properties: an `allOf` part documents only some.
fn check_part(schema: &Value, value: &Value, at: &str, spec: &Value, problems: &mut Vec<String>) {
    let schema = resolve(schema, spec);
    if value.is_null() {
        let any = schema.get("type").is_none() && schema.get("allOf").is_none();
        if schema["nullable"] != true && !any {
            problems.push(format!("{at} is null, but the spec does not say it may be"));
        }
        return;
    }
    for part in schema["allOf"].as_array().into_iter().flatten() {
        check_part(part, value, at, spec, problems);
    }
    if let Some(allowed) = schema["enum"].as_array()
        && !allowed.contains(value)
    {
        problems.push(format!("{at} = {value} is none of {allowed:?}"));
    }
    let fits = match schema["type"].as_str() {
        Some("object") => {
            let Some(object) = value.as_object() else {
                problems.push(format!("{at} is no object: {value}"));
                return;
            };
            for required in schema["required"].as_array().into_iter().flatten() {
                if !object.contains_key(required.as_str().unwrap()) {
                    problems.push(format!("{at}.{required} is missing"));
                }
            }
            let properties = &schema["properties"];
            for (name, item) in object {
                if !properties[name.as_str()].is_null() {
                    check(
                        &properties[name.as_str()],
                        item,
                        &format!("{at}.{name}"),
                        spec,
                        problems,
                    );
                }
            }
            true
        }
        Some("array") => match value.as_array() {
            Some(items) => {
                for (index, item) in items.iter().enumerate() {
                    check(
                        &schema["items"],
                        item,
                        &format!("{at}[{index}]"),
                        spec,
                        problems,
                    );
                }
                true
            }
            None => false,
        },
        Some("string") => value.as_str().is_some_and(|text| {
            schema["format"] != "date-time" || chrono::DateTime::parse_from_rfc3339(text).is_ok()
        }),
        Some("integer") => value.is_i64() || value.is_u64(),
        Some("number") => value.is_number(),
        Some("boolean") => value.is_boolean(),
        _ => true,
    };
    if !fits {
        problems.push(format!("{at} = {value} is no {}", schema["type"]));
    }
}

/// Ids the demo school has, found through the API, to fill path parameters.
struct DemoIds {
    users: Vec<i64>,
    parents: Vec<i64>,
    children: Vec<i64>,
    posts: Vec<(i64, Vec<i64>)>,
    imports: Vec<String>,
    jobs: Vec<String>,
    agenda: Vec<i64>,
    documents: Vec<i64>,
    groups: Vec<i64>,
    albums: Vec<i64>,
    /// Addresses of photo copies, without `/api`.
    photos: Vec<String>,
    /// The secret of a calendar feed's URL.
    feed_token: String,
    conferences: Vec<i64>,
    /// `/conferences/{id}/children/{child_id}` of every child of every round.
    invitations: Vec<String>,
    /// `/conferences/{id}/door-list?day=` of each round's first day.
    door_lists: Vec<String>,
}

fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_i64().unwrap())
        .collect()
}

impl DemoIds {
    /// The addresses to GET for one path template of the spec.
    fn urls(&self, template: &str) -> Vec<String> {
        let with = |ids: &[String], placeholder: &str| -> Vec<String> {
            ids.iter()
                .map(|id| template.replace(placeholder, id))
                .collect()
        };
        let strings = |ids: &[i64]| ids.iter().map(i64::to_string).collect::<Vec<_>>();
        let urls = match template {
            t if t.starts_with("/users/{id}") => with(&strings(&self.users), "{id}"),
            t if t.starts_with("/people/{id}") => with(&strings(&self.users), "{id}"),
            t if t.starts_with("/directory/groups/{id}") => with(&strings(&self.groups), "{id}"),
            t if t.starts_with("/children/{id}") => with(&strings(&self.children), "{id}"),
            t if t.starts_with("/imports/{id}") => with(&self.imports, "{id}"),
            t if t.starts_with("/agenda/{id}") => with(&strings(&self.agenda), "{id}"),
            t if t.starts_with("/documents/{id}") => with(&strings(&self.documents), "{id}"),
            t if t.starts_with("/albums/{id}") => with(&strings(&self.albums), "{id}"),
            "/photos/{id}/{variant}/{key}" => self.photos.clone(),
            "/conferences/{id}/children/{child_id}" => self.invitations.clone(),
            "/conferences/{id}/door-list" => self.door_lists.clone(),
            t if t.starts_with("/conferences/{id}") => with(&strings(&self.conferences), "{id}"),
            "/agenda/feed/{token}" => with(std::slice::from_ref(&self.feed_token), "{token}"),
            "/posts/{id}/attachments/{attachment_id}" => self
                .posts
                .iter()
                .flat_map(|(post, attachments)| {
                    attachments
                        .iter()
                        .map(move |attachment| format!("/posts/{post}/attachments/{attachment}"))
                })
                .collect(),
            t if t.starts_with("/posts/{id}") => with(
                &strings(&self.posts.iter().map(|(id, _)| *id).collect::<Vec<_>>()),
                "{id}",
            ),
            "/schedule/jobs/{job}/preview" => self
                .jobs
                .iter()
                .flat_map(|job| {
                    self.parents.iter().map(move |parent| {
                        format!("/schedule/jobs/{job}/preview?parent_id={parent}")
                    })
                })
                .collect(),
            t => vec![t.to_string()],
        };
        urls.into_iter().map(|url| format!("/api{url}")).collect()
    }
}

async fn every_answer_of_the_demo_school_matches_the_spec(backend: Backend) {
    let app = spawn_app(backend).await;
    schoolgate::demo::load_if_empty(&app.state).await.unwrap();
    let spec: Value = reqwest::get(app.url("/api/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let admin = app
        .login_ok("admin@demo.school", schoolgate::demo::ADMIN_PASSWORD)
        .await;
    // An import with a preview, so the import answers have something to show.
    let parents_file = "Voornaam;Tussenvoegsel;Achternaam;E-mailadres;Leerling-ID\n\
        Anke;van der;Berg;anke@example.nl;1005\nGeen;;Kind;geen@example.nl;9999\n";
    let (status, _) = app
        .upload(
            &admin,
            "/api/imports/parents",
            "export.csv",
            parents_file.into(),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let get = |path: &str| send(app.authed(Method::GET, path, &admin));
    let (_, users) = get("/api/users").await;
    let (_, parents) = get("/api/users?role=parent").await;
    let (_, children) = get("/api/children").await;
    let (_, posts) = get("/api/posts").await;
    let (_, imports) = get("/api/imports").await;
    let (_, jobs) = get("/api/schedule/jobs").await;
    let (_, agenda) = get("/api/agenda").await;
    let (_, folders) = get("/api/documents").await;
    let (_, groups) = get("/api/directory/groups").await;
    let (_, albums) = get("/api/albums").await;
    let mut photos = Vec::new();
    for album in ids(&albums) {
        let (_, page) = get(&format!("/api/albums/{album}")).await;
        for photo in page["photos"].as_array().unwrap() {
            for variant in ["thumb_url", "display_url"] {
                let url = photo[variant].as_str().unwrap();
                photos.push(url.trim_start_matches("/api").to_string());
            }
        }
    }
    assert!(!photos.is_empty(), "the demo has photos");
    let (_, rounds) = get("/api/conferences").await;
    let (mut invitations, mut door_lists) = (Vec::new(), Vec::new());
    for round in ids(&rounds) {
        let (_, page) = get(&format!("/api/conferences/{round}")).await;
        for child in page["children"].as_array().unwrap() {
            invitations.push(format!(
                "/conferences/{round}/children/{}",
                child["child_id"]
            ));
        }
        let first = page["slots"][0]["starts_at"].as_str().unwrap();
        let day = first
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap()
            .with_timezone(&chrono_tz::Europe::Amsterdam)
            .date_naive();
        door_lists.push(format!("/conferences/{round}/door-list?day={day}"));
    }
    assert!(!invitations.is_empty(), "the demo has conference rounds");
    let (status, feed) = send(
        app.authed(Method::POST, "/api/agenda/feeds", &admin)
            .json(&serde_json::json!({})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{feed}");
    let demo = DemoIds {
        users: ids(&users),
        parents: ids(&parents),
        children: ids(&children),
        posts: posts
            .as_array()
            .unwrap()
            .iter()
            .map(|post| (post["id"].as_i64().unwrap(), ids(&post["attachments"])))
            .collect(),
        imports: imports
            .as_array()
            .unwrap()
            .iter()
            .map(|import| import["id"].as_str().unwrap().to_string())
            .collect(),
        jobs: jobs
            .as_array()
            .unwrap()
            .iter()
            .map(|job| job["job"].as_str().unwrap().to_string())
            .collect(),
        agenda: agenda
            .as_array()
            .unwrap()
            .iter()
            .map(|occurrence| occurrence["item"]["id"].as_i64().unwrap())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
        documents: folders
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|folder| ids(&folder["documents"]))
            .collect(),
        groups: ids(&groups),
        albums: ids(&albums),
        photos,
        feed_token: feed["https_url"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_string(),
        conferences: ids(&rounds),
        invitations,
        door_lists,
    };
    assert!(
        demo.posts
            .iter()
            .any(|(_, attachments)| !attachments.is_empty())
    );

    let logins = [
        ("admin@demo.school", schoolgate::demo::ADMIN_PASSWORD),
        ("j.devries@demo.school", schoolgate::demo::TEACHER_PASSWORD),
        ("anna.jansen@example.nl", schoolgate::demo::PARENT_PASSWORD),
    ];
    let mut answered = BTreeSet::new();
    let mut every_get = BTreeSet::new();
    let mut problems = Vec::new();
    for (email, password) in logins {
        let session = app.login_ok(email, password).await;
        for (template, item) in spec["paths"].as_object().unwrap() {
            let Some(operation) = item.get("get") else {
                continue;
            };
            let id = operation["operationId"].as_str().unwrap().to_string();
            every_get.insert(id.clone());
            for url in demo.urls(template) {
                let response = app
                    .authed(Method::GET, &url, &session)
                    .send()
                    .await
                    .unwrap();
                let status = response.status();
                let documented = &operation["responses"][status.as_str()];
                assert!(
                    !documented.is_null(),
                    "{id}: GET {url} as {email} answered {status}, which the spec does not list"
                );
                let Some((media, content)) = documented["content"]
                    .as_object()
                    .and_then(|content| content.iter().next())
                else {
                    continue;
                };
                if !media.starts_with("application/json") {
                    answered.insert(id.clone());
                    continue;
                }
                let body: Value = response.json().await.unwrap();
                let before = problems.len();
                check(&content["schema"], &body, "answer", &spec, &mut problems);
                for problem in &mut problems[before..] {
                    *problem = format!("{id} (GET {url} as {email}): {problem}");
                }
                if status.is_success() {
                    answered.insert(id.clone());
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_eq!(
        answered, every_get,
        "GET operations that never answered for any demo login"
    );
}
