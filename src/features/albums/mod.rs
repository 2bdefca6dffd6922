//! Photo albums of the school and of groups. Staff make an album, upload photos (each one
//! is turned into a thumbnail and a display copy without metadata by a background job,
//! `processing`), say which children can be recognised on each, and publish it: the parents
//! of the group (or school) get one e-mail each. Parents see a photo only when every child
//! tagged on it has photo consent for albums (`consent`); staff see every photo, marked.
//! Files go through the file store; their addresses carry part of the file's key and every
//! request is checked against the album's audience.

pub mod consent;
mod mails;
pub mod processing;
pub mod rules;
pub mod store;

use std::collections::{HashMap, HashSet};

use tokio::io::AsyncRead;

use crate::{
    app::{
        actor::Actor,
        config::Settings,
        error::{AppError, blocking},
    },
    entities::{
        album_photos::PhotoStatus, children, full_name, outbox::Channel,
        photo_consents::ConsentPurpose, users::Role,
    },
    platform::{
        audience::{self, Audience},
        db,
        files::{FileDownload, FileReference, FileStore},
        images::{self, PictureLimits},
        jobs::{self, ScheduledRun},
        outbox::{self, Handlers, NewDelivery},
        services::Services,
        text,
    },
};
pub use rules::Hidden;
pub use store::{Album, Photo};

/// The longest album title and description, in characters.
pub const MAX_TITLE: usize = 200;
pub const MAX_DESCRIPTION: usize = 2000;
/// The side of a thumbnail (a square), and the longest side of a display copy, in pixels.
pub const THUMB_SIDE: u32 = 320;
pub const DISPLAY_SIDE: u32 = 1600;
/// The largest picture, per side (panoramas included).
const MAX_SIDE: u32 = 20_000;

/// The columns that point at the file store.
pub const FILE_REFERENCES: &[FileReference] = &[
    FileReference {
        table: "album_photos",
        column: "upload_key",
    },
    FileReference {
        table: "album_photos",
        column: "original_key",
    },
    FileReference {
        table: "album_photos",
        column: "thumb_key",
    },
    FileReference {
        table: "album_photos",
        column: "display_key",
    },
];

/// Registers the album mails with the outbox.
pub fn register(handlers: &mut Handlers) {
    mails::register(handlers);
}

/// The retention job: albums past `albums.keep_school_years` are deleted nightly.
pub fn jobs(settings: &Settings) -> anyhow::Result<Vec<jobs::Job>> {
    Ok(vec![jobs::Job {
        name: "album_retention",
        schedule: settings
            .cron_schedule(
                "schedule.album_retention",
                &settings.schedule.album_retention,
            )?
            .into(),
        run: |services, run| Box::pin(delete_expired_albums(services, run)),
    }])
}

/// An album as one reader sees it in the list.
pub struct AlbumSummary {
    pub album: Album,
    pub group_name: Option<String>,
    /// Photos the reader sees (staff: every photo but failed uploads).
    pub photo_count: usize,
    /// Photos parents do not see (staff only; 0 for parents).
    pub hidden_count: usize,
    pub cover: Option<Photo>,
    /// The reader may upload, tag, publish and delete.
    pub may_manage: bool,
}

/// A child tagged on a photo, or who can be.
#[derive(Clone, Debug)]
pub struct TaggedChild {
    pub id: i32,
    pub name: String,
    /// Consent for albums as it stands this school year.
    pub consent: bool,
}

pub struct PhotoView {
    pub photo: Photo,
    /// Who can be recognised (staff only: parents get an empty list).
    pub tags: Vec<TaggedChild>,
    /// Why parents do not see it (staff only).
    pub hidden: Option<Hidden>,
}

pub struct AlbumPage {
    pub summary: AlbumSummary,
    pub photos: Vec<PhotoView>,
    /// The children who may be tagged, with their consent (managers only).
    pub taggable: Vec<TaggedChild>,
    /// The viewer may download photos.
    pub may_download: bool,
}

/// The albums the reader sees, newest first: parents the published albums of the school
/// and of their children's groups; teachers also their groups' drafts; admins all.
pub async fn list(services: &Services, actor: &Actor) -> Result<Vec<AlbumSummary>, AppError> {
    let reader = Reader::of(services, actor).await?;
    let albums: Vec<Album> = store::albums(&services.db, reader.groups.clone(), reader.is_staff())
        .await?
        .into_iter()
        .filter(|album| reader.may_see(album))
        .collect();
    let contents = Contents::load(services, albums.iter().map(|a| a.id).collect()).await?;
    let names = crate::features::school::group_names(services).await?;
    Ok(albums
        .into_iter()
        .map(|album| {
            let photos = contents.views(album.id, &reader);
            summary(album, &photos, &names, &reader)
        })
        .collect())
}

/// One album with the photos the reader sees; 404 if they do not see it.
pub async fn get(services: &Services, actor: &Actor, id: i32) -> Result<AlbumPage, AppError> {
    let reader = Reader::of(services, actor).await?;
    let album = visible_album(services, &reader, id).await?;
    page(services, &reader, album).await
}

/// Makes a draft album: of a group (its teachers, admins) or of the school (admins).
pub async fn create(
    services: &Services,
    actor: &Actor,
    group_id: Option<i32>,
    title: &str,
    description: &str,
) -> Result<AlbumPage, AppError> {
    let audience = match group_id {
        Some(group) => Audience::Groups(vec![group]),
        None => Audience::School,
    };
    audience::check_addressing(&services.db, actor, &audience).await?;
    let (title, description) = clean_texts(title, description)?;
    let school_year = current_school_year(services)?;
    let write = db::AuditedWrite::begin(services, actor.id, "albums.create").await?;
    let new = store::NewAlbum {
        group_id,
        title,
        description,
        author_id: actor.id,
        school_year,
    };
    let album = store::insert_album(write.txn(), new, write.now()).await?;
    write
        .commit(format!("album:{}", album.id), serde_json::json!({}))
        .await?;
    let reader = Reader::of(services, actor).await?;
    page(services, &reader, album).await
}

/// Changes an album's title and description.
pub async fn update(
    services: &Services,
    actor: &Actor,
    id: i32,
    title: &str,
    description: &str,
) -> Result<AlbumPage, AppError> {
    let reader = Reader::of(services, actor).await?;
    let album = managed_album(services, &reader, id).await?;
    let (title, description) = clean_texts(title, description)?;
    let album = store::rename_album(
        &services.db,
        album,
        title,
        description,
        services.clock.now(),
    )
    .await?;
    page(services, &reader, album).await
}

/// Deletes an album with its photos (their files go with the janitor's next round).
pub async fn delete(services: &Services, actor: &Actor, id: i32) -> Result<(), AppError> {
    let reader = Reader::of(services, actor).await?;
    let album = managed_album(services, &reader, id).await?;
    let write = db::AuditedWrite::begin(services, actor.id, "albums.delete").await?;
    store::delete_album(write.txn(), album.id).await?;
    let details = serde_json::json!({ "title": album.title });
    write.commit(format!("album:{id}"), details).await?;
    Ok(())
}

/// Takes a photo into an album: stored as sent and checked by its first bytes (a JPEG, PNG
/// or WebP within the size limits), then left to the background job. Answers at once.
pub async fn upload(
    services: &Services,
    actor: &Actor,
    album_id: i32,
    file_name: &str,
    body: impl AsyncRead + Unpin + Send,
) -> Result<PhotoView, AppError> {
    let reader = Reader::of(services, actor).await?;
    let album = managed_album(services, &reader, album_id).await?;
    let settings = &services.settings.albums;
    if store::photo_count(&services.db, album.id).await? >= u64::from(settings.max_photos_per_album)
    {
        return Err(AppError::conflict(
            "album_full",
            format!(
                "An album holds at most {} photos: start a new one.",
                settings.max_photos_per_album
            ),
        ));
    }
    let object = services.files.put(body, settings.max_photo_bytes).await?;
    let header = match images::check_header(&object.head, picture_limits(&services.settings)) {
        Ok(header) => header,
        Err(refused) => {
            services.files.discard(object).await?;
            return Err(refused);
        }
    };
    let now = services.clock.now();
    let txn = db::begin_write(&services.db).await?;
    FileStore::record(&txn, &object, header.content_type, now).await?;
    let new = store::NewPhoto {
        album_id: album.id,
        uploader_id: actor.id,
        file_name: crate::platform::files::types::clean_file_name(file_name),
        upload_key: Some(object.key),
    };
    let photo = store::insert_photo(&txn, new, now).await?;
    txn.commit().await?;
    processing::wake();
    Ok(PhotoView {
        photo,
        tags: Vec::new(),
        hidden: Some(Hidden::NotReady),
    })
}

/// Says who can be recognised on a photo: some children of the album's group (each once),
/// or nobody recognisable.
pub async fn tag(
    services: &Services,
    actor: &Actor,
    photo_id: i32,
    child_ids: Vec<i32>,
    no_recognisable_children: bool,
) -> Result<PhotoView, AppError> {
    let reader = Reader::of(services, actor).await?;
    let (album, photo) = managed_photo(services, &reader, photo_id).await?;
    let child_ids: Vec<i32> = child_ids
        .into_iter()
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    if no_recognisable_children && !child_ids.is_empty() {
        return Err(AppError::invalid(
            "no_recognisable_children",
            "tags_conflict",
            "A photo with tagged children shows recognisable children: untag them first.",
        ));
    }
    let taggable: HashSet<i32> = store::taggable_children(&services.db, album.group_id)
        .await?
        .into_iter()
        .map(|child| child.id)
        .collect();
    if let Some(stranger) = child_ids.iter().find(|id| !taggable.contains(id)) {
        return Err(AppError::invalid(
            "child_ids",
            "unknown_child",
            format!("Child {stranger} is not in this album's group."),
        ));
    }
    let txn = db::begin_write(&services.db).await?;
    store::set_tags(&txn, photo.id, &child_ids, no_recognisable_children).await?;
    txn.commit().await?;
    let tagged = store::photo(&services.db, photo.id)
        .await?
        .ok_or_else(|| AppError::not_found("photo"))?;
    Contents::of(services, vec![tagged])
        .await?
        .views(album.id, &reader)
        .into_iter()
        .find(|view| view.photo.id == photo.id)
        .ok_or_else(|| AppError::not_found("photo"))
}

/// Removes a photo (its files go with the janitor's next round).
pub async fn delete_photo(
    services: &Services,
    actor: &Actor,
    photo_id: i32,
) -> Result<(), AppError> {
    let reader = Reader::of(services, actor).await?;
    let (_, photo) = managed_photo(services, &reader, photo_id).await?;
    store::delete_photo(&services.db, photo.id).await?;
    Ok(())
}

/// Publishes a draft: every processed photo must be tagged (or marked as showing nobody
/// recognisable) and none may still be processing. Each parent the album reaches gets one
/// e-mail (however many children they have in the group), through the outbox.
pub async fn publish(services: &Services, actor: &Actor, id: i32) -> Result<AlbumPage, AppError> {
    let reader = Reader::of(services, actor).await?;
    let album = managed_album(services, &reader, id).await?;
    if album.published_at.is_some() {
        return page(services, &reader, album).await;
    }
    let contents = Contents::load(services, vec![album.id]).await?;
    let photos = contents.views(album.id, &reader);
    if photos
        .iter()
        .any(|view| view.photo.status == PhotoStatus::Pending)
    {
        return Err(AppError::conflict(
            "photos_processing",
            "Some photos are still being processed: publish when they are done.",
        ));
    }
    let untagged = photos
        .iter()
        .filter(|view| view.hidden == Some(Hidden::Untagged))
        .count();
    if untagged > 0 {
        return Err(AppError::conflict(
            "untagged_photos",
            format!(
                "{untagged} photo(s) are not tagged yet: tag the children on them or mark them \
                 as showing no recognisable children."
            ),
        ));
    }
    if !photos
        .iter()
        .any(|view| view.photo.status == PhotoStatus::Ready)
    {
        return Err(AppError::conflict(
            "empty_album",
            "Add photos before publishing the album.",
        ));
    }
    let audience = match album.group_id {
        Some(group) => Audience::Groups(vec![group]),
        None => Audience::School,
    };
    let write = db::AuditedWrite::begin(services, actor.id, "albums.publish").await?;
    if store::publish(write.txn(), album.id, write.now()).await? {
        let parents: HashSet<i32> = audience::parents_reached(write.txn(), &audience)
            .await?
            .into_iter()
            .map(|reached| reached.parent.id)
            .collect();
        let mails = parents
            .into_iter()
            .map(|parent| NewDelivery {
                channel: Channel::Email,
                kind: mails::ALBUM_PUBLISHED,
                user_id: Some(parent),
                dedupe_key: format!("album:{}:{parent}", album.id),
                payload: serde_json::json!({ "album_id": album.id }),
                urgent: false,
            })
            .collect();
        outbox::enqueue(write.txn(), mails, write.now()).await?;
    }
    write
        .commit(format!("album:{id}"), serde_json::json!({}))
        .await?;
    services.outbox.wake();
    let album = store::album(&services.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("album"))?;
    page(services, &reader, album).await
}

/// Which copy of a photo.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    /// A square of `THUMB_SIDE` pixels.
    Thumb,
    /// At most `DISPLAY_SIDE` pixels on its longest side.
    Display,
    /// The file as uploaded, where the school keeps originals: staff only.
    Original,
}

impl Variant {
    pub fn code(self) -> &'static str {
        match self {
            Self::Thumb => "thumb",
            Self::Display => "display",
            Self::Original => "original",
        }
    }
}

/// The address of a copy of a photo: it carries the start of the file's key, so it cannot
/// be guessed from the photo's number and changes when the file does. Every request is
/// still checked against the album's audience.
pub fn photo_url(photo: &Photo, variant: Variant) -> Option<String> {
    let key = variant_key(photo, variant)?;
    Some(format!(
        "/api/photos/{}/{}/{}",
        photo.id,
        variant.code(),
        &key[..KEY_IN_ADDRESS.min(key.len())]
    ))
}

/// Characters of the file's key in a photo's address (64 bits).
const KEY_IN_ADDRESS: usize = 16;

fn variant_key(photo: &Photo, variant: Variant) -> Option<&str> {
    match variant {
        Variant::Thumb => photo.thumb_key.as_deref(),
        Variant::Display => photo.display_key.as_deref(),
        Variant::Original => photo.original_key.as_deref(),
    }
}

/// A photo file to send.
pub struct PhotoFile {
    pub file: FileDownload,
    pub file_name: String,
}

/// A copy of a photo the reader may see; 404 for anything else (wrong address, album not
/// theirs, photo hidden from parents, originals for parents). `download`: as a file to
/// keep, which parents may only where the school allows it.
pub async fn photo_file(
    services: &Services,
    actor: &Actor,
    photo_id: i32,
    variant: Variant,
    key_start: &str,
    download: bool,
) -> Result<PhotoFile, AppError> {
    let not_found = || AppError::not_found("photo");
    let reader = Reader::of(services, actor).await?;
    let photo = store::photo(&services.db, photo_id)
        .await?
        .ok_or_else(not_found)?;
    let album = visible_album(services, &reader, photo.album_id)
        .await
        .map_err(|_| not_found())?;
    let key = variant_key(&photo, variant).ok_or_else(not_found)?;
    if key_start.len() != KEY_IN_ADDRESS || !key.starts_with(key_start) {
        return Err(not_found());
    }
    if !reader.is_staff() {
        if variant == Variant::Original {
            return Err(not_found());
        }
        if Contents::of(services, vec![photo.clone()])
            .await?
            .views(album.id, &reader)
            .is_empty()
        {
            return Err(not_found());
        }
        if download && !services.settings.albums.allow_download {
            return Err(AppError::forbidden_with(
                "download_not_allowed",
                "The school does not allow downloading photos.",
            ));
        }
    }
    let key = key.to_string();
    let file = services
        .files
        .get(&services.db, &key)
        .await?
        .ok_or_else(not_found)?;
    let stem = photo
        .file_name
        .rsplit_once('.')
        .map_or(photo.file_name.as_str(), |(stem, _)| stem);
    let file_name = match variant {
        Variant::Original => photo.file_name.clone(),
        _ => format!("{stem}.jpg"),
    };
    Ok(PhotoFile { file, file_name })
}

/// Adds a picture made on the server (the demo's drawings) as a processed photo: its copies
/// are made and stored at once, its row written in the caller's transaction.
pub async fn add_made_photo(
    services: &Services,
    txn: &impl sea_orm::ConnectionTrait,
    album_id: i32,
    uploader_id: i32,
    file_name: &str,
    picture: image::DynamicImage,
) -> Result<Photo, AppError> {
    let copies = blocking(move || processing::make_copies(&picture)).await??;
    let stored = processing::put_copies(services, copies).await?;
    let now = services.clock.now();
    let new = store::NewPhoto {
        album_id,
        uploader_id,
        file_name: file_name.into(),
        upload_key: None,
    };
    let photo = store::insert_photo(txn, new, now).await?;
    let processed = processing::record_copies(txn, stored, false, now).await?;
    store::finish_photo(txn, photo.clone(), processed, now).await?;
    store::photo(txn, photo.id)
        .await?
        .ok_or_else(|| AppError::internal("a photo just added is gone"))
}

/// The school year now, in the school's time zone.
pub fn current_school_year(services: &Services) -> Result<i32, AppError> {
    let settings = &services.settings;
    let zone = settings.time_zone().map_err(AppError::Internal)?;
    let today = services.clock.now().with_timezone(&zone).date_naive();
    let start = settings.school_year_start().map_err(AppError::Internal)?;
    Ok(rules::school_year_of(today, start))
}

/// How many of an album's photos parents see.
async fn photos_parents_see(services: &Services, album_id: i32) -> Result<usize, AppError> {
    let parents = Reader {
        role: Role::Parent,
        groups: None,
    };
    Ok(Contents::load(services, vec![album_id])
        .await?
        .views(album_id, &parents)
        .len())
}

fn picture_limits(settings: &Settings) -> PictureLimits {
    PictureLimits {
        max_side: MAX_SIDE,
        max_pixels: u64::from(settings.albums.max_megapixels) * 1_000_000,
    }
}

/// Deletes the albums of school years past `albums.keep_school_years`, photos included.
async fn delete_expired_albums(services: &Services, _run: &ScheduledRun) -> anyhow::Result<i32> {
    let current = current_school_year(services)?;
    let until =
        rules::last_expired_school_year(current, services.settings.albums.keep_school_years);
    let deleted = store::delete_albums_until(&services.db, until).await?;
    if deleted > 0 {
        tracing::info!(deleted, until, "albums past their retention deleted");
    }
    Ok(i32::try_from(deleted).unwrap_or(i32::MAX))
}

async fn page(services: &Services, reader: &Reader, album: Album) -> Result<AlbumPage, AppError> {
    let contents = Contents::load(services, vec![album.id]).await?;
    let photos = contents.views(album.id, reader);
    let names = crate::features::school::group_names(services).await?;
    let taggable = if reader.may_manage(&album) {
        let children = store::taggable_children(&services.db, album.group_id).await?;
        let book = ConsentBook::load(services, children.iter().map(|c| c.id).collect()).await?;
        children.iter().map(|child| book.tagged(child)).collect()
    } else {
        Vec::new()
    };
    let summary = summary(album, &photos, &names, reader);
    Ok(AlbumPage {
        may_download: reader.is_staff() || services.settings.albums.allow_download,
        summary,
        photos,
        taggable,
    })
}

fn summary(
    album: Album,
    photos: &[PhotoView],
    names: &HashMap<i32, String>,
    reader: &Reader,
) -> AlbumSummary {
    let shown: Vec<&PhotoView> = photos
        .iter()
        .filter(|view| view.photo.status != PhotoStatus::Failed)
        .collect();
    AlbumSummary {
        group_name: album.group_id.and_then(|group| names.get(&group).cloned()),
        photo_count: shown.len(),
        hidden_count: shown.iter().filter(|view| view.hidden.is_some()).count(),
        cover: shown
            .iter()
            .find(|view| view.hidden.is_none())
            .or_else(|| {
                shown
                    .iter()
                    .find(|view| view.photo.status == PhotoStatus::Ready)
            })
            .map(|view| view.photo.clone()),
        may_manage: reader.may_manage(&album),
        album,
    }
}

/// The photos of some albums with their tags and the tagged children's consent.
struct Contents {
    photos: Vec<Photo>,
    tags: HashMap<i32, Vec<i32>>,
    book: ConsentBook,
}

impl Contents {
    async fn load(services: &Services, album_ids: Vec<i32>) -> Result<Self, AppError> {
        Self::of(services, store::photos_of(&services.db, album_ids).await?).await
    }

    /// Some photos with their tags and consent: one photo's (its file is asked for once per
    /// thumbnail of a grid) without reading its whole album.
    async fn of(services: &Services, photos: Vec<Photo>) -> Result<Self, AppError> {
        let mut tags: HashMap<i32, Vec<i32>> = HashMap::new();
        for (photo, child) in
            store::tags_of(&services.db, photos.iter().map(|p| p.id).collect()).await?
        {
            tags.entry(photo).or_default().push(child);
        }
        let tagged: HashSet<i32> = tags.values().flatten().copied().collect();
        let book = ConsentBook::load(services, tagged.into_iter().collect()).await?;
        Ok(Self { photos, tags, book })
    }

    /// The album's photos as the reader sees them: parents only those not hidden from
    /// them, without tags; staff all, with tags and why parents do not see them.
    fn views(&self, album_id: i32, reader: &Reader) -> Vec<PhotoView> {
        self.photos
            .iter()
            .filter(|photo| photo.album_id == album_id)
            .filter_map(|photo| {
                let tagged = self.tags.get(&photo.id).map_or(&[][..], Vec::as_slice);
                let facts = rules::PhotoFacts {
                    status: photo.status,
                    no_recognisable_children: photo.no_recognisable_children,
                    tagged,
                };
                let hidden =
                    rules::hidden_from_parents(&facts, |child| self.book.has_consent(child));
                if !reader.is_staff() {
                    // Originals (with the camera's metadata) are for staff only.
                    return hidden.is_none().then(|| PhotoView {
                        photo: Photo {
                            original_key: None,
                            ..photo.clone()
                        },
                        tags: Vec::new(),
                        hidden: None,
                    });
                }
                let mut tags: Vec<TaggedChild> = tagged
                    .iter()
                    .filter_map(|child| self.book.children.get(child))
                    .map(|child| self.book.tagged(child))
                    .collect();
                tags.sort_by(|a, b| a.name.cmp(&b.name));
                Some(PhotoView {
                    photo: photo.clone(),
                    tags,
                    hidden,
                })
            })
            .collect()
    }
}

/// Some children and whether each has consent for albums this school year.
struct ConsentBook {
    children: HashMap<i32, children::Model>,
    consenting: HashSet<i32>,
}

impl ConsentBook {
    async fn load(services: &Services, child_ids: Vec<i32>) -> Result<Self, AppError> {
        let school_year = current_school_year(services)?;
        let each_year = services.settings.albums.consent_each_school_year;
        let consenting = store::consents(&services.db, child_ids.clone(), ConsentPurpose::Albums)
            .await?
            .into_iter()
            .filter(|answer| {
                rules::current_answer(
                    Some((answer.granted, answer.school_year)),
                    school_year,
                    each_year,
                ) == Some(true)
            })
            .map(|answer| answer.child_id)
            .collect();
        let children = store::children_by_ids(&services.db, child_ids)
            .await?
            .into_iter()
            .map(|child| (child.id, child))
            .collect();
        Ok(Self {
            children,
            consenting,
        })
    }

    fn has_consent(&self, child: i32) -> bool {
        self.consenting.contains(&child)
    }

    fn tagged(&self, child: &children::Model) -> TaggedChild {
        TaggedChild {
            id: child.id,
            name: full_name(
                &child.first_name,
                child.name_prefix.as_deref(),
                &child.last_name,
            ),
            consent: self.has_consent(child.id),
        }
    }
}

/// Who reads: the groups whose albums they see (`None`: all) and their role.
struct Reader {
    role: Role,
    groups: Option<Vec<i32>>,
}

impl Reader {
    async fn of(services: &Services, actor: &Actor) -> Result<Self, AppError> {
        Ok(Self {
            role: actor.role,
            groups: audience::groups_seen_by(&services.db, actor.id, actor.role).await?,
        })
    }

    fn is_staff(&self) -> bool {
        self.role != Role::Parent
    }

    fn reaches(&self, album: &Album) -> bool {
        match (album.group_id, &self.groups) {
            (_, None) | (None, _) => true,
            (Some(group), Some(groups)) => groups.contains(&group),
        }
    }

    /// Published albums of their audience; drafts only for those who manage them.
    fn may_see(&self, album: &Album) -> bool {
        self.may_manage(album) || (album.published_at.is_some() && self.reaches(album))
    }

    /// Admins manage every album, teachers their groups' (the groups they see are those
    /// they teach).
    fn may_manage(&self, album: &Album) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Teacher => album.group_id.is_some() && self.reaches(album),
            Role::Parent => false,
        }
    }
}

async fn visible_album(services: &Services, reader: &Reader, id: i32) -> Result<Album, AppError> {
    store::album(&services.db, id)
        .await?
        .filter(|album| reader.may_see(album))
        .ok_or_else(|| AppError::not_found("album"))
}

async fn managed_album(services: &Services, reader: &Reader, id: i32) -> Result<Album, AppError> {
    let album = visible_album(services, reader, id).await?;
    if reader.may_manage(&album) {
        Ok(album)
    } else {
        Err(AppError::forbidden())
    }
}

async fn managed_photo(
    services: &Services,
    reader: &Reader,
    photo_id: i32,
) -> Result<(Album, Photo), AppError> {
    let photo = store::photo(&services.db, photo_id)
        .await?
        .ok_or_else(|| AppError::not_found("photo"))?;
    let album = managed_album(services, reader, photo.album_id).await?;
    Ok((album, photo))
}

fn clean_texts(title: &str, description: &str) -> Result<(String, String), AppError> {
    let title = title.trim();
    if title.is_empty() || title.chars().count() > MAX_TITLE || title.chars().any(char::is_control)
    {
        return Err(AppError::invalid(
            "title",
            "invalid_title",
            format!("A title has 1 to {MAX_TITLE} characters on one line."),
        ));
    }
    let description =
        text::optional_text("description", description, MAX_DESCRIPTION)?.unwrap_or_default();
    Ok((title.to_string(), description))
}
