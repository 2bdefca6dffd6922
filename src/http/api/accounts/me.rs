//! The caller's own account: profile, language, password.

use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, payload::Json, types::Example};

use crate::features::accounts::rules::password::PasswordRule;
use crate::http::api::directory::ContactLabelDto;
use crate::http::error::{ApiError, Lookup, NoErrors, error_sets};
use crate::{
    entities::user_contacts::ContactLabel,
    entities::users::Language,
    features::accounts::{self, ProfileChange, User, contacts, email_change, rules, two_factor},
    features::directory,
    http::types::{AddressText, EmailText, Name, NamePrefix, NewPassword, PhoneText, Text},
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
    /// My photo (square JPEG), if I added one.
    #[oai(nullable)]
    pub photo_url: Option<String>,
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
            photo_url: directory::user_photo_url(&user),
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
pub struct LabelledResponse {
    pub label: ContactLabelDto,
    pub value: String,
}

#[derive(Debug, Object)]
pub struct ContactResponse {
    /// The login address.
    pub email: String,
    /// A new login address waiting for its confirmation link.
    #[oai(nullable)]
    pub pending_email: Option<String>,
    /// The first is the main number.
    pub phones: Vec<LabelledResponse>,
    /// Addresses for being reached (not for logging in).
    pub extra_emails: Vec<LabelledResponse>,
    #[oai(nullable)]
    pub address: Option<String>,
}

impl From<contacts::ContactDetails> for ContactResponse {
    fn from(details: contacts::ContactDetails) -> Self {
        let list = |items: Vec<(ContactLabel, String)>| {
            items
                .into_iter()
                .map(|(label, value)| LabelledResponse {
                    label: label.into(),
                    value,
                })
                .collect()
        };
        Self {
            email: details.email,
            pending_email: details.pending_email,
            phones: list(details.phones),
            extra_emails: list(details.extra_emails),
            address: details.address,
        }
    }
}

#[derive(Debug, Object)]
pub struct LabelledInput {
    pub label: ContactLabelDto,
    #[oai(validator(max_length = 254))]
    pub value: Text,
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct ContactRequest {
    #[oai(nullable, validator(max_items = 5))]
    pub phones: Option<Vec<LabelledInput>>,
    #[oai(nullable, validator(max_items = 5))]
    pub extra_emails: Option<Vec<LabelledInput>>,
    /// Empty: no address.
    #[oai(nullable)]
    pub address: Option<AddressText>,
}

impl Example for ContactRequest {
    fn example() -> Self {
        Self {
            phones: Some(vec![
                LabelledInput {
                    label: ContactLabelDto::Mobile,
                    value: "+31 6 1234 5678".into(),
                },
                LabelledInput {
                    label: ContactLabelDto::Work,
                    value: "020 123 4567".into(),
                },
            ]),
            extra_emails: Some(vec![LabelledInput {
                label: ContactLabelDto::Work,
                value: "a.jansen@werk.example".into(),
            }]),
            address: None,
        }
    }
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct ChangeEmailRequest {
    pub new_email: EmailText,
    #[oai(validator(max_length = 1024))]
    pub current_password: Text,
}

impl Example for ChangeEmailRequest {
    fn example() -> Self {
        Self {
            new_email: "anna.jansen@nieuw.example".into(),
            current_password: "Zomer-Vakantie7".into(),
        }
    }
}

#[derive(Debug, Object)]
pub struct PendingEmail {
    /// Waiting for the link sent to it.
    pub pending_email: String,
}

#[derive(ApiResponse)]
pub enum ChangeEmailResponse {
    /// The confirmation link is on its way to the new address.
    #[oai(status = 202)]
    Accepted(Json<PendingEmail>),
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
            ..ProfileChange::default()
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

    /// My contact details
    ///
    /// Login address (and a new one waiting for confirmation), phone numbers with labels,
    /// extra e-mail addresses for being reached, and address. Who else sees them: `/me/privacy`.
    #[oai(path = "/contact", method = "get", operation_id = "get_my_contact")]
    async fn contact(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
    ) -> Result<Json<ContactResponse>, ApiError<NoErrors>> {
        let details = contacts::details(&state, auth.user().id).await?;
        Ok(Json(details.into()))
    }

    /// Change my contact details
    ///
    /// Lists replace what is there (the first phone number is the main one); absent fields
    /// stay. Errors name the entry: `phones[1].number` `invalid_phone`, `extra_emails[0].email`
    /// `invalid_email` / `duplicate_email`, `too_many_contacts` (at most 5 of each).
    #[oai(path = "/contact", method = "put", operation_id = "set_my_contact")]
    async fn set_contact(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        body: Json<ContactRequest>,
    ) -> Result<Json<ContactResponse>, ApiError<ContactErrors>> {
        let caller = auth.user();
        let body = body.0;
        let labelled = |items: Vec<LabelledInput>| {
            items
                .into_iter()
                .map(|item| (item.label.into(), item.value.to_string()))
                .collect()
        };
        let change = contacts::ContactChange {
            phones: body.phones.map(labelled),
            extra_emails: body.extra_emails.map(labelled),
            address: body.address.map(|address| address.to_string()),
        };
        let details = contacts::change(&state, caller.id, change).await?;
        state.sessions.forget_user(caller.id);
        Ok(Json(details.into()))
    }

    /// Change my login address
    ///
    /// Needs the current password. A confirmation link goes to the new address; the login
    /// changes only when it is opened (the old address is then told). The answer is the same
    /// whether or not the new address has an account. Errors: `wrong_current_password`,
    /// `same_email`, `invalid_email`; limited like login (429).
    #[oai(path = "/email", method = "post", operation_id = "change_my_email")]
    async fn change_email(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        body: Json<ChangeEmailRequest>,
    ) -> Result<ChangeEmailResponse, ApiError<ChangeEmailErrors>> {
        let caller = auth.user();
        state.rate_limits.check_current_password(caller.id)?;
        let body = body.0;
        let new_email = rules::email("new_email", &body.new_email)?;
        accounts::check_password(&state, caller.id, body.current_password.into()).await?;
        let pending = email_change::request(&state, caller.id, &new_email).await?;
        Ok(ChangeEmailResponse::Accepted(Json(PendingEmail {
            pending_email: pending,
        })))
    }

    /// Cancel my change of login address
    #[oai(
        path = "/email",
        method = "delete",
        operation_id = "cancel_my_email_change"
    )]
    async fn cancel_email_change(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
    ) -> Result<Done, ApiError<Lookup>> {
        email_change::cancel(&state, auth.user().id).await?;
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
    ContactErrors {
        400 => &["invalid_phone", "invalid_email", "duplicate_email", "too_many_contacts", "invalid_text"],
    }
    ChangeEmailErrors {
        400 => &["wrong_current_password", "invalid_email", "same_email"],
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
