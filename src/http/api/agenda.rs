//! The agenda: list and open items, add, change, cancel and delete them (staff), one item as
//! an .ics file, and personal calendar feeds (make, list, revoke; the feed itself needs no
//! login: its URL is the credential).

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Header, Path, Query},
    payload::{Binary, Json},
    types::Example,
};

use crate::http::error::{ApiError, Lookup, ManagedLookup, error_sets};
use crate::{
    features::agenda::{
        self, AgendaQuery, Feed, ItemRequest, ItemView, Occurrence, RepeatRequest, WhenRequest,
    },
    http::{
        ApiTags,
        security::Auth,
        state::HttpState,
        types::{AgendaDescriptionText, AgendaTitleText, Done, PlaceText},
    },
    platform::audience::Audience,
};

pub struct AgendaApi;

/// How an item repeats.
#[derive(Debug, Clone, Object)]
pub struct RepeatDto {
    /// 1: every week; 2: every two weeks.
    pub every_weeks: u8,
    /// The last day it may come round.
    pub until: NaiveDate,
    /// Days in its rhythm on which it does not take place.
    #[oai(default)]
    pub skip: Vec<NaiveDate>,
}

/// An agenda item to add, or an item's new content (replaces all of it).
#[derive(Debug, Object)]
#[oai(example)]
pub struct AgendaItemRequest {
    /// For the whole school (admins only); otherwise for `group_ids`.
    #[oai(default)]
    pub to_school: bool,
    #[oai(default)]
    pub group_ids: Vec<i32>,
    pub title: AgendaTitleText,
    #[oai(default)]
    pub description: AgendaDescriptionText,
    #[oai(default)]
    pub place: PlaceText,
    /// The (first) day, in the school's time zone.
    pub starts_on: NaiveDate,
    /// The last day of an item of several days; default: `starts_on`.
    #[oai(nullable)]
    pub ends_on: Option<NaiveDate>,
    /// Local start time (school's time zone); with `end_time`, or neither for all day.
    #[oai(nullable)]
    pub start_time: Option<NaiveTime>,
    #[oai(nullable)]
    pub end_time: Option<NaiveTime>,
    /// Repeats weekly or every two weeks until a day, with days left out.
    #[oai(nullable)]
    pub repeat: Option<RepeatDto>,
}

impl Example for AgendaItemRequest {
    fn example() -> Self {
        Self {
            to_school: false,
            group_ids: vec![1],
            title: "Parents' evening".into(),
            description: "The teacher tells about the year ahead. Coffee from 18:45.".into(),
            place: "Classroom 3a".into(),
            starts_on: NaiveDate::from_ymd_opt(2026, 10, 21).expect("a day"),
            ends_on: None,
            start_time: NaiveTime::from_hms_opt(19, 0, 0),
            end_time: NaiveTime::from_hms_opt(20, 30, 0),
            repeat: None,
        }
    }
}

impl From<AgendaItemRequest> for ItemRequest {
    fn from(body: AgendaItemRequest) -> Self {
        Self {
            audience: if body.to_school {
                Audience::School
            } else {
                Audience::Groups(body.group_ids)
            },
            title: body.title.into(),
            description: body.description.into(),
            place: body.place.into(),
            when: WhenRequest {
                starts_on: Some(body.starts_on),
                ends_on: body.ends_on,
                start_time: body.start_time,
                end_time: body.end_time,
                repeat: body.repeat.map(|repeat| RepeatRequest {
                    every_weeks: repeat.every_weeks,
                    until: repeat.until,
                    skip: repeat.skip,
                }),
            },
        }
    }
}

/// A child an item concerns.
#[derive(Debug, Clone, Object)]
pub struct ChildMarkResponse {
    pub id: i32,
    pub first_name: String,
}

#[derive(Debug, Clone, Object)]
pub struct AgendaItemResponse {
    pub id: i32,
    pub to_school: bool,
    pub group_ids: Vec<i32>,
    pub title: String,
    pub description: String,
    pub place: String,
    /// The item's (first) days and its times, local in the school's time zone.
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub all_day: bool,
    #[oai(nullable)]
    pub start_time: Option<NaiveTime>,
    #[oai(nullable)]
    pub end_time: Option<NaiveTime>,
    #[oai(nullable)]
    pub repeat: Option<RepeatDto>,
    /// Cancelled items stay in the agenda, marked.
    pub cancelled: bool,
    /// For a parent: which of their children it concerns.
    pub children: Vec<ChildMarkResponse>,
    /// The caller may change, cancel and delete it.
    pub may_manage: bool,
    pub updated_at: DateTime<Utc>,
}

impl From<&ItemView> for AgendaItemResponse {
    fn from(view: &ItemView) -> Self {
        let row = &view.item.row;
        let when = view.item.when();
        Self {
            id: row.id,
            to_school: row.to_school,
            group_ids: view.item.group_ids.clone(),
            title: row.title.clone(),
            description: row.description.clone(),
            place: row.place.clone(),
            starts_on: row.starts_on,
            ends_on: row.ends_on,
            all_day: when.times.is_none(),
            start_time: row.start_time,
            end_time: row.end_time,
            repeat: when.repeat.map(|repeat| RepeatDto {
                every_weeks: repeat.every_weeks,
                until: repeat.until,
                skip: when.skips.iter().copied().collect(),
            }),
            cancelled: row.cancelled_at.is_some(),
            children: view
                .children
                .iter()
                .map(|child| ChildMarkResponse {
                    id: child.id,
                    first_name: child.first_name.clone(),
                })
                .collect(),
            may_manage: view.may_manage,
            updated_at: row.updated_at,
        }
    }
}

/// One time an item takes place.
#[derive(Debug, Object)]
pub struct OccurrenceResponse {
    /// This time's first and last day.
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub item: AgendaItemResponse,
}

impl From<Occurrence> for OccurrenceResponse {
    fn from(occurrence: Occurrence) -> Self {
        Self {
            starts_on: occurrence.starts_on,
            ends_on: occurrence.ends_on,
            item: occurrence.view.as_ref().into(),
        }
    }
}

#[derive(ApiResponse)]
pub enum CreateItemResponse {
    /// Added.
    #[oai(status = 201)]
    Created(Json<AgendaItemResponse>),
}

#[derive(ApiResponse)]
pub enum CalendarFile {
    /// The iCalendar text.
    #[oai(status = 200)]
    Calendar(
        Binary<Vec<u8>>,
        #[oai(header = "Content-Type")] String,
        #[oai(header = "Content-Disposition")] String,
    ),
}

#[derive(ApiResponse)]
pub enum FeedAnswer {
    /// The calendar (`text/calendar`), with its ETag.
    #[oai(status = 200)]
    Calendar(
        Binary<bytes::Bytes>,
        #[oai(header = "Content-Type")] String,
        #[oai(header = "ETag")] String,
        #[oai(header = "Cache-Control")] String,
    ),
    /// Unchanged since the ETag in `If-None-Match`.
    #[oai(status = 304)]
    NotModified(
        #[oai(header = "ETag")] String,
        #[oai(header = "Cache-Control")] String,
    ),
}

/// Calendar apps may keep the feed but must ask again (with its ETag) before using it.
const FEED_CACHING: &str = "private, no-cache";

/// A calendar subscription (its URL is shown only when it is made).
#[derive(Debug, Object)]
pub struct FeedResponse {
    pub id: i32,
    /// Only this child's items and the school's; empty: all.
    #[oai(nullable)]
    pub child_id: Option<i32>,
    pub created_at: DateTime<Utc>,
    /// When a calendar app last fetched it (to the hour).
    #[oai(nullable)]
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<Feed> for FeedResponse {
    fn from(feed: Feed) -> Self {
        Self {
            id: feed.id,
            child_id: feed.child_id,
            created_at: feed.created_at,
            last_used_at: feed.last_used_at,
        }
    }
}

/// A new calendar subscription with its secret URLs: keep them, they are not shown again.
#[derive(Debug, Object)]
pub struct NewFeedResponse {
    pub feed: FeedResponse,
    /// For Google Calendar ("From URL") and Outlook ("Subscribe from web").
    pub https_url: String,
    /// Opens the calendar app's subscribe dialog (Apple Calendar, Outlook).
    pub webcal_url: String,
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct NewFeedRequest {
    /// Only this child's items (and the school's); leave out for all.
    #[oai(nullable)]
    pub child_id: Option<i32>,
}

impl Example for NewFeedRequest {
    fn example() -> Self {
        Self { child_id: None }
    }
}

#[derive(ApiResponse)]
pub enum CreateFeedResponse {
    /// Made; a feed the caller had for the same child (or for all) stops working.
    #[oai(status = 201)]
    Created(Json<NewFeedResponse>),
}

/// The most occurrences one request lists.
const MAX_LIMIT: u32 = 500;

#[OpenApi(prefix_path = "/agenda", tag = "ApiTags::Agenda")]
impl AgendaApi {
    /// The agenda: what takes place in a stretch of days
    ///
    /// Items of the school and of the caller's groups (parents: their children's groups),
    /// each time it takes place, first first. `from` defaults to today (school's time
    /// zone), `to` to a year later (at most 400 days); `child_id` narrows it to one child's
    /// items and the school's.
    #[oai(path = "/", method = "get", operation_id = "list_agenda")]
    async fn list(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        from: Query<Option<NaiveDate>>,
        to: Query<Option<NaiveDate>>,
        child_id: Query<Option<i32>>,
        /// At most 500; default 200.
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u32>>,
    ) -> Result<Json<Vec<OccurrenceResponse>>, ApiError<ListErrors>> {
        let query = AgendaQuery {
            from: from.0,
            to: to.0,
            child_id: child_id.0,
            limit: limit.0.unwrap_or(200).min(MAX_LIMIT) as usize,
        };
        let occurrences = agenda::list(&state, &auth.user().actor(), query).await?;
        Ok(Json(occurrences.into_iter().map(Into::into).collect()))
    }

    /// Add an item (staff)
    ///
    /// Teachers for their own groups, admins for the school or any group.
    #[oai(path = "/", method = "post", operation_id = "create_agenda_item")]
    async fn create(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        body: Json<AgendaItemRequest>,
    ) -> Result<CreateItemResponse, ApiError<WriteErrors>> {
        let view = agenda::create(&state, &auth.user().actor(), body.0.into()).await?;
        Ok(CreateItemResponse::Created(Json((&view).into())))
    }

    /// One item
    #[oai(path = "/:id", method = "get", operation_id = "get_agenda_item")]
    async fn get(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Json<AgendaItemResponse>, ApiError<Lookup>> {
        let view = agenda::get(&state, &auth.user().actor(), id.0).await?;
        Ok(Json((&view).into()))
    }

    /// Change an item (staff)
    ///
    /// Replaces its content; calendar apps see the change (its SEQUENCE rises). Teachers
    /// change items of their own groups, admins any.
    #[oai(path = "/:id", method = "put", operation_id = "change_agenda_item")]
    async fn change(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
        body: Json<AgendaItemRequest>,
    ) -> Result<Json<AgendaItemResponse>, ApiError<ChangeErrors>> {
        let view = agenda::replace(&state, &auth.user().actor(), id.0, body.0.into()).await?;
        Ok(Json((&view).into()))
    }

    /// Cancel an item (staff)
    ///
    /// It stays in the agenda and in calendar apps, marked cancelled.
    #[oai(
        path = "/:id/cancel",
        method = "post",
        operation_id = "cancel_agenda_item"
    )]
    async fn cancel(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Json<AgendaItemResponse>, ApiError<ManagedLookup>> {
        let view = agenda::set_cancelled(&state, &auth.user().actor(), id.0, true).await?;
        Ok(Json((&view).into()))
    }

    /// Take a cancellation back (staff)
    #[oai(
        path = "/:id/restore",
        method = "post",
        operation_id = "restore_agenda_item"
    )]
    async fn restore(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Json<AgendaItemResponse>, ApiError<ManagedLookup>> {
        let view = agenda::set_cancelled(&state, &auth.user().actor(), id.0, false).await?;
        Ok(Json((&view).into()))
    }

    /// Delete an item (staff)
    #[oai(path = "/:id", method = "delete", operation_id = "delete_agenda_item")]
    async fn delete(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Done, ApiError<ManagedLookup>> {
        agenda::delete(&state, &auth.user().actor(), id.0).await?;
        Ok(Done::Done)
    }

    /// One item as an .ics file, to add it to a calendar app on its own
    #[oai(path = "/:id/ics", method = "get", operation_id = "agenda_item_ics")]
    async fn item_ics(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<CalendarFile, ApiError<Lookup>> {
        let (file_name, text) = agenda::item_calendar(&state, &auth.user().actor(), id.0).await?;
        let safe_name = file_name.replace(|c: char| !c.is_ascii_alphanumeric() && c != '.', "_");
        Ok(CalendarFile::Calendar(
            Binary(text.into_bytes()),
            "text/calendar; charset=utf-8".into(),
            format!("attachment; filename=\"{safe_name}\""),
        ))
    }

    /// My calendar subscriptions
    #[oai(path = "/feeds", method = "get", operation_id = "list_calendar_feeds")]
    async fn feeds(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
    ) -> Result<Json<Vec<FeedResponse>>, ApiError<Lookup>> {
        let feeds = agenda::feeds(&state, &auth.user().actor()).await?;
        Ok(Json(feeds.into_iter().map(Into::into).collect()))
    }

    /// Make a calendar subscription URL
    ///
    /// Of all the caller's items, or of one child's (and the school's). Replaces the one
    /// they had for the same child (or for all): the old URL answers 404. The URL is shown
    /// only now; its secret is stored only as a hash.
    #[oai(
        path = "/feeds",
        method = "post",
        operation_id = "create_calendar_feed"
    )]
    async fn create_feed(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        body: Json<NewFeedRequest>,
    ) -> Result<CreateFeedResponse, ApiError<Lookup>> {
        let (feed, token) =
            agenda::create_feed(&state, &auth.user().actor(), body.0.child_id).await?;
        let https_url = format!(
            "{}/api/agenda/feed/{token}.ics",
            state.settings.server.public_url.trim_end_matches('/')
        );
        let webcal_url = match https_url.split_once("://") {
            Some((_, rest)) => format!("webcal://{rest}"),
            None => https_url.clone(),
        };
        Ok(CreateFeedResponse::Created(Json(NewFeedResponse {
            feed: feed.into(),
            https_url,
            webcal_url,
        })))
    }

    /// Revoke a calendar subscription
    ///
    /// Its URL answers 404 from now on.
    #[oai(
        path = "/feeds/:id",
        method = "delete",
        operation_id = "revoke_calendar_feed"
    )]
    async fn revoke_feed(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Done, ApiError<Lookup>> {
        agenda::revoke_feed(&state, &auth.user().actor(), id.0).await?;
        Ok(Done::Done)
    }

    /// A calendar feed (no login: the URL is the credential)
    ///
    /// What calendar apps fetch: iCalendar with the school's time zone, answered 304 when
    /// `If-None-Match` names the current ETag. 404 for an unknown or revoked URL.
    #[oai(path = "/feed/:token", method = "get", operation_id = "calendar_feed")]
    async fn feed(
        &self,
        state: Data<&HttpState>,
        /// The secret from the subscription URL (with or without `.ics`).
        #[oai(validator(max_length = 100))]
        token: Path<String>,
        #[oai(name = "If-None-Match")] if_none_match: Header<Option<String>>,
    ) -> Result<FeedAnswer, ApiError<Lookup>> {
        let token = token.0.trim_end_matches(".ics");
        let calendar = agenda::feed_calendar(&state, token).await?;
        let etag = format!("\"{}\"", calendar.tag);
        if if_none_match
            .0
            .as_deref()
            .is_some_and(|tags| matches_etag(tags, &etag))
        {
            return Ok(FeedAnswer::NotModified(etag, FEED_CACHING.into()));
        }
        Ok(FeedAnswer::Calendar(
            Binary(calendar.body.clone()),
            "text/calendar; charset=utf-8".into(),
            etag,
            FEED_CACHING.into(),
        ))
    }
}

/// Whether an `If-None-Match` list names `etag` (weak or strong, or `*`).
fn matches_etag(header: &str, etag: &str) -> bool {
    header
        .split(',')
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == "*" || tag == etag)
}

/// What makes an item's content invalid (400).
const INVALID_ITEM: &[&str] = &[
    "invalid_title",
    "invalid_description",
    "invalid_place",
    "starts_on_required",
    "times_incomplete",
    "end_before_start",
    "item_too_long",
    "invalid_repeat_interval",
    "invalid_repeat_until",
    "repeat_overlaps",
    "skip_not_an_occurrence",
    "too_many_skips",
    "date_out_of_range",
    "no_audience",
    "too_many_groups",
    "unknown_group",
];

error_sets! {
    ListErrors { 400 => &["invalid_range"], 404 => &["not_found"] }
    WriteErrors {
        400 => INVALID_ITEM,
        403 => &["forbidden_role", "school_audience_needs_admin", "not_own_group"],
    }
    ChangeErrors {
        400 => INVALID_ITEM,
        403 => &["forbidden", "forbidden_role", "school_audience_needs_admin", "not_own_group"],
        404 => &["not_found"],
    }
}
