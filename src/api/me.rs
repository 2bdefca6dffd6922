//! The caller's own account: profile, language, password.

use poem::web::Data;
use poem_openapi::{Object, OpenApi, payload::Json, types::Example};

use super::{
    ApiTags,
    security::Auth,
    types::{Done, LanguageDto, RoleDto, parse_name, parse_optional_text},
};
use crate::{
    accounts,
    domain::{accounts::Role, language::Language, posts::EMAIL_KINDS},
    error::AppError,
    state::AppState,
    store::{self, users::ProfileChange, users::User},
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
            role: Role::parse(&user.role).unwrap_or(Role::Parent).into(),
            language: Language::parse(&user.language)
                .unwrap_or(Language::En)
                .into(),
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
        state: Data<&AppState>,
        auth: Auth,
        body: Json<UpdateMeRequest>,
    ) -> Result<Json<MeResponse>, AppError> {
        let caller = auth.user();
        let body = body.0;
        let change = ProfileChange {
            first_name: body
                .first_name
                .map(|name| parse_name("first_name", &name))
                .transpose()?,
            last_name: body
                .last_name
                .map(|name| parse_name("last_name", &name))
                .transpose()?,
            language: body.language.map(Language::from),
            phone: body
                .phone
                .map(|phone| parse_optional_text("phone", &phone, 50))
                .transpose()?,
            address: body
                .address
                .map(|address| parse_optional_text("address", &address, 300))
                .transpose()?,
        };
        let user = load_self(&state, caller.id).await?;
        let user = store::users::update_profile(&state.db, user, change, state.clock.now()).await?;
        state.sessions.forget_user(user.id);
        Ok(Json(MeResponse::new(
            user,
            caller.session.csrf_token.clone(),
        )))
    }

    /// My notification e-mails
    ///
    /// Which kinds of e-mail I get. Switching one off means staying informed in the app.
    #[oai(path = "/notifications", method = "get")]
    async fn notifications(
        &self,
        state: Data<&AppState>,
        auth: Auth,
    ) -> Result<Json<Vec<NotificationSetting>>, AppError> {
        Ok(Json(notification_settings(&state, auth.user().id).await?))
    }

    /// Switch a kind of notification e-mail on or off
    ///
    /// Urgent notices cannot be switched off (409 `urgent_always_on`).
    #[oai(path = "/notifications/:kind", method = "put")]
    async fn change_notification(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        kind: poem_openapi::param::Path<String>,
        body: Json<NotificationChange>,
    ) -> Result<Json<Vec<NotificationSetting>>, AppError> {
        let caller = auth.user();
        match EMAIL_KINDS.iter().find(|(known, _)| *known == kind.0) {
            None => return Err(AppError::not_found("notification kind")),
            Some((_, false)) if !body.enabled => {
                return Err(AppError::conflict(
                    "urgent_always_on",
                    "Urgent notices always arrive; they cannot be switched off.",
                ));
            }
            Some((_, false)) => {}
            Some(_) => {
                store::push::set_opt_out(
                    &state.db,
                    caller.id,
                    &kind.0,
                    !body.enabled,
                    state.clock.now(),
                )
                .await?
            }
        }
        Ok(Json(notification_settings(&state, caller.id).await?))
    }

    /// Change my password
    ///
    /// Needs the current password and the new one twice. Other sessions of the account end;
    /// this one stays. Errors: `wrong_current_password`, `password_mismatch`, or the code of
    /// a broken password rule (`password_too_short`, `password_missing_uppercase`, ...).
    #[oai(path = "/password", method = "post")]
    async fn change_password(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<ChangePasswordRequest>,
    ) -> Result<Done, AppError> {
        let caller = auth.user();
        let body = body.0;
        let user = load_self(&state, caller.id).await?;
        let email = user.email.parse().map_err(|_| {
            AppError::Internal(anyhow::anyhow!(
                "stored e-mail of user {} is invalid",
                user.id
            ))
        })?;
        accounts::authenticate(&state, &email, body.current_password)
            .await
            .map_err(|err| match err {
                AppError::WrongCredentials => AppError::invalid(
                    "current_password",
                    "wrong_current_password",
                    "The current password is not correct.",
                ),
                other => other,
            })?;
        let hash = accounts::hash_new_password(
            body.new_password,
            &body.new_password_repeat,
            "new_password",
            "new_password_repeat",
        )
        .await?;
        let txn = store::begin_write(&state.db).await?;
        store::users::set_password(&txn, user, hash, state.clock.now()).await?;
        store::sessions::delete_all_for_user(&txn, caller.id, Some(caller.session.session_id))
            .await?;
        txn.commit().await?;
        state.sessions.forget_user(caller.id);
        Ok(Done::Done)
    }
}

#[derive(Debug, Object)]
pub struct NotificationSetting {
    /// `urgent`, `messages`, `news`, `photo_albums`, `conferences`.
    pub kind: String,
    pub enabled: bool,
    /// False for urgent notices: they always arrive.
    pub can_change: bool,
}

#[derive(Debug, Object)]
pub struct NotificationChange {
    pub enabled: bool,
}

async fn notification_settings(
    state: &AppState,
    user_id: i32,
) -> Result<Vec<NotificationSetting>, AppError> {
    let opted_out = store::push::opt_outs(&state.db, user_id).await?;
    Ok(EMAIL_KINDS
        .iter()
        .map(|(kind, can_change)| NotificationSetting {
            kind: kind.to_string(),
            enabled: !opted_out.iter().any(|o| o == kind),
            can_change: *can_change,
        })
        .collect())
}

async fn load_self(state: &AppState, id: i32) -> Result<User, AppError> {
    store::users::find_by_id(&state.db, id)
        .await?
        .ok_or(AppError::Unauthenticated)
}
