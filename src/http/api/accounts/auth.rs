//! Login, logout, forgotten passwords and account activation.

use chrono::{DateTime, Utc};
use poem::{
    Request,
    web::{Data, cookie::CookieJar},
};
use poem_openapi::{ApiResponse, Object, OpenApi, payload::Json, types::Example};

use super::me::MeResponse;
use crate::features::accounts::rules::password::PasswordRule;
use crate::http::error::{ApiError, NoErrors, error_sets};
use crate::{
    features::accounts::{self, Activation, Session, rules},
    http::types::{EmailText, NewPassword, Text},
    http::{
        ApiTags,
        client::ClientIp,
        security::{Auth, expired_session_cookie, optional_user, session_cookie},
        state::HttpState,
        types::Done,
    },
};

pub struct AuthApi;

#[derive(Debug, Object)]
#[oai(example)]
pub struct LoginRequest {
    /// The account's e-mail address (any case).
    pub email: EmailText,
    #[oai(validator(max_length = 1024))]
    pub password: Text,
    /// Only for accounts with two-step login: the six digits the authenticator app shows, or
    /// one of the recovery codes. Without it such an account gets 401 `two_factor_required`;
    /// a wrong or used code 401 `two_factor_code_wrong`.
    #[oai(nullable, validator(max_length = 32))]
    pub code: Option<Text>,
}

impl Example for LoginRequest {
    fn example() -> Self {
        Self {
            email: "parent@example.nl".into(),
            password: "your-password".into(),
            code: None,
        }
    }
}

/// A new session. Use `token` as Bearer token, or rely on the cookie that was set and send
/// `csrf_token` in `X-CSRF-Token` with every write.
#[derive(Debug, Object)]
pub struct LoginResponse {
    pub token: String,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
    pub user: MeResponse,
}

/// Who is logged in on this browser.
#[derive(Debug, Object)]
pub struct SessionResponse {
    /// Null when nobody is logged in (or the session has ended).
    #[oai(nullable)]
    pub user: Option<MeResponse>,
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct ForgotPasswordRequest {
    pub email: EmailText,
}

impl Example for ForgotPasswordRequest {
    fn example() -> Self {
        Self {
            email: "parent@example.nl".into(),
        }
    }
}

#[derive(Debug, Object)]
pub struct AcceptedResponse {
    pub message: String,
}

#[derive(ApiResponse)]
pub enum ForgotPasswordResponse {
    /// Accepted. The same answer whether or not the address has an account.
    #[oai(status = 202)]
    Accepted(Json<AcceptedResponse>),
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct ResetPasswordRequest {
    /// The token from the e-mailed link (the part after `#token=`).
    #[oai(validator(max_length = 200))]
    pub token: Text,
    pub new_password: NewPassword,
    pub new_password_repeat: NewPassword,
}

impl Example for ResetPasswordRequest {
    fn example() -> Self {
        Self {
            token: "token-from-the-link".into(),
            new_password: "Zomer-Vakantie7".into(),
            new_password_repeat: "Zomer-Vakantie7".into(),
        }
    }
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct ActivationTokenRequest {
    /// The token from the link (activation letter or e-mail, password-reset e-mail).
    #[oai(validator(max_length = 200))]
    pub token: Text,
}

impl Example for ActivationTokenRequest {
    fn example() -> Self {
        Self {
            token: "token-from-the-link".into(),
        }
    }
}

/// Who the activation link is for, and which consent text to show.
#[derive(Debug, Object)]
pub struct ActivationStatusResponse {
    pub email: String,
    pub first_name: String,
    #[oai(nullable)]
    pub name_prefix: Option<String>,
    pub last_name: String,
    pub consent_version: String,
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct ActivateRequest {
    #[oai(validator(max_length = 200))]
    pub token: Text,
    pub password: NewPassword,
    pub password_repeat: NewPassword,
    /// The parent agrees to the privacy statement (GDPR); required.
    pub consent: bool,
    /// The version of the privacy statement that was shown (from the activation status).
    pub consent_version: Text,
}

impl Example for ActivateRequest {
    fn example() -> Self {
        Self {
            token: "token-from-the-link".into(),
            password: "Zomer-Vakantie7".into(),
            password_repeat: "Zomer-Vakantie7".into(),
            consent: true,
            consent_version: "2026-11".into(),
        }
    }
}

#[OpenApi(prefix_path = "/auth", tag = "ApiTags::Auth")]
impl AuthApi {
    /// Log in
    ///
    /// Checks e-mail and password. Answers with a session token and sets the HttpOnly
    /// session cookie. Wrong password, unknown address and inactive account give the same
    /// `wrong_credentials` answer. Limited per address and per client (429 with Retry-After).
    #[oai(path = "/login", method = "post", operation_id = "log_in")]
    async fn login(
        &self,
        state: Data<&HttpState>,
        client: ClientIp,
        jar: &CookieJar,
        body: Json<LoginRequest>,
    ) -> Result<Json<LoginResponse>, ApiError<LogInErrors>> {
        state.rate_limits.check_client(client.0)?;
        let email = rules::email("email", &body.email)?;
        state.rate_limits.check_login(email.as_str())?;
        let body = body.0;
        let session =
            accounts::log_in(&state, &email, body.password.into(), body.code.as_deref()).await?;
        Ok(Json(session_answer(&state, jar, session)))
    }

    /// Current session
    ///
    /// Who is logged in with this request's session cookie or Bearer token, or `user: null`
    /// for a visitor without a valid session: the app asks this on every start, before anyone
    /// may have logged in, so the answer is 200 either way.
    #[oai(path = "/session", method = "get", operation_id = "get_session")]
    async fn session(
        &self,
        state: Data<&HttpState>,
        req: &Request,
    ) -> Result<Json<SessionResponse>, ApiError<NoErrors>> {
        let user = optional_user(req).await?.map(|user| {
            let session = &user.session;
            MeResponse::new(
                session.user.clone(),
                session.csrf_token.clone(),
                accounts::two_factor::must_set_up(&state, session.user.role, session.two_factor_on),
            )
        });
        Ok(Json(SessionResponse { user }))
    }

    /// Log out
    ///
    /// Ends the current session and clears the session cookie.
    #[oai(path = "/logout", method = "post", operation_id = "log_out")]
    async fn logout(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        jar: &CookieJar,
    ) -> Result<Done, ApiError<NoErrors>> {
        let session_id = auth.user().session.session_id;
        accounts::log_out(&state, session_id).await?;
        state.sessions.forget_session(session_id);
        jar.add(expired_session_cookie(state.settings.server.secure_cookies));
        Ok(Done::Done)
    }

    /// Log out on all devices
    ///
    /// Ends every session of this account, this one included, and stops push notices to all
    /// its devices (e.g. after a phone was lost). Log in again to go on.
    #[oai(
        path = "/logout-everywhere",
        method = "post",
        operation_id = "log_out_everywhere"
    )]
    async fn logout_everywhere(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        jar: &CookieJar,
    ) -> Result<Done, ApiError<NoErrors>> {
        let me = auth.user();
        accounts::log_out_everywhere(&state, &me.actor(), me.id).await?;
        state.sessions.forget_user(me.id);
        jar.add(expired_session_cookie(state.settings.server.secure_cookies));
        Ok(Done::Done)
    }

    /// Forgot password
    ///
    /// Sends an e-mail with a single-use link (valid for an hour) to choose a new password.
    /// Always answers 202 the same way, so nobody learns whether an address has an account.
    /// An invited account gets its activation link instead.
    #[oai(
        path = "/forgot-password",
        method = "post",
        operation_id = "forgot_password"
    )]
    async fn forgot_password(
        &self,
        state: Data<&HttpState>,
        client: ClientIp,
        body: Json<ForgotPasswordRequest>,
    ) -> Result<ForgotPasswordResponse, ApiError<ForgotPasswordErrors>> {
        state.rate_limits.check_client(client.0)?;
        let email = rules::email("email", &body.email)?;
        state.rate_limits.check_forgot(email.as_str())?;
        accounts::forgot_password(&state, &email).await?;
        Ok(ForgotPasswordResponse::Accepted(Json(AcceptedResponse {
            message: "If an account exists for this address, an e-mail is on its way.".into(),
        })))
    }

    /// Reset password
    ///
    /// Sets a new password with the token from the e-mailed link. The link works once; all
    /// sessions of the account end. Errors: `token_invalid` (404), `token_used` and
    /// `token_expired` (410), a password rule code (400).
    #[oai(
        path = "/reset-password",
        method = "post",
        operation_id = "reset_password"
    )]
    async fn reset_password(
        &self,
        state: Data<&HttpState>,
        client: ClientIp,
        body: Json<ResetPasswordRequest>,
    ) -> Result<Done, ApiError<ResetPasswordErrors>> {
        state.rate_limits.check_client(client.0)?;
        let body = body.0;
        let user_id = accounts::reset_password(
            &state,
            &body.token,
            body.new_password.into(),
            &body.new_password_repeat,
        )
        .await?;
        state.sessions.forget_user(user_id);
        Ok(Done::Done)
    }

    /// Confirm a new login address
    ///
    /// With the token from the link sent to the new address: the login becomes that address
    /// (the old one is told by e-mail). No login needed: the link is the proof. Errors:
    /// `token_invalid` (404), `token_used` and `token_expired` (410), `email_taken` (409: the
    /// address got an account of its own meanwhile; nothing changed).
    #[oai(
        path = "/confirm-email",
        method = "post",
        operation_id = "confirm_email"
    )]
    async fn confirm_email(
        &self,
        state: Data<&HttpState>,
        client: ClientIp,
        body: Json<ActivationTokenRequest>,
    ) -> Result<Json<EmailConfirmed>, ApiError<ConfirmEmailErrors>> {
        state.rate_limits.check_client(client.0)?;
        let (user_id, email) = accounts::email_change::confirm(&state, &body.token).await?;
        state.sessions.forget_user(user_id);
        Ok(Json(EmailConfirmed { email }))
    }

    /// Check a password-reset link
    ///
    /// Whether the link from the e-mail still works, so the app can say so before the user
    /// types a new password: 204 if it does; a used link 410 `token_used`, an old one (or one
    /// replaced by a newer link) 410 `token_expired`, an unknown one 404 `token_invalid`.
    #[oai(
        path = "/reset-password/status",
        method = "post",
        operation_id = "reset_link_status"
    )]
    async fn reset_link_status(
        &self,
        state: Data<&HttpState>,
        client: ClientIp,
        body: Json<ActivationTokenRequest>,
    ) -> Result<Done, ApiError<ResetLinkErrors>> {
        state.rate_limits.check_client(client.0)?;
        accounts::check_reset_link(&state, &body.token).await?;
        Ok(Done::Done)
    }

    /// Check an activation link
    ///
    /// Tells whom an activation link is for. A link that was used answers 410
    /// `already_activated` ("log in instead"); an old one 410 `token_expired`; an unknown one
    /// 404 `token_invalid`.
    #[oai(
        path = "/activation/status",
        method = "post",
        operation_id = "activation_status"
    )]
    async fn activation_status(
        &self,
        state: Data<&HttpState>,
        client: ClientIp,
        body: Json<ActivationTokenRequest>,
    ) -> Result<Json<ActivationStatusResponse>, ApiError<ActivationStatusErrors>> {
        state.rate_limits.check_client(client.0)?;
        let user = accounts::activation_target(&state, &body.token).await?;
        Ok(Json(ActivationStatusResponse {
            email: user.email,
            first_name: user.first_name,
            name_prefix: user.name_prefix,
            last_name: user.last_name,
            consent_version: state.settings.security.consent_version.clone(),
        }))
    }

    /// Activate an account
    ///
    /// The invited parent (or teacher) chooses a password and gives consent, which is
    /// recorded with its time and text version. Logs in at once: the answer is a session,
    /// as with login.
    #[oai(path = "/activate", method = "post", operation_id = "activate")]
    async fn activate(
        &self,
        state: Data<&HttpState>,
        client: ClientIp,
        jar: &CookieJar,
        body: Json<ActivateRequest>,
    ) -> Result<Json<LoginResponse>, ApiError<ActivateErrors>> {
        state.rate_limits.check_client(client.0)?;
        let body = body.0;
        let session = accounts::activate(
            &state,
            Activation {
                token: body.token.into(),
                password: body.password.into(),
                password_repeat: body.password_repeat.into(),
                consent: body.consent,
                consent_version: body.consent_version.into(),
            },
        )
        .await?;
        Ok(Json(session_answer(&state, jar, session)))
    }
}

#[derive(Debug, Object)]
pub struct EmailConfirmed {
    /// The login address from now on.
    pub email: String,
}

error_sets! {
    ConfirmEmailErrors {
        404 => &["token_invalid"],
        409 => &["email_taken"],
        410 => &["token_used", "token_expired"],
        429 => &["rate_limited"],
    }
    LogInErrors {
        400 => &["invalid_email"],
        401 => &["wrong_credentials", "two_factor_required", "two_factor_code_wrong"],
        429 => &["rate_limited"],
    }
    ForgotPasswordErrors { 400 => &["invalid_email"], 429 => &["rate_limited"] }
    ResetPasswordErrors {
        400 => &PasswordRule::CODES,
        400 => &["password_mismatch"],
        404 => &["token_invalid"],
        410 => &["token_used", "token_expired"],
        429 => &["rate_limited"],
    }
    ResetLinkErrors {
        404 => &["token_invalid"],
        410 => &["token_used", "token_expired"],
        429 => &["rate_limited"],
    }
    ActivationStatusErrors {
        403 => &["account_disabled"],
        404 => &["token_invalid"],
        410 => &["already_activated", "token_used", "token_expired"],
        429 => &["rate_limited"],
    }
    ActivateErrors {
        400 => &["consent_required", "password_mismatch"],
        400 => &PasswordRule::CODES,
        403 => &["account_disabled"],
        404 => &["token_invalid"],
        409 => &["consent_version_outdated"],
        410 => &["already_activated", "token_used", "token_expired"],
        429 => &["rate_limited"],
    }
}

/// Sets the session's cookie and describes the session.
fn session_answer(state: &HttpState, jar: &CookieJar, session: Session) -> LoginResponse {
    jar.add(session_cookie(
        &session.token,
        session.lifetime.num_seconds(),
        state.settings.server.secure_cookies,
    ));
    LoginResponse {
        user: MeResponse::new(
            session.user,
            session.csrf_token.clone(),
            session.two_factor_setup_required,
        ),
        token: session.token,
        csrf_token: session.csrf_token,
        expires_at: session.expires_at,
    }
}
