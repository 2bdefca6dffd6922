//! Planning a children import: child ID, names and group per row. Groups named in the file
//! that do not exist yet are created.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::{
    FieldChange, Problem, Severity,
    table::{Column, Table, lost_letter_warning, missing_cell},
};
use crate::{features::school::MAX_CHILD_ID, platform::text::clean_name};

pub const REQUIRED_COLUMNS: &[Column] = &[
    Column::ChildId,
    Column::FirstName,
    Column::LastName,
    Column::Group,
];

#[derive(Clone, Debug, Serialize)]
pub struct KnownChild {
    pub id: i32,
    pub first_name: String,
    pub name_prefix: Option<String>,
    pub last_name: String,
    pub group: Option<String>,
}

#[derive(Debug, Default)]
pub struct Snapshot {
    /// By child ID.
    pub children: HashMap<String, KnownChild>,
    pub groups: HashSet<String>,
}

impl Snapshot {
    pub fn fingerprint(&self) -> String {
        let children: BTreeMap<_, _> = self.children.iter().collect();
        let mut groups: Vec<_> = self.groups.iter().collect();
        groups.sort();
        let canonical = serde_json::to_string(&(children, groups)).expect("snapshot serializes");
        crate::platform::tokens::digest(&canonical)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildRecord {
    pub line: u64,
    pub external_id: String,
    pub first_name: String,
    #[serde(default)]
    pub name_prefix: Option<String>,
    pub last_name: String,
    pub group: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildUpdate {
    pub line: u64,
    pub child_id: i32,
    pub external_id: String,
    pub changes: Vec<FieldChange>,
    /// The group after the update, when it changes.
    pub group: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildPlan {
    pub groups_to_create: Vec<String>,
    pub create: Vec<ChildRecord>,
    pub update: Vec<ChildUpdate>,
    pub unchanged: Vec<String>,
    pub problems: Vec<Problem>,
}

impl ChildPlan {
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| p.severity == Severity::Error)
    }
}

pub fn plan(table: &Table, snapshot: &Snapshot) -> ChildPlan {
    let mut plan = ChildPlan::default();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut new_groups: Vec<String> = Vec::new();
    for row in &table.rows {
        let line = row.line;
        let external_id = table.cell(row, Column::ChildId);
        let mut ok = true;
        for column in [Column::ChildId, Column::FirstName, Column::LastName] {
            if table.cell(row, column).is_empty() {
                plan.problems.push(missing_cell(line, column));
                ok = false;
            }
        }
        let names = (
            clean_name(table.cell(row, Column::FirstName)),
            clean_name(table.cell(row, Column::LastName)),
        );
        let name_prefix = clean_name(table.cell(row, Column::NamePrefix));
        let group = clean_name(table.cell(row, Column::Group));
        for column in [Column::FirstName, Column::NamePrefix, Column::LastName] {
            plan.problems
                .extend(lost_letter_warning(line, column, table.cell(row, column)));
        }
        if let Some(&earlier) = seen.get(external_id) {
            plan.problems.push(Problem::error(
                line,
                "duplicate_child_id",
                Some("child_id"),
                format!("Child ID '{external_id}' is on line {earlier} too."),
            ));
            ok = false;
        }
        if external_id.chars().count() > MAX_CHILD_ID {
            plan.problems.push(Problem::error(
                line,
                "invalid_child_id",
                Some("child_id"),
                "A child ID has at most 64 characters.",
            ));
            ok = false;
        }
        let (Some(first_name), Some(last_name), true) = (names.0, names.1, ok) else {
            continue;
        };
        seen.insert(external_id.to_string(), line);
        if let Some(group) = &group
            && !snapshot.groups.contains(group)
            && !new_groups.contains(group)
        {
            new_groups.push(group.clone());
        }
        let record = ChildRecord {
            line,
            external_id: external_id.to_string(),
            first_name,
            name_prefix,
            last_name,
            group,
        };
        match snapshot.children.get(external_id) {
            None => plan.create.push(record),
            Some(known) => {
                let mut changes = Vec::new();
                for (field, old, new) in [
                    (
                        "first_name",
                        Some(&known.first_name),
                        Some(&record.first_name),
                    ),
                    (
                        "name_prefix",
                        known.name_prefix.as_ref(),
                        record.name_prefix.as_ref(),
                    ),
                    ("last_name", Some(&known.last_name), Some(&record.last_name)),
                    ("group", known.group.as_ref(), record.group.as_ref()),
                ] {
                    if new.is_some() && old != new {
                        changes.push(FieldChange {
                            field: field.into(),
                            old: old.cloned(),
                            new: new.cloned(),
                        });
                    }
                }
                if changes.is_empty() {
                    plan.unchanged.push(record.external_id);
                } else {
                    plan.update.push(ChildUpdate {
                        line,
                        child_id: known.id,
                        external_id: record.external_id,
                        changes,
                        group: record.group,
                    });
                }
            }
        }
    }
    plan.groups_to_create = new_groups;
    plan.problems.sort_by_key(|problem| problem.line);
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::imports::rules::table::parse;

    #[test]
    fn children_are_created_updated_or_left_and_groups_made() {
        let mut snapshot = Snapshot::default();
        snapshot.groups.insert("Groep 3a".into());
        snapshot.children.insert(
            "1001".into(),
            KnownChild {
                id: 1,
                first_name: "Emma".into(),
                name_prefix: None,
                last_name: "Jansen".into(),
                group: Some("Groep 3a".into()),
            },
        );
        snapshot.children.insert(
            "1002".into(),
            KnownChild {
                id: 2,
                first_name: "Noah".into(),
                name_prefix: None,
                last_name: "Jansen".into(),
                group: Some("Groep 3a".into()),
            },
        );
        let text = "Leerling-ID;Voornaam;Achternaam;Groep\n1001;Emma;Jansen;Groep 3a\n1002;Noah;Jansen;Groep 5b\n1003;Sophie;Bakker;Groep 5b\n1003;Sophie;Bakker;Groep 5b\n;Lukas;Müller;Groep 5b\n";
        let plan = plan(&parse(text, REQUIRED_COLUMNS, 100).unwrap(), &snapshot);
        assert_eq!(plan.unchanged, ["1001"]);
        assert_eq!(plan.update.len(), 1);
        assert_eq!(plan.update[0].changes[0].field, "group");
        assert_eq!(plan.create.len(), 1);
        assert_eq!(plan.groups_to_create, ["Groep 5b"]);
        let problems: Vec<_> = plan
            .problems
            .iter()
            .map(|p| (p.line, p.code.as_str()))
            .collect();
        assert_eq!(problems, [(5, "duplicate_child_id"), (6, "missing_value")]);
    }
}
