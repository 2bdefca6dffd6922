//! The groups directory and privacy: every group with its teachers, a group's page with its
//! children and parents as far as each family shares them, the privacy settings of oneself
//! and of one's children, and a preview of what others see.

use chrono::NaiveDate;
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Enum, Multipart, Object, OpenApi,
    param::{Path, Query},
    payload::{Binary, Json},
    types::{Example, multipart::Upload},
};

use crate::http::error::{ApiError, Lookup, NoErrors, error_sets};
use crate::{
    entities::user_contacts::ContactLabel,
    features::{
        directory::{
            self, ChildCard, FieldSetting, GroupPage, GroupSummary, Labelled, ParentCard,
            StaffCard, Subject,
            photos::{self, PhotoOf},
        },
        school::privacy::{Field, Relation, Visibility},
    },
    http::{
        ApiTags,
        security::Auth,
        state::HttpState,
        types::{Done, streamed},
        upload::read_upload,
    },
};

pub struct DirectoryApi;

/// A field a family decides on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum PrivacyField {
    ParentPhone,
    ParentEmail,
    ParentAddress,
    ParentPhoto,
    ChildName,
    ChildPhoto,
    ChildBirthday,
}

/// Who may see a field: nobody (but the family and the school office), staff, also the
/// parents of the same group, also all parents of the school.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum Audience {
    Nobody,
    Staff,
    GroupParents,
    SchoolParents,
}

/// How the viewer is related to the person shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ViewerRelation {
    /// The person themselves, or a parent of the child.
    Family,
    /// Another parent of the same child.
    ParentOfSameChild,
    ParentInSameGroup,
    ParentOfSchool,
    TeacherOfGroup,
    OtherStaff,
    Admin,
}

/// A label of a phone number or e-mail address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ContactLabelDto {
    Mobile,
    Work,
    Home,
    Other,
}

impl From<ContactLabel> for ContactLabelDto {
    fn from(label: ContactLabel) -> Self {
        match label {
            ContactLabel::Mobile => Self::Mobile,
            ContactLabel::Work => Self::Work,
            ContactLabel::Home => Self::Home,
            ContactLabel::Other => Self::Other,
        }
    }
}

impl From<ContactLabelDto> for ContactLabel {
    fn from(label: ContactLabelDto) -> Self {
        match label {
            ContactLabelDto::Mobile => Self::Mobile,
            ContactLabelDto::Work => Self::Work,
            ContactLabelDto::Home => Self::Home,
            ContactLabelDto::Other => Self::Other,
        }
    }
}

macro_rules! same_variants {
    ($a:ty, $b:ty, [$($v:ident),*]) => {
        impl From<$a> for $b {
            fn from(value: $a) -> Self {
                match value { $(<$a>::$v => <$b>::$v),* }
            }
        }
        impl From<$b> for $a {
            fn from(value: $b) -> Self {
                match value { $(<$b>::$v => <$a>::$v),* }
            }
        }
    };
}
same_variants!(
    PrivacyField,
    Field,
    [
        ParentPhone,
        ParentEmail,
        ParentAddress,
        ParentPhoto,
        ChildName,
        ChildPhoto,
        ChildBirthday
    ]
);
same_variants!(
    Audience,
    Visibility,
    [Nobody, Staff, GroupParents, SchoolParents]
);
same_variants!(
    ViewerRelation,
    Relation,
    [
        Family,
        ParentOfSameChild,
        ParentInSameGroup,
        ParentOfSchool,
        TeacherOfGroup,
        OtherStaff,
        Admin
    ]
);

/// A phone number or e-mail address; the login address has no label.
#[derive(Debug, Object)]
pub struct LabelledValue {
    #[oai(nullable)]
    pub label: Option<ContactLabelDto>,
    pub value: String,
}

impl From<Labelled> for LabelledValue {
    fn from(item: Labelled) -> Self {
        Self {
            label: item.label.map(Into::into),
            value: item.value,
        }
    }
}

/// A parent as the caller sees them: a field the family does not share with the caller is
/// null (an empty list or address: shared, but there is none).
#[derive(Debug, Object)]
pub struct ParentEntry {
    pub id: i32,
    pub full_name: String,
    pub relation: ViewerRelation,
    #[oai(nullable)]
    pub phones: Option<Vec<LabelledValue>>,
    #[oai(nullable)]
    pub emails: Option<Vec<LabelledValue>>,
    /// Shared with the caller (the address itself may still be empty).
    pub address_shared: bool,
    #[oai(nullable)]
    pub address: Option<String>,
    #[oai(nullable)]
    pub photo_url: Option<String>,
}

impl From<ParentCard> for ParentEntry {
    fn from(card: ParentCard) -> Self {
        let list = |items: Option<Vec<Labelled>>| {
            items.map(|items| items.into_iter().map(Into::into).collect())
        };
        Self {
            id: card.id,
            full_name: card.full_name,
            relation: card.relation.into(),
            phones: list(card.phones),
            emails: list(card.emails),
            address_shared: card.address_shown,
            address: card.address,
            photo_url: card.photo_url,
        }
    }
}

/// A child of the group, listed because its family shares its name with the caller.
#[derive(Debug, Object)]
pub struct ChildEntry {
    pub id: i32,
    pub full_name: String,
    pub relation: ViewerRelation,
    #[oai(nullable)]
    pub birthday: Option<NaiveDate>,
    #[oai(nullable)]
    pub photo_url: Option<String>,
    pub parents: Vec<ParentEntry>,
}

impl From<ChildCard> for ChildEntry {
    fn from(card: ChildCard) -> Self {
        Self {
            id: card.id,
            full_name: card.full_name,
            relation: card.relation.into(),
            birthday: card.birthday,
            photo_url: card.photo_url,
            parents: card.parents.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Object)]
pub struct StaffEntry {
    pub id: i32,
    pub full_name: String,
    #[oai(nullable)]
    pub photo_url: Option<String>,
}

impl From<StaffCard> for StaffEntry {
    fn from(card: StaffCard) -> Self {
        Self {
            id: card.id,
            full_name: card.full_name,
            photo_url: card.photo_url,
        }
    }
}

#[derive(Debug, Object)]
pub struct GroupSummaryResponse {
    pub id: i32,
    pub name: String,
    pub teachers: Vec<StaffEntry>,
    /// How many children the group has.
    pub children: u64,
    /// One of the caller's children is in it, or the caller teaches it.
    pub own: bool,
}

impl From<GroupSummary> for GroupSummaryResponse {
    fn from(group: GroupSummary) -> Self {
        Self {
            id: group.id,
            name: group.name,
            teachers: group.teachers.into_iter().map(Into::into).collect(),
            children: group.children,
            own: group.own,
        }
    }
}

#[derive(Debug, Object)]
pub struct GroupPageResponse {
    pub group: GroupSummaryResponse,
    /// Parents see each other at this school (`privacy.directory`).
    pub directory_on: bool,
    /// The children whose families list them for the caller, by last name.
    pub children: Vec<ChildEntry>,
    /// Children of the group not listed for the caller.
    pub unlisted_children: u64,
}

impl From<GroupPage> for GroupPageResponse {
    fn from(page: GroupPage) -> Self {
        Self {
            group: page.summary.into(),
            directory_on: page.directory_on,
            children: page.children.into_iter().map(Into::into).collect(),
            unlisted_children: page.unlisted,
        }
    }
}

#[derive(Debug, Object)]
pub struct FieldSettingResponse {
    pub field: PrivacyField,
    /// The family's choice; null: the school's default holds.
    #[oai(nullable)]
    pub chosen: Option<Audience>,
    /// Who sees the field now.
    pub audience: Audience,
    /// The school decides this field; a choice cannot change it.
    pub locked: bool,
}

impl From<FieldSetting> for FieldSettingResponse {
    fn from(setting: FieldSetting) -> Self {
        Self {
            field: setting.field.into(),
            chosen: setting.chosen.map(Into::into),
            audience: setting.audience.into(),
            locked: setting.locked,
        }
    }
}

#[derive(Debug, Object)]
pub struct PrivacyResponse {
    /// Parents see each other at this school; when off, only staff see what is shared.
    pub directory_on: bool,
    pub fields: Vec<FieldSettingResponse>,
}

#[derive(Debug, Object)]
pub struct PrivacyChoice {
    pub field: PrivacyField,
    /// Null: back to the school's default.
    #[oai(nullable)]
    pub audience: Option<Audience>,
}

/// Choices to change; fields not named stay as they are.
#[derive(Debug, Object)]
#[oai(example)]
pub struct PrivacyRequest {
    #[oai(validator(max_items = 7))]
    pub choices: Vec<PrivacyChoice>,
}

impl Example for PrivacyRequest {
    fn example() -> Self {
        Self {
            choices: vec![
                PrivacyChoice {
                    field: PrivacyField::ParentPhone,
                    audience: Some(Audience::GroupParents),
                },
                PrivacyChoice {
                    field: PrivacyField::ParentAddress,
                    audience: Some(Audience::Nobody),
                },
            ],
        }
    }
}

/// The caller and their children as a viewer of the given relation sees them.
#[derive(Debug, Object)]
pub struct PrivacyPreviewResponse {
    pub viewer: ViewerRelation,
    pub me: ParentEntry,
    /// The children a viewer of this relation finds listed (with the caller as parent).
    pub children: Vec<ChildEntry>,
}

#[derive(Debug, Multipart)]
pub struct PhotoUpload {
    /// A JPEG, PNG or WebP picture, at most `files.max_photo_bytes` (15 MB by default). It is
    /// stored as a 512 x 512 JPEG of its middle, upright, without the camera's metadata.
    pub photo: Upload,
}

#[derive(Debug, Object)]
pub struct PhotoSaved {
    /// Where the new photo is (the address changes with each new photo).
    pub photo_url: String,
}

/// A photo: a square JPEG.
#[derive(ApiResponse)]
pub enum PhotoFile {
    #[oai(status = 200, content_type = "image/jpeg")]
    Photo(
        Binary<poem::Body>,
        #[oai(header = "Cache-Control")] String,
        #[oai(header = "Content-Length")] u64,
    ),
}

error_sets! {
    PhotoUploadErrors {
        400 => &["empty_file", "unreadable_upload", "unreadable_image"],
        403 => &["forbidden", "read_only"],
        404 => &["not_found"],
        413 => &["image_too_large"],
        415 => &["unsupported_image_type"],
    }
    OwnPhotoUploadErrors {
        400 => &["empty_file", "unreadable_upload", "unreadable_image"],
        413 => &["image_too_large"],
        415 => &["unsupported_image_type"],
    }
    PhotoDeleteErrors {
        403 => &["forbidden", "read_only"],
        404 => &["not_found"],
    }
    PrivacyWriteErrors {
        400 => &["wrong_field"],
        403 => &["forbidden", "field_locked", "read_only"],
        404 => &["not_found"],
    }
    OwnPrivacyErrors {
        400 => &["wrong_field"],
        403 => &["field_locked"],
    }
}

#[OpenApi(tag = "ApiTags::Groups")]
impl DirectoryApi {
    /// Groups directory
    ///
    /// Every group with its teachers and its number of children; the caller's own groups
    /// (their children's, or the ones they teach) marked `own`.
    #[oai(
        path = "/directory/groups",
        method = "get",
        operation_id = "directory_groups"
    )]
    async fn groups(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
    ) -> Result<Json<Vec<GroupSummaryResponse>>, ApiError<NoErrors>> {
        let groups = directory::list_groups(&state, &auth.user().actor()).await?;
        Ok(Json(groups.into_iter().map(Into::into).collect()))
    }

    /// A group's page
    ///
    /// Its teachers, and its children with their parents, each showing exactly what the
    /// family shares with the caller (children whose families do not list them for the
    /// caller are only counted).
    #[oai(
        path = "/directory/groups/:id",
        method = "get",
        operation_id = "directory_group"
    )]
    async fn group(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Json<GroupPageResponse>, ApiError<Lookup>> {
        let page = directory::group_page(&state, &auth.user().actor(), id.0).await?;
        Ok(Json(page.into()))
    }

    /// My privacy settings
    ///
    /// Per field of mine (phone numbers, e-mail addresses, address, photo): who sees it.
    #[oai(path = "/me/privacy", method = "get", operation_id = "get_my_privacy")]
    async fn my_privacy(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
    ) -> Result<Json<PrivacyResponse>, ApiError<NoErrors>> {
        let caller = auth.user();
        let fields = directory::settings(&state, &caller.actor(), Subject::User(caller.id)).await?;
        Ok(Json(privacy_response(&state, fields)))
    }

    /// Change my privacy settings
    #[oai(path = "/me/privacy", method = "put", operation_id = "set_my_privacy")]
    async fn set_my_privacy(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        body: Json<PrivacyRequest>,
    ) -> Result<Json<PrivacyResponse>, ApiError<OwnPrivacyErrors>> {
        let caller = auth.user();
        let fields = directory::choose(
            &state,
            &caller.actor(),
            Subject::User(caller.id),
            choices(body.0),
        )
        .await?;
        Ok(Json(privacy_response(&state, fields)))
    }

    /// A child's privacy settings
    ///
    /// Per field of the child (name in the directory, photo, birthday): who sees it.
    #[oai(
        path = "/children/:id/privacy",
        method = "get",
        operation_id = "get_child_privacy"
    )]
    async fn child_privacy(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Json<PrivacyResponse>, ApiError<Lookup>> {
        let fields =
            directory::settings(&state, &auth.user().actor(), Subject::Child(id.0)).await?;
        Ok(Json(privacy_response(&state, fields)))
    }

    /// Change a child's privacy settings (its parents)
    ///
    /// A read-only parent and teachers get 403 `read_only`.
    #[oai(
        path = "/children/:id/privacy",
        method = "put",
        operation_id = "set_child_privacy"
    )]
    async fn set_child_privacy(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
        body: Json<PrivacyRequest>,
    ) -> Result<Json<PrivacyResponse>, ApiError<PrivacyWriteErrors>> {
        let fields = directory::choose(
            &state,
            &auth.user().actor(),
            Subject::Child(id.0),
            choices(body.0),
        )
        .await?;
        Ok(Json(privacy_response(&state, fields)))
    }

    /// What others see of me
    ///
    /// Me and my children as a viewer of the given relation sees us in the directory:
    /// `parent_in_same_group` (default), `parent_of_school`, `teacher_of_group`.
    #[oai(
        path = "/me/privacy/preview",
        method = "get",
        operation_id = "privacy_preview"
    )]
    async fn preview(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        viewer: Query<Option<ViewerRelation>>,
    ) -> Result<Json<PrivacyPreviewResponse>, ApiError<NoErrors>> {
        let viewer = viewer.0.unwrap_or(ViewerRelation::ParentInSameGroup);
        let (me, children) =
            directory::preview(&state, &auth.user().actor(), viewer.into()).await?;
        Ok(Json(PrivacyPreviewResponse {
            viewer,
            me: me.into(),
            children: children.into_iter().map(Into::into).collect(),
        }))
    }
}

/// Photos of people and children: the same rule as the directory decides who sees them.
pub struct PhotosApi;

#[OpenApi(tag = "ApiTags::Groups")]
impl PhotosApi {
    /// Set my photo
    #[oai(path = "/me/photo", method = "put", operation_id = "set_my_photo")]
    async fn set_my_photo(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        upload: PhotoUpload,
    ) -> Result<Json<PhotoSaved>, ApiError<OwnPhotoUploadErrors>> {
        let caller = auth.user();
        let bytes = read_upload(upload.photo).await?;
        let key = photos::set(&state, &caller.actor(), PhotoOf::User(caller.id), bytes).await?;
        state.sessions.forget_user(caller.id);
        Ok(Json(PhotoSaved {
            photo_url: directory::photo_url(PhotoOf::User(caller.id), &key),
        }))
    }

    /// Remove my photo
    #[oai(
        path = "/me/photo",
        method = "delete",
        operation_id = "remove_my_photo"
    )]
    async fn remove_my_photo(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
    ) -> Result<Done, ApiError<Lookup>> {
        let caller = auth.user();
        photos::remove(&state, &caller.actor(), PhotoOf::User(caller.id)).await?;
        state.sessions.forget_user(caller.id);
        Ok(Done::Done)
    }

    /// A person's photo
    ///
    /// Staff photos for everyone logged in; a parent's as their family shares it (404
    /// otherwise, as when there is none).
    #[oai(
        path = "/people/:id/photo",
        method = "get",
        operation_id = "get_person_photo"
    )]
    async fn person_photo(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<PhotoFile, ApiError<Lookup>> {
        let file = photos::get(&state, &auth.user().actor(), PhotoOf::User(id.0)).await?;
        Ok(photo_file(file))
    }

    /// Set a child's photo (its parents, the office)
    #[oai(
        path = "/children/:id/photo",
        method = "put",
        operation_id = "set_child_photo"
    )]
    async fn set_child_photo(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
        upload: PhotoUpload,
    ) -> Result<Json<PhotoSaved>, ApiError<PhotoUploadErrors>> {
        let bytes = read_upload(upload.photo).await?;
        let key = photos::set(&state, &auth.user().actor(), PhotoOf::Child(id.0), bytes).await?;
        Ok(Json(PhotoSaved {
            photo_url: directory::photo_url(PhotoOf::Child(id.0), &key),
        }))
    }

    /// Remove a child's photo (its parents, the office)
    #[oai(
        path = "/children/:id/photo",
        method = "delete",
        operation_id = "remove_child_photo"
    )]
    async fn remove_child_photo(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Done, ApiError<PhotoDeleteErrors>> {
        photos::remove(&state, &auth.user().actor(), PhotoOf::Child(id.0)).await?;
        Ok(Done::Done)
    }

    /// A child's photo
    ///
    /// As the child's family shares it (its parents and the office always; 404 otherwise).
    #[oai(
        path = "/children/:id/photo",
        method = "get",
        operation_id = "get_child_photo"
    )]
    async fn child_photo(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<PhotoFile, ApiError<Lookup>> {
        let file = photos::get(&state, &auth.user().actor(), PhotoOf::Child(id.0)).await?;
        Ok(photo_file(file))
    }
}

fn photo_file(file: crate::platform::files::FileDownload) -> PhotoFile {
    let size = file.file.size;
    let body = streamed(file.body);
    // The address changes with each new photo; a removed share must not linger long.
    PhotoFile::Photo(Binary(body), "private, max-age=3600".into(), size)
}

fn privacy_response(state: &HttpState, fields: Vec<FieldSetting>) -> PrivacyResponse {
    PrivacyResponse {
        directory_on: state.settings.privacy.directory,
        fields: fields.into_iter().map(Into::into).collect(),
    }
}

fn choices(request: PrivacyRequest) -> Vec<(Field, Option<Visibility>)> {
    request
        .choices
        .into_iter()
        .map(|choice| (choice.field.into(), choice.audience.map(Into::into)))
        .collect()
}
