//! Two-step login for staff: after the password, a code from an authenticator app (TOTP,
//! RFC 6238: six digits, 30-second steps, one step of clock drift either way), or one of ten
//! single-use recovery codes. A school can require it for all staff
//! (`security.two_factor_required_for_staff`). School offices hold every family's data.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use chrono::{DateTime, Utc};
use qrcode::{QrCode, render::svg};
use sea_orm::{ConnectionTrait, DbErr};
use totp_rs::{Builder, Secret, Totp};

use super::store::{self, two_factor as stored};
use crate::{
    app::{actor::Actor, error::AppError},
    entities::users::Role,
    platform::{db::AuditedWrite, services::Services, sessions, tokens},
};

const RECOVERY_CODES: usize = 10;

/// What the app shows to set up an authenticator: the QR code and, for typing in, the key.
pub struct Setup {
    pub secret: String,
    pub otpauth_url: String,
    pub qr_svg: String,
}

/// Where an account stands.
pub struct Status {
    pub on: bool,
    /// The school requires it and it is not on yet: nothing else works until it is.
    pub setup_required: bool,
    pub recovery_codes_left: u64,
}

/// Whether the account has two-step login on (for the HTTP layer's session check).
pub async fn store_is_on(conn: &impl ConnectionTrait, user_id: i32) -> Result<bool, DbErr> {
    stored::is_on(conn, user_id).await
}

pub fn applies_to(role: Role) -> bool {
    role != Role::Parent
}

/// Whether this account must set up two-step login before doing anything else.
pub fn must_set_up(services: &Services, role: Role, on: bool) -> bool {
    services.settings.security.two_factor_required_for_staff && applies_to(role) && !on
}

pub async fn status(services: &Services, actor: &Actor) -> Result<Status, AppError> {
    let on = stored::is_on(&services.db, actor.id).await?;
    Ok(Status {
        on,
        setup_required: must_set_up(services, actor.role, on),
        recovery_codes_left: if on {
            stored::unused_recovery_codes(&services.db, actor.id).await?
        } else {
            0
        },
    })
}

/// Starts set-up with a new secret; it takes effect once `turn_on` gets a code made with it.
pub async fn begin_setup(services: &Services, actor: &Actor) -> Result<Setup, AppError> {
    staff_only(actor)?;
    if stored::is_on(&services.db, actor.id).await? {
        return Err(AppError::conflict(
            "two_factor_already_on",
            "Two-step login is on already. Turn it off first to use another app.",
        ));
    }
    let user = own_account(services, actor).await?;
    let mut key = [0u8; 20];
    OsRng.fill_bytes(&mut key);
    let secret = Secret::from(key).to_base32();
    let totp = authenticator(services, &secret, &user.email)?;
    let otpauth_url = totp
        .to_url()
        .map_err(|err| AppError::internal(format!("otpauth link: {err}")))?;
    let qr_svg = QrCode::new(otpauth_url.as_bytes())
        .map_err(|err| AppError::internal(format!("QR code: {err}")))?
        .render::<svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    stored::save_pending(&services.db, actor.id, &secret, services.clock.now()).await?;
    Ok(Setup {
        secret,
        otpauth_url,
        qr_svg,
    })
}

/// Turns two-step login on with a first code from the app; returns the recovery codes, shown
/// this once. Other sessions of the account end: they were opened with the password alone.
pub async fn turn_on(
    services: &Services,
    actor: &Actor,
    session_id: i32,
    code: &str,
) -> Result<Vec<String>, AppError> {
    staff_only(actor)?;
    let pending = stored::find(&services.db, actor.id)
        .await?
        .filter(|found| found.confirmed_at.is_none())
        .ok_or_else(|| {
            AppError::conflict(
                "two_factor_not_started",
                "Start the set-up first: scan the code, then enter the six digits the app shows.",
            )
        })?;
    let user = own_account(services, actor).await?;
    let now = services.clock.now();
    let step = matching_step(
        &authenticator(services, &pending.secret, &user.email)?,
        code,
        now,
    )
    .ok_or_else(|| wrong_code_field("code"))?;
    let (codes, hashes) = new_recovery_codes();
    let write = AuditedWrite::begin(services, actor.id, "user.two_factor_on").await?;
    stored::confirm(write.txn(), actor.id, now).await?;
    stored::use_step(write.txn(), actor.id, step).await?;
    stored::delete_recovery_codes(write.txn(), actor.id).await?;
    stored::save_recovery_codes(write.txn(), actor.id, hashes).await?;
    sessions::delete_all_for_user(write.txn(), actor.id, Some(session_id)).await?;
    write
        .commit(format!("user:{}", actor.id), serde_json::json!({}))
        .await?;
    Ok(codes)
}

/// Turns two-step login off, with a current code or a recovery code; not when the school
/// requires it.
pub async fn turn_off(services: &Services, actor: &Actor, code: &str) -> Result<(), AppError> {
    if services.settings.security.two_factor_required_for_staff && applies_to(actor.role) {
        return Err(AppError::conflict(
            "two_factor_required_by_school",
            "The school requires two-step login for staff; it cannot be turned off.",
        ));
    }
    if !stored::is_on(&services.db, actor.id).await? {
        return Err(AppError::conflict(
            "two_factor_off",
            "Two-step login is not on.",
        ));
    }
    let user = own_account(services, actor).await?;
    verify(services, &user, code)
        .await
        .map_err(|_| wrong_code_field("code"))?;
    let write = AuditedWrite::begin(services, actor.id, "user.two_factor_off").await?;
    stored::delete(write.txn(), actor.id).await?;
    write
        .commit(format!("user:{}", actor.id), serde_json::json!({}))
        .await?;
    Ok(())
}

/// An admin turns it off for someone who lost both phone and recovery codes; their sessions
/// end, and they set it up again (when required) after logging in with the password.
pub async fn reset(services: &Services, actor: &Actor, id: i32) -> Result<(), AppError> {
    actor.require_admin()?;
    store::users::find_by_id(&services.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("account"))?;
    let write = AuditedWrite::begin(services, actor.id, "user.two_factor_reset").await?;
    let was_on = stored::delete(write.txn(), id).await?;
    sessions::delete_all_for_user(write.txn(), id, None).await?;
    write
        .commit(
            format!("user:{id}"),
            serde_json::json!({ "was_on": was_on }),
        )
        .await?;
    Ok(())
}

/// The second login step: nothing to do for accounts without it; otherwise `code` must be a
/// fresh authenticator code or an unused recovery code.
pub async fn check_login(
    services: &Services,
    user: &store::users::User,
    code: Option<&str>,
) -> Result<(), AppError> {
    if !stored::is_on(&services.db, user.id).await? {
        return Ok(());
    }
    let Some(code) = code.filter(|code| !code.trim().is_empty()) else {
        return Err(AppError::SecondStep {
            code: "two_factor_required",
            message: "Enter the code from your authenticator app, or a recovery code.".into(),
        });
    };
    verify(services, user, code).await
}

async fn verify(
    services: &Services,
    user: &store::users::User,
    code: &str,
) -> Result<(), AppError> {
    let wrong = || AppError::SecondStep {
        code: "two_factor_code_wrong",
        message: "This code is not right, or was used already. Enter the code the app shows \
                  now."
            .into(),
    };
    let stored = stored::find(&services.db, user.id)
        .await?
        .filter(|found| found.confirmed_at.is_some())
        .ok_or_else(wrong)?;
    let now = services.clock.now();
    let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() == 6 && digits.chars().all(|c| c.is_ascii_digit()) {
        let totp = authenticator(services, &stored.secret, &user.email)?;
        return match matching_step(&totp, &digits, now) {
            Some(step) if stored::use_step(&services.db, user.id, step).await? => Ok(()),
            _ => Err(wrong()),
        };
    }
    let hash = tokens::digest(&normalized_recovery_code(code));
    if stored::use_recovery_code(&services.db, user.id, &hash, now).await? {
        Ok(())
    } else {
        Err(wrong())
    }
}

/// The caller's account (gone only if it was deleted during the request).
async fn own_account(services: &Services, actor: &Actor) -> Result<store::users::User, AppError> {
    store::users::find_by_id(&services.db, actor.id)
        .await?
        .ok_or(AppError::Unauthenticated)
}

fn staff_only(actor: &Actor) -> Result<(), AppError> {
    if applies_to(actor.role) {
        Ok(())
    } else {
        Err(AppError::forbidden_with(
            "two_factor_staff_only",
            "Two-step login is for the school's staff.",
        ))
    }
}

fn wrong_code_field(field: &'static str) -> AppError {
    AppError::invalid(
        field,
        "two_factor_code_wrong",
        "This code is not right. Enter the six digits the app shows now.",
    )
}

/// The TOTP of an account: SHA-1, six digits, 30 s, as every authenticator app supports.
fn authenticator(services: &Services, secret: &str, email: &str) -> Result<Totp, AppError> {
    let bytes = Secret::try_from_base32(secret)
        .map_err(|err| AppError::internal(format!("stored TOTP secret: {err:?}")))?;
    // The otpauth format does not allow colons in the names.
    let issuer = services.settings.school.name.replace(':', " ");
    Builder::new()
        .with_secret(bytes)
        .with_issuer(Some(issuer))
        .with_account_name(email.replace(':', " "))
        .build()
        .map_err(|err| AppError::internal(format!("TOTP: {err:?}")))
}

/// The 30-second step whose code `code` is, within one step of `now`.
fn matching_step(totp: &Totp, code: &str, now: DateTime<Utc>) -> Option<i64> {
    let seconds = u64::try_from(now.timestamp()).ok()?;
    totp.check(code.trim(), seconds)
        .and_then(|step| i64::try_from(step).ok())
}

/// Ten codes like `k7dq2-m9xfa` and their hashes.
fn new_recovery_codes() -> (Vec<String>, Vec<String>) {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 10];
            OsRng.fill_bytes(&mut bytes);
            let letters: String = bytes
                .iter()
                .map(|byte| ALPHABET[*byte as usize % ALPHABET.len()] as char)
                .collect();
            let code = format!("{}-{}", &letters[..5], &letters[5..]);
            let hash = tokens::digest(&normalized_recovery_code(&code));
            (code, hash)
        })
        .unzip()
}

/// Recovery codes are typed in any case, with or without the dash and spaces.
fn normalized_recovery_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_ten_distinct_and_typed_loosely() {
        let (codes, hashes) = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        let distinct: std::collections::HashSet<_> = hashes.iter().collect();
        assert_eq!(distinct.len(), 10);
        let typed = codes[0].to_uppercase().replace('-', " ");
        assert_eq!(tokens::digest(&normalized_recovery_code(&typed)), hashes[0]);
    }

    #[test]
    fn codes_match_the_rfc_6238_test_vector() {
        // RFC 6238 appendix B, SHA-1: secret "12345678901234567890", T = 59 s -> 94287082
        // (8 digits); its last six digits are the six-digit code.
        let totp = Builder::new()
            .with_secret(b"12345678901234567890".to_vec())
            .build()
            .unwrap();
        let at = DateTime::from_timestamp(59, 0).unwrap();
        assert_eq!(matching_step(&totp, "287082", at), Some(1));
        assert_eq!(matching_step(&totp, "287083", at), None);
    }
}
