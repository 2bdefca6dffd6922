//! User accounts.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder,
};

use crate::{
    entities::{
        user_contacts::ContactLabel,
        users::{self, AccountState, Language, Role},
    },
    features::accounts::rules::EmailAddress,
};

pub use users::Model as User;

/// What is needed to create an account; it starts invited, without a password.
pub struct NewUser {
    pub email: EmailAddress,
    pub first_name: String,
    pub name_prefix: Option<String>,
    pub last_name: String,
    pub role: Role,
    pub language: Language,
}

pub async fn find_by_email(
    conn: &impl ConnectionTrait,
    email: &EmailAddress,
) -> Result<Option<User>, DbErr> {
    users::Entity::find()
        .filter(users::Column::Email.eq(email.as_str()))
        .one(conn)
        .await
}

pub async fn find_by_id(conn: &impl ConnectionTrait, id: i32) -> Result<Option<User>, DbErr> {
    users::Entity::find_by_id(id).one(conn).await
}

pub async fn count(conn: &impl ConnectionTrait) -> Result<u64, DbErr> {
    users::Entity::find().count(conn).await
}

/// Users, optionally of one role, ordered by last and first name.
pub async fn list(conn: &impl ConnectionTrait, role: Option<Role>) -> Result<Vec<User>, DbErr> {
    let mut query = users::Entity::find();
    if let Some(role) = role {
        query = query.filter(users::Column::Role.eq(role));
    }
    query
        .order_by_asc(users::Column::LastName)
        .order_by_asc(users::Column::FirstName)
        .order_by_asc(users::Column::Id)
        .all(conn)
        .await
}

#[tracing::instrument(skip_all, fields(role = ?new.role))]
pub async fn create(
    conn: &impl ConnectionTrait,
    new: NewUser,
    now: DateTime<Utc>,
) -> Result<User, DbErr> {
    users::ActiveModel {
        email: Set(new.email.as_str().to_string()),
        first_name: Set(new.first_name),
        name_prefix: Set(new.name_prefix),
        last_name: Set(new.last_name),
        role: Set(new.role),
        language: Set(new.language),
        state: Set(AccountState::Invited),
        password_hash: Set(None),
        address: Set(None),
        phone: Set(None),
        consent_version: Set(None),
        consent_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await
}

#[tracing::instrument(skip_all, fields(user_id = user.id))]
pub async fn set_password(
    conn: &impl ConnectionTrait,
    user: User,
    password_hash: String,
    now: DateTime<Utc>,
) -> Result<User, DbErr> {
    let mut active = user.into_active_model();
    active.password_hash = Set(Some(password_hash));
    active.updated_at = Set(now);
    active.update(conn).await
}

/// Makes an invited account active with its first password and the recorded consent.
#[tracing::instrument(skip_all, fields(user_id = user.id))]
pub async fn activate(
    conn: &impl ConnectionTrait,
    user: User,
    password_hash: String,
    consent_version: &str,
    now: DateTime<Utc>,
) -> Result<User, DbErr> {
    let mut active = user.into_active_model();
    active.password_hash = Set(Some(password_hash));
    active.state = Set(AccountState::Active);
    active.consent_version = Set(Some(consent_version.to_string()));
    active.consent_at = Set(Some(now));
    active.updated_at = Set(now);
    active.update(conn).await
}

#[tracing::instrument(skip_all, fields(user_id = user.id, state = ?state))]
pub async fn set_state(
    conn: &impl ConnectionTrait,
    user: User,
    state: AccountState,
    now: DateTime<Utc>,
) -> Result<User, DbErr> {
    let mut active = user.into_active_model();
    active.state = Set(state);
    active.updated_at = Set(now);
    active.update(conn).await
}

/// Changes to one's own profile; `None` leaves a field as it is.
#[derive(Default)]
pub struct ProfileChange {
    pub first_name: Option<String>,
    pub name_prefix: Option<Option<String>>,
    pub last_name: Option<String>,
    pub language: Option<Language>,
    pub phone: Option<Option<String>>,
    pub phone_label: Option<ContactLabel>,
    pub address: Option<Option<String>>,
    pub photo_key: Option<Option<String>>,
    /// The login address (only after the new address confirmed it).
    pub email: Option<String>,
}

#[tracing::instrument(skip_all, fields(user_id = user.id))]
pub async fn update_profile(
    conn: &impl ConnectionTrait,
    user: User,
    change: ProfileChange,
    now: DateTime<Utc>,
) -> Result<User, DbErr> {
    let mut active = user.into_active_model();
    if let Some(first_name) = change.first_name {
        active.first_name = Set(first_name);
    }
    if let Some(name_prefix) = change.name_prefix {
        active.name_prefix = Set(name_prefix);
    }
    if let Some(last_name) = change.last_name {
        active.last_name = Set(last_name);
    }
    if let Some(language) = change.language {
        active.language = Set(language);
    }
    if let Some(phone) = change.phone {
        active.phone = Set(phone);
    }
    if let Some(label) = change.phone_label {
        active.phone_label = Set(label);
    }
    if let Some(address) = change.address {
        active.address = Set(address);
    }
    if let Some(photo_key) = change.photo_key {
        active.photo_key = Set(photo_key);
    }
    if let Some(email) = change.email {
        active.email = Set(email);
    }
    active.updated_at = Set(now);
    active.update(conn).await
}

/// The users with these ids, by id (missing ids are left out).
pub async fn find_many(
    conn: &impl ConnectionTrait,
    ids: Vec<i32>,
) -> Result<std::collections::HashMap<i32, User>, DbErr> {
    let mut found = std::collections::HashMap::new();
    for batch in ids.chunks(500) {
        for user in users::Entity::find()
            .filter(users::Column::Id.is_in(batch.to_vec()))
            .all(conn)
            .await?
        {
            found.insert(user.id, user);
        }
    }
    Ok(found)
}
