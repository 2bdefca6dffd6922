//! What goes into the digest (messages) and the news batch: per parent, the posts of that
//! kind published in the run's period that reach one of their children, each marked read or
//! unread. Built per post, not per parent, so 10,000 parents cost a few queries per post.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr};

use crate::{
    domain::posts::PostKind,
    entities::users,
    store::{self, posts::Post},
};

#[derive(Clone, Debug)]
pub struct DigestItem {
    pub post: Post,
    pub read: bool,
}

/// One parent's digest.
#[derive(Clone, Debug)]
pub struct ParentDigest {
    pub parent: users::Model,
    pub items: Vec<DigestItem>,
}

/// Every parent with something in the period `(after, until]`, by user id; parents with
/// nothing new are not in it.
pub async fn contents(
    conn: &impl ConnectionTrait,
    kind: PostKind,
    after: Option<DateTime<Utc>>,
    until: DateTime<Utc>,
) -> Result<BTreeMap<i32, ParentDigest>, DbErr> {
    let mut digests: BTreeMap<i32, ParentDigest> = BTreeMap::new();
    for post in store::posts::published_between(conn, kind.code(), after, until).await? {
        let receipts = store::posts::receipts_of_post(conn, post.id).await?;
        for addressed in store::posts::addressed_parents(conn, &post).await? {
            let parent_id = addressed.parent.id;
            let digest = digests.entry(parent_id).or_insert_with(|| ParentDigest {
                parent: addressed.parent,
                items: Vec::new(),
            });
            // A parent of two children in the group is addressed twice: list the post once.
            if digest
                .items
                .last()
                .is_some_and(|item| item.post.id == post.id)
            {
                continue;
            }
            digest.items.push(DigestItem {
                post: post.clone(),
                read: receipts.contains_key(&parent_id),
            });
        }
    }
    Ok(digests)
}
