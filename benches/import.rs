//! Import at the size of a large school: a children file of 5,000 children (60 groups) and a
//! parent file of 10,000 rows (5,000 parents, each with two children), previewed and applied
//! on SQLite and on PostgreSQL (BENCH_POSTGRES_URL, default the local server), and the
//! registration-letter PDF for 1,000 letters. Baselines measured in the same run: reading
//! the same file with the csv crate alone, and making the 1,000 QR codes alone.
//!
//! Run: `cargo bench --bench import`.

use std::time::Instant;

use schoolgate::{
    app::config::{Secret, Settings},
    entities::users::Language,
    features::imports::{
        self, ApplyOptions, ImportKind,
        letters::{self, Letter},
    },
    http::state::HttpState,
    platform::outbox::{action_link, templates::MailTemplates},
    startup::Application,
};

const FAMILIES: usize = 2_500;

fn children_file() -> Vec<u8> {
    let mut file = String::from("Kind-ID;Vorname;Nachname;Klasse\n");
    for family in 0..FAMILIES {
        for sibling in 0..2 {
            let child = family * 2 + sibling;
            file.push_str(&format!(
                "{};Kind{child};Familie{family};Groep {}\n",
                100_000 + child,
                child % 60
            ));
        }
    }
    file.into_bytes()
}

/// Two parents per family, each on one row per child: 10,000 rows, with Dutch mobile numbers.
fn parents_file() -> Vec<u8> {
    parents_file_with_phones(|family| format!("06 1234 {:04}", family % 10_000))
}

/// The same families with German landline numbers, as a school near the border has them.
fn parents_file_with_german_phones() -> Vec<u8> {
    parents_file_with_phones(|family| format!("0441 {:06}", 200_000 + family))
}

fn parents_file_with_phones(phone: impl Fn(usize) -> String) -> Vec<u8> {
    let mut file = String::from("Vorname;Nachname;Adresse;E-Mail;Telefonnummer;Kind-ID\n");
    for family in 0..FAMILIES {
        for parent in 0..2 {
            for sibling in 0..2 {
                let child = family * 2 + sibling;
                file.push_str(&format!(
                    "Ouder{parent};Familie{family};Dorpsstraat {family}, 1234 AB Dorp;ouder{parent}.familie{family}@example.nl;{};{}\n",
                    phone(family),
                    100_000 + child
                ));
            }
        }
    }
    file.into_bytes()
}

async fn start(database_url: String) -> HttpState {
    let mut settings = Settings::embedded_defaults().unwrap();
    settings.server.bind = "127.0.0.1:0".into();
    settings.database.url = Secret::new(database_url);
    settings.mail.folder = std::env::temp_dir().join("schoolgate-bench-mail");
    Application::build(settings).await.unwrap().state()
}

fn seconds(started: Instant) -> f64 {
    started.elapsed().as_secs_f64()
}

async fn bench_backend(label: &str, database_url: String) {
    let state = start(database_url).await;
    let (admin, _) = support::invite_admin(&state, "office@bench.test").await;
    let actor = &admin;

    let children = children_file();
    let started = Instant::now();
    let preview = imports::preview(
        &state,
        actor,
        ImportKind::Children,
        "children.csv".into(),
        children,
    )
    .await
    .unwrap();
    let children_preview = seconds(started);
    let started = Instant::now();
    imports::apply(&state, actor, &preview.id, ApplyOptions::default())
        .await
        .unwrap();
    println!(
        "{label}: children file (5,000 rows): preview {children_preview:.2} s, apply {:.2} s",
        seconds(started)
    );

    let parents = parents_file();
    let bytes = parents.len();
    let started = Instant::now();
    let mut rows = 0;
    for record in csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(&parents[..])
        .records()
    {
        record.unwrap();
        rows += 1;
    }
    let raw_parse = seconds(started);
    let started = Instant::now();
    let preview = imports::preview(
        &state,
        actor,
        ImportKind::Parents,
        "parents.csv".into(),
        parents.clone(),
    )
    .await
    .unwrap();
    let preview_time = seconds(started);
    let counts = &preview.counts;
    let started = Instant::now();
    imports::apply(&state, actor, &preview.id, ApplyOptions::default())
        .await
        .unwrap();
    let apply_time = seconds(started);
    println!(
        "{label}: parent file ({rows} rows, {:.1} MB): preview {preview_time:.2} s (raw csv read {:.3} s, ratio {:.0}x), apply {apply_time:.2} s; counts {counts}",
        bytes as f64 / 1e6,
        raw_parse,
        preview_time / raw_parse
    );
    let started = Instant::now();
    let german = imports::preview(
        &state,
        actor,
        ImportKind::Parents,
        "parents-de.csv".into(),
        parents_file_with_german_phones(),
    )
    .await
    .unwrap();
    println!(
        "{label}: the same file with German phone numbers (school in NL): preview {:.2} s, {} warnings",
        seconds(started),
        german.counts["warnings"]
    );
    let started = Instant::now();
    let again = imports::preview(
        &state,
        actor,
        ImportKind::Parents,
        "parents.csv".into(),
        parents,
    )
    .await
    .unwrap();
    let again_preview = seconds(started);
    let started = Instant::now();
    imports::apply(&state, actor, &again.id, ApplyOptions::default())
        .await
        .unwrap();
    println!(
        "{label}: same file again: preview {again_preview:.2} s, apply {:.2} s (no changes: {})",
        seconds(started),
        again.counts
    );

    let started = Instant::now();
    let (pdf, letters) = imports::registration_letters(&state, actor, &preview.id)
        .await
        .unwrap();
    println!(
        "{label}: registration letters for all new parents: {letters} letters, {:.1} MB PDF, {:.2} s including a new activation token each",
        pdf.len() as f64 / 1e6,
        seconds(started)
    );
    let _ = state.db.close_by_ref().await;
}

fn bench_letters() {
    let templates = MailTemplates::load().unwrap();
    let letters: Vec<Letter> = (0..1000)
        .map(|n| {
            let values = serde_json::json!({
                "first_name": "Łukasz", "full_name": format!("Łukasz Wiśniewski-Şahin {n}"), "email": format!("p{n}@example.de"),
                "school": "Grundschule am Park", "days": 30, "children": "Mia, Tim",
            });
            Letter {
                school: "Grundschule am Park".into(),
                texts: templates.texts("registration_letter", Language::De, &values).unwrap(),
                activation_url: action_link("https://eltern.grundschule-am-park.de", "activate", &format!("{n:043}")),
            }
        })
        .collect();
    let started = Instant::now();
    for letter in &letters {
        letters::qr_modules(&letter.activation_url).unwrap();
    }
    let qr_only = seconds(started);
    let started = Instant::now();
    let pdf = letters::render_pdf(&letters).unwrap();
    let pdf_time = seconds(started);
    println!(
        "letters: 1,000 letters in {pdf_time:.3} s ({:.2} ms each), {:.2} MB; QR codes alone {qr_only:.3} s (ratio {:.1}x)",
        pdf_time,
        pdf.len() as f64 / 1e6,
        pdf_time / qr_only
    );
}

mod support;

#[tokio::main]
async fn main() {
    bench_letters();
    support::on_sqlite_and_postgres(bench_backend).await;
}
