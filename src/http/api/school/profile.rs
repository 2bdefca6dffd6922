//! The school's name, time zone and logo, for the app's start (before anyone logs in).

use poem::web::Data;
use poem_openapi::{Object, OpenApi, payload::Json};

use crate::http::error::{ApiError, NoErrors};
use crate::http::{ApiTags, state::HttpState};

pub struct SchoolProfileApi;

#[derive(Debug, Object)]
pub struct SchoolResponse {
    pub name: String,
    /// IANA time zone: dates in the app are shown in it.
    pub time_zone: String,
    /// Where the logo is (`/school-logo`), or null when the school has none.
    #[oai(nullable)]
    pub logo_url: Option<String>,
    /// The time of day ("19:00") the app proposes for conference booking to open.
    pub conference_opening_time: String,
}

#[OpenApi(tag = "ApiTags::Groups")]
impl SchoolProfileApi {
    /// The school
    ///
    /// Its name, time zone and logo. Public: the login screen shows them.
    #[oai(path = "/school", method = "get", operation_id = "get_school")]
    async fn school(
        &self,
        state: Data<&HttpState>,
    ) -> Result<Json<SchoolResponse>, ApiError<NoErrors>> {
        let school = &state.settings.school;
        Ok(Json(SchoolResponse {
            name: school.name.clone(),
            time_zone: school.time_zone.clone(),
            logo_url: school.logo.as_ref().map(|_| "/school-logo".to_string()),
            conference_opening_time: state.settings.conferences.default_opening_time.clone(),
        }))
    }
}
