//! Imports of children and parents from the school administration export (admins only):
//! upload for a preview, apply it, print registration letters, send activation e-mails.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Multipart, Object, OpenApi,
    param::{Path, Query},
    payload::{Binary, Json},
    types::{Example, multipart::Upload},
};

use crate::http::error::{AdminLookup, AdminOnly, ApiError, error_sets};
use crate::{
    app::error::AppError,
    features::imports::{
        self, ApplyOptions, ImportCounts, ImportKind,
        rules::{
            FieldChange, Problem, ProblemGroup, Severity, children::ChildPlan, group_problems,
            parents::ParentPlan,
        },
        store::ImportRecord,
    },
    http::{ApiTags, security::Auth, state::HttpState, types::LanguageDto, upload::read_upload},
};

pub struct ImportsApi;

#[derive(Debug, Multipart)]
pub struct ImportUpload {
    /// The table exported from the administration system: CSV or TSV (comma, semicolon or
    /// tab), UTF-8 or Windows-1252, header names in German, Dutch or English.
    pub file: Upload,
}

#[derive(Debug, Clone, Object)]
pub struct ImportCountsDto {
    pub create: u64,
    pub update: u64,
    pub unchanged: u64,
    pub links_to_add: u64,
    pub links_missing: u64,
    pub groups_to_create: u64,
    pub errors: u64,
    pub warnings: u64,
}

impl From<ImportCounts> for ImportCountsDto {
    fn from(counts: ImportCounts) -> Self {
        Self {
            create: counts.create as u64,
            update: counts.update as u64,
            unchanged: counts.unchanged as u64,
            links_to_add: counts.links_to_add as u64,
            links_missing: counts.links_missing as u64,
            groups_to_create: counts.groups_to_create as u64,
            errors: counts.errors as u64,
            warnings: counts.warnings as u64,
        }
    }
}

/// An account or child the import creates.
#[derive(Debug, Clone, Object)]
pub struct ImportItemDto {
    pub line: u64,
    /// The e-mail address (parents) or child ID (children).
    pub key: String,
    pub first_name: String,
    /// "van der", "de", "von" (the file's Tussenvoegsel / Namenszusatz column).
    #[oai(nullable)]
    pub name_prefix: Option<String>,
    pub last_name: String,
    #[oai(nullable)]
    pub address: Option<String>,
    #[oai(nullable)]
    pub phone: Option<String>,
    #[oai(nullable)]
    pub group: Option<String>,
    /// The language of a new parent's account, from the file's language column.
    #[oai(nullable)]
    pub language: Option<LanguageDto>,
    /// The child IDs a parent is linked to.
    pub child_ids: Vec<String>,
}

#[derive(Debug, Clone, Object)]
pub struct FieldChangeDto {
    pub field: String,
    #[oai(nullable)]
    pub old: Option<String>,
    #[oai(nullable)]
    pub new: Option<String>,
}

impl From<FieldChange> for FieldChangeDto {
    fn from(change: FieldChange) -> Self {
        Self {
            field: change.field,
            old: change.old,
            new: change.new,
        }
    }
}

#[derive(Debug, Clone, Object)]
pub struct ImportUpdateDto {
    pub line: u64,
    pub key: String,
    pub changes: Vec<FieldChangeDto>,
}

#[derive(Debug, Clone, Object)]
pub struct ImportLinkDto {
    pub email: String,
    pub child_id: String,
    /// The parent's name as written.
    pub parent_name: String,
    pub child_name: String,
    /// The child's group.
    #[oai(nullable)]
    pub group: Option<String>,
}

#[derive(Debug, Clone, Object)]
pub struct ImportProblemDto {
    /// Line in the file; the header is line 1.
    pub line: u64,
    /// `error` (blocks applying) or `warning`.
    pub severity: String,
    pub code: String,
    pub message: String,
    #[oai(nullable)]
    pub field: Option<String>,
}

impl From<Problem> for ImportProblemDto {
    fn from(problem: Problem) -> Self {
        Self {
            line: problem.line,
            severity: severity_code(problem.severity),
            code: problem.code,
            message: problem.message,
            field: problem.field,
        }
    }
}

/// Problems of one kind: how many, and the first lines, so many warnings of one kind do not
/// bury another.
#[derive(Debug, Clone, Object)]
pub struct ImportProblemGroupDto {
    /// `error` (blocks applying) or `warning`.
    pub severity: String,
    pub code: String,
    pub count: u64,
    /// The first lines with this problem (at most five).
    pub lines: Vec<u64>,
    /// The message of the first of them.
    pub example: String,
}

impl From<ProblemGroup> for ImportProblemGroupDto {
    fn from(group: ProblemGroup) -> Self {
        Self {
            severity: severity_code(group.severity),
            code: group.code,
            count: group.count as u64,
            lines: group.lines,
            example: group.example,
        }
    }
}

fn severity_code(severity: Severity) -> String {
    match severity {
        Severity::Error => "error".into(),
        Severity::Warning => "warning".into(),
    }
}

/// An import: what it does (or did), and its problems.
#[derive(Debug, Clone, Object)]
pub struct ImportResponse {
    pub id: String,
    /// `parents` or `children`.
    pub kind: String,
    pub file_name: String,
    /// `previewed` or `applied`.
    pub status: String,
    #[oai(nullable)]
    pub created_by: Option<i32>,
    pub created_at: DateTime<Utc>,
    #[oai(nullable)]
    pub applied_by: Option<i32>,
    #[oai(nullable)]
    pub applied_at: Option<DateTime<Utc>>,
    pub counts: ImportCountsDto,
    pub create: Vec<ImportItemDto>,
    pub update: Vec<ImportUpdateDto>,
    /// E-mail addresses or child IDs that stay as they are.
    pub unchanged: Vec<String>,
    pub links_to_add: Vec<ImportLinkDto>,
    /// Links of the file's children and groups that are in the database but not in the file:
    /// the families that lose a link when the import is applied with `unlink_missing`.
    pub links_missing: Vec<ImportLinkDto>,
    pub groups_to_create: Vec<String>,
    /// The problems by kind, errors first: read this first.
    pub problem_groups: Vec<ImportProblemGroupDto>,
    /// Every problem, by line.
    pub problems: Vec<ImportProblemDto>,
}

/// An import in the list, without its details.
#[derive(Debug, Clone, Object)]
pub struct ImportSummaryResponse {
    pub id: String,
    pub kind: String,
    pub file_name: String,
    pub status: String,
    #[oai(nullable)]
    pub created_by: Option<i32>,
    pub created_at: DateTime<Utc>,
    #[oai(nullable)]
    pub applied_by: Option<i32>,
    #[oai(nullable)]
    pub applied_at: Option<DateTime<Utc>>,
    pub counts: ImportCountsDto,
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct ApplyImportRequest {
    /// Must be true: applying writes to the database.
    pub confirm: bool,
    /// Also remove the links that are in the database but not in the file.
    #[oai(default)]
    pub unlink_missing: bool,
    /// E-mail every new parent their activation link.
    #[oai(default)]
    pub send_activation_emails: bool,
}

impl Example for ApplyImportRequest {
    fn example() -> Self {
        Self {
            confirm: true,
            unlink_missing: false,
            send_activation_emails: false,
        }
    }
}

#[derive(Debug, Object)]
pub struct QueuedResponse {
    pub queued: u64,
}

#[derive(ApiResponse)]
pub enum PreviewResponse {
    /// The preview: nothing was changed yet.
    #[oai(status = 201)]
    Created(Json<ImportResponse>),
}

#[derive(ApiResponse)]
pub enum LettersResponse {
    /// One A4 page per parent who has not activated yet, each with a fresh activation link.
    #[oai(status = 200, content_type = "application/pdf")]
    Pdf(
        Binary<Vec<u8>>,
        #[oai(header = "Content-Disposition")] String,
        #[oai(header = "X-Letter-Count")] u64,
    ),
}

#[derive(ApiResponse)]
pub enum ActivationEmailsResponse {
    /// The e-mails are queued.
    #[oai(status = 202)]
    Accepted(Json<QueuedResponse>),
}

#[OpenApi(prefix_path = "/imports", tag = "ApiTags::Imports")]
impl ImportsApi {
    /// Preview a children import (admin)
    ///
    /// Columns: child ID, first name, last name, group. Nothing is changed: the answer lists
    /// what applying would do and every problem by line.
    #[oai(path = "/children", method = "post", operation_id = "preview_children")]
    async fn preview_children(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        upload: ImportUpload,
    ) -> Result<PreviewResponse, ApiError<PreviewChildrenErrors>> {
        Ok(preview(&state, &auth, ImportKind::Children, upload).await?)
    }

    /// Preview a parent import (admin)
    ///
    /// One row per parent-child pair: first name, last name, address, e-mail, phone, child
    /// ID. Accounts are keyed by e-mail. Nothing is changed: the answer lists accounts to
    /// create and update (old -> new), unchanged ones, links to add, links missing from the
    /// file, and errors and warnings by line.
    #[oai(path = "/parents", method = "post", operation_id = "preview_parents")]
    async fn preview_parents(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        upload: ImportUpload,
    ) -> Result<PreviewResponse, ApiError<PreviewParentsErrors>> {
        Ok(preview(&state, &auth, ImportKind::Parents, upload).await?)
    }

    /// Imports so far (admin)
    #[oai(path = "/", method = "get", operation_id = "list_imports")]
    async fn list_imports(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        /// How many, newest first (1 to 500).
        #[oai(
            default = "default_limit",
            validator(minimum(value = "1"), maximum(value = "500"))
        )]
        limit: Query<u64>,
    ) -> Result<Json<Vec<ImportSummaryResponse>>, ApiError<AdminOnly>> {
        let records = imports::recent(&state, &auth.user().actor(), limit.0).await?;
        Ok(Json(records.into_iter().map(summary).collect()))
    }

    /// One import with its preview (admin)
    #[oai(path = "/:id", method = "get", operation_id = "get_import")]
    async fn get_import(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<String>,
    ) -> Result<Json<ImportResponse>, ApiError<AdminLookup>> {
        let record = imports::find(&state, &auth.user().actor(), &id).await?;
        Ok(Json(detail(record)?))
    }

    /// Apply a previewed import (admin)
    ///
    /// Needs `confirm: true`. All or nothing, in one transaction. Refused with 409 when the
    /// preview has errors (`import_has_errors`), was applied already (`already_applied`) or
    /// the data changed since the preview (`data_changed`). Importing the same file again
    /// changes nothing. Nothing is deleted unless `unlink_missing` is set.
    #[oai(path = "/:id/apply", method = "post", operation_id = "apply_import")]
    async fn apply_import(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<String>,
        body: Json<ApplyImportRequest>,
    ) -> Result<Json<ImportResponse>, ApiError<ApplyImportErrors>> {
        let caller = auth.user().actor();
        caller.require_admin()?;
        if !body.confirm {
            return Err(AppError::invalid(
                "confirm",
                "confirmation_required",
                "Set confirm to true to apply the import.",
            )
            .into());
        }
        let options = ApplyOptions {
            unlink_missing: body.unlink_missing,
            send_activation_emails: body.send_activation_emails,
        };
        let record = imports::apply(&state, &caller, &id, options).await?;
        Ok(Json(detail(record)?))
    }

    /// Registration letters (admin)
    ///
    /// A PDF with a letter for every parent this import created who has not activated yet:
    /// school, name, children, a personal activation link and its QR code, in the parent's
    /// language. Each call makes new links (older ones stay valid until they expire).
    #[oai(
        path = "/:id/registration-letters",
        method = "post",
        operation_id = "registration_letters"
    )]
    async fn registration_letters(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<String>,
    ) -> Result<LettersResponse, ApiError<LettersErrors>> {
        let (pdf, count) = imports::registration_letters(&state, &auth.user().actor(), &id).await?;
        Ok(LettersResponse::Pdf(
            Binary(pdf),
            format!(
                "attachment; filename=\"registration-letters-{}.pdf\"",
                &id.0[..8.min(id.0.len())]
            ),
            count as u64,
        ))
    }

    /// Activation e-mails (admin)
    ///
    /// E-mails every parent this import created who has not activated yet their activation
    /// link.
    #[oai(
        path = "/:id/activation-emails",
        method = "post",
        operation_id = "activation_emails"
    )]
    async fn activation_emails(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<String>,
    ) -> Result<ActivationEmailsResponse, ApiError<ActivationEmailsErrors>> {
        let queued = imports::send_activation_emails(&state, &auth.user().actor(), &id).await?;
        Ok(ActivationEmailsResponse::Accepted(Json(QueuedResponse {
            queued: queued as u64,
        })))
    }
}

/// Why an uploaded table cannot be previewed at all, whichever its kind.
const UNREADABLE_TABLE: &[&str] = &[
    "empty_file",
    "no_data_rows",
    "not_a_text_table",
    "missing_column",
    "unreadable_upload",
];

error_sets! {
    PreviewChildrenErrors {
        400 => UNREADABLE_TABLE,
        400 => &["parents_file"],
        403 => &["forbidden_role"],
        413 => &["file_too_large", "too_many_rows"],
    }
    PreviewParentsErrors {
        400 => UNREADABLE_TABLE,
        400 => &["children_file"],
        403 => &["forbidden_role"],
        413 => &["file_too_large", "too_many_rows"],
    }
    ApplyImportErrors {
        400 => &["confirmation_required"],
        403 => &["forbidden_role"],
        404 => &["not_found"],
        409 => &["already_applied", "import_has_errors", "data_changed"],
    }
    LettersErrors {
        403 => &["forbidden_role"],
        404 => &["not_found"],
        409 => &["not_a_parent_import", "not_applied", "nothing_to_print"],
    }
    ActivationEmailsErrors {
        403 => &["forbidden_role"],
        404 => &["not_found"],
        409 => &["not_a_parent_import", "not_applied"],
    }
}

fn default_limit() -> u64 {
    50
}

async fn preview(
    state: &HttpState,
    auth: &Auth,
    kind: ImportKind,
    upload: ImportUpload,
) -> Result<PreviewResponse, AppError> {
    let caller = auth.user().actor();
    caller.require_admin()?;
    let file_name = upload
        .file
        .file_name()
        .map(|name| name.chars().take(255).collect())
        .unwrap_or_else(|| "upload".to_string());
    let bytes = read_upload(upload.file).await?;
    let record = imports::preview(state, &caller, kind, file_name, bytes).await?;
    Ok(PreviewResponse::Created(Json(detail(record)?)))
}

fn counts_of(record: &ImportRecord) -> ImportCountsDto {
    serde_json::from_value::<ImportCounts>(record.counts.clone())
        .unwrap_or_default()
        .into()
}

fn summary(record: ImportRecord) -> ImportSummaryResponse {
    ImportSummaryResponse {
        counts: counts_of(&record),
        id: record.id,
        kind: record.kind,
        file_name: record.file_name,
        status: record.status,
        created_by: record.created_by,
        created_at: record.created_at,
        applied_by: record.applied_by,
        applied_at: record.applied_at,
    }
}

fn group_dtos(problems: &[Problem]) -> Vec<ImportProblemGroupDto> {
    group_problems(problems)
        .into_iter()
        .map(Into::into)
        .collect()
}

fn detail(record: ImportRecord) -> Result<ImportResponse, AppError> {
    let mut response = ImportResponse {
        counts: counts_of(&record),
        id: record.id.clone(),
        kind: record.kind.clone(),
        file_name: record.file_name.clone(),
        status: record.status.clone(),
        created_by: record.created_by,
        created_at: record.created_at,
        applied_by: record.applied_by,
        applied_at: record.applied_at,
        create: Vec::new(),
        update: Vec::new(),
        unchanged: Vec::new(),
        links_to_add: Vec::new(),
        links_missing: Vec::new(),
        groups_to_create: Vec::new(),
        problem_groups: Vec::new(),
        problems: Vec::new(),
    };
    let link = |link: imports::rules::parents::LinkRef| ImportLinkDto {
        email: link.email,
        child_id: link.child_external_id,
        parent_name: link.parent_name,
        child_name: link.child_name,
        group: link.group,
    };
    if record.kind == ImportKind::Parents.code() {
        let plan: ParentPlan = imports::parse_plan(&record)?;
        response.create = plan
            .create
            .into_iter()
            .map(|parent| ImportItemDto {
                line: parent.line,
                key: parent.email,
                first_name: parent.first_name,
                name_prefix: parent.name_prefix,
                last_name: parent.last_name,
                address: parent.address,
                phone: parent.phone,
                group: None,
                language: parent.language.map(Into::into),
                child_ids: parent.child_ids,
            })
            .collect();
        response.update = plan
            .update
            .into_iter()
            .map(|update| ImportUpdateDto {
                line: update.line,
                key: update.email,
                changes: update.changes.into_iter().map(Into::into).collect(),
            })
            .collect();
        response.unchanged = plan.unchanged;
        response.links_to_add = plan.links_to_add.into_iter().map(link).collect();
        response.links_missing = plan.links_missing.into_iter().map(link).collect();
        response.problem_groups = group_dtos(&plan.problems);
        response.problems = plan.problems.into_iter().map(Into::into).collect();
    } else {
        let plan: ChildPlan = imports::parse_plan(&record)?;
        response.create = plan
            .create
            .into_iter()
            .map(|child| ImportItemDto {
                line: child.line,
                key: child.external_id,
                first_name: child.first_name,
                name_prefix: child.name_prefix,
                last_name: child.last_name,
                address: None,
                phone: None,
                group: child.group,
                language: None,
                child_ids: Vec::new(),
            })
            .collect();
        response.update = plan
            .update
            .into_iter()
            .map(|update| ImportUpdateDto {
                line: update.line,
                key: update.external_id,
                changes: update.changes.into_iter().map(Into::into).collect(),
            })
            .collect();
        response.unchanged = plan.unchanged;
        response.groups_to_create = plan.groups_to_create;
        response.problem_groups = group_dtos(&plan.problems);
        response.problems = plan.problems.into_iter().map(Into::into).collect();
    }
    Ok(response)
}
