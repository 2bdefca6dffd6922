//! What goes into the digest (messages) and the news batch: per parent, the run's posts that
//! reach one of their children, each marked read or unread. Built per post, not per parent,
//! so 10,000 parents cost a few queries per post.

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, DbErr};

use crate::{
    delivery::templates::{MailItem, MailParts, RenderedMail},
    domain::{language::Language, posts::shorten, schedule::Job},
    entities::users,
    state::AppState,
    store::{self, posts::Post},
};

/// How much of each post's text the mail shows; the rest is a tap away.
const EXCERPT_CHARS: usize = 200;

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

/// Every parent reached by one of `posts`, with those posts (in the given order, once per
/// parent even with several children addressed); parents reached by none are not in it.
pub async fn contents(
    conn: &impl ConnectionTrait,
    posts: Vec<Post>,
) -> Result<BTreeMap<i32, ParentDigest>, DbErr> {
    let mut digests: BTreeMap<i32, ParentDigest> = BTreeMap::new();
    for post in posts {
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

/// A parent's items as they are when the mail goes out: the posts the run listed that
/// still exist and that the parent may still see (a child may have left the class since),
/// read or unread now.
pub async fn items_now(
    conn: &impl ConnectionTrait,
    parent_id: i32,
    post_ids: Vec<i32>,
) -> Result<Vec<DigestItem>, DbErr> {
    let posts = store::posts::visible_to_parent(conn, parent_id, post_ids.clone()).await?;
    let receipts = store::posts::receipts_of_user(conn, parent_id, post_ids).await?;
    Ok(posts
        .into_iter()
        .map(|post| DigestItem {
            read: receipts.contains_key(&post.id),
            post,
        })
        .collect())
}

/// A digest or news-batch mail, rendered for one parent.
pub struct DigestMail {
    pub mail: RenderedMail,
    /// Where the one-click unsubscribe POST goes (RFC 8058 `List-Unsubscribe`).
    pub one_click_unsubscribe_url: Option<String>,
}

/// Renders `job`'s mail for `parent` in their language: one entry per item, unread ones
/// marked, each linking into the app, and a link that switches this kind of mail off.
pub fn render(
    state: &AppState,
    job: Job,
    parent: &users::Model,
    items: &[DigestItem],
) -> anyhow::Result<DigestMail> {
    let settings = &state.settings;
    let public_url = settings.public_url();
    let language = Language::parse(&parent.language).unwrap_or(settings.default_language());
    let zone = settings.time_zone()?;
    let mail_items: Vec<MailItem> = items
        .iter()
        .map(|item| MailItem {
            title: item.post.title.clone(),
            excerpt: shorten(&item.post.body, EXCERPT_CHARS),
            date: item
                .post
                .created_at
                .with_timezone(&zone)
                .format(language.date_format())
                .to_string(),
            url: format!("{public_url}/posts/{}", item.post.id),
            unread: !item.read,
        })
        .collect();
    let token = state.unsubscribe_links.token(parent.id, job.email_kind());
    let unsubscribe_page = token
        .as_ref()
        .map(|token| format!("{public_url}/unsubscribe?token={token}"));
    let values = serde_json::json!({
        "first_name": parent.first_name,
        "school": settings.school.name,
        "count": items.len(),
        "unread": items.iter().filter(|item| !item.read).count(),
    });
    let mail = state.templates.render(
        job.code(),
        language,
        &settings.school.name,
        values,
        MailParts {
            action_url: Some(public_url),
            items: &mail_items,
            unsubscribe_url: unsubscribe_page.as_deref(),
        },
    )?;
    Ok(DigestMail {
        mail,
        one_click_unsubscribe_url: token
            .map(|token| format!("{public_url}/api/unsubscribe?token={token}")),
    })
}
