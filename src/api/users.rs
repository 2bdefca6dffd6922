//! Accounts, for admins: invite parents, teachers and admins, hand out activation links,
//! disable and re-enable accounts.

use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi, param::Path, param::Query, payload::Json, types::Example,
};

use super::{
    ApiTags,
    audit::commit_audited,
    security::Auth,
    types::{LanguageDto, RoleDto, UserResponse, parse_email, parse_name},
};
use crate::{
    accounts,
    domain::accounts::{AccountState, Role},
    error::AppError,
    state::AppState,
    store::{self, users::NewUser, users::User},
};

pub struct UsersApi;

#[derive(Debug, Object)]
#[oai(example)]
pub struct CreateUserRequest {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub role: RoleDto,
    /// Defaults to the school's default language.
    pub language: Option<LanguageDto>,
    /// Also e-mail the activation link.
    #[oai(default)]
    pub send_activation_email: bool,
}

impl Example for CreateUserRequest {
    fn example() -> Self {
        Self {
            email: "j.jansen@example-school.nl".into(),
            first_name: "Jan".into(),
            last_name: "Jansen".into(),
            role: RoleDto::Teacher,
            language: Some(LanguageDto::Nl),
            send_activation_email: true,
        }
    }
}

/// An invited account and its personal activation link (single use, expires).
#[derive(Debug, Object)]
pub struct InvitationResponse {
    pub user: UserResponse,
    pub activation_url: String,
}

#[derive(Debug, Object)]
pub struct ActivationLinkResponse {
    pub activation_url: String,
}

#[derive(ApiResponse)]
pub enum CreateUserResponse {
    /// Created, invited.
    #[oai(status = 201)]
    Created(Json<InvitationResponse>),
}

#[OpenApi(prefix_path = "/users", tag = "ApiTags::Users")]
impl UsersApi {
    /// All accounts (admin)
    #[oai(path = "/", method = "get")]
    async fn list_users(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        /// Only accounts of this role.
        role: Query<Option<RoleDto>>,
    ) -> Result<Json<Vec<UserResponse>>, AppError> {
        auth.user().require_admin()?;
        let users = store::users::list(&state.db, role.0.map(Role::from)).await?;
        Ok(Json(users.into_iter().map(Into::into).collect()))
    }

    /// One account (admin)
    #[oai(path = "/:id", method = "get")]
    async fn get_user(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Json<UserResponse>, AppError> {
        auth.user().require_admin()?;
        Ok(Json(find_user(&state, id.0).await?.into()))
    }

    /// Invite an account (admin)
    ///
    /// Creates an invited account and returns its activation link (for a letter); with
    /// `send_activation_email` the link is also e-mailed. 409 `email_taken` when the address
    /// has an account.
    #[oai(path = "/", method = "post")]
    async fn create_user(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<CreateUserRequest>,
    ) -> Result<CreateUserResponse, AppError> {
        let caller = auth.user();
        caller.require_admin()?;
        let body = body.0;
        let new = NewUser {
            email: parse_email("email", &body.email)?,
            first_name: parse_name("first_name", &body.first_name)?,
            last_name: parse_name("last_name", &body.last_name)?,
            role: body.role.into(),
            language: body
                .language
                .map(Into::into)
                .unwrap_or_else(|| state.settings.default_language()),
        };
        let invitation =
            accounts::invite(&state, Some(caller.id), new, body.send_activation_email).await?;
        Ok(CreateUserResponse::Created(Json(InvitationResponse {
            user: invitation.user.into(),
            activation_url: invitation.activation_url,
        })))
    }

    /// New activation link (admin)
    ///
    /// For an invited account whose letter or e-mail got lost. 409 `already_activated`.
    #[oai(path = "/:id/activation-link", method = "post")]
    async fn new_activation_link(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Json<ActivationLinkResponse>, AppError> {
        auth.user().require_admin()?;
        let user = find_user(&state, id.0).await?;
        let activation_url = accounts::new_activation_link(&state, &user).await?;
        Ok(Json(ActivationLinkResponse { activation_url }))
    }

    /// Disable an account (admin)
    ///
    /// The account can no longer log in; its sessions end at once. Admins cannot disable
    /// themselves (409 `cannot_disable_self`).
    #[oai(path = "/:id/disable", method = "post")]
    async fn disable_user(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Json<UserResponse>, AppError> {
        let caller = auth.user();
        caller.require_admin()?;
        if caller.id == id.0 {
            return Err(AppError::conflict(
                "cannot_disable_self",
                "You cannot disable your own account.",
            ));
        }
        let user = find_user(&state, id.0).await?;
        let now = state.clock.now();
        let txn = store::begin_write(&state.db).await?;
        let user = store::users::set_state(&txn, user, AccountState::Disabled, now).await?;
        store::sessions::delete_all_for_user(&txn, user.id, None).await?;
        commit_audited(
            txn,
            caller,
            "user.disable",
            format!("user:{}", user.id),
            serde_json::json!({}),
            now,
        )
        .await?;
        Ok(Json(user.into()))
    }

    /// Enable a disabled account (admin)
    ///
    /// It becomes active again, or invited when it never chose a password.
    #[oai(path = "/:id/enable", method = "post")]
    async fn enable_user(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Json<UserResponse>, AppError> {
        let caller = auth.user();
        caller.require_admin()?;
        let user = find_user(&state, id.0).await?;
        let restored = if user.password_hash.is_some() {
            AccountState::Active
        } else {
            AccountState::Invited
        };
        let now = state.clock.now();
        let txn = store::begin_write(&state.db).await?;
        let user = store::users::set_state(&txn, user, restored, now).await?;
        commit_audited(
            txn,
            caller,
            "user.enable",
            format!("user:{}", user.id),
            serde_json::json!({}),
            now,
        )
        .await?;
        Ok(Json(user.into()))
    }
}

async fn find_user(state: &AppState, id: i32) -> Result<User, AppError> {
    store::users::find_by_id(&state.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("account"))
}
