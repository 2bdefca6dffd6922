//! The groups directory and privacy: what each viewer sees of a family, over every field x
//! audience x viewer relation (generated, the whole matrix), the school's defaults, locks and
//! directory switch, privacy settings, photos, contact details, the login address change and
//! teachers' notes.

use std::io::Cursor;

use image::{ImageFormat, Rgb, RgbImage};
use reqwest::{Method, StatusCode};
use schoolgate::app::config::Settings;
use serde_json::{Value, json};

use crate::helpers::{Backend, PASSWORD, Session, TestApp, send, spawn_app_with};

crate::on_both_databases!(
    every_field_audience_and_viewer_shows_exactly_what_the_family_shares,
    the_school_s_locks_defaults_and_directory_switch_hold,
    privacy_settings_are_the_family_s_and_the_preview_shows_what_others_see,
    photos_are_re_encoded_upright_without_metadata_and_shown_only_as_shared,
    contact_details_keep_labelled_phones_and_extra_addresses,
    the_login_address_changes_only_when_the_new_address_confirms_it,
    teachers_of_the_group_write_notes_that_only_the_child_s_parents_read,
    who_may_do_what_with_the_directory_privacy_photos_and_notes,
);

/// Group 3a (teacher Tina): Sam (parents Pia, Cora, and Rita read-only), Gil (parent Gus).
/// Group 5b (teacher Otto): Sia (parent Sue). Pia's family is the one looked at.
struct Directory {
    app: TestApp,
    admin: Session,
    tina: Session,
    otto: Session,
    pia: Session,
    cora: Session,
    rita: Session,
    gus: Session,
    sue: Session,
    class_3a: i64,
    sam: i64,
}

/// How a viewer relates to the person or child shown (the rule's own terms).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Relation {
    Family,
    ParentOfSameChild,
    ParentInSameGroup,
    ParentOfSchool,
    TeacherOfGroup,
    OtherStaff,
    Admin,
}

const AUDIENCES: [&str; 4] = ["nobody", "staff", "group_parents", "school_parents"];
const PARENT_FIELDS: [&str; 4] = [
    "parent_phone",
    "parent_email",
    "parent_address",
    "parent_photo",
];
const CHILD_FIELDS: [&str; 3] = ["child_name", "child_photo", "child_birthday"];

/// Whether a viewer of `relation` should see a field shared with `audience` (`None`:
/// nothing chosen, no default), written out per relation.
fn expected(relation: Relation, field: &str, audience: Option<&str>) -> bool {
    let audience = audience.unwrap_or("nobody");
    match relation {
        Relation::Family | Relation::Admin => true,
        // Staff know the children by name; the rest as shared with staff or wider.
        Relation::TeacherOfGroup | Relation::OtherStaff => {
            field == "child_name" || audience != "nobody"
        }
        Relation::ParentOfSameChild | Relation::ParentInSameGroup => {
            audience == "group_parents" || audience == "school_parents"
        }
        Relation::ParentOfSchool => audience == "school_parents",
    }
}

impl Directory {
    /// The viewers of Pia's family, with their relation to Pia and to Sam.
    fn viewers(&self) -> [(&'static str, &Session, Relation, Relation); 7] {
        use Relation::*;
        [
            ("pia", &self.pia, Family, Family),
            ("cora", &self.cora, ParentOfSameChild, Family),
            ("gus", &self.gus, ParentInSameGroup, ParentInSameGroup),
            ("sue", &self.sue, ParentOfSchool, ParentOfSchool),
            ("tina", &self.tina, TeacherOfGroup, TeacherOfGroup),
            ("otto", &self.otto, OtherStaff, OtherStaff),
            ("admin", &self.admin, Admin, Admin),
        ]
    }

    async fn page(&self, viewer: &Session) -> Value {
        let (status, page) = send(self.app.authed(
            Method::GET,
            &format!("/api/directory/groups/{}", self.class_3a),
            viewer,
        ))
        .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        page
    }

    async fn choose(&self, who: &Session, path: &str, field: &str, audience: Option<&str>) {
        let (status, answer) = send(
            self.app
                .authed(Method::PUT, path, who)
                .json(&json!({ "choices": [{ "field": field, "audience": audience }] })),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{field} -> {audience:?}: {answer}");
    }

    async fn status_of(&self, viewer: &Session, path: &str) -> StatusCode {
        self.app
            .authed(Method::GET, path, viewer)
            .send()
            .await
            .unwrap()
            .status()
    }
}

async fn directory_school(backend: Backend, adjust: impl FnOnce(&mut Settings)) -> Directory {
    let app = spawn_app_with(backend, adjust).await;
    let admin = app.admin().await;
    let tina = app.active_user(&admin, "teacher", "tina@school.test").await;
    let otto = app.active_user(&admin, "teacher", "otto@school.test").await;
    let pia = app.active_user(&admin, "parent", "pia@example.nl").await;
    let cora = app.active_user(&admin, "parent", "cora@example.nl").await;
    let rita = app.active_user(&admin, "parent", "rita@example.nl").await;
    let gus = app.active_user(&admin, "parent", "gus@example.nl").await;
    let sue = app.active_user(&admin, "parent", "sue@example.nl").await;
    let class_3a = app.create_group(&admin, "Groep 3a").await;
    let class_5b = app.create_group(&admin, "Groep 5b").await;
    app.add_teacher(&admin, class_3a, &tina).await;
    app.add_teacher(&admin, class_5b, &otto).await;
    let sam = app.create_child(&admin, "1", class_3a).await;
    let gil = app.create_child(&admin, "2", class_3a).await;
    let sia = app.create_child(&admin, "3", class_5b).await;
    app.link_parent(&admin, sam, pia.user_id, false).await;
    app.link_parent(&admin, sam, cora.user_id, false).await;
    app.link_parent(&admin, sam, rita.user_id, true).await;
    app.link_parent(&admin, gil, gus.user_id, false).await;
    app.link_parent(&admin, sia, sue.user_id, false).await;
    Directory {
        app,
        admin,
        tina,
        otto,
        pia,
        cora,
        rita,
        gus,
        sue,
        class_3a,
        sam,
    }
}

/// A picture `width` x `height`: left half red, right half blue.
pub(crate) fn picture(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
    let picture = RgbImage::from_fn(width, height, |x, _| {
        if x < width / 2 {
            Rgb([230, 20, 20])
        } else {
            Rgb([20, 20, 230])
        }
    });
    let mut out = Vec::new();
    picture
        .write_to(&mut Cursor::new(&mut out), format)
        .unwrap();
    out
}

async fn upload_photo(
    app: &TestApp,
    who: &Session,
    path: &str,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    let part = reqwest::multipart::Part::bytes(bytes).file_name("photo.jpg");
    let form = reqwest::multipart::Form::new().part("photo", part);
    send(app.authed(Method::PUT, path, who).multipart(form)).await
}

/// Gives Pia and Sam everything a field can show: phone, extra e-mail, address, photos,
/// birthday.
async fn fill_in_pia_s_family(s: &Directory) {
    let (status, answer) = send(s.app.authed(Method::PUT, "/api/me/contact", &s.pia).json(
        &json!({
            "phones": [{ "label": "mobile", "value": "+31 6 1111 2222" }],
            "extra_emails": [{ "label": "work", "value": "pia@work.example" }],
            "address": "Dorpsstraat 1, Utrecht",
        }),
    ))
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let png = picture(300, 200, ImageFormat::Png);
    let (status, answer) = upload_photo(&s.app, &s.pia, "/api/me/photo", png.clone()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let path = format!("/api/children/{}/photo", s.sam);
    let (status, answer) = upload_photo(&s.app, &s.pia, &path, png).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (status, answer) = send(
        s.app
            .authed(Method::PATCH, &format!("/api/children/{}", s.sam), &s.pia)
            .json(&json!({ "birthday": "2018-05-04" })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

/// Whether `field` of Pia (or Sam) shows on the group page `page`, and where a photo is
/// concerned, whether its address answers.
async fn shows(s: &Directory, viewer: &Session, page: &Value, field: &str) -> bool {
    let sam = page["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|child| child["id"] == json!(s.sam));
    if field == "child_name" {
        return sam.is_some();
    }
    let sam = sam.expect("Sam is listed while the parent fields are looked at");
    let pia = sam["parents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|parent| parent["id"] == json!(s.pia.user_id))
        .expect("Pia is listed with Sam");
    match field {
        "parent_phone" => {
            let shown = !pia["phones"].is_null();
            if shown {
                assert_eq!(pia["phones"][0]["value"], "+31 6 1111 2222");
            }
            shown
        }
        "parent_email" => {
            let shown = !pia["emails"].is_null();
            if shown {
                assert_eq!(pia["emails"][0]["value"], "pia@example.nl");
                assert_eq!(pia["emails"][1]["value"], "pia@work.example");
            }
            shown
        }
        "parent_address" => {
            assert_eq!(
                pia["address_shared"].as_bool().unwrap(),
                pia["address"] == "Dorpsstraat 1, Utrecht"
            );
            pia["address_shared"].as_bool().unwrap()
        }
        "parent_photo" => {
            let path = format!("/api/people/{}/photo", s.pia.user_id);
            let answers = s.status_of(viewer, &path).await == StatusCode::OK;
            assert_eq!(
                answers,
                !pia["photo_url"].is_null(),
                "photo address vs. page"
            );
            answers
        }
        "child_photo" => {
            let path = format!("/api/children/{}/photo", s.sam);
            let answers = s.status_of(viewer, &path).await == StatusCode::OK;
            assert_eq!(
                answers,
                !sam["photo_url"].is_null(),
                "photo address vs. page"
            );
            answers
        }
        "child_birthday" => {
            let shown = !sam["birthday"].is_null();
            if shown {
                assert_eq!(sam["birthday"], "2018-05-04");
            }
            shown
        }
        other => panic!("unknown field {other}"),
    }
}

async fn every_field_audience_and_viewer_shows_exactly_what_the_family_shares(backend: Backend) {
    let s = directory_school(backend, |_| {}).await;
    fill_in_pia_s_family(&s).await;
    let child_privacy = format!("/api/children/{}/privacy", s.sam);
    let mut checked = 0;
    for field in CHILD_FIELDS.into_iter().chain(PARENT_FIELDS) {
        let is_child_field = field.starts_with("child_");
        let path = if is_child_field {
            child_privacy.as_str()
        } else {
            "/api/me/privacy"
        };
        // Sam must be listed for his parents to be seen at all, except when his name is
        // what is looked at.
        let sam_listed = if field == "child_name" {
            None
        } else {
            Some("school_parents")
        };
        s.choose(&s.pia, &child_privacy, "child_name", sam_listed)
            .await;
        for audience in AUDIENCES.map(Some).into_iter().chain([None]) {
            s.choose(&s.pia, path, field, audience).await;
            for (name, viewer, to_parent, to_child) in s.viewers() {
                let relation = if is_child_field { to_child } else { to_parent };
                let page = s.page(viewer).await;
                assert_eq!(
                    shows(&s, viewer, &page, field).await,
                    expected(relation, field, audience),
                    "{field} shared with {audience:?}, seen by {name} ({relation:?}): {page}"
                );
                checked += 1;
            }
        }
    }
    // 7 fields x (4 audiences + nothing chosen) x 7 viewers.
    assert_eq!(checked, 7 * 5 * 7);
}

async fn the_school_s_locks_defaults_and_directory_switch_hold(backend: Backend) {
    use schoolgate::entities::privacy_choices::{Field, Visibility};
    let s = directory_school(backend, |settings| {
        settings
            .privacy
            .locks
            .insert(Field::ParentPhone, Visibility::Staff);
        settings
            .privacy
            .defaults
            .insert(Field::ChildName, Visibility::GroupParents);
    })
    .await;
    fill_in_pia_s_family(&s).await;
    // The default lists Sam for his group's parents, not for the school's.
    assert!(shows(&s, &s.gus, &s.page(&s.gus).await, "child_name").await);
    assert!(!shows(&s, &s.sue, &s.page(&s.sue).await, "child_name").await);
    // The locked phone: staff see it, parents never, and Pia cannot choose otherwise.
    let (status, answer) =
        send(s.app.authed(Method::PUT, "/api/me/privacy", &s.pia).json(
            &json!({ "choices": [{ "field": "parent_phone", "audience": "school_parents" }] }),
        ))
        .await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("field_locked"))
    );
    let (_, settings) = send(s.app.authed(Method::GET, "/api/me/privacy", &s.pia)).await;
    let phone = settings["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "parent_phone")
        .unwrap();
    assert_eq!(
        (phone["locked"].as_bool(), phone["audience"].as_str()),
        (Some(true), Some("staff"))
    );
    for (viewer, sees) in [(&s.tina, true), (&s.otto, true), (&s.gus, false)] {
        assert_eq!(
            shows(&s, viewer, &s.page(viewer).await, "parent_phone").await,
            sees
        );
    }

    // With the directory off, parents see no other family, whatever they share; staff do.
    let off = directory_school(backend, |settings| settings.privacy.directory = false).await;
    fill_in_pia_s_family(&off).await;
    let child_privacy = format!("/api/children/{}/privacy", off.sam);
    off.choose(
        &off.pia,
        &child_privacy,
        "child_name",
        Some("school_parents"),
    )
    .await;
    off.choose(
        &off.pia,
        "/api/me/privacy",
        "parent_email",
        Some("school_parents"),
    )
    .await;
    for (name, viewer, _, to_child) in off.viewers() {
        let page = off.page(viewer).await;
        assert_eq!(page["directory_on"], json!(false));
        let listed = shows(&off, viewer, &page, "child_name").await;
        let parent_viewer = matches!(
            to_child,
            Relation::ParentInSameGroup | Relation::ParentOfSchool
        );
        assert_eq!(listed, !parent_viewer, "{name}: {page}");
        if listed && name != "cora" && name != "pia" {
            assert!(shows(&off, viewer, &page, "parent_email").await, "{name}");
        }
    }
    // Cora is Sam's parent: she sees him, but Pia's e-mail is for staff only now.
    let page = off.page(&off.cora).await;
    assert!(!shows(&off, &off.cora, &page, "parent_email").await);
}

async fn privacy_settings_are_the_family_s_and_the_preview_shows_what_others_see(backend: Backend) {
    let s = directory_school(backend, |_| {}).await;
    fill_in_pia_s_family(&s).await;
    // Privacy by default: nothing chosen, nobody sees.
    let (status, mine) = send(s.app.authed(Method::GET, "/api/me/privacy", &s.pia)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(mine["directory_on"], json!(true));
    let fields: Vec<(&str, &Value, &str)> = mine["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["field"].as_str().unwrap(),
                &f["chosen"],
                f["audience"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(fields.len(), 4);
    assert!(
        fields
            .iter()
            .all(|(_, chosen, audience)| chosen.is_null() && *audience == "nobody")
    );
    // A child's field is not one of mine, and the other way round.
    for (path, field) in [
        ("/api/me/privacy".to_string(), "child_photo"),
        (format!("/api/children/{}/privacy", s.sam), "parent_phone"),
    ] {
        let (status, answer) = send(
            s.app
                .authed(Method::PUT, &path, &s.pia)
                .json(&json!({ "choices": [{ "field": field, "audience": "staff" }] })),
        )
        .await;
        assert_eq!(
            (status, answer["code"].as_str(), answer["field"].as_str()),
            (
                StatusCode::BAD_REQUEST,
                Some("wrong_field"),
                Some("choices[0].field")
            ),
            "{path}"
        );
    }
    // Cora (co-parent) changes Sam's settings; Pia sees them.
    let child_privacy = format!("/api/children/{}/privacy", s.sam);
    s.choose(&s.cora, &child_privacy, "child_name", Some("group_parents"))
        .await;
    let (_, sams) = send(s.app.authed(Method::GET, &child_privacy, &s.pia)).await;
    assert_eq!(sams["fields"][0]["field"], "child_name");
    assert_eq!(sams["fields"][0]["chosen"], "group_parents");
    // The preview: as a parent of the group sees us, and as one of the school.
    s.choose(
        &s.pia,
        "/api/me/privacy",
        "parent_phone",
        Some("group_parents"),
    )
    .await;
    let (status, preview) = send(s.app.authed(
        Method::GET,
        "/api/me/privacy/preview?viewer=parent_in_same_group",
        &s.pia,
    ))
    .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["me"]["phones"][0]["value"], "+31 6 1111 2222");
    assert!(preview["me"]["emails"].is_null());
    assert!(preview["me"]["photo_url"].is_null());
    assert_eq!(preview["children"][0]["id"], json!(s.sam));
    assert!(preview["children"][0]["birthday"].is_null());
    let (_, school_wide) = send(s.app.authed(
        Method::GET,
        "/api/me/privacy/preview?viewer=parent_of_school",
        &s.pia,
    ))
    .await;
    assert!(school_wide["me"]["phones"].is_null());
    assert_eq!(school_wide["children"], json!([]));
    // Back to the school's default.
    s.choose(&s.pia, "/api/me/privacy", "parent_phone", None)
        .await;
    let (_, mine) = send(s.app.authed(Method::GET, "/api/me/privacy", &s.pia)).await;
    assert!(mine["fields"][0]["chosen"].is_null());
}

/// A small PNG whose header claims `width` x `height` pixels of grey, with the first rows'
/// data: what a decompression bomb looks like to a decoder before it decodes.
pub(crate) fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &byte in bytes {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut typed = kind.to_vec();
        typed.extend_from_slice(data);
        out.extend_from_slice(&typed);
        out.extend_from_slice(&crc32(&typed).to_be_bytes());
    }
    let mut header = Vec::new();
    header.extend_from_slice(&width.to_be_bytes());
    header.extend_from_slice(&height.to_be_bytes());
    header.extend_from_slice(&[8, 0, 0, 0, 0]);
    let rows = vec![0u8; (width as usize + 1) * 16];
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut png, b"IHDR", &header);
    chunk(
        &mut png,
        b"IDAT",
        &miniz_oxide::deflate::compress_to_vec_zlib(&rows, 6),
    );
    chunk(&mut png, b"IEND", &[]);
    png
}

/// A JPEG with an EXIF block saying "turn 90 degrees clockwise to show" (orientation 6) and
/// a made-up camera serial, as a phone writes them.
fn jpeg_with_exif(width: u32, height: u32) -> Vec<u8> {
    let plain = picture(width, height, ImageFormat::Jpeg);
    // TIFF, little-endian, one IFD with Orientation = 6 and BodySerialNumber (0xA431).
    let serial = b"SERIAL-4711-XYZ\0";
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"II*\0");
    tiff.extend_from_slice(&8u32.to_le_bytes());
    tiff.extend_from_slice(&2u16.to_le_bytes());
    // Orientation, SHORT, 1, value 6.
    tiff.extend_from_slice(&0x0112u16.to_le_bytes());
    tiff.extend_from_slice(&3u16.to_le_bytes());
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&6u16.to_le_bytes());
    tiff.extend_from_slice(&0u16.to_le_bytes());
    // The serial, ASCII, pointed to after the IFD.
    let serial_offset = 8 + 2 + 2 * 12 + 4;
    tiff.extend_from_slice(&0xA431u16.to_le_bytes());
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&(serial.len() as u32).to_le_bytes());
    tiff.extend_from_slice(&(serial_offset as u32).to_le_bytes());
    tiff.extend_from_slice(&0u32.to_le_bytes());
    tiff.extend_from_slice(serial);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut jpeg = plain[..2].to_vec();
    jpeg.extend_from_slice(&[0xFF, 0xE1]);
    jpeg.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    jpeg.extend_from_slice(&app1);
    jpeg.extend_from_slice(&plain[2..]);
    jpeg
}

async fn photos_are_re_encoded_upright_without_metadata_and_shown_only_as_shared(backend: Backend) {
    let s = directory_school(backend, |settings| {
        settings.files.max_photo_bytes = 1_000_000
    })
    .await;
    let original = jpeg_with_exif(400, 400);
    assert!(original.windows(6).any(|w| w == b"SERIAL"));
    let (status, saved) = upload_photo(&s.app, &s.pia, "/api/me/photo", original).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let url = saved["photo_url"].as_str().unwrap();
    let response = s.app.authed(Method::GET, url, &s.pia).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "image/jpeg");
    assert!(
        response.headers()["cache-control"]
            .to_str()
            .unwrap()
            .starts_with("private")
    );
    let stored = response.bytes().await.unwrap().to_vec();
    assert!(
        !stored.windows(4).any(|w| w == b"Exif"),
        "EXIF left in the photo"
    );
    assert!(
        !stored.windows(6).any(|w| w == b"SERIAL"),
        "serial left in the photo"
    );
    let shown = image::load_from_memory_with_format(&stored, ImageFormat::Jpeg)
        .unwrap()
        .into_rgb8();
    assert_eq!(shown.dimensions(), (400, 400));
    // Turned upright: the left (red) half is now the top.
    let top = shown.get_pixel(200, 40);
    let bottom = shown.get_pixel(200, 360);
    assert!(top[0] > 150 && top[2] < 100, "top {top:?}");
    assert!(bottom[2] > 150 && bottom[0] < 100, "bottom {bottom:?}");
    // A large picture is scaled to 512 x 512 of its middle.
    let (status, saved) = upload_photo(
        &s.app,
        &s.pia,
        "/api/me/photo",
        picture(1200, 800, ImageFormat::Png),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let large = s
        .app
        .authed(Method::GET, saved["photo_url"].as_str().unwrap(), &s.pia)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let large = image::load_from_memory_with_format(&large, ImageFormat::Jpeg).unwrap();
    assert_eq!((large.width(), large.height()), (512, 512));

    // Not pictures, and pictures too large, are refused; the photo stays as it was.
    for (bytes, want_status, code) in [
        (
            b"<?php system($_GET['c']); ?>".to_vec(),
            415,
            "unsupported_image_type",
        ),
        (
            b"<html><script>alert(1)</script></html>".to_vec(),
            415,
            "unsupported_image_type",
        ),
        (b"GIF89a....".to_vec(), 415, "unsupported_image_type"),
        (Vec::new(), 400, "empty_file"),
        (vec![0xFF; 1_100_000], 413, "payload_too_large"),
    ] {
        let (status, answer) = upload_photo(&s.app, &s.pia, "/api/me/photo", bytes).await;
        assert_eq!(
            (status.as_u16(), answer["code"].as_str()),
            (want_status, Some(code)),
            "{answer}"
        );
    }
    // A 20,000 x 20,000 PNG (400 MB when decoded) is refused before it is decoded.
    let (status, answer) = upload_photo(
        &s.app,
        &s.pia,
        "/api/me/photo",
        png_claiming(20_000, 20_000),
    )
    .await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("image_too_large"))
    );

    // Privacy by default: Gus (same group) does not get Pia's photo, nor a guessed address.
    let path = format!("/api/people/{}/photo", s.pia.user_id);
    assert_eq!(s.status_of(&s.gus, &path).await, StatusCode::NOT_FOUND);
    assert_eq!(s.status_of(&s.pia, &path).await, StatusCode::OK);
    assert_eq!(
        s.app
            .request(Method::GET, &path)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    // Staff photos are for everyone logged in.
    let (status, _) = upload_photo(
        &s.app,
        &s.tina,
        "/api/me/photo",
        picture(64, 64, ImageFormat::Png),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let tina_photo = format!("/api/people/{}/photo", s.tina.user_id);
    assert_eq!(s.status_of(&s.sue, &tina_photo).await, StatusCode::OK);
    let (_, groups) = send(s.app.authed(Method::GET, "/api/directory/groups", &s.sue)).await;
    let group_3a = groups
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == json!(s.class_3a))
        .unwrap();
    assert_eq!(group_3a["teachers"][0]["full_name"], "Test Person");
    assert!(group_3a["teachers"][0]["photo_url"].is_string());
    assert_eq!(
        (group_3a["own"].as_bool(), group_3a["children"].as_u64()),
        (Some(false), Some(2))
    );
    // Removed: gone for everyone.
    let (status, _) = send(s.app.authed(Method::DELETE, "/api/me/photo", &s.pia)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(s.status_of(&s.pia, &path).await, StatusCode::NOT_FOUND);
}

async fn contact_details_keep_labelled_phones_and_extra_addresses(backend: Backend) {
    let s = directory_school(backend, |_| {}).await;
    let (status, details) = send(s.app.authed(Method::PUT, "/api/me/contact", &s.gus).json(
        &json!({
            "phones": [
                { "label": "work", "value": " 020 123 4567 " },
                { "label": "mobile", "value": "+31 6 9876 5432" },
            ],
            "extra_emails": [{ "label": "other", "value": "Gus.Home@Example.NL" }],
            "address": "Kerkweg 2",
        }),
    ))
    .await;
    assert_eq!(status, StatusCode::OK, "{details}");
    assert_eq!(
        details["phones"],
        json!([
            { "label": "work", "value": "020 123 4567" },
            { "label": "mobile", "value": "+31 6 9876 5432" },
        ])
    );
    assert_eq!(details["extra_emails"][0]["value"], "gus.home@example.nl");
    let (_, me) = send(s.app.authed(Method::GET, "/api/me", &s.gus)).await;
    assert_eq!(me["phone"], "020 123 4567");
    // Bad entries are refused by name, and nothing changes.
    for (body, field, code) in [
        (
            json!({ "phones": [{ "label": "mobile", "value": "0612345678" }, { "label": "work", "value": "call me" }] }),
            "phones[1].number",
            "invalid_phone",
        ),
        (
            json!({ "extra_emails": [{ "label": "work", "value": "not-an-address" }] }),
            "extra_emails[0].email",
            "invalid_email",
        ),
        (
            json!({ "extra_emails": [{ "label": "work", "value": "GUS@example.nl" }] }),
            "extra_emails[0].email",
            "duplicate_email",
        ),
    ] {
        let (status, answer) = send(
            s.app
                .authed(Method::PUT, "/api/me/contact", &s.gus)
                .json(&body),
        )
        .await;
        assert_eq!(
            (status, answer["code"].as_str(), answer["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some(code), Some(field)),
            "{answer}"
        );
    }
    let (_, after) = send(s.app.authed(Method::GET, "/api/me/contact", &s.gus)).await;
    assert_eq!(after["phones"], details["phones"]);
    // Emptied: no phone at all.
    let (status, details) = send(
        s.app
            .authed(Method::PUT, "/api/me/contact", &s.gus)
            .json(&json!({ "phones": [] })),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(details["phones"], json!([]));
    assert_eq!(details["address"], "Kerkweg 2");
}

async fn the_login_address_changes_only_when_the_new_address_confirms_it(backend: Backend) {
    let s = directory_school(backend, |_| {}).await;
    let change = |new_email: &str, password: &str| {
        s.app
            .authed(Method::POST, "/api/me/email", &s.gus)
            .json(&json!({ "new_email": new_email, "current_password": password }))
    };
    let (status, answer) = send(change("gus@new.example", "wrong")).await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("wrong_current_password"))
    );
    let (status, answer) = send(change("GUS@example.nl", PASSWORD)).await;
    assert_eq!(answer["code"], "same_email", "{status}");
    let (status, answer) = send(change("Gus@New.Example", PASSWORD)).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{answer}");
    assert_eq!(answer["pending_email"], "gus@new.example");
    let mail = s.app.smtp.wait_for_mail_to("gus@new.example").await;
    let token = mail.link_token("confirm-email");
    // Until confirmed, the login is the old address.
    let (_, contact) = send(s.app.authed(Method::GET, "/api/me/contact", &s.gus)).await;
    assert_eq!(
        (contact["email"].as_str(), contact["pending_email"].as_str()),
        (Some("gus@example.nl"), Some("gus@new.example"))
    );
    assert_eq!(
        s.app.login("gus@new.example", PASSWORD).await.0,
        StatusCode::UNAUTHORIZED
    );
    s.app.login_ok("gus@example.nl", PASSWORD).await;

    let (status, answer) = s
        .app
        .post_json("/api/auth/confirm-email", json!({ "token": token }))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["email"], "gus@new.example");
    s.app.login_ok("gus@new.example", PASSWORD).await;
    assert_eq!(
        s.app.login("gus@example.nl", PASSWORD).await.0,
        StatusCode::UNAUTHORIZED
    );
    let told = s.app.smtp.wait_for_mail_to("gus@example.nl").await;
    assert!(told.text().contains("gus@new.example"), "{}", told.text());
    // Used once only.
    let (status, answer) = s
        .app
        .post_json("/api/auth/confirm-email", json!({ "token": token }))
        .await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (StatusCode::GONE, Some("token_used"))
    );
    let (status, answer) = s
        .app
        .post_json("/api/auth/confirm-email", json!({ "token": "nonsense" }))
        .await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("token_invalid"))
    );

    // An address with an account: the same answer, and its mailbox gets no link.
    let gus = s.app.login_ok("gus@new.example", PASSWORD).await;
    let (status, answer) = send(
        s.app
            .authed(Method::POST, "/api/me/email", &gus)
            .json(&json!({ "new_email": "sue@example.nl", "current_password": PASSWORD })),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{answer}");
    assert_eq!(answer["pending_email"], "sue@example.nl");
    let warned = s.app.smtp.wait_for_mail_to("sue@example.nl").await;
    assert!(!warned.text().contains("#token="), "{}", warned.text());
    assert!(
        warned.text().contains("already belongs to an account"),
        "{}",
        warned.text()
    );

    // An old link: expired after a day.
    let (status, _) = send(
        s.app
            .authed(Method::POST, "/api/me/email", &gus)
            .json(&json!({ "new_email": "gus@later.example", "current_password": PASSWORD })),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let late = s.app.smtp.wait_for_mail_to("gus@later.example").await;
    s.app.clock.advance(chrono::Duration::hours(25));
    let (status, answer) = s
        .app
        .post_json(
            "/api/auth/confirm-email",
            json!({ "token": late.link_token("confirm-email") }),
        )
        .await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (StatusCode::GONE, Some("token_expired"))
    );
    s.app.login_ok("gus@new.example", PASSWORD).await;
}

async fn teachers_of_the_group_write_notes_that_only_the_child_s_parents_read(backend: Backend) {
    let s = directory_school(backend, |_| {}).await;
    let device = s.app.push.device("pia-phone");
    s.app.subscribe(&s.pia, &device).await;
    let notes = format!("/api/children/{}/notes", s.sam);
    let (status, note) = send(
        s.app
            .authed(Method::POST, &notes, &s.tina)
            .json(&json!({ "body": "Sam read his first book on his own today." })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{note}");
    let pushes = s.app.push.wait_for(1).await;
    assert_eq!(pushes[0].device, "pia-phone");
    assert_eq!(pushes[0].notice["title"], "Note about Kim");
    assert_eq!(
        pushes[0].notice["url"],
        format!("/children/{}#notes", s.sam)
    );
    for reader in [&s.pia, &s.cora, &s.rita, &s.tina] {
        let (status, list) = send(s.app.authed(Method::GET, &notes, reader)).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(list[0]["body"], "Sam read his first book on his own today.");
        assert_eq!(list[0]["author_name"], "Test Person");
        assert_eq!(list[0]["own"], json!(reader.user_id == s.tina.user_id));
    }
    for outsider in [&s.gus, &s.sue, &s.otto, &s.admin] {
        let (status, _) = send(s.app.authed(Method::GET, &notes, outsider)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let (status, answer) = send(
        s.app
            .authed(Method::POST, &notes, &s.pia)
            .json(&json!({ "body": "Can I write too?" })),
    )
    .await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("teachers_of_group_only"))
    );
    let (status, answer) = send(
        s.app
            .authed(Method::POST, &notes, &s.tina)
            .json(&json!({ "body": "   " })),
    )
    .await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_note"))
    );
    let note_path = format!("{notes}/{}", note["id"]);
    let (status, changed) = send(
        s.app
            .authed(Method::PATCH, &note_path, &s.tina)
            .json(&json!({ "body": "Sam read two books today." })),
    )
    .await;
    assert_eq!(
        (status, changed["body"].as_str()),
        (StatusCode::OK, Some("Sam read two books today."))
    );
    let (status, _) = send(s.app.authed(Method::DELETE, &note_path, &s.pia)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = send(s.app.authed(Method::DELETE, &note_path, &s.tina)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, list) = send(s.app.authed(Method::GET, &notes, &s.pia)).await;
    assert_eq!(list, json!([]));
}

async fn who_may_do_what_with_the_directory_privacy_photos_and_notes(backend: Backend) {
    let s = directory_school(backend, |_| {}).await;
    fill_in_pia_s_family(&s).await;
    let (_, note) = send(
        s.app
            .authed(
                Method::POST,
                &format!("/api/children/{}/notes", s.sam),
                &s.tina,
            )
            .json(&json!({ "body": "A note." })),
    )
    .await;
    let sam = s.sam;
    let note_id = note["id"].as_i64().unwrap();
    let privacy = json!({ "choices": [{ "field": "child_photo", "audience": "staff" }] });
    let note_body = json!({ "body": "Another note." });
    const A: u16 = 401;
    // Columns: anonymous, pia (parent of Sam), rita (read-only parent of Sam), gus (parent in
    // the group), sue (parent of another group), tina (teacher of 3a), otto (teacher of 5b),
    // admin.
    let callers: [(&str, Option<&Session>); 8] = [
        ("anonymous", None),
        ("pia", Some(&s.pia)),
        ("rita (read-only)", Some(&s.rita)),
        ("gus", Some(&s.gus)),
        ("sue", Some(&s.sue)),
        ("tina", Some(&s.tina)),
        ("otto", Some(&s.otto)),
        ("admin", Some(&s.admin)),
    ];
    let rows: Vec<(Method, String, Option<Value>, [u16; 8])> = vec![
        (
            Method::GET,
            "/api/directory/groups".into(),
            None,
            [A, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            Method::GET,
            format!("/api/directory/groups/{}", s.class_3a),
            None,
            [A, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            Method::GET,
            "/api/directory/groups/999999".into(),
            None,
            [A, 404, 404, 404, 404, 404, 404, 404],
        ),
        (
            Method::GET,
            "/api/me/privacy".into(),
            None,
            [A, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            Method::GET,
            "/api/me/privacy/preview".into(),
            None,
            [A, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            Method::GET,
            format!("/api/children/{sam}/privacy"),
            None,
            [A, 200, 200, 404, 404, 200, 404, 200],
        ),
        (
            Method::PUT,
            format!("/api/children/{sam}/privacy"),
            Some(privacy.clone()),
            [A, 200, 403, 404, 404, 403, 404, 200],
        ),
        (
            Method::GET,
            format!("/api/children/{sam}/photo"),
            None,
            [A, 200, 200, 404, 404, 200, 200, 200],
        ),
        (
            Method::DELETE,
            format!("/api/children/{sam}/photo"),
            None,
            [A, 204, 403, 404, 404, 403, 404, 204],
        ),
        (
            Method::GET,
            format!("/api/people/{}/photo", s.pia.user_id),
            None,
            [A, 200, 404, 404, 404, 404, 404, 200],
        ),
        (
            Method::GET,
            "/api/me/contact".into(),
            None,
            [A, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            Method::PUT,
            "/api/me/contact".into(),
            Some(json!({ "address": "Schoolstraat 1" })),
            [A, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            Method::PUT,
            "/api/me/privacy".into(),
            Some(json!({ "choices": [{ "field": "parent_address", "audience": "staff" }] })),
            [A, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            Method::DELETE,
            "/api/me/email".into(),
            None,
            [A, 404, 404, 404, 404, 404, 404, 404],
        ),
        (
            Method::DELETE,
            "/api/me/photo".into(),
            None,
            [A, 204, 404, 404, 404, 404, 404, 404],
        ),
        (
            Method::GET,
            format!("/api/children/{sam}/notes"),
            None,
            [A, 200, 200, 404, 404, 200, 404, 404],
        ),
        (
            Method::POST,
            format!("/api/children/{sam}/notes"),
            Some(note_body.clone()),
            [A, 403, 403, 404, 404, 201, 404, 404],
        ),
        (
            Method::PATCH,
            format!("/api/children/{sam}/notes/{note_id}"),
            Some(note_body),
            [A, 403, 403, 404, 404, 200, 404, 404],
        ),
        (
            Method::PATCH,
            format!("/api/children/{sam}"),
            Some(json!({ "birthday": "2018-05-05" })),
            [A, 200, 403, 404, 404, 403, 404, 200],
        ),
        (
            Method::DELETE,
            format!("/api/children/{sam}/notes/{note_id}"),
            None,
            [A, 403, 403, 404, 404, 204, 404, 404],
        ),
    ];
    for (method, path, body, expected) in rows {
        for ((name, caller), want) in callers.iter().zip(expected) {
            let mut request = match caller {
                Some(session) => s.app.authed(method.clone(), &path, session),
                None => s.app.request(method.clone(), &path),
            };
            if let Some(body) = &body {
                request = request.json(body);
            }
            let (status, answer) = if path.ends_with("/photo") && method == Method::GET {
                (request.send().await.unwrap().status(), Value::Null)
            } else {
                send(request).await
            };
            assert_eq!(status.as_u16(), want, "{method} {path} as {name}: {answer}");
            // The photo is removed by the first who may; put it back for the next.
            if method == Method::DELETE && path.ends_with("/photo") && want == 204 {
                let (status, _) =
                    upload_photo(&s.app, &s.pia, &path, picture(64, 64, ImageFormat::Png)).await;
                assert_eq!(status, StatusCode::OK);
            }
        }
    }
    // Photo uploads: the child's parents (not read-only) and the office; one's own photo is
    // one's own.
    let child_photo = format!("/api/children/{sam}/photo");
    for ((name, caller), want) in callers.iter().zip([A, 200, 403, 404, 404, 403, 404, 200]) {
        let bytes = picture(32, 32, ImageFormat::Png);
        let part = reqwest::multipart::Part::bytes(bytes).file_name("p.png");
        let form = reqwest::multipart::Form::new().part("photo", part);
        let request = match caller {
            Some(session) => s.app.authed(Method::PUT, &child_photo, session),
            None => s.app.request(Method::PUT, &child_photo),
        };
        let (status, answer) = send(request.multipart(form)).await;
        assert_eq!(
            status.as_u16(),
            want,
            "PUT {child_photo} as {name}: {answer}"
        );
    }
    // A birthday in the future or long ago is refused by name.
    for day in ["2999-01-01", "1900-06-01"] {
        let (status, answer) = send(
            s.app
                .authed(Method::PATCH, &format!("/api/children/{sam}"), &s.pia)
                .json(&json!({ "birthday": day })),
        )
        .await;
        assert_eq!(
            (status, answer["code"].as_str(), answer["field"].as_str()),
            (
                StatusCode::BAD_REQUEST,
                Some("invalid_birthday"),
                Some("birthday")
            ),
            "{day}"
        );
    }
}
