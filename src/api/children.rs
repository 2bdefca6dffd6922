//! Children: parents see and edit their own (unless read-only), teachers see their groups'
//! children, admins manage all of them and their parent links.

use std::collections::HashMap;

use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, param::Path, payload::Json, types::Example};

use super::{
    ApiTags,
    audit::commit_audited,
    security::{Auth, CurrentUser},
    types::{Done, parse_name},
};
use crate::{
    domain::{
        accounts::Role,
        children::{ChildAccess, EmergencyContact, child_access, validate_contacts},
    },
    error::AppError,
    state::AppState,
    store::{
        self,
        children::{Child, ChildChange, NewChild},
    },
};

pub struct ChildrenApi;

#[derive(Debug, Clone, Object)]
pub struct EmergencyContactDto {
    pub name: String,
    pub phone: String,
    /// E.g. "grandmother", "neighbour".
    pub relation: Option<String>,
}

impl From<EmergencyContact> for EmergencyContactDto {
    fn from(contact: EmergencyContact) -> Self {
        Self {
            name: contact.name,
            phone: contact.phone,
            relation: contact.relation,
        }
    }
}

impl From<EmergencyContactDto> for EmergencyContact {
    fn from(dto: EmergencyContactDto) -> Self {
        Self {
            name: dto.name,
            phone: dto.phone,
            relation: dto.relation,
        }
    }
}

#[derive(Debug, Clone, Object)]
pub struct ChildResponse {
    pub id: i32,
    /// The child ID of the school administration system.
    pub external_id: String,
    pub first_name: String,
    pub last_name: String,
    pub group_id: Option<i32>,
    pub group_name: Option<String>,
    pub emergency_contacts: Vec<EmergencyContactDto>,
    /// Whether the caller may change this child's data.
    pub can_edit: bool,
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct CreateChildRequest {
    pub external_id: String,
    pub first_name: String,
    pub last_name: String,
    pub group_id: Option<i32>,
}

impl Example for CreateChildRequest {
    fn example() -> Self {
        Self {
            external_id: "4711".into(),
            first_name: "Emma".into(),
            last_name: "de Vries".into(),
            group_id: Some(1),
        }
    }
}

/// Parents may change emergency contacts; names and group are for admins.
#[derive(Debug, Object)]
#[oai(example)]
pub struct UpdateChildRequest {
    pub emergency_contacts: Option<Vec<EmergencyContactDto>>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub group_id: Option<i32>,
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
            last_name: None,
            group_id: None,
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
    pub last_name: String,
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
    #[oai(path = "/", method = "get")]
    async fn list_children(
        &self,
        state: Data<&AppState>,
        auth: Auth,
    ) -> Result<Json<Vec<ChildResponse>>, AppError> {
        let caller = auth.user();
        let children = store::children::visible_children(&state.db, caller.id, caller.role).await?;
        let group_names = group_names(&state).await?;
        let read_only: HashMap<i32, bool> = if caller.role == Role::Parent {
            store::children::links_of_children(
                &state.db,
                children.iter().map(|child| child.id).collect(),
            )
            .await?
            .into_iter()
            .filter(|link| link.parent_id == caller.id)
            .map(|link| (link.child_id, link.read_only))
            .collect()
        } else {
            HashMap::new()
        };
        Ok(Json(
            children
                .into_iter()
                .map(|child| {
                    let can_edit = match caller.role {
                        Role::Admin => true,
                        Role::Parent => read_only.get(&child.id) == Some(&false),
                        Role::Teacher => false,
                    };
                    child_response(child, &group_names, can_edit)
                })
                .collect(),
        ))
    }

    /// One child
    #[oai(path = "/:id", method = "get")]
    async fn get_child(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Json<ChildResponse>, AppError> {
        let (child, access) = visible_child(&state, auth.user(), id.0).await?;
        let names = group_names(&state).await?;
        Ok(Json(child_response(
            child,
            &names,
            access == ChildAccess::Write,
        )))
    }

    /// Change a child's data
    ///
    /// Parents change the emergency contacts of their children (not when read-only:
    /// 403 `read_only`); admins may also change names and group.
    #[oai(path = "/:id", method = "patch")]
    async fn update_child(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<i32>,
        body: Json<UpdateChildRequest>,
    ) -> Result<Json<ChildResponse>, AppError> {
        let caller = auth.user();
        let (child, access) = visible_child(&state, caller, id.0).await?;
        if access != ChildAccess::Write {
            return Err(AppError::Forbidden {
                code: "read_only",
                message: "You may see but not change this child's data.".into(),
            });
        }
        let body = body.0;
        let admin_fields =
            body.first_name.is_some() || body.last_name.is_some() || body.group_id.is_some();
        if admin_fields && caller.role != Role::Admin {
            return Err(AppError::Forbidden {
                code: "admin_only_field",
                message: "Only the school office changes names and groups.".into(),
            });
        }
        if let Some(group_id) = body.group_id {
            ensure_group_exists(&state, group_id).await?;
        }
        let change = ChildChange {
            first_name: body
                .first_name
                .map(|name| parse_name("first_name", &name))
                .transpose()?,
            last_name: body
                .last_name
                .map(|name| parse_name("last_name", &name))
                .transpose()?,
            group_id: body.group_id.map(Some),
            emergency_contacts: body
                .emergency_contacts
                .map(|contacts| {
                    validate_contacts(contacts.into_iter().map(Into::into).collect()).map_err(
                        |err| {
                            AppError::invalid(
                                "emergency_contacts",
                                "invalid_emergency_contact",
                                err.to_string(),
                            )
                        },
                    )
                })
                .transpose()?,
        };
        let now = state.clock.now();
        let txn = store::begin_write(&state.db).await?;
        let child = store::children::update(&txn, child, change, now).await?;
        if caller.role == Role::Admin {
            store::audit::record(
                &txn,
                Some(caller.id),
                "child.update",
                format!("child:{}", child.id),
                serde_json::json!({}),
                now,
            )
            .await?;
        }
        txn.commit().await?;
        let names = group_names(&state).await?;
        Ok(Json(child_response(child, &names, true)))
    }

    /// Add a child (admin)
    #[oai(path = "/", method = "post")]
    async fn create_child(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<CreateChildRequest>,
    ) -> Result<CreateChildResponse, AppError> {
        let caller = auth.user();
        caller.require_admin()?;
        let body = body.0;
        let external_id = body.external_id.trim().to_string();
        if external_id.is_empty() || external_id.len() > 64 {
            return Err(AppError::invalid(
                "external_id",
                "invalid_child_id",
                "The child ID needs 1 to 64 characters.",
            ));
        }
        if let Some(group_id) = body.group_id {
            ensure_group_exists(&state, group_id).await?;
        }
        let new = NewChild {
            external_id,
            first_name: parse_name("first_name", &body.first_name)?,
            last_name: parse_name("last_name", &body.last_name)?,
            group_id: body.group_id,
        };
        let now = state.clock.now();
        let txn = store::begin_write(&state.db).await?;
        let child = store::children::create(&txn, new, now)
            .await
            .map_err(|err| match AppError::from(err) {
                AppError::Conflict { .. } => AppError::conflict(
                    "child_id_taken",
                    "A child with this child ID exists already.",
                ),
                other => other,
            })?;
        let external_id = child.external_id.clone();
        commit_audited(
            txn,
            caller,
            "child.create",
            format!("child:{}", child.id),
            serde_json::json!({ "external_id": external_id }),
            now,
        )
        .await?;
        let names = group_names(&state).await?;
        Ok(CreateChildResponse::Created(Json(child_response(
            child, &names, true,
        ))))
    }

    /// Remove a child (admin)
    #[oai(path = "/:id", method = "delete")]
    async fn delete_child(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Done, AppError> {
        let caller = auth.user();
        caller.require_admin()?;
        let child = store::children::find_by_id(&state.db, id.0)
            .await?
            .ok_or_else(|| AppError::not_found("child"))?;
        let now = state.clock.now();
        let txn = store::begin_write(&state.db).await?;
        store::children::delete(&txn, child.id).await?;
        commit_audited(
            txn,
            caller,
            "child.delete",
            format!("child:{}", child.id),
            serde_json::json!({ "external_id": child.external_id }),
            now,
        )
        .await?;
        Ok(Done::Done)
    }

    /// A child's parents (admin)
    #[oai(path = "/:id/parents", method = "get")]
    async fn list_parents(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Json<Vec<ParentLinkResponse>>, AppError> {
        auth.user().require_admin()?;
        let child = store::children::find_by_id(&state.db, id.0)
            .await?
            .ok_or_else(|| AppError::not_found("child"))?;
        let mut parents = Vec::new();
        for link in store::children::links_of_child(&state.db, child.id).await? {
            if let Some(parent) = store::users::find_by_id(&state.db, link.parent_id).await? {
                parents.push(ParentLinkResponse {
                    parent_id: parent.id,
                    email: parent.email,
                    first_name: parent.first_name,
                    last_name: parent.last_name,
                    read_only: link.read_only,
                });
            }
        }
        Ok(Json(parents))
    }

    /// Link a parent to a child, or set the read-only flag (admin)
    #[oai(path = "/:id/parents/:parent_id", method = "put")]
    async fn link_parent(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<i32>,
        parent_id: Path<i32>,
        body: Json<LinkParentRequest>,
    ) -> Result<Done, AppError> {
        let caller = auth.user();
        caller.require_admin()?;
        let child = store::children::find_by_id(&state.db, id.0)
            .await?
            .ok_or_else(|| AppError::not_found("child"))?;
        let parent = store::users::find_by_id(&state.db, parent_id.0)
            .await?
            .ok_or_else(|| AppError::not_found("parent"))?;
        if Role::parse(&parent.role) != Some(Role::Parent) {
            return Err(AppError::invalid(
                "parent_id",
                "not_a_parent",
                "Only parent accounts can be linked to children.",
            ));
        }
        let now = state.clock.now();
        let txn = store::begin_write(&state.db).await?;
        store::children::upsert_link(&txn, parent.id, child.id, body.read_only, now).await?;
        commit_audited(
            txn,
            caller,
            "child.link_parent",
            format!("child:{}", child.id),
            serde_json::json!({ "parent_id": parent.id, "read_only": body.read_only }),
            now,
        )
        .await?;
        Ok(Done::Done)
    }

    /// Unlink a parent from a child (admin)
    #[oai(path = "/:id/parents/:parent_id", method = "delete")]
    async fn unlink_parent(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<i32>,
        parent_id: Path<i32>,
    ) -> Result<Done, AppError> {
        let caller = auth.user();
        caller.require_admin()?;
        let now = state.clock.now();
        let txn = store::begin_write(&state.db).await?;
        if !store::children::remove_link(&txn, parent_id.0, id.0).await? {
            return Err(AppError::not_found("link"));
        }
        commit_audited(
            txn,
            caller,
            "child.unlink_parent",
            format!("child:{}", id.0),
            serde_json::json!({ "parent_id": parent_id.0 }),
            now,
        )
        .await?;
        Ok(Done::Done)
    }
}

/// The child and what the caller may do with it; 404 when the caller may not see it, so
/// the answer does not reveal whether the child exists.
async fn visible_child(
    state: &AppState,
    caller: &CurrentUser,
    child_id: i32,
) -> Result<(Child, ChildAccess), AppError> {
    let child = store::children::find_by_id(&state.db, child_id)
        .await?
        .ok_or_else(|| AppError::not_found("child"))?;
    let relation = store::children::relation(&state.db, caller.id, &child).await?;
    match child_access(caller.role, relation) {
        ChildAccess::None => Err(AppError::not_found("child")),
        access => Ok((child, access)),
    }
}

async fn ensure_group_exists(state: &AppState, group_id: i32) -> Result<(), AppError> {
    store::groups::find_by_id(&state.db, group_id)
        .await?
        .map(|_| ())
        .ok_or_else(|| {
            AppError::invalid(
                "group_id",
                "unknown_group",
                "There is no group with this id.",
            )
        })
}

async fn group_names(state: &AppState) -> Result<HashMap<i32, String>, AppError> {
    Ok(store::groups::list(&state.db)
        .await?
        .into_iter()
        .map(|group| (group.id, group.name))
        .collect())
}

fn child_response(
    child: Child,
    group_names: &HashMap<i32, String>,
    can_edit: bool,
) -> ChildResponse {
    ChildResponse {
        emergency_contacts: store::children::emergency_contacts(&child)
            .into_iter()
            .map(Into::into)
            .collect(),
        group_name: child.group_id.and_then(|id| group_names.get(&id).cloned()),
        id: child.id,
        external_id: child.external_id,
        first_name: child.first_name,
        last_name: child.last_name,
        group_id: child.group_id,
        can_edit,
    }
}
