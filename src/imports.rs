//! Import flows: preview an uploaded table (nothing written but the preview record), apply
//! a preview (one transaction, refused when the data changed since), and hand out
//! registration letters and activation e-mails for the parents an import created.

use chrono::Duration;

use crate::{
    accounts::{self, blocking},
    delivery::{self, MailKind},
    domain::{
        import::{
            Severity,
            children::{self as child_import, ChildPlan},
            parents::{self as parent_import, ParentPlan, PhoneCheck},
            table::{self, TableError},
        },
        language::Language,
        tokens::TokenPurpose,
    },
    error::AppError,
    letters::{self, Letter},
    state::AppState,
    store::{
        self,
        imports::{ImportRecord, NewImport},
    },
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportKind {
    Parents,
    Children,
}

impl ImportKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::Parents => "parents",
            Self::Children => "children",
        }
    }
}

/// Checks phone numbers with libphonenumber's rules, numbers without country code being
/// read as the school's country.
struct PhoneRegion(phonenumber::country::Id);

impl PhoneCheck for PhoneRegion {
    fn is_valid_phone(&self, phone: &str) -> bool {
        phonenumber::parse(Some(self.0), phone).is_ok_and(|number| number.is_valid())
    }
}

/// Counts shown with every preview and import record.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct ImportCounts {
    pub create: usize,
    pub update: usize,
    pub unchanged: usize,
    pub links_to_add: usize,
    pub links_missing: usize,
    pub groups_to_create: usize,
    pub errors: usize,
    pub warnings: usize,
}

fn problem_counts(problems: &[crate::domain::import::Problem]) -> (usize, usize) {
    let errors = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    (errors, problems.len() - errors)
}

pub fn parent_counts(plan: &ParentPlan) -> ImportCounts {
    let (errors, warnings) = problem_counts(&plan.problems);
    ImportCounts {
        create: plan.create.len(),
        update: plan.update.len(),
        unchanged: plan.unchanged.len(),
        links_to_add: plan.links_to_add.len(),
        links_missing: plan.links_missing.len(),
        groups_to_create: 0,
        errors,
        warnings,
    }
}

pub fn child_counts(plan: &ChildPlan) -> ImportCounts {
    let (errors, warnings) = problem_counts(&plan.problems);
    ImportCounts {
        create: plan.create.len(),
        update: plan.update.len(),
        unchanged: plan.unchanged.len(),
        groups_to_create: plan.groups_to_create.len(),
        errors,
        warnings,
        ..Default::default()
    }
}

fn table_error(err: TableError) -> AppError {
    let message = format!("{}.", capitalize_first(&err.to_string()));
    match err {
        TableError::TooManyRows(_) => AppError::TooLarge {
            code: err.code(),
            message,
        },
        TableError::MissingColumns(ref columns) => AppError::Invalid {
            code: err.code(),
            message,
            field: Some(columns[0].field()),
            violations: Vec::new(),
        },
        _ => AppError::invalid("file", err.code(), message),
    }
}

fn capitalize_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Reads the upload and plans it against the current data; stores the preview.
#[tracing::instrument(skip_all, fields(kind = kind.code(), bytes = bytes.len()))]
pub async fn preview(
    state: &AppState,
    actor_id: i32,
    kind: ImportKind,
    file_name: String,
    bytes: Vec<u8>,
) -> Result<ImportRecord, AppError> {
    let limits = &state.settings.imports;
    if bytes.len() > limits.max_file_bytes {
        return Err(AppError::TooLarge {
            code: "file_too_large",
            message: format!(
                "The file is larger than {} MB.",
                limits.max_file_bytes / (1024 * 1024)
            ),
        });
    }
    let max_rows = limits.max_rows;
    let (fingerprint, plan, counts) = match kind {
        ImportKind::Parents => {
            let snapshot = store::imports::parent_snapshot(&state.db).await?;
            let phones = PhoneRegion(state.settings.phone_region()?);
            blocking(move || -> Result<_, TableError> {
                let text = table::decode(&bytes)?;
                let table = table::parse(&text, parent_import::REQUIRED_COLUMNS, max_rows)?;
                let plan = parent_import::plan(&table, &snapshot, &phones);
                let counts = parent_counts(&plan);
                Ok((snapshot.fingerprint(), serde_json::to_value(plan), counts))
            })
            .await?
            .map_err(table_error)?
        }
        ImportKind::Children => {
            let snapshot = store::imports::child_snapshot(&state.db).await?;
            blocking(move || -> Result<_, TableError> {
                let text = table::decode(&bytes)?;
                let table = table::parse(&text, child_import::REQUIRED_COLUMNS, max_rows)?;
                let plan = child_import::plan(&table, &snapshot);
                let counts = child_counts(&plan);
                Ok((snapshot.fingerprint(), serde_json::to_value(plan), counts))
            })
            .await?
            .map_err(table_error)?
        }
    };
    let now = state.clock.now();
    let txn = store::begin_write(&state.db).await?;
    let record = store::imports::save_preview(
        &txn,
        NewImport {
            kind: kind.code(),
            file_name,
            fingerprint,
            plan: plan.map_err(anyhow::Error::from)?,
            counts: serde_json::to_value(&counts).map_err(anyhow::Error::from)?,
            created_by: actor_id,
        },
        now,
    )
    .await?;
    store::audit::record(
        &txn,
        Some(actor_id),
        "import.preview",
        format!("import:{}", record.id),
        serde_json::json!({ "kind": kind.code(), "file_name": record.file_name }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(record)
}

/// What applying may do beyond the plan.
#[derive(Clone, Copy, Debug, Default)]
pub struct ApplyOptions {
    pub unlink_missing: bool,
    pub send_activation_emails: bool,
}

/// Applies a previewed import in one transaction: all or nothing. Refused when the preview
/// has errors, was applied already, or the data changed since the preview.
#[tracing::instrument(skip_all, fields(import_id = id))]
pub async fn apply(
    state: &AppState,
    actor_id: i32,
    id: &str,
    options: ApplyOptions,
) -> Result<ImportRecord, AppError> {
    let record = find(state, id).await?;
    if record.status == store::imports::STATUS_APPLIED {
        return Err(already_applied());
    }
    let now = state.clock.now();
    let txn = store::begin_write(&state.db).await?;
    let data_changed = || {
        AppError::conflict(
            "data_changed",
            "Accounts, children or links changed since the preview: preview the file again.",
        )
    };
    let (counts, new_parents) = if record.kind == ImportKind::Parents.code() {
        let plan: ParentPlan = parse_plan(&record)?;
        if plan.has_errors() {
            return Err(has_errors());
        }
        if store::imports::parent_snapshot(&txn).await?.fingerprint() != record.fingerprint {
            return Err(data_changed());
        }
        let language = state.settings.default_language();
        let ids =
            store::imports::apply_parent_plan(&txn, &plan, options.unlink_missing, language, now)
                .await?;
        let new_parents: Vec<i32> = plan
            .create
            .iter()
            .filter_map(|record| ids.get(&record.email).copied())
            .collect();
        let mut counts = parent_counts(&plan);
        if !options.unlink_missing {
            counts.links_missing = 0;
        }
        (counts, new_parents)
    } else {
        let plan: ChildPlan = parse_plan(&record)?;
        if plan.has_errors() {
            return Err(has_errors());
        }
        if store::imports::child_snapshot(&txn).await?.fingerprint() != record.fingerprint {
            return Err(data_changed());
        }
        store::imports::apply_child_plan(&txn, &plan, now).await?;
        (child_counts(&plan), Vec::new())
    };
    if options.send_activation_emails {
        for &user_id in &new_parents {
            accounts::queue_mail(&txn, MailKind::Activation, user_id, now).await?;
        }
    }
    let counts_json = serde_json::to_value(&counts).map_err(anyhow::Error::from)?;
    if !store::imports::mark_applied(&txn, id, actor_id, counts_json, now).await? {
        return Err(already_applied());
    }
    store::audit::record(
        &txn,
        Some(actor_id),
        "import.apply",
        format!("import:{id}"),
        serde_json::json!({
            "kind": record.kind,
            "unlink_missing": options.unlink_missing,
            "activation_emails": options.send_activation_emails,
        }),
        now,
    )
    .await?;
    txn.commit().await?;
    if options.send_activation_emails && !new_parents.is_empty() {
        state.outbox_wakeup.notify_one();
    }
    store::refresh_statistics(&state.db).await;
    find(state, id).await
}

pub async fn find(state: &AppState, id: &str) -> Result<ImportRecord, AppError> {
    store::imports::find(&state.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("import"))
}

pub fn parse_plan<T: serde::de::DeserializeOwned>(record: &ImportRecord) -> Result<T, AppError> {
    serde_json::from_value(record.plan.clone())
        .map_err(|err| AppError::Internal(anyhow::anyhow!("stored import plan unreadable: {err}")))
}

fn already_applied() -> AppError {
    AppError::conflict("already_applied", "This import was applied already.")
}

fn has_errors() -> AppError {
    AppError::conflict(
        "import_has_errors",
        "The file has errors (see the preview's problems): correct the file and preview it again.",
    )
}

/// The parents created by an applied parent import who have not activated yet.
async fn waiting_parents(state: &AppState, id: &str) -> Result<Vec<store::users::User>, AppError> {
    let record = find(state, id).await?;
    if record.kind != ImportKind::Parents.code() {
        return Err(AppError::conflict(
            "not_a_parent_import",
            "Only parent imports have registration letters.",
        ));
    }
    if record.status != store::imports::STATUS_APPLIED {
        return Err(AppError::conflict("not_applied", "Apply the import first."));
    }
    let plan: ParentPlan = parse_plan(&record)?;
    let emails: Vec<String> = plan.create.into_iter().map(|record| record.email).collect();
    Ok(store::imports::invited_accounts(&state.db, &emails).await?)
}

/// One printable PDF with a letter per parent of the import who has not activated yet; each
/// letter carries a fresh activation link. Returns the PDF and the number of letters.
#[tracing::instrument(skip_all, fields(import_id = id))]
pub async fn registration_letters(
    state: &AppState,
    actor_id: i32,
    id: &str,
) -> Result<(Vec<u8>, usize), AppError> {
    let parents = waiting_parents(state, id).await?;
    if parents.is_empty() {
        return Err(AppError::conflict(
            "nothing_to_print",
            "Every parent of this import has activated their account.",
        ));
    }
    let children = store::imports::children_first_names(
        &state.db,
        &parents.iter().map(|parent| parent.id).collect::<Vec<_>>(),
    )
    .await?;
    let now = state.clock.now();
    let security = &state.settings.security;
    let lifetime = Duration::days(security.activation_token_days);
    let school = state.settings.school.name.clone();
    let txn = store::begin_write(&state.db).await?;
    let mut letters = Vec::with_capacity(parents.len());
    for parent in &parents {
        let token =
            store::tokens::issue(&txn, parent.id, TokenPurpose::Activation, lifetime, now).await?;
        let language =
            Language::parse(&parent.language).unwrap_or(state.settings.default_language());
        let values = serde_json::json!({
            "first_name": parent.first_name,
            "last_name": parent.last_name,
            "email": parent.email,
            "school": school,
            "days": security.activation_token_days,
            "children": children.get(&parent.id).map(|names| names.join(", ")).unwrap_or_default(),
        });
        letters.push(Letter {
            school: school.clone(),
            texts: state
                .templates
                .texts("registration_letter", language, &values)?,
            activation_url: delivery::action_link(state.settings.public_url(), "activate", &token),
        });
    }
    store::audit::record(
        &txn,
        Some(actor_id),
        "import.letters",
        format!("import:{id}"),
        serde_json::json!({ "letters": letters.len() }),
        now,
    )
    .await?;
    txn.commit().await?;
    let count = letters.len();
    let pdf = blocking(move || letters::render_pdf(&letters)).await??;
    Ok((pdf, count))
}

/// Queues an activation e-mail for every parent of the import who has not activated yet.
pub async fn send_activation_emails(
    state: &AppState,
    actor_id: i32,
    id: &str,
) -> Result<usize, AppError> {
    let parents = waiting_parents(state, id).await?;
    let now = state.clock.now();
    let txn = store::begin_write(&state.db).await?;
    for parent in &parents {
        accounts::queue_mail(&txn, MailKind::Activation, parent.id, now).await?;
    }
    store::audit::record(
        &txn,
        Some(actor_id),
        "import.activation_emails",
        format!("import:{id}"),
        serde_json::json!({ "queued": parents.len() }),
        now,
    )
    .await?;
    txn.commit().await?;
    state.outbox_wakeup.notify_one();
    Ok(parents.len())
}
