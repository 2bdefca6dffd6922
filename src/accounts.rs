//! Account flows shared by the HTTP API and the command line: creating invited accounts with
//! their activation link, checking credentials, hashing passwords off the async runtime.

use chrono::Duration;

use crate::{
    delivery::{self, CHANNEL_EMAIL, MailKind},
    domain::{
        accounts::{AccountState, EmailAddress},
        password,
        tokens::TokenPurpose,
    },
    error::AppError,
    state::AppState,
    store::{
        self,
        outbox::NewDelivery,
        users::{NewUser, User},
    },
};

/// An invited account and the link that activates it.
pub struct Invitation {
    pub user: User,
    pub activation_url: String,
}

/// Creates an invited account with a fresh activation link; optionally queues the activation
/// e-mail. Fails with 409 `email_taken` when the address has an account.
#[tracing::instrument(skip_all, fields(actor_id))]
pub async fn invite(
    state: &AppState,
    actor_id: Option<i32>,
    new: NewUser,
    send_activation_email: bool,
) -> Result<Invitation, AppError> {
    let now = state.clock.now();
    let lifetime = Duration::days(state.settings.security.activation_token_days);
    let txn = store::begin_write(&state.db).await?;
    if store::users::find_by_email(&txn, &new.email)
        .await?
        .is_some()
    {
        return Err(AppError::conflict(
            "email_taken",
            "An account with this e-mail address exists already.",
        ));
    }
    let user = store::users::create(&txn, new, now).await?;
    let token =
        store::tokens::issue(&txn, user.id, TokenPurpose::Activation, lifetime, now).await?;
    if send_activation_email {
        queue_mail(&txn, MailKind::Activation, user.id, now).await?;
    }
    store::audit::record(
        &txn,
        actor_id,
        "user.invite",
        format!("user:{}", user.id),
        serde_json::json!({ "email": user.email, "role": user.role }),
        now,
    )
    .await?;
    txn.commit().await?;
    if send_activation_email {
        state.outbox_wakeup.notify_one();
    }
    Ok(Invitation {
        activation_url: delivery::action_link(state.settings.public_url(), "activate", &token),
        user,
    })
}

/// A fresh activation link for an invited account (e.g. for a lost letter).
pub async fn new_activation_link(state: &AppState, user: &User) -> Result<String, AppError> {
    if AccountState::parse(&user.state) != Some(AccountState::Invited) {
        return Err(AppError::conflict(
            "already_activated",
            "This account is activated already.",
        ));
    }
    let lifetime = Duration::days(state.settings.security.activation_token_days);
    let token = store::tokens::issue(
        &state.db,
        user.id,
        TokenPurpose::Activation,
        lifetime,
        state.clock.now(),
    )
    .await?;
    Ok(delivery::action_link(
        state.settings.public_url(),
        "activate",
        &token,
    ))
}

/// Queues one mail of `kind` to a user. Each call is its own delivery.
pub async fn queue_mail(
    conn: &impl sea_orm::ConnectionTrait,
    kind: MailKind,
    user_id: i32,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), AppError> {
    store::outbox::enqueue(
        conn,
        NewDelivery {
            channel: CHANNEL_EMAIL,
            kind: kind.code(),
            user_id: Some(user_id),
            dedupe_key: format!("{}:{user_id}:{}", kind.code(), uuid::Uuid::new_v4()),
            payload: serde_json::json!({}),
        },
        now,
    )
    .await?;
    Ok(())
}

/// The active account with this e-mail and password. Unknown, inactive and wrong-password
/// cases all take one argon2 verification and give the same error.
pub async fn authenticate(
    state: &AppState,
    email: &EmailAddress,
    password_attempt: String,
) -> Result<User, AppError> {
    let user = store::users::find_by_email(&state.db, email)
        .await?
        .filter(|user| AccountState::parse(&user.state) == Some(AccountState::Active));
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
        return Err(AppError::weak_password(field, &broken));
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

/// Runs CPU-heavy work (argon2) on the blocking pool.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|err| AppError::Internal(anyhow::anyhow!("blocking task failed: {err}")))
}
