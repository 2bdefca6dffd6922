//! Agenda items in the database, with their groups and left-out days, and the personal
//! calendar feeds. Which items a user sees is `platform::audience`'s rule.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr,
    EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};

use super::rules::{Repeat, When};
use crate::{
    entities::{agenda_item_groups, agenda_items, agenda_skips, calendar_feeds},
    platform::audience::{Addressing, Audience},
};

pub use calendar_feeds::Model as Feed;

/// How agenda items record their audience.
pub const ADDRESSING: Addressing<agenda_items::Column, agenda_item_groups::Column> = Addressing {
    id: agenda_items::Column::Id,
    to_school: agenda_items::Column::ToSchool,
    link_item: agenda_item_groups::Column::ItemId,
    link_group: agenda_item_groups::Column::GroupId,
};

/// An item with its groups and the days it is left out.
#[derive(Clone, Debug)]
pub struct Item {
    pub row: agenda_items::Model,
    pub group_ids: Vec<i32>,
    pub skips: BTreeSet<NaiveDate>,
}

impl Item {
    pub fn audience(&self) -> Audience {
        if self.row.to_school {
            Audience::School
        } else {
            Audience::Groups(self.group_ids.clone())
        }
    }

    pub fn when(&self) -> When {
        let row = &self.row;
        When {
            starts_on: row.starts_on,
            ends_on: row.ends_on,
            times: row.start_time.zip(row.end_time),
            repeat: row
                .repeat_weeks
                .zip(row.repeat_until)
                .map(|(weeks, until)| Repeat {
                    every_weeks: u8::try_from(weeks).unwrap_or(1),
                    until,
                }),
            skips: self.skips.clone(),
        }
    }
}

/// An item's content as written.
pub struct ItemContent {
    pub audience: Audience,
    pub title: String,
    pub description: String,
    pub place: String,
    pub when: When,
}

pub async fn create(
    conn: &impl ConnectionTrait,
    author_id: i32,
    content: ItemContent,
    now: DateTime<Utc>,
) -> Result<i32, DbErr> {
    let mut row = agenda_items::ActiveModel {
        author_id: Set(Some(author_id)),
        sequence: Set(0),
        created_at: Set(now),
        cancelled_at: Set(None),
        ..Default::default()
    };
    fill(&mut row, &content, now);
    let item = row.insert(conn).await?;
    write_links(conn, item.id, &content).await?;
    Ok(item.id)
}

/// Replaces an item's content; its SEQUENCE rises so calendar apps take the change.
pub async fn replace(
    conn: &impl ConnectionTrait,
    item: &Item,
    content: ItemContent,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let mut row = item.row.clone().into_active_model();
    fill(&mut row, &content, now);
    row.sequence = Set(item.row.sequence + 1);
    row.update(conn).await?;
    agenda_item_groups::Entity::delete_many()
        .filter(agenda_item_groups::Column::ItemId.eq(item.row.id))
        .exec(conn)
        .await?;
    agenda_skips::Entity::delete_many()
        .filter(agenda_skips::Column::ItemId.eq(item.row.id))
        .exec(conn)
        .await?;
    write_links(conn, item.row.id, &content).await
}

/// Marks an item cancelled (or takes that back); its SEQUENCE rises.
pub async fn set_cancelled(
    conn: &impl ConnectionTrait,
    item: &Item,
    cancelled: bool,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let mut row = item.row.clone().into_active_model();
    row.cancelled_at = Set(cancelled.then_some(item.row.cancelled_at.unwrap_or(now)));
    row.sequence = Set(item.row.sequence + 1);
    row.updated_at = Set(now);
    row.update(conn).await?;
    Ok(())
}

pub async fn delete(conn: &impl ConnectionTrait, id: i32) -> Result<(), DbErr> {
    agenda_items::Entity::delete_by_id(id).exec(conn).await?;
    Ok(())
}

fn fill(row: &mut agenda_items::ActiveModel, content: &ItemContent, now: DateTime<Utc>) {
    let when = &content.when;
    row.to_school = Set(content.audience == Audience::School);
    row.title = Set(content.title.clone());
    row.description = Set(content.description.clone());
    row.place = Set(content.place.clone());
    row.starts_on = Set(when.starts_on);
    row.ends_on = Set(when.ends_on);
    row.start_time = Set(when.times.map(|(start, _)| start));
    row.end_time = Set(when.times.map(|(_, end)| end));
    row.repeat_weeks = Set(when.repeat.map(|repeat| i16::from(repeat.every_weeks)));
    row.repeat_until = Set(when.repeat.map(|repeat| repeat.until));
    row.updated_at = Set(now);
}

async fn write_links(
    conn: &impl ConnectionTrait,
    item_id: i32,
    content: &ItemContent,
) -> Result<(), DbErr> {
    if let Audience::Groups(groups) = &content.audience {
        let unique: BTreeSet<i32> = groups.iter().copied().collect();
        agenda_item_groups::Entity::insert_many(unique.into_iter().map(|group_id| {
            agenda_item_groups::ActiveModel {
                item_id: Set(item_id),
                group_id: Set(group_id),
            }
        }))
        .exec_without_returning(conn)
        .await?;
    }
    if !content.when.skips.is_empty() {
        agenda_skips::Entity::insert_many(content.when.skips.iter().map(|day| {
            agenda_skips::ActiveModel {
                item_id: Set(item_id),
                on_date: Set(*day),
            }
        }))
        .exec_without_returning(conn)
        .await?;
    }
    Ok(())
}

/// The items matching `visible` (the audience rule) that last until `from` or later, first
/// day first, with their groups and left-out days: three queries.
pub async fn items_from(
    conn: &impl ConnectionTrait,
    visible: Condition,
    from: NaiveDate,
) -> Result<Vec<Item>, DbErr> {
    let rows = agenda_items::Entity::find()
        .filter(visible)
        .filter(
            Condition::any()
                .add(agenda_items::Column::EndsOn.gte(from))
                .add(agenda_items::Column::RepeatUntil.gte(from)),
        )
        .order_by_asc(agenda_items::Column::StartsOn)
        .order_by_asc(agenda_items::Column::StartTime)
        .order_by_asc(agenda_items::Column::Id)
        .all(conn)
        .await?;
    with_links(conn, rows).await
}

/// One item, if `visible` lets the reader see it.
pub async fn find_visible(
    conn: &impl ConnectionTrait,
    id: i32,
    visible: Condition,
) -> Result<Option<Item>, DbErr> {
    let Some(row) = agenda_items::Entity::find_by_id(id)
        .filter(visible)
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    Ok(with_links(conn, vec![row]).await?.pop())
}

async fn with_links(
    conn: &impl ConnectionTrait,
    rows: Vec<agenda_items::Model>,
) -> Result<Vec<Item>, DbErr> {
    let mut groups: HashMap<i32, Vec<i32>> = HashMap::new();
    let mut skips: HashMap<i32, BTreeSet<NaiveDate>> = HashMap::new();
    let group_items: Vec<i32> = rows.iter().filter(|r| !r.to_school).map(|r| r.id).collect();
    for batch in group_items.chunks(500) {
        for link in agenda_item_groups::Entity::find()
            .filter(agenda_item_groups::Column::ItemId.is_in(batch.to_vec()))
            .order_by_asc(agenda_item_groups::Column::GroupId)
            .all(conn)
            .await?
        {
            groups.entry(link.item_id).or_default().push(link.group_id);
        }
    }
    let repeating: Vec<i32> = rows
        .iter()
        .filter(|r| r.repeat_weeks.is_some())
        .map(|r| r.id)
        .collect();
    for batch in repeating.chunks(500) {
        for skip in agenda_skips::Entity::find()
            .filter(agenda_skips::Column::ItemId.is_in(batch.to_vec()))
            .all(conn)
            .await?
        {
            skips.entry(skip.item_id).or_default().insert(skip.on_date);
        }
    }
    Ok(rows
        .into_iter()
        .map(|row| Item {
            group_ids: groups.remove(&row.id).unwrap_or_default(),
            skips: skips.remove(&row.id).unwrap_or_default(),
            row,
        })
        .collect())
}

/// What changes when any item is added, changed, cancelled or deleted: how many items
/// there are and when the last change was (a change raises `updated_at`).
pub async fn stamp(conn: &impl ConnectionTrait) -> Result<(i64, Option<DateTime<Utc>>), DbErr> {
    let row: Option<(i64, Option<DateTime<Utc>>)> = agenda_items::Entity::find()
        .select_only()
        .column_as(agenda_items::Column::Id.count(), "count")
        .column_as(agenda_items::Column::UpdatedAt.max(), "last")
        .into_tuple()
        .one(conn)
        .await?;
    Ok(row.unwrap_or((0, None)))
}

/// A user's calendar feeds, oldest first.
pub async fn feeds_of(conn: &impl ConnectionTrait, user_id: i32) -> Result<Vec<Feed>, DbErr> {
    calendar_feeds::Entity::find()
        .filter(calendar_feeds::Column::UserId.eq(user_id))
        .order_by_asc(calendar_feeds::Column::Id)
        .all(conn)
        .await
}

/// A new feed for `user_id` (limited to `child_id`), replacing the one it had for the same
/// child (or for all): the old URL stops working.
pub async fn replace_feed(
    conn: &impl ConnectionTrait,
    user_id: i32,
    child_id: Option<i32>,
    token_hash: String,
    now: DateTime<Utc>,
) -> Result<Feed, DbErr> {
    let same_scope = match child_id {
        Some(child) => calendar_feeds::Column::ChildId.eq(child),
        None => calendar_feeds::Column::ChildId.is_null(),
    };
    calendar_feeds::Entity::delete_many()
        .filter(calendar_feeds::Column::UserId.eq(user_id))
        .filter(same_scope)
        .exec(conn)
        .await?;
    calendar_feeds::ActiveModel {
        user_id: Set(user_id),
        child_id: Set(child_id),
        token_hash: Set(token_hash),
        created_at: Set(now),
        last_used_at: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await
}

/// Removes a user's feed; false when they have no such feed.
pub async fn delete_feed(
    conn: &impl ConnectionTrait,
    user_id: i32,
    feed_id: i32,
) -> Result<bool, DbErr> {
    let result = calendar_feeds::Entity::delete_many()
        .filter(calendar_feeds::Column::Id.eq(feed_id))
        .filter(calendar_feeds::Column::UserId.eq(user_id))
        .exec(conn)
        .await?;
    Ok(result.rows_affected > 0)
}

pub async fn feed_by_token_hash(
    conn: &impl ConnectionTrait,
    token_hash: &str,
) -> Result<Option<Feed>, DbErr> {
    calendar_feeds::Entity::find()
        .filter(calendar_feeds::Column::TokenHash.eq(token_hash))
        .one(conn)
        .await
}

/// Records that a calendar app fetched the feed, at most once an hour (apps poll often).
pub async fn touch_feed(
    conn: &impl ConnectionTrait,
    feed: &Feed,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if feed
        .last_used_at
        .is_some_and(|at| now - at < chrono::Duration::hours(1))
    {
        return Ok(());
    }
    let mut row = feed.clone().into_active_model();
    row.last_used_at = Set(Some(now));
    row.update(conn).await?;
    Ok(())
}
