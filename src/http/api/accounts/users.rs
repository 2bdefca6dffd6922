//! Accounts, for admins: invite parents, teachers and admins, hand out activation links,
//! disable and re-enable accounts.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Enum, Object, OpenApi, param::Path, param::Query, payload::Json, types::Example,
};

use crate::http::error::{AdminLookup, AdminOnly, ApiError, error_sets};
use crate::{
    entities::users::{AccountState, Role},
    features::accounts::{self, NewUser, User, rules, two_factor},
    http::types::{EmailText, Name, NamePrefix},
    http::{
        ApiTags,
        security::Auth,
        state::HttpState,
        types::{Done, LanguageDto, RoleDto},
    },
    platform::text,
};

pub struct UsersApi;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum AccountStateDto {
    Invited,
    Active,
    Disabled,
}

/// An account as admins see it.
#[derive(Debug, Clone, Object)]
pub struct UserResponse {
    pub id: i32,
    pub email: String,
    pub first_name: String,
    /// "van der", "de", "von": written before the last name; lists sort by the last name.
    #[oai(nullable)]
    pub name_prefix: Option<String>,
    pub last_name: String,
    /// The name as written: first name, prefix, last name.
    pub full_name: String,
    pub role: RoleDto,
    pub language: LanguageDto,
    pub state: AccountStateDto,
    pub created_at: DateTime<Utc>,
}

impl From<User> for UserResponse {
    fn from(user: User) -> Self {
        Self {
            id: user.id,
            role: user.role.into(),
            language: user.language.into(),
            state: match user.state {
                AccountState::Active => AccountStateDto::Active,
                AccountState::Disabled => AccountStateDto::Disabled,
                AccountState::Invited => AccountStateDto::Invited,
            },
            full_name: user.full_name(),
            email: user.email,
            first_name: user.first_name,
            name_prefix: user.name_prefix,
            last_name: user.last_name,
            created_at: user.created_at,
        }
    }
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct CreateUserRequest {
    pub email: EmailText,
    pub first_name: Name,
    /// "van der", "de", "von".
    #[oai(nullable)]
    pub name_prefix: Option<NamePrefix>,
    pub last_name: Name,
    pub role: RoleDto,
    /// Defaults to the school's default language.
    #[oai(nullable)]
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
            name_prefix: None,
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
    #[oai(path = "/", method = "get", operation_id = "list_users")]
    async fn list_users(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        /// Only accounts of this role.
        role: Query<Option<RoleDto>>,
    ) -> Result<Json<Vec<UserResponse>>, ApiError<AdminOnly>> {
        let users = accounts::list(&state, &auth.user().actor(), role.0.map(Role::from)).await?;
        Ok(Json(users.into_iter().map(Into::into).collect()))
    }

    /// One account (admin)
    #[oai(path = "/:id", method = "get", operation_id = "get_user")]
    async fn get_user(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Json<UserResponse>, ApiError<AdminLookup>> {
        let user = accounts::find(&state, &auth.user().actor(), id.0).await?;
        Ok(Json(user.into()))
    }

    /// Invite an account (admin)
    ///
    /// Creates an invited account and returns its activation link (for a letter); with
    /// `send_activation_email` the link is also e-mailed. 409 `email_taken` when the address
    /// has an account.
    #[oai(path = "/", method = "post", operation_id = "create_user")]
    async fn create_user(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        body: Json<CreateUserRequest>,
    ) -> Result<CreateUserResponse, ApiError<CreateUserErrors>> {
        let caller = auth.user().actor();
        caller.require_admin()?;
        let body = body.0;
        let new = NewUser {
            email: rules::email("email", &body.email)?,
            first_name: text::name("first_name", &body.first_name)?,
            name_prefix: body
                .name_prefix
                .as_deref()
                .map(text::name_prefix)
                .transpose()?
                .flatten(),
            last_name: text::name("last_name", &body.last_name)?,
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
    #[oai(
        path = "/:id/activation-link",
        method = "post",
        operation_id = "new_activation_link"
    )]
    async fn new_activation_link(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Json<ActivationLinkResponse>, ApiError<ActivationLinkErrors>> {
        let activation_url =
            accounts::new_activation_link(&state, &auth.user().actor(), id.0).await?;
        Ok(Json(ActivationLinkResponse { activation_url }))
    }

    /// Disable an account (admin)
    ///
    /// The account can no longer log in; its sessions end at once. Admins cannot disable
    /// themselves (409 `cannot_disable_self`).
    #[oai(path = "/:id/disable", method = "post", operation_id = "disable_user")]
    async fn disable_user(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Json<UserResponse>, ApiError<DisableUserErrors>> {
        let user = accounts::disable(&state, &auth.user().actor(), id.0).await?;
        // Its cached sessions go too: the account stops working at once in this process.
        state.sessions.forget_user(user.id);
        Ok(Json(user.into()))
    }

    /// Log an account out on all devices (admin)
    ///
    /// Ends every session of the account and stops push notices to its devices, e.g. when a
    /// parent reports a lost phone. The account stays usable: its owner logs in again.
    /// Recorded in the audit log.
    #[oai(
        path = "/:id/logout-everywhere",
        method = "post",
        operation_id = "logout_user_everywhere"
    )]
    async fn logout_user_everywhere(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Json<UserResponse>, ApiError<AdminLookup>> {
        let user = accounts::log_out_everywhere(&state, &auth.user().actor(), id.0).await?;
        state.sessions.forget_user(user.id);
        Ok(Json(user.into()))
    }

    /// Reset someone's two-step login (admin)
    ///
    /// For a staff member who lost both the phone and the recovery codes: two-step login is
    /// off and their sessions end; they log in with the password and set it up again.
    /// Recorded in the audit log.
    #[oai(
        path = "/:id/two-factor/reset",
        method = "post",
        operation_id = "reset_two_factor"
    )]
    async fn reset_two_factor(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Done, ApiError<AdminLookup>> {
        two_factor::reset(&state, &auth.user().actor(), id.0).await?;
        state.sessions.forget_user(id.0);
        Ok(Done::Done)
    }

    /// Enable a disabled account (admin)
    ///
    /// It becomes active again, or invited when it never chose a password.
    #[oai(path = "/:id/enable", method = "post", operation_id = "enable_user")]
    async fn enable_user(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Json<UserResponse>, ApiError<AdminLookup>> {
        let user = accounts::enable(&state, &auth.user().actor(), id.0).await?;
        state.sessions.forget_user(user.id);
        Ok(Json(user.into()))
    }
}

error_sets! {
    CreateUserErrors {
        400 => &["invalid_email", "invalid_name"],
        403 => &["forbidden_role"],
        409 => &["email_taken"],
    }
    ActivationLinkErrors {
        403 => &["forbidden_role"],
        404 => &["not_found"],
        409 => &["already_activated"],
    }
    DisableUserErrors {
        403 => &["forbidden_role"],
        404 => &["not_found"],
        409 => &["cannot_disable_self"],
    }
}
