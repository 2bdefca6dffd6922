//! Photo albums: the albums a user sees, albums and uploads for staff, tagging the children
//! on each photo and publishing; the photos themselves (checked per request); and each
//! child's photo consent.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Enum, Multipart, Object, OpenApi,
    param::{Path, Query},
    payload::{Binary, Json},
    types::{Example, multipart::Upload},
};

use crate::http::error::{ApiError, Lookup, ManagedLookup, error_sets};
use crate::{
    entities::{album_photos::PhotoStatus, photo_consents::ConsentPurpose},
    features::albums::{
        self, AlbumPage, AlbumSummary, Hidden, PhotoView, TaggedChild, Variant,
        consent::{self, ConsentView},
    },
    http::{
        ApiTags,
        security::Auth,
        state::HttpState,
        types::{Done, Text, streamed},
    },
};

pub struct AlbumsApi;

type Title = Text<1, { albums::MAX_TITLE }>;
type Description = Text<0, { albums::MAX_DESCRIPTION }>;

#[derive(Debug, Object)]
pub struct AlbumSummaryResponse {
    pub id: i32,
    pub title: String,
    pub description: String,
    /// Empty: an album of the whole school.
    #[oai(nullable)]
    pub group_id: Option<i32>,
    #[oai(nullable)]
    pub group_name: Option<String>,
    /// Empty while a draft (only staff see drafts).
    #[oai(nullable)]
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// Photos the caller sees (staff: all but failed uploads).
    pub photo_count: u32,
    /// Of those, photos parents do not see (staff only).
    pub hidden_count: u32,
    /// The first photo's thumbnail.
    #[oai(nullable)]
    pub cover_url: Option<String>,
    /// The caller may upload, tag, publish and delete.
    pub may_manage: bool,
}

impl From<AlbumSummary> for AlbumSummaryResponse {
    fn from(summary: AlbumSummary) -> Self {
        let album = summary.album;
        Self {
            id: album.id,
            title: album.title,
            description: album.description,
            group_id: album.group_id,
            group_name: summary.group_name,
            published_at: album.published_at,
            created_at: album.created_at,
            photo_count: count(summary.photo_count),
            hidden_count: count(summary.hidden_count),
            cover_url: summary
                .cover
                .and_then(|photo| albums::photo_url(&photo, Variant::Thumb)),
            may_manage: summary.may_manage,
        }
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Where a photo is in its processing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum PhotoStatusDto {
    /// Uploaded; its copies are being made.
    Pending,
    Ready,
    /// Could not be used (`failure` says why): send it again or delete it.
    Failed,
}

impl From<PhotoStatus> for PhotoStatusDto {
    fn from(status: PhotoStatus) -> Self {
        match status {
            PhotoStatus::Pending => Self::Pending,
            PhotoStatus::Ready => Self::Ready,
            PhotoStatus::Failed => Self::Failed,
        }
    }
}

/// Why parents do not see a photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum HiddenReason {
    /// Still being processed, or processing failed.
    NotReady,
    /// Nobody said yet who is on it.
    Untagged,
    /// A child on it has no photo consent for albums (`hidden_children`).
    NoConsent,
}

#[derive(Debug, Object)]
pub struct TaggedChildResponse {
    pub id: i32,
    pub name: String,
    /// Photo consent for albums this school year.
    pub consent: bool,
}

impl From<TaggedChild> for TaggedChildResponse {
    fn from(child: TaggedChild) -> Self {
        Self {
            id: child.id,
            name: child.name,
            consent: child.consent,
        }
    }
}

#[derive(Debug, Object)]
pub struct PhotoResponse {
    pub id: i32,
    pub status: PhotoStatusDto,
    /// Why processing failed: `image_too_large`, `unsupported_image_type`,
    /// `unreadable_image`, `processing_failed`.
    #[oai(nullable)]
    pub failure: Option<String>,
    pub file_name: String,
    /// Size of the display copy.
    #[oai(nullable)]
    pub width: Option<i32>,
    #[oai(nullable)]
    pub height: Option<i32>,
    /// A square of 320 px.
    #[oai(nullable)]
    pub thumb_url: Option<String>,
    /// At most 1600 px on its longest side.
    #[oai(nullable)]
    pub display_url: Option<String>,
    /// The file as sent (staff, where the school keeps originals).
    #[oai(nullable)]
    pub original_url: Option<String>,
    pub no_recognisable_children: bool,
    /// Children recognisable on it (staff only).
    pub tags: Vec<TaggedChildResponse>,
    /// Why parents do not see it (staff only).
    #[oai(nullable)]
    pub hidden: Option<HiddenReason>,
    /// With `no_consent`: the children without consent.
    pub hidden_children: Vec<i32>,
}

impl From<PhotoView> for PhotoResponse {
    fn from(view: PhotoView) -> Self {
        let photo = view.photo;
        let (hidden, hidden_children) = match view.hidden {
            None => (None, Vec::new()),
            Some(Hidden::NotReady) => (Some(HiddenReason::NotReady), Vec::new()),
            Some(Hidden::Untagged) => (Some(HiddenReason::Untagged), Vec::new()),
            Some(Hidden::NoConsent(children)) => (Some(HiddenReason::NoConsent), children),
        };
        Self {
            thumb_url: albums::photo_url(&photo, Variant::Thumb),
            display_url: albums::photo_url(&photo, Variant::Display),
            original_url: albums::photo_url(&photo, Variant::Original),
            id: photo.id,
            status: photo.status.into(),
            failure: photo.failure,
            file_name: photo.file_name,
            width: photo.width,
            height: photo.height,
            no_recognisable_children: photo.no_recognisable_children,
            tags: view.tags.into_iter().map(Into::into).collect(),
            hidden,
            hidden_children,
        }
    }
}

#[derive(Debug, Object)]
pub struct AlbumResponse {
    pub album: AlbumSummaryResponse,
    /// In upload order. Parents get only the photos they may see.
    pub photos: Vec<PhotoResponse>,
    /// Children who can be tagged, with their consent (those who manage the album).
    pub taggable: Vec<TaggedChildResponse>,
    /// The caller may download photos.
    pub may_download: bool,
}

impl From<AlbumPage> for AlbumResponse {
    fn from(page: AlbumPage) -> Self {
        Self {
            album: page.summary.into(),
            photos: page.photos.into_iter().map(Into::into).collect(),
            taggable: page.taggable.into_iter().map(Into::into).collect(),
            may_download: page.may_download,
        }
    }
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct AlbumRequest {
    /// An album of this group (its teachers, admins); leave out for the whole school
    /// (admins).
    #[oai(nullable)]
    pub group_id: Option<i32>,
    pub title: Title,
    #[oai(nullable)]
    pub description: Option<Description>,
}

impl Example for AlbumRequest {
    fn example() -> Self {
        Self {
            group_id: Some(1),
            title: "Autumn walk".into(),
            description: Some("Our walk through the park on Tuesday.".into()),
        }
    }
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct AlbumUpdateRequest {
    pub title: Title,
    #[oai(nullable)]
    pub description: Option<Description>,
}

impl Example for AlbumUpdateRequest {
    fn example() -> Self {
        Self {
            title: "Autumn walk in the park".into(),
            description: None,
        }
    }
}

#[derive(Debug, Multipart)]
pub struct AlbumPhotoUpload {
    /// A JPEG, PNG or WebP photo, at most `albums.max_photo_bytes` (30 MB) and
    /// `albums.max_megapixels` (64). Stored as a thumbnail and a display copy without the
    /// camera's metadata.
    pub photo: Upload,
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct TagsRequest {
    /// Children of the album's group who can be recognised on the photo.
    pub child_ids: Vec<i32>,
    /// No child can be recognised (then `child_ids` is empty).
    pub no_recognisable_children: bool,
}

impl Example for TagsRequest {
    fn example() -> Self {
        Self {
            child_ids: vec![1, 2],
            no_recognisable_children: false,
        }
    }
}

/// Which copy of a photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum PhotoVariant {
    Thumb,
    Display,
    Original,
}

impl From<PhotoVariant> for Variant {
    fn from(variant: PhotoVariant) -> Self {
        match variant {
            PhotoVariant::Thumb => Variant::Thumb,
            PhotoVariant::Display => Variant::Display,
            PhotoVariant::Original => Variant::Original,
        }
    }
}

/// A copy of a photo.
#[derive(ApiResponse)]
pub enum PhotoCopy {
    #[oai(status = 200)]
    Photo(
        Binary<poem::Body>,
        #[oai(header = "Content-Type")] String,
        #[oai(header = "Content-Length")] u64,
        #[oai(header = "Cache-Control")] String,
        #[oai(header = "Content-Disposition")] String,
    ),
}

/// What photos of a child may be used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ConsentPurposeDto {
    /// The app's photo albums (parents of the group or school).
    Albums,
    /// The school's public website.
    Website,
    /// The newsletter and printed material (yearbook, brochure).
    Print,
}

impl From<ConsentPurposeDto> for ConsentPurpose {
    fn from(purpose: ConsentPurposeDto) -> Self {
        match purpose {
            ConsentPurposeDto::Albums => Self::Albums,
            ConsentPurposeDto::Website => Self::Website,
            ConsentPurposeDto::Print => Self::Print,
        }
    }
}

impl From<ConsentPurpose> for ConsentPurposeDto {
    fn from(purpose: ConsentPurpose) -> Self {
        match purpose {
            ConsentPurpose::Albums => Self::Albums,
            ConsentPurpose::Website => Self::Website,
            ConsentPurpose::Print => Self::Print,
        }
    }
}

#[derive(Debug, Object)]
pub struct ConsentAnswerResponse {
    pub purpose: ConsentPurposeDto,
    /// Empty: not answered (this school year, where the school asks each year): no consent.
    #[oai(nullable)]
    pub granted: Option<bool>,
    #[oai(nullable)]
    pub decided_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Object)]
pub struct ConsentResponse {
    pub child_id: i32,
    /// E.g. "2026/27".
    pub school_year: String,
    /// The school asks again each school year.
    pub asked_each_year: bool,
    /// Families can no longer give consent in the app this school year (the office can);
    /// withdrawing still works.
    pub giving_locked: bool,
    /// The caller may answer (parents unless read-only, the office).
    pub may_change: bool,
    pub answers: Vec<ConsentAnswerResponse>,
}

impl From<ConsentView> for ConsentResponse {
    fn from(view: ConsentView) -> Self {
        Self {
            child_id: view.child_id,
            school_year: albums::rules::school_year_label(view.school_year),
            asked_each_year: view.asked_each_year,
            giving_locked: view.giving_locked,
            may_change: view.may_change,
            answers: view
                .answers
                .into_iter()
                .map(|answer| ConsentAnswerResponse {
                    purpose: answer.purpose.into(),
                    granted: answer.granted,
                    decided_at: answer.decided_at,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct ConsentRequest {
    pub purpose: ConsentPurposeDto,
    pub granted: bool,
}

impl Example for ConsentRequest {
    fn example() -> Self {
        Self {
            purpose: ConsentPurposeDto::Albums,
            granted: true,
        }
    }
}

#[derive(ApiResponse)]
pub enum CreateAlbumResponse {
    /// Made, as a draft.
    #[oai(status = 201)]
    Created(Json<AlbumResponse>),
}

#[derive(ApiResponse)]
pub enum PhotoAccepted {
    /// Stored; its copies are made in the background (`status` turns `ready` or `failed`).
    #[oai(status = 202)]
    Accepted(Json<PhotoResponse>),
}

error_sets! {
    AlbumCreateErrors {
        400 => &["invalid_title", "invalid_text", "no_audience", "unknown_group"],
        403 => &["forbidden_role", "school_audience_needs_admin", "not_own_group"],
    }
    AlbumUpdateErrors {
        400 => &["invalid_title", "invalid_text"],
        403 => &["forbidden"],
        404 => &["not_found"],
    }
    AlbumUploadErrors {
        400 => &["empty_file", "unreadable_upload"],
        403 => &["forbidden"],
        404 => &["not_found"],
        409 => &["album_full"],
        413 => &["file_too_large", "image_too_large"],
        415 => &["unsupported_image_type"],
    }
    PublishErrors {
        403 => &["forbidden"],
        404 => &["not_found"],
        409 => &["photos_processing", "untagged_photos", "empty_album"],
    }
    TagErrors {
        400 => &["tags_conflict", "unknown_child"],
        403 => &["forbidden"],
        404 => &["not_found"],
    }
    PhotoFileErrors {
        403 => &["download_not_allowed"],
        404 => &["not_found"],
    }
    ConsentErrors {
        403 => &["read_only", "consent_locked"],
        404 => &["not_found"],
    }
}

#[OpenApi(tag = "ApiTags::Albums")]
impl AlbumsApi {
    /// The albums I see
    ///
    /// Parents: the published albums of the school and of their children's groups;
    /// teachers also their groups' drafts; admins all. Newest first.
    #[oai(path = "/albums", method = "get", operation_id = "list_albums")]
    async fn list(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
    ) -> Result<Json<Vec<AlbumSummaryResponse>>, ApiError<Lookup>> {
        let albums = albums::list(&state, &auth.user().actor()).await?;
        Ok(Json(albums.into_iter().map(Into::into).collect()))
    }

    /// Make an album (staff)
    ///
    /// A draft that only staff see until it is published.
    #[oai(path = "/albums", method = "post", operation_id = "create_album")]
    async fn create(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        body: Json<AlbumRequest>,
    ) -> Result<CreateAlbumResponse, ApiError<AlbumCreateErrors>> {
        let description = body.description.as_deref().unwrap_or("");
        let page = albums::create(
            &state,
            &auth.user().actor(),
            body.group_id,
            &body.title,
            description,
        )
        .await?;
        Ok(CreateAlbumResponse::Created(Json(page.into())))
    }

    /// An album with its photos
    #[oai(path = "/albums/:id", method = "get", operation_id = "get_album")]
    async fn get(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Json<AlbumResponse>, ApiError<Lookup>> {
        let page = albums::get(&state, &auth.user().actor(), id.0).await?;
        Ok(Json(page.into()))
    }

    /// Change an album's title and description (staff)
    #[oai(path = "/albums/:id", method = "patch", operation_id = "update_album")]
    async fn update(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
        body: Json<AlbumUpdateRequest>,
    ) -> Result<Json<AlbumResponse>, ApiError<AlbumUpdateErrors>> {
        let description = body.description.as_deref().unwrap_or("");
        let page =
            albums::update(&state, &auth.user().actor(), id.0, &body.title, description).await?;
        Ok(Json(page.into()))
    }

    /// Delete an album with its photos (staff)
    #[oai(path = "/albums/:id", method = "delete", operation_id = "delete_album")]
    async fn delete(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Done, ApiError<ManagedLookup>> {
        albums::delete(&state, &auth.user().actor(), id.0).await?;
        Ok(Done::Done)
    }

    /// Add a photo to an album (staff)
    ///
    /// Answers at once (202) after checking the file's first bytes: a JPEG, PNG or WebP
    /// (415 `unsupported_image_type`) within the size limits (413); its thumbnail and
    /// display copy are made in the background. Send one photo per request.
    #[oai(
        path = "/albums/:id/photos",
        method = "post",
        operation_id = "upload_album_photo"
    )]
    async fn upload(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
        upload: AlbumPhotoUpload,
    ) -> Result<PhotoAccepted, ApiError<AlbumUploadErrors>> {
        let file_name = upload.photo.file_name().unwrap_or("photo").to_string();
        // poem-openapi spooled the upload to a temporary file; it streams on from there.
        let body = upload.photo.into_async_read();
        let view = albums::upload(&state, &auth.user().actor(), id.0, &file_name, body).await?;
        Ok(PhotoAccepted::Accepted(Json(view.into())))
    }

    /// Publish an album (staff)
    ///
    /// Every photo must be processed and tagged (or marked as showing no recognisable
    /// children). Each parent the album reaches gets one e-mail, unless they switched
    /// new-album e-mails off.
    #[oai(
        path = "/albums/:id/publish",
        method = "post",
        operation_id = "publish_album"
    )]
    async fn publish(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Json<AlbumResponse>, ApiError<PublishErrors>> {
        let page = albums::publish(&state, &auth.user().actor(), id.0).await?;
        Ok(Json(page.into()))
    }

    /// Say who is on a photo (staff)
    #[oai(path = "/photos/:id/tags", method = "put", operation_id = "tag_photo")]
    async fn tag(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
        body: Json<TagsRequest>,
    ) -> Result<Json<PhotoResponse>, ApiError<TagErrors>> {
        let body = body.0;
        let view = albums::tag(
            &state,
            &auth.user().actor(),
            id.0,
            body.child_ids,
            body.no_recognisable_children,
        )
        .await?;
        Ok(Json(view.into()))
    }

    /// Delete a photo (staff)
    #[oai(
        path = "/photos/:id",
        method = "delete",
        operation_id = "delete_album_photo"
    )]
    async fn delete_photo(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Done, ApiError<ManagedLookup>> {
        albums::delete_photo(&state, &auth.user().actor(), id.0).await?;
        Ok(Done::Done)
    }

    /// A copy of a photo
    ///
    /// Use the addresses the album gives (`thumb_url`, `display_url`, `original_url`);
    /// `download=true` sends it as a file to keep (403 `download_not_allowed` for parents
    /// where the school does not allow it).
    #[oai(
        path = "/photos/:id/:variant/:key",
        method = "get",
        operation_id = "get_album_photo"
    )]
    async fn photo(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
        variant: Path<PhotoVariant>,
        key: Path<String>,
        download: Query<Option<bool>>,
    ) -> Result<PhotoCopy, ApiError<PhotoFileErrors>> {
        let download = download.0.unwrap_or(false);
        let photo = albums::photo_file(
            &state,
            &auth.user().actor(),
            id.0,
            variant.0.into(),
            &key.0,
            download,
        )
        .await?;
        let disposition = format!(
            "{}; filename=\"{}\"",
            if download { "attachment" } else { "inline" },
            photo
                .file_name
                .replace(|c: char| !c.is_ascii() || c == '"', "_")
        );
        let file = photo.file;
        // The address changes with the file; a withdrawn consent must not linger long.
        Ok(PhotoCopy::Photo(
            Binary(streamed(file.body)),
            file.file.content_type,
            file.file.size,
            "private, max-age=600".into(),
            disposition,
        ))
    }

    /// A child's photo consent
    ///
    /// For its parents, its group's teachers and the office (404 for others).
    #[oai(
        path = "/children/:id/photo-consent",
        method = "get",
        operation_id = "get_photo_consent"
    )]
    async fn consent(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Json<ConsentResponse>, ApiError<Lookup>> {
        let view = consent::get(&state, &auth.user().actor(), id.0).await?;
        Ok(Json(view.into()))
    }

    /// Answer a photo consent question for a child (its parents, the office)
    ///
    /// A withdrawn consent for albums hides the child's photos from parents at once and
    /// tells the authors of the albums. From the school's lock day families can only
    /// withdraw (403 `consent_locked`).
    #[oai(
        path = "/children/:id/photo-consent",
        method = "put",
        operation_id = "set_photo_consent"
    )]
    async fn set_consent(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
        body: Json<ConsentRequest>,
    ) -> Result<Json<ConsentResponse>, ApiError<ConsentErrors>> {
        let view = consent::set(
            &state,
            &auth.user().actor(),
            id.0,
            body.purpose.into(),
            body.granted,
        )
        .await?;
        Ok(Json(view.into()))
    }
}
