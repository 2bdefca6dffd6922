//! The caller's own account: profile, language, password.

use poem::web::Data;
use poem_openapi::{Object, OpenApi, payload::Json, types::Example};

use crate::features::accounts::rules::password::PasswordRule;
use crate::http::error::{ApiError, NoErrors, error_sets};
use crate::{
    entities::users::Language,
    features::accounts::{self, ProfileChange, User, two_factor},
    http::types::{AddressText, Name, NamePrefix, NewPassword, PhoneText, Text},
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
    /// "van der", "de", "von": written before the last name.
    #[oai(nullable)]
    pub name_prefix: Option<String>,
    pub last_name: String,
    /// The name as written: first name, prefix, last name.
    pub full_name: String,
    pub role: RoleDto,
    pub language: LanguageDto,
    #[oai(nullable)]
    pub phone: Option<String>,
    #[oai(nullable)]
    pub address: Option<String>,
    /// Send this in `X-CSRF-Token` with writes authenticated by the session cookie.
    pub csrf_token: String,
    /// The school requires two-step login and it is not set up yet: until it is, only this
    /// account's own operations (`/me`, `/me/two-factor/...`) and logging out work.
    pub two_factor_setup_required: bool,
}

impl MeResponse {
    pub fn new(user: User, csrf_token: String, two_factor_setup_required: bool) -> Self {
        Self {
            two_factor_setup_required,
            id: user.id,
            role: user.role.into(),
            language: user.language.into(),
            full_name: user.full_name(),
            email: user.email,
            first_name: user.first_name,
            name_prefix: user.name_prefix,
            last_name: user.last_name,
            phone: user.phone,
            address: user.address,
            csrf_token,
        }
    }
}

/// Fields to change; absent fields stay as they are, an empty name prefix, phone or address
/// clears it.
#[derive(Debug, Object)]
#[oai(example)]
pub struct UpdateMeRequest {
    #[oai(nullable)]
    pub first_name: Option<Name>,
    #[oai(nullable)]
    pub name_prefix: Option<NamePrefix>,
    #[oai(nullable)]
    pub last_name: Option<Name>,
    #[oai(nullable)]
    pub language: Option<LanguageDto>,
    #[oai(nullable)]
    pub phone: Option<PhoneText>,
    #[oai(nullable)]
    pub address: Option<AddressText>,
}

impl Example for UpdateMeRequest {
    fn example() -> Self {
        Self {
            first_name: None,
            name_prefix: None,
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
    pub current_password: Text,
    pub new_password: NewPassword,
    pub new_password_repeat: NewPassword,
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
    #[oai(path = "/", method = "get", operation_id = "get_me")]
    async fn me(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
    ) -> Result<Json<MeResponse>, ApiError<NoErrors>> {
        let session = &auth.user().session;
        Ok(Json(MeResponse::new(
            session.user.clone(),
            session.csrf_token.clone(),
            two_factor::must_set_up(&state, session.user.role, session.two_factor_on),
        )))
    }

    /// Change my profile
    ///
    /// Name, language (of the app and of e-mails), phone number and address.
    #[oai(path = "/", method = "patch", operation_id = "update_me")]
    async fn update_me(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        body: Json<UpdateMeRequest>,
    ) -> Result<Json<MeResponse>, ApiError<UpdateMeErrors>> {
        let caller = auth.user();
        let body = body.0;
        let change = ProfileChange {
            first_name: body
                .first_name
                .map(|name| text::name("first_name", &name))
                .transpose()?,
            name_prefix: body
                .name_prefix
                .map(|prefix| text::name_prefix(&prefix))
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
        let setup_required =
            two_factor::must_set_up(&state, user.role, caller.session.two_factor_on);
        Ok(Json(MeResponse::new(
            user,
            caller.session.csrf_token.clone(),
            setup_required,
        )))
    }

    /// Change my password
    ///
    /// Needs the current password and the new one twice. Other sessions of the account end;
    /// this one stays. Errors: `wrong_current_password`, `password_mismatch`, or the code of
    /// a broken password rule (`password_too_short`, `password_missing_uppercase`, ...).
    /// Limited per account like login (429 with Retry-After).
    #[oai(path = "/password", method = "post", operation_id = "change_password")]
    async fn change_password(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        body: Json<ChangePasswordRequest>,
    ) -> Result<Done, ApiError<ChangePasswordErrors>> {
        let caller = auth.user();
        state.rate_limits.check_current_password(caller.id)?;
        let body = body.0;
        accounts::change_password(
            &state,
            caller.id,
            caller.session.session_id,
            body.current_password.into(),
            body.new_password.into(),
            &body.new_password_repeat,
        )
        .await?;
        state.sessions.forget_user(caller.id);
        Ok(Done::Done)
    }

    /// My two-step login
    ///
    /// Whether it is on, whether the school requires it before anything else, and how many
    /// recovery codes are left.
    #[oai(
        path = "/two-factor",
        method = "get",
        operation_id = "two_factor_status"
    )]
    async fn two_factor_status(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
    ) -> Result<Json<TwoFactorStatusResponse>, ApiError<NoErrors>> {
        let status = two_factor::status(&state, &auth.user().actor()).await?;
        Ok(Json(TwoFactorStatusResponse {
            on: status.on,
            setup_required: status.setup_required,
            recovery_codes_left: status.recovery_codes_left,
        }))
    }

    /// Start setting up two-step login (staff)
    ///
    /// A new key for an authenticator app, as a QR code (SVG) and as text to type in. It takes
    /// effect only once `POST /me/two-factor/enable` gets a code the app made with it.
    /// Errors: `two_factor_staff_only` (403), `two_factor_already_on` (409).
    #[oai(
        path = "/two-factor/setup",
        method = "post",
        operation_id = "two_factor_setup"
    )]
    async fn two_factor_setup(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
    ) -> Result<Json<TwoFactorSetupResponse>, ApiError<TwoFactorSetupErrors>> {
        let setup = two_factor::begin_setup(&state, &auth.user().actor()).await?;
        Ok(Json(TwoFactorSetupResponse {
            secret: setup.secret,
            otpauth_url: setup.otpauth_url,
            qr_svg: setup.qr_svg,
        }))
    }

    /// Turn on two-step login (staff)
    ///
    /// With the six digits the app shows now. Answers ten single-use recovery codes, shown
    /// this once: keep them for a lost phone. Other sessions of the account end. Errors:
    /// `two_factor_code_wrong` (400), `two_factor_not_started` (409).
    #[oai(
        path = "/two-factor/enable",
        method = "post",
        operation_id = "two_factor_enable"
    )]
    async fn two_factor_enable(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        body: Json<TwoFactorCodeRequest>,
    ) -> Result<Json<RecoveryCodesResponse>, ApiError<TwoFactorEnableErrors>> {
        let caller = auth.user();
        let session_id = caller.session.session_id;
        let codes = two_factor::turn_on(&state, &caller.actor(), session_id, &body.code).await?;
        state.sessions.forget_user(caller.id);
        Ok(Json(RecoveryCodesResponse {
            recovery_codes: codes,
        }))
    }

    /// Turn off two-step login
    ///
    /// With a current code from the app or a recovery code. Errors: `two_factor_code_wrong`
    /// (400), `two_factor_off` and `two_factor_required_by_school` (409). Limited per account
    /// like login.
    #[oai(
        path = "/two-factor/disable",
        method = "post",
        operation_id = "two_factor_disable"
    )]
    async fn two_factor_disable(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        body: Json<TwoFactorCodeRequest>,
    ) -> Result<Done, ApiError<TwoFactorDisableErrors>> {
        let caller = auth.user();
        state.rate_limits.check_current_password(caller.id)?;
        two_factor::turn_off(&state, &caller.actor(), &body.code).await?;
        state.sessions.forget_user(caller.id);
        Ok(Done::Done)
    }
}

error_sets! {
    UpdateMeErrors { 400 => &["invalid_name", "invalid_text"] }
    ChangePasswordErrors {
        400 => &["wrong_current_password", "password_mismatch"],
        400 => &PasswordRule::CODES,
        429 => &["rate_limited"],
    }
    TwoFactorSetupErrors { 403 => &["two_factor_staff_only"], 409 => &["two_factor_already_on"] }
    TwoFactorEnableErrors {
        400 => &["two_factor_code_wrong"],
        403 => &["two_factor_staff_only"],
        409 => &["two_factor_not_started"],
    }
    TwoFactorDisableErrors {
        400 => &["two_factor_code_wrong"],
        409 => &["two_factor_required_by_school", "two_factor_off"],
        429 => &["rate_limited"],
    }
}

/// Where the caller's two-step login stands.
#[derive(Debug, Object)]
pub struct TwoFactorStatusResponse {
    pub on: bool,
    /// The school requires it and it is not on: nothing but the own account works until it is.
    pub setup_required: bool,
    pub recovery_codes_left: u64,
}

/// A new authenticator key.
#[derive(Debug, Object)]
pub struct TwoFactorSetupResponse {
    /// Base32, to type into the app when the QR code cannot be scanned.
    pub secret: String,
    /// The `otpauth://totp/...` link the QR code holds.
    pub otpauth_url: String,
    /// The QR code as an SVG document.
    pub qr_svg: String,
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct TwoFactorCodeRequest {
    /// Six digits from the authenticator app (or, to turn it off, a recovery code).
    #[oai(validator(max_length = 32))]
    pub code: Text,
}

impl Example for TwoFactorCodeRequest {
    fn example() -> Self {
        Self {
            code: "123456".into(),
        }
    }
}

/// Single-use codes for logging in without the app.
#[derive(Debug, Object)]
pub struct RecoveryCodesResponse {
    pub recovery_codes: Vec<String>,
}
