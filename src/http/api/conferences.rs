//! Parent-teacher conferences: rounds for staff (open, set up per child, block slots, book
//! and move for parents, close, remind), and invitations for parents (pick, move or cancel
//! a slot).

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Enum, Object, OpenApi,
    param::{Path, Query},
    payload::{Binary, Json},
    types::Example,
};

use crate::http::error::{ApiError, Lookup, ManagedLookup, NoErrors, error_sets};
use crate::{
    entities::conference_invitations::TalkNeed,
    features::conferences::{
        self, Booking, ChildPlan, InvitationSettings, InvitationView, RoundInput, RoundPage,
        RoundUpdate, RoundView, SlotUse, SlotView,
        rules::{DayWindow, Phase},
    },
    http::{
        ApiTags,
        security::Auth,
        state::HttpState,
        types::{Done, Text},
    },
};

pub struct ConferencesApi;

type Title = Text<1, { conferences::MAX_TITLE }>;
type Message = Text<0, { conferences::MAX_MESSAGE }>;
type Note = Text<0, { conferences::MAX_NOTE }>;
type Location = Text<0, { conferences::MAX_LOCATION }>;
type Link = Text<0, { conferences::MAX_LINK }>;

/// Where a round stands for parents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum PhaseDto {
    /// Booking opens at `opens_at`; parents do not see the round yet.
    NotOpen,
    /// Parents book, move and cancel.
    Open,
    /// The deadline passed: only the teacher changes bookings.
    PastDeadline,
    /// The planning is closed: bookings are final.
    Closed,
}

impl From<Phase> for PhaseDto {
    fn from(phase: Phase) -> Self {
        match phase {
            Phase::NotOpen => Self::NotOpen,
            Phase::Open => Self::Open,
            Phase::PastDeadline => Self::PastDeadline,
            Phase::Closed => Self::Closed,
        }
    }
}

/// Whether the teacher needs a talk about a child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum TalkNeedDto {
    /// The parents must book; those who do not are listed and reminded.
    Required,
    Optional,
    /// No talk needed this time; the parents may still book.
    NotNeeded,
}

impl From<TalkNeed> for TalkNeedDto {
    fn from(need: TalkNeed) -> Self {
        match need {
            TalkNeed::Required => Self::Required,
            TalkNeed::Optional => Self::Optional,
            TalkNeed::NotNeeded => Self::NotNeeded,
        }
    }
}

impl From<TalkNeedDto> for TalkNeed {
    fn from(need: TalkNeedDto) -> Self {
        match need {
            TalkNeedDto::Required => Self::Required,
            TalkNeedDto::Optional => Self::Optional,
            TalkNeedDto::NotNeeded => Self::NotNeeded,
        }
    }
}

#[derive(Debug, Object)]
pub struct RoundSummaryResponse {
    pub id: i32,
    pub group_id: i32,
    pub group_name: String,
    pub title: String,
    pub message: String,
    /// Room or place; empty when not given.
    pub location: String,
    /// An https:// address for a video talk; empty when not given.
    pub video_link: String,
    pub slot_minutes: i32,
    pub opens_at: DateTime<Utc>,
    #[oai(nullable)]
    pub deadline_at: Option<DateTime<Utc>>,
    #[oai(nullable)]
    pub closed_at: Option<DateTime<Utc>>,
    pub phase: PhaseDto,
    #[oai(nullable)]
    pub first_slot_at: Option<DateTime<Utc>>,
    #[oai(nullable)]
    pub last_slot_ends_at: Option<DateTime<Utc>>,
    pub slot_count: u32,
    pub booked_children: u32,
    pub children: u32,
    /// The caller sets the round up, books for parents and closes it.
    pub may_manage: bool,
}

impl From<RoundView> for RoundSummaryResponse {
    fn from(view: RoundView) -> Self {
        let round = view.round;
        Self {
            id: round.id,
            group_id: round.group_id,
            group_name: view.group_name,
            title: round.title,
            message: round.message,
            location: round.location,
            video_link: round.video_link,
            slot_minutes: round.slot_minutes,
            opens_at: round.opens_at,
            deadline_at: round.deadline_at,
            closed_at: round.closed_at,
            phase: view.phase.into(),
            first_slot_at: view.first_slot,
            last_slot_ends_at: view.last_slot_end,
            slot_count: count(view.slot_count),
            booked_children: count(view.booked_children),
            children: count(view.children),
            may_manage: view.may_manage,
        }
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// What is in a slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum SlotStateDto {
    Free,
    /// Blocked by the teacher.
    Blocked,
    Booked,
}

#[derive(Debug, Object)]
pub struct SlotResponse {
    pub id: i32,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub state: SlotStateDto,
    /// Whose talk it holds: staff always, parents only for their own child.
    #[oai(nullable)]
    pub child_id: Option<i32>,
    #[oai(nullable)]
    pub child_name: Option<String>,
    /// The talk looked at may start here (for a double slot: this one and the next are free).
    pub bookable: bool,
}

impl From<SlotView> for SlotResponse {
    fn from(view: SlotView) -> Self {
        let (state, child_id, child_name) = match view.usage {
            SlotUse::Free => (SlotStateDto::Free, None, None),
            SlotUse::Blocked => (SlotStateDto::Blocked, None, None),
            SlotUse::Booked {
                child_id,
                child_name,
            } => (SlotStateDto::Booked, child_id, child_name),
        };
        Self {
            id: view.slot.id,
            starts_at: view.slot.starts_at,
            ends_at: view.slot.ends_at,
            state,
            child_id,
            child_name,
            bookable: view.bookable,
        }
    }
}

#[derive(Debug, Object)]
pub struct BookingResponse {
    pub id: i32,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Raised with each move (the .ics SEQUENCE).
    pub sequence: i32,
    /// Who booked or last moved it.
    #[oai(nullable)]
    pub booked_by: Option<String>,
    pub updated_at: DateTime<Utc>,
}

fn booking(booking: Booking, booked_by: Option<String>) -> BookingResponse {
    BookingResponse {
        id: booking.id,
        starts_at: booking.starts_at,
        ends_at: booking.ends_at,
        sequence: booking.sequence,
        booked_by,
        updated_at: booking.updated_at,
    }
}

#[derive(Debug, Object)]
pub struct ChildPlanResponse {
    pub child_id: i32,
    pub name: String,
    pub note: String,
    pub double_slot: bool,
    pub need: TalkNeedDto,
    #[oai(nullable)]
    pub booking: Option<BookingResponse>,
    /// The child's parents, by name.
    pub parents: Vec<String>,
    #[oai(nullable)]
    pub reminded_at: Option<DateTime<Utc>>,
}

impl From<ChildPlan> for ChildPlanResponse {
    fn from(plan: ChildPlan) -> Self {
        Self {
            child_id: plan.child_id,
            name: plan.name,
            note: plan.note,
            double_slot: plan.double_slot,
            need: plan.need.into(),
            booking: plan.booking.map(|b| booking(b, plan.booked_by)),
            parents: plan.parents,
            reminded_at: plan.reminded_at,
        }
    }
}

#[derive(Debug, Object)]
pub struct RoundResponse {
    pub round: RoundSummaryResponse,
    pub slots: Vec<SlotResponse>,
    /// Every child of the group, by first name.
    pub children: Vec<ChildPlanResponse>,
    /// Children whose talk is required and who have no booking.
    pub missing: Vec<i32>,
}

impl From<RoundPage> for RoundResponse {
    fn from(page: RoundPage) -> Self {
        let missing = conferences::missing(&page.children)
            .map(|child| child.child_id)
            .collect();
        Self {
            round: page.view.into(),
            slots: page.slots.into_iter().map(Into::into).collect(),
            children: page.children.into_iter().map(Into::into).collect(),
            missing,
        }
    }
}

#[derive(Debug, Object)]
pub struct CloseTalkResponse {
    pub child_name: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

#[derive(Debug, Object)]
pub struct ConferenceInvitationResponse {
    pub round: RoundSummaryResponse,
    pub child_id: i32,
    pub child_name: String,
    /// The teacher's note to this child's parents.
    pub note: String,
    /// The talk takes two adjacent slots.
    pub double_slot: bool,
    pub need: TalkNeedDto,
    #[oai(nullable)]
    pub booking: Option<BookingResponse>,
    /// The caller may book, move and cancel now.
    pub may_book: bool,
    /// The family's other talks less than `conferences.family_gap_minutes` away.
    pub close_talks: Vec<CloseTalkResponse>,
    /// The round's slots (empty in the list of invitations).
    pub slots: Vec<SlotResponse>,
}

impl From<InvitationView> for ConferenceInvitationResponse {
    fn from(view: InvitationView) -> Self {
        Self {
            round: view.view.into(),
            child_id: view.child_id,
            child_name: view.child_name,
            note: view.note,
            double_slot: view.double_slot,
            need: view.need.into(),
            booking: view.booking.map(|b| booking(b, view.booked_by)),
            may_book: view.may_book,
            close_talks: view
                .close_talks
                .into_iter()
                .map(|talk| CloseTalkResponse {
                    child_name: talk.child_name,
                    starts_at: talk.starts_at,
                    ends_at: talk.ends_at,
                })
                .collect(),
            slots: view.slots.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Object)]
pub struct BreakRequest {
    pub from: NaiveTime,
    pub to: NaiveTime,
}

/// A time window on one day, in the school's time zone. Two windows on one day are two
/// entries.
#[derive(Debug, Object)]
pub struct DayRequest {
    pub date: NaiveDate,
    pub from: NaiveTime,
    pub to: NaiveTime,
    /// Times inside the window without talks.
    #[oai(default)]
    pub breaks: Vec<BreakRequest>,
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct RoundRequest {
    pub group_id: i32,
    pub title: Title,
    #[oai(nullable)]
    pub message: Option<Message>,
    #[oai(nullable)]
    pub location: Option<Location>,
    #[oai(nullable)]
    pub video_link: Option<Link>,
    /// Minutes per slot (1-120).
    pub slot_minutes: u32,
    /// When parents see the round and may book; empty: at once.
    #[oai(nullable)]
    pub opens_at: Option<DateTime<Utc>>,
    /// Parents may book, move and cancel until then; empty: until the planning is closed.
    #[oai(nullable)]
    pub deadline_at: Option<DateTime<Utc>>,
    pub days: Vec<DayRequest>,
}

impl Example for RoundRequest {
    fn example() -> Self {
        let day = |d| NaiveDate::from_ymd_opt(2027, 3, d).unwrap_or_default();
        let time = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default();
        Self {
            group_id: 1,
            title: "Spring conferences".into(),
            message: Some("We look forward to talking about your child's progress.".into()),
            location: Some("Classroom 3a".into()),
            video_link: None,
            slot_minutes: 10,
            opens_at: None,
            deadline_at: None,
            days: vec![
                DayRequest {
                    date: day(9),
                    from: time(15, 0),
                    to: time(17, 30),
                    breaks: vec![BreakRequest {
                        from: time(16, 0),
                        to: time(16, 15),
                    }],
                },
                DayRequest {
                    date: day(11),
                    from: time(18, 30),
                    to: time(20, 0),
                    breaks: Vec::new(),
                },
            ],
        }
    }
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct RoundUpdateRequest {
    pub title: Title,
    #[oai(nullable)]
    pub message: Option<Message>,
    #[oai(nullable)]
    pub location: Option<Location>,
    #[oai(nullable)]
    pub video_link: Option<Link>,
    pub opens_at: DateTime<Utc>,
    #[oai(nullable)]
    pub deadline_at: Option<DateTime<Utc>>,
}

impl Example for RoundUpdateRequest {
    fn example() -> Self {
        Self {
            title: "Spring conferences".into(),
            message: None,
            location: Some("Classroom 3a".into()),
            video_link: Some("https://meet.example.org/3a".into()),
            opens_at: DateTime::from_timestamp(1_804_000_000, 0).unwrap_or_default(),
            deadline_at: None,
        }
    }
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct InvitationSettingsRequest {
    /// A personal note to the child's parents.
    #[oai(nullable)]
    pub note: Option<Note>,
    pub double_slot: bool,
    pub need: TalkNeedDto,
}

impl Example for InvitationSettingsRequest {
    fn example() -> Self {
        Self {
            note: Some("I would like to talk about reading.".into()),
            double_slot: true,
            need: TalkNeedDto::Required,
        }
    }
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct BlockRequest {
    /// true: nobody can book the slot; false: free it again.
    pub blocked: bool,
}

impl Example for BlockRequest {
    fn example() -> Self {
        Self { blocked: true }
    }
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct BookRequest {
    /// The slot the talk starts at (a double slot also takes the next).
    pub slot_id: i32,
}

impl Example for BookRequest {
    fn example() -> Self {
        Self { slot_id: 1 }
    }
}

#[derive(Debug, Object)]
pub struct RemindedResponse {
    /// Children whose parents were sent a reminder.
    pub children: u32,
}

#[derive(ApiResponse)]
pub enum DoorListResponse {
    /// One day of the round on A4: each slot with who comes.
    #[oai(status = 200, content_type = "application/pdf")]
    Pdf(
        Binary<Vec<u8>>,
        #[oai(header = "Content-Disposition")] String,
    ),
}

#[derive(ApiResponse)]
pub enum CreateRoundResponse {
    #[oai(status = 201)]
    Created(Json<RoundResponse>),
}

error_sets! {
    RoundCreateErrors {
        400 => &["invalid_title", "invalid_text", "invalid_location", "invalid_video_link",
                 "invalid_deadline", "day_in_past", "no_days", "too_many_days", "invalid_window",
                 "overlapping_windows", "invalid_slot_length", "too_many_slots", "no_slots",
                 "unknown_group", "no_audience"],
        403 => &["forbidden_role", "not_own_group", "school_audience_needs_admin"],
    }
    RoundUpdateErrors {
        400 => &["invalid_title", "invalid_text", "invalid_location", "invalid_video_link",
                 "invalid_deadline"],
        403 => &["forbidden"],
        404 => &["not_found"],
    }
    SettingsErrors {
        400 => &["invalid_text"],
        403 => &["forbidden"],
        404 => &["not_found"],
    }
    BlockErrors {
        403 => &["forbidden"],
        404 => &["not_found"],
        409 => &["slot_booked"],
    }
    BookErrors {
        400 => &["unknown_slot"],
        403 => &["read_only"],
        404 => &["not_found"],
        409 => &["slot_taken", "already_booked", "family_overlap", "booking_deadline_passed",
                 "planning_closed"],
    }
    CancelErrors {
        403 => &["read_only"],
        404 => &["not_found"],
        409 => &["booking_deadline_passed", "planning_closed"],
    }
    RemindErrors {
        403 => &["forbidden"],
        404 => &["not_found"],
        409 => &["planning_closed"],
    }
}

#[OpenApi(tag = "ApiTags::Conferences")]
impl ConferencesApi {
    /// The conference rounds I see
    ///
    /// Staff: the rounds of the groups they teach (admins all); parents: the opened rounds
    /// of their children's groups. Latest opening first.
    #[oai(
        path = "/conferences",
        method = "get",
        operation_id = "list_conference_rounds"
    )]
    async fn list(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
    ) -> Result<Json<Vec<RoundSummaryResponse>>, ApiError<NoErrors>> {
        let rounds = conferences::list(&state, &auth.user().actor()).await?;
        Ok(Json(rounds.into_iter().map(Into::into).collect()))
    }

    /// Open a conference round for a group (its teachers, admins)
    ///
    /// Each day's window is cut into slots of `slot_minutes`, breaks left out. Parents see
    /// the round from `opens_at`.
    #[oai(
        path = "/conferences",
        method = "post",
        operation_id = "create_conference_round"
    )]
    async fn create(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        body: Json<RoundRequest>,
    ) -> Result<CreateRoundResponse, ApiError<RoundCreateErrors>> {
        let body = body.0;
        let input = RoundInput {
            group_id: body.group_id,
            title: body.title.into(),
            message: body.message.map(Into::into).unwrap_or_default(),
            location: body.location.map(Into::into).unwrap_or_default(),
            video_link: body.video_link.map(Into::into).unwrap_or_default(),
            slot_minutes: body.slot_minutes,
            opens_at: body.opens_at,
            deadline_at: body.deadline_at,
            days: body
                .days
                .into_iter()
                .map(|day| DayWindow {
                    date: day.date,
                    from: day.from,
                    to: day.to,
                    breaks: day.breaks.into_iter().map(|b| (b.from, b.to)).collect(),
                })
                .collect(),
        };
        let page = conferences::create(&state, &auth.user().actor(), input).await?;
        Ok(CreateRoundResponse::Created(Json(page.into())))
    }

    /// A round with its slots and children (its teachers, admins)
    #[oai(
        path = "/conferences/:id",
        method = "get",
        operation_id = "get_conference_round"
    )]
    async fn get(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Json<RoundResponse>, ApiError<ManagedLookup>> {
        let page = conferences::get(&state, &auth.user().actor(), id.0).await?;
        Ok(Json(page.into()))
    }

    /// Change a round's texts, opening and deadline (its teachers, admins)
    #[oai(
        path = "/conferences/:id",
        method = "patch",
        operation_id = "update_conference_round"
    )]
    async fn update(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
        body: Json<RoundUpdateRequest>,
    ) -> Result<Json<RoundResponse>, ApiError<RoundUpdateErrors>> {
        let body = body.0;
        let update = RoundUpdate {
            title: body.title.into(),
            message: body.message.map(Into::into).unwrap_or_default(),
            location: body.location.map(Into::into).unwrap_or_default(),
            video_link: body.video_link.map(Into::into).unwrap_or_default(),
            opens_at: body.opens_at,
            deadline_at: body.deadline_at,
        };
        let page = conferences::update(&state, &auth.user().actor(), id.0, update).await?;
        Ok(Json(page.into()))
    }

    /// Delete a round with its bookings (its teachers, admins)
    #[oai(
        path = "/conferences/:id",
        method = "delete",
        operation_id = "delete_conference_round"
    )]
    async fn delete(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Done, ApiError<ManagedLookup>> {
        conferences::delete(&state, &auth.user().actor(), id.0).await?;
        Ok(Done::Done)
    }

    /// Close the planning: bookings become final (its teachers, admins)
    ///
    /// Every parent of every booked child is mailed the final time with an .ics. Closing a
    /// closed round changes nothing.
    #[oai(
        path = "/conferences/:id/close",
        method = "post",
        operation_id = "close_conference_round"
    )]
    async fn close(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Json<RoundResponse>, ApiError<ManagedLookup>> {
        let page = conferences::close(&state, &auth.user().actor(), id.0).await?;
        Ok(Json(page.into()))
    }

    /// Remind the parents of required talks who have not booked (its teachers, admins)
    #[oai(
        path = "/conferences/:id/remind",
        method = "post",
        operation_id = "remind_conference_parents"
    )]
    async fn remind(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Json<RemindedResponse>, ApiError<RemindErrors>> {
        let children = conferences::remind(&state, &auth.user().actor(), id.0).await?;
        Ok(Json(RemindedResponse {
            children: count(children),
        }))
    }

    /// The door list of one day as a PDF (its teachers, admins)
    ///
    /// `day` (YYYY-MM-DD, the school's calendar): each slot with the child and parents who
    /// come, blocked and free slots marked. 404 for a day without slots.
    #[oai(
        path = "/conferences/:id/door-list",
        method = "get",
        operation_id = "conference_door_list"
    )]
    async fn door_list(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
        day: Query<NaiveDate>,
    ) -> Result<DoorListResponse, ApiError<ManagedLookup>> {
        let pdf = conferences::door_list(&state, &auth.user().actor(), id.0, day.0).await?;
        let disposition = format!("inline; filename=\"door-list-{}.pdf\"", day.0);
        Ok(DoorListResponse::Pdf(Binary(pdf), disposition))
    }

    /// Block a slot, or free it again (its teachers, admins)
    #[oai(
        path = "/conferences/:id/slots/:slot_id/block",
        method = "put",
        operation_id = "block_conference_slot"
    )]
    async fn block(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
        slot_id: Path<i32>,
        body: Json<BlockRequest>,
    ) -> Result<Json<RoundResponse>, ApiError<BlockErrors>> {
        let page =
            conferences::block(&state, &auth.user().actor(), id.0, slot_id.0, body.blocked).await?;
        Ok(Json(page.into()))
    }

    /// Set a child's note, double slot and need (its teachers, admins)
    #[oai(
        path = "/conferences/:id/children/:child_id/settings",
        method = "put",
        operation_id = "set_conference_invitation"
    )]
    async fn settings(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
        child_id: Path<i32>,
        body: Json<InvitationSettingsRequest>,
    ) -> Result<Json<RoundResponse>, ApiError<SettingsErrors>> {
        let body = body.0;
        let settings = InvitationSettings {
            note: body.note.map(Into::into).unwrap_or_default(),
            double_slot: body.double_slot,
            need: body.need.into(),
        };
        let page =
            conferences::set_invitation(&state, &auth.user().actor(), id.0, child_id.0, settings)
                .await?;
        Ok(Json(page.into()))
    }

    /// My children's invitations
    ///
    /// One per child and opened round that is not over, booked talks first by time, then
    /// the rounds still to book. Staff get an empty list.
    #[oai(
        path = "/conference-invitations",
        method = "get",
        operation_id = "list_conference_invitations"
    )]
    async fn invitations(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
    ) -> Result<Json<Vec<ConferenceInvitationResponse>>, ApiError<NoErrors>> {
        let invitations = conferences::invitations(&state, &auth.user().actor()).await?;
        Ok(Json(invitations.into_iter().map(Into::into).collect()))
    }

    /// One child's invitation with the round's slots
    #[oai(
        path = "/conferences/:id/children/:child_id",
        method = "get",
        operation_id = "get_conference_invitation"
    )]
    async fn invitation(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
        child_id: Path<i32>,
    ) -> Result<Json<ConferenceInvitationResponse>, ApiError<Lookup>> {
        let view = conferences::invitation(&state, &auth.user().actor(), id.0, child_id.0).await?;
        Ok(Json(view.into()))
    }

    /// Book a talk, or move it
    ///
    /// Parents (not read-only) while the round is open; its teachers at any time, for the
    /// parents, who are mailed. A double slot takes `slot_id` and the next slot. 409
    /// `slot_taken` when someone was faster: `details.free_slots` lists the slots free now.
    #[oai(
        path = "/conferences/:id/children/:child_id/booking",
        method = "put",
        operation_id = "book_conference_slot"
    )]
    async fn book(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
        child_id: Path<i32>,
        body: Json<BookRequest>,
    ) -> Result<Json<ConferenceInvitationResponse>, ApiError<BookErrors>> {
        let view =
            conferences::book(&state, &auth.user().actor(), id.0, child_id.0, body.slot_id).await?;
        Ok(Json(view.into()))
    }

    /// Cancel a talk
    ///
    /// Parents while the round is open; its teachers at any time (the parents are mailed).
    #[oai(
        path = "/conferences/:id/children/:child_id/booking",
        method = "delete",
        operation_id = "cancel_conference_booking"
    )]
    async fn cancel(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
        child_id: Path<i32>,
    ) -> Result<Json<ConferenceInvitationResponse>, ApiError<CancelErrors>> {
        let view = conferences::cancel(&state, &auth.user().actor(), id.0, child_id.0).await?;
        Ok(Json(view.into()))
    }
}
