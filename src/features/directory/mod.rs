//! The groups directory: every group with its teachers, and a group's page with its children
//! and their parents, showing of each exactly what the family shares with the viewer
//! (`school::privacy` decides). Families set their choices here too, and see what others
//! see of them.

pub mod photos;
pub mod store;

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use crate::app::{actor::Actor, error::AppError};
use crate::entities::{
    children,
    user_contacts::{ContactKind, ContactLabel},
    users::{self, AccountState, Role},
};
use crate::features::accounts;
use crate::features::school::{
    self,
    privacy::{Field, Relation, SchoolPolicy, Visibility},
};
use crate::platform::{db::AuditedWrite, services::Services};
use photos::PhotoOf;
pub use store::Subject;
use store::{Choices, Contact};

/// A phone number or e-mail address with what it is for; the login address has no label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Labelled {
    pub label: Option<ContactLabel>,
    pub value: String,
}

/// A parent as one viewer sees them: `None` where the family does not share with them.
#[derive(Clone, Debug)]
pub struct ParentCard {
    pub id: i32,
    pub full_name: String,
    pub relation: Relation,
    pub phones: Option<Vec<Labelled>>,
    pub emails: Option<Vec<Labelled>>,
    pub address: Option<String>,
    pub address_shown: bool,
    pub photo_url: Option<String>,
}

/// A child as one viewer sees them; listed only where its name is shared with the viewer.
#[derive(Clone, Debug)]
pub struct ChildCard {
    pub id: i32,
    pub full_name: String,
    pub relation: Relation,
    pub birthday: Option<NaiveDate>,
    pub photo_url: Option<String>,
    pub parents: Vec<ParentCard>,
}

/// A teacher of a group: staff are shown to everyone logged in, with their photo.
#[derive(Clone, Debug)]
pub struct StaffCard {
    pub id: i32,
    pub full_name: String,
    pub photo_url: Option<String>,
}

pub struct GroupSummary {
    pub id: i32,
    pub name: String,
    pub teachers: Vec<StaffCard>,
    pub children: u64,
    /// One of the viewer's children is in it, or the viewer teaches it.
    pub own: bool,
}

pub struct GroupPage {
    pub summary: GroupSummary,
    pub directory_on: bool,
    pub children: Vec<ChildCard>,
    /// Children of the group whose families do not list them for this viewer.
    pub unlisted: u64,
}

/// The school's privacy rules from its settings.
pub fn policy(services: &Services) -> SchoolPolicy {
    SchoolPolicy::from(&services.settings.privacy)
}

/// Every group with its teachers and its number of children; the viewer's own marked.
pub async fn list_groups(
    services: &Services,
    actor: &Actor,
) -> Result<Vec<GroupSummary>, AppError> {
    let db = &services.db;
    let viewer = store::viewer(db, actor.id, actor.role).await?;
    let groups = school::groups(services).await?;
    let teachers = school::teachers_by_group(services).await?;
    let counts = store::children_per_group(db).await?;
    let staff = staff_cards(services, teachers.values().flatten().copied().collect()).await?;
    Ok(groups
        .into_iter()
        .map(|group| GroupSummary {
            own: viewer.groups.contains(&group.id),
            children: counts.get(&group.id).copied().unwrap_or_default(),
            teachers: teachers
                .get(&group.id)
                .into_iter()
                .flatten()
                .filter_map(|id| staff.get(id).cloned())
                .collect(),
            id: group.id,
            name: group.name,
        })
        .collect())
}

/// A group's page: its teachers, and its children with their parents as far as each family
/// shares them with the viewer.
pub async fn group_page(
    services: &Services,
    actor: &Actor,
    group_id: i32,
) -> Result<GroupPage, AppError> {
    let db = &services.db;
    let group = school::find_group_by_id(services, group_id)
        .await?
        .ok_or_else(|| AppError::not_found("group"))?;
    let viewer = store::viewer(db, actor.id, actor.role).await?;
    let policy = policy(services);
    let teacher_ids = school::teachers_by_group(services)
        .await?
        .remove(&group.id)
        .unwrap_or_default();
    let staff = staff_cards(services, teacher_ids.clone()).await?;
    let group_children = store::children_of_group(db, group.id).await?;
    let links = school::parent_links(
        services,
        group_children.iter().map(|child| child.id).collect(),
    )
    .await?;
    let parent_ids: Vec<i32> = links
        .iter()
        .map(|link| link.parent_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let family = Family::load(services, parent_ids, &group_children).await?;
    let mut listed = Vec::new();
    for child in &group_children {
        let relation = viewer.relation_to_child(child.id, child.group_id);
        if !policy.may_see(
            relation,
            Field::ChildName,
            family.choices.of_child(child.id, Field::ChildName),
        ) {
            continue;
        }
        let parents = links
            .iter()
            .filter(|link| link.child_id == child.id)
            .filter_map(|link| family.parents.get(&link.parent_id))
            .map(|parent| {
                let relation = viewer.relation_to_parent(parent.id, family.groups_of(parent.id));
                family.parent_card(&policy, relation, parent)
            })
            .collect();
        listed.push(family.child_card(&policy, relation, child, parents));
    }
    let unlisted = (group_children.len() - listed.len()) as u64;
    Ok(GroupPage {
        summary: GroupSummary {
            own: viewer.groups.contains(&group.id),
            children: group_children.len() as u64,
            teachers: teacher_ids
                .iter()
                .filter_map(|id| staff.get(id).cloned())
                .collect(),
            id: group.id,
            name: group.name,
        },
        directory_on: !policy.directory_off,
        children: listed,
        unlisted,
    })
}

/// What a viewer of `relation` sees of the caller and their children: the privacy screen's
/// preview ("this is what other parents see").
pub async fn preview(
    services: &Services,
    actor: &Actor,
    relation: Relation,
) -> Result<(ParentCard, Vec<ChildCard>), AppError> {
    let db = &services.db;
    let policy = policy(services);
    let own_children = store::children_of_parent(db, actor.id).await?;
    let family = Family::load(services, vec![actor.id], &own_children).await?;
    let me = family
        .parents
        .get(&actor.id)
        .ok_or(AppError::Unauthenticated)?;
    let card = family.parent_card(&policy, relation, me);
    let children = own_children
        .iter()
        .filter(|child| {
            policy.may_see(
                relation,
                Field::ChildName,
                family.choices.of_child(child.id, Field::ChildName),
            )
        })
        .map(|child| family.child_card(&policy, relation, child, vec![card.clone()]))
        .collect();
    Ok((card, children))
}

/// One field's setting as a family sees it on its privacy screen.
#[derive(Clone, Debug)]
pub struct FieldSetting {
    pub field: Field,
    /// What the family chose; `None`: the school's default holds.
    pub chosen: Option<Visibility>,
    /// What holds now (the school's lock, the choice, or the default).
    pub audience: Visibility,
    /// The school decided; the family cannot change it.
    pub locked: bool,
}

/// Fields a parent decides on for themselves, and for a child.
pub const PARENT_FIELDS: [Field; 4] = [
    Field::ParentPhone,
    Field::ParentEmail,
    Field::ParentAddress,
    Field::ParentPhoto,
];
pub const CHILD_FIELDS: [Field; 3] = [Field::ChildName, Field::ChildPhoto, Field::ChildBirthday];

/// The privacy settings of the caller's own fields, or of a child they may see.
pub async fn settings(
    services: &Services,
    actor: &Actor,
    subject: Subject,
) -> Result<Vec<FieldSetting>, AppError> {
    let subject = allowed_subject(services, actor, subject, false).await?;
    field_settings(services, subject).await
}

async fn field_settings(
    services: &Services,
    subject: Subject,
) -> Result<Vec<FieldSetting>, AppError> {
    let (users, children, fields) = match subject {
        Subject::User(id) => (vec![id], vec![], &PARENT_FIELDS[..]),
        Subject::Child(id) => (vec![], vec![id], &CHILD_FIELDS[..]),
    };
    let choices = store::choices(&services.db, users, children).await?;
    let policy = policy(services);
    Ok(fields
        .iter()
        .map(|&field| {
            let chosen = match subject {
                Subject::User(id) => choices.of_user(id, field),
                Subject::Child(id) => choices.of_child(id, field),
            };
            FieldSetting {
                field,
                chosen,
                audience: policy.audience(field, chosen),
                locked: !policy.may_choose(field),
            }
        })
        .collect())
}

/// Sets a family's choices (`None`: back to the school's default). Fields of the wrong kind
/// are refused with `wrong_field`, locked ones with `field_locked`; nothing changes then.
pub async fn choose(
    services: &Services,
    actor: &Actor,
    subject: Subject,
    choices: Vec<(Field, Option<Visibility>)>,
) -> Result<Vec<FieldSetting>, AppError> {
    let subject = allowed_subject(services, actor, subject, true).await?;
    let policy = policy(services);
    let (fields, target) = match subject {
        Subject::User(id) => (&PARENT_FIELDS[..], format!("user:{id}")),
        Subject::Child(id) => (&CHILD_FIELDS[..], format!("child:{id}")),
    };
    for (index, (field, _)) in choices.iter().enumerate() {
        if !fields.contains(field) {
            return Err(AppError::invalid_at(
                format!("choices[{index}].field"),
                "wrong_field",
                "This field belongs to a parent, not a child, or the other way round.",
            ));
        }
        if !policy.may_choose(*field) {
            return Err(AppError::forbidden_with(
                "field_locked",
                "The school decides who sees this field.",
            ));
        }
    }
    let write = AuditedWrite::begin(services, actor.id, "privacy.update").await?;
    for (field, audience) in &choices {
        store::set_choice(write.txn(), subject, *field, *audience, write.now()).await?;
    }
    let details = serde_json::json!({
        "fields": choices.iter().map(|(field, audience)| (field, audience)).collect::<Vec<_>>(),
    });
    write.commit(target, details).await?;
    field_settings(services, subject).await
}

/// Whether `viewer` may see the photo of user `user_id`: staff photos everyone logged in,
/// parents' as their family shares them. Returns the photo's key.
pub async fn visible_user_photo(
    services: &Services,
    actor: &Actor,
    user_id: i32,
) -> Result<String, AppError> {
    let db = &services.db;
    let user = active_users(db, vec![user_id])
        .await?
        .remove(&user_id)
        .ok_or_else(|| AppError::not_found("photo"))?;
    let key = user
        .photo_key
        .clone()
        .ok_or_else(|| AppError::not_found("photo"))?;
    if user.role != Role::Parent {
        return Ok(key);
    }
    let viewer = store::viewer(db, actor.id, actor.role).await?;
    let groups = store::children_of_parents(db, vec![user_id])
        .await?
        .into_iter()
        .filter_map(|(_, _, group)| group);
    let relation = viewer.relation_to_parent(user_id, groups);
    let choices = store::choices(db, vec![user_id], vec![]).await?;
    if policy(services).may_see(
        relation,
        Field::ParentPhoto,
        choices.of_user(user_id, Field::ParentPhoto),
    ) {
        Ok(key)
    } else {
        Err(AppError::not_found("photo"))
    }
}

/// Whether the viewer may see a child's photo; returns its key.
pub async fn visible_child_photo(
    services: &Services,
    actor: &Actor,
    child_id: i32,
) -> Result<String, AppError> {
    let db = &services.db;
    let child = school::find_child_by_id(services, child_id)
        .await?
        .ok_or_else(|| AppError::not_found("photo"))?;
    let key = child
        .photo_key
        .clone()
        .ok_or_else(|| AppError::not_found("photo"))?;
    let viewer = store::viewer(db, actor.id, actor.role).await?;
    let relation = viewer.relation_to_child(child.id, child.group_id);
    let choices = store::choices(db, vec![], vec![child.id]).await?;
    if policy(services).may_see(
        relation,
        Field::ChildPhoto,
        choices.of_child(child.id, Field::ChildPhoto),
    ) {
        Ok(key)
    } else {
        Err(AppError::not_found("photo"))
    }
}

/// How a viewer relates to a parent, for answers outside the directory (a post's status
/// page shows teachers a parent's phone number only where the family shares it with staff).
pub async fn may_see_parent_field(
    services: &Services,
    actor: &Actor,
    parent_ids: Vec<i32>,
    field: Field,
) -> Result<HashSet<i32>, AppError> {
    let db = &services.db;
    let viewer = store::viewer(db, actor.id, actor.role).await?;
    let groups = store::children_of_parents(db, parent_ids.clone()).await?;
    let choices = store::choices(db, parent_ids.clone(), vec![]).await?;
    let policy = policy(services);
    Ok(parent_ids
        .into_iter()
        .filter(|&parent| {
            let parent_groups = groups
                .iter()
                .filter(|(p, _, _)| *p == parent)
                .filter_map(|(_, _, group)| *group);
            let relation = viewer.relation_to_parent(parent, parent_groups);
            policy.may_see(relation, field, choices.of_user(parent, field))
        })
        .collect())
}

/// The caller's own account, or a child they may see (and, to change it, may change).
async fn allowed_subject(
    services: &Services,
    actor: &Actor,
    subject: Subject,
    to_change: bool,
) -> Result<Subject, AppError> {
    match subject {
        Subject::User(id) if id == actor.id => Ok(subject),
        Subject::User(_) => Err(AppError::forbidden()),
        Subject::Child(id) if to_change => {
            school::writable_child(services, actor, id).await?;
            Ok(subject)
        }
        Subject::Child(id) => {
            school::get_child(services, actor, id).await?;
            Ok(subject)
        }
    }
}

/// Accounts that are not disabled, by id.
async fn active_users(
    conn: &impl sea_orm::ConnectionTrait,
    ids: Vec<i32>,
) -> Result<HashMap<i32, users::Model>, AppError> {
    let mut found = accounts::find_users(conn, ids).await?;
    found.retain(|_, user| user.state != AccountState::Disabled);
    Ok(found)
}

/// Staff cards by id.
async fn staff_cards(
    services: &Services,
    ids: Vec<i32>,
) -> Result<HashMap<i32, StaffCard>, AppError> {
    Ok(active_users(&services.db, ids)
        .await?
        .into_values()
        .map(|user| {
            (
                user.id,
                StaffCard {
                    id: user.id,
                    full_name: user.full_name(),
                    photo_url: user_photo_url(&user),
                },
            )
        })
        .collect())
}

/// Where a photo is; the key's start makes a changed photo a new address.
pub fn photo_url(of: PhotoOf, key: &str) -> String {
    let version = &key[..8.min(key.len())];
    match of {
        PhotoOf::User(id) => format!("/api/people/{id}/photo?v={version}"),
        PhotoOf::Child(id) => format!("/api/children/{id}/photo?v={version}"),
    }
}

pub fn user_photo_url(user: &users::Model) -> Option<String> {
    Some(photo_url(
        PhotoOf::User(user.id),
        user.photo_key.as_deref()?,
    ))
}

pub fn child_photo_url(child: &children::Model) -> Option<String> {
    Some(photo_url(
        PhotoOf::Child(child.id),
        child.photo_key.as_deref()?,
    ))
}

/// Parents, their contacts, their children's groups and the families' choices, loaded once
/// for a page.
struct Family {
    parents: HashMap<i32, users::Model>,
    contacts: HashMap<i32, Vec<Contact>>,
    parent_groups: HashMap<i32, Vec<i32>>,
    choices: Choices,
}

impl Family {
    async fn load(
        services: &Services,
        parent_ids: Vec<i32>,
        children: &[children::Model],
    ) -> Result<Self, AppError> {
        let db = &services.db;
        let parents = active_users(db, parent_ids.clone()).await?;
        let contacts = store::contacts_of(db, parent_ids.clone()).await?;
        let mut parent_groups: HashMap<i32, Vec<i32>> = HashMap::new();
        for (parent, _, group) in store::children_of_parents(db, parent_ids.clone()).await? {
            if let Some(group) = group {
                parent_groups.entry(parent).or_default().push(group);
            }
        }
        let choices = store::choices(
            db,
            parent_ids,
            children.iter().map(|child| child.id).collect(),
        )
        .await?;
        Ok(Self {
            parents,
            contacts,
            parent_groups,
            choices,
        })
    }

    fn groups_of(&self, parent_id: i32) -> Vec<i32> {
        self.parent_groups
            .get(&parent_id)
            .cloned()
            .unwrap_or_default()
    }

    fn parent_card(
        &self,
        policy: &SchoolPolicy,
        relation: Relation,
        parent: &users::Model,
    ) -> ParentCard {
        let sees = |field| policy.may_see(relation, field, self.choices.of_user(parent.id, field));
        let extra = |kind| {
            self.contacts
                .get(&parent.id)
                .into_iter()
                .flatten()
                .filter(move |contact| contact.kind == kind)
                .map(|contact| Labelled {
                    label: Some(contact.label),
                    value: contact.value.clone(),
                })
        };
        let phones = sees(Field::ParentPhone).then(|| {
            parent
                .phone
                .iter()
                .map(|phone| Labelled {
                    label: Some(parent.phone_label),
                    value: phone.clone(),
                })
                .chain(extra(ContactKind::Phone))
                .collect()
        });
        let emails = sees(Field::ParentEmail).then(|| {
            std::iter::once(Labelled {
                label: None,
                value: parent.email.clone(),
            })
            .chain(extra(ContactKind::Email))
            .collect()
        });
        let address_shown = sees(Field::ParentAddress);
        ParentCard {
            id: parent.id,
            full_name: parent.full_name(),
            relation,
            phones,
            emails,
            address: parent.address.clone().filter(|_| address_shown),
            address_shown,
            photo_url: user_photo_url(parent).filter(|_| sees(Field::ParentPhoto)),
        }
    }

    fn child_card(
        &self,
        policy: &SchoolPolicy,
        relation: Relation,
        child: &children::Model,
        parents: Vec<ParentCard>,
    ) -> ChildCard {
        let sees = |field| policy.may_see(relation, field, self.choices.of_child(child.id, field));
        ChildCard {
            id: child.id,
            full_name: child.full_name(),
            relation,
            birthday: child.birthday.filter(|_| sees(Field::ChildBirthday)),
            photo_url: child_photo_url(child).filter(|_| sees(Field::ChildPhoto)),
            parents,
        }
    }
}
