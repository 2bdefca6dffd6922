//! The groups directory: a school of 60 classes (1,505 children). Class 0 has 30 children and
//! 55 parents (25 children with two parents); the other classes 25 children with one parent.
//! Half the families list their child and share phone and e-mail with the class; the rest
//! share nothing.
//!
//! Prints the SQL statements one class page costs (counted with sea-orm's metric callback),
//! p50/p99 of sequential requests for class 0's page, and requests/s for a parent of class 0
//! opening all 60 classes' pages in a loop (one client, then BENCH_CONCURRENCY clients),
//! against the server's bare `/healthz` under the same load in the same run (the ratio is
//! what to compare). SQLite, then PostgreSQL when reachable.
//!
//! Run: `cargo bench --bench directory` (optional: BENCH_SECONDS, default 10;
//! BENCH_CONCURRENCY, default 32).

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use schoolgate::{
    entities::{
        privacy_choices::{Field, Visibility},
        users::Role,
    },
    features::{
        accounts,
        directory::{Subject, store as people},
        imports::ImportKind,
        school,
    },
    platform::db,
};

mod support;

const CLASSES: usize = 60;
const CLASS_0_CHILDREN: usize = 30;
const CLASS_0_SECOND_PARENTS: usize = 25;
const OTHER_CLASS_CHILDREN: usize = 25;

async fn bench_backend(label: &'static str, url: String, concurrency: usize, seconds: f64) {
    let log = Arc::new(support::StatementLog::default());
    let (state, base) = support::serve_with_statement_log(url, log.clone()).await;
    let (admin, _) = support::invite_admin(&state, "office@bench.test").await;

    let mut children = String::from("Kind-ID;Vorname;Nachname;Klasse\n");
    let mut parents = String::from("Vorname;Nachname;E-Mail;Telefon;Kind-ID\n");
    let mut child = 0;
    for class in 0..CLASSES {
        let size = if class == 0 {
            CLASS_0_CHILDREN
        } else {
            OTHER_CLASS_CHILDREN
        };
        for n in 0..size {
            children.push_str(&format!(
                "{child};Kind{child};Familie{child};Klasse {class:02}\n"
            ));
            parents.push_str(&format!(
                "Ouder;Familie{child};ouder{child}@example.nl;+31 6 {:08};{child}\n",
                child
            ));
            if class == 0 && n < CLASS_0_SECOND_PARENTS {
                parents.push_str(&format!(
                    "Tweede;Familie{child};tweede{child}@example.nl;+31 6 9{:07};{child}\n",
                    child
                ));
            }
            child += 1;
        }
    }
    let started = Instant::now();
    support::import(&state, &admin, ImportKind::Children, children).await;
    support::import(&state, &admin, ImportKind::Parents, parents).await;
    println!(
        "{label}: {child} children in {CLASSES} classes imported with their parents in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // Half the families share: the even children's names, their parents' phones and e-mails.
    let all_children = school::list_children(&state, &admin).await.unwrap();
    let all_parents = accounts::list(&state, &admin, Some(Role::Parent))
        .await
        .unwrap();
    let txn = db::begin_write(&state.db).await.unwrap();
    let now = state.clock.now();
    for view in all_children.iter().filter(|view| view.child.id % 2 == 0) {
        let subject = Subject::Child(view.child.id);
        people::set_choice(
            &txn,
            subject,
            Field::ChildName,
            Some(Visibility::GroupParents),
            now,
        )
        .await
        .unwrap();
    }
    for parent in all_parents.iter().filter(|parent| parent.id % 2 == 0) {
        for field in [Field::ParentPhone, Field::ParentEmail] {
            let subject = Subject::User(parent.id);
            people::set_choice(&txn, subject, field, Some(Visibility::GroupParents), now)
                .await
                .unwrap();
        }
    }
    txn.commit().await.unwrap();

    // The measured parent: the first parent of child 0 (class 0).
    let parent = all_parents
        .iter()
        .find(|parent| parent.email == "ouder0@example.nl")
        .unwrap();
    let link = accounts::new_activation_link(&state, &admin, parent.id)
        .await
        .unwrap();
    let token = support::activate(&state, &base, &link).await;
    let groups: Vec<i32> = school::list_groups(&state)
        .await
        .unwrap()
        .into_iter()
        .map(|view| view.group.id)
        .collect();
    let class_0 = *groups.iter().min().unwrap();
    let client = reqwest::Client::new();
    let page = |group: i32| {
        client
            .get(format!("{base}/api/directory/groups/{group}"))
            .bearer_auth(&token)
            .send()
    };
    let answer: serde_json::Value = page(class_0).await.unwrap().json().await.unwrap();
    let listed = answer["children"].as_array().unwrap();
    let parents_shown: usize = listed
        .iter()
        .map(|child| child["parents"].as_array().unwrap().len())
        .sum();
    println!(
        "{label}: class 0's page lists {} of {} children with {parents_shown} parents ({} bytes)",
        listed.len(),
        answer["group"]["children"],
        answer.to_string().len()
    );
    let (_, statements) = log
        .record(async { page(class_0).await.unwrap().bytes().await.unwrap() })
        .await;
    println!(
        "{label}: SQL statements per class page (session check included): {}",
        statements.len()
    );
    let mut latencies = Vec::new();
    for _ in 0..200 {
        let sent = Instant::now();
        let answer = page(class_0).await.unwrap();
        assert!(answer.status().is_success());
        answer.bytes().await.unwrap();
        latencies.push(sent.elapsed());
    }
    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{label}: class 0's page, 200 sequential requests: p50 {:.2} ms, p99 {:.2} ms",
        ms(latencies[latencies.len() / 2]),
        ms(latencies[latencies.len() * 99 / 100])
    );

    // All 60 classes' pages in a loop, by one client and by `concurrency` clients.
    for clients in [1, concurrency] {
        let urls: Arc<Vec<String>> = Arc::new(
            groups
                .iter()
                .map(|group| format!("{base}/api/directory/groups/{group}"))
                .collect(),
        );
        let deadline = Instant::now() + Duration::from_secs_f64(seconds);
        let started = Instant::now();
        let mut workers = Vec::new();
        for worker in 0..clients {
            let urls = urls.clone();
            let token = token.clone();
            let client = client.clone();
            workers.push(tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut next = worker;
                while Instant::now() < deadline {
                    let sent = Instant::now();
                    let answer = client
                        .get(&urls[next % urls.len()])
                        .bearer_auth(&token)
                        .send()
                        .await
                        .unwrap();
                    assert!(answer.status().is_success());
                    answer.bytes().await.unwrap();
                    latencies.push(sent.elapsed());
                    next += 1;
                }
                latencies
            }));
        }
        let mut latencies = Vec::new();
        for worker in workers {
            latencies.extend(worker.await.unwrap());
        }
        let per_second = latencies.len() as f64 / started.elapsed().as_secs_f64();
        latencies.sort();
        let bare = support::load(&format!("{base}/healthz"), None, None, clients, seconds).await;
        println!(
            "{label}: {clients} client(s) opening all {CLASSES} class pages in a loop: {per_second:.0} pages/s (p50 {:.2} ms, p99 {:.2} ms); bare /healthz: {:.0} requests/s (p99 {:.2} ms); ratio {:.3}",
            ms(latencies[latencies.len() / 2]),
            ms(latencies[latencies.len() * 99 / 100]),
            bare.per_second,
            bare.p99_ms,
            per_second / bare.per_second
        );
    }
}

#[tokio::main]
async fn main() {
    let (seconds, concurrency) = support::load_settings(10.0, 32);
    support::on_sqlite_and_postgres(|label, url| bench_backend(label, url, concurrency, seconds))
        .await;
}
