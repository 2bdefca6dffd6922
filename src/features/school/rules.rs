//! Rules of the school's data without I/O: emergency contacts and who may see or change a
//! child.

use serde::{Deserialize, Serialize};

use crate::{
    app::error::AppError,
    entities::users::Role,
    platform::text::{clean_name, is_plausible_phone},
};

/// Someone to call when the parents cannot be reached.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmergencyContact {
    pub name: String,
    pub phone: String,
    pub relation: Option<String>,
}

pub const MAX_EMERGENCY_CONTACTS: usize = 5;
/// The longest child ID, in characters.
pub const MAX_CHILD_ID: usize = 64;
/// The longest emergency phone number and relation ("grandmother"), in characters.
pub const MAX_CONTACT_PHONE: usize = 50;
pub const MAX_RELATION: usize = 50;

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ContactError {
    #[error("at most {MAX_EMERGENCY_CONTACTS} emergency contacts")]
    TooMany,
    #[error("emergency contact {0} needs a name")]
    MissingName(usize),
    #[error("emergency contact {0} has no valid phone number")]
    InvalidPhone(usize),
    #[error("the relation of emergency contact {0} has more than {MAX_RELATION} characters")]
    RelationTooLong(usize),
}

impl ContactError {
    /// The request field it is about, so the app can mark it: `emergency_contacts[1].phone`
    /// for the second contact's number (positions in messages count from 1, indexes from 0).
    pub fn field(&self) -> String {
        let at =
            |position: &usize, name: &str| format!("emergency_contacts[{}].{name}", position - 1);
        match self {
            Self::TooMany => "emergency_contacts".into(),
            Self::MissingName(position) => at(position, "name"),
            Self::InvalidPhone(position) => at(position, "phone"),
            Self::RelationTooLong(position) => at(position, "relation"),
        }
    }
}

/// Trims the contacts and checks them; a phone number has 6 to 20 digits, optionally a
/// leading + and spaces, dashes, dots or parentheses.
pub fn validate_contacts(
    contacts: Vec<EmergencyContact>,
) -> Result<Vec<EmergencyContact>, ContactError> {
    if contacts.len() > MAX_EMERGENCY_CONTACTS {
        return Err(ContactError::TooMany);
    }
    contacts
        .into_iter()
        .enumerate()
        .map(|(index, contact)| {
            let position = index + 1;
            let name = clean_name(&contact.name).ok_or(ContactError::MissingName(position))?;
            let phone = contact.phone.trim().to_string();
            if !is_plausible_phone(&phone) {
                return Err(ContactError::InvalidPhone(position));
            }
            let relation = contact
                .relation
                .map(|relation| relation.trim().to_string())
                .filter(|relation| !relation.is_empty());
            if relation
                .as_ref()
                .is_some_and(|relation| relation.chars().count() > MAX_RELATION)
            {
                return Err(ContactError::RelationTooLong(position));
            }
            Ok(EmergencyContact {
                name,
                phone,
                relation,
            })
        })
        .collect()
}

/// A child ID of the school administration system: trimmed, 1 to 64 characters.
pub fn child_id(raw: &str) -> Result<String, AppError> {
    let id = raw.trim();
    if id.is_empty() || id.chars().count() > MAX_CHILD_ID {
        return Err(AppError::invalid(
            "external_id",
            "invalid_child_id",
            "The child ID needs 1 to 64 characters.",
        ));
    }
    Ok(id.to_string())
}

/// A child's birthday as parents type it: not in the future, not before 1990.
pub fn birthday(
    date: chrono::NaiveDate,
    today: chrono::NaiveDate,
) -> Result<chrono::NaiveDate, AppError> {
    let earliest = chrono::NaiveDate::from_ymd_opt(1990, 1, 1).expect("a valid date");
    if date < earliest || date > today {
        return Err(AppError::invalid(
            "birthday",
            "invalid_birthday",
            "A birthday lies between 1990 and today.",
        ));
    }
    Ok(date)
}

/// What a user may do with one child's data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChildAccess {
    None,
    Read,
    Write,
}

/// The caller's relation to a child, as found in the database.
#[derive(Clone, Copy, Debug, Default)]
pub struct ChildRelation {
    /// `Some(read_only)` when the caller is linked as a parent.
    pub parent_link: Option<bool>,
    /// The caller teaches the child's group.
    pub teaches_group: bool,
}

/// Admins may change every child; linked parents theirs unless read-only; teachers of the
/// child's group may read; nobody else sees the child.
pub fn child_access(role: Role, relation: ChildRelation) -> ChildAccess {
    match role {
        Role::Admin => ChildAccess::Write,
        Role::Parent => match relation.parent_link {
            Some(false) => ChildAccess::Write,
            Some(true) => ChildAccess::Read,
            None => ChildAccess::None,
        },
        Role::Teacher if relation.teaches_group => ChildAccess::Read,
        Role::Teacher => ChildAccess::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(name: &str, phone: &str) -> EmergencyContact {
        EmergencyContact {
            name: name.into(),
            phone: phone.into(),
            relation: None,
        }
    }

    #[test]
    fn contacts_are_trimmed_and_checked() {
        let cleaned = validate_contacts(vec![contact(" Oma ", " +31 6 1234 5678 ")]).unwrap();
        assert_eq!(cleaned[0].name, "Oma");
        assert_eq!(cleaned[0].phone, "+31 6 1234 5678");
        assert_eq!(
            validate_contacts(vec![contact("Oma", "call me")]),
            Err(ContactError::InvalidPhone(1))
        );
        assert_eq!(
            validate_contacts(vec![
                contact("Oma", "0612345678"),
                contact(" ", "0612345678")
            ]),
            Err(ContactError::MissingName(2))
        );
        assert_eq!(
            validate_contacts(vec![contact("Oma", "0612345678"); 6]),
            Err(ContactError::TooMany)
        );
    }

    #[test]
    fn access_follows_role_and_links() {
        let unrelated = ChildRelation::default();
        let parent = ChildRelation {
            parent_link: Some(false),
            ..unrelated
        };
        let read_only_parent = ChildRelation {
            parent_link: Some(true),
            ..unrelated
        };
        let teacher = ChildRelation {
            teaches_group: true,
            ..unrelated
        };
        assert_eq!(child_access(Role::Admin, unrelated), ChildAccess::Write);
        assert_eq!(child_access(Role::Parent, parent), ChildAccess::Write);
        assert_eq!(
            child_access(Role::Parent, read_only_parent),
            ChildAccess::Read
        );
        assert_eq!(child_access(Role::Parent, unrelated), ChildAccess::None);
        assert_eq!(child_access(Role::Teacher, teacher), ChildAccess::Read);
        assert_eq!(child_access(Role::Teacher, unrelated), ChildAccess::None);
    }
}
