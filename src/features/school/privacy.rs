//! The one rule for what a viewer sees of a parent or a child (issue 18's groups directory,
//! and every answer that shows a person): the viewer's relation to the person, the audience
//! the family chose for the field, and the school's defaults and locks. Privacy by default:
//! a field nobody chose an audience for, and the school gave no default, is shown to nobody
//! but the family (and the school's administration, which keeps the data).

use std::collections::HashMap;

/// Who may see a field, from narrowest to widest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Visibility {
    Nobody,
    /// Teachers and the school office.
    Staff,
    /// Also the parents of children in the same group.
    GroupParents,
    /// Also every parent of the school.
    SchoolParents,
}

impl Visibility {
    pub const ALL: [Self; 4] = [
        Self::Nobody,
        Self::Staff,
        Self::GroupParents,
        Self::SchoolParents,
    ];
}

/// A field of a parent or a child that a family decides on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    ParentPhone,
    ParentEmail,
    ParentAddress,
    ParentPhoto,
    ChildPhoto,
    ChildBirthday,
    /// The child's name in the groups directory.
    ChildName,
}

impl Field {
    pub const ALL: [Self; 7] = [
        Self::ParentPhone,
        Self::ParentEmail,
        Self::ParentAddress,
        Self::ParentPhoto,
        Self::ChildPhoto,
        Self::ChildBirthday,
        Self::ChildName,
    ];

    pub fn is_child_field(self) -> bool {
        matches!(
            self,
            Self::ChildPhoto | Self::ChildBirthday | Self::ChildName
        )
    }
}

/// How the viewer relates to the parent or child shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Relation {
    /// The parent themselves, or a parent of the child shown.
    Family,
    /// Another parent of the same child (a separated parent, say), looking at a parent.
    ParentOfSameChild,
    /// A parent with a child in one of the same groups.
    ParentInSameGroup,
    /// Any other parent of the school.
    ParentOfSchool,
    /// A teacher of the child's (or of one of the parent's children's) group.
    TeacherOfGroup,
    /// Other staff: teachers of other groups.
    OtherStaff,
    /// The school office, which keeps the data.
    Admin,
}

impl Relation {
    pub const ALL: [Self; 7] = [
        Self::Family,
        Self::ParentOfSameChild,
        Self::ParentInSameGroup,
        Self::ParentOfSchool,
        Self::TeacherOfGroup,
        Self::OtherStaff,
        Self::Admin,
    ];

    /// The narrowest audience that includes this viewer; `None` for those who see the field
    /// whatever the audience (the family, the office).
    fn needs(self) -> Option<Visibility> {
        match self {
            Self::Family | Self::Admin => None,
            Self::TeacherOfGroup | Self::OtherStaff => Some(Visibility::Staff),
            // Co-parents share a group: what that group's parents see, they see.
            Self::ParentOfSameChild | Self::ParentInSameGroup => Some(Visibility::GroupParents),
            Self::ParentOfSchool => Some(Visibility::SchoolParents),
        }
    }

    fn is_parent(self) -> bool {
        matches!(
            self,
            Self::ParentOfSameChild | Self::ParentInSameGroup | Self::ParentOfSchool
        )
    }
}

/// What the school decided: defaults for fields a family has not chosen for, locked fields
/// (the school's choice holds whatever the family chose, e.g. staff always see phone
/// numbers), and whether parents see each other at all (the directory).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SchoolPolicy {
    pub defaults: HashMap<Field, Visibility>,
    pub locks: HashMap<Field, Visibility>,
    pub directory_off: bool,
}

impl SchoolPolicy {
    /// The audience that holds for a field: the school's lock, else the family's choice,
    /// else the school's default, else nobody.
    pub fn audience(&self, field: Field, chosen: Option<Visibility>) -> Visibility {
        let wanted = self
            .locks
            .get(&field)
            .copied()
            .or(chosen)
            .or_else(|| self.defaults.get(&field).copied())
            .unwrap_or(Visibility::Nobody);
        // With the directory off, no parent sees another's data.
        if self.directory_off {
            wanted.min(Visibility::Staff)
        } else {
            wanted
        }
    }

    /// Whether `viewer` sees `field` of a person or child whose family chose `chosen`.
    pub fn may_see(&self, viewer: Relation, field: Field, chosen: Option<Visibility>) -> bool {
        let Some(needed) = viewer.needs() else {
            return true;
        };
        if self.directory_off && viewer.is_parent() {
            return false;
        }
        self.audience(field, chosen) >= needed
    }

    /// Whether a family may change its choice for `field` (not when the school locked it).
    pub fn may_choose(&self, field: Field) -> bool {
        !self.locks.contains_key(&field)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Who is in each audience, written out per audience (not derived from the order of
    /// the enums, which the rule uses).
    fn in_audience(audience: Visibility, viewer: Relation) -> bool {
        use Relation::*;
        let staff = [TeacherOfGroup, OtherStaff];
        let group_parents = [ParentOfSameChild, ParentInSameGroup];
        match audience {
            Visibility::Nobody => false,
            Visibility::Staff => staff.contains(&viewer),
            Visibility::GroupParents => staff.contains(&viewer) || group_parents.contains(&viewer),
            Visibility::SchoolParents => viewer != Family && viewer != Admin,
        }
    }

    #[test]
    fn every_field_audience_and_viewer_without_locks() {
        let policy = SchoolPolicy::default();
        let mut checked = 0;
        for field in Field::ALL {
            for viewer in Relation::ALL {
                // Privacy by default: nothing chosen, no default: the family and the office.
                let nothing_chosen = policy.may_see(viewer, field, None);
                assert_eq!(
                    nothing_chosen,
                    matches!(viewer, Relation::Family | Relation::Admin),
                    "{field:?} as {viewer:?}, nothing chosen"
                );
                for chosen in Visibility::ALL {
                    let expected = matches!(viewer, Relation::Family | Relation::Admin)
                        || in_audience(chosen, viewer);
                    assert_eq!(
                        policy.may_see(viewer, field, Some(chosen)),
                        expected,
                        "{field:?} shared with {chosen:?}, seen by {viewer:?}"
                    );
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 7 * 7 * 4);
    }

    #[test]
    fn a_lock_holds_whatever_the_family_chose_and_a_default_only_until_it_chooses() {
        let mut policy = SchoolPolicy::default();
        policy.locks.insert(Field::ParentPhone, Visibility::Staff);
        policy
            .defaults
            .insert(Field::ChildName, Visibility::GroupParents);
        for chosen in [None].into_iter().chain(Visibility::ALL.map(Some)) {
            for viewer in Relation::ALL {
                let expected = matches!(viewer, Relation::Family | Relation::Admin)
                    || in_audience(Visibility::Staff, viewer);
                assert_eq!(
                    policy.may_see(viewer, Field::ParentPhone, chosen),
                    expected,
                    "locked phone, chosen {chosen:?}, seen by {viewer:?}"
                );
            }
        }
        assert!(!policy.may_choose(Field::ParentPhone));
        assert!(policy.may_choose(Field::ChildName));
        assert!(policy.may_see(Relation::ParentInSameGroup, Field::ChildName, None));
        assert!(!policy.may_see(Relation::ParentOfSchool, Field::ChildName, None));
        assert!(!policy.may_see(
            Relation::ParentInSameGroup,
            Field::ChildName,
            Some(Visibility::Staff)
        ));
    }

    #[test]
    fn with_the_directory_off_no_parent_sees_another_but_staff_still_do() {
        let policy = SchoolPolicy {
            directory_off: true,
            ..SchoolPolicy::default()
        };
        for field in Field::ALL {
            for viewer in Relation::ALL {
                let expected = !matches!(
                    viewer,
                    Relation::ParentOfSameChild
                        | Relation::ParentInSameGroup
                        | Relation::ParentOfSchool
                );
                assert_eq!(
                    policy.may_see(viewer, field, Some(Visibility::SchoolParents)),
                    expected,
                    "{field:?} as {viewer:?}, directory off"
                );
            }
        }
    }
}
