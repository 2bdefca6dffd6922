//! The caller's own account: profile, language, password.

use poem::web::Data;
use poem_openapi::{Object, OpenApi, payload::Json, types::Example};

use crate::{
    app::error::AppError,
    entities::users::Language,
    features::accounts::{self, ProfileChange, User},
    http::{
        ApiTags,
        security::Auth,
        state::HttpState,
        types::{Done, LanguageDto, RoleDto},
    },
    platform::text,
};

pub struct MeApi;

/// The logged-in user.
#[derive(Debug, Clone, Object)]
pub struct MeResponse {
    pub id: i32,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub role: RoleDto,
    pub language: LanguageDto,
    pub phone: Option<String>,
    pub address: Option<String>,
    /// Send this in `X-CSRF-Token` with writes authenticated by the session cookie.
    pub csrf_token: String,
}

impl MeResponse {
    pub fn new(user: User, csrf_token: String) -> Self {
        Self {
            id: user.id,
            role: user.role.into(),
            language: user.language.into(),
            email: user.email,
            first_name: user.first_name,
            last_name: user.last_name,
            phone: user.phone,
            address: user.address,
            csrf_token,
        }
    }
}

/// Fields to change; absent fields stay as they are, an empty phone or address clears it.
#[derive(Debug, Object)]
#[oai(example)]
pub struct UpdateMeRequest {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub language: Option<LanguageDto>,
    pub phone: Option<String>,
    pub address: Option<String>,
}

impl Example for UpdateMeRequest {
    fn example() -> Self {
        Self {
            first_name: None,
            last_name: None,
            language: Some(LanguageDto::De),
            phone: Some("+31 6 1234 5678".into()),
            address: None,
        }
    }
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct ChangePasswordRequest {
    #[oai(validator(max_length = 1024))]
    pub current_password: String,
    #[oai(validator(max_length = 1024))]
    pub new_password: String,
    #[oai(validator(max_length = 1024))]
    pub new_password_repeat: String,
}

impl Example for ChangePasswordRequest {
    fn example() -> Self {
        Self {
            current_password: "Zomer-Vakantie7".into(),
            new_password: "Herfst-Wandeling8".into(),
            new_password_repeat: "Herfst-Wandeling8".into(),
        }
    }
}

#[OpenApi(prefix_path = "/me", tag = "ApiTags::Account")]
impl MeApi {
    /// My account
    #[oai(path = "/", method = "get")]
    async fn me(&self, auth: Auth) -> Result<Json<MeResponse>, AppError> {
        let session = &auth.user().session;
        Ok(Json(MeResponse::new(
            session.user.clone(),
            session.csrf_token.clone(),
        )))
    }

    /// Change my profile
    ///
    /// Name, language (of the app and of e-mails), phone number and address.
    #[oai(path = "/", method = "patch")]
    async fn update_me(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        body: Json<UpdateMeRequest>,
    ) -> Result<Json<MeResponse>, AppError> {
        let caller = auth.user();
        let body = body.0;
        let change = ProfileChange {
            first_name: body
                .first_name
                .map(|name| text::name("first_name", &name))
                .transpose()?,
            last_name: body
                .last_name
                .map(|name| text::name("last_name", &name))
                .transpose()?,
            language: body.language.map(Language::from),
            phone: body
                .phone
                .map(|phone| text::optional_text("phone", &phone, 50))
                .transpose()?,
            address: body
                .address
                .map(|address| text::optional_text("address", &address, 300))
                .transpose()?,
        };
        let user = accounts::update_profile(&state, caller.id, change).await?;
        state.sessions.forget_user(user.id);
        Ok(Json(MeResponse::new(
            user,
            caller.session.csrf_token.clone(),
        )))
    }

    /// Change my password
    ///
    /// Needs the current password and the new one twice. Other sessions of the account end;
    /// this one stays. Errors: `wrong_current_password`, `password_mismatch`, or the code of
    /// a broken password rule (`password_too_short`, `password_missing_uppercase`, ...).
    /// Limited per account like login (429 with Retry-After).
    #[oai(path = "/password", method = "post")]
    async fn change_password(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        body: Json<ChangePasswordRequest>,
    ) -> Result<Done, AppError> {
        let caller = auth.user();
        state.rate_limits.check_current_password(caller.id)?;
        let body = body.0;
        accounts::change_password(
            &state,
            caller.id,
            caller.session.session_id,
            body.current_password,
            body.new_password,
            &body.new_password_repeat,
        )
        .await?;
        state.sessions.forget_user(caller.id);
        Ok(Done::Done)
    }
}
