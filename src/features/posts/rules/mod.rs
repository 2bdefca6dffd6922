//! Post rules without I/O: who may address whom, what a valid post and reply are, how long
//! an urgent notice stays pinned, and the short notification a push message carries.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::{
    app::error::{AppError, sentence},
    entities::posts::PostKind,
    platform::text::shorten,
};

pub const MAX_TITLE: usize = 200;
pub const MAX_BODY: usize = 20_000;
/// An urgent notice without an end date stays pinned this long.
pub const DEFAULT_PIN_HOURS: i64 = 24;
/// An urgent notice is pinned at most this long: after that it is no longer urgent.
pub const MAX_PIN_DAYS: i64 = 14;
/// A post is scheduled at most this far ahead: a term, not a school year.
pub const MAX_SCHEDULE_DAYS: i64 = 90;

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum PostRuleError {
    #[error("a title needs 1 to {MAX_TITLE} characters")]
    Title,
    #[error("a text needs 1 to {MAX_BODY} characters")]
    Body,
    #[error("only urgent notices are pinned")]
    PinnedNotUrgent,
    #[error("the end date must be in the future")]
    PinnedInPast,
    #[error("an urgent notice stays pinned at most {MAX_PIN_DAYS} days")]
    PinnedTooLong,
    #[error("the time to send it must be in the future")]
    PublishInPast,
    #[error("a post is scheduled at most {MAX_SCHEDULE_DAYS} days ahead")]
    PublishTooFar,
}

impl From<PostRuleError> for AppError {
    fn from(err: PostRuleError) -> Self {
        AppError::invalid(err.field(), err.code(), sentence(&err))
    }
}

impl PostRuleError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Title => "invalid_title",
            Self::Body => "invalid_body_text",
            Self::PinnedNotUrgent => "pinned_not_urgent",
            Self::PinnedInPast => "pinned_in_past",
            Self::PinnedTooLong => "pinned_too_long",
            Self::PublishInPast => "publish_at_in_past",
            Self::PublishTooFar => "publish_at_too_far",
        }
    }

    pub fn field(&self) -> &'static str {
        match self {
            Self::Title => "title",
            Self::Body => "body",
            Self::PinnedNotUrgent | Self::PinnedInPast | Self::PinnedTooLong => "pinned_until",
            Self::PublishInPast | Self::PublishTooFar => "publish_at",
        }
    }
}

/// Trims and checks title and body.
pub fn clean_text(title: &str, body: &str) -> Result<(String, String), PostRuleError> {
    let title = title.trim();
    let body = body.trim();
    if title.is_empty() || title.chars().count() > MAX_TITLE || title.chars().any(char::is_control)
    {
        return Err(PostRuleError::Title);
    }
    if body.is_empty() || body.chars().count() > MAX_BODY {
        return Err(PostRuleError::Body);
    }
    Ok((title.to_string(), body.to_string()))
}

/// Longest reply, in characters.
pub const MAX_REPLY: usize = 5_000;

/// A reply's text, trimmed: 1 to 5,000 characters.
pub fn clean_reply(body: &str) -> Result<String, AppError> {
    let text = body.trim();
    if text.is_empty() || text.chars().count() > MAX_REPLY {
        return Err(AppError::invalid(
            "body",
            "invalid_body_text",
            "A reply needs 1 to 5,000 characters.",
        ));
    }
    Ok(text.to_string())
}

/// Until when a post is pinned: urgent notices until their end date (default 24 hours).
pub fn pinned_until(
    kind: PostKind,
    requested: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, PostRuleError> {
    match (kind, requested) {
        (PostKind::Urgent, Some(until)) if until <= now => Err(PostRuleError::PinnedInPast),
        (PostKind::Urgent, Some(until)) if until > now + Duration::days(MAX_PIN_DAYS) => {
            Err(PostRuleError::PinnedTooLong)
        }
        (PostKind::Urgent, Some(until)) => Ok(Some(until)),
        (PostKind::Urgent, None) => Ok(Some(now + Duration::hours(DEFAULT_PIN_HOURS))),
        (_, Some(_)) => Err(PostRuleError::PinnedNotUrgent),
        (_, None) => Ok(None),
    }
}

/// When a post goes out: now, or at the future moment its author chose (within
/// `MAX_SCHEDULE_DAYS`).
pub fn publish_moment(
    requested: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, PostRuleError> {
    match requested {
        None => Ok(now),
        Some(at) if at <= now => Err(PostRuleError::PublishInPast),
        Some(at) if at > now + Duration::days(MAX_SCHEDULE_DAYS) => {
            Err(PostRuleError::PublishTooFar)
        }
        Some(at) => Ok(at),
    }
}

/// What a push message carries: enough to show the notification; the app fetches the rest.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PushNotice {
    pub post_id: i32,
    pub kind: PostKind,
    pub title: String,
    pub body: String,
    pub url: String,
}

impl PushNotice {
    pub fn new(post_id: i32, kind: PostKind, title: &str, body: &str) -> Self {
        Self {
            post_id,
            kind,
            title: shorten(title, 100),
            body: shorten(body, 160),
            url: format!("/posts/{post_id}"),
        }
    }

    /// The JSON payload; at most a few hundred bytes, well inside the 3,052 bytes web-push
    /// can encrypt in one record.
    pub fn to_payload(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("notice serializes")
    }

    /// A smaller payload for a push service that answered 413.
    pub fn minimal(&self) -> Self {
        Self {
            body: String::new(),
            title: shorten(&self.title, 40),
            ..self.clone()
        }
    }
}

/// A push message telling a parent that staff answered in their thread on a post.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AnswerNotice {
    pub post_id: i32,
    /// Tells the app's service worker this is an answer, not a new post.
    pub kind: &'static str,
    pub title: String,
    pub body: String,
    pub url: String,
    /// One notification per conversation: a second answer replaces the first.
    pub tag: String,
}

impl AnswerNotice {
    pub fn new(post_id: i32, post_title: &str, author_name: &str, body: &str) -> Self {
        Self {
            post_id,
            kind: "answer",
            title: shorten(post_title, 100),
            body: shorten(&format!("{author_name}: {body}"), 160),
            url: format!("/posts/{post_id}#replies"),
            tag: format!("answer-{post_id}"),
        }
    }

    pub fn to_payload(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("notice serializes")
    }

    /// A smaller payload for a push service that answered 413.
    pub fn minimal(&self) -> Self {
        Self {
            body: String::new(),
            title: shorten(&self.title, 40),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urgent_notices_are_pinned_for_a_day_or_until_their_end() {
        let now = Utc::now();
        assert_eq!(
            pinned_until(PostKind::Urgent, None, now),
            Ok(Some(now + Duration::hours(24)))
        );
        assert_eq!(
            pinned_until(PostKind::Urgent, Some(now - Duration::hours(1)), now),
            Err(PostRuleError::PinnedInPast)
        );
        assert_eq!(
            pinned_until(PostKind::Urgent, Some(now + Duration::days(15)), now),
            Err(PostRuleError::PinnedTooLong)
        );
        assert!(pinned_until(PostKind::Urgent, Some(now + Duration::days(14)), now).is_ok());
        assert_eq!(
            pinned_until(PostKind::News, Some(now + Duration::hours(1)), now),
            Err(PostRuleError::PinnedNotUrgent)
        );
        assert_eq!(pinned_until(PostKind::Message, None, now), Ok(None));
    }

    #[test]
    fn posts_are_scheduled_in_the_future_within_a_term() {
        let now = Utc::now();
        assert_eq!(publish_moment(None, now), Ok(now));
        assert_eq!(
            publish_moment(Some(now), now),
            Err(PostRuleError::PublishInPast)
        );
        let later = now + Duration::days(MAX_SCHEDULE_DAYS);
        assert_eq!(publish_moment(Some(later), now), Ok(later));
        assert_eq!(
            publish_moment(Some(later + Duration::minutes(1)), now),
            Err(PostRuleError::PublishTooFar)
        );
    }

    #[test]
    fn push_notices_stay_small() {
        let notice = PushNotice::new(
            7,
            PostKind::Urgent,
            "School closed",
            &"Because of the storm ".repeat(500),
        );
        assert!(notice.body.chars().count() <= 160 && notice.body.ends_with('…'));
        assert!(notice.to_payload().to_string().len() < 1000);
        assert_eq!(notice.url, "/posts/7");
    }
}
