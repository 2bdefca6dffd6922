//! Children: parents see and edit their own (unless read-only), teachers see their groups'
//! children, admins manage all of them and their parent links.

use chrono::NaiveDate;
use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, param::Path, payload::Json, types::Example};

use crate::http::error::{AdminLookup, ApiError, Lookup, NoErrors, error_sets};
use crate::{
    features::directory,
    features::school::{
        self, ChildUpdate, ChildView, NewChild,
        rules::{ChildAccess, EmergencyContact},
        store::children::emergency_contacts,
    },
    http::types::{ChildIdText, ContactPhoneText, Name, NamePrefix, RelationText},
    http::{ApiTags, security::Auth, state::HttpState, types::Done},
};

pub struct ChildrenApi;

#[derive(Debug, Clone, Object)]
pub struct EmergencyContactDto {
    pub name: Name,
    pub phone: ContactPhoneText,
    /// E.g. "grandmother", "neighbour".
    #[oai(nullable)]
    pub relation: Option<RelationText>,
}

impl From<EmergencyContact> for EmergencyContactDto {
    fn from(contact: EmergencyContact) -> Self {
        Self {
            name: contact.name.as_str().into(),
            phone: contact.phone.as_str().into(),
            relation: contact.relation.as_deref().map(Into::into),
        }
    }
}

impl From<EmergencyContactDto> for EmergencyContact {
    fn from(dto: EmergencyContactDto) -> Self {
        Self {
            name: dto.name.into(),
            phone: dto.phone.into(),
            relation: dto.relation.map(Into::into),
        }
    }
}

#[derive(Debug, Clone, Object)]
pub struct ChildResponse {
    pub id: i32,
    /// The child ID of the school administration system.
    pub external_id: String,
    pub first_name: String,
    /// "van der", "de", "von": written before the last name; lists sort by the last name.
    #[oai(nullable)]
    pub name_prefix: Option<String>,
    pub last_name: String,
    /// The name as written: first name, prefix, last name.
    pub full_name: String,
    #[oai(nullable)]
    pub group_id: Option<i32>,
    #[oai(nullable)]
    pub group_name: Option<String>,
    pub emergency_contacts: Vec<EmergencyContactDto>,
    #[oai(nullable)]
    pub birthday: Option<NaiveDate>,
    /// The child's photo, for its parents and the office (others see it in the groups
    /// directory as far as the family shares it).
    #[oai(nullable)]
    pub photo_url: Option<String>,
    /// Whether the caller may change this child's data.
    pub can_edit: bool,
    /// The caller is a parent of the child.
    pub is_parent: bool,
    /// The caller teaches the child's group (may write notes).
    pub teaches_group: bool,
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct CreateChildRequest {
    pub external_id: ChildIdText,
    pub first_name: Name,
    /// "van der", "de", "von".
    #[oai(nullable)]
    pub name_prefix: Option<NamePrefix>,
    pub last_name: Name,
    #[oai(nullable)]
    pub group_id: Option<i32>,
}

impl Example for CreateChildRequest {
    fn example() -> Self {
        Self {
            external_id: "4711".into(),
            first_name: "Emma".into(),
            name_prefix: Some("de".into()),
            last_name: "Vries".into(),
            group_id: Some(1),
        }
    }
}

/// Parents may change emergency contacts; names and group are for admins.
#[derive(Debug, Object)]
#[oai(example)]
pub struct UpdateChildRequest {
    #[oai(nullable)]
    pub emergency_contacts: Option<Vec<EmergencyContactDto>>,
    #[oai(nullable)]
    pub first_name: Option<Name>,
    /// An empty prefix removes it.
    #[oai(nullable)]
    pub name_prefix: Option<NamePrefix>,
    #[oai(nullable)]
    pub last_name: Option<Name>,
    #[oai(nullable)]
    pub group_id: Option<i32>,
    /// Parents and the office.
    #[oai(nullable)]
    pub birthday: Option<NaiveDate>,
}

impl Example for UpdateChildRequest {
    fn example() -> Self {
        Self {
            emergency_contacts: Some(vec![EmergencyContactDto {
                name: "Oma Jansen".into(),
                phone: "+31 6 1234 5678".into(),
                relation: Some("grandmother".into()),
            }]),
            first_name: None,
            name_prefix: None,
            last_name: None,
            group_id: None,
            birthday: None,
        }
    }
}

#[derive(ApiResponse)]
pub enum CreateChildResponse {
    /// Created.
    #[oai(status = 201)]
    Created(Json<ChildResponse>),
}

#[derive(Debug, Object)]
pub struct ParentLinkResponse {
    pub parent_id: i32,
    pub email: String,
    pub first_name: String,
    #[oai(nullable)]
    pub name_prefix: Option<String>,
    pub last_name: String,
    pub full_name: String,
    /// A read-only parent sees the child's data but cannot change it.
    pub read_only: bool,
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct LinkParentRequest {
    #[oai(default)]
    pub read_only: bool,
}

impl Example for LinkParentRequest {
    fn example() -> Self {
        Self { read_only: false }
    }
}

#[OpenApi(prefix_path = "/children", tag = "ApiTags::Children")]
impl ChildrenApi {
    /// Children I may see
    ///
    /// Parents: their own children. Teachers: the children of their groups. Admins: all.
    #[oai(path = "/", method = "get", operation_id = "list_children")]
    async fn list_children(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
    ) -> Result<Json<Vec<ChildResponse>>, ApiError<NoErrors>> {
        let children = school::list_children(&state, &auth.user().actor()).await?;
        Ok(Json(children.into_iter().map(Into::into).collect()))
    }

    /// One child
    #[oai(path = "/:id", method = "get", operation_id = "get_child")]
    async fn get_child(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Json<ChildResponse>, ApiError<Lookup>> {
        let child = school::get_child(&state, &auth.user().actor(), id.0).await?;
        Ok(Json(child.into()))
    }

    /// Change a child's data
    ///
    /// Parents change the emergency contacts of their children (not when read-only:
    /// 403 `read_only`); admins may also change names and group.
    #[oai(path = "/:id", method = "patch", operation_id = "update_child")]
    async fn update_child(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
        body: Json<UpdateChildRequest>,
    ) -> Result<Json<ChildResponse>, ApiError<UpdateChildErrors>> {
        let body = body.0;
        let update = ChildUpdate {
            emergency_contacts: body
                .emergency_contacts
                .map(|contacts| contacts.into_iter().map(Into::into).collect()),
            first_name: body.first_name.map(Into::into),
            name_prefix: body.name_prefix.map(Into::into),
            last_name: body.last_name.map(Into::into),
            group_id: body.group_id,
            birthday: body.birthday,
        };
        let child = school::update_child(&state, &auth.user().actor(), id.0, update).await?;
        Ok(Json(child.into()))
    }

    /// Add a child (admin)
    #[oai(path = "/", method = "post", operation_id = "create_child")]
    async fn create_child(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        body: Json<CreateChildRequest>,
    ) -> Result<CreateChildResponse, ApiError<CreateChildErrors>> {
        let body = body.0;
        let new = NewChild {
            external_id: body.external_id.into(),
            first_name: body.first_name.into(),
            name_prefix: body.name_prefix.map(Into::into),
            last_name: body.last_name.into(),
            group_id: body.group_id,
        };
        let child = school::create_child(&state, &auth.user().actor(), new).await?;
        Ok(CreateChildResponse::Created(Json(child.into())))
    }

    /// Remove a child (admin)
    #[oai(path = "/:id", method = "delete", operation_id = "delete_child")]
    async fn delete_child(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Done, ApiError<AdminLookup>> {
        school::delete_child(&state, &auth.user().actor(), id.0).await?;
        Ok(Done::Done)
    }

    /// A child's parents (admin)
    #[oai(path = "/:id/parents", method = "get", operation_id = "list_parents")]
    async fn list_parents(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Json<Vec<ParentLinkResponse>>, ApiError<AdminLookup>> {
        let parents = school::list_parents(&state, &auth.user().actor(), id.0).await?;
        Ok(Json(
            parents
                .into_iter()
                .map(|(link, parent)| ParentLinkResponse {
                    parent_id: parent.id,
                    full_name: parent.full_name(),
                    email: parent.email,
                    first_name: parent.first_name,
                    name_prefix: parent.name_prefix,
                    last_name: parent.last_name,
                    read_only: link.read_only,
                })
                .collect(),
        ))
    }

    /// Link a parent to a child, or set the read-only flag (admin)
    #[oai(
        path = "/:id/parents/:parent_id",
        method = "put",
        operation_id = "link_parent"
    )]
    async fn link_parent(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
        parent_id: Path<i32>,
        body: Json<LinkParentRequest>,
    ) -> Result<Done, ApiError<LinkParentErrors>> {
        let actor = auth.user().actor();
        school::link_parent(&state, &actor, id.0, parent_id.0, body.read_only).await?;
        Ok(Done::Done)
    }

    /// Unlink a parent from a child (admin)
    #[oai(
        path = "/:id/parents/:parent_id",
        method = "delete",
        operation_id = "unlink_parent"
    )]
    async fn unlink_parent(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
        parent_id: Path<i32>,
    ) -> Result<Done, ApiError<AdminLookup>> {
        school::unlink_parent(&state, &auth.user().actor(), id.0, parent_id.0).await?;
        Ok(Done::Done)
    }
}

error_sets! {
    UpdateChildErrors {
        400 => &["invalid_name", "invalid_emergency_contact", "unknown_group", "invalid_birthday"],
        403 => &["read_only", "admin_only_field"],
        404 => &["not_found"],
    }
    CreateChildErrors {
        400 => &["invalid_child_id", "invalid_name", "unknown_group"],
        403 => &["forbidden_role"],
        409 => &["child_id_taken"],
    }
    LinkParentErrors {
        400 => &["not_a_parent"],
        403 => &["forbidden_role"],
        404 => &["not_found"],
    }
}

impl From<ChildView> for ChildResponse {
    fn from(view: ChildView) -> Self {
        let child = view.child;
        let photo_url = directory::child_photo_url(&child).filter(|_| view.family_or_office);
        Self {
            emergency_contacts: emergency_contacts(&child)
                .into_iter()
                .map(Into::into)
                .collect(),
            group_name: view.group_name,
            full_name: child.full_name(),
            id: child.id,
            external_id: child.external_id,
            first_name: child.first_name,
            name_prefix: child.name_prefix,
            last_name: child.last_name,
            group_id: child.group_id,
            birthday: child.birthday,
            photo_url,
            can_edit: view.access == ChildAccess::Write,
            is_parent: view.is_parent,
            teaches_group: view.teaches_group,
        }
    }
}
