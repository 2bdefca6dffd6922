//! One's own contact details: phone numbers with labels (the first is the one the school's
//! administration knows), extra e-mail addresses for being reached (not for logging in), and
//! the address. Who else sees them is the family's choice (`directory`).

use super::{EmailAddress, ProfileChange, own_account, store};
use crate::{
    app::error::AppError,
    entities::user_contacts::{ContactKind, ContactLabel},
    platform::{db, services::Services, text},
};

/// At most this many phone numbers, and extra e-mail addresses.
pub const MAX_PER_KIND: usize = 5;

pub struct ContactDetails {
    pub email: String,
    /// A new login address waiting for its confirmation link.
    pub pending_email: Option<String>,
    pub phones: Vec<(ContactLabel, String)>,
    pub extra_emails: Vec<(ContactLabel, String)>,
    pub address: Option<String>,
}

pub async fn details(services: &Services, user_id: i32) -> Result<ContactDetails, AppError> {
    let user = own_account(services, user_id).await?;
    let db = &services.db;
    let mut phones: Vec<(ContactLabel, String)> = user
        .phone
        .clone()
        .map(|phone| (user.phone_label, phone))
        .into_iter()
        .collect();
    phones.extend(store::contacts::of_user(db, user.id, ContactKind::Phone).await?);
    let pending = store::email_changes::open_of_user(db, user.id, services.clock.now()).await?;
    Ok(ContactDetails {
        email: user.email,
        pending_email: pending.map(|change| change.new_email),
        phones,
        extra_emails: store::contacts::of_user(db, user.id, ContactKind::Email).await?,
        address: user.address,
    })
}

/// What to change; `None` leaves it as it is.
pub struct ContactChange {
    pub phones: Option<Vec<(ContactLabel, String)>>,
    pub extra_emails: Option<Vec<(ContactLabel, String)>>,
    /// An empty address removes it.
    pub address: Option<String>,
}

/// Replaces the caller's phone numbers and extra addresses as given. Errors name the entry:
/// `phones[1].number` `invalid_phone`, `extra_emails[0].email` `invalid_email` or
/// `duplicate_email`, `too_many_contacts`.
pub async fn change(
    services: &Services,
    user_id: i32,
    change: ContactChange,
) -> Result<ContactDetails, AppError> {
    let user = own_account(services, user_id).await?;
    let phones = change.phones.map(checked_phones).transpose()?;
    let emails = change
        .extra_emails
        .map(|emails| checked_emails(emails, &user.email))
        .transpose()?;
    let address = change
        .address
        .map(|address| text::optional_text("address", &address, 300))
        .transpose()?;
    let txn = db::begin_write(&services.db).await?;
    let mut profile = ProfileChange {
        address,
        ..ProfileChange::default()
    };
    if let Some(mut phones) = phones {
        let first = (!phones.is_empty()).then(|| phones.remove(0));
        profile.phone_label = first.as_ref().map(|(label, _)| *label);
        profile.phone = Some(first.map(|(_, number)| number));
        store::contacts::replace(&txn, user.id, ContactKind::Phone, phones).await?;
    }
    if let Some(emails) = emails {
        store::contacts::replace(&txn, user.id, ContactKind::Email, emails).await?;
    }
    store::users::update_profile(&txn, user, profile, services.clock.now()).await?;
    txn.commit().await?;
    details(services, user_id).await
}

fn checked_phones(
    phones: Vec<(ContactLabel, String)>,
) -> Result<Vec<(ContactLabel, String)>, AppError> {
    if phones.len() > MAX_PER_KIND {
        return Err(too_many("phones"));
    }
    phones
        .into_iter()
        .enumerate()
        .map(|(index, (label, number))| {
            let number = number.trim().to_string();
            if text::is_plausible_phone(&number) {
                Ok((label, number))
            } else {
                Err(AppError::invalid_at(
                    format!("phones[{index}].number"),
                    "invalid_phone",
                    "A phone number has 6 to 20 digits, optionally with a leading + and spaces \
                     or dashes.",
                ))
            }
        })
        .collect()
}

fn checked_emails(
    emails: Vec<(ContactLabel, String)>,
    login: &str,
) -> Result<Vec<(ContactLabel, String)>, AppError> {
    if emails.len() > MAX_PER_KIND {
        return Err(too_many("extra_emails"));
    }
    let mut seen = vec![login.to_string()];
    let mut checked = Vec::new();
    for (index, (label, raw)) in emails.into_iter().enumerate() {
        let field = format!("extra_emails[{index}].email");
        let email: EmailAddress = raw.parse().map_err(|_| {
            AppError::invalid_at(
                field.clone(),
                "invalid_email",
                "This is not a valid e-mail address.",
            )
        })?;
        if seen.contains(&email.as_str().to_string()) {
            return Err(AppError::invalid_at(
                field,
                "duplicate_email",
                "This address is in the list already (or is the login address).",
            ));
        }
        seen.push(email.as_str().to_string());
        checked.push((label, email.as_str().to_string()));
    }
    Ok(checked)
}

fn too_many(field: &'static str) -> AppError {
    AppError::invalid(
        field,
        "too_many_contacts",
        format!("At most {MAX_PER_KIND} entries."),
    )
}
