//! The password policy from the parents' manual, plus a common-password check, and argon2id
//! hashing with OWASP parameters. Hashing is CPU-heavy: callers run it in `spawn_blocking`.

use std::sync::LazyLock;

use argon2::{
    Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version,
    password_hash::{SaltString, rand_core::OsRng},
};

/// Longest accepted password, in characters: long passphrases are welcome, unbounded input
/// is not (argon2 hashes all of it).
pub const MAX_LENGTH: usize = 256;
pub const MIN_LENGTH: usize = 8;

/// A short list of the passwords schools' users pick most; see `is_common`.
const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

/// One broken rule; each has its own error code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordRule {
    TooShort,
    TooLong,
    MissingLowercase,
    MissingUppercase,
    MissingDigit,
    MissingSpecial,
    TooCommon,
}

impl PasswordRule {
    const ALL: [Self; 7] = [
        Self::TooShort,
        Self::TooLong,
        Self::MissingLowercase,
        Self::MissingUppercase,
        Self::MissingDigit,
        Self::MissingSpecial,
        Self::TooCommon,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            Self::TooShort => "password_too_short",
            Self::TooLong => "password_too_long",
            Self::MissingLowercase => "password_missing_lowercase",
            Self::MissingUppercase => "password_missing_uppercase",
            Self::MissingDigit => "password_missing_digit",
            Self::MissingSpecial => "password_missing_special",
            Self::TooCommon => "password_too_common",
        }
    }

    /// Every rule's code, for the API's list of error codes.
    pub const CODES: [&'static str; 7] = {
        let mut codes = [""; 7];
        let mut index = 0;
        while index < codes.len() {
            codes[index] = Self::ALL[index].code();
            index += 1;
        }
        codes
    };

    pub fn message(self) -> String {
        match self {
            Self::TooShort => format!("The password needs at least {MIN_LENGTH} characters."),
            Self::TooLong => format!("The password may have at most {MAX_LENGTH} characters."),
            Self::MissingLowercase => "The password needs a lower-case letter.".into(),
            Self::MissingUppercase => "The password needs an upper-case letter.".into(),
            Self::MissingDigit => "The password needs a digit.".into(),
            Self::MissingSpecial => {
                "The password needs a special character such as ! ? @ # $ % ^ & [ ] ( ).".into()
            }
            Self::TooCommon => "This password is too common; choose another one.".into(),
        }
    }
}

/// Every rule the candidate breaks, in a fixed order; empty means acceptable.
pub fn broken_rules(candidate: &str) -> Vec<PasswordRule> {
    let mut broken = Vec::new();
    let length = candidate.chars().count();
    if length < MIN_LENGTH {
        broken.push(PasswordRule::TooShort);
    }
    if length > MAX_LENGTH {
        broken.push(PasswordRule::TooLong);
    }
    if !candidate.chars().any(char::is_lowercase) {
        broken.push(PasswordRule::MissingLowercase);
    }
    if !candidate.chars().any(char::is_uppercase) {
        broken.push(PasswordRule::MissingUppercase);
    }
    if !candidate.chars().any(|c| c.is_ascii_digit()) {
        broken.push(PasswordRule::MissingDigit);
    }
    if !candidate
        .chars()
        .any(|c| !c.is_alphanumeric() && !c.is_whitespace())
    {
        broken.push(PasswordRule::MissingSpecial);
    }
    if is_common(candidate) {
        broken.push(PasswordRule::TooCommon);
    }
    broken
}

/// Common passwords pass the character rules by adding "1!" or capitals; compare the
/// letters-and-digits core, lower-cased, against the list.
fn is_common(candidate: &str) -> bool {
    let lowered = candidate.to_lowercase();
    let core: String = lowered.chars().filter(|c| c.is_alphanumeric()).collect();
    let core_without_trailing_digits = core.trim_end_matches(|c: char| c.is_ascii_digit());
    COMMON_PASSWORDS
        .lines()
        .map(str::trim)
        .filter(|line| !line.starts_with('#'))
        .any(|common| {
            !common.is_empty()
                && (common == lowered || common == core || common == core_without_trailing_digits)
        })
}

fn hasher() -> Argon2<'static> {
    // OWASP: argon2id, 19 MiB, 2 iterations, parallelism 1.
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password into a PHC string (salt and parameters included).
pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing with valid parameters cannot fail")
        .to_string()
}

/// Does the work of a real verification against a hash of no account, so answering for an
/// unknown or inactive account takes as long as for a known one.
pub fn verify_nothing(password: &str) {
    static DUMMY: LazyLock<String> = LazyLock::new(|| hash("no account has this password"));
    let _ = verify(password, &DUMMY);
}

/// True when `password` matches the stored PHC string. A malformed hash never matches.
pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|parsed| {
            hasher()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_meeting_every_rule_is_accepted() {
        assert!(broken_rules("Zomer-Vakantie7").is_empty());
        assert!(broken_rules(&format!("Aa1!{}", "x".repeat(60))).is_empty());
    }

    #[test]
    fn each_rule_is_reported_on_its_own() {
        assert_eq!(broken_rules("Ab1!xyz"), vec![PasswordRule::TooShort]);
        assert_eq!(
            broken_rules("ZWXQRT1!"),
            vec![PasswordRule::MissingLowercase]
        );
        assert_eq!(
            broken_rules("zwxqrt1!"),
            vec![PasswordRule::MissingUppercase]
        );
        assert_eq!(broken_rules("Zwxqrtg!"), vec![PasswordRule::MissingDigit]);
        assert_eq!(broken_rules("Zwxqrtg1"), vec![PasswordRule::MissingSpecial]);
        assert!(broken_rules(&format!("Aa1!{}", "x".repeat(300))).contains(&PasswordRule::TooLong));
    }

    #[test]
    fn decorated_common_passwords_are_refused() {
        assert_eq!(broken_rules("Password1!"), vec![PasswordRule::TooCommon]);
        assert_eq!(broken_rules("Welkom01!"), vec![PasswordRule::TooCommon]);
    }

    #[test]
    fn hash_verifies_only_the_same_password() {
        let phc = hash("Zomer-Vakantie7");
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("Zomer-Vakantie7", &phc));
        assert!(!verify("zomer-vakantie7", &phc));
        assert!(!verify("Zomer-Vakantie7", "not a hash"));
    }
}
