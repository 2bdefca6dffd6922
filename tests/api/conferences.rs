//! Parent-teacher conferences: the database gives a slot to exactly one of many parents who
//! want it at the same instant, double slots are taken whole or not at all, separated
//! parents share a booking, a family's talks never overlap, closing mails each parent the
//! final time with an .ics, reminders come the day before, and who may do what.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use futures_util::future::join_all;
use reqwest::{Method, StatusCode};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, sea_query::Expr};
use serde_json::{Value, json};

use crate::{
    agenda::{Agenda, agenda_school, agenda_school_with},
    helpers::{Backend, Session, TestApp, send},
};
use schoolgate::{
    entities::{conference_bookings, conference_claims, users},
    platform::{jobs, sessions},
};

crate::on_both_databases!(
    a_hundred_parents_booking_one_slot_at_once_get_it_once,
    a_double_slot_is_taken_whole_or_not_at_all,
    separated_parents_share_one_booking_and_the_other_is_told,
    a_family_s_talks_never_overlap_and_close_ones_are_flagged,
    closing_mails_each_parent_the_final_time_with_a_calendar_file,
    booking_opens_at_its_moment_and_parents_stop_at_the_deadline,
    blocked_slots_cannot_be_booked_and_booked_ones_cannot_be_blocked,
    reminders_come_the_day_before_the_talk_and_before_the_deadline,
    who_may_do_what_with_conference_rounds,
);

const ZONE: chrono_tz::Tz = chrono_tz::Europe::Amsterdam;

/// A day two weeks from the app's now, in the school's time zone.
fn talk_day(app: &TestApp) -> NaiveDate {
    (app.clock.now() + Duration::days(14))
        .with_timezone(&ZONE)
        .date_naive()
}

/// A round of 10-minute slots for `group` on `day` from `from` to `to` (local times).
async fn open_round(
    app: &TestApp,
    teacher: &Session,
    group: i64,
    day: NaiveDate,
    from: &str,
    to: &str,
    extra: Value,
) -> Value {
    let mut body = json!({
        "group_id": group,
        "title": "Spring conferences",
        "message": "Let's talk about how things go.",
        "location": "Room 3a",
        "slot_minutes": 10,
        "days": [{ "date": day, "from": from, "to": to }],
    });
    for (key, value) in extra.as_object().unwrap() {
        body[key] = value.clone();
    }
    let (status, round) = send(
        app.authed(Method::POST, "/api/conferences", teacher)
            .json(&body),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{round}");
    round
}

fn round_id(round: &Value) -> i64 {
    round["round"]["id"].as_i64().unwrap()
}

/// The id of the slot starting at local `time`.
fn slot_at(round: &Value, time: &str) -> i64 {
    round["slots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|slot| local_time(&slot["starts_at"]) == time)
        .unwrap_or_else(|| panic!("no slot at {time}: {round}"))["id"]
        .as_i64()
        .unwrap()
}

fn local_time(value: &Value) -> String {
    value
        .as_str()
        .unwrap()
        .parse::<DateTime<Utc>>()
        .unwrap()
        .with_timezone(&ZONE)
        .format("%H:%M")
        .to_string()
}

async fn book(
    app: &TestApp,
    who: &Session,
    round: i64,
    child: i64,
    slot: i64,
) -> (StatusCode, Value) {
    send(
        app.authed(
            Method::PUT,
            &format!("/api/conferences/{round}/children/{child}/booking"),
            who,
        )
        .json(&json!({ "slot_id": slot })),
    )
    .await
}

async fn settings(app: &TestApp, who: &Session, round: i64, child: i64, body: Value) -> Value {
    let (status, page) = send(
        app.authed(
            Method::PUT,
            &format!("/api/conferences/{round}/children/{child}/settings"),
            who,
        )
        .json(&body),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page
}

async fn round_page(app: &TestApp, who: &Session, round: i64) -> Value {
    let (status, page) =
        send(app.authed(Method::GET, &format!("/api/conferences/{round}"), who)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page
}

async fn invitation(app: &TestApp, who: &Session, round: i64, child: i64) -> (StatusCode, Value) {
    send(app.authed(
        Method::GET,
        &format!("/api/conferences/{round}/children/{child}"),
        who,
    ))
    .await
}

/// Every slot holds at most one claim, and every booking holds the slots it should: one,
/// or two adjacent for a double slot.
async fn assert_claims_consistent(app: &TestApp, double_children: &[i64]) {
    let claims = conference_claims::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap();
    let mut slots: Vec<i32> = claims.iter().map(|claim| claim.slot_id).collect();
    slots.sort();
    let before = slots.len();
    slots.dedup();
    assert_eq!(slots.len(), before, "a slot with two claims");
    for booking in conference_bookings::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap()
    {
        let held: Vec<&conference_claims::Model> = claims
            .iter()
            .filter(|claim| claim.booking_id == Some(booking.id))
            .collect();
        let wanted = if double_children.contains(&i64::from(booking.child_id)) {
            2
        } else {
            1
        };
        assert_eq!(held.len(), wanted, "booking {booking:?} holds {held:?}");
        let minutes = (booking.ends_at - booking.starts_at).num_minutes();
        assert_eq!(minutes, 10 * wanted as i64, "{booking:?}");
    }
}

/// `count` families in group `3a`, one parent and one child each, imported and logged in
/// (sessions made directly: a hundred password hashes would only slow the test).
async fn families(s: &Agenda, count: usize) -> Vec<(Session, i64)> {
    let mut children = String::from("Kind-ID;Vorname;Nachname;Klasse\n");
    let mut parents = String::from("Voornaam;Achternaam;Adres;E-mail;Telefoon;Leerling-ID\n");
    for i in 0..count {
        children.push_str(&format!("F{i};Kind{i};Familie{i};Groep 3a\n"));
        parents.push_str(&format!("Ouder{i};Familie{i};;ouder{i}@example.nl;;F{i}\n"));
    }
    s.app
        .import(&s.admin, "children", children.into_bytes())
        .await;
    s.app
        .import(&s.admin, "parents", parents.into_bytes())
        .await;
    users::Entity::update_many()
        .col_expr(users::Column::State, Expr::value("active"))
        .filter(users::Column::Email.like("ouder%@example.nl"))
        .exec(&s.app.state.db)
        .await
        .unwrap();
    let (_, all) = send(s.app.authed(Method::GET, "/api/children", &s.admin)).await;
    let mut made = Vec::new();
    for i in 0..count {
        let child = all
            .as_array()
            .unwrap()
            .iter()
            .find(|child| child["external_id"] == format!("F{i}"))
            .unwrap_or_else(|| panic!("child F{i}: {all}"));
        let parent = users::Entity::find()
            .filter(users::Column::Email.eq(format!("ouder{i}@example.nl")))
            .one(&s.app.state.db)
            .await
            .unwrap()
            .unwrap();
        let issued = sessions::create(
            &s.app.state.db,
            parent.id,
            Duration::days(1),
            s.app.clock.now(),
        )
        .await
        .unwrap();
        made.push((
            Session {
                token: issued.token,
                user_id: i64::from(parent.id),
            },
            child["id"].as_i64().unwrap(),
        ));
    }
    made
}

async fn a_hundred_parents_booking_one_slot_at_once_get_it_once(backend: Backend) {
    // A hundred connections at once to a debug build on two busy cores: some wait longer
    // than the 10 s a connection is given for its request's headers (the release build
    // serves 1,000 at once: `cargo bench --bench conferences`).
    let s = agenda_school_with(backend, |settings| {
        settings.server.header_read_timeout_seconds = 120
    })
    .await;
    let families = families(&s, 100).await;
    let round = open_round(
        &s.app,
        &s.jan,
        s.class_3a,
        talk_day(&s.app),
        "15:00",
        "16:00",
        json!({}),
    )
    .await;
    let id = round_id(&round);
    let wanted = slot_at(&round, "15:20");
    let answers = join_all(
        families
            .iter()
            .map(|(parent, child)| book(&s.app, parent, id, *child, wanted)),
    )
    .await;
    let won: Vec<&Value> = answers
        .iter()
        .filter(|(status, _)| *status == StatusCode::OK)
        .map(|(_, body)| body)
        .collect();
    assert_eq!(won.len(), 1, "winners: {won:?}");
    for (status, body) in answers
        .iter()
        .filter(|(status, _)| *status != StatusCode::OK)
    {
        assert_eq!(*status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["code"], "slot_taken", "{body}");
        let free = body["details"]["free_slots"].as_array().unwrap();
        assert_eq!(free.len(), 5, "the other five slots are still free: {body}");
        assert!(free.iter().all(|slot| slot["slot_id"] != wanted), "{body}");
    }
    let holders = conference_claims::Entity::find()
        .filter(conference_claims::Column::SlotId.eq(wanted as i32))
        .count(&s.app.state.db)
        .await
        .unwrap();
    assert_eq!(holders, 1);
    assert_eq!(
        conference_bookings::Entity::find()
            .count(&s.app.state.db)
            .await
            .unwrap(),
        1,
        "the losers' bookings were rolled back"
    );
    // The teacher's page shows the one booking at 15:20.
    let page = round_page(&s.app, &s.jan, id).await;
    let booked: Vec<&Value> = page["slots"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|slot| slot["state"] == "booked")
        .collect();
    assert_eq!(booked.len(), 1);
    assert_eq!(local_time(&booked[0]["starts_at"]), "15:20");
    assert!(
        booked[0]["child_name"]
            .as_str()
            .unwrap()
            .starts_with("Kind")
    );
    assert_claims_consistent(&s.app, &[]).await;
}

async fn a_double_slot_is_taken_whole_or_not_at_all(backend: Backend) {
    let s = agenda_school(backend).await;
    let families = families(&s, 20).await;
    // 15:00-15:30 and, after a break, 15:45-16:05.
    let round = open_round(
        &s.app,
        &s.jan,
        s.class_3a,
        talk_day(&s.app),
        "15:00",
        "16:00",
        json!({ "days": [{ "date": talk_day(&s.app), "from": "15:00", "to": "16:05",
                           "breaks": [{ "from": "15:30", "to": "15:45" }] }] }),
    )
    .await;
    let id = round_id(&round);
    let doubles: Vec<i64> = families[..10].iter().map(|(_, child)| *child).collect();
    for child in &doubles {
        settings(
            &s.app,
            &s.jan,
            id,
            *child,
            json!({ "double_slot": true, "need": "required" }),
        )
        .await;
    }
    // A double slot may start where the next slot is free and adjacent: not at 15:20 (the
    // break follows) nor at 15:55 (the last).
    let (_, view) = invitation(&s.app, &families[0].0, id, doubles[0]).await;
    let starts: Vec<String> = view["slots"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|slot| slot["bookable"] == true)
        .map(|slot| local_time(&slot["starts_at"]))
        .collect();
    assert_eq!(starts, ["15:00", "15:10", "15:45"]);
    let (status, answer) = book(
        &s.app,
        &families[0].0,
        id,
        doubles[0],
        slot_at(&round, "15:20"),
    )
    .await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (StatusCode::CONFLICT, Some("slot_taken")),
        "{answer}"
    );

    // Ten double-slot families want 15:00 (+15:10) while ten single families want 15:10.
    let at_1500 = slot_at(&round, "15:00");
    let at_1510 = slot_at(&round, "15:10");
    let answers = join_all(families.iter().enumerate().map(|(i, (parent, child))| {
        let slot = if i < 10 { at_1500 } else { at_1510 };
        book(&s.app, parent, id, *child, slot)
    }))
    .await;
    let winners: Vec<usize> = answers
        .iter()
        .enumerate()
        .filter(|(_, (status, _))| *status == StatusCode::OK)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(winners.len(), 1, "one of them gets 15:10: {winners:?}");
    for (status, body) in &answers {
        assert!(
            *status == StatusCode::OK || body["code"] == "slot_taken",
            "{status} {body}"
        );
    }
    let page = round_page(&s.app, &s.jan, id).await;
    let state_at = |time: &str| {
        page["slots"]
            .as_array()
            .unwrap()
            .iter()
            .find(|slot| local_time(&slot["starts_at"]) == time)
            .unwrap()["state"]
            .clone()
    };
    if winners[0] < 10 {
        assert_eq!(
            (state_at("15:00"), state_at("15:10")),
            (json!("booked"), json!("booked"))
        );
    } else {
        assert_eq!(
            (state_at("15:00"), state_at("15:10")),
            (json!("free"), json!("booked"))
        );
    }
    assert_claims_consistent(&s.app, &doubles).await;

    // A double talk moves whole: from its slots to 15:45 + 15:55, freeing both.
    let mover = doubles
        .iter()
        .position(|child| {
            page["children"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["child_id"] == *child && c["booking"].is_object())
        })
        .unwrap_or(0);
    let (parent, child) = (&families[mover].0, doubles[mover]);
    let (status, moved) = book(&s.app, parent, id, child, slot_at(&round, "15:45")).await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(local_time(&moved["booking"]["ends_at"]), "16:05");
    assert_claims_consistent(&s.app, &doubles).await;
}

async fn separated_parents_share_one_booking_and_the_other_is_told(backend: Backend) {
    let s = agenda_school(backend).await;
    // Bob is Emma's other parent, in his own account.
    let bob = s
        .app
        .active_user(&s.admin, "parent", "bob@example.nl")
        .await;
    s.app
        .link_parent(&s.admin, s.emma, bob.user_id, false)
        .await;
    let round = open_round(
        &s.app,
        &s.jan,
        s.class_3a,
        talk_day(&s.app),
        "15:00",
        "16:00",
        json!({}),
    )
    .await;
    let id = round_id(&round);
    let (status, booked) = book(&s.app, &s.anna, id, s.emma, slot_at(&round, "15:10")).await;
    assert_eq!(status, StatusCode::OK, "{booked}");
    assert_eq!(booked["booking"]["sequence"], 0);
    // Bob sees it, and is told who booked.
    let (_, his) = invitation(&s.app, &bob, id, s.emma).await;
    assert_eq!(local_time(&his["booking"]["starts_at"]), "15:10");
    let slot = his["slots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|slot| slot["state"] == "booked")
        .unwrap();
    assert_eq!(
        slot["child_id"], s.emma,
        "his own child's slot is named: {slot}"
    );
    let told = s.app.smtp.wait_for_mail_to("bob@example.nl").await;
    assert!(told.subject().contains("Talk booked"), "{}", told.subject());
    assert!(
        told.text().contains("booked the talk about"),
        "{}",
        told.text()
    );
    assert!(told.text().contains("15:10"), "{}", told.text());
    // The booker is not mailed about their own booking.
    // Bob moves it: one booking still, SEQUENCE raised, Anna told.
    let (status, moved) = book(&s.app, &bob, id, s.emma, slot_at(&round, "15:30")).await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["booking"]["sequence"], 1);
    assert_eq!(moved["booking"]["id"], booked["booking"]["id"]);
    let anna_mails = s.app.smtp.wait_for_mails_to("anna@example.nl", 1).await;
    assert_eq!(anna_mails.len(), 1, "Anna hears of Bob's move only");
    assert!(anna_mails[0].subject().contains("Talk moved"));
    assert!(anna_mails[0].text().contains("15:30"));
    let page = round_page(&s.app, &s.jan, id).await;
    let booked_slots: Vec<String> = page["slots"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|slot| slot["state"] == "booked")
        .map(|slot| local_time(&slot["starts_at"]))
        .collect();
    assert_eq!(booked_slots, ["15:30"], "the old slot is free again");
    // Rita, Emma's read-only parent, sees but may not change.
    let (status, answer) = book(&s.app, &s.rita, id, s.emma, slot_at(&round, "15:00")).await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("read_only"))
    );
    let (status, hers) = invitation(&s.app, &s.rita, id, s.emma).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(hers["may_book"], false);
    // Either parent cancels; the other is told.
    let (status, cancelled) = send(s.app.authed(
        Method::DELETE,
        &format!("/api/conferences/{id}/children/{}/booking", s.emma),
        &s.anna,
    ))
    .await;
    assert_eq!(status, StatusCode::OK, "{cancelled}");
    assert!(cancelled["booking"].is_null());
    let bob_mails = s.app.smtp.wait_for_mails_to("bob@example.nl", 2).await;
    assert!(
        bob_mails[1].subject().contains("Talk cancelled"),
        "{}",
        bob_mails[1].subject()
    );
}

async fn a_family_s_talks_never_overlap_and_close_ones_are_flagged(backend: Backend) {
    let s = agenda_school(backend).await;
    // Anna's second child, Sam's classmate Noor, is in 5b (Piet's group).
    let noor = s.app.create_child(&s.admin, "9", s.class_5b).await;
    s.app
        .link_parent(&s.admin, noor, s.anna.user_id, false)
        .await;
    let day = talk_day(&s.app);
    let emma_round = open_round(&s.app, &s.jan, s.class_3a, day, "15:00", "16:00", json!({})).await;
    let noor_round = open_round(
        &s.app,
        &s.piet,
        s.class_5b,
        day,
        "15:00",
        "16:00",
        json!({}),
    )
    .await;
    let (emma_id, noor_id) = (round_id(&emma_round), round_id(&noor_round));
    let (status, _) = book(
        &s.app,
        &s.anna,
        emma_id,
        s.emma,
        slot_at(&emma_round, "15:10"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, answer) = book(
        &s.app,
        &s.anna,
        noor_id,
        noor,
        slot_at(&noor_round, "15:10"),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert_eq!(answer["code"], "family_overlap");
    // Right after Emma's talk: allowed, with a warning (less than 15 minutes apart).
    let (status, close) = book(
        &s.app,
        &s.anna,
        noor_id,
        noor,
        slot_at(&noor_round, "15:20"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{close}");
    let warned = close["close_talks"].as_array().unwrap();
    assert_eq!(warned.len(), 1, "{close}");
    assert_eq!(local_time(&warned[0]["starts_at"]), "15:10");
    // Half an hour later: no warning.
    let (status, apart) = book(
        &s.app,
        &s.anna,
        noor_id,
        noor,
        slot_at(&noor_round, "15:40"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        apart["close_talks"].as_array().unwrap().is_empty(),
        "{apart}"
    );
    // Both invitations on one timeline, the earlier talk first.
    let (_, mine) = send(
        s.app
            .authed(Method::GET, "/api/conference-invitations", &s.anna),
    )
    .await;
    let children: Vec<i64> = mine
        .as_array()
        .unwrap()
        .iter()
        .map(|invitation| invitation["child_id"].as_i64().unwrap())
        .collect();
    assert_eq!(children, [s.emma, noor], "{mine}");
    // Carl (5b) sees only Sam's invitation.
    let (_, his) = send(
        s.app
            .authed(Method::GET, "/api/conference-invitations", &s.carl),
    )
    .await;
    assert_eq!(his.as_array().unwrap().len(), 1);
    assert_eq!(his[0]["child_id"], s.sam);
    assert!(his[0]["booking"].is_null());
}

async fn closing_mails_each_parent_the_final_time_with_a_calendar_file(backend: Backend) {
    let s = agenda_school(backend).await;
    let bob = s
        .app
        .active_user(&s.admin, "parent", "bob@example.nl")
        .await;
    s.app
        .link_parent(&s.admin, s.emma, bob.user_id, false)
        .await;
    let (status, _) = send(
        s.app
            .authed(Method::PATCH, "/api/me", &bob)
            .json(&json!({ "language": "nl" })),
    )
    .await;
    assert!(status.is_success());
    let lisa = s.app.create_child(&s.admin, "5", s.class_3a).await;
    let lotte = s.app.create_child(&s.admin, "6", s.class_3a).await;
    let lisa_parent = s
        .app
        .active_user(&s.admin, "parent", "lisa.mama@example.nl")
        .await;
    let lotte_parent = s
        .app
        .active_user(&s.admin, "parent", "lotte.papa@example.nl")
        .await;
    s.app
        .link_parent(&s.admin, lisa, lisa_parent.user_id, false)
        .await;
    s.app
        .link_parent(&s.admin, lotte, lotte_parent.user_id, false)
        .await;
    let round = open_round(
        &s.app,
        &s.jan,
        s.class_3a,
        talk_day(&s.app),
        "15:00",
        "16:00",
        json!({}),
    )
    .await;
    let id = round_id(&round);
    settings(
        &s.app,
        &s.jan,
        id,
        lotte,
        json!({ "need": "required", "double_slot": false, "note": "About reading" }),
    )
    .await;
    book(&s.app, &s.anna, id, s.emma, slot_at(&round, "15:00")).await;
    book(&s.app, &lisa_parent, id, lisa, slot_at(&round, "15:30")).await;
    s.app.wait_for_outbox().await;
    let before = s.app.smtp.mails().len();
    let (status, closed) = send(s.app.authed(
        Method::POST,
        &format!("/api/conferences/{id}/close"),
        &s.jan,
    ))
    .await;
    assert_eq!(status, StatusCode::OK, "{closed}");
    assert_eq!(closed["round"]["phase"], "closed");
    assert_eq!(
        closed["missing"],
        json!([lotte]),
        "Lotte's required talk is not booked"
    );
    s.app.wait_for_outbox().await;
    let finals: Vec<_> = s.app.smtp.mails()[before..].to_vec();
    let mut to: Vec<String> = finals
        .iter()
        .flat_map(|mail| mail.recipients.clone())
        .collect();
    to.sort();
    // Rita, Emma's read-only parent, is one of her parents too.
    assert_eq!(
        to,
        [
            "anna@example.nl",
            "bob@example.nl",
            "lisa.mama@example.nl",
            "rita@example.nl"
        ]
    );
    let emma_booking = closed["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|child| child["child_id"] == s.emma)
        .unwrap()["booking"]["id"]
        .as_i64()
        .unwrap();
    for mail in &finals {
        let parsed = mail.parsed();
        let attachment = parsed.attachments().next().expect("an .ics attached");
        let ics = String::from_utf8(attachment.contents().to_vec()).unwrap();
        let calendar = parse_ics(&ics);
        assert!(ics.contains("METHOD:PUBLISH"), "{ics}");
        let event = &calendar.events[0];
        let value = |name: &str| {
            event
                .properties
                .iter()
                .find(|p| p.name == name)
                .and_then(|p| p.value.clone())
                .unwrap_or_default()
        };
        assert_eq!(value("SEQUENCE"), "0");
        assert_eq!(value("STATUS"), "CONFIRMED");
        assert_eq!(value("LOCATION"), "Room 3a");
        let is_emma = mail.recipients.iter().any(|r| r != "lisa.mama@example.nl");
        if is_emma {
            assert_eq!(
                value("UID"),
                format!("conference-{emma_booking}@schoolgate.test")
            );
            assert!(value("DTSTART").ends_with("T150000"), "{ics}");
            assert!(value("DTEND").ends_with("T151000"), "{ics}");
        } else {
            assert!(value("DTSTART").ends_with("T153000"), "{ics}");
        }
        let tzid = event
            .properties
            .iter()
            .find(|p| p.name == "DTSTART")
            .unwrap()
            .params
            .clone()
            .unwrap();
        assert_eq!(tzid[0].1[0], "Europe/Amsterdam");
        assert!(!calendar.timezones.is_empty(), "a VTIMEZONE");
    }
    let bob_mail = finals
        .iter()
        .find(|mail| mail.recipients == ["bob@example.nl"])
        .unwrap();
    assert!(
        bob_mail.subject().starts_with("Definitieve tijd"),
        "{}",
        bob_mail.subject()
    );
    // The door list of the day names who comes when.
    let response = s
        .app
        .authed(
            Method::GET,
            &format!("/api/conferences/{id}/door-list?day={}", talk_day(&s.app)),
            &s.jan,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let pdf = lopdf::Document::load_mem(&response.bytes().await.unwrap()).unwrap();
    let pages: Vec<u32> = pdf.get_pages().keys().copied().collect();
    let text = pdf.extract_text(&pages).unwrap();
    let emma_name = closed["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["child_id"] == s.emma)
        .unwrap()["name"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(text.contains(&emma_name), "{text}");
    assert!(text.contains("15:00"), "{text}");
    assert!(text.contains("Parents:"), "{text}");
    assert!(text.contains("free"), "{text}");
    // Closed: parents can no longer cancel or move.
    let (status, answer) = send(s.app.authed(
        Method::DELETE,
        &format!("/api/conferences/{id}/children/{}/booking", s.emma),
        &s.anna,
    ))
    .await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (StatusCode::CONFLICT, Some("planning_closed"))
    );
    let (status, answer) = book(&s.app, &s.anna, id, s.emma, slot_at(&round, "15:40")).await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (StatusCode::CONFLICT, Some("planning_closed"))
    );
    // The teacher still moves it: both parents get the new time, same UID, SEQUENCE 1.
    let (status, moved) = book(&s.app, &s.jan, id, s.emma, slot_at(&round, "15:50")).await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    // Anna: the final time and the move; Bob and Rita also heard of Anna's booking.
    for (parent, count) in [
        ("anna@example.nl", 2),
        ("bob@example.nl", 3),
        ("rita@example.nl", 3),
    ] {
        let mails = s.app.smtp.wait_for_mails_to(parent, count).await;
        let last = mails.last().unwrap();
        let parsed = last.parsed();
        let ics =
            String::from_utf8(parsed.attachments().next().unwrap().contents().to_vec()).unwrap();
        assert!(
            ics.contains(&format!("UID:conference-{emma_booking}@schoolgate.test")),
            "{ics}"
        );
        assert!(ics.contains("SEQUENCE:1"), "{ics}");
        assert!(ics.contains("T155000"), "{ics}");
    }
    // The teacher cancels Lisa's talk: her calendar gets the entry cancelled, SEQUENCE up.
    let (status, _) = send(s.app.authed(
        Method::DELETE,
        &format!("/api/conferences/{id}/children/{lisa}/booking"),
        &s.jan,
    ))
    .await;
    assert_eq!(status, StatusCode::OK);
    let mails = s
        .app
        .smtp
        .wait_for_mails_to("lisa.mama@example.nl", 2)
        .await;
    let parsed = mails[1].parsed();
    let ics = String::from_utf8(parsed.attachments().next().unwrap().contents().to_vec()).unwrap();
    assert!(ics.contains("STATUS:CANCELLED"), "{ics}");
    assert!(ics.contains("SEQUENCE:1"), "{ics}");
    // Closing again sends nothing more.
    s.app.wait_for_outbox().await;
    let count = s.app.smtp.mails().len();
    let (status, _) = send(s.app.authed(
        Method::POST,
        &format!("/api/conferences/{id}/close"),
        &s.jan,
    ))
    .await;
    assert_eq!(status, StatusCode::OK);
    s.app.wait_for_outbox().await;
    assert_eq!(s.app.smtp.mails().len(), count);
}

fn parse_ics(text: &str) -> ical::parser::ical::component::IcalCalendar {
    for line in text.split("\r\n") {
        assert!(line.len() <= 75, "{line:?}");
    }
    ical::IcalParser::new(text.as_bytes())
        .next()
        .expect("a calendar")
        .expect("parses")
}

async fn booking_opens_at_its_moment_and_parents_stop_at_the_deadline(backend: Backend) {
    let s = agenda_school(backend).await;
    let now = s.app.clock.now();
    let opens = now + Duration::days(2);
    let deadline = now + Duration::days(5);
    let round = open_round(
        &s.app,
        &s.jan,
        s.class_3a,
        talk_day(&s.app),
        "15:00",
        "16:00",
        json!({ "opens_at": opens, "deadline_at": deadline }),
    )
    .await;
    let id = round_id(&round);
    assert_eq!(round["round"]["phase"], "not_open");
    let (_, list) = send(
        s.app
            .authed(Method::GET, "/api/conference-invitations", &s.anna),
    )
    .await;
    assert_eq!(list, json!([]));
    let (status, _) = invitation(&s.app, &s.anna, id, s.emma).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = book(&s.app, &s.anna, id, s.emma, slot_at(&round, "15:00")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    s.app.clock.advance(Duration::days(2));
    let (status, booked) = book(&s.app, &s.anna, id, s.emma, slot_at(&round, "15:00")).await;
    assert_eq!(status, StatusCode::OK, "{booked}");
    s.app.clock.advance(Duration::days(3));
    let (status, answer) = book(&s.app, &s.anna, id, s.emma, slot_at(&round, "15:10")).await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (StatusCode::CONFLICT, Some("booking_deadline_passed"))
    );
    let (_, view) = invitation(&s.app, &s.anna, id, s.emma).await;
    assert_eq!(view["may_book"], false);
    assert_eq!(view["round"]["phase"], "past_deadline");
    // The teacher still books and moves.
    let (status, _) = book(&s.app, &s.jan, id, s.emma, slot_at(&round, "15:10")).await;
    assert_eq!(status, StatusCode::OK);
    // Bad rounds are refused with their reasons.
    let day = talk_day(&s.app);
    for (body, code) in [
        (json!({ "days": [] }), "no_days"),
        (
            json!({ "days": [{ "date": day, "from": "16:00", "to": "15:00" }] }),
            "invalid_window",
        ),
        (json!({ "slot_minutes": 0 }), "invalid_slot_length"),
        (
            json!({ "days": [{ "date": "2020-01-01", "from": "15:00", "to": "16:00" }] }),
            "day_in_past",
        ),
        (
            json!({ "video_link": "javascript:alert(1)" }),
            "invalid_video_link",
        ),
        (
            json!({ "opens_at": deadline, "deadline_at": opens }),
            "invalid_deadline",
        ),
    ] {
        let mut full = json!({
            "group_id": s.class_3a, "title": "X", "slot_minutes": 10,
            "days": [{ "date": day, "from": "15:00", "to": "16:00" }],
        });
        for (key, value) in body.as_object().unwrap() {
            full[key] = value.clone();
        }
        let (status, answer) = send(
            s.app
                .authed(Method::POST, "/api/conferences", &s.jan)
                .json(&full),
        )
        .await;
        assert_eq!(
            (status, answer["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some(code)),
            "{body}: {answer}"
        );
    }
}

async fn blocked_slots_cannot_be_booked_and_booked_ones_cannot_be_blocked(backend: Backend) {
    let s = agenda_school(backend).await;
    let round = open_round(
        &s.app,
        &s.jan,
        s.class_3a,
        talk_day(&s.app),
        "15:00",
        "15:30",
        json!({}),
    )
    .await;
    let id = round_id(&round);
    let (first, second) = (slot_at(&round, "15:00"), slot_at(&round, "15:10"));
    let block = |slot: i64, blocked: bool| {
        send(
            s.app
                .authed(
                    Method::PUT,
                    &format!("/api/conferences/{id}/slots/{slot}/block"),
                    &s.jan,
                )
                .json(&json!({ "blocked": blocked })),
        )
    };
    let (status, page) = block(first, true).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let (status, answer) = book(&s.app, &s.anna, id, s.emma, first).await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (StatusCode::CONFLICT, Some("slot_taken"))
    );
    book(&s.app, &s.anna, id, s.emma, second).await;
    let (status, answer) = block(second, true).await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (StatusCode::CONFLICT, Some("slot_booked"))
    );
    let (status, _) = block(first, false).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = book(&s.app, &s.anna, id, s.emma, first).await;
    assert_eq!(status, StatusCode::OK, "free again");
}

async fn reminders_come_the_day_before_the_talk_and_before_the_deadline(backend: Backend) {
    let s = agenda_school_with(backend, |_| {}).await;
    let device = s.app.push.device("anna-phone");
    s.app.subscribe(&s.anna, &device).await;
    let sam_day = talk_day(&s.app);
    let now = s.app.clock.now();
    let round = open_round(
        &s.app,
        &s.jan,
        s.class_3a,
        sam_day,
        "15:00",
        "16:00",
        json!({}),
    )
    .await;
    let id = round_id(&round);
    book(&s.app, &s.anna, id, s.emma, slot_at(&round, "15:20")).await;
    // Piet's round: Sam is required, the deadline is tomorrow noon.
    let deadline = now + Duration::hours(20);
    let sams = open_round(
        &s.app,
        &s.piet,
        s.class_5b,
        sam_day,
        "15:00",
        "16:00",
        json!({ "deadline_at": deadline }),
    )
    .await;
    settings(
        &s.app,
        &s.piet,
        round_id(&sams),
        s.sam,
        json!({ "need": "required", "double_slot": false }),
    )
    .await;
    s.app.wait_for_outbox().await;
    // Today's run: no talk tomorrow; Sam's parents are reminded of the deadline.
    let job = s.app.state.jobs.get("conference_reminders").unwrap();
    jobs::run_now(&s.app.state, job).await.unwrap();
    s.app.wait_for_outbox().await;
    assert!(s.app.push.received_by("anna-phone").is_empty());
    let reminder = s.app.smtp.wait_for_mail_to("carl@example.nl").await;
    assert!(
        reminder.subject().contains("Please book a time"),
        "{}",
        reminder.subject()
    );
    // The day before the talk: Anna's phone gets a push.
    s.app.clock.advance(Duration::days(13));
    jobs::run_now(&s.app.state, job).await.unwrap();
    s.app.wait_for_outbox().await;
    let pushes = s.app.push.received_by("anna-phone");
    assert_eq!(pushes.len(), 1, "{pushes:?}");
    let (_, child) = send(
        s.app
            .authed(Method::GET, &format!("/api/children/{}", s.emma), &s.anna),
    )
    .await;
    assert_eq!(
        pushes[0].notice["title"],
        format!(
            "Tomorrow at 15:20: your talk about {}",
            child["first_name"].as_str().unwrap()
        )
    );
    assert_eq!(
        pushes[0].notice["url"],
        format!("/conferences/{id}/children/{}", s.emma)
    );
}

type MatrixRow = (&'static str, Method, String, Option<Value>, [StatusCode; 7]);

async fn who_may_do_what_with_conference_rounds(backend: Backend) {
    let s = agenda_school(backend).await;
    let day = talk_day(&s.app);
    let round = open_round(&s.app, &s.jan, s.class_3a, day, "15:00", "16:00", json!({})).await;
    let id = round_id(&round);
    let slot = slot_at(&round, "15:00");
    let later = slot_at(&round, "15:30");
    let (emma, sam) = (s.emma, s.sam);
    use StatusCode as S;
    const OK: S = S::OK;
    const NF: S = S::NOT_FOUND;
    const FB: S = S::FORBIDDEN;
    const UN: S = S::UNAUTHORIZED;
    const CR: S = S::CREATED;
    let new_round = json!({ "group_id": s.class_3a, "title": "Extra", "slot_minutes": 15,
                            "days": [{ "date": day, "from": "18:00", "to": "19:00" }] });
    // Columns: anonymous, anna (3a), rita (3a, read-only), carl (5b), jan (3a), piet (5b), admin.
    let rows: Vec<MatrixRow> = vec![
        (
            "list",
            Method::GET,
            "/api/conferences".into(),
            None,
            [UN, OK, OK, OK, OK, OK, OK],
        ),
        (
            "invitations",
            Method::GET,
            "/api/conference-invitations".into(),
            None,
            [UN, OK, OK, OK, OK, OK, OK],
        ),
        (
            "open a round for 3a",
            Method::POST,
            "/api/conferences".into(),
            Some(new_round),
            [UN, FB, FB, FB, CR, FB, CR],
        ),
        (
            "round page",
            Method::GET,
            format!("/api/conferences/{id}"),
            None,
            [UN, FB, FB, NF, OK, NF, OK],
        ),
        (
            "change round",
            Method::PATCH,
            format!("/api/conferences/{id}"),
            Some(json!({ "title": "Spring", "opens_at": s.app.clock.now() })),
            [UN, FB, FB, NF, OK, NF, OK],
        ),
        (
            "child settings",
            Method::PUT,
            format!("/api/conferences/{id}/children/{emma}/settings"),
            Some(json!({ "double_slot": false, "need": "optional" })),
            [UN, FB, FB, NF, OK, NF, OK],
        ),
        (
            "block",
            Method::PUT,
            format!("/api/conferences/{id}/slots/{later}/block"),
            Some(json!({ "blocked": false })),
            [UN, FB, FB, NF, OK, NF, OK],
        ),
        (
            "Emma's invitation",
            Method::GET,
            format!("/api/conferences/{id}/children/{emma}"),
            None,
            [UN, OK, OK, NF, OK, NF, OK],
        ),
        (
            "Sam's in 3a's round",
            Method::GET,
            format!("/api/conferences/{id}/children/{sam}"),
            None,
            [UN, NF, NF, NF, NF, NF, NF],
        ),
        (
            "book Emma",
            Method::PUT,
            format!("/api/conferences/{id}/children/{emma}/booking"),
            Some(json!({ "slot_id": slot })),
            [UN, OK, FB, NF, OK, NF, OK],
        ),
        (
            "cancel Emma",
            Method::DELETE,
            format!("/api/conferences/{id}/children/{emma}/booking"),
            None,
            [UN, OK, FB, NF, NF, NF, NF],
        ),
        (
            "remind",
            Method::POST,
            format!("/api/conferences/{id}/remind"),
            None,
            [UN, FB, FB, NF, OK, NF, OK],
        ),
        (
            "close",
            Method::POST,
            format!("/api/conferences/{id}/close"),
            None,
            [UN, FB, FB, NF, OK, NF, OK],
        ),
        (
            "delete",
            Method::DELETE,
            format!("/api/conferences/{id}"),
            None,
            [UN, FB, FB, NF, S::NO_CONTENT, NF, NF],
        ),
    ];
    for (what, method, path, body, expected) in rows {
        for ((who, session), want) in s.callers().into_iter().zip(expected) {
            let request = match session {
                Some(session) => s.app.authed(method.clone(), &path, session),
                None => s.app.request(method.clone(), &path),
            };
            let request = match &body {
                Some(body) => request.json(body),
                None => request,
            };
            let (status, answer) = send(request).await;
            assert_eq!(status, want, "{what} as {who}: {path}: {answer}");
        }
    }
}
