//! A user's extra phone numbers and e-mail addresses, with labels, in their order. The first
//! phone number stays on the user row (the school's administration export fills it).

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};

use crate::entities::user_contacts::{self, ContactKind, ContactLabel};

pub async fn of_user(
    conn: &impl ConnectionTrait,
    user_id: i32,
    kind: ContactKind,
) -> Result<Vec<(ContactLabel, String)>, DbErr> {
    Ok(user_contacts::Entity::find()
        .filter(user_contacts::Column::UserId.eq(user_id))
        .filter(user_contacts::Column::Kind.eq(kind))
        .order_by_asc(user_contacts::Column::Position)
        .all(conn)
        .await?
        .into_iter()
        .map(|contact| (contact.label, contact.value))
        .collect())
}

/// Replaces a user's extra contacts of one kind.
pub async fn replace(
    conn: &impl ConnectionTrait,
    user_id: i32,
    kind: ContactKind,
    contacts: Vec<(ContactLabel, String)>,
) -> Result<(), DbErr> {
    user_contacts::Entity::delete_many()
        .filter(user_contacts::Column::UserId.eq(user_id))
        .filter(user_contacts::Column::Kind.eq(kind))
        .exec(conn)
        .await?;
    if contacts.is_empty() {
        return Ok(());
    }
    user_contacts::Entity::insert_many(contacts.into_iter().enumerate().map(
        |(position, (label, value))| user_contacts::ActiveModel {
            user_id: Set(user_id),
            kind: Set(kind),
            label: Set(label),
            value: Set(value),
            position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
            ..Default::default()
        },
    ))
    .exec(conn)
    .await?;
    Ok(())
}
