//! Who is calling. Two security schemes, both visible in the OpenAPI console: a Bearer token
//! (API clients, the console) and the HttpOnly session cookie (the PWA). Cookie-authenticated
//! writes must echo the session's CSRF token in `X-CSRF-Token`.

use std::sync::Arc;

use poem::{
    Endpoint, IntoResponse, Request, Response,
    http::{Method, header},
    web::cookie::Cookie,
};
use poem_openapi::{
    SecurityScheme,
    auth::{ApiKey, Bearer},
};

use super::{session_cache::CachedSession, state::HttpState};
use crate::{
    app::{actor::Actor, error::AppError},
    entities::users::{AccountState, Language, Role},
    features::accounts::{idle_timeout, two_factor},
    platform::{sessions, tokens},
};

pub const SESSION_COOKIE: &str = "sg_session";
pub const CSRF_HEADER: &str = "X-CSRF-Token";

/// The authenticated caller, as every handler sees it.
#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub id: i32,
    pub role: Role,
    pub language: Language,
    /// The session and the account as they were when the session was checked.
    pub session: Arc<CachedSession>,
}

impl CurrentUser {
    /// The caller as the use cases see it.
    pub fn actor(&self) -> Actor {
        Actor {
            id: self.id,
            role: self.role,
        }
    }
}

/// `Authorization: Bearer <session token>`, as returned by login.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", checker = "check_bearer")]
pub struct BearerAuth(CurrentUser);

/// The `sg_session` cookie set by login (writes also need `X-CSRF-Token`).
#[derive(SecurityScheme)]
#[oai(
    ty = "api_key",
    key_name = "sg_session",
    key_in = "cookie",
    checker = "check_cookie"
)]
pub struct CookieAuth(CurrentUser);

/// Either scheme; Bearer is tried first.
#[derive(SecurityScheme)]
pub enum Auth {
    Bearer(BearerAuth),
    Cookie(CookieAuth),
}

impl Auth {
    pub fn user(&self) -> &CurrentUser {
        match self {
            Self::Bearer(BearerAuth(user)) | Self::Cookie(CookieAuth(user)) => user,
        }
    }
}

async fn check_bearer(req: &Request, bearer: Bearer) -> poem::Result<CurrentUser> {
    Ok(current_user(req, &bearer.token).await?)
}

async fn check_cookie(req: &Request, key: ApiKey) -> poem::Result<CurrentUser> {
    let user = current_user(req, &key.key).await?;
    let safe_method = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let csrf_ok = req
        .header(CSRF_HEADER)
        .is_some_and(|sent| constant_time_eq(sent.as_bytes(), user.session.csrf_token.as_bytes()));
    if !safe_method && !csrf_ok {
        return Err(AppError::forbidden_with(
            "csrf_token_invalid",
            format!("Send the session's CSRF token in the {CSRF_HEADER} header."),
        )
        .into());
    }
    Ok(user)
}

async fn current_user(req: &Request, token: &str) -> Result<CurrentUser, AppError> {
    let state = req
        .data::<HttpState>()
        .ok_or_else(|| AppError::internal("HttpState missing from request data"))?;
    let now = state.clock.now();
    let digest = tokens::digest(token);
    let session = match state.sessions.get(&digest) {
        Some(cached)
            if cached.expires_at > now && !sessions::due_for_touch(cached.last_seen_at, now) =>
        {
            cached
        }
        _ => {
            let Some((session, user)) =
                sessions::find_valid(&state.db, token, idle_timeout(state), now).await?
            else {
                return Err(AppError::Unauthenticated);
            };
            if user.state != AccountState::Active {
                return Err(AppError::Unauthenticated);
            }
            let two_factor_on = two_factor::store_is_on(&state.db, user.id).await?;
            let cached = Arc::new(CachedSession {
                session_id: session.id,
                csrf_token: session.csrf_token,
                expires_at: session.expires_at,
                last_seen_at: session.last_seen_at,
                user,
                two_factor_on,
            });
            state.sessions.insert(digest, cached.clone());
            cached
        }
    };
    let user = &session.user;
    Ok(CurrentUser {
        id: user.id,
        role: user.role,
        language: user.language,
        session,
    })
}

/// When the school requires two-step login, staff who have not set it up may only reach their
/// own account (to set it up) and log out: everything else answers 403
/// `two_factor_setup_required`. A middleware rather than part of the `Auth` check: with two
/// auth schemes, poem-openapi reports the last scheme's failure (a missing cookie: 401).
pub async fn require_two_factor_setup<E: Endpoint>(
    next: E,
    req: Request,
) -> poem::Result<Response> {
    if !open_before_two_factor_setup(req.original_uri().path())
        && let Some(state) = req.data::<HttpState>()
        && state.settings.security.two_factor_required_for_staff
        && let Some(token) = session_token(&req)
        && let Ok(user) = current_user(&req, &token).await
        && two_factor::must_set_up(state, user.role, user.session.two_factor_on)
    {
        return Err(AppError::forbidden_with(
            "two_factor_setup_required",
            "The school requires two-step login: set it up under My account first.",
        )
        .into());
    }
    next.call(req).await.map(IntoResponse::into_response)
}

/// The session token a request carries: its Bearer token, else its session cookie.
fn session_token(req: &Request) -> Option<String> {
    let bearer = req
        .header(header::AUTHORIZATION)
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_string());
    bearer.or_else(|| {
        req.cookie()
            .get(SESSION_COOKIE)
            .map(|cookie| cookie.value_str().to_string())
    })
}

/// The logged-in user of a request, or `None` for a visitor without a valid session (no
/// 401: for the app's start, which asks before anyone has logged in).
pub async fn optional_user(req: &Request) -> Result<Option<CurrentUser>, AppError> {
    let Some(token) = session_token(req) else {
        return Ok(None);
    };
    match current_user(req, &token).await {
        Ok(user) => Ok(Some(user)),
        Err(AppError::Unauthenticated) => Ok(None),
        Err(error) => Err(error),
    }
}

/// What staff may still do while the school waits for them to set up two-step login.
pub(crate) fn open_before_two_factor_setup(path: &str) -> bool {
    matches!(path, "/api/me" | "/api/me/password")
        || path.starts_with("/api/me/two-factor")
        || path.starts_with("/api/auth/")
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The session cookie: HttpOnly, SameSite=Lax, Secure when configured.
pub fn session_cookie(token: &str, max_age_secs: i64, secure: bool) -> Cookie {
    let mut cookie = Cookie::new_with_str(SESSION_COOKIE, token);
    cookie.set_http_only(true);
    cookie.set_secure(secure);
    cookie.set_same_site(poem::web::cookie::SameSite::Lax);
    cookie.set_path("/");
    cookie.set_max_age(std::time::Duration::from_secs(max_age_secs.max(0) as u64));
    cookie
}

/// A cookie that makes the browser forget the session.
pub fn expired_session_cookie(secure: bool) -> Cookie {
    session_cookie("", 0, secure)
}
