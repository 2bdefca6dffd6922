//! Unsubscribe links for the digest and the news batch. A link must work without logging in
//! (RFC 8058 one-click), so it is not a stored one-time token but a signature: HMAC-SHA256
//! over (user, kind, day made, the user's address) with a server key. It switches off only
//! the one kind it names (never urgent notices), for a year, while the address is the same;
//! a new server key makes every old link invalid.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The kinds of notification e-mail, and whether a parent may switch each off. Urgent
/// notices always arrive.
pub const EMAIL_KINDS: &[(&str, bool)] = &[
    ("urgent", false),
    ("messages", true),
    ("news", true),
    ("photo_albums", true),
    ("conferences", true),
];

type HmacSha256 = Hmac<Sha256>;

/// How long an unsubscribe link works: a year of digests, then the next mails carry new ones.
pub const LINK_DAYS: i64 = 365;

/// What a link says it switches off, before it is checked against the user's address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsubscribe {
    pub user_id: i32,
    pub kind: String,
    /// The day (since 1970) the link was made.
    issued_day: i64,
    signature: Vec<u8>,
}

pub struct UnsubscribeLinks {
    key: Vec<u8>,
}

impl UnsubscribeLinks {
    /// `key` is the server's secret (base64url, at least 32 bytes).
    pub fn new(key: &str) -> anyhow::Result<Self> {
        let key = URL_SAFE_NO_PAD.decode(key)?;
        anyhow::ensure!(key.len() >= 32, "the unsubscribe key is too short");
        Ok(Self { key })
    }

    /// The token that switches off e-mail of `kind` for the user with `email`, made `now`;
    /// `None` for kinds that cannot be switched off.
    pub fn token(
        &self,
        user_id: i32,
        email: &str,
        kind: &str,
        now: DateTime<Utc>,
    ) -> Option<String> {
        if !can_unsubscribe(kind) {
            return None;
        }
        let claim = format!("{user_id}.{kind}.{}", day_of(now));
        let signature = URL_SAFE_NO_PAD.encode(self.mac(&claim, email).finalize().into_bytes());
        Some(format!("{claim}.{signature}"))
    }

    /// What `token` claims, if it has the form of one and names a kind that can be switched
    /// off; `verify` then checks it.
    pub fn claim(&self, token: &str) -> Option<Unsubscribe> {
        let mut parts = token.split('.');
        let (user_id, kind, issued_day, signature) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || !can_unsubscribe(kind) {
            return None;
        }
        Some(Unsubscribe {
            user_id: user_id.parse().ok()?,
            kind: kind.to_string(),
            issued_day: issued_day.parse().ok()?,
            signature: URL_SAFE_NO_PAD.decode(signature).ok()?,
        })
    }

    /// Whether this server signed the claim for the user's current address (a link stops
    /// working when the address changes) less than `LINK_DAYS` ago.
    pub fn verify(&self, claim: &Unsubscribe, email: &str, now: DateTime<Utc>) -> bool {
        let age = day_of(now) - claim.issued_day;
        let text = format!("{}.{}.{}", claim.user_id, claim.kind, claim.issued_day);
        // Constant-time comparison.
        (0..LINK_DAYS).contains(&age)
            && self
                .mac(&text, email)
                .verify_slice(&claim.signature)
                .is_ok()
    }

    fn mac(&self, claim: &str, email: &str) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(b"unsubscribe:");
        mac.update(claim.as_bytes());
        mac.update(b":");
        mac.update(email.as_bytes());
        mac
    }
}

fn day_of(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(86_400)
}

/// Whether e-mail of `kind` exists and may be switched off.
pub fn can_unsubscribe(kind: &str) -> bool {
    EMAIL_KINDS
        .iter()
        .any(|(known, can_switch_off)| *known == kind && *can_switch_off)
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    fn links(seed: u8) -> UnsubscribeLinks {
        UnsubscribeLinks::new(&URL_SAFE_NO_PAD.encode([seed; 32])).unwrap()
    }

    fn valid(links: &UnsubscribeLinks, token: &str, email: &str, now: DateTime<Utc>) -> bool {
        links
            .claim(token)
            .is_some_and(|claim| links.verify(&claim, email, now))
    }

    #[test]
    fn a_token_switches_off_only_what_it_names_for_whom_it_names() {
        let links = links(1);
        let now = Utc::now();
        let token = links.token(42, "anna@example.nl", "messages", now).unwrap();
        let claim = links.claim(&token).unwrap();
        assert_eq!((claim.user_id, claim.kind.as_str()), (42, "messages"));
        assert!(valid(&links, &token, "anna@example.nl", now));
        assert!(
            !valid(&links, &token, "new@example.nl", now),
            "another address"
        );
        let other_kind = token.replacen("messages", "news", 1);
        assert!(!valid(&links, &other_kind, "anna@example.nl", now));
        let other_user = token.replacen("42", "43", 1);
        assert!(!valid(&links, &other_user, "anna@example.nl", now));
    }

    #[test]
    fn a_token_works_for_a_year() {
        let links = links(1);
        let made = Utc::now();
        let token = links.token(7, "a@b.nl", "news", made).unwrap();
        assert!(valid(&links, &token, "a@b.nl", made + Duration::days(364)));
        assert!(!valid(&links, &token, "a@b.nl", made + Duration::days(366)));
        assert!(!valid(&links, &token, "a@b.nl", made - Duration::days(2)));
    }

    #[test]
    fn urgent_notices_and_unknown_kinds_have_no_link() {
        assert_eq!(links(1).token(42, "a@b.nl", "urgent", Utc::now()), None);
        assert_eq!(links(1).token(42, "a@b.nl", "spam", Utc::now()), None);
    }

    #[test]
    fn another_key_or_a_damaged_token_is_refused() {
        let now = Utc::now();
        let token = links(1).token(7, "a@b.nl", "news", now).unwrap();
        assert!(!valid(&links(2), &token, "a@b.nl", now));
        assert!(!valid(&links(1), &token[..token.len() - 2], "a@b.nl", now));
        assert!(!valid(&links(1), "", "a@b.nl", now));
        assert!(!valid(&links(1), "7.news", "a@b.nl", now));
    }
}
