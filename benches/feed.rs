//! A parent's feed of 100 posts, `GET /api/posts?limit=100` with the parent's Bearer token, in
//! a school of 300 children in 3 groups (a teacher each) with 200 posts: 150 the parent sees
//! (to the school and to the groups of their two children, who are in different groups; some
//! urgent and pinned, some with one or two small PDFs, some opened and confirmed by the
//! parent) and 50 to the third group, which they must not see. Everything after the admin is
//! set up through the HTTP API.
//!
//! Prints the SQL statements one warm feed request executes (counted with sea-orm's metric
//! callback; BEGIN/COMMIT and unprepared SQL are not counted) and throughput and p50/p99
//! latency against a bare poem server answering the same path with the same bytes, measured
//! in the same run (the ratios are what to compare). The delivery worker and the scheduler
//! are off, so the notifications of the 200 posts do not run during the measurement. SQLite,
//! then PostgreSQL when reachable (BENCH_POSTGRES_URL, default
//! postgres://postgres@127.0.0.1:5432/postgres).
//!
//! Run: `cargo bench --bench feed` (optional: BENCH_SECONDS, default 10; BENCH_CONCURRENCY,
//! default 8).

use std::{
    collections::{BTreeMap, HashSet},
    sync::Arc,
    time::Instant,
};

use poem::{EndpointExt, Response, Route, Server, get, handler, listener::TcpAcceptor, web::Data};
use schoolgate::http::state::HttpState;
use sea_orm::{ConnectionTrait, DbBackend};
use serde_json::{Value, json};

mod support;
use support::PASSWORD;

const FEED_PATH: &str = "/api/posts?limit=100";
const GROUPS: [&str; 3] = ["Groep 3a", "Groep 5b", "Groep 7c"];
/// Families of two children (in different groups); family 0 is the measured parent's.
const FAMILIES: usize = 150;
const POSTS: usize = 200;

/// "SELECT … FROM \"table\"" and the like: enough to tell the feed's statements apart.
fn shape(sql: &str) -> String {
    let verb = sql.split_whitespace().next().unwrap_or("?").to_uppercase();
    let target = ["FROM", "INTO", "UPDATE"]
        .iter()
        .find_map(|keyword| {
            let mut words = sql.split_whitespace();
            words.find(|word| word.eq_ignore_ascii_case(keyword))?;
            Some(format!("{keyword} {}", words.next()?))
        })
        .unwrap_or_default();
    format!("{verb} … {target}")
}

#[handler]
fn bare_feed(Data(body): Data<&&'static [u8]>) -> Response {
    Response::builder()
        .content_type("application/json; charset=utf-8")
        .body(*body)
}

/// A bare poem server answering `/api/posts` with `body`; returns the feed URL.
async fn start_bare_poem(body: Vec<u8>) -> String {
    // Leaked so every answer shares the bytes without copying them (a few hundred KB per run).
    let body: &'static [u8] = Box::leak(body.into_boxed_slice());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let acceptor = TcpAcceptor::from_tokio(listener).unwrap();
    let app = Route::new().at("/api/posts", get(bare_feed)).data(body);
    tokio::spawn(Server::new_with_acceptor(acceptor).run(app));
    format!("http://127.0.0.1:{port}{FEED_PATH}")
}

/// A small, valid one-page PDF.
fn small_pdf(text: &str) -> Vec<u8> {
    let content = format!("BT /F1 14 Tf 72 770 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".into(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .into(),
        format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        ),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".into(),
    ];
    let mut pdf = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (n, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.push_str(&format!("{} 0 obj\n{object}\nendobj\n", n + 1));
    }
    let xref = pdf.len();
    pdf.push_str(&format!(
        "xref\n0 {}\n0000000000 65535 f \n",
        objects.len() + 1
    ));
    for offset in offsets {
        pdf.push_str(&format!("{offset:010} 00000 n \n"));
    }
    pdf.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    pdf.into_bytes()
}

/// A post body of 150 to 1,200 characters.
fn post_body(n: usize) -> String {
    const SENTENCES: [&str; 5] = [
        "Dear parents, please read this message carefully. ",
        "The children bring their gym clothes on Tuesday and Thursday. ",
        "If you have questions, the teacher is available after school. ",
        "Please make sure your child has a water bottle with their name on it. ",
        "Thank you for your help and see you at the school gate! ",
    ];
    let length = 150 + (n * 131) % 1050;
    let mut body = String::new();
    let mut k = n;
    while body.len() < length {
        body.push_str(SENTENCES[k % SENTENCES.len()]);
        k += 1;
    }
    body
}

/// The HTTP calls the set-up makes: the answer's JSON, after checking its status.
struct Api {
    client: reqwest::Client,
    base: String,
}

impl Api {
    async fn send(&self, request: reqwest::RequestBuilder, expected: u16) -> Value {
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        assert_eq!(status, expected, "{text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    async fn get(&self, token: &str, path: &str) -> Value {
        let request = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(token);
        self.send(request, 200).await
    }

    async fn post(&self, token: &str, path: &str, body: Value, expected: u16) -> Value {
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .json(&body);
        self.send(request, expected).await
    }

    async fn put(&self, token: &str, path: &str) -> Value {
        let request = self
            .client
            .put(format!("{}{path}", self.base))
            .bearer_auth(token);
        self.send(request, 204).await
    }

    async fn upload(&self, token: &str, path: &str, name: &str, data: Vec<u8>) -> Value {
        let part = reqwest::multipart::Part::bytes(data).file_name(name.to_string());
        let form = reqwest::multipart::Form::new().part("file", part);
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .multipart(form);
        self.send(request, 201).await
    }

    /// Activates an account from its activation link; returns the session token.
    async fn activate(&self, activation_url: &str, consent_version: &str) -> String {
        let token = activation_url.split_once("#token=").unwrap().1;
        let body = json!({ "token": token, "password": PASSWORD, "password_repeat": PASSWORD,
                           "consent": true, "consent_version": consent_version });
        let request = self
            .client
            .post(format!("{}/api/auth/activate", self.base))
            .json(&body);
        self.send(request, 200).await["token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Previews and applies an import file.
    async fn import(&self, token: &str, kind: &str, file: String) -> Value {
        let preview = self
            .upload(
                token,
                &format!("/api/imports/{kind}"),
                "bench.csv",
                file.into_bytes(),
            )
            .await;
        assert_eq!(preview["counts"]["errors"], 0, "{preview}");
        let id = preview["id"].as_str().unwrap();
        self.post(
            token,
            &format!("/api/imports/{id}/apply"),
            json!({ "confirm": true }),
            200,
        )
        .await
    }
}

/// What the set-up made.
struct School {
    parent_token: String,
    /// The groups of the parent's children.
    parent_groups: [i64; 2],
    parents: usize,
    visible: usize,
    urgent: usize,
    attachments: usize,
    opened: usize,
    confirmed: usize,
}

/// The school, the posts and the parent's receipts.
async fn set_up(state: &HttpState, base: &str) -> School {
    let api = Api {
        client: reqwest::Client::new(),
        base: base.to_string(),
    };
    let consent = state.settings.security.consent_version.clone();
    // The admin, as `schoolgate admin create` makes one.
    let (_, activation_url) = support::invite_admin(state, "admin@bench.test").await;
    let admin = api.activate(&activation_url, &consent).await;

    // Three groups, a teacher each.
    let mut groups = Vec::new();
    let mut teachers = Vec::new();
    for (n, name) in GROUPS.iter().enumerate() {
        let group = api
            .post(&admin, "/api/groups", json!({ "name": name }), 201)
            .await;
        let group_id = group["id"].as_i64().unwrap();
        let invited = api
            .post(
                &admin,
                "/api/users",
                json!({ "email": format!("teacher{n}@bench.test"), "first_name": "Teacher",
                        "last_name": format!("Nummer{n}"), "role": "teacher", "language": "en" }),
                201,
            )
            .await;
        let teacher_id = invited["user"]["id"].as_i64().unwrap();
        api.put(
            &admin,
            &format!("/api/groups/{group_id}/teachers/{teacher_id}"),
        )
        .await;
        groups.push(group_id);
        teachers.push(
            api.activate(invited["activation_url"].as_str().unwrap(), &consent)
                .await,
        );
    }

    // 300 children: family f has children 2f and 2f+1, in different groups. Family 0 is the
    // measured parent's (children in the first and second group); every other family has one
    // parent, every even one a second parent.
    let mut children = String::from("Kind-ID;Vorname;Nachname;Klasse\n");
    let mut parents = String::from("Vorname;Nachname;E-Mail;Kind-ID\n");
    for family in 0..FAMILIES {
        for child in [2 * family, 2 * family + 1] {
            children.push_str(&format!(
                "{};Kind{child};Familie{family};{}\n",
                1000 + child,
                GROUPS[child % GROUPS.len()]
            ));
            if family == 0 {
                parents.push_str(&format!(
                    "Bench;Parent;parent@bench.test;{}\n",
                    1000 + child
                ));
                continue;
            }
            parents.push_str(&format!(
                "Ouder;Familie{family};ouder.{family}@example.nl;{}\n",
                1000 + child
            ));
            if family % 2 == 0 {
                parents.push_str(&format!(
                    "Tweede;Familie{family};tweede.{family}@example.nl;{}\n",
                    1000 + child
                ));
            }
        }
    }
    let applied = api.import(&admin, "children", children).await;
    assert_eq!(applied["counts"]["groups_to_create"], 0, "{applied}");
    api.import(&admin, "parents", parents).await;
    let all_parents = api.get(&admin, "/api/users?role=parent").await;
    let all_parents = all_parents.as_array().unwrap();
    let parent_id = all_parents
        .iter()
        .find(|user| user["email"] == "parent@bench.test")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let link = api
        .post(
            &admin,
            &format!("/api/users/{parent_id}/activation-link"),
            json!({}),
            200,
        )
        .await;
    let parent = api
        .activate(link["activation_url"].as_str().unwrap(), &consent)
        .await;

    // 200 posts, oldest first: to the school (the admin; every fourth of those to both of the
    // parent's groups instead), to the first, second and third group (their teachers). Every
    // ninth urgent (pinned; some with their own end), every fifth asks for a confirmation,
    // every seventh takes replies. One or two PDFs on every seventh, from the admin.
    let mut urgent = 0;
    let mut attachments = 0;
    let mut visible_posts = Vec::new();
    for n in 0..POSTS {
        let (token, audience) = match n % 4 {
            0 if n % 16 == 8 => (&admin, json!({ "group_ids": [groups[0], groups[1]] })),
            0 => (&admin, json!({ "to_school": true })),
            g => (&teachers[g - 1], json!({ "group_ids": [groups[g - 1]] })),
        };
        let kind = if n % 9 == 0 {
            urgent += 1;
            "urgent"
        } else if n % 2 == 0 {
            "message"
        } else {
            "news"
        };
        let mut body = json!({
            "kind": kind,
            "title": format!("Post {n}: news from the school gate"),
            "body": post_body(n),
            "ask_confirmation": n % 5 == 0,
            "allow_replies": n % 7 == 0,
        });
        body.as_object_mut()
            .unwrap()
            .extend(audience.as_object().unwrap().clone());
        if kind == "urgent" && n % 18 == 0 {
            let until = chrono::Utc::now() + chrono::Duration::days(3);
            body["pinned_until"] = json!(until);
        }
        let post = api.post(token, "/api/posts", body, 201).await;
        let post_id = post["id"].as_i64().unwrap();
        let files = match n % 7 {
            1 => 1,
            4 => 2,
            _ => 0,
        };
        for file in 0..files {
            let name = format!("letter-{n}-{file}.pdf");
            let pdf = small_pdf(&format!("Letter {file} about post {n}"));
            api.upload(
                &admin,
                &format!("/api/posts/{post_id}/attachments"),
                &name,
                pdf,
            )
            .await;
            attachments += 1;
        }
        if n % 4 != 3 {
            visible_posts.push((post_id, n % 5 == 0));
        }
    }

    // The parent opened every third post they see, and confirmed those that ask for it.
    let mut opened = 0;
    let mut confirmed = 0;
    for (post_id, asks_confirmation) in visible_posts.iter().step_by(3) {
        api.get(&parent, &format!("/api/posts/{post_id}")).await;
        opened += 1;
        if *asks_confirmation {
            api.post(
                &parent,
                &format!("/api/posts/{post_id}/confirm"),
                json!({}),
                204,
            )
            .await;
            confirmed += 1;
        }
    }
    // Planner statistics now, so autovacuum's ANALYZE does not change plans mid-measurement.
    if state.db.get_database_backend() == DbBackend::Postgres {
        state.db.execute_unprepared("ANALYZE").await.unwrap();
    }
    School {
        parent_token: parent,
        parent_groups: [groups[0], groups[1]],
        parents: all_parents.len(),
        visible: visible_posts.len(),
        urgent,
        attachments,
        opened,
        confirmed,
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

async fn bench_backend(label: &str, database_url: String, concurrency: usize, seconds: f64) {
    let log = Arc::new(support::StatementLog::default());
    let (state, base) = support::serve_with_statement_log(database_url, log.clone()).await;
    let started = Instant::now();
    let school = set_up(&state, &base).await;
    println!(
        "{label}: set-up {:.1} s: {} groups with a teacher each, {} children, {} parents; {POSTS} posts ({} visible to the parent, {} urgent), {} PDF attachments; the parent opened {} (confirmed {})",
        started.elapsed().as_secs_f64(),
        GROUPS.len(),
        FAMILIES * 2,
        school.parents,
        school.visible,
        school.urgent,
        school.attachments,
        school.opened,
        school.confirmed
    );

    // The first request fills the caches (session); the feed must be the parent's.
    let client = reqwest::Client::new();
    let feed_url = format!("{base}{FEED_PATH}");
    let fetch = async || {
        let response = client
            .get(&feed_url)
            .bearer_auth(&school.parent_token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.bytes().await.unwrap().to_vec()
    };
    let body = fetch().await;
    let feed: Vec<Value> = serde_json::from_slice(&body).unwrap();
    // The first page: the pinned notices on top, then 100 others.
    let unpinned = feed.iter().filter(|post| post["pinned"] != true).count();
    assert_eq!(unpinned, 100, "the feed has {unpinned} unpinned posts");
    let parent_groups: HashSet<i64> = school.parent_groups.into_iter().collect();
    for post in &feed {
        let ids: HashSet<i64> = post["group_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|id| id.as_i64().unwrap())
            .collect();
        assert!(
            post["to_school"] == true || !ids.is_empty() && ids.is_subset(&parent_groups),
            "the parent sees a post to another group: {post}"
        );
    }
    let count = |test: &dyn Fn(&Value) -> bool| feed.iter().filter(|post| test(post)).count();
    println!(
        "{label}: GET {FEED_PATH}: {} posts ({} pinned, {} with attachments, {} read and {} confirmed by the parent), {} bytes",
        feed.len(),
        count(&|post| post["pinned"] == true),
        count(&|post| !post["attachments"].as_array().unwrap().is_empty()),
        count(&|post| !post["read_at"].is_null()),
        count(&|post| !post["confirmed_at"].is_null()),
        body.len()
    );

    // Statements of single warm requests, nothing else running.
    let mut counts = Vec::new();
    let mut first = Vec::new();
    for round in 0..5 {
        let (again, statements) = log.record(fetch()).await;
        assert_eq!(again.len(), body.len());
        counts.push(statements.len());
        if round == 0 {
            first = statements;
        }
    }
    let same = counts.iter().all(|count| *count == counts[0]);
    println!(
        "{label}: SQL statements per warm feed request: {} ({} over 5 requests: {counts:?})",
        counts[0],
        if same { "the same" } else { "NOT the same" }
    );
    let mut shapes: BTreeMap<String, usize> = BTreeMap::new();
    for sql in &first {
        *shapes.entry(shape(sql)).or_default() += 1;
    }
    let mut shapes: Vec<(String, usize)> = shapes.into_iter().collect();
    shapes.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    for (shape, count) in shapes {
        println!("{label}:   {count:>4} × {shape}");
    }

    // Load: warm both up, then alternate so drift of the machine hits both sides alike.
    let bare_url = start_bare_poem(body.clone()).await;
    let token = &school.parent_token;
    support::load(&bare_url, Some(token), Some(body.len()), concurrency, 1.0).await;
    support::load(&feed_url, Some(token), Some(body.len()), concurrency, 1.0).await;
    let mut throughput_ratios = Vec::new();
    let mut p50_ratios = Vec::new();
    for round in 1..=3 {
        let bare = support::load(
            &bare_url,
            Some(token),
            Some(body.len()),
            concurrency,
            seconds,
        )
        .await;
        let before = log.count();
        let app = support::load(
            &feed_url,
            Some(token),
            Some(body.len()),
            concurrency,
            seconds,
        )
        .await;
        let statements = (log.count() - before) as f64 / app.requests as f64;
        let throughput_ratio = app.per_second / bare.per_second;
        let p50_ratio = app.p50_ms / bare.p50_ms;
        throughput_ratios.push(throughput_ratio);
        p50_ratios.push(p50_ratio);
        println!(
            "{label} round {round}: feed {:>7.0} req/s p50 {:>7.2} ms p99 {:>7.2} ms ({} requests, {statements:.1} statements each) | bare poem {:>7.0} req/s p50 {:>6.2} ms p99 {:>6.2} ms | req/s ratio {throughput_ratio:.4}, p50 ratio {p50_ratio:.1}",
            app.per_second,
            app.p50_ms,
            app.p99_ms,
            app.requests,
            bare.per_second,
            bare.p50_ms,
            bare.p99_ms,
        );
    }
    println!(
        "{label}: median ratios app/bare: throughput {:.4}, p50 latency {:.1}",
        median(throughput_ratios),
        median(p50_ratios)
    );
}

#[tokio::main]
async fn main() {
    let (seconds, concurrency) = support::load_settings(10.0, 8);
    support::on_sqlite_and_postgres(|label, url| bench_backend(label, url, concurrency, seconds))
        .await;
}
