//! Accounts: inviting parents, teachers and admins with an activation link, activating with a
//! password and the recorded consent, logging in and out, forgotten passwords, one's own
//! profile and password, and admins managing accounts. Login names are e-mail addresses;
//! wrong password, unknown address and inactive account look the same from outside.

pub mod contacts;
pub mod email_change;
pub mod mails;
pub mod rules;
pub mod store;
pub mod two_factor;

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, DbErr};

use crate::platform::{services::Services, sessions};
use crate::{
    app::{
        actor::Actor,
        error::{AppError, blocking},
    },
    entities::users::{AccountState, Role},
    platform::{
        db::{self, AuditedWrite},
        outbox::{self, NewDelivery, action_link},
    },
};
pub use rules::EmailAddress;
use rules::{TokenPurpose, password, weak_password};
use store::tokens::OneTimeToken;
pub use store::users::{NewUser, ProfileChange, User};

/// The e-mails this feature sends (outbox kinds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountMail {
    Activation,
    PasswordReset,
}

impl AccountMail {
    pub fn kind(self) -> &'static str {
        match self {
            Self::Activation => "activation",
            Self::PasswordReset => "password_reset",
        }
    }
}

/// An invited account and the link that activates it.
pub struct Invitation {
    pub user: User,
    pub activation_url: String,
}

/// Creates an invited account with a fresh activation link; optionally queues the activation
/// e-mail. `actor_id` is `None` for the command line. Fails with 409 `email_taken` when the
/// address has an account.
#[tracing::instrument(skip_all, fields(actor_id))]
pub async fn invite(
    services: &Services,
    actor_id: Option<i32>,
    new: NewUser,
    send_activation_email: bool,
) -> Result<Invitation, AppError> {
    let write = AuditedWrite::begin(services, actor_id, "user.invite").await?;
    let email_taken = || {
        AppError::conflict(
            "email_taken",
            "An account with this e-mail address exists already.",
        )
    };
    if store::users::find_by_email(write.txn(), &new.email)
        .await?
        .is_some()
    {
        return Err(email_taken());
    }
    // Two admins adding the same address at once: the second hits the unique index.
    let user = store::users::create(write.txn(), new, write.now())
        .await
        .map_err(|err| match AppError::from(err) {
            AppError::Conflict { .. } => email_taken(),
            other => other,
        })?;
    let activation_url = activation_link(services, write.txn(), user.id, write.now()).await?;
    if send_activation_email {
        queue_mail(
            write.txn(),
            AccountMail::Activation,
            &[user.id],
            write.now(),
        )
        .await?;
    }
    write
        .commit(
            format!("user:{}", user.id),
            serde_json::json!({ "email": user.email, "role": user.role }),
        )
        .await?;
    if send_activation_email {
        services.outbox.wake();
    }
    Ok(Invitation {
        activation_url,
        user,
    })
}

/// A new activation link for an invited account (older links stay valid until they expire).
pub async fn activation_link(
    services: &Services,
    conn: &impl ConnectionTrait,
    user_id: i32,
    now: DateTime<Utc>,
) -> Result<String, DbErr> {
    let lifetime = Duration::days(services.settings.security.activation_token_days);
    let token =
        store::tokens::issue(conn, user_id, TokenPurpose::Activation, lifetime, now).await?;
    Ok(action_link(
        services.settings.public_url(),
        "activate",
        &token,
    ))
}

/// A fresh activation link for an invited account (e.g. for a lost letter); admins only.
pub async fn new_activation_link(
    services: &Services,
    actor: &Actor,
    user_id: i32,
) -> Result<String, AppError> {
    actor.require_admin()?;
    let user = find(services, actor, user_id).await?;
    if user.state != AccountState::Invited {
        return Err(AppError::conflict(
            "already_activated",
            "This account is activated already.",
        ));
    }
    Ok(activation_link(services, &services.db, user.id, services.clock.now()).await?)
}

/// Queues one mail of `mail` to each user (inside the caller's transaction). Each call is its
/// own delivery: asking twice mails twice.
pub async fn queue_mail(
    conn: &impl ConnectionTrait,
    mail: AccountMail,
    user_ids: &[i32],
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let deliveries = user_ids
        .iter()
        .map(|&user_id| NewDelivery {
            channel: crate::entities::outbox::Channel::Email,
            kind: mail.kind(),
            user_id: Some(user_id),
            dedupe_key: format!("{}:{user_id}:{}", mail.kind(), uuid::Uuid::new_v4()),
            payload: serde_json::json!({}),
            urgent: false,
        })
        .collect();
    outbox::enqueue(conn, deliveries, now).await?;
    Ok(())
}

/// The active account with this e-mail and password. Unknown, inactive and wrong-password
/// cases all take one argon2 verification and give the same error.
pub async fn authenticate(
    services: &Services,
    email: &EmailAddress,
    password_attempt: String,
) -> Result<User, AppError> {
    let user = store::users::find_by_email(&services.db, email)
        .await?
        .filter(|user| user.state == AccountState::Active);
    let stored_hash = user.as_ref().and_then(|user| user.password_hash.clone());
    let matches = blocking(move || match stored_hash {
        Some(hash) => password::verify(&password_attempt, &hash),
        None => {
            password::verify_nothing(&password_attempt);
            false
        }
    })
    .await?;
    match user {
        Some(user) if matches => Ok(user),
        _ => Err(AppError::WrongCredentials),
    }
}

/// Checks a new password against the policy and that both entries are equal, then hashes it.
pub async fn hash_new_password(
    new_password: String,
    repeated: &str,
    field: &'static str,
    repeat_field: &'static str,
) -> Result<String, AppError> {
    let broken = password::broken_rules(&new_password);
    if !broken.is_empty() {
        return Err(weak_password(field, &broken));
    }
    if new_password != repeated {
        return Err(AppError::invalid(
            repeat_field,
            "password_mismatch",
            "The two new passwords are not the same.",
        ));
    }
    blocking(move || password::hash(&new_password)).await
}

/// A new login session; the raw token exists only here and with the client.
pub struct Session {
    pub token: String,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
    pub lifetime: Duration,
    pub user: User,
    /// The school requires two-step login and this account has not set it up yet.
    pub two_factor_setup_required: bool,
}

/// Starts a session for a user who proved who they are.
pub async fn start_session(services: &Services, user: User) -> Result<Session, AppError> {
    let lifetime = Duration::days(services.settings.security.session_days);
    let issued = sessions::create(&services.db, user.id, lifetime, services.clock.now()).await?;
    let two_factor_on = store::two_factor::is_on(&services.db, user.id).await?;
    Ok(Session {
        two_factor_setup_required: two_factor::must_set_up(services, user.role, two_factor_on),
        token: issued.token,
        csrf_token: issued.csrf_token,
        expires_at: issued.expires_at,
        lifetime,
        user,
    })
}

/// Logs in with e-mail and password, and the second step's code when the account has
/// two-step login.
pub async fn log_in(
    services: &Services,
    email: &EmailAddress,
    password: String,
    second_step: Option<&str>,
) -> Result<Session, AppError> {
    let user = authenticate(services, email, password).await?;
    two_factor::check_login(services, &user, second_step).await?;
    start_session(services, user).await
}

/// Ends one session.
pub async fn log_out(services: &Services, session_id: i32) -> Result<(), AppError> {
    sessions::delete(&services.db, session_id).await?;
    Ok(())
}

/// Mails a password-reset link to an active account, or the activation link to an invited
/// one; does nothing for unknown or disabled addresses (the caller answers the same way).
pub async fn forgot_password(services: &Services, email: &EmailAddress) -> Result<(), AppError> {
    let Some(user) = store::users::find_by_email(&services.db, email).await? else {
        return Ok(());
    };
    let mail = match user.state {
        AccountState::Active => AccountMail::PasswordReset,
        AccountState::Invited => AccountMail::Activation,
        AccountState::Disabled => return Ok(()),
    };
    queue_mail(&services.db, mail, &[user.id], services.clock.now()).await?;
    services.outbox.wake();
    Ok(())
}

/// Sets a new password with the token from a reset link; every session of the account ends.
/// Returns the account's id.
/// Whether a password-reset link still works (before the user types a new password):
/// `token_invalid`, `token_used` or `token_expired` otherwise.
pub async fn check_reset_link(services: &Services, raw_token: &str) -> Result<(), AppError> {
    let token = usable_token(services, raw_token, TokenPurpose::PasswordReset).await?;
    store::users::find_by_id(&services.db, token.user_id)
        .await?
        .filter(|user| user.state == AccountState::Active)
        .ok_or_else(token_invalid)?;
    Ok(())
}

pub async fn reset_password(
    services: &Services,
    raw_token: &str,
    new_password: String,
    repeated: &str,
) -> Result<i32, AppError> {
    let token = usable_token(services, raw_token, TokenPurpose::PasswordReset).await?;
    let hash = hash_new_password(
        new_password,
        repeated,
        "new_password",
        "new_password_repeat",
    )
    .await?;
    let now = services.clock.now();
    let txn = db::begin_write(&services.db).await?;
    let user = store::users::find_by_id(&txn, token.user_id)
        .await?
        .filter(|user| user.state == AccountState::Active)
        .ok_or_else(token_invalid)?;
    if !store::tokens::consume(&txn, token, now).await? {
        return Err(token_used());
    }
    let user_id = user.id;
    store::users::set_password(&txn, user, hash, now).await?;
    sessions::delete_all_for_user(&txn, user_id, None).await?;
    store::tokens::expire_open(&txn, user_id, TokenPurpose::PasswordReset, now).await?;
    txn.commit().await?;
    Ok(user_id)
}

/// The invited account an activation link is for. A used link, or any link of an account
/// that is active already, answers `already_activated`.
pub async fn activation_target(services: &Services, raw_token: &str) -> Result<User, AppError> {
    Ok(activation_token(services, raw_token).await?.1)
}

/// What an invited person sends to activate their account.
pub struct Activation {
    pub token: String,
    pub password: String,
    pub password_repeat: String,
    pub consent: bool,
    pub consent_version: String,
}

/// Activates an invited account: its password, and the consent recorded with its time and
/// text version. Logs in at once.
pub async fn activate(services: &Services, activation: Activation) -> Result<Session, AppError> {
    let (token, _) = activation_token(services, &activation.token).await?;
    let consent_version = &services.settings.security.consent_version;
    if !activation.consent {
        return Err(AppError::invalid(
            "consent",
            "consent_required",
            "Please agree to the privacy statement to use the app.",
        ));
    }
    if &activation.consent_version != consent_version {
        return Err(AppError::conflict(
            "consent_version_outdated",
            format!("The privacy statement has changed; please read version {consent_version}."),
        ));
    }
    let hash = hash_new_password(
        activation.password,
        &activation.password_repeat,
        "password",
        "password_repeat",
    )
    .await?;
    let now = services.clock.now();
    let txn = db::begin_write(&services.db).await?;
    let user = store::users::find_by_id(&txn, token.user_id)
        .await?
        .ok_or_else(token_invalid)?;
    if user.state != AccountState::Invited || !store::tokens::consume(&txn, token, now).await? {
        return Err(already_activated());
    }
    let user = store::users::activate(&txn, user, hash, consent_version, now).await?;
    store::tokens::expire_open(&txn, user.id, TokenPurpose::Activation, now).await?;
    txn.commit().await?;
    start_session(services, user).await
}

/// Changes the caller's own profile.
pub async fn update_profile(
    services: &Services,
    user_id: i32,
    change: ProfileChange,
) -> Result<User, AppError> {
    let user = own_account(services, user_id).await?;
    Ok(store::users::update_profile(&services.db, user, change, services.clock.now()).await?)
}

/// The caller's account if `current_password` is its password (`wrong_current_password`
/// otherwise): asked again before changing the password or the login address.
pub async fn check_password(
    services: &Services,
    user_id: i32,
    current_password: String,
) -> Result<User, AppError> {
    let user = own_account(services, user_id).await?;
    let email = user
        .email
        .parse()
        .map_err(|_| AppError::internal(format!("stored e-mail of user {} is invalid", user.id)))?;
    authenticate(services, &email, current_password)
        .await
        .map_err(|err| match err {
            AppError::WrongCredentials => AppError::invalid(
                "current_password",
                "wrong_current_password",
                "The current password is not correct.",
            ),
            other => other,
        })?;
    Ok(user)
}

/// Changes the caller's password: needs the current one and the new one twice. Every other
/// session of the account ends; `session_id` (the caller's) stays.
pub async fn change_password(
    services: &Services,
    user_id: i32,
    session_id: i32,
    current_password: String,
    new_password: String,
    repeated: &str,
) -> Result<(), AppError> {
    let user = check_password(services, user_id, current_password).await?;
    let hash = hash_new_password(
        new_password,
        repeated,
        "new_password",
        "new_password_repeat",
    )
    .await?;
    let txn = db::begin_write(&services.db).await?;
    store::users::set_password(&txn, user, hash, services.clock.now()).await?;
    sessions::delete_all_for_user(&txn, user_id, Some(session_id)).await?;
    txn.commit().await?;
    Ok(())
}

/// Accounts, optionally of one role (admins only).
pub async fn list(
    services: &Services,
    actor: &Actor,
    role: Option<Role>,
) -> Result<Vec<User>, AppError> {
    actor.require_admin()?;
    Ok(store::users::list(&services.db, role).await?)
}

/// One account (admins only).
pub async fn find(services: &Services, actor: &Actor, id: i32) -> Result<User, AppError> {
    actor.require_admin()?;
    store::users::find_by_id(&services.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("account"))
}

/// Disables an account: it can no longer log in and its sessions end at once. Admins cannot
/// disable themselves.
pub async fn disable(services: &Services, actor: &Actor, id: i32) -> Result<User, AppError> {
    actor.require_admin()?;
    if actor.id == id {
        return Err(AppError::conflict(
            "cannot_disable_self",
            "You cannot disable your own account.",
        ));
    }
    let user = find(services, actor, id).await?;
    let write = AuditedWrite::begin(services, actor.id, "user.disable").await?;
    let user =
        store::users::set_state(write.txn(), user, AccountState::Disabled, write.now()).await?;
    sessions::delete_all_for_user(write.txn(), user.id, None).await?;
    write
        .commit(format!("user:{}", user.id), serde_json::json!({}))
        .await?;
    Ok(user)
}

/// "Log out on all devices", e.g. after a phone was lost: every session of the account ends
/// and no device gets its push notices any more, until it logs in and turns them on again.
/// The user themself, or an admin for any account; recorded in the audit log.
pub async fn log_out_everywhere(
    services: &Services,
    actor: &Actor,
    id: i32,
) -> Result<User, AppError> {
    let user = if actor.id == id {
        store::users::find_by_id(&services.db, id)
            .await?
            .ok_or_else(|| AppError::not_found("account"))?
    } else {
        find(services, actor, id).await?
    };
    let write = AuditedWrite::begin(services, actor.id, "user.logout_everywhere").await?;
    let sessions_ended = sessions::delete_all_for_user(write.txn(), user.id, None).await?;
    let devices_forgotten = outbox::devices::delete_all_for_user(write.txn(), user.id).await?;
    write
        .commit(
            format!("user:{}", user.id),
            serde_json::json!({
                "sessions_ended": sessions_ended,
                "devices_forgotten": devices_forgotten,
                "by_role": actor.role,
            }),
        )
        .await?;
    Ok(user)
}

/// Enables a disabled account: active again, or invited when it never chose a password.
pub async fn enable(services: &Services, actor: &Actor, id: i32) -> Result<User, AppError> {
    let user = find(services, actor, id).await?;
    let restored = if user.password_hash.is_some() {
        AccountState::Active
    } else {
        AccountState::Invited
    };
    let write = AuditedWrite::begin(services, actor.id, "user.enable").await?;
    let user = store::users::set_state(write.txn(), user, restored, write.now()).await?;
    write
        .commit(format!("user:{}", user.id), serde_json::json!({}))
        .await?;
    Ok(user)
}

/// Any user by id, for other features (e.g. the parent a thread belongs to).
pub async fn find_user(conn: &impl ConnectionTrait, id: i32) -> Result<Option<User>, DbErr> {
    store::users::find_by_id(conn, id).await
}

/// The users with these ids, by id.
pub async fn find_users(
    conn: &impl ConnectionTrait,
    ids: Vec<i32>,
) -> Result<HashMap<i32, User>, DbErr> {
    store::users::find_many(conn, ids).await
}

/// A user with `role`, or the error naming `field` (e.g. linking a parent, adding a teacher).
pub async fn find_with_role(
    conn: &impl ConnectionTrait,
    id: i32,
    role: Role,
    field: &'static str,
) -> Result<User, AppError> {
    let user = store::users::find_by_id(conn, id)
        .await?
        .ok_or_else(|| AppError::not_found(role_name(role)))?;
    if user.role != role {
        let (code, message) = match role {
            Role::Parent => (
                "not_a_parent",
                "Only parent accounts can be linked to children.",
            ),
            Role::Teacher => (
                "not_a_teacher",
                "Only teacher accounts can be members of a group.",
            ),
            Role::Admin => ("not_an_admin", "This is not an admin account."),
        };
        return Err(AppError::invalid(field, code, message));
    }
    Ok(user)
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Admin => "admin",
        Role::Teacher => "teacher",
        Role::Parent => "parent",
    }
}

async fn own_account(services: &Services, id: i32) -> Result<User, AppError> {
    store::users::find_by_id(&services.db, id)
        .await?
        .ok_or(AppError::Unauthenticated)
}

/// A token of this purpose that is neither used nor expired.
async fn usable_token(
    services: &Services,
    raw: &str,
    purpose: TokenPurpose,
) -> Result<OneTimeToken, AppError> {
    let token = store::tokens::find(&services.db, raw.trim(), purpose)
        .await?
        .ok_or_else(token_invalid)?;
    if token.used_at.is_some() {
        return Err(token_used());
    }
    if token.expires_at <= services.clock.now() {
        return Err(AppError::gone(
            "token_expired",
            "This link has expired. Ask for a new one.",
        ));
    }
    Ok(token)
}

async fn activation_token(
    services: &Services,
    raw: &str,
) -> Result<(OneTimeToken, User), AppError> {
    let token = store::tokens::find(&services.db, raw.trim(), TokenPurpose::Activation)
        .await?
        .ok_or_else(token_invalid)?;
    let user = store::users::find_by_id(&services.db, token.user_id)
        .await?
        .ok_or_else(token_invalid)?;
    match user.state {
        AccountState::Active => return Err(already_activated()),
        AccountState::Disabled => {
            return Err(AppError::forbidden_with(
                "account_disabled",
                "This account is disabled. Please contact the school.",
            ));
        }
        AccountState::Invited => {}
    }
    let token = usable_token(services, raw, TokenPurpose::Activation).await?;
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

/// Removes sessions that have expired or were left unused (the janitor's work).
pub async fn delete_expired_sessions(services: &Services) -> Result<u64, DbErr> {
    sessions::delete_expired(&services.db, idle_timeout(services), services.clock.now()).await
}

/// How long an unused session stays valid.
pub fn idle_timeout(services: &Services) -> Duration {
    Duration::days(services.settings.security.session_idle_days)
}
