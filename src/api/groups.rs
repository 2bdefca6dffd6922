//! Groups (classes) and their teachers. Everyone logged in sees the list; admins manage it.

use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, param::Path, payload::Json, types::Example};

use super::{
    ApiTags,
    audit::commit_audited,
    security::Auth,
    types::{Done, parse_name},
};
use crate::{
    domain::accounts::Role,
    error::AppError,
    state::AppState,
    store::{self, groups::Group},
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
    pub name: String,
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
    #[oai(path = "/", method = "get")]
    async fn list_groups(
        &self,
        state: Data<&AppState>,
        _auth: Auth,
    ) -> Result<Json<Vec<GroupResponse>>, AppError> {
        let mut groups = Vec::new();
        for group in store::groups::list(&state.db).await? {
            groups.push(group_response(&state, group).await?);
        }
        Ok(Json(groups))
    }

    /// Add a group (admin)
    #[oai(path = "/", method = "post")]
    async fn create_group(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<GroupRequest>,
    ) -> Result<CreateGroupResponse, AppError> {
        let caller = auth.user();
        caller.require_admin()?;
        let name = parse_name("name", &body.name)?;
        let now = state.clock.now();
        let txn = store::begin_write(&state.db).await?;
        let group = store::groups::create(&txn, name, now)
            .await
            .map_err(name_taken)?;
        commit_audited(
            txn,
            caller,
            "group.create",
            format!("group:{}", group.id),
            serde_json::json!({ "name": group.name }),
            now,
        )
        .await?;
        Ok(CreateGroupResponse::Created(Json(
            group_response(&state, group).await?,
        )))
    }

    /// Rename a group (admin)
    #[oai(path = "/:id", method = "patch")]
    async fn rename_group(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<i32>,
        body: Json<GroupRequest>,
    ) -> Result<Json<GroupResponse>, AppError> {
        let caller = auth.user();
        caller.require_admin()?;
        let name = parse_name("name", &body.name)?;
        let group = find_group(&state, id.0).await?;
        let now = state.clock.now();
        let txn = store::begin_write(&state.db).await?;
        let group = store::groups::rename(&txn, group, name)
            .await
            .map_err(name_taken)?;
        commit_audited(
            txn,
            caller,
            "group.rename",
            format!("group:{}", group.id),
            serde_json::json!({ "name": group.name }),
            now,
        )
        .await?;
        Ok(Json(group_response(&state, group).await?))
    }

    /// Remove a group (admin)
    ///
    /// Its children stay, without a group.
    #[oai(path = "/:id", method = "delete")]
    async fn delete_group(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Done, AppError> {
        let caller = auth.user();
        caller.require_admin()?;
        let group = find_group(&state, id.0).await?;
        let now = state.clock.now();
        let txn = store::begin_write(&state.db).await?;
        store::groups::delete(&txn, group.id).await?;
        commit_audited(
            txn,
            caller,
            "group.delete",
            format!("group:{}", group.id),
            serde_json::json!({ "name": group.name }),
            now,
        )
        .await?;
        Ok(Done::Done)
    }

    /// Make a teacher a member of a group (admin)
    #[oai(path = "/:id/teachers/:teacher_id", method = "put")]
    async fn add_teacher(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<i32>,
        teacher_id: Path<i32>,
    ) -> Result<Done, AppError> {
        let caller = auth.user();
        caller.require_admin()?;
        let group = find_group(&state, id.0).await?;
        let teacher = store::users::find_by_id(&state.db, teacher_id.0)
            .await?
            .ok_or_else(|| AppError::not_found("teacher"))?;
        if Role::parse(&teacher.role) != Some(Role::Teacher) {
            return Err(AppError::invalid(
                "teacher_id",
                "not_a_teacher",
                "Only teacher accounts can be members of a group.",
            ));
        }
        let now = state.clock.now();
        let txn = store::begin_write(&state.db).await?;
        store::groups::add_teacher(&txn, group.id, teacher.id).await?;
        commit_audited(
            txn,
            caller,
            "group.add_teacher",
            format!("group:{}", group.id),
            serde_json::json!({ "teacher_id": teacher.id }),
            now,
        )
        .await?;
        Ok(Done::Done)
    }

    /// Remove a teacher from a group (admin)
    #[oai(path = "/:id/teachers/:teacher_id", method = "delete")]
    async fn remove_teacher(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<i32>,
        teacher_id: Path<i32>,
    ) -> Result<Done, AppError> {
        let caller = auth.user();
        caller.require_admin()?;
        let now = state.clock.now();
        let txn = store::begin_write(&state.db).await?;
        if !store::groups::remove_teacher(&txn, id.0, teacher_id.0).await? {
            return Err(AppError::not_found("group membership"));
        }
        commit_audited(
            txn,
            caller,
            "group.remove_teacher",
            format!("group:{}", id.0),
            serde_json::json!({ "teacher_id": teacher_id.0 }),
            now,
        )
        .await?;
        Ok(Done::Done)
    }
}

async fn find_group(state: &AppState, id: i32) -> Result<Group, AppError> {
    store::groups::find_by_id(&state.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("group"))
}

fn name_taken(err: sea_orm::DbErr) -> AppError {
    match AppError::from(err) {
        AppError::Conflict { .. } => {
            AppError::conflict("group_name_taken", "A group with this name exists already.")
        }
        other => other,
    }
}

async fn group_response(state: &AppState, group: Group) -> Result<GroupResponse, AppError> {
    Ok(GroupResponse {
        teacher_ids: store::groups::teacher_ids(&state.db, group.id).await?,
        id: group.id,
        name: group.name,
    })
}
