//! Unsubscribe links for the digest and the news batch. A link must work without logging in
//! (RFC 8058 one-click) and for years, so it is not a stored one-time token but a signature:
//! HMAC-SHA256 over (user, kind) with a server key. It can only switch off the one kind it
//! names, never urgent notices, and a new server key makes every old link invalid.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
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

/// What a valid link switches off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsubscribe {
    pub user_id: i32,
    pub kind: String,
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

    /// The token for switching off e-mail of `kind` for `user_id`; `None` for kinds that
    /// cannot be switched off.
    pub fn token(&self, user_id: i32, kind: &str) -> Option<String> {
        if !can_unsubscribe(kind) {
            return None;
        }
        let claim = format!("{user_id}.{kind}");
        let signature = URL_SAFE_NO_PAD.encode(self.mac(&claim).finalize().into_bytes());
        Some(format!("{claim}.{signature}"))
    }

    /// What `token` switches off, if it was made by this server and names a kind that can be
    /// switched off.
    pub fn verify(&self, token: &str) -> Option<Unsubscribe> {
        let (claim, signature) = token.rsplit_once('.')?;
        let (user_id, kind) = claim.split_once('.')?;
        let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
        // Constant-time comparison.
        self.mac(claim).verify_slice(&signature).ok()?;
        let user_id = user_id.parse().ok()?;
        can_unsubscribe(kind).then(|| Unsubscribe {
            user_id,
            kind: kind.to_string(),
        })
    }

    fn mac(&self, claim: &str) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(b"unsubscribe:");
        mac.update(claim.as_bytes());
        mac
    }
}

/// Whether e-mail of `kind` exists and may be switched off.
pub fn can_unsubscribe(kind: &str) -> bool {
    EMAIL_KINDS
        .iter()
        .any(|(known, can_switch_off)| *known == kind && *can_switch_off)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links(seed: u8) -> UnsubscribeLinks {
        UnsubscribeLinks::new(&URL_SAFE_NO_PAD.encode([seed; 32])).unwrap()
    }

    #[test]
    fn a_token_switches_off_only_what_it_names() {
        let links = links(1);
        let token = links.token(42, "messages").unwrap();
        assert_eq!(
            links.verify(&token),
            Some(Unsubscribe {
                user_id: 42,
                kind: "messages".into()
            })
        );
        let other_kind = token.replacen("messages", "news", 1);
        assert_eq!(links.verify(&other_kind), None);
        let other_user = token.replacen("42", "43", 1);
        assert_eq!(links.verify(&other_user), None);
    }

    #[test]
    fn urgent_notices_and_unknown_kinds_have_no_link() {
        assert_eq!(links(1).token(42, "urgent"), None);
        assert_eq!(links(1).token(42, "spam"), None);
    }

    #[test]
    fn another_key_or_a_damaged_token_is_refused() {
        let token = links(1).token(7, "news").unwrap();
        assert_eq!(links(2).verify(&token), None);
        assert_eq!(links(1).verify(&token[..token.len() - 2]), None);
        assert_eq!(links(1).verify(""), None);
        assert_eq!(links(1).verify("7.news"), None);
    }
}
