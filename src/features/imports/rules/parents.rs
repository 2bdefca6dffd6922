//! Planning a parent import: one row per parent-child pair; accounts are keyed by e-mail.
//! The plan says which accounts to create or update, which links to add, which links exist
//! only in the database, and every problem by line.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::{
    FieldChange, Problem, Severity, same_text,
    table::{Column, Table, missing_cell},
};
use crate::{features::accounts::EmailAddress, platform::text::clean_name};

pub const REQUIRED_COLUMNS: &[Column] = &[
    Column::FirstName,
    Column::LastName,
    Column::Email,
    Column::ChildId,
];

/// An account as the database has it.
#[derive(Clone, Debug, Serialize)]
pub struct KnownAccount {
    pub id: i32,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub is_parent: bool,
}

/// A child as the database has it.
#[derive(Clone, Debug, Serialize)]
pub struct KnownChild {
    pub id: i32,
    pub external_id: String,
    pub last_name: String,
}

/// What the plan is computed against; its fingerprint tells whether it changed since.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub accounts: HashMap<String, KnownAccount>,
    pub children: HashMap<String, KnownChild>,
    /// (parent id, child id)
    pub links: HashSet<(i32, i32)>,
}

impl Snapshot {
    /// A digest of everything the plan depends on, independent of load order.
    pub fn fingerprint(&self) -> String {
        let accounts: BTreeMap<_, _> = self.accounts.iter().collect();
        let children: BTreeMap<_, _> = self
            .children
            .iter()
            .map(|(key, child)| (key, (child.id, &child.last_name)))
            .collect();
        let mut links: Vec<_> = self.links.iter().collect();
        links.sort();
        let canonical =
            serde_json::to_string(&(accounts, children, links)).expect("snapshot serializes");
        crate::platform::tokens::digest(&canonical)
    }
}

/// A parent as the file describes them, with all their children.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParentRecord {
    pub line: u64,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub child_ids: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParentUpdate {
    pub line: u64,
    pub user_id: i32,
    pub email: String,
    pub changes: Vec<FieldChange>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkRef {
    pub email: String,
    /// Known for existing accounts; new ones get their id when the plan is applied.
    pub parent_id: Option<i32>,
    pub child_id: i32,
    pub child_external_id: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParentPlan {
    pub create: Vec<ParentRecord>,
    pub update: Vec<ParentUpdate>,
    pub unchanged: Vec<String>,
    pub links_to_add: Vec<LinkRef>,
    pub links_missing: Vec<LinkRef>,
    pub problems: Vec<Problem>,
}

impl ParentPlan {
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| p.severity == Severity::Error)
    }
}

/// Decides for a phone number whether it can be dialled.
pub trait PhoneCheck {
    fn is_valid_phone(&self, phone: &str) -> bool;
}

/// Plans the import of `table` against `snapshot`.
pub fn plan(table: &Table, snapshot: &Snapshot, phones: &impl PhoneCheck) -> ParentPlan {
    let mut plan = ParentPlan::default();
    let mut records: Vec<ParentRecord> = Vec::new();
    let mut record_index: HashMap<String, usize> = HashMap::new();
    let mut file_pairs: HashSet<(String, String)> = HashSet::new();

    for row in &table.rows {
        let line = row.line;
        let cell = |column| table.cell(row, column);
        let mut row_ok = true;
        let mut require = |column: Column, problems: &mut Vec<Problem>| {
            let value = cell(column);
            if value.is_empty() {
                problems.push(missing_cell(line, column));
                row_ok = false;
            }
            value
        };
        let first_raw = require(Column::FirstName, &mut plan.problems);
        let last_raw = require(Column::LastName, &mut plan.problems);
        let email_raw = require(Column::Email, &mut plan.problems);
        let child_external_id = require(Column::ChildId, &mut plan.problems);
        let (first_name, last_name) = match (clean_name(first_raw), clean_name(last_raw)) {
            (Some(first), Some(last)) => (first, last),
            _ => {
                if !first_raw.is_empty() && !last_raw.is_empty() {
                    plan.problems.push(Problem::error(
                        line,
                        "invalid_name",
                        Some("first_name"),
                        "Names need 1 to 100 characters.",
                    ));
                }
                row_ok = false;
                (String::new(), String::new())
            }
        };
        let email = match email_raw.parse::<EmailAddress>() {
            Ok(email) => Some(email.as_str().to_string()),
            Err(_) => {
                if !email_raw.is_empty() {
                    plan.problems.push(Problem::error(
                        line,
                        "invalid_email",
                        Some("email"),
                        format!("'{email_raw}' is not a valid e-mail address."),
                    ));
                }
                row_ok = false;
                None
            }
        };
        let child = if child_external_id.is_empty() {
            None
        } else {
            let child = snapshot.children.get(child_external_id);
            if child.is_none() {
                plan.problems.push(Problem::error(line, "unknown_child_id", Some("child_id"), format!("There is no child with child ID '{child_external_id}': import the children first.")));
                row_ok = false;
            }
            child
        };
        if let Some(account) = email
            .as_ref()
            .and_then(|email| snapshot.accounts.get(email))
            && !account.is_parent
        {
            plan.problems.push(Problem::error(
                line,
                "email_belongs_to_staff",
                Some("email"),
                format!("{} is the address of a staff account.", account.email),
            ));
            row_ok = false;
        }
        let phone = cell(Column::Phone);
        if !phone.is_empty() && !phones.is_valid_phone(phone) {
            plan.problems.push(Problem::warning(
                line,
                "phone_unparseable",
                Some("phone"),
                format!("The phone number '{phone}' does not look dialable."),
            ));
        }
        if let Some(child) = child
            && same_text(&first_name, &child.last_name)
            && !same_text(&last_name, &child.last_name)
        {
            plan.problems.push(Problem::warning(line, "names_look_swapped", Some("first_name"), format!("The first name '{first_name}' is the child's last name: are first and last name swapped?")));
        }
        let (Some(email), Some(child), true) = (email, child, row_ok) else {
            continue;
        };
        file_pairs.insert((email.clone(), child.external_id.clone()));
        match record_index.get(&email) {
            Some(&index) => {
                let record = &mut records[index];
                if !same_text(&record.first_name, &first_name)
                    || !same_text(&record.last_name, &last_name)
                {
                    plan.problems.push(Problem::warning(
                        line,
                        "email_with_two_names",
                        Some("email"),
                        format!(
                            "{email} also belongs to {} {} (line {}); that name is used.",
                            record.first_name, record.last_name, record.line
                        ),
                    ));
                }
                if !record.child_ids.contains(&child.external_id) {
                    record.child_ids.push(child.external_id.clone());
                }
            }
            None => {
                record_index.insert(email.clone(), records.len());
                records.push(ParentRecord {
                    line,
                    email,
                    first_name,
                    last_name,
                    address: non_empty(cell(Column::Address)),
                    phone: non_empty(phone),
                    child_ids: vec![child.external_id.clone()],
                });
            }
        }
    }

    warn_about_people_with_two_emails(&records, &mut plan.problems);

    for record in records {
        let account = snapshot.accounts.get(&record.email);
        for external_id in &record.child_ids {
            let child = &snapshot.children[external_id];
            let linked =
                account.is_some_and(|account| snapshot.links.contains(&(account.id, child.id)));
            if !linked {
                plan.links_to_add.push(LinkRef {
                    email: record.email.clone(),
                    parent_id: account.map(|account| account.id),
                    child_id: child.id,
                    child_external_id: external_id.clone(),
                });
            }
        }
        match account {
            None => plan.create.push(record),
            Some(account) => {
                let changes = changes(account, &record);
                if changes.is_empty() {
                    plan.unchanged.push(record.email);
                } else {
                    plan.update.push(ParentUpdate {
                        line: record.line,
                        user_id: account.id,
                        email: record.email,
                        changes,
                    });
                }
            }
        }
    }

    plan.links_missing = links_missing_from_file(snapshot, &file_pairs);
    plan.problems.sort_by_key(|problem| problem.line);
    plan
}

fn non_empty(value: &str) -> Option<String> {
    (!value.is_empty()).then(|| value.to_string())
}

/// Fields the file sets differently. Empty cells never clear data: an import deletes nothing.
fn changes(account: &KnownAccount, record: &ParentRecord) -> Vec<FieldChange> {
    let mut changes = Vec::new();
    let mut compare = |field: &str, old: Option<&str>, new: Option<&str>| {
        if let Some(new) = new
            && old != Some(new)
        {
            changes.push(FieldChange {
                field: field.into(),
                old: old.map(str::to_string),
                new: Some(new.to_string()),
            });
        }
    };
    compare(
        "first_name",
        Some(&account.first_name),
        Some(&record.first_name),
    );
    compare(
        "last_name",
        Some(&account.last_name),
        Some(&record.last_name),
    );
    compare(
        "address",
        account.address.as_deref(),
        record.address.as_deref(),
    );
    compare("phone", account.phone.as_deref(), record.phone.as_deref());
    changes
}

fn warn_about_people_with_two_emails(records: &[ParentRecord], problems: &mut Vec<Problem>) {
    let mut first_seen: HashMap<(String, String), &ParentRecord> = HashMap::new();
    for record in records {
        let person = (
            record.first_name.to_lowercase(),
            record.last_name.to_lowercase(),
        );
        match first_seen.get(&person) {
            Some(earlier) => problems.push(Problem::warning(
                record.line,
                "same_person_two_emails",
                Some("email"),
                format!(
                    "{} {} has the address {} here and {} on line {}: two accounts will be made.",
                    record.first_name, record.last_name, record.email, earlier.email, earlier.line
                ),
            )),
            None => {
                first_seen.insert(person, record);
            }
        }
    }
}

fn links_missing_from_file(
    snapshot: &Snapshot,
    file_pairs: &HashSet<(String, String)>,
) -> Vec<LinkRef> {
    let emails: HashMap<i32, &str> = snapshot
        .accounts
        .values()
        .map(|account| (account.id, account.email.as_str()))
        .collect();
    let children: HashMap<i32, &str> = snapshot
        .children
        .values()
        .map(|child| (child.id, child.external_id.as_str()))
        .collect();
    let mut missing: Vec<LinkRef> = snapshot
        .links
        .iter()
        .filter_map(|&(parent_id, child_id)| {
            let email = *emails.get(&parent_id)?;
            let external_id = *children.get(&child_id)?;
            (!file_pairs.contains(&(email.to_string(), external_id.to_string()))).then(|| LinkRef {
                email: email.to_string(),
                parent_id: Some(parent_id),
                child_id,
                child_external_id: external_id.to_string(),
            })
        })
        .collect();
    missing.sort_by(|a, b| (&a.email, &a.child_external_id).cmp(&(&b.email, &b.child_external_id)));
    missing
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::imports::rules::table::parse;

    struct AnyDigits;
    impl PhoneCheck for AnyDigits {
        fn is_valid_phone(&self, phone: &str) -> bool {
            phone.chars().all(|c| c.is_ascii_digit())
        }
    }

    fn snapshot() -> Snapshot {
        let mut snapshot = Snapshot::default();
        for (id, external_id, last_name) in [
            (1, "9896508", "Mustermann"),
            (2, "9789508", "Mustermann"),
            (3, "1003", "Bakker"),
        ] {
            snapshot.children.insert(
                external_id.into(),
                KnownChild {
                    id,
                    external_id: external_id.into(),
                    last_name: last_name.into(),
                },
            );
        }
        snapshot
    }

    fn plan_of(text: &str, snapshot: &Snapshot) -> ParentPlan {
        plan(
            &parse(text, REQUIRED_COLUMNS, 1000).unwrap(),
            snapshot,
            &AnyDigits,
        )
    }

    const SEED: &str = "Vorname\tNachname\tAdresse\tE-Mail\tTelefonnummer\tKind-ID\n\
        Mustermann\tMax\tMusterstr. 47, 00000 Pusemuckel\tmax.mustermann@nomail.xy\t01234987654\t9896508\n\
        Mustermann\tMax\tMusterstr. 47, 00000 Pusemuckel\tmax.mustermann@nomail.xy\t01234987654\t9789508\n";

    #[test]
    fn the_seed_sample_gives_one_account_two_links_and_a_swapped_names_warning() {
        let plan = plan_of(SEED, &snapshot());
        assert_eq!(plan.create.len(), 1);
        assert_eq!(plan.create[0].child_ids, ["9896508", "9789508"]);
        assert_eq!(plan.links_to_add.len(), 2);
        assert!(!plan.has_errors());
        let warnings: Vec<_> = plan
            .problems
            .iter()
            .map(|p| (p.line, p.code.as_str()))
            .collect();
        assert_eq!(
            warnings,
            [(2, "names_look_swapped"), (3, "names_look_swapped")]
        );
    }

    #[test]
    fn known_accounts_are_updated_only_where_the_file_differs() {
        let mut snapshot = snapshot();
        snapshot.accounts.insert(
            "max.mustermann@nomail.xy".into(),
            KnownAccount {
                id: 7,
                email: "max.mustermann@nomail.xy".into(),
                first_name: "Mustermann".into(),
                last_name: "Max".into(),
                address: Some("Musterstr. 47, 00000 Pusemuckel".into()),
                phone: Some("0999".into()),
                is_parent: true,
            },
        );
        snapshot.links.insert((7, 1));
        snapshot.links.insert((7, 3));
        let plan = plan_of(SEED, &snapshot);
        assert!(plan.create.is_empty());
        assert_eq!(plan.update.len(), 1);
        assert_eq!(
            plan.update[0].changes,
            [FieldChange {
                field: "phone".into(),
                old: Some("0999".into()),
                new: Some("01234987654".into())
            }]
        );
        assert_eq!(
            plan.links_to_add
                .iter()
                .map(|l| l.child_id)
                .collect::<Vec<_>>(),
            [2]
        );
        assert_eq!(
            plan.links_missing
                .iter()
                .map(|l| l.child_external_id.as_str())
                .collect::<Vec<_>>(),
            ["1003"]
        );
    }

    #[test]
    fn row_problems_are_reported_by_line() {
        let text = "First name,Last name,E-mail,Child ID,Phone\n\
            Anna,Bakker,not-an-address,1003,\n\
            Anna,Bakker,anna@example.nl,4711,\n\
            ,Bakker,anna@example.nl,1003,call me\n\
            Anna,Bakker,anna@example.nl,1003,0612345678\n\
            Anne,Bakker,anna@example.nl,9896508,\n\
            Anna,Bakker,anna.work@example.nl,9789508,\n";
        let plan = plan_of(text, &snapshot());
        let problems: Vec<_> = plan
            .problems
            .iter()
            .map(|p| (p.line, p.code.as_str(), p.severity))
            .collect();
        assert_eq!(
            problems,
            [
                (2, "invalid_email", Severity::Error),
                (3, "unknown_child_id", Severity::Error),
                (4, "missing_value", Severity::Error),
                (4, "phone_unparseable", Severity::Warning),
                (6, "email_with_two_names", Severity::Warning),
                (7, "same_person_two_emails", Severity::Warning),
            ]
        );
        assert!(plan.has_errors());
        assert_eq!(plan.create.len(), 2);
    }

    #[test]
    fn fingerprints_change_with_the_data() {
        let mut snapshot = snapshot();
        let before = snapshot.fingerprint();
        assert_eq!(before, snapshot.fingerprint());
        snapshot.links.insert((1, 1));
        assert_ne!(before, snapshot.fingerprint());
    }
}
