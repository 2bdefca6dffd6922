//! Who is acting: the logged-in user as the use cases see it (the HTTP layer derives it from
//! the session; the command line acts as nobody).

use crate::{app::error::AppError, entities::users::Role};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Actor {
    pub id: i32,
    pub role: Role,
}

impl Actor {
    pub fn require_admin(&self) -> Result<(), AppError> {
        self.require_role(&[Role::Admin])
    }

    pub fn require_role(&self, allowed: &[Role]) -> Result<(), AppError> {
        if allowed.contains(&self.role) {
            Ok(())
        } else {
            Err(AppError::forbidden_with(
                "forbidden_role",
                "Your role may not do this.",
            ))
        }
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}
