//! Groups (classes) and their teachers. Everyone logged in sees the list; admins manage it.

use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, param::Path, payload::Json, types::Example};

use crate::http::error::{AdminLookup, ApiError, NoErrors, error_sets};
use crate::{
    features::school::{self, GroupView},
    http::types::Name,
    http::{ApiTags, security::Auth, state::HttpState, types::Done},
};

pub struct GroupsApi;

#[derive(Debug, Object)]
pub struct GroupResponse {
    pub id: i32,
    pub name: String,
    pub teacher_ids: Vec<i32>,
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct GroupRequest {
    /// E.g. "Groep 5a", "Klasse 3b".
    pub name: Name,
}

impl Example for GroupRequest {
    fn example() -> Self {
        Self {
            name: "Groep 5a".into(),
        }
    }
}

#[derive(ApiResponse)]
pub enum CreateGroupResponse {
    /// Created.
    #[oai(status = 201)]
    Created(Json<GroupResponse>),
}

#[OpenApi(prefix_path = "/groups", tag = "ApiTags::Groups")]
impl GroupsApi {
    /// All groups
    #[oai(path = "/", method = "get", operation_id = "list_groups")]
    async fn list_groups(
        &self,
        state: Data<&HttpState>,
        _auth: Auth,
    ) -> Result<Json<Vec<GroupResponse>>, ApiError<NoErrors>> {
        let groups = school::list_groups(&state).await?;
        Ok(Json(groups.into_iter().map(Into::into).collect()))
    }

    /// Add a group (admin)
    #[oai(path = "/", method = "post", operation_id = "create_group")]
    async fn create_group(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        body: Json<GroupRequest>,
    ) -> Result<CreateGroupResponse, ApiError<CreateGroupErrors>> {
        let group = school::create_group(&state, &auth.user().actor(), &body.name).await?;
        Ok(CreateGroupResponse::Created(Json(group.into())))
    }

    /// Rename a group (admin)
    #[oai(path = "/:id", method = "patch", operation_id = "rename_group")]
    async fn rename_group(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
        body: Json<GroupRequest>,
    ) -> Result<Json<GroupResponse>, ApiError<RenameGroupErrors>> {
        let group = school::rename_group(&state, &auth.user().actor(), id.0, &body.name).await?;
        Ok(Json(group.into()))
    }

    /// Remove a group (admin)
    ///
    /// Its children stay, without a group.
    #[oai(path = "/:id", method = "delete", operation_id = "delete_group")]
    async fn delete_group(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Done, ApiError<AdminLookup>> {
        school::delete_group(&state, &auth.user().actor(), id.0).await?;
        Ok(Done::Done)
    }

    /// Make a teacher a member of a group (admin)
    #[oai(
        path = "/:id/teachers/:teacher_id",
        method = "put",
        operation_id = "add_teacher"
    )]
    async fn add_teacher(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
        teacher_id: Path<i32>,
    ) -> Result<Done, ApiError<AddTeacherErrors>> {
        school::add_teacher(&state, &auth.user().actor(), id.0, teacher_id.0).await?;
        Ok(Done::Done)
    }

    /// Remove a teacher from a group (admin)
    #[oai(
        path = "/:id/teachers/:teacher_id",
        method = "delete",
        operation_id = "remove_teacher"
    )]
    async fn remove_teacher(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
        teacher_id: Path<i32>,
    ) -> Result<Done, ApiError<AdminLookup>> {
        school::remove_teacher(&state, &auth.user().actor(), id.0, teacher_id.0).await?;
        Ok(Done::Done)
    }
}

error_sets! {
    CreateGroupErrors {
        400 => &["invalid_name"],
        403 => &["forbidden_role"],
        409 => &["group_name_taken"],
    }
    RenameGroupErrors {
        400 => &["invalid_name"],
        403 => &["forbidden_role"],
        404 => &["not_found"],
        409 => &["group_name_taken"],
    }
    AddTeacherErrors {
        400 => &["not_a_teacher"],
        403 => &["forbidden_role"],
        404 => &["not_found"],
    }
}

impl From<GroupView> for GroupResponse {
    fn from(view: GroupView) -> Self {
        Self {
            id: view.group.id,
            name: view.group.name,
            teacher_ids: view.teacher_ids,
        }
    }
}
