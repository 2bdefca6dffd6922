//! Planning a parent import: one row per parent-child pair; accounts are keyed by e-mail.
//! The plan says which accounts to create or update, which links to add, which links exist
//! only in the database, and every problem by line.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::{
    FieldChange, Problem, Severity, same_text,
    table::{Column, Table, lost_letter_warning, missing_cell},
};
use crate::{
    entities::users::Language,
    features::accounts::EmailAddress,
    platform::text::{clean_name, full_name},
};

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
    pub name_prefix: Option<String>,
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
    /// The full name, for the preview's list of links that would be removed.
    pub name: String,
    pub last_name: String,
    pub group: Option<String>,
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
        let children: BTreeMap<_, _> = self.children.iter().collect();
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
    #[serde(default)]
    pub name_prefix: Option<String>,
    pub last_name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub child_ids: Vec<String>,
    /// From the file's language column; new accounts get it (else the school's language).
    #[serde(default)]
    pub language: Option<Language>,
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
    /// Who is linked, for people reading the preview.
    #[serde(default)]
    pub parent_name: String,
    #[serde(default)]
    pub child_name: String,
    #[serde(default)]
    pub group: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParentPlan {
    pub create: Vec<ParentRecord>,
    pub update: Vec<ParentUpdate>,
    pub unchanged: Vec<String>,
    pub links_to_add: Vec<LinkRef>,
    /// Links of the children and groups the file covers that the file does not have: what
    /// applying with `unlink_missing` removes. Links of other children stay out of it.
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
    let mut covered_children: HashSet<String> = HashSet::new();
    let mut covered_groups: HashSet<String> = HashSet::new();

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
        let name_prefix = clean_name(cell(Column::NamePrefix));
        for column in [
            Column::FirstName,
            Column::NamePrefix,
            Column::LastName,
            Column::Address,
        ] {
            plan.problems
                .extend(lost_letter_warning(line, column, cell(column)));
        }
        let language = match cell(Column::Language) {
            "" => None,
            value => {
                let language = language_of(value);
                if language.is_none() {
                    plan.problems.push(Problem::warning(
                        line,
                        "unknown_language",
                        Some("language"),
                        format!("'{value}' is no language the app has (nl, de, en): the school's language is used."),
                    ));
                }
                language
            }
        };
        if let Some(group) = clean_name(cell(Column::Group)) {
            covered_groups.insert(group);
        }
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
            if let Some(child) = child {
                covered_children.insert(child.external_id.clone());
                covered_groups.extend(child.group.clone());
            }
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
                    || !same_name_prefix(&record.name_prefix, &name_prefix)
                {
                    plan.problems.push(Problem::warning(
                        line,
                        "email_with_two_names",
                        Some("email"),
                        format!(
                            "{email} also belongs to {} (line {}); that name is used.",
                            record.full_name(),
                            record.line
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
                    name_prefix,
                    last_name,
                    address: non_empty(cell(Column::Address)),
                    phone: non_empty(phone),
                    child_ids: vec![child.external_id.clone()],
                    language,
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
                    parent_name: record.full_name(),
                    child_name: child.name.clone(),
                    group: child.group.clone(),
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

    plan.links_missing =
        links_missing_from_file(snapshot, &file_pairs, &covered_children, &covered_groups);
    plan.problems.sort_by_key(|problem| problem.line);
    plan
}

impl ParentRecord {
    pub fn full_name(&self) -> String {
        full_name(
            &self.first_name,
            self.name_prefix.as_deref(),
            &self.last_name,
        )
    }
}

fn same_name_prefix(a: &Option<String>, b: &Option<String>) -> bool {
    same_text(a.as_deref().unwrap_or(""), b.as_deref().unwrap_or(""))
}

/// The app language a language cell names: a code or the language's name in Dutch, German
/// or English ("nl", "Nederlands", "Niederländisch", "Dutch", ...).
pub fn language_of(value: &str) -> Option<Language> {
    let value = value.trim().to_lowercase();
    let language = match value.as_str() {
        "nl" | "nld" | "dut" | "nederlands" | "dutch" | "niederländisch" | "niederlaendisch"
        | "hollands" | "vlaams" => Language::Nl,
        "de" | "deu" | "ger" | "deutsch" | "german" | "duits" => Language::De,
        "en" | "eng" | "english" | "engels" | "englisch" => Language::En,
        _ => return None,
    };
    Some(language)
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
        "name_prefix",
        account.name_prefix.as_deref(),
        record.name_prefix.as_deref(),
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

/// Two addresses for one person are worth a warning only when name and home address agree:
/// common names alone say nothing.
fn warn_about_people_with_two_emails(records: &[ParentRecord], problems: &mut Vec<Problem>) {
    let mut first_seen: HashMap<(String, String), &ParentRecord> = HashMap::new();
    for record in records {
        let Some(address) = &record.address else {
            continue;
        };
        let person = (
            record.full_name().to_lowercase(),
            comparable_address(address),
        );
        match first_seen.get(&person) {
            Some(earlier) => problems.push(Problem::warning(
                record.line,
                "same_person_two_emails",
                Some("email"),
                format!(
                    "{} at the same address has the address {} here and {} on line {}: two accounts will be made.",
                    record.full_name(),
                    record.email,
                    earlier.email,
                    earlier.line
                ),
            )),
            None => {
                first_seen.insert(person, record);
            }
        }
    }
}

/// An address with case, spaces and punctuation ignored ("Musterstr. 47" = "musterstr 47").
fn comparable_address(address: &str) -> String {
    address
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// Links in the database that the file does not have, among the links the file could have
/// held: those of children in the file and of children in the groups the file covers.
fn links_missing_from_file(
    snapshot: &Snapshot,
    file_pairs: &HashSet<(String, String)>,
    covered_children: &HashSet<String>,
    covered_groups: &HashSet<String>,
) -> Vec<LinkRef> {
    let accounts: HashMap<i32, &KnownAccount> = snapshot
        .accounts
        .values()
        .map(|account| (account.id, account))
        .collect();
    let children: HashMap<i32, &KnownChild> = snapshot
        .children
        .values()
        .map(|child| (child.id, child))
        .collect();
    let mut missing: Vec<LinkRef> = snapshot
        .links
        .iter()
        .filter_map(|&(parent_id, child_id)| {
            let account = *accounts.get(&parent_id)?;
            let child = *children.get(&child_id)?;
            let covered = covered_children.contains(&child.external_id)
                || child
                    .group
                    .as_ref()
                    .is_some_and(|group| covered_groups.contains(group));
            let in_file = file_pairs.contains(&(account.email.clone(), child.external_id.clone()));
            (covered && !in_file).then(|| LinkRef {
                email: account.email.clone(),
                parent_id: Some(parent_id),
                child_id,
                child_external_id: child.external_id.clone(),
                parent_name: full_name(
                    &account.first_name,
                    account.name_prefix.as_deref(),
                    &account.last_name,
                ),
                child_name: child.name.clone(),
                group: child.group.clone(),
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
        for (id, external_id, last_name, group) in [
            (1, "9896508", "Mustermann", "3a"),
            (2, "9789508", "Mustermann", "5b"),
            (3, "1003", "Bakker", "5b"),
            (4, "2001", "Yılmaz", "7c"),
        ] {
            snapshot.children.insert(
                external_id.into(),
                KnownChild {
                    id,
                    external_id: external_id.into(),
                    name: format!("Kind {last_name}"),
                    last_name: last_name.into(),
                    group: Some(group.into()),
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
                name_prefix: None,
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
            Anna,Bakker,anna.work@example.nl,9789508,\n\
            Ay?e,Bakker,ayse@example.nl,9789508,\n";
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
                (8, "lost_letter", Severity::Warning),
            ]
        );
        assert!(plan.has_errors());
        assert_eq!(plan.create.len(), 3);
    }

    #[test]
    fn the_same_name_with_two_emails_is_worth_a_warning_only_at_the_same_address() {
        let text = "Voornaam;Achternaam;Adres;E-mail;Leerling-ID\n\
            Jan;Jansen;Dorpsstraat 1;jan@a.nl;1003\n\
            Jan;Jansen;Kerkweg 9;jan@b.nl;9896508\n\
            Jan;Jansen;dorpsstraat  1;jan@c.nl;9789508\n\
            Jan;Jansen;;jan@d.nl;2001\n";
        let plan = plan_of(text, &snapshot());
        let warnings: Vec<_> = plan
            .problems
            .iter()
            .map(|p| (p.line, p.code.as_str()))
            .collect();
        assert_eq!(warnings, [(4, "same_person_two_emails")]);
    }

    #[test]
    fn the_name_prefix_and_language_columns_are_read() {
        let text = "Voornaam;Tussenvoegsel;Achternaam;E-mail;Leerling-ID;Taal\n\
            Anke;van der;Berg;anke@example.nl;1003;Duits\n\
            Piet;;Smit;piet@example.nl;9896508;Klingon\n";
        let plan = plan_of(text, &snapshot());
        let anke = &plan.create[0];
        assert_eq!(anke.name_prefix.as_deref(), Some("van der"));
        assert_eq!(anke.last_name, "Berg");
        assert_eq!(anke.full_name(), "Anke van der Berg");
        assert_eq!(anke.language, Some(Language::De));
        assert_eq!(plan.create[1].name_prefix, None);
        assert_eq!(plan.create[1].language, None);
        assert_eq!(plan.problems[0].code, "unknown_language");
        assert_eq!(plan.problems[0].line, 3);
        assert_eq!(language_of("Nederlands"), Some(Language::Nl));
        assert_eq!(language_of(" EN "), Some(Language::En));
    }

    #[test]
    fn only_links_of_the_children_and_groups_in_the_file_are_missing() {
        let mut snapshot = snapshot();
        for (id, email) in [(7, "a@x.nl"), (8, "b@x.nl"), (9, "c@x.nl")] {
            snapshot.accounts.insert(
                email.into(),
                KnownAccount {
                    id,
                    email: email.into(),
                    first_name: "P".into(),
                    name_prefix: None,
                    last_name: email.into(),
                    address: None,
                    phone: None,
                    is_parent: true,
                },
            );
        }
        // a: 9789508 (5b, in the file with another parent); b: 1003 (5b, not in the file);
        // c: 9896508 (3a) and 2001 (7c): other classes.
        snapshot.links.extend([(7, 2), (8, 3), (9, 1), (9, 4)]);
        let text = "First name,Last name,E-mail,Child ID\nNew,Parent,new@x.nl,9789508\n";
        let plan = plan_of(text, &snapshot);
        let missing: Vec<_> = plan
            .links_missing
            .iter()
            .map(|l| {
                (
                    l.email.as_str(),
                    l.child_external_id.as_str(),
                    l.group.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            missing,
            [
                ("a@x.nl", "9789508", Some("5b")),
                ("b@x.nl", "1003", Some("5b"))
            ]
        );
        assert_eq!(plan.links_missing[0].child_name, "Kind Mustermann");
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
