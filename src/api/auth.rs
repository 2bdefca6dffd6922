//! Login, logout, forgotten passwords and account activation.

use chrono::{DateTime, Duration, Utc};
use poem::web::{Data, RemoteAddr, cookie::CookieJar};
use poem_openapi::{ApiResponse, Object, OpenApi, payload::Json, types::Example};

use super::{
    ApiTags,
    me::MeResponse,
    security::{Auth, expired_session_cookie, session_cookie},
    types::{Done, client_ip, parse_email},
};
use crate::{
    accounts,
    delivery::MailKind,
    domain::{accounts::AccountState, tokens::TokenPurpose},
    error::AppError,
    state::AppState,
    store::{self, tokens::OneTimeToken, users::User},
};

pub struct AuthApi;

#[derive(Debug, Object)]
#[oai(example)]
pub struct LoginRequest {
    /// The account's e-mail address (any case).
    pub email: String,
    #[oai(validator(max_length = 1024))]
    pub password: String,
}

impl Example for LoginRequest {
    fn example() -> Self {
        Self {
            email: "admin@demo.school".into(),
            password: "Demo-Admin-2026!".into(),
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

#[derive(Debug, Object)]
#[oai(example)]
pub struct ForgotPasswordRequest {
    pub email: String,
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
    pub token: String,
    #[oai(validator(max_length = 1024))]
    pub new_password: String,
    #[oai(validator(max_length = 1024))]
    pub new_password_repeat: String,
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
pub struct ActivationTokenRequest {
    /// The token from the activation link or letter.
    #[oai(validator(max_length = 200))]
    pub token: String,
}

/// Who the activation link is for, and which consent text to show.
#[derive(Debug, Object)]
pub struct ActivationStatusResponse {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub consent_version: String,
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct ActivateRequest {
    #[oai(validator(max_length = 200))]
    pub token: String,
    #[oai(validator(max_length = 1024))]
    pub password: String,
    #[oai(validator(max_length = 1024))]
    pub password_repeat: String,
    /// The parent agrees to the privacy statement (GDPR); required.
    pub consent: bool,
    /// The version of the privacy statement that was shown (from the activation status).
    pub consent_version: String,
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
    #[oai(path = "/login", method = "post")]
    async fn login(
        &self,
        state: Data<&AppState>,
        remote: &RemoteAddr,
        jar: &CookieJar,
        body: Json<LoginRequest>,
    ) -> Result<Json<LoginResponse>, AppError> {
        state.rate_limits.check_client(client_ip(remote))?;
        let email = parse_email("email", &body.email)?;
        state.rate_limits.check_login(email.as_str())?;
        let user = accounts::authenticate(&state, &email, body.0.password).await?;
        Ok(Json(start_session(&state, jar, user).await?))
    }

    /// Log out
    ///
    /// Ends the current session and clears the session cookie.
    #[oai(path = "/logout", method = "post")]
    async fn logout(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        jar: &CookieJar,
    ) -> Result<Done, AppError> {
        let session_id = auth.user().session.session_id;
        store::sessions::delete(&state.db, session_id).await?;
        state.sessions.forget_session(session_id);
        jar.add(expired_session_cookie(state.settings.server.secure_cookies));
        Ok(Done::Done)
    }

    /// Forgot password
    ///
    /// Sends an e-mail with a single-use link (valid for an hour) to choose a new password.
    /// Always answers 202 the same way, so nobody learns whether an address has an account.
    /// An invited account gets its activation link instead.
    #[oai(path = "/forgot-password", method = "post")]
    async fn forgot_password(
        &self,
        state: Data<&AppState>,
        remote: &RemoteAddr,
        body: Json<ForgotPasswordRequest>,
    ) -> Result<ForgotPasswordResponse, AppError> {
        state.rate_limits.check_client(client_ip(remote))?;
        let email = parse_email("email", &body.email)?;
        state.rate_limits.check_forgot(email.as_str())?;
        if let Some(user) = store::users::find_by_email(&state.db, &email).await? {
            let kind = match AccountState::parse(&user.state) {
                Some(AccountState::Active) => Some(MailKind::PasswordReset),
                Some(AccountState::Invited) => Some(MailKind::Activation),
                _ => None,
            };
            if let Some(kind) = kind {
                accounts::queue_mail(&state.db, kind, user.id, state.clock.now()).await?;
                state.outbox_wakeup.notify_one();
            }
        }
        Ok(ForgotPasswordResponse::Accepted(Json(AcceptedResponse {
            message: "If an account exists for this address, an e-mail is on its way.".into(),
        })))
    }

    /// Reset password
    ///
    /// Sets a new password with the token from the e-mailed link. The link works once; all
    /// sessions of the account end. Errors: `token_invalid` (404), `token_used` and
    /// `token_expired` (410), a password rule code (400).
    #[oai(path = "/reset-password", method = "post")]
    async fn reset_password(
        &self,
        state: Data<&AppState>,
        remote: &RemoteAddr,
        body: Json<ResetPasswordRequest>,
    ) -> Result<Done, AppError> {
        state.rate_limits.check_client(client_ip(remote))?;
        let body = body.0;
        let token = usable_token(&state, &body.token, TokenPurpose::PasswordReset).await?;
        let hash = accounts::hash_new_password(
            body.new_password,
            &body.new_password_repeat,
            "new_password",
            "new_password_repeat",
        )
        .await?;
        let now = state.clock.now();
        let txn = store::begin_write(&state.db).await?;
        let user = store::users::find_by_id(&txn, token.user_id)
            .await?
            .filter(|user| AccountState::parse(&user.state) == Some(AccountState::Active))
            .ok_or_else(token_invalid)?;
        if !store::tokens::consume(&txn, token, now).await? {
            return Err(token_used());
        }
        let user_id = user.id;
        store::users::set_password(&txn, user, hash, now).await?;
        store::sessions::delete_all_for_user(&txn, user_id, None).await?;
        store::tokens::expire_open(&txn, user_id, TokenPurpose::PasswordReset, now).await?;
        txn.commit().await?;
        state.sessions.forget_user(user_id);
        Ok(Done::Done)
    }

    /// Check an activation link
    ///
    /// Tells whom an activation link is for. A link that was used answers 410
    /// `already_activated` ("log in instead"); an old one 410 `token_expired`; an unknown one
    /// 404 `token_invalid`.
    #[oai(path = "/activation/status", method = "post")]
    async fn activation_status(
        &self,
        state: Data<&AppState>,
        remote: &RemoteAddr,
        body: Json<ActivationTokenRequest>,
    ) -> Result<Json<ActivationStatusResponse>, AppError> {
        state.rate_limits.check_client(client_ip(remote))?;
        let (_, user) = activation_target(&state, &body.token).await?;
        Ok(Json(ActivationStatusResponse {
            email: user.email,
            first_name: user.first_name,
            last_name: user.last_name,
            consent_version: state.settings.security.consent_version.clone(),
        }))
    }

    /// Activate an account
    ///
    /// The invited parent (or teacher) chooses a password and gives consent, which is
    /// recorded with its time and text version. Logs in at once: the answer is a session,
    /// as with login.
    #[oai(path = "/activate", method = "post")]
    async fn activate(
        &self,
        state: Data<&AppState>,
        remote: &RemoteAddr,
        jar: &CookieJar,
        body: Json<ActivateRequest>,
    ) -> Result<Json<LoginResponse>, AppError> {
        state.rate_limits.check_client(client_ip(remote))?;
        let body = body.0;
        let (token, _) = activation_target(&state, &body.token).await?;
        let consent_version = &state.settings.security.consent_version;
        if !body.consent {
            return Err(AppError::invalid(
                "consent",
                "consent_required",
                "Please agree to the privacy statement to use the app.",
            ));
        }
        if &body.consent_version != consent_version {
            return Err(AppError::conflict(
                "consent_version_outdated",
                format!(
                    "The privacy statement has changed; please read version {consent_version}."
                ),
            ));
        }
        let hash = accounts::hash_new_password(
            body.password,
            &body.password_repeat,
            "password",
            "password_repeat",
        )
        .await?;
        let now = state.clock.now();
        let txn = store::begin_write(&state.db).await?;
        let user = store::users::find_by_id(&txn, token.user_id)
            .await?
            .ok_or_else(token_invalid)?;
        if AccountState::parse(&user.state) != Some(AccountState::Invited)
            || !store::tokens::consume(&txn, token, now).await?
        {
            return Err(already_activated());
        }
        let user = store::users::activate(&txn, user, hash, consent_version, now).await?;
        store::tokens::expire_open(&txn, user.id, TokenPurpose::Activation, now).await?;
        txn.commit().await?;
        Ok(Json(start_session(&state, jar, user).await?))
    }
}

/// Creates a session, sets its cookie and describes it.
async fn start_session(
    state: &AppState,
    jar: &CookieJar,
    user: User,
) -> Result<LoginResponse, AppError> {
    let lifetime = Duration::days(state.settings.security.session_days);
    let session = store::sessions::create(&state.db, user.id, lifetime, state.clock.now()).await?;
    jar.add(session_cookie(
        &session.token,
        lifetime.num_seconds(),
        state.settings.server.secure_cookies,
    ));
    Ok(LoginResponse {
        user: MeResponse::new(user, session.csrf_token.clone()),
        token: session.token,
        csrf_token: session.csrf_token,
        expires_at: session.expires_at,
    })
}

/// A token of this purpose that is neither used nor expired.
async fn usable_token(
    state: &AppState,
    raw: &str,
    purpose: TokenPurpose,
) -> Result<OneTimeToken, AppError> {
    let token = store::tokens::find(&state.db, raw.trim(), purpose)
        .await?
        .ok_or_else(token_invalid)?;
    if token.used_at.is_some() {
        return Err(token_used());
    }
    if token.expires_at <= state.clock.now() {
        return Err(AppError::gone(
            "token_expired",
            "This link has expired. Ask for a new one.",
        ));
    }
    Ok(token)
}

/// The token and invited account an activation link is for; a used link, or any link of an
/// account that is active already, answers `already_activated`.
async fn activation_target(state: &AppState, raw: &str) -> Result<(OneTimeToken, User), AppError> {
    let token = store::tokens::find(&state.db, raw.trim(), TokenPurpose::Activation)
        .await?
        .ok_or_else(token_invalid)?;
    let user = store::users::find_by_id(&state.db, token.user_id)
        .await?
        .ok_or_else(token_invalid)?;
    match AccountState::parse(&user.state) {
        Some(AccountState::Active) => return Err(already_activated()),
        Some(AccountState::Disabled) => {
            return Err(AppError::Forbidden {
                code: "account_disabled",
                message: "This account is disabled. Please contact the school.".into(),
            });
        }
        _ => {}
    }
    let token = usable_token(state, raw, TokenPurpose::Activation).await?;
    Ok((token, user))
}

fn token_invalid() -> AppError {
    AppError::NotFound {
        code: "token_invalid",
        message: "This link is not valid. Check that it was copied completely.".into(),
    }
}

fn token_used() -> AppError {
    AppError::gone(
        "token_used",
        "This link was used already. Ask for a new one.",
    )
}

fn already_activated() -> AppError {
    AppError::gone(
        "already_activated",
        "This account is activated already. Log in with your e-mail address and password.",
    )
}
