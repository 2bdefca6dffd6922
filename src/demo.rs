//! A small demo school for trying Schoolgate out: two groups, two teachers, four children and
//! four parents (one with two children, one read-only), all with known passwords, and a few
//! posts (one with an attachment in the file store), an agenda, documents, and a groups
//! directory in which some families share their details.

use chrono::Datelike;
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};
use sea_orm::ActiveEnum;

use crate::platform::services::Services;
use crate::{
    app::error::blocking,
    entities::{
        posts::PostKind,
        users::{Language, Role},
    },
    features::{
        accounts::{self, EmailAddress, NewUser, rules::password},
        agenda, albums, conferences, directory, documents,
        posts::{self, NewAttachment, NewPost},
        school::{self, NewChild},
    },
    platform::{audience::Audience, db, files::FileStore, outbox},
};

pub const ADMIN_PASSWORD: &str = "Demo-Admin-2026!";
pub const TEACHER_PASSWORD: &str = "Demo-Teacher-2026!";
pub const PARENT_PASSWORD: &str = "Demo-Parent-2026!";

struct DemoUser {
    email: &'static str,
    first_name: &'static str,
    name_prefix: Option<&'static str>,
    last_name: &'static str,
    role: Role,
    language: Language,
}

const USERS: &[DemoUser] = &[
    DemoUser {
        email: "admin@demo.school",
        first_name: "Sanne",
        name_prefix: None,
        last_name: "Visser",
        role: Role::Admin,
        language: Language::Nl,
    },
    DemoUser {
        email: "j.devries@demo.school",
        first_name: "Jan",
        name_prefix: Some("de"),
        last_name: "Vries",
        role: Role::Teacher,
        language: Language::Nl,
    },
    DemoUser {
        email: "m.schmidt@demo.school",
        first_name: "Maria",
        name_prefix: None,
        last_name: "Schmidt",
        role: Role::Teacher,
        language: Language::De,
    },
    DemoUser {
        email: "anna.jansen@example.nl",
        first_name: "Anna",
        name_prefix: None,
        last_name: "Jansen",
        role: Role::Parent,
        language: Language::Nl,
    },
    DemoUser {
        email: "peter.jansen@example.nl",
        first_name: "Peter",
        name_prefix: None,
        last_name: "Jansen",
        role: Role::Parent,
        language: Language::Nl,
    },
    DemoUser {
        email: "lisa.bakker@example.com",
        first_name: "Lisa",
        name_prefix: None,
        last_name: "Bakker",
        role: Role::Parent,
        language: Language::En,
    },
    DemoUser {
        email: "juergen.mueller@example.de",
        first_name: "Jürgen",
        name_prefix: None,
        last_name: "Müller",
        role: Role::Parent,
        language: Language::De,
    },
];

/// (child ID, first name, name prefix, last name, group index, [(parent e-mail, read-only)])
type DemoChild = (
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    usize,
    &'static [(&'static str, bool)],
);

const CHILDREN: &[DemoChild] = &[
    (
        "1001",
        "Emma",
        None,
        "Jansen",
        0,
        &[
            ("anna.jansen@example.nl", false),
            ("peter.jansen@example.nl", true),
        ],
    ),
    (
        "1002",
        "Noah",
        None,
        "Jansen",
        1,
        &[("anna.jansen@example.nl", false)],
    ),
    (
        "1003",
        "Sophie",
        None,
        "Bakker",
        0,
        &[("lisa.bakker@example.com", false)],
    ),
    (
        "1004",
        "Lukas",
        None,
        "Müller",
        1,
        &[("juergen.mueller@example.de", false)],
    ),
    (
        "1005",
        "Daan",
        Some("van der"),
        "Berg",
        0,
        &[("lisa.bakker@example.com", false)],
    ),
];

const GROUPS: &[(&str, &str)] = &[
    ("Groep 3a", "j.devries@demo.school"),
    ("Groep 5b", "m.schmidt@demo.school"),
];

/// Loads the demo school into an empty database and prints the logins.
pub async fn load_if_empty(state: &Services) -> anyhow::Result<()> {
    if accounts::store::users::count(&state.db).await? == 0 {
        load(state).await?;
        println!("Loaded the demo school.");
    } else if accounts::store::users::find_by_email(&state.db, &"admin@demo.school".parse()?)
        .await?
        .is_none()
    {
        println!("The database has data already: no demo data loaded.");
        return Ok(());
    }
    println!("Demo logins:");
    for user in USERS {
        let password = match user.role {
            Role::Admin => ADMIN_PASSWORD,
            Role::Teacher => TEACHER_PASSWORD,
            Role::Parent => PARENT_PASSWORD,
        };
        let role = user.role.to_value();
        println!("  {role:<8} {:<28} {password}", user.email);
    }
    println!(
        "Under Account: staff can turn on two-step login (any authenticator app), everyone can \
         log out on all devices."
    );
    Ok(())
}

async fn load(state: &Services) -> anyhow::Result<()> {
    let now = state.clock.now();
    let hashes = blocking(|| {
        (
            password::hash(ADMIN_PASSWORD),
            password::hash(TEACHER_PASSWORD),
            password::hash(PARENT_PASSWORD),
        )
    })
    .await
    .map_err(|err| anyhow::anyhow!("{err}"))?;
    let txn = db::begin_write(&state.db).await?;
    let mut ids = std::collections::HashMap::new();
    for demo in USERS {
        let email: EmailAddress = demo.email.parse()?;
        let user = accounts::store::users::create(
            &txn,
            NewUser {
                email,
                first_name: demo.first_name.into(),
                name_prefix: demo.name_prefix.map(Into::into),
                last_name: demo.last_name.into(),
                role: demo.role,
                language: demo.language,
            },
            now,
        )
        .await?;
        let hash = match demo.role {
            Role::Admin => hashes.0.clone(),
            Role::Teacher => hashes.1.clone(),
            Role::Parent => hashes.2.clone(),
        };
        let version = &state.settings.security.consent_version;
        let user = accounts::store::users::activate(&txn, user, hash, version, now).await?;
        ids.insert(demo.email, user.id);
    }
    let mut group_ids = Vec::new();
    for (name, teacher) in GROUPS {
        let group = school::store::groups::create(&txn, (*name).into(), now).await?;
        school::store::groups::add_teacher(&txn, group.id, ids[teacher]).await?;
        group_ids.push(group.id);
    }
    let mut child_ids = std::collections::HashMap::new();
    for (external_id, first_name, name_prefix, last_name, group, parents) in CHILDREN {
        let child = school::store::children::create(
            &txn,
            NewChild {
                external_id: (*external_id).into(),
                first_name: (*first_name).into(),
                name_prefix: name_prefix.map(Into::into),
                last_name: (*last_name).into(),
                group_id: Some(group_ids[*group]),
            },
            now,
        )
        .await?;
        for (parent, read_only) in *parents {
            school::store::children::upsert_link(&txn, ids[parent], child.id, *read_only, now)
                .await?;
        }
        child_ids.insert(*external_id, child.id);
    }
    let mut created = Vec::new();
    for post in demo_posts(&ids, &group_ids, now) {
        created.push(posts::store::create(&txn, post, now).await?);
    }
    // A message the teacher scheduled for later: it goes out in three days at 07:30 school
    // time, as any post.
    let scheduled_at = morning_in_days(state, now, 3)?;
    let scheduled =
        posts::store::create(&txn, scheduled_message(&ids, &group_ids), scheduled_at).await?;
    outbox::enqueue(
        &txn,
        vec![posts::notify::fan_out_job(&scheduled)],
        scheduled_at,
    )
    .await?;
    // The library message carries its timetable, kept in the file store like any upload.
    let timetable = library_timetable();
    let object = state.files.put(&timetable[..], u64::MAX).await?;
    FileStore::record(&txn, &object, "application/pdf", now).await?;
    let attachment = NewAttachment {
        file_name: "Bibliotheekrooster.pdf".into(),
        content_type: "application/pdf",
        size: timetable.len() as i32,
        file_key: object.key,
    };
    posts::store::add_attachment(&txn, created[1].id, attachment, now).await?;
    // Conversations on the library message: one answered (the answer new for Anna), one new
    // for the teacher.
    let library = created[1].id;
    let (anna, lisa, teacher) = (
        ids["anna.jansen@example.nl"],
        ids["lisa.bakker@example.com"],
        ids["j.devries@demo.school"],
    );
    for (parent, author, minutes_ago, text) in [
        (
            anna,
            anna,
            95,
            "Emma heeft haar boek thuis laten liggen. Mag ze het donderdag meenemen?",
        ),
        (anna, teacher, 80, "Dat is goed, donderdag is prima."),
        (
            lisa,
            lisa,
            20,
            "Daan is dinsdag bij de tandarts. Kan hij woensdag ruilen?",
        ),
    ] {
        let at = now - chrono::Duration::minutes(minutes_ago);
        let reply = posts::store::add_reply(&txn, library, parent, author, text.into(), at).await?;
        // Writers have read their thread so far, as in the app.
        posts::store::mark_thread_read(&txn, author, library, parent, reply.id).await?;
    }
    let today = now.with_timezone(&state.settings.time_zone()?).date_naive();
    demo_agenda(&txn, &ids, &group_ids, today, now).await?;
    demo_documents(state, &txn, &ids, &group_ids, now).await?;
    demo_directory(state, &txn, &ids, &child_ids, now).await?;
    demo_albums(state, &txn, &ids, &child_ids, &group_ids, now).await?;
    demo_conferences(state, &txn, &ids, &child_ids, &group_ids, today, now).await?;
    txn.commit().await?;
    Ok(())
}

/// Parent-teacher conferences: 3a's round next week (two afternoons, a break, a blocked
/// slot; Emma's talk is wanted and has a note, Daan needs a double slot; Sophie and Daan are
/// booked, Emma not yet, so Anna finds the invitation on Home) and 5b's round, where Anna
/// booked Noah's talk.
async fn demo_conferences(
    state: &Services,
    txn: &sea_orm::DatabaseTransaction,
    ids: &std::collections::HashMap<&str, i32>,
    children: &std::collections::HashMap<&str, i32>,
    group_ids: &[i32],
    today: chrono::NaiveDate,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    use crate::entities::conference_invitations::TalkNeed;
    use conferences::{rules, store};
    let zone = state.settings.time_zone()?;
    let time = |h, m| chrono::NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default();
    let window = |days: i64, from, to, breaks: Vec<(chrono::NaiveTime, chrono::NaiveTime)>| {
        rules::DayWindow {
            date: today + chrono::Duration::days(days),
            from,
            to,
            breaks,
        }
    };
    let rounds = [
        (
            0,
            "j.devries@demo.school",
            "Oudergesprekken groep 3a",
            "Graag spreek ik u tien minuten over hoe het met uw kind gaat. Kies een tijd die u past; tot de planning sluit kunt u die nog wijzigen.",
            "Lokaal 3a",
            vec![
                window(
                    7,
                    time(15, 0),
                    time(17, 0),
                    vec![(time(16, 0), time(16, 15))],
                ),
                window(9, time(18, 30), time(20, 0), Vec::new()),
            ],
        ),
        (
            1,
            "m.schmidt@demo.school",
            "Elterngespräche Klasse 5b",
            "Ich freue mich auf unser Gespräch.",
            "Raum 5b",
            vec![window(8, time(15, 0), time(16, 30), Vec::new())],
        ),
    ];
    let mut made = Vec::new();
    for (group, teacher, title, message, location, days) in rounds {
        let slots = rules::slots(zone, &days, 10)
            .map_err(|err| anyhow::anyhow!("demo conference slots: {err:?}"))?;
        let new = store::NewRound {
            group_id: group_ids[group],
            title: title.into(),
            message: message.into(),
            location: location.into(),
            video_link: String::new(),
            slot_minutes: 10,
            opens_at: now - chrono::Duration::days(1),
            deadline_at: Some(rules::local(
                zone,
                today + chrono::Duration::days(6),
                time(12, 0),
            )),
            author_id: ids[teacher],
        };
        let round = store::insert_round(txn, new, &slots, now).await?;
        made.push((round.id, store::slots(txn, round.id).await?));
    }
    let settings = [
        (
            0,
            "1001",
            TalkNeed::Required,
            false,
            "Emma leest al heel goed. Ik wil graag met u bespreken hoe we haar verder kunnen uitdagen.",
        ),
        (
            0,
            "1005",
            TalkNeed::Required,
            true,
            "Voor Daan heb ik een dubbel tijdslot gereserveerd: er is veel om over te praten.",
        ),
        (1, "1004", TalkNeed::NotNeeded, false, ""),
    ];
    for (round, child, need, double_slot, note) in settings {
        let change = store::InvitationChange {
            note: note.into(),
            double_slot,
            need,
        };
        store::save_invitation(txn, made[round].0, children[child], change).await?;
    }
    let bookings = [
        (0, "1003", "lisa.bakker@example.com", 2, 1),
        (0, "1005", "lisa.bakker@example.com", 4, 2),
        (1, "1002", "anna.jansen@example.nl", 3, 1),
    ];
    for (round, child, parent, first_slot, count) in bookings {
        let (round_id, slots) = &made[round];
        let taken = &slots[first_slot..first_slot + count];
        let times = rules::SlotTimes {
            starts_at: taken[0].starts_at,
            ends_at: taken[count - 1].ends_at,
        };
        let booking =
            store::insert_booking(txn, *round_id, children[child], ids[parent], times, now)
                .await
                .map_err(|err| anyhow::anyhow!("demo booking: {err:?}"))?;
        let slot_ids: Vec<i32> = taken.iter().map(|slot| slot.id).collect();
        store::claim(txn, *round_id, &slot_ids, Some(booking.id))
            .await
            .map_err(|err| anyhow::anyhow!("demo booking: {err:?}"))?;
    }
    // The teacher keeps the last slot of the first afternoon free for a colleague.
    let (round_id, slots) = &made[0];
    let last_of_day = slots
        .iter()
        .rev()
        .find(|slot| slot.starts_at.date_naive() == slots[0].starts_at.date_naive())
        .map(|slot| slot.id);
    if let Some(slot) = last_of_day {
        store::claim(txn, *round_id, &[slot], None)
            .await
            .map_err(|err| anyhow::anyhow!("demo block: {err:?}"))?;
    }
    Ok(())
}

/// The groups directory: Anna's family shares with the class (phone, e-mail, photo; Emma's
/// name, photo and birthday), Lisa lists her children and shows her phone to staff only,
/// the Müllers share nothing (privacy by default). Photos are drawn here and stored like an
/// upload; Emma has a note from her teacher.
async fn demo_directory(
    state: &Services,
    txn: &sea_orm::DatabaseTransaction,
    ids: &std::collections::HashMap<&str, i32>,
    children: &std::collections::HashMap<&str, i32>,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    use crate::entities::{
        privacy_choices::{Field, Visibility},
        user_contacts::{ContactKind, ContactLabel},
    };
    use directory::{Subject, photos::PhotoOf, store as people};
    let anna = ids["anna.jansen@example.nl"];
    let lisa = ids["lisa.bakker@example.com"];
    let choices = [
        (
            Subject::User(anna),
            Field::ParentPhone,
            Visibility::GroupParents,
        ),
        (
            Subject::User(anna),
            Field::ParentEmail,
            Visibility::GroupParents,
        ),
        (
            Subject::User(anna),
            Field::ParentPhoto,
            Visibility::GroupParents,
        ),
        (
            Subject::Child(children["1001"]),
            Field::ChildName,
            Visibility::GroupParents,
        ),
        (
            Subject::Child(children["1001"]),
            Field::ChildPhoto,
            Visibility::GroupParents,
        ),
        (
            Subject::Child(children["1001"]),
            Field::ChildBirthday,
            Visibility::GroupParents,
        ),
        (
            Subject::Child(children["1002"]),
            Field::ChildName,
            Visibility::GroupParents,
        ),
        (Subject::User(lisa), Field::ParentPhone, Visibility::Staff),
        (
            Subject::Child(children["1003"]),
            Field::ChildName,
            Visibility::GroupParents,
        ),
        (
            Subject::Child(children["1005"]),
            Field::ChildName,
            Visibility::GroupParents,
        ),
    ];
    for (subject, field, audience) in choices {
        people::set_choice(txn, subject, field, Some(audience), now).await?;
    }
    let contact = accounts::ProfileChange {
        phone: Some(Some("+31 6 1234 5678".into())),
        address: Some(Some("Lindelaan 12, 3512 AB Utrecht".into())),
        ..Default::default()
    };
    for (user, change) in [
        (anna, contact),
        (
            lisa,
            accounts::ProfileChange {
                phone: Some(Some("+31 6 8765 4321".into())),
                ..Default::default()
            },
        ),
    ] {
        let found = accounts::find_user(txn, user)
            .await?
            .ok_or_else(|| anyhow::anyhow!("demo user {user} was just made"))?;
        accounts::store::users::update_profile(txn, found, change, now).await?;
    }
    accounts::store::contacts::replace(
        txn,
        anna,
        ContactKind::Phone,
        vec![(ContactLabel::Work, "030 123 4567".into())],
    )
    .await?;
    for (external_id, birthday) in [("1001", (2019, 3, 14)), ("1003", (2019, 9, 2))] {
        let date = chrono::NaiveDate::from_ymd_opt(birthday.0, birthday.1, birthday.2)
            .ok_or_else(|| anyhow::anyhow!("a demo birthday"))?;
        let child = school::store::children::find_by_id(txn, children[external_id])
            .await?
            .ok_or_else(|| anyhow::anyhow!("demo child {external_id} was just made"))?;
        let change = school::store::children::ChildChange {
            birthday: Some(date),
            ..Default::default()
        };
        school::store::children::update(txn, child, change, now).await?;
    }
    let portraits = [
        (PhotoOf::User(anna), [214, 92, 72]),
        (PhotoOf::User(ids["j.devries@demo.school"]), [52, 110, 180]),
        (PhotoOf::Child(children["1001"]), [236, 170, 60]),
    ];
    for (of, colour) in portraits {
        let jpeg = blocking(move || portrait(colour)).await??;
        let object = state.files.put(&jpeg[..], u64::MAX).await?;
        FileStore::record(txn, &object, "image/jpeg", now).await?;
        people::set_photo(txn, of, Some(object.key), now).await?;
    }
    school::store::notes::create(
        txn,
        children["1001"],
        ids["j.devries@demo.school"],
        "Emma heeft vandaag voor het eerst zelf een heel boekje uitgelezen. Vraag haar maar \
         eens naar de draak!"
            .into(),
        now - chrono::Duration::hours(3),
    )
    .await?;
    Ok(())
}

/// Photo albums: the autumn walk of 3a (published; one photo shows Daan, whose parents
/// said no to photos in albums, so parents do not see it and the teacher sees it marked),
/// the school's sports day, and a draft of 3a whose photos are not tagged yet. Consent:
/// Emma and Sophie yes, Daan no, Noah yes, Lukas not answered.
async fn demo_albums(
    state: &Services,
    txn: &sea_orm::DatabaseTransaction,
    ids: &std::collections::HashMap<&str, i32>,
    children: &std::collections::HashMap<&str, i32>,
    group_ids: &[i32],
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    use crate::entities::photo_consents::ConsentPurpose;
    use albums::store as albums_store;
    let school_year = albums::current_school_year(state)?;
    let (anna, lisa, admin, teacher) = (
        ids["anna.jansen@example.nl"],
        ids["lisa.bakker@example.com"],
        ids["admin@demo.school"],
        ids["j.devries@demo.school"],
    );
    for (child, parent, purpose, granted) in [
        ("1001", anna, ConsentPurpose::Albums, true),
        ("1001", anna, ConsentPurpose::Website, true),
        ("1001", anna, ConsentPurpose::Print, false),
        ("1002", anna, ConsentPurpose::Albums, true),
        ("1003", lisa, ConsentPurpose::Albums, true),
        ("1005", lisa, ConsentPurpose::Albums, false),
    ] {
        let answer = albums_store::Answer {
            child_id: children[child],
            purpose,
            granted,
            school_year,
            decided_by: parent,
        };
        albums_store::save_consent(txn, answer, now).await?;
    }
    let walk = "1001 1001 1001,1003 1005 - - - -";
    let sports = "- - - -";
    let musical = "? ? ?";
    for (group, author, title, description, tags, published, hue) in [
        (
            Some(group_ids[0]),
            teacher,
            "Herfstwandeling",
            "Dinsdag liepen we door het park: kastanjes, paddenstoelen en heel veel bladeren.",
            walk,
            true,
            0,
        ),
        (
            None,
            admin,
            "Sportdag",
            "De sportdag van de hele school.",
            sports,
            true,
            3,
        ),
        (
            Some(group_ids[0]),
            teacher,
            "Kerstmusical (concept)",
            "",
            musical,
            false,
            6,
        ),
    ] {
        let new = albums_store::NewAlbum {
            group_id: group,
            title: title.into(),
            description: description.into(),
            author_id: author,
            school_year,
        };
        let album = albums_store::insert_album(txn, new, now).await?;
        for (index, tag) in tags.split(' ').enumerate() {
            let picture = landscape(hue + index as u32);
            let name = format!("IMG_{:04}.JPG", 2310 + hue * 10 + index as u32);
            let photo =
                albums::add_made_photo(state, txn, album.id, author, &name, picture).await?;
            let tagged: Vec<i32> = match tag {
                "?" => continue,
                "-" => Vec::new(),
                children_on_it => children_on_it.split(',').map(|c| children[c]).collect(),
            };
            albums_store::set_tags(txn, photo.id, &tagged, tagged.is_empty()).await?;
        }
        if published {
            albums_store::publish(txn, album.id, now).await?;
        }
    }
    Ok(())
}

/// A drawn landscape for the demo's albums: sky, sun, hills and trees, in one of a few
/// seasons' colours.
fn landscape(variant: u32) -> image::DynamicImage {
    let (width, height) = (1200u32, 900u32);
    let palettes = [
        ([150, 190, 230], [196, 120, 40], [120, 150, 60]),
        ([170, 200, 235], [210, 90, 30], [140, 160, 70]),
        ([130, 170, 220], [230, 170, 50], [100, 140, 60]),
        ([120, 185, 240], [40, 140, 60], [90, 170, 80]),
        ([140, 200, 245], [60, 160, 70], [200, 80, 60]),
        ([110, 170, 230], [50, 130, 50], [70, 120, 200]),
        ([40, 50, 90], [200, 30, 40], [240, 220, 120]),
        ([30, 40, 80], [30, 120, 60], [250, 230, 150]),
        ([50, 60, 100], [220, 200, 80], [200, 40, 50]),
    ];
    let (sky, trees, ground) = palettes[(variant as usize) % palettes.len()];
    let sun_x = 200.0 + (variant % 5) as f32 * 180.0;
    let picture = image::RgbImage::from_fn(width, height, |x, y| {
        let (fx, fy) = (x as f32, y as f32);
        let hill = 560.0 + 60.0 * ((fx / 190.0) + variant as f32).sin();
        let sun = (fx - sun_x).powi(2) + (fy - 160.0).powi(2) < 70.0f32.powi(2);
        let tree = (0..4).any(|i| {
            let cx = 150.0 + i as f32 * 300.0 + (variant * 37 % 90) as f32;
            let top = hill - 40.0;
            (fx - cx).powi(2) + (fy - (top - 90.0)).powi(2) < 95.0f32.powi(2)
                || ((fx - cx).abs() < 16.0 && fy > top - 20.0 && fy < hill + 40.0)
        });
        let shade =
            |c: [u8; 3], by: f32| image::Rgb(c.map(|v| (v as f32 * by).clamp(0.0, 255.0) as u8));
        if tree {
            shade(trees, 1.0 - (fy / height as f32) * 0.3)
        } else if sun {
            image::Rgb([250, 220, 90])
        } else if fy > hill {
            shade(ground, 1.1 - (fy - hill) / 900.0)
        } else {
            shade(sky, 0.8 + fy / 1500.0)
        }
    });
    image::DynamicImage::ImageRgb8(picture)
}

/// A simple drawn portrait: a head and shoulders on a pale background, as a square JPEG.
fn portrait(colour: [u8; 3]) -> Result<Vec<u8>, crate::app::error::AppError> {
    let side = 256u32;
    let picture = image::RgbImage::from_fn(side, side, |x, y| {
        let (fx, fy) = (x as f32 - 128.0, y as f32);
        let head = fx * fx + (fy - 100.0) * (fy - 100.0) < 52.0 * 52.0;
        let shoulders = fy > 175.0 && fx * fx + (fy - 270.0) * (fy - 270.0) < 110.0 * 110.0;
        if head || shoulders {
            image::Rgb(colour)
        } else {
            image::Rgb([236, 240, 246])
        }
    });
    let mut png = Vec::new();
    picture
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(crate::app::error::AppError::internal)?;
    crate::platform::images::square_jpeg(&png, crate::platform::images::PORTRAIT_SIDE)
}

/// The agenda: school days off and a celebration, a library visit every two weeks (one
/// left out), a sports day over two days, and a cancelled trip.
async fn demo_agenda(
    txn: &sea_orm::DatabaseTransaction,
    ids: &std::collections::HashMap<&str, i32>,
    group_ids: &[i32],
    today: chrono::NaiveDate,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    use agenda::{RepeatRequest, WhenRequest, store::ItemContent};
    let day = |n: i64| Some(today + chrono::Duration::days(n));
    let time = |h: u32, m: u32| chrono::NaiveTime::from_hms_opt(h, m, 0);
    let admin = ids["admin@demo.school"];
    let teacher_3a = ids["j.devries@demo.school"];
    let teacher_5b = ids["m.schmidt@demo.school"];
    // The library visit: every two weeks from the coming Thursday, the third left out.
    let days_to_thursday = (3 - i64::from(today.weekday().num_days_from_monday())).rem_euclid(7);
    let thursday = today + chrono::Duration::days(days_to_thursday);
    let items = [
        (
            admin,
            Audience::School,
            "Studiedag: alle kinderen vrij",
            "",
            "",
            WhenRequest {
                starts_on: day(9),
                ..Default::default()
            },
            false,
        ),
        (
            admin,
            Audience::School,
            "Kerstviering",
            "Met koor en warme chocolademelk op het plein.",
            "Aula",
            WhenRequest {
                starts_on: day(12),
                start_time: time(17, 30),
                end_time: time(19, 0),
                ..Default::default()
            },
            false,
        ),
        (
            teacher_3a,
            Audience::Groups(vec![group_ids[0]]),
            "Bibliotheekbezoek",
            "Neem je leesboek en bibliotheekpas mee.",
            "Bibliotheek Centrum",
            WhenRequest {
                starts_on: Some(thursday),
                start_time: time(10, 0),
                end_time: time(11, 0),
                repeat: Some(RepeatRequest {
                    every_weeks: 2,
                    until: thursday + chrono::Duration::weeks(10),
                    skip: vec![thursday + chrono::Duration::weeks(4)],
                }),
                ..Default::default()
            },
            false,
        ),
        (
            teacher_5b,
            Audience::Groups(vec![group_ids[1]]),
            "Sporttage",
            "Sportkleidung mitbringen.",
            "Sportpark",
            WhenRequest {
                starts_on: day(20),
                ends_on: day(21),
                ..Default::default()
            },
            false,
        ),
        (
            teacher_3a,
            Audience::Groups(vec![group_ids[0]]),
            "Excursie naar Artis",
            "",
            "Artis, Amsterdam",
            WhenRequest {
                starts_on: day(5),
                start_time: time(9, 0),
                end_time: time(15, 0),
                ..Default::default()
            },
            true,
        ),
    ];
    for (author, audience, title, description, place, when, cancelled) in items {
        let content = ItemContent {
            audience,
            title: title.into(),
            description: description.into(),
            place: place.into(),
            when: when.check()?,
        };
        let id = agenda::store::create(txn, author, content, now).await?;
        if cancelled {
            let item = agenda::store::find_visible(txn, id, sea_orm::Condition::all())
                .await?
                .ok_or_else(|| anyhow::anyhow!("agenda item {id} was just written"))?;
            agenda::store::set_cancelled(txn, &item, true, now).await?;
        }
    }
    Ok(())
}

/// Documents: the school guide for parents in the school's folder, a reading list in 3a's.
async fn demo_documents(
    state: &Services,
    txn: &sea_orm::DatabaseTransaction,
    ids: &std::collections::HashMap<&str, i32>,
    group_ids: &[i32],
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    use documents::store::{self as docs, StoredVersion};
    let guide = one_page_pdf(&[
        "Schoolgids voor ouders 2026-2027",
        "Schooltijden: maandag tot en met vrijdag 8:30 - 14:30",
        "Ziekmelden: voor 8:15 via de app of 020 123 45 67",
        "Vakanties, studiedagen en ouderavonden: zie de agenda in de app",
    ]);
    let reading = "Leeslijst groep 3a\n\n- Jip en Janneke\n- Dikkertje Dap\n- Kikker is verliefd\n";
    let school_folder = docs::create_folder(txn, None, "Schoolgids".into(), now).await?;
    let class_folder = docs::create_folder(txn, Some(group_ids[0]), "Groep 3a".into(), now).await?;
    for (folder, author, title, file_name, content_type, bytes) in [
        (
            school_folder.id,
            ids["admin@demo.school"],
            "Schoolgids 2026-2027",
            "Schoolgids-2026-2027.pdf",
            "application/pdf",
            guide,
        ),
        (
            class_folder.id,
            ids["j.devries@demo.school"],
            "Leeslijst",
            "Leeslijst.txt",
            "text/plain; charset=utf-8",
            reading.as_bytes().to_vec(),
        ),
    ] {
        let object = state.files.put(&bytes[..], u64::MAX).await?;
        FileStore::record(txn, &object, content_type, now).await?;
        let file = StoredVersion {
            file_name: file_name.into(),
            content_type,
            size: bytes.len() as i64,
            file_key: object.key,
        };
        docs::add_document(txn, folder, title.into(), author, file, now).await?;
    }
    Ok(())
}

/// A one-page PDF: the library timetable the demo's message carries.
fn library_timetable() -> Vec<u8> {
    one_page_pdf(&[
        "Bibliotheekrooster Groep 3a",
        "Dinsdag 10:00 - 10:30: boeken ruilen",
        "Donderdag 14:00 - 14:30: voorlezen",
    ])
}

/// A one-page PDF with a heading and lines of text (Latin-1 only: the demo's own texts).
fn one_page_pdf(lines: &[&str]) -> Vec<u8> {
    let (catalog, pages, page, font, text) = (
        Ref::new(1),
        Ref::new(2),
        Ref::new(3),
        Ref::new(4),
        Ref::new(5),
    );
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(pages);
    pdf.pages(pages).kids([page]).count(1);
    let mut one = pdf.page(page);
    one.media_box(Rect::new(0.0, 0.0, 595.0, 842.0));
    one.parent(pages);
    one.contents(text);
    one.resources().fonts().pair(Name(b"F1"), font);
    one.finish();
    pdf.type1_font(font).base_font(Name(b"Helvetica"));
    let mut content = Content::new();
    for (n, line) in lines.iter().enumerate() {
        content.begin_text();
        content.set_font(Name(b"F1"), if n == 0 { 18.0 } else { 12.0 });
        content.next_line(72.0, 760.0 - 28.0 * n as f32);
        content.show(Str(line.as_bytes()));
        content.end_text();
    }
    pdf.stream(text, &content.finish());
    pdf.finish()
}

/// 07:30 at the school, `days` days after `now`.
fn morning_in_days(
    state: &Services,
    now: chrono::DateTime<chrono::Utc>,
    days: i64,
) -> anyhow::Result<chrono::DateTime<chrono::Utc>> {
    let zone = state.settings.time_zone()?;
    let day = (now + chrono::Duration::days(days))
        .with_timezone(&zone)
        .date_naive();
    let morning = day.and_hms_opt(7, 30, 0).expect("a valid time");
    let local = morning
        .and_local_timezone(zone)
        .earliest()
        .ok_or_else(|| anyhow::anyhow!("07:30 does not exist on {day}"))?;
    Ok(local.to_utc())
}

fn scheduled_message(ids: &std::collections::HashMap<&str, i32>, group_ids: &[i32]) -> NewPost {
    NewPost {
        kind: PostKind::Message,
        author_id: ids["j.devries@demo.school"],
        audience: Audience::Groups(vec![group_ids[0]]),
        title: "Gymkleding mee".into(),
        body: "Denken jullie aan gymkleding en gymschoenen voor de gymles van morgen?".into(),
        ask_confirmation: false,
        allow_replies: false,
        pinned_until: None,
    }
}

/// A few posts so the app has something to show (not sent: the demo mails nobody).
fn demo_posts(
    ids: &std::collections::HashMap<&str, i32>,
    group_ids: &[i32],
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<NewPost> {
    let post = |kind, author: &str, audience, title: &str, body: &str| NewPost {
        kind,
        author_id: ids[author],
        audience,
        title: title.into(),
        body: body.into(),
        ask_confirmation: kind == PostKind::Urgent,
        allow_replies: kind == PostKind::Message,
        pinned_until: (kind == PostKind::Urgent).then(|| now + chrono::Duration::days(7)),
    };
    vec![
        post(
            PostKind::News,
            "admin@demo.school",
            Audience::School,
            "Sportdag was een succes",
            "Dank aan alle ouders die geholpen hebben! De foto's volgen in het album.",
        ),
        post(
            PostKind::Message,
            "j.devries@demo.school",
            Audience::Groups(vec![group_ids[0]]),
            "Bibliotheek op dinsdag",
            "Willen jullie de boeken van de bibliotheek dinsdag weer meegeven? Dank jullie wel.",
        ),
        post(
            PostKind::Urgent,
            "j.devries@demo.school",
            Audience::Groups(vec![group_ids[0]]),
            "Schoolreis: bus vertrekt om 8:15",
            "De bus vertrekt morgen al om 8:15 in plaats van 8:45. Wilt u zorgen dat uw kind op tijd is?",
        ),
    ]
}
