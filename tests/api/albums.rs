//! Photo albums: uploads processed in the background into copies without metadata, files
//! that are not photos refused at once, photo consent deciding what parents see, one
//! e-mail per parent when an album is published, retention, and who may do what.

use std::io::Cursor;
use std::time::Duration;

use chrono::Duration as Days;
use image::ImageFormat;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{
    agenda::Agenda,
    directory::{picture, png_claiming},
    helpers::{Backend, PASSWORD, Session, TestApp, send},
    posts::stored_objects,
};
use schoolgate::platform::jobs;

crate::on_both_databases!(
    uploads_become_upright_copies_without_metadata_in_the_background,
    files_that_are_not_photos_or_too_large_are_refused_at_once,
    photo_consent_decides_what_parents_see_and_a_withdrawal_tells_the_author,
    publishing_mails_each_parent_once_in_their_language,
    consent_is_asked_each_school_year_and_locked_after_the_school_s_day,
    albums_past_their_school_years_are_deleted_with_their_files,
    originals_are_kept_for_staff_only_where_the_school_says_so,
    who_may_do_what_with_albums_photos_and_consent,
);

/// The agenda's school plus Lotte (Anna's second child) and Finn (Bea's child), both in 3a.
struct Albums {
    s: Agenda,
    bea: Session,
    lotte: i64,
    finn: i64,
}

async fn albums_school(backend: Backend) -> Albums {
    albums_school_with(backend, |_| {}).await
}

async fn albums_school_with(
    backend: Backend,
    adjust: impl FnOnce(&mut schoolgate::app::config::Settings),
) -> Albums {
    let s = crate::agenda::agenda_school_with(backend, adjust).await;
    let bea = s
        .app
        .active_user(&s.admin, "parent", "bea@example.nl")
        .await;
    let lotte = s.app.create_child(&s.admin, "3", s.class_3a).await;
    let finn = s.app.create_child(&s.admin, "4", s.class_3a).await;
    s.app
        .link_parent(&s.admin, lotte, s.anna.user_id, false)
        .await;
    s.app.link_parent(&s.admin, finn, bea.user_id, false).await;
    Albums {
        s,
        bea,
        lotte,
        finn,
    }
}

async fn create_album(app: &TestApp, who: &Session, group: Option<i64>, title: &str) -> i64 {
    let (status, album) = send(app.authed(Method::POST, "/api/albums", who).json(&json!({
        "group_id": group, "title": title, "description": "Tuesday in the park"
    })))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{album}");
    assert!(album["album"]["published_at"].is_null(), "{album}");
    album["album"]["id"].as_i64().unwrap()
}

async fn upload(
    app: &TestApp,
    who: &Session,
    album: i64,
    name: &str,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_string());
    let form = reqwest::multipart::Form::new().part("photo", part);
    send(
        app.authed(Method::POST, &format!("/api/albums/{album}/photos"), who)
            .multipart(form),
    )
    .await
}

async fn upload_ok(app: &TestApp, who: &Session, album: i64, bytes: Vec<u8>) -> i64 {
    let (status, photo) = upload(app, who, album, "IMG_0001.JPG", bytes).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{photo}");
    assert_eq!(photo["status"], "pending");
    photo["id"].as_i64().unwrap()
}

async fn album(app: &TestApp, who: &Session, id: i64) -> (StatusCode, Value) {
    send(app.authed(Method::GET, &format!("/api/albums/{id}"), who)).await
}

/// The album as staff see it once no photo is pending any more.
async fn processed(app: &TestApp, staff: &Session, id: i64) -> Value {
    for _ in 0..600 {
        let (status, page) = album(app, staff, id).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        if page["photos"]
            .as_array()
            .unwrap()
            .iter()
            .all(|photo| photo["status"] != "pending")
        {
            return page;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("photos were not processed within 30 s");
}

async fn tag(
    app: &TestApp,
    who: &Session,
    photo: i64,
    children: &[i64],
    nobody: bool,
) -> (StatusCode, Value) {
    send(
        app.authed(Method::PUT, &format!("/api/photos/{photo}/tags"), who)
            .json(&json!({ "child_ids": children, "no_recognisable_children": nobody })),
    )
    .await
}

async fn consent(
    app: &TestApp,
    who: &Session,
    child: i64,
    purpose: &str,
    granted: bool,
) -> (StatusCode, Value) {
    send(
        app.authed(
            Method::PUT,
            &format!("/api/children/{child}/photo-consent"),
            who,
        )
        .json(&json!({ "purpose": purpose, "granted": granted })),
    )
    .await
}

async fn publish(app: &TestApp, who: &Session, id: i64) -> (StatusCode, Value) {
    send(app.authed(Method::POST, &format!("/api/albums/{id}/publish"), who)).await
}

async fn fetch(app: &TestApp, who: &Session, url: &str) -> (StatusCode, Vec<u8>) {
    let response = app.authed(Method::GET, url, who).send().await.unwrap();
    (response.status(), response.bytes().await.unwrap().to_vec())
}

/// Waits until the file store holds `count` objects (a processed photo's upload is deleted
/// just after the photo turns ready).
async fn objects_become(app: &TestApp, count: usize) {
    for _ in 0..100 {
        if stored_objects(app).len() == count {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        stored_objects(app).len(),
        count,
        "objects in the file store"
    );
}

fn photo_ids(page: &Value) -> Vec<i64> {
    page["photos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|photo| photo["id"].as_i64().unwrap())
        .collect()
}

/// A JPEG whose EXIF says "turn right" (orientation 6) and carries a camera serial and a
/// GPS position, as a phone writes them.
fn jpeg_with_gps(width: u32, height: u32) -> Vec<u8> {
    let plain = picture(width, height, ImageFormat::Jpeg);
    let serial = b"SERIAL-4711-XYZ\0";
    // IFD0 at 8: Orientation, BodySerialNumber, GPSInfo pointer.
    let ifd0_len = 2 + 3 * 12 + 4;
    let serial_at = 8 + ifd0_len;
    let gps_at = serial_at + serial.len();
    // GPS IFD: LatitudeRef "N", Latitude 52/1, 5/1, 0/1.
    let gps_len = 2 + 2 * 12 + 4;
    let latitude_at = gps_at + gps_len;
    let mut tiff = b"II*\0".to_vec();
    tiff.extend_from_slice(&8u32.to_le_bytes());
    let entry = |tiff: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]| {
        tiff.extend_from_slice(&tag.to_le_bytes());
        tiff.extend_from_slice(&kind.to_le_bytes());
        tiff.extend_from_slice(&count.to_le_bytes());
        tiff.extend_from_slice(&value);
    };
    tiff.extend_from_slice(&3u16.to_le_bytes());
    entry(&mut tiff, 0x0112, 3, 1, [6, 0, 0, 0]);
    entry(&mut tiff, 0x8825, 4, 1, (gps_at as u32).to_le_bytes());
    entry(
        &mut tiff,
        0xA431,
        2,
        serial.len() as u32,
        (serial_at as u32).to_le_bytes(),
    );
    tiff.extend_from_slice(&0u32.to_le_bytes());
    tiff.extend_from_slice(serial);
    tiff.extend_from_slice(&2u16.to_le_bytes());
    entry(&mut tiff, 0x0001, 2, 2, *b"N\0\0\0");
    entry(&mut tiff, 0x0002, 5, 3, (latitude_at as u32).to_le_bytes());
    tiff.extend_from_slice(&0u32.to_le_bytes());
    for (numerator, denominator) in [(52u32, 1u32), (5, 1), (0, 1)] {
        tiff.extend_from_slice(&numerator.to_le_bytes());
        tiff.extend_from_slice(&denominator.to_le_bytes());
    }
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut jpeg = plain[..2].to_vec();
    jpeg.extend_from_slice(&[0xFF, 0xE1]);
    jpeg.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    jpeg.extend_from_slice(&app1);
    jpeg.extend_from_slice(&plain[2..]);
    jpeg
}

fn exif_of(bytes: &[u8]) -> Option<exif::Exif> {
    exif::Reader::new()
        .read_from_container(&mut Cursor::new(bytes))
        .ok()
}

async fn uploads_become_upright_copies_without_metadata_in_the_background(backend: Backend) {
    let a = albums_school(backend).await;
    let s = &a.s;
    let id = create_album(&s.app, &s.jan, Some(s.class_3a), "Autumn walk").await;
    let original = jpeg_with_gps(2400, 1800);
    let metadata = exif_of(&original).expect("the test photo has EXIF");
    assert!(
        metadata
            .get_field(exif::Tag::GPSLatitude, exif::In::PRIMARY)
            .is_some()
    );
    let sideways = upload_ok(&s.app, &s.jan, id, original).await;
    let small_png = upload_ok(&s.app, &s.jan, id, picture(200, 100, ImageFormat::Png)).await;
    let webp = upload_ok(&s.app, &s.jan, id, picture(900, 600, ImageFormat::WebP)).await;
    let page = processed(&s.app, &s.jan, id).await;
    assert_eq!(photo_ids(&page), vec![sideways, small_png, webp]);
    for photo in page["photos"].as_array().unwrap() {
        assert_eq!(photo["status"], "ready", "{photo}");
        assert_eq!(photo["hidden"], "untagged", "{photo}");
        assert!(
            photo["original_url"].is_null(),
            "originals are not kept by default"
        );
    }
    let first = &page["photos"][0];
    // Turned upright (the EXIF said portrait), scaled to 1600 on the long side.
    assert_eq!(
        (first["width"].as_i64(), first["height"].as_i64()),
        (Some(1200), Some(1600))
    );
    for (url, side) in [
        (&first["display_url"], (1200, 1600)),
        (&first["thumb_url"], (320, 320)),
    ] {
        let (status, bytes) = fetch(&s.app, &s.jan, url.as_str().unwrap()).await;
        assert_eq!(status, StatusCode::OK);
        let decoded = image::load_from_memory_with_format(&bytes, ImageFormat::Jpeg).unwrap();
        assert_eq!((decoded.width(), decoded.height()), side);
        assert!(exif_of(&bytes).is_none(), "{url}: EXIF survived");
        assert!(!bytes.windows(6).any(|w| w == b"SERIAL"));
        // Upright: the picture's left half was red, so now its top half is.
        let pixel = decoded.to_rgb8().get_pixel(decoded.width() / 2, 10).0;
        assert!(
            pixel[0] > 150 && pixel[2] < 100,
            "top is {pixel:?}: not turned"
        );
    }
    // Small pictures are not enlarged; the thumbnail is the middle square.
    let png = &page["photos"][1];
    assert_eq!(
        (png["width"].as_i64(), png["height"].as_i64()),
        (Some(200), Some(100))
    );
    // The upload with its GPS position is gone from the file store: only the copies stay.
    objects_become(&s.app, 6).await;
    for object in stored_objects(&s.app) {
        let bytes = std::fs::read(object).unwrap();
        assert!(exif_of(&bytes).is_none());
    }
}

async fn files_that_are_not_photos_or_too_large_are_refused_at_once(backend: Backend) {
    let a = albums_school_with(backend, |settings| {
        settings.albums.max_photo_bytes = 2_000_000;
        settings.albums.max_photos_per_album = 3;
    })
    .await;
    let s = &a.s;
    let id = create_album(&s.app, &s.jan, Some(s.class_3a), "Sports day").await;
    for (name, bytes, status, code) in [
        (
            "shell.jpg",
            b"<?php system($_GET['c']); ?>".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_image_type",
        ),
        (
            "page.jpg",
            b"<html><script>alert(1)</script></html>".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_image_type",
        ),
        (
            "anim.jpg",
            GIF.to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_image_type",
        ),
        (
            "bomb.png",
            png_claiming(20_000, 20_000),
            StatusCode::PAYLOAD_TOO_LARGE,
            "image_too_large",
        ),
        // Over the limit: by the body's declared length, or while the file is stored.
        (
            "huge.jpg",
            vec![0xFF; 3_000_000],
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
        (
            "large.jpg",
            vec![0xFF; 2_010_000],
            StatusCode::PAYLOAD_TOO_LARGE,
            "file_too_large",
        ),
        (
            "empty.jpg",
            Vec::new(),
            StatusCode::BAD_REQUEST,
            "empty_file",
        ),
    ] {
        let (got, answer) = upload(&s.app, &s.jan, id, name, bytes).await;
        assert_eq!(
            (got, answer["code"].as_str()),
            (status, Some(code)),
            "{name}: {answer}"
        );
    }
    assert!(
        stored_objects(&s.app).is_empty(),
        "refused uploads leave nothing"
    );
    let (_, page) = album(&s.app, &s.jan, id).await;
    assert!(page["photos"].as_array().unwrap().is_empty());

    // A JPEG that breaks off after its header is taken, then marked failed.
    let mut broken = picture(600, 400, ImageFormat::Jpeg);
    broken.truncate(400);
    upload_ok(&s.app, &s.jan, id, broken).await;
    let page = processed(&s.app, &s.jan, id).await;
    assert_eq!(page["photos"][0]["status"], "failed");
    assert_eq!(page["photos"][0]["failure"], "unreadable_image");
    upload_ok(&s.app, &s.jan, id, picture(60, 40, ImageFormat::Png)).await;
    upload_ok(&s.app, &s.jan, id, picture(60, 40, ImageFormat::Png)).await;
    let (status, full) = upload(&s.app, &s.jan, id, "4.png", picture(6, 4, ImageFormat::Png)).await;
    assert_eq!(
        (status, full["code"].as_str()),
        (StatusCode::CONFLICT, Some("album_full"))
    );
}

/// A GIF of one pixel.
const GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";

/// An album of 3a with one photo of Emma (tagged) and one without recognisable children;
/// published with consent for Emma. Returns (album, Emma's photo, the other photo).
async fn published_album_with_emma(a: &Albums) -> (i64, i64, i64) {
    let s = &a.s;
    let id = create_album(&s.app, &s.jan, Some(s.class_3a), "Autumn walk").await;
    let emma_photo = upload_ok(&s.app, &s.jan, id, picture(640, 480, ImageFormat::Jpeg)).await;
    let trees = upload_ok(&s.app, &s.jan, id, picture(640, 480, ImageFormat::Png)).await;
    let page = processed(&s.app, &s.jan, id).await;
    // The group's children can be tagged, each with their consent.
    let mut taggable: Vec<i64> = page["taggable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|child| child["id"].as_i64().unwrap())
        .collect();
    taggable.sort();
    assert_eq!(taggable, vec![s.emma, a.lotte, a.finn]);
    let (status, answer) = publish(&s.app, &s.jan, id).await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (StatusCode::CONFLICT, Some("untagged_photos"))
    );
    let (status, answer) = tag(&s.app, &s.jan, emma_photo, &[s.emma], true).await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("tags_conflict"))
    );
    let (status, answer) = tag(&s.app, &s.jan, emma_photo, &[s.sam], false).await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unknown_child"))
    );
    let (status, tagged) = tag(&s.app, &s.jan, emma_photo, &[s.emma], false).await;
    assert_eq!(status, StatusCode::OK, "{tagged}");
    if tagged["tags"][0]["consent"] == false {
        assert_eq!(tagged["hidden"], "no_consent");
        assert_eq!(tagged["hidden_children"], json!([s.emma]));
    } else {
        assert!(tagged["hidden"].is_null(), "{tagged}");
    }
    assert_eq!(
        tag(&s.app, &s.jan, trees, &[], true).await.0,
        StatusCode::OK
    );
    let (status, published) = publish(&s.app, &s.jan, id).await;
    assert_eq!(status, StatusCode::OK, "{published}");
    assert!(published["album"]["published_at"].is_string());
    (id, emma_photo, trees)
}

/// Which of the two photos each viewer sees in the album (None: the album is not theirs).
async fn seen_by(a: &Albums, id: i64, who: &Session) -> Option<Vec<i64>> {
    let (status, page) = album(&a.s.app, who, id).await;
    match status {
        StatusCode::OK => Some(photo_ids(&page)),
        StatusCode::NOT_FOUND => None,
        other => panic!("{other}: {page}"),
    }
}

async fn photo_consent_decides_what_parents_see_and_a_withdrawal_tells_the_author(
    backend: Backend,
) {
    let a = albums_school(backend).await;
    let s = &a.s;
    // Jan reads German.
    send(
        s.app
            .authed(Method::PATCH, "/api/me", &s.jan)
            .json(&json!({ "language": "de" })),
    )
    .await;
    let (id, emma_photo, trees) = published_album_with_emma(&a).await;
    let (_, staff_page) = album(&s.app, &s.jan, id).await;
    let emma_thumb = staff_page["photos"][0]["thumb_url"]
        .as_str()
        .unwrap()
        .to_string();
    let emma_display = staff_page["photos"][0]["display_url"]
        .as_str()
        .unwrap()
        .to_string();
    let both = Some(vec![emma_photo, trees]);
    let trees_only = Some(vec![trees]);

    // Not answered yet, answered yes, answered no, withdrawn after a yes: viewers are
    // Emma's parent, another parent of 3a, Emma's teacher, a parent of 5b.
    for (step, answer, parents_see) in [
        ("not answered", None, &trees_only),
        ("yes", Some(true), &both),
        ("no", Some(false), &trees_only),
        ("yes again", Some(true), &both),
        ("withdrawn", Some(false), &trees_only),
    ] {
        if let Some(granted) = answer {
            let (status, view) = consent(&s.app, &s.anna, s.emma, "albums", granted).await;
            assert_eq!(status, StatusCode::OK, "{step}: {view}");
            assert_eq!(view["answers"][0]["purpose"], "albums");
            assert_eq!(view["answers"][0]["granted"], granted, "{step}");
        }
        assert_eq!(
            &seen_by(&a, id, &s.anna).await,
            parents_see,
            "{step}: Emma's parent"
        );
        assert_eq!(
            &seen_by(&a, id, &s.rita).await,
            parents_see,
            "{step}: read-only parent"
        );
        assert_eq!(
            &seen_by(&a, id, &a.bea).await,
            parents_see,
            "{step}: other parent of 3a"
        );
        assert_eq!(
            seen_by(&a, id, &s.jan).await,
            both,
            "{step}: teacher sees all"
        );
        assert_eq!(seen_by(&a, id, &s.carl).await, None, "{step}: parent of 5b");
        let expected = if parents_see == &both {
            StatusCode::OK
        } else {
            StatusCode::NOT_FOUND
        };
        for url in [&emma_thumb, &emma_display] {
            assert_eq!(
                fetch(&s.app, &a.bea, url).await.0,
                expected,
                "{step}: {url}"
            );
            assert_eq!(fetch(&s.app, &s.carl, url).await.0, StatusCode::NOT_FOUND);
            assert_eq!(fetch(&s.app, &s.jan, url).await.0, StatusCode::OK);
        }
    }
    // Staff see the hidden photo, marked with the child without consent.
    let (_, page) = album(&s.app, &s.jan, id).await;
    assert_eq!(page["album"]["hidden_count"], 1);
    assert_eq!(page["photos"][0]["hidden"], "no_consent");
    assert_eq!(page["photos"][0]["hidden_children"], json!([s.emma]));
    // A guessed address (right id, wrong key) is not found, even for staff.
    let guessed = format!("/api/photos/{emma_photo}/display/0000000000000000");
    assert_eq!(
        fetch(&s.app, &s.jan, &guessed).await.0,
        StatusCode::NOT_FOUND
    );

    // Each withdrawal after a yes told the album's author, in their language.
    s.app.wait_for_outbox().await;
    let told = s.app.smtp.mails_to("jan@school.test");
    let withdrawn: Vec<_> = told
        .iter()
        .filter(|mail| mail.subject() == "Foto-Einwilligung für Kim Kind widerrufen")
        .collect();
    assert_eq!(
        withdrawn.len(),
        2,
        "{:?}",
        told.iter().map(|m| m.subject()).collect::<Vec<_>>()
    );
    assert!(withdrawn[0].text().contains("Autumn walk"));
    // Saying no when it was no already tells nobody.
    consent(&s.app, &s.anna, s.emma, "albums", false).await;
    s.app.wait_for_outbox().await;
    assert_eq!(
        s.app
            .smtp
            .mails_to("jan@school.test")
            .iter()
            .filter(|m| m.subject().contains("widerrufen"))
            .count(),
        2
    );
}

async fn publishing_mails_each_parent_once_in_their_language(backend: Backend) {
    let a = albums_school(backend).await;
    let s = &a.s;
    // Anna reads Dutch, Bea English; Rita switched new-album mails off.
    send(
        s.app
            .authed(Method::PATCH, "/api/me", &s.anna)
            .json(&json!({ "language": "nl" })),
    )
    .await;
    let (status, answer) = send(
        s.app
            .authed(Method::PUT, "/api/me/notifications/photo_albums", &s.rita)
            .json(&json!({ "enabled": false })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    consent(&s.app, &s.anna, s.emma, "albums", true).await;
    let (id, _, _) = published_album_with_emma(&a).await;
    s.app.wait_for_outbox().await;
    // Anna has two children in 3a and gets one mail; Carl (5b) none.
    let anna = s.app.smtp.mails_to("anna@example.nl");
    assert_eq!(
        anna.len(),
        1,
        "{:?}",
        anna.iter().map(|m| m.subject()).collect::<Vec<_>>()
    );
    assert_eq!(anna[0].subject(), "Nieuwe foto's: Autumn walk");
    assert!(anna[0].text().contains("2 foto's"), "{}", anna[0].text());
    assert!(anna[0].text().contains(&format!("/albums/{id}")));
    assert!(anna[0].header("List-Unsubscribe").is_some());
    let bea = s.app.smtp.mails_to("bea@example.nl");
    assert_eq!(bea.len(), 1);
    assert_eq!(bea[0].subject(), "New photos: Autumn walk");
    assert!(s.app.smtp.mails_to("rita@example.nl").is_empty());
    assert!(s.app.smtp.mails_to("carl@example.nl").is_empty());
    // Publishing again, or adding photos, sends nothing more.
    assert_eq!(publish(&s.app, &s.jan, id).await.0, StatusCode::OK);
    upload_ok(&s.app, &s.jan, id, picture(64, 48, ImageFormat::Jpeg)).await;
    processed(&s.app, &s.jan, id).await;
    s.app.wait_for_outbox().await;
    assert_eq!(s.app.smtp.mails_to("anna@example.nl").len(), 1);
    assert_eq!(s.app.smtp.mails_to("bea@example.nl").len(), 1);
}

async fn consent_is_asked_each_school_year_and_locked_after_the_school_s_day(backend: Backend) {
    let a = albums_school_with(backend, |settings| {
        // Locked from the first day on: families can only withdraw.
        settings.albums.consent_locked_from = settings.school.school_year_starts.clone();
    })
    .await;
    let s = &a.s;
    let (status, answer) = consent(&s.app, &s.anna, s.emma, "website", true).await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("consent_locked"))
    );
    let (status, view) = consent(&s.app, &s.anna, s.emma, "website", false).await;
    assert_eq!(status, StatusCode::OK, "withdrawing always works: {view}");
    assert_eq!(view["giving_locked"], true);
    // The office records a paper form.
    let (status, view) = consent(&s.app, &s.admin, s.emma, "albums", true).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    let (status, view) = send(s.app.authed(
        Method::GET,
        &format!("/api/children/{}/photo-consent", s.emma),
        &s.rita,
    ))
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view["may_change"], false);
    let answers: Vec<(&str, Value)> = view["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["purpose"].as_str().unwrap(), a["granted"].clone()))
        .collect();
    assert_eq!(
        answers,
        vec![
            ("albums", json!(true)),
            ("website", json!(false)),
            ("print", Value::Null)
        ]
    );
    // A year later the school asks again: last year's answers no longer count.
    s.app.clock.advance(Days::days(366));
    let anna = s.app.login_ok("anna@example.nl", PASSWORD).await;
    let (_, view) = send(s.app.authed(
        Method::GET,
        &format!("/api/children/{}/photo-consent", s.emma),
        &anna,
    ))
    .await;
    assert!(
        view["answers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["granted"].is_null()),
        "{view}"
    );
}

async fn albums_past_their_school_years_are_deleted_with_their_files(backend: Backend) {
    let a = albums_school_with(backend, |settings| settings.albums.keep_school_years = 1).await;
    let s = &a.s;
    let old = create_album(&s.app, &s.jan, Some(s.class_3a), "Last year").await;
    upload_ok(&s.app, &s.jan, old, picture(64, 48, ImageFormat::Jpeg)).await;
    processed(&s.app, &s.jan, old).await;
    objects_become(&s.app, 2).await;
    let job = "album_retention";
    // Within its school year nothing goes.
    run_job(&s.app, job).await;
    assert_eq!(album(&s.app, &s.jan, old).await.0, StatusCode::OK);
    s.app.clock.advance(Days::days(370));
    let jan = s.app.login_ok("jan@school.test", PASSWORD).await;
    let recent = create_album(&s.app, &jan, Some(s.class_3a), "This year").await;
    run_job(&s.app, job).await;
    assert_eq!(album(&s.app, &jan, old).await.0, StatusCode::NOT_FOUND);
    assert_eq!(album(&s.app, &jan, recent).await.0, StatusCode::OK);
    // The janitor removes the files a day later.
    s.app.clock.advance(Days::days(2));
    schoolgate::startup::tidy_up(&s.app.state).await;
    assert!(
        stored_objects(&s.app).is_empty(),
        "{:?}",
        stored_objects(&s.app)
    );
}

async fn run_job(app: &TestApp, name: &'static str) {
    let job = app.state.jobs.get(name).unwrap();
    jobs::run_now(&app.state, job)
        .await
        .unwrap()
        .expect("the run");
}

/// What is tried, how, where, with which body, and the answer each caller gets.
type MatrixRow = (&'static str, Method, String, Option<Value>, [StatusCode; 7]);

async fn who_may_do_what_with_albums_photos_and_consent(backend: Backend) {
    let a = albums_school(backend).await;
    let s = &a.s;
    consent(&s.app, &s.anna, s.emma, "albums", true).await;
    let (published, emma_photo, _) = published_album_with_emma(&a).await;
    let draft = create_album(&s.app, &s.jan, Some(s.class_3a), "Draft").await;
    let draft_photo = upload_ok(&s.app, &s.jan, draft, picture(64, 48, ImageFormat::Jpeg)).await;
    let school = create_album(&s.app, &s.admin, None, "School").await;
    let (_, page) = album(&s.app, &s.jan, published).await;
    let display = page["photos"][0]["display_url"]
        .as_str()
        .unwrap()
        .to_string();
    let download = format!("{display}?download=true");
    let png = || picture(32, 24, ImageFormat::Png);

    use StatusCode as S;
    const OK: S = S::OK;
    const NF: S = S::NOT_FOUND;
    const FB: S = S::FORBIDDEN;
    const UN: S = S::UNAUTHORIZED;
    // Columns: anonymous, anna (3a), rita (3a, read-only), carl (5b), jan (3a), piet (5b), admin.
    let rows: Vec<MatrixRow> = vec![
        (
            "list",
            Method::GET,
            "/api/albums".into(),
            None,
            [UN, OK, OK, OK, OK, OK, OK],
        ),
        (
            "published album",
            Method::GET,
            format!("/api/albums/{published}"),
            None,
            [UN, OK, OK, NF, OK, NF, OK],
        ),
        (
            "draft album",
            Method::GET,
            format!("/api/albums/{draft}"),
            None,
            [UN, NF, NF, NF, OK, NF, OK],
        ),
        (
            "photo copy",
            Method::GET,
            display.clone(),
            None,
            [UN, OK, OK, NF, OK, NF, OK],
        ),
        (
            "download",
            Method::GET,
            download.clone(),
            None,
            [UN, OK, OK, NF, OK, NF, OK],
        ),
        (
            "create for 3a",
            Method::POST,
            "/api/albums".into(),
            Some(json!({ "group_id": s.class_3a, "title": "x" })),
            [UN, FB, FB, FB, S::CREATED, FB, S::CREATED],
        ),
        (
            "create for school",
            Method::POST,
            "/api/albums".into(),
            Some(json!({ "title": "x" })),
            [UN, FB, FB, FB, FB, FB, S::CREATED],
        ),
        (
            "rename",
            Method::PATCH,
            format!("/api/albums/{draft}"),
            Some(json!({ "title": "Renamed" })),
            [UN, NF, NF, NF, OK, NF, OK],
        ),
        (
            "rename school album",
            Method::PATCH,
            format!("/api/albums/{school}"),
            Some(json!({ "title": "Renamed" })),
            [UN, NF, NF, NF, NF, NF, OK],
        ),
        (
            "tag",
            Method::PUT,
            format!("/api/photos/{emma_photo}/tags"),
            Some(json!({ "child_ids": [s.emma], "no_recognisable_children": false })),
            [UN, FB, FB, NF, OK, NF, OK],
        ),
        (
            "publish draft",
            Method::POST,
            format!("/api/albums/{draft}/publish"),
            None,
            [UN, NF, NF, NF, S::CONFLICT, NF, S::CONFLICT],
        ),
        (
            "consent of Emma",
            Method::GET,
            format!("/api/children/{}/photo-consent", s.emma),
            None,
            [UN, OK, OK, NF, OK, NF, OK],
        ),
        (
            "answer for Emma",
            Method::PUT,
            format!("/api/children/{}/photo-consent", s.emma),
            Some(json!({ "purpose": "print", "granted": false })),
            [UN, OK, FB, NF, FB, NF, OK],
        ),
        (
            "delete draft photo",
            Method::DELETE,
            format!("/api/photos/{draft_photo}"),
            None,
            [UN, NF, NF, NF, S::NO_CONTENT, NF, NF],
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
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), want, "{what} as {who}: {path}");
        }
    }
    // Uploads: teachers of the group and admins only (parents do not see drafts).
    let (status, _) = upload(&s.app, &s.anna, published, "x.png", png()).await;
    assert_eq!(status, FB, "upload as a parent to a published album");
    for (who, session, want) in [
        ("anna", &s.anna, NF),
        ("carl", &s.carl, NF),
        ("piet", &s.piet, NF),
        ("jan", &s.jan, S::ACCEPTED),
    ] {
        let (status, answer) = upload(&s.app, session, draft, "x.png", png()).await;
        assert_eq!(status, want, "upload as {who}: {answer}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parents_cannot_download_where_the_school_does_not_allow_it() {
    let a = albums_school_with(Backend::Sqlite, |settings| {
        settings.albums.allow_download = false
    })
    .await;
    let s = &a.s;
    consent(&s.app, &s.anna, s.emma, "albums", true).await;
    let (id, _, _) = published_album_with_emma(&a).await;
    let (_, page) = album(&s.app, &s.anna, id).await;
    assert_eq!(page["may_download"], false);
    let display = page["photos"][0]["display_url"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(fetch(&s.app, &s.anna, &display).await.0, StatusCode::OK);
    let (status, _) = fetch(&s.app, &s.anna, &format!("{display}?download=true")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        fetch(&s.app, &s.jan, &format!("{display}?download=true"))
            .await
            .0,
        StatusCode::OK
    );
}

async fn originals_are_kept_for_staff_only_where_the_school_says_so(backend: Backend) {
    let a = albums_school_with(backend, |settings| settings.albums.keep_originals = true).await;
    let s = &a.s;
    let id = create_album(&s.app, &s.jan, Some(s.class_3a), "Originals").await;
    let sent = jpeg_with_gps(800, 600);
    upload_ok(&s.app, &s.jan, id, sent.clone()).await;
    let page = processed(&s.app, &s.jan, id).await;
    let photo = page["photos"][0]["id"].as_i64().unwrap();
    tag(&s.app, &s.jan, photo, &[], true).await;
    assert_eq!(publish(&s.app, &s.jan, id).await.0, StatusCode::OK);
    let (_, page) = album(&s.app, &s.jan, id).await;
    let original = page["photos"][0]["original_url"]
        .as_str()
        .unwrap()
        .to_string();
    // Staff get the file as sent (with its metadata); parents never, not even by address.
    let (status, bytes) = fetch(&s.app, &s.jan, &original).await;
    assert_eq!((status, bytes == sent), (StatusCode::OK, true));
    let (_, parent_page) = album(&s.app, &s.anna, id).await;
    assert!(parent_page["photos"][0]["original_url"].is_null());
    assert_eq!(
        fetch(&s.app, &s.anna, &original).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        fetch(
            &s.app,
            &s.anna,
            page["photos"][0]["display_url"].as_str().unwrap()
        )
        .await
        .0,
        StatusCode::OK
    );
    // Thumbnail, display copy and original.
    assert_eq!(stored_objects(&s.app).len(), 3);
}
