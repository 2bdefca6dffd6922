//! A shared school for tests that need a few people in a few groups.

use crate::helpers::{Backend, Session, TestApp, spawn_app};

/// Group 3a (teacher Jan, parents Anna and Bob) and group 5b (parent Carl).
pub struct School {
    pub app: TestApp,
    pub admin: Session,
    pub teacher: Session,
    pub anna: Session,
    pub bob: Session,
    pub carl: Session,
    pub class_3a: i64,
}

pub async fn school(backend: Backend) -> School {
    populate(spawn_app(backend).await).await
}

/// The same school in an app started with other settings.
pub async fn populate(app: TestApp) -> School {
    let admin = app.admin().await;
    let teacher = app.active_user(&admin, "teacher", "jan@school.test").await;
    let anna = app.active_user(&admin, "parent", "anna@example.nl").await;
    let bob = app.active_user(&admin, "parent", "bob@example.nl").await;
    let carl = app.active_user(&admin, "parent", "carl@example.nl").await;
    let class_3a = app.create_group(&admin, "Groep 3a").await;
    let class_5b = app.create_group(&admin, "Groep 5b").await;
    app.add_teacher(&admin, class_3a, &teacher).await;
    for (external_id, group, parent) in [
        ("1", class_3a, &anna),
        ("2", class_3a, &bob),
        ("3", class_5b, &carl),
    ] {
        let child = app.create_child(&admin, external_id, group).await;
        app.link_parent(&admin, child, parent.user_id, false).await;
    }
    School {
        app,
        admin,
        teacher,
        anna,
        bob,
        carl,
        class_3a,
    }
}
