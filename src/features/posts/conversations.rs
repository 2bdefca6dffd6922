//! Conversations: the reply threads between one parent and the staff on a post, listed with
//! what is new for the reader. A parent sees their own threads; a member of staff the threads
//! of the families in their care on the posts they manage. Reading a thread in the app marks
//! it read for that reader; writing in it does too.

use std::collections::{BTreeMap, HashMap};

use chrono::Duration;

use super::{Reply, in_care_of, store, visible_post, written_by_parent};
use crate::platform::services::Services;
use crate::{
    app::{actor::Actor, error::AppError},
    entities::users::Role,
};

/// How far back the staff's list of conversations reaches: threads quiet for longer are
/// still on their post.
const STAFF_LIST_DAYS: i64 = 120;

/// One parent's thread on one post, summed up for a list.
pub struct Thread {
    pub post_id: i32,
    pub post_title: String,
    pub parent_id: i32,
    pub parent_name: String,
    /// The parent's children the post reaches (staff lists; empty for the parent).
    pub child_names: Vec<String>,
    pub last: Reply,
    pub last_author_name: Option<String>,
    pub messages: usize,
    /// Messages from the other side the reader has not seen yet.
    pub unread: usize,
}

/// The reader's conversations, unread first, then the most recent first; `post_id` narrows
/// them to one post (staff: the threads on a post they manage).
pub async fn conversations(
    services: &Services,
    actor: &Actor,
    post_id: Option<i32>,
) -> Result<Vec<Thread>, AppError> {
    let mut threads = if actor.role == Role::Parent {
        parent_threads(services, actor, post_id).await?
    } else {
        staff_threads(services, actor, post_id).await?
    };
    threads.sort_by(|a, b| {
        (b.unread > 0)
            .cmp(&(a.unread > 0))
            .then(b.last.id.cmp(&a.last.id))
    });
    Ok(threads)
}

async fn parent_threads(
    services: &Services,
    actor: &Actor,
    post_id: Option<i32>,
) -> Result<Vec<Thread>, AppError> {
    let replies = match post_id {
        Some(id) => {
            let post = visible_post(services, actor, id).await?;
            store::replies(&services.db, post.id, Some(actor.id)).await?
        }
        None => store::replies_in_threads_of(&services.db, actor.id).await?,
    };
    let post_ids: Vec<i32> = group_by_thread(&replies)
        .keys()
        .map(|(post, _)| *post)
        .collect();
    // Only posts the parent still sees (a child may have moved to another group).
    let titles: HashMap<i32, String> =
        store::visible_to_parent(&services.db, actor.id, post_ids, services.clock.now())
            .await?
            .into_iter()
            .map(|post| (post.id, post.title))
            .collect();
    let name = actor_name(services, actor.id).await?;
    summarise(services, actor, replies, &titles, |_, _| {
        Some((name.clone(), Vec::new()))
    })
    .await
}

async fn staff_threads(
    services: &Services,
    actor: &Actor,
    post_id: Option<i32>,
) -> Result<Vec<Thread>, AppError> {
    let replies = match post_id {
        Some(id) => {
            let post = visible_post(services, actor, id).await?;
            store::replies(&services.db, post.id, None).await?
        }
        None => {
            let since = services.clock.now() - Duration::days(STAFF_LIST_DAYS);
            store::replies_since(&services.db, since).await?
        }
    };
    let mut titles = HashMap::new();
    // Per parent on each post: their name and the children the post reaches them through.
    let mut care: HashMap<(i32, i32), (String, Vec<String>)> = HashMap::new();
    let posts: std::collections::BTreeSet<i32> =
        replies.iter().map(|reply| reply.post_id).collect();
    for id in posts {
        let Some(post) = store::find(&services.db, id).await? else {
            continue;
        };
        let reached = match in_care_of(services, actor, &post).await {
            Ok(reached) => reached,
            // Not a post this member of staff manages: its threads are not theirs to read.
            Err(AppError::Forbidden { .. }) if post_id.is_none() => continue,
            Err(error) => return Err(error),
        };
        for pair in reached {
            let entry = care
                .entry((post.id, pair.parent.id))
                .or_insert_with(|| (pair.parent.full_name(), Vec::new()));
            entry.1.push(pair.child.full_name());
        }
        titles.insert(post.id, post.title);
    }
    summarise(services, actor, replies, &titles, |post, parent| {
        care.get(&(post, parent)).cloned()
    })
    .await
}

async fn actor_name(services: &Services, id: i32) -> Result<String, AppError> {
    Ok(store::names_of(&services.db, vec![id])
        .await?
        .remove(&id)
        .unwrap_or_default())
}

/// One `Thread` per (post, parent) of `replies` on a post in `titles`, with the parent
/// described by `person` (threads it does not know are left out).
async fn summarise(
    services: &Services,
    actor: &Actor,
    replies: Vec<Reply>,
    titles: &HashMap<i32, String>,
    person: impl Fn(i32, i32) -> Option<(String, Vec<String>)>,
) -> Result<Vec<Thread>, AppError> {
    let read = store::threads_read_by(&services.db, actor.id).await?;
    let authors: Vec<i32> = replies.iter().filter_map(|reply| reply.author_id).collect();
    let names = store::names_of(&services.db, authors).await?;
    let mut threads = Vec::new();
    for ((post_id, parent_id), messages) in group_by_thread(&replies) {
        let (Some(title), Some((parent_name, child_names))) =
            (titles.get(&post_id), person(post_id, parent_id))
        else {
            continue;
        };
        let seen = read.get(&(post_id, parent_id)).copied().unwrap_or(0);
        let unread = messages
            .iter()
            .filter(|reply| reply.id > seen && from_other_side(reply, actor))
            .count();
        let last = (*messages.last().expect("a thread has a message")).clone();
        threads.push(Thread {
            post_id,
            post_title: title.clone(),
            parent_id,
            parent_name,
            child_names,
            last_author_name: last.author_id.and_then(|id| names.get(&id).cloned()),
            last,
            messages: messages.len(),
            unread,
        });
    }
    Ok(threads)
}

/// Written by the other side of the conversation: staff for a parent, the parent for staff.
fn from_other_side(reply: &Reply, reader: &Actor) -> bool {
    written_by_parent(reply) != (reader.role == Role::Parent)
}

fn group_by_thread(replies: &[Reply]) -> BTreeMap<(i32, i32), Vec<&Reply>> {
    let mut threads: BTreeMap<(i32, i32), Vec<&Reply>> = BTreeMap::new();
    for reply in replies {
        threads
            .entry((reply.post_id, reply.parent_id))
            .or_default()
            .push(reply);
    }
    threads
}

/// Marks the thread read for the reader up to its newest message.
pub(super) async fn mark_seen(
    services: &Services,
    actor: &Actor,
    post_id: i32,
    parent_id: i32,
    replies: &[Reply],
) -> Result<(), AppError> {
    if let Some(newest) = replies.iter().map(|reply| reply.id).max() {
        store::mark_thread_read(&services.db, actor.id, post_id, parent_id, newest).await?;
    }
    Ok(())
}
