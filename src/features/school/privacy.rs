//! The one rule for what a viewer sees of a parent or a child (issue 18's groups directory,
//! and every answer that shows a person): the viewer's relation to the person, the audience
//! the family chose for the field, and the school's defaults and locks. Privacy by default:
//! a field nobody chose an audience for, and the school gave no default, is shown to nobody
//! but the family (and the school's administration, which keeps the data).

use std::collections::{HashMap, HashSet};

use crate::app::config::PrivacySettings;
use crate::entities::users::Role;

pub use crate::entities::privacy_choices::{Field, Visibility};

impl Visibility {
    pub const ALL: [Self; 4] = [
        Self::Nobody,
        Self::Staff,
        Self::GroupParents,
        Self::SchoolParents,
    ];
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
        // Staff know the school's children by name; the choice is about other parents.
        if field == Field::ChildName && needed == Visibility::Staff {
            return true;
        }
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

impl From<&PrivacySettings> for SchoolPolicy {
    fn from(settings: &PrivacySettings) -> Self {
        Self {
            defaults: settings.defaults.clone(),
            locks: settings.locks.clone(),
            directory_off: !settings.directory,
        }
    }
}

/// The viewer as the rule needs them: who they are and the links that make relations.
#[derive(Clone, Debug, Default)]
pub struct Viewer {
    pub id: i32,
    pub role: Option<Role>,
    /// A parent's own children.
    pub children: HashSet<i32>,
    /// A parent's children's groups; a teacher's groups.
    pub groups: HashSet<i32>,
    /// The other parents of a parent's children.
    pub co_parents: HashSet<i32>,
}

impl Viewer {
    /// How the viewer relates to a parent whose children are in `parent_groups`.
    pub fn relation_to_parent(
        &self,
        parent_id: i32,
        parent_groups: impl IntoIterator<Item = i32>,
    ) -> Relation {
        let shares_group = parent_groups.into_iter().any(|g| self.groups.contains(&g));
        match self.role {
            Some(Role::Admin) => Relation::Admin,
            _ if parent_id == self.id => Relation::Family,
            Some(Role::Teacher) if shares_group => Relation::TeacherOfGroup,
            Some(Role::Teacher) => Relation::OtherStaff,
            _ if self.co_parents.contains(&parent_id) => Relation::ParentOfSameChild,
            _ if shares_group => Relation::ParentInSameGroup,
            _ => Relation::ParentOfSchool,
        }
    }

    /// How the viewer relates to a child in `group_id`.
    pub fn relation_to_child(&self, child_id: i32, group_id: Option<i32>) -> Relation {
        let in_group = group_id.is_some_and(|g| self.groups.contains(&g));
        match self.role {
            Some(Role::Admin) => Relation::Admin,
            Some(Role::Teacher) if in_group => Relation::TeacherOfGroup,
            Some(Role::Teacher) => Relation::OtherStaff,
            _ if self.children.contains(&child_id) => Relation::Family,
            _ if in_group => Relation::ParentInSameGroup,
            _ => Relation::ParentOfSchool,
        }
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

    /// Who sees a field whatever the family chose: the family, the office, and staff for a
    /// child's name.
    fn always_sees(viewer: Relation, field: Field) -> bool {
        matches!(viewer, Relation::Family | Relation::Admin)
            || (field == Field::ChildName
                && matches!(viewer, Relation::TeacherOfGroup | Relation::OtherStaff))
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
                    always_sees(viewer, field),
                    "{field:?} as {viewer:?}, nothing chosen"
                );
                for chosen in Visibility::ALL {
                    let expected = always_sees(viewer, field) || in_audience(chosen, viewer);
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

    #[test]
    fn a_viewer_s_relation_follows_children_groups_and_role() {
        let parent = Viewer {
            id: 1,
            role: Some(Role::Parent),
            children: HashSet::from([10]),
            groups: HashSet::from([100]),
            co_parents: HashSet::from([2]),
        };
        assert_eq!(parent.relation_to_parent(1, [100]), Relation::Family);
        assert_eq!(
            parent.relation_to_parent(2, [100]),
            Relation::ParentOfSameChild
        );
        assert_eq!(
            parent.relation_to_parent(3, [200, 100]),
            Relation::ParentInSameGroup
        );
        assert_eq!(
            parent.relation_to_parent(4, [200]),
            Relation::ParentOfSchool
        );
        assert_eq!(parent.relation_to_child(10, Some(100)), Relation::Family);
        assert_eq!(
            parent.relation_to_child(11, Some(100)),
            Relation::ParentInSameGroup
        );
        assert_eq!(parent.relation_to_child(12, None), Relation::ParentOfSchool);
        let teacher = Viewer {
            id: 5,
            role: Some(Role::Teacher),
            groups: HashSet::from([100]),
            ..Viewer::default()
        };
        assert_eq!(
            teacher.relation_to_parent(3, [100]),
            Relation::TeacherOfGroup
        );
        assert_eq!(teacher.relation_to_parent(4, [200]), Relation::OtherStaff);
        assert_eq!(
            teacher.relation_to_child(11, Some(100)),
            Relation::TeacherOfGroup
        );
        assert_eq!(
            teacher.relation_to_child(12, Some(200)),
            Relation::OtherStaff
        );
        let admin = Viewer {
            id: 6,
            role: Some(Role::Admin),
            ..Viewer::default()
        };
        assert_eq!(admin.relation_to_parent(3, [100]), Relation::Admin);
        assert_eq!(admin.relation_to_child(12, None), Relation::Admin);
    }
}
