//! The agenda: items of the school and of groups, seen by the same audience rule as posts
//! (parents: the school's and their children's groups'; teachers: the school's and their
//! groups'; admins: all). Teachers add, change, cancel and delete items of their groups,
//! admins of the school and any group. Each user can subscribe a calendar app to a personal
//! feed (all their items, or one child's), whose secret URL is its only credential.

pub mod calendar;
pub mod rules;
pub mod store;

use std::{collections::HashSet, sync::Arc};

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;

use crate::{
    app::{actor::Actor, error::AppError},
    entities::users::{AccountState, Role},
    features::{accounts, school},
    platform::{
        audience::{self, Audience},
        db::AuditedWrite,
        ical,
        rendered::Rendered,
        services::Services,
        tokens,
    },
};
use calendar::CalendarInfo;
pub use rules::{RepeatRequest, When, WhenRequest};
use store::{ADDRESSING, ItemContent};
pub use store::{Feed, Item};

/// How far back a calendar feed reaches: apps keep what they had, and a term's past items
/// stay in view.
const FEED_PAST_DAYS: i64 = 180;
/// The longest stretch one agenda request covers.
const MAX_RANGE_DAYS: i64 = 400;

/// What an author asks to put in the agenda.
pub struct ItemRequest {
    pub audience: Audience,
    pub title: String,
    pub description: String,
    pub place: String,
    pub when: WhenRequest,
}

/// A child an item concerns, as its parent sees it.
#[derive(Clone, Debug)]
pub struct ChildMark {
    pub id: i32,
    pub first_name: String,
}

/// An item as one reader sees it.
pub struct ItemView {
    pub item: Item,
    /// For a parent: which of their children it concerns.
    pub children: Vec<ChildMark>,
    /// The reader may change, cancel and delete it.
    pub may_manage: bool,
}

/// One time an item takes place.
pub struct Occurrence {
    pub view: Arc<ItemView>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// Which occurrences to list.
pub struct AgendaQuery {
    /// From this day (default: today in the school's time zone) ...
    pub from: Option<NaiveDate>,
    /// ... to this day (default: a year later).
    pub to: Option<NaiveDate>,
    /// Only the items of this child (and the school's).
    pub child_id: Option<i32>,
    pub limit: usize,
}

/// The occurrences in a stretch of days, first first, each with its item.
pub async fn list(
    services: &Services,
    actor: &Actor,
    query: AgendaQuery,
) -> Result<Vec<Occurrence>, AppError> {
    let from = query.from.unwrap_or(today(services)?);
    let to = query
        .to
        .unwrap_or_else(|| from.checked_add_signed(Duration::days(366)).unwrap_or(from));
    if !rules::in_range(from) || !rules::in_range(to) {
        return Err(AppError::invalid(
            "from",
            "invalid_range",
            "`from` and `to` must be dates between 1900 and 2199.",
        ));
    }
    if to < from || (to - from).num_days() > MAX_RANGE_DAYS {
        return Err(AppError::invalid(
            "to",
            "invalid_range",
            format!("`to` must be on or after `from`, at most {MAX_RANGE_DAYS} days later."),
        ));
    }
    let scope = Scope::of(services, actor, query.child_id).await?;
    let items = store::items_from(&services.db, scope.visible.clone(), from).await?;
    let mut occurrences = Vec::new();
    for item in items {
        let when = item.when();
        let found = when.occurrences_between(from, to);
        if found.is_empty() {
            continue;
        }
        let view = Arc::new(scope.view(item));
        occurrences.extend(found.into_iter().map(|(starts_on, ends_on)| Occurrence {
            view: view.clone(),
            starts_on,
            ends_on,
        }));
    }
    occurrences.sort_by_key(|o| {
        let row = &o.view.item.row;
        (o.starts_on, row.start_time, row.id)
    });
    occurrences.truncate(query.limit);
    Ok(occurrences)
}

/// One item the reader may see; 404 otherwise.
pub async fn get(services: &Services, actor: &Actor, id: i32) -> Result<ItemView, AppError> {
    let scope = Scope::of(services, actor, None).await?;
    let item = scope.find(services, id).await?;
    Ok(scope.view(item))
}

/// Adds an item: teachers for their own groups, admins for the school or any group.
pub async fn create(
    services: &Services,
    actor: &Actor,
    request: ItemRequest,
) -> Result<ItemView, AppError> {
    let content = checked(services, actor, request).await?;
    let write = AuditedWrite::begin(services, actor.id, "agenda.create").await?;
    let id = store::create(write.txn(), actor.id, content, write.now()).await?;
    let details = serde_json::json!({});
    write.commit(format!("agenda:{id}"), details).await?;
    get(services, actor, id).await
}

/// Replaces an item's content (who may manage it, see `Scope::may_manage`).
pub async fn replace(
    services: &Services,
    actor: &Actor,
    id: i32,
    request: ItemRequest,
) -> Result<ItemView, AppError> {
    let item = managed_item(services, actor, id).await?;
    let content = checked(services, actor, request).await?;
    let write = AuditedWrite::begin(services, actor.id, "agenda.change").await?;
    store::replace(write.txn(), &item, content, write.now()).await?;
    write
        .commit(format!("agenda:{id}"), serde_json::json!({}))
        .await?;
    get(services, actor, id).await
}

/// Cancels an item (it stays visible, marked cancelled) or takes the cancellation back.
pub async fn set_cancelled(
    services: &Services,
    actor: &Actor,
    id: i32,
    cancelled: bool,
) -> Result<ItemView, AppError> {
    let item = managed_item(services, actor, id).await?;
    let action = if cancelled {
        "agenda.cancel"
    } else {
        "agenda.restore"
    };
    let write = AuditedWrite::begin(services, actor.id, action).await?;
    store::set_cancelled(write.txn(), &item, cancelled, write.now()).await?;
    write
        .commit(format!("agenda:{id}"), serde_json::json!({}))
        .await?;
    get(services, actor, id).await
}

/// Deletes an item: it leaves the agenda and, at their next refresh, calendar apps.
pub async fn delete(services: &Services, actor: &Actor, id: i32) -> Result<(), AppError> {
    let item = managed_item(services, actor, id).await?;
    let write = AuditedWrite::begin(services, actor.id, "agenda.delete").await?;
    store::delete(write.txn(), id).await?;
    let details = serde_json::json!({ "title": item.row.title });
    write.commit(format!("agenda:{id}"), details).await?;
    Ok(())
}

/// One item as an .ics file to add to a calendar app: (file name, iCalendar text).
pub async fn item_calendar(
    services: &Services,
    actor: &Actor,
    id: i32,
) -> Result<(String, String), AppError> {
    let view = get(services, actor, id).await?;
    let name = services.settings.school.name.clone();
    let info = calendar_info(services, &name)?;
    let text = calendar::calendar(&info, std::slice::from_ref(&view.item));
    Ok((format!("{}.ics", view.item.row.title), text))
}

/// The user's calendar feeds (their URLs are shown only when made).
pub async fn feeds(services: &Services, actor: &Actor) -> Result<Vec<Feed>, AppError> {
    Ok(store::feeds_of(&services.db, actor.id).await?)
}

/// Makes a feed for the user (of one child's items, or all), with the secret for its URL;
/// it replaces the feed they had for the same child (or for all), whose URL stops working.
pub async fn create_feed(
    services: &Services,
    actor: &Actor,
    child_id: Option<i32>,
) -> Result<(Feed, String), AppError> {
    if let Some(child_id) = child_id {
        school::get_child(services, actor, child_id).await?;
    }
    let token = tokens::generate();
    let feed = store::replace_feed(
        &services.db,
        actor.id,
        child_id,
        tokens::digest(&token),
        services.clock.now(),
    )
    .await?;
    Ok((feed, token))
}

/// Ends a feed: its URL answers 404 from now on.
pub async fn revoke_feed(services: &Services, actor: &Actor, feed_id: i32) -> Result<(), AppError> {
    if store::delete_feed(&services.db, actor.id, feed_id).await? {
        Ok(())
    } else {
        Err(AppError::not_found("calendar feed"))
    }
}

/// The calendar a feed URL's secret stands for: what its user sees now (their children's
/// groups as they are today), from half a year back. 404 for an unknown or replaced secret,
/// and once the user is disabled or no longer sees the feed's child. Calendar apps poll:
/// the calendar is made again only when the agenda, the user's groups or the day changed.
pub async fn feed_calendar(services: &Services, token: &str) -> Result<Arc<Rendered>, AppError> {
    let gone = || AppError::NotFound {
        code: "not_found",
        message: "This calendar link does not exist or was replaced by a new one.".into(),
    };
    let feed = store::feed_by_token_hash(&services.db, &tokens::digest(token))
        .await?
        .ok_or_else(gone)?;
    let user = accounts::find_user(&services.db, feed.user_id)
        .await?
        .filter(|user| user.state != AccountState::Disabled)
        .ok_or_else(gone)?;
    let actor = Actor {
        id: user.id,
        role: user.role,
    };
    // What the calendar depends on besides the items: the groups seen (and the child's name,
    // in the calendar's name).
    let seen = match feed.child_id {
        Some(child) => {
            let view = school::get_child(services, &actor, child)
                .await
                .map_err(|_| gone())?;
            format!("{:?} {}", view.child.group_id, view.child.first_name)
        }
        None => {
            let mut groups = audience::groups_seen_by(&services.db, actor.id, actor.role).await?;
            if let Some(groups) = groups.as_mut() {
                groups.sort_unstable();
            }
            format!("{groups:?}")
        }
    };
    let from = today(services)? - Duration::days(FEED_PAST_DAYS);
    let (count, last_change) = store::stamp(&services.db).await?;
    let validator = format!("{from}|{seen}|{count}|{last_change:?}");
    let key = format!("calendar-feed:{}", feed.id);
    store::touch_feed(&services.db, &feed, services.clock.now()).await?;
    if let Some(kept) = services.rendered.get(&key, &validator) {
        return Ok(kept);
    }
    let scope = Scope::of(services, &actor, feed.child_id)
        .await
        .map_err(|_| gone())?;
    let items = store::items_from(&services.db, scope.visible, from).await?;
    let name = match &scope.child {
        Some(child) => format!("{} – {}", services.settings.school.name, child.first_name),
        None => services.settings.school.name.clone(),
    };
    let text = calendar::calendar(&calendar_info(services, &name)?, &items);
    let rendered = Arc::new(Rendered {
        tag: tokens::digest(&text)[..32].to_string(),
        body: text.into(),
        validator,
    });
    services.rendered.put(key, rendered.clone());
    Ok(rendered)
}

fn calendar_info<'a>(services: &'a Services, name: &'a str) -> Result<CalendarInfo<'a>, AppError> {
    Ok(CalendarInfo {
        name,
        zone: zone(services)?,
        host: ical::uid_host(&services.settings.server.public_url),
    })
}

fn zone(services: &Services) -> Result<Tz, AppError> {
    services.settings.time_zone().map_err(AppError::Internal)
}

/// Today in the school's time zone.
fn today(services: &Services) -> Result<NaiveDate, AppError> {
    Ok(services
        .clock
        .now()
        .with_timezone(&zone(services)?)
        .date_naive())
}

/// The checked content of a request, and whether the actor may address its audience.
async fn checked(
    services: &Services,
    actor: &Actor,
    request: ItemRequest,
) -> Result<ItemContent, AppError> {
    audience::check_addressing(&services.db, actor, &request.audience).await?;
    let (title, description, place) =
        rules::clean_texts(&request.title, &request.description, &request.place)?;
    Ok(ItemContent {
        audience: request.audience,
        title,
        description,
        place,
        when: request.when.check()?,
    })
}

/// An item the actor may change: 404 if they cannot see it, 403 if they only see it.
async fn managed_item(services: &Services, actor: &Actor, id: i32) -> Result<Item, AppError> {
    let scope = Scope::of(services, actor, None).await?;
    let item = scope.find(services, id).await?;
    if scope.may_manage(&item) {
        Ok(item)
    } else {
        Err(AppError::forbidden())
    }
}

/// What one reader sees: the audience condition, and for a parent their children (to mark
/// what an item concerns).
struct Scope {
    role: Role,
    visible: sea_orm::Condition,
    taught: HashSet<i32>,
    children: Vec<school::ChildView>,
    /// The one child the scope is limited to.
    child: Option<school::Child>,
}

impl Scope {
    async fn of(
        services: &Services,
        actor: &Actor,
        child_id: Option<i32>,
    ) -> Result<Self, AppError> {
        let taught: HashSet<i32> = if actor.role == Role::Teacher {
            audience::groups_taught_by(&services.db, actor.id)
                .await?
                .into_iter()
                .collect()
        } else {
            HashSet::new()
        };
        let mut children = if actor.role == Role::Parent {
            school::list_children(services, actor).await?
        } else {
            Vec::new()
        };
        let (visible, child) = match child_id {
            Some(id) => {
                let view = school::get_child(services, actor, id).await?;
                children.retain(|other| other.child.id == id);
                let groups = view.child.group_id.into_iter().collect();
                (ADDRESSING.reaching(groups), Some(view.child))
            }
            None => (
                ADDRESSING
                    .visible_to(&services.db, actor.id, actor.role)
                    .await?,
                None,
            ),
        };
        Ok(Self {
            role: actor.role,
            visible,
            taught,
            children,
            child,
        })
    }

    async fn find(&self, services: &Services, id: i32) -> Result<Item, AppError> {
        store::find_visible(&services.db, id, self.visible.clone())
            .await?
            .ok_or_else(|| AppError::not_found("agenda item"))
    }

    /// Admins manage every item; teachers those only for groups they teach.
    fn may_manage(&self, item: &Item) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Teacher => {
                !item.row.to_school
                    && !item.group_ids.is_empty()
                    && item.group_ids.iter().all(|g| self.taught.contains(g))
            }
            Role::Parent => false,
        }
    }

    fn view(&self, item: Item) -> ItemView {
        let children = self
            .children
            .iter()
            .filter(|view| {
                item.row.to_school
                    || view
                        .child
                        .group_id
                        .is_some_and(|group| item.group_ids.contains(&group))
            })
            .map(|view| ChildMark {
                id: view.child.id,
                first_name: view.child.first_name.clone(),
            })
            .collect();
        ItemView {
            may_manage: self.may_manage(&item),
            children,
            item,
        }
    }
}
