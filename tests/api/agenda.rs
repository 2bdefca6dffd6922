//! The agenda and its calendar feeds: the feed is read with a real iCalendar parser (the
//! `ical` crate) and its repeats expanded with the `rrule` crate, as a calendar app would.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Utc, Weekday};
use ical::parser::ical::component::{IcalCalendar, IcalEvent};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Backend, Session, TestApp, send, spawn_app_with};

crate::on_both_databases!(
    a_subscribed_calendar_keeps_local_times_across_the_clock_change_and_shows_every_kind_of_item,
    a_feed_answers_304_while_nothing_changed_and_a_revoked_or_replaced_url_404,
    parents_see_the_items_of_their_childrens_groups_marked_with_the_child,
    bad_items_are_refused_with_their_reason_and_nothing_is_written,
    who_may_do_what_with_agenda_items_and_feeds,
);

/// Group 3a (teacher Jan; parents Anna and Rita, read-only, of child Emma), group 5b
/// (teacher Piet; parent Carl of child Sam). The documents' tests use it too.
pub(crate) struct Agenda {
    pub(crate) app: TestApp,
    pub(crate) admin: Session,
    pub(crate) jan: Session,
    pub(crate) piet: Session,
    pub(crate) anna: Session,
    pub(crate) rita: Session,
    pub(crate) carl: Session,
    pub(crate) class_3a: i64,
    pub(crate) class_5b: i64,
    pub(crate) emma: i64,
    pub(crate) sam: i64,
}

impl Agenda {
    /// Everyone an authorisation matrix tries, in its columns' order: anonymous, parent of
    /// 3a, its read-only parent, parent of 5b, teacher of 3a, teacher of 5b, admin.
    pub(crate) fn callers(&self) -> [(&'static str, Option<&Session>); 7] {
        [
            ("anonymous", None),
            ("anna", Some(&self.anna)),
            ("rita (read-only)", Some(&self.rita)),
            ("carl", Some(&self.carl)),
            ("jan", Some(&self.jan)),
            ("piet", Some(&self.piet)),
            ("admin", Some(&self.admin)),
        ]
    }
}

pub(crate) async fn agenda_school(backend: Backend) -> Agenda {
    agenda_school_with(backend, |_| {}).await
}

pub(crate) async fn agenda_school_with(
    backend: Backend,
    adjust: impl FnOnce(&mut schoolgate::app::config::Settings),
) -> Agenda {
    let app = spawn_app_with(backend, adjust).await;
    let admin = app.admin().await;
    let jan = app.active_user(&admin, "teacher", "jan@school.test").await;
    let piet = app.active_user(&admin, "teacher", "piet@school.test").await;
    let anna = app.active_user(&admin, "parent", "anna@example.nl").await;
    let rita = app.active_user(&admin, "parent", "rita@example.nl").await;
    let carl = app.active_user(&admin, "parent", "carl@example.nl").await;
    let class_3a = app.create_group(&admin, "Groep 3a").await;
    let class_5b = app.create_group(&admin, "Groep 5b").await;
    app.add_teacher(&admin, class_3a, &jan).await;
    app.add_teacher(&admin, class_5b, &piet).await;
    let emma = app.create_child(&admin, "1", class_3a).await;
    let sam = app.create_child(&admin, "2", class_5b).await;
    app.link_parent(&admin, emma, anna.user_id, false).await;
    app.link_parent(&admin, emma, rita.user_id, true).await;
    app.link_parent(&admin, sam, carl.user_id, false).await;
    Agenda {
        app,
        admin,
        jan,
        piet,
        anna,
        rita,
        carl,
        class_3a,
        class_5b,
        emma,
        sam,
    }
}

async fn add_item(app: &TestApp, author: &Session, body: Value) -> Value {
    let (status, item) = send(app.authed(Method::POST, "/api/agenda", author).json(&body)).await;
    assert_eq!(status, StatusCode::CREATED, "{item}");
    item
}

/// The Wednesdays a week before and after next year's October change to winter time in
/// Amsterdam (the last Sunday of October).
fn wednesdays_around_the_october_change() -> (NaiveDate, NaiveDate) {
    let year = Utc::now().year() + 1;
    let mut sunday = NaiveDate::from_ymd_opt(year, 10, 31).unwrap();
    while sunday.weekday() != Weekday::Sun {
        sunday -= Duration::days(1);
    }
    (sunday - Duration::days(4), sunday + Duration::days(3))
}

/// Makes a feed for `who` and returns its https URL (path only) and id.
async fn subscribe(app: &TestApp, who: &Session, child_id: Option<i64>) -> (String, i64) {
    let (status, feed) = send(
        app.authed(Method::POST, "/api/agenda/feeds", who)
            .json(&json!({ "child_id": child_id })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{feed}");
    let https = feed["https_url"].as_str().unwrap();
    let webcal = feed["webcal_url"].as_str().unwrap();
    assert!(webcal.starts_with("webcal://"), "{webcal}");
    assert_eq!(
        webcal.split_once("://").unwrap().1,
        https.split_once("://").unwrap().1
    );
    let path = format!("/api/{}", https.split_once("/api/").unwrap().1);
    (path, feed["feed"]["id"].as_i64().unwrap())
}

/// Fetches a feed without any login, as a calendar app does.
async fn fetch_feed(
    app: &TestApp,
    path: &str,
    etag: Option<&str>,
) -> (StatusCode, Option<String>, String) {
    let mut request = app.request(Method::GET, path);
    if let Some(etag) = etag {
        request = request.header("If-None-Match", etag);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let etag = response
        .headers()
        .get("etag")
        .map(|v| v.to_str().unwrap().to_string());
    if status == StatusCode::OK {
        assert_eq!(
            response.headers()["content-type"],
            "text/calendar; charset=utf-8"
        );
    }
    (status, etag, response.text().await.unwrap())
}

fn parse(text: &str) -> IcalCalendar {
    // RFC 5545's shape: CRLF line ends, no line over 75 octets.
    assert!(text.ends_with("\r\n"));
    for line in text.split("\r\n") {
        assert!(!line.contains('\n'), "bare line feed in {line:?}");
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
    }
    let mut calendars = ical::IcalParser::new(text.as_bytes());
    let calendar = calendars.next().expect("a calendar").expect("parses");
    assert!(calendars.next().is_none());
    calendar
}

fn value<'a>(properties: &'a [ical::property::Property], name: &str) -> Option<&'a str> {
    properties
        .iter()
        .find(|p| p.name == name)
        .and_then(|p| p.value.as_deref())
}

fn param<'a>(properties: &'a [ical::property::Property], name: &str, key: &str) -> Option<&'a str> {
    properties
        .iter()
        .find(|p| p.name == name)?
        .params
        .as_ref()?
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, values)| values[0].as_str())
}

/// A TEXT value as written, unescaped (the parser leaves escapes in).
fn unescaped(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn summary_is(event: &IcalEvent, summary: &str) -> bool {
    value(&event.properties, "SUMMARY")
        .map(unescaped)
        .as_deref()
        == Some(summary)
}

fn event<'a>(calendar: &'a IcalCalendar, summary: &str) -> &'a IcalEvent {
    calendar
        .events
        .iter()
        .find(|e| summary_is(e, summary))
        .unwrap_or_else(|| panic!("no event {summary}"))
}

fn has_event(calendar: &IcalCalendar, summary: &str) -> bool {
    calendar.events.iter().any(|e| summary_is(e, summary))
}

/// The UTC offset (seconds) the feed's own VTIMEZONE gives a local time: the last
/// observance that started at or before it.
fn offset_by_feed(calendar: &IcalCalendar, local: NaiveDateTime) -> i64 {
    let zone = &calendar.timezones[0];
    assert_eq!(value(&zone.properties, "TZID"), Some("Europe/Amsterdam"));
    let mut best: Option<(NaiveDateTime, i64)> = None;
    for observance in &zone.transitions {
        let start = NaiveDateTime::parse_from_str(
            value(&observance.properties, "DTSTART").unwrap(),
            "%Y%m%dT%H%M%S",
        )
        .unwrap();
        let to = value(&observance.properties, "TZOFFSETTO").unwrap();
        let sign = if to.starts_with('-') { -1 } else { 1 };
        let seconds = sign
            * (to[1..3].parse::<i64>().unwrap() * 3600 + to[3..5].parse::<i64>().unwrap() * 60);
        if start <= local && best.is_none_or(|(at, _)| start > at) {
            best = Some((start, seconds));
        }
    }
    best.expect("an observance covers the time").1
}

/// Every start of a repeating event, from its DTSTART, RRULE and EXDATEs, in local time.
fn expanded(event: &IcalEvent) -> Vec<NaiveDateTime> {
    let lines: Vec<String> = event
        .properties
        .iter()
        .filter(|p| matches!(p.name.as_str(), "DTSTART" | "RRULE" | "EXDATE"))
        .map(|p| {
            let params = p
                .params
                .iter()
                .flatten()
                .map(|(k, v)| format!(";{k}={}", v.join(",")))
                .collect::<String>();
            format!("{}{params}:{}", p.name, p.value.as_deref().unwrap_or(""))
        })
        .collect();
    let set: rrule::RRuleSet = lines.join("\n").parse().expect("a valid recurrence");
    set.all(100)
        .dates
        .into_iter()
        .map(|start| {
            start
                .with_timezone(&chrono_tz::Europe::Amsterdam)
                .naive_local()
        })
        .collect()
}

async fn a_subscribed_calendar_keeps_local_times_across_the_clock_change_and_shows_every_kind_of_item(
    backend: Backend,
) {
    let s = agenda_school(backend).await;
    let (before, after) = wednesdays_around_the_october_change();
    // Weekly at 19:00 from the Wednesday before the change, three weeks on, the third left out.
    let swimming = add_item(
        &s.app,
        &s.jan,
        json!({
            "group_ids": [s.class_3a], "title": "Swimming lessons; bring a towel, please",
            "description": "Line one\nLine two", "place": "De Vijf Heuvels",
            "starts_on": before, "start_time": "19:00:00", "end_time": "20:30:00",
            "repeat": { "every_weeks": 1, "until": before + Duration::days(21),
                        "skip": [before + Duration::days(14)] },
        }),
    )
    .await;
    let project_start = before + Duration::days(40);
    add_item(
        &s.app,
        &s.admin,
        json!({
            "to_school": true, "title": "Project days",
            "starts_on": project_start, "ends_on": project_start + Duration::days(2),
        }),
    )
    .await;
    let trip = add_item(
        &s.app,
        &s.jan,
        json!({
            "group_ids": [s.class_3a], "title": "Trip to the zoo",
            "starts_on": after, "start_time": "09:00:00", "end_time": "15:00:00",
        }),
    )
    .await;
    add_item(
        &s.app,
        &s.piet,
        json!({
            "group_ids": [s.class_5b], "title": "Sports day 5b", "starts_on": after,
        }),
    )
    .await;
    let (status, cancelled) = send(s.app.authed(
        Method::POST,
        &format!("/api/agenda/{}/cancel", trip["id"]),
        &s.jan,
    ))
    .await;
    assert_eq!(
        (status, &cancelled["cancelled"]),
        (StatusCode::OK, &json!(true))
    );
    // A change raises the item's SEQUENCE.
    let (status, body) = send(
        s.app
            .authed(
                Method::PUT,
                &format!("/api/agenda/{}", swimming["id"]),
                &s.jan,
            )
            .json(&json!({
                "group_ids": [s.class_3a], "title": swimming["title"],
                "description": swimming["description"], "place": "Sportfondsenbad",
                "starts_on": before, "start_time": "19:00:00", "end_time": "20:30:00",
                "repeat": swimming["repeat"],
            })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (feed, _) = subscribe(&s.app, &s.anna, None).await;
    let (status, _, text) = fetch_feed(&s.app, &feed, None).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let calendar = parse(&text);
    assert_eq!(value(&calendar.properties, "METHOD"), Some("PUBLISH"));
    assert!(value(&calendar.properties, "REFRESH-INTERVAL").is_some());
    assert!(value(&calendar.properties, "X-PUBLISHED-TTL").is_some());
    assert!(!text.contains("ATTENDEE") && !text.contains("ORGANIZER"));
    assert!(
        !has_event(&calendar, "Sports day 5b"),
        "another group's item"
    );

    let lessons = event(&calendar, "Swimming lessons; bring a towel, please");
    let p = &lessons.properties;
    assert_eq!(value(p, "SEQUENCE"), Some("1"));
    assert_eq!(value(p, "LOCATION"), Some("Sportfondsenbad"));
    assert_eq!(
        value(p, "DESCRIPTION").map(unescaped).as_deref(),
        Some("Line one\nLine two")
    );
    assert_eq!(param(p, "DTSTART", "TZID"), Some("Europe/Amsterdam"));
    for name in ["UID", "DTSTAMP", "LAST-MODIFIED"] {
        assert!(value(p, name).is_some(), "{name}");
    }
    let starts = expanded(lessons);
    let at_seven = |day: NaiveDate| day.and_hms_opt(19, 0, 0).unwrap();
    assert_eq!(
        starts,
        [
            at_seven(before),
            at_seven(after),
            at_seven(before + Duration::days(21))
        ],
        "weekly, the third left out"
    );
    // 19:00 in summer time is 17:00 UTC, in winter time 18:00 UTC: the feed's own
    // VTIMEZONE says so.
    assert_eq!(offset_by_feed(&calendar, at_seven(before)), 2 * 3600);
    assert_eq!(offset_by_feed(&calendar, at_seven(after)), 3600);

    let project = &event(&calendar, "Project days").properties;
    assert_eq!(param(project, "DTSTART", "VALUE"), Some("DATE"));
    assert_eq!(
        value(project, "DTSTART"),
        Some(&*project_start.format("%Y%m%d").to_string())
    );
    // All day, three days: the end is the day after the last.
    let end = project_start + Duration::days(3);
    assert_eq!(
        value(project, "DTEND"),
        Some(&*end.format("%Y%m%d").to_string())
    );

    let trip_event = &event(&calendar, "Trip to the zoo").properties;
    assert_eq!(value(trip_event, "STATUS"), Some("CANCELLED"));
    assert_eq!(value(trip_event, "SEQUENCE"), Some("1"));

    // One item on its own has the same UID as in the feed.
    let response = s
        .app
        .authed(
            Method::GET,
            &format!("/api/agenda/{}/ics", swimming["id"]),
            &s.anna,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"Swimming")
    );
    let single = parse(&response.text().await.unwrap());
    assert_eq!(single.events.len(), 1);
    assert_eq!(value(&single.events[0].properties, "UID"), value(p, "UID"));

    // Carl (group 5b) gets the school's items and his group's, not 3a's.
    let (feed, _) = subscribe(&s.app, &s.carl, None).await;
    let calendar = parse(&fetch_feed(&s.app, &feed, None).await.2);
    assert!(has_event(&calendar, "Project days") && has_event(&calendar, "Sports day 5b"));
    assert!(!has_event(&calendar, "Trip to the zoo"));
}

async fn a_feed_answers_304_while_nothing_changed_and_a_revoked_or_replaced_url_404(
    backend: Backend,
) {
    let s = agenda_school(backend).await;
    let (day, _) = wednesdays_around_the_october_change();
    let item = add_item(
        &s.app,
        &s.jan,
        json!({
            "group_ids": [s.class_3a], "title": "Parents' evening", "starts_on": day,
            "start_time": "19:30:00", "end_time": "21:00:00",
        }),
    )
    .await;
    let (feed, feed_id) = subscribe(&s.app, &s.anna, Some(s.emma)).await;
    let (status, etag, _) = fetch_feed(&s.app, &feed, None).await;
    assert_eq!(status, StatusCode::OK);
    let etag = etag.expect("an ETag");
    let (status, again, body) = fetch_feed(&s.app, &feed, Some(&etag)).await;
    assert_eq!(
        (status, again.as_deref(), body.as_str()),
        (StatusCode::NOT_MODIFIED, Some(&*etag), "")
    );
    // A change makes a new calendar.
    let (status, _) = send(s.app.authed(
        Method::POST,
        &format!("/api/agenda/{}/cancel", item["id"]),
        &s.jan,
    ))
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, changed, text) = fetch_feed(&s.app, &feed, Some(&etag)).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(changed.as_deref(), Some(&*etag));
    assert!(text.contains("STATUS:CANCELLED"));
    // The secret is not in the list of feeds, and is stored only as a hash.
    let (_, feeds) = send(s.app.authed(Method::GET, "/api/agenda/feeds", &s.anna)).await;
    assert_eq!(feeds[0]["child_id"], json!(s.emma));
    assert!(
        !feeds
            .to_string()
            .contains(feed.rsplit('/').next().unwrap().trim_end_matches(".ics"))
    );
    // A new URL for the same child replaces the old one.
    let (new_feed, _) = subscribe(&s.app, &s.anna, Some(s.emma)).await;
    assert_eq!(
        fetch_feed(&s.app, &feed, None).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(fetch_feed(&s.app, &new_feed, None).await.0, StatusCode::OK);
    let (_, feeds) = send(s.app.authed(Method::GET, "/api/agenda/feeds", &s.anna)).await;
    assert_eq!(feeds.as_array().unwrap().len(), 1);
    assert_ne!(feeds[0]["id"], json!(feed_id));
    // Revoked: 404.
    let (status, _) = send(s.app.authed(
        Method::DELETE,
        &format!("/api/agenda/feeds/{}", feeds[0]["id"]),
        &s.anna,
    ))
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        fetch_feed(&s.app, &new_feed, None).await.0,
        StatusCode::NOT_FOUND
    );
    // A made-up secret: 404 too.
    let (status, _, _) = fetch_feed(&s.app, "/api/agenda/feed/not-a-real-secret.ics", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn parents_see_the_items_of_their_childrens_groups_marked_with_the_child(backend: Backend) {
    let s = agenda_school(backend).await;
    let today = Utc::now().date_naive();
    let day = |n: i64| today + Duration::days(n);
    add_item(
        &s.app,
        &s.admin,
        json!({ "to_school": true, "title": "Study day", "starts_on": day(9) }),
    )
    .await;
    add_item(
        &s.app,
        &s.jan,
        json!({
            "group_ids": [s.class_3a], "title": "Library", "starts_on": day(2),
            "start_time": "10:00:00", "end_time": "11:00:00",
            "repeat": { "every_weeks": 2, "until": day(30) },
        }),
    )
    .await;
    add_item(
        &s.app,
        &s.piet,
        json!({ "group_ids": [s.class_5b], "title": "Sports day", "starts_on": day(3) }),
    )
    .await;
    add_item(
        &s.app,
        &s.jan,
        json!({ "group_ids": [s.class_3a], "title": "Last year", "starts_on": day(-40) }),
    )
    .await;

    let (status, list) = send(s.app.authed(Method::GET, "/api/agenda", &s.anna)).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let seen: Vec<(String, String)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["item"]["title"].as_str().unwrap().to_string(),
                o["starts_on"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let on = |n: i64| day(n).to_string();
    assert_eq!(
        seen,
        [
            ("Library".to_string(), on(2)),
            ("Study day".to_string(), on(9)),
            ("Library".to_string(), on(16)),
            ("Library".to_string(), on(30)),
        ],
        "upcoming, first first, the repeat every two weeks; not 5b's, not the past"
    );
    let marks: HashMap<String, Value> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["item"]["title"].as_str().unwrap().to_string(),
                o["item"]["children"].clone(),
            )
        })
        .collect();
    assert_eq!(
        marks["Library"],
        json!([{ "id": s.emma, "first_name": "Kim" }])
    );
    assert_eq!(marks["Study day"][0]["id"], json!(s.emma));
    assert_eq!(list[0]["item"]["may_manage"], json!(false));

    // The next three, as on the home screen; and one child's only.
    let (_, next) = send(s.app.authed(Method::GET, "/api/agenda?limit=3", &s.anna)).await;
    assert_eq!(next.as_array().unwrap().len(), 3);
    let (_, carls) = send(s.app.authed(
        Method::GET,
        &format!("/api/agenda?child_id={}", s.sam),
        &s.carl,
    ))
    .await;
    let titles: Vec<&str> = carls
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["item"]["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Sports day", "Study day"]);
    // The past, asked for.
    let (_, past) = send(s.app.authed(
        Method::GET,
        &format!("/api/agenda?from={}&to={}", day(-60), day(-1)),
        &s.anna,
    ))
    .await;
    assert_eq!(past[0]["item"]["title"], "Last year");
    // Jan manages his group's items, not the school's.
    let (_, jans) = send(s.app.authed(Method::GET, "/api/agenda", &s.jan)).await;
    for occurrence in jans.as_array().unwrap() {
        let item = &occurrence["item"];
        assert_eq!(
            item["may_manage"],
            json!(!item["to_school"].as_bool().unwrap()),
            "{item}"
        );
    }
    let (status, error) = send(s.app.authed(
        Method::GET,
        &format!("/api/agenda?from={}&to={}", day(10), day(1)),
        &s.anna,
    ))
    .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_range"))
    );
}

async fn bad_items_are_refused_with_their_reason_and_nothing_is_written(backend: Backend) {
    let s = agenda_school(backend).await;
    let day = NaiveDate::from_ymd_opt(2027, 3, 10).unwrap();
    let base = json!({ "group_ids": [s.class_3a], "title": "Ouderavond", "starts_on": day });
    let with = |extra: Value| {
        let mut body = base.clone();
        for (key, value) in extra.as_object().unwrap() {
            body[key] = value.clone();
        }
        body
    };
    for (body, field, code) in [
        (
            with(json!({ "start_time": "19:00:00" })),
            "end_time",
            "times_incomplete",
        ),
        (
            with(json!({ "start_time": "19:00:00", "end_time": "18:00:00" })),
            "ends_on",
            "end_before_start",
        ),
        (
            with(json!({ "ends_on": day - Duration::days(1) })),
            "ends_on",
            "end_before_start",
        ),
        (
            with(json!({ "ends_on": day + Duration::days(90) })),
            "ends_on",
            "item_too_long",
        ),
        (with(json!({ "title": "   " })), "title", "invalid_title"),
        (
            with(json!({ "repeat": { "every_weeks": 3, "until": day + Duration::days(30) } })),
            "repeat.every_weeks",
            "invalid_repeat_interval",
        ),
        (
            with(json!({ "repeat": { "every_weeks": 1, "until": day + Duration::days(1000) } })),
            "repeat.until",
            "invalid_repeat_until",
        ),
        (
            with(
                json!({ "repeat": { "every_weeks": 1, "until": day + Duration::days(30), "skip": [day + Duration::days(1)] } }),
            ),
            "repeat.skip",
            "skip_not_an_occurrence",
        ),
        (with(json!({ "group_ids": [] })), "group_ids", "no_audience"),
        (
            with(json!({ "group_ids": [9999] })),
            "group_ids",
            "unknown_group",
        ),
    ] {
        let (status, error) = send(
            s.app
                .authed(Method::POST, "/api/agenda", &s.admin)
                .json(&body),
        )
        .await;
        assert_eq!(
            (status, error["code"].as_str(), error["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some(code), Some(field)),
            "{body}: {error}"
        );
    }
    let (status, error) = send(
        s.app
            .authed(Method::POST, "/api/agenda", &s.jan)
            .json(&with(json!({ "group_ids": [s.class_5b] }))),
    )
    .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("not_own_group"))
    );
    let (status, error) = send(
        s.app
            .authed(Method::POST, "/api/agenda", &s.jan)
            .json(&with(json!({ "to_school": true }))),
    )
    .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("school_audience_needs_admin"))
    );
    let (_, all) = send(s.app.authed(
        Method::GET,
        &format!("/api/agenda?from={}", day - Duration::days(1)),
        &s.admin,
    ))
    .await;
    assert_eq!(all, json!([]), "nothing was written");
}

/// Every agenda operation for every kind of caller: anonymous, parent of group 3a, its
/// read-only parent, parent of 5b, teacher of 3a, teacher of 5b, admin.
async fn who_may_do_what_with_agenda_items_and_feeds(backend: Backend) {
    let s = agenda_school(backend).await;
    let (day, _) = wednesdays_around_the_october_change();
    let item_3a =
        |title: &str| json!({ "group_ids": [s.class_3a], "title": title, "starts_on": day });
    let item = add_item(&s.app, &s.jan, item_3a("Class outing")).await;
    let id = item["id"].as_i64().unwrap();
    let callers = s.callers();
    const A: u16 = 401;
    // Expected status per caller, in the order above.
    let rows: Vec<(Method, String, Option<Value>, [u16; 7])> = vec![
        (
            Method::GET,
            format!("/api/agenda/{id}"),
            None,
            [A, 200, 200, 404, 200, 404, 200],
        ),
        (
            Method::GET,
            format!("/api/agenda/{id}/ics"),
            None,
            [A, 200, 200, 404, 200, 404, 200],
        ),
        (
            Method::GET,
            "/api/agenda".into(),
            None,
            [A, 200, 200, 200, 200, 200, 200],
        ),
        (
            Method::GET,
            format!("/api/agenda?child_id={}", s.emma),
            None,
            [A, 200, 200, 404, 200, 404, 200],
        ),
        (
            Method::PUT,
            format!("/api/agenda/{id}"),
            Some(item_3a("Class outing!")),
            [A, 403, 403, 404, 200, 404, 200],
        ),
        (
            Method::POST,
            format!("/api/agenda/{id}/cancel"),
            None,
            [A, 403, 403, 404, 200, 404, 200],
        ),
        (
            Method::POST,
            format!("/api/agenda/{id}/restore"),
            None,
            [A, 403, 403, 404, 200, 404, 200],
        ),
        (
            Method::POST,
            "/api/agenda".into(),
            Some(item_3a("New")),
            [A, 403, 403, 403, 201, 403, 201],
        ),
        (
            Method::GET,
            "/api/agenda/feeds".into(),
            None,
            [A, 200, 200, 200, 200, 200, 200],
        ),
        (
            Method::POST,
            "/api/agenda/feeds".into(),
            Some(json!({ "child_id": s.emma })),
            [A, 201, 201, 404, 201, 404, 201],
        ),
        (
            Method::POST,
            "/api/agenda/feeds".into(),
            Some(json!({ "child_id": s.sam })),
            [A, 404, 404, 201, 404, 201, 201],
        ),
    ];
    let as_caller = |method: Method, path: &str, caller: Option<&Session>| match caller {
        Some(session) => s.app.authed(method, path, session),
        None => s.app.request(method, path),
    };
    for (method, path, body, expected) in rows {
        for ((name, caller), want) in callers.iter().zip(expected) {
            let mut request = as_caller(method.clone(), &path, *caller);
            if let Some(body) = &body {
                request = request.json(body);
            }
            // A calendar file is not JSON: only its status counts here.
            let (status, answer) = if path.ends_with("/ics") {
                (request.send().await.unwrap().status(), Value::Null)
            } else {
                send(request).await
            };
            assert_eq!(status.as_u16(), want, "{method} {path} as {name}: {answer}");
        }
    }
    // Deleting: each caller tries on a fresh item of 3a.
    for ((name, caller), want) in callers.iter().zip([A, 403, 403, 404, 204, 404, 204]) {
        let fresh = add_item(&s.app, &s.admin, item_3a("To delete")).await;
        let path = format!("/api/agenda/{}", fresh["id"]);
        let (status, answer) = send(as_caller(Method::DELETE, &path, *caller)).await;
        assert_eq!(status.as_u16(), want, "DELETE as {name}: {answer}");
    }
    // A feed is revoked only by its owner (Anna goes second; the others find nothing).
    let (_, anna_feed) = subscribe(&s.app, &s.anna, None).await;
    for ((name, caller), want) in callers.iter().zip([A, 204, 404, 404, 404, 404, 404]) {
        let path = format!("/api/agenda/feeds/{anna_feed}");
        let (status, answer) = send(as_caller(Method::DELETE, &path, *caller)).await;
        assert_eq!(status.as_u16(), want, "revoke as {name}: {answer}");
    }
    // A parent unlinked from the child loses the child's feed.
    let (rita_feed, _) = subscribe(&s.app, &s.rita, Some(s.emma)).await;
    assert_eq!(fetch_feed(&s.app, &rita_feed, None).await.0, StatusCode::OK);
    let (status, _) = send(s.app.authed(
        Method::DELETE,
        &format!("/api/children/{}/parents/{}", s.emma, s.rita.user_id),
        &s.admin,
    ))
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        fetch_feed(&s.app, &rita_feed, None).await.0,
        StatusCode::NOT_FOUND
    );
}
