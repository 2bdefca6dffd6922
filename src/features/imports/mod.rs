//! Imports of children and parents from the school administration export (admins only):
//! preview an uploaded table (nothing written but the preview record), apply a preview (one
//! transaction, refused when the data changed since), and hand out registration letters and
//! activation e-mails for the parents an import created.

pub mod letters;
pub mod rules;
pub mod store;

use crate::platform::services::Services;
use crate::{
    app::{
        actor::Actor,
        error::{AppError, blocking, sentence},
    },
    features::accounts::{self, AccountMail},
    platform::db::{self, AuditedWrite},
};
use letters::Letter;
use rules::{
    Severity,
    children::{self as child_import, ChildPlan},
    parents::{self as parent_import, ParentPlan, PhoneCheck},
    table::{self, TableError},
};
use store::{ImportRecord, NewImport};

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

/// Checks phone numbers with libphonenumber's rules. A number without country code is read
/// as the school's country first, then as any country of the EU, the EEA, Switzerland or the
/// UK: families near a border give their own country's numbers.
struct PhoneRegion(phonenumber::country::Id);

const NEIGHBOUR_REGIONS: [phonenumber::country::Id; 32] = {
    use phonenumber::country::Id::*;
    [
        AT, BE, BG, HR, CY, CZ, DK, EE, FI, FR, DE, GR, HU, IE, IT, LV, LT, LU, MT, NL, PL, PT, RO,
        SK, SI, ES, SE, IS, LI, NO, CH, GB,
    ]
};

impl PhoneCheck for PhoneRegion {
    fn is_valid_phone(&self, phone: &str) -> bool {
        let valid_in =
            |region| phonenumber::parse(Some(region), phone).is_ok_and(|number| number.is_valid());
        valid_in(self.0) || NEIGHBOUR_REGIONS.into_iter().any(valid_in)
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

fn problem_counts(problems: &[rules::Problem]) -> (usize, usize) {
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
    let message = sentence(&err);
    match err {
        TableError::TooManyRows(_) => AppError::TooLarge {
            code: err.code(),
            message,
        },
        TableError::MissingColumns(ref columns) => AppError::Invalid {
            code: err.code(),
            message,
            field: Some(columns[0].field().into()),
            violations: Vec::new(),
        },
        _ => AppError::invalid("file", err.code(), message),
    }
}

/// Reads the upload and plans it against the current data; stores the preview.
#[tracing::instrument(skip_all, fields(kind = kind.code(), bytes = bytes.len()))]
pub async fn preview(
    services: &Services,
    actor: &Actor,
    kind: ImportKind,
    file_name: String,
    bytes: Vec<u8>,
) -> Result<ImportRecord, AppError> {
    actor.require_admin()?;
    let limits = &services.settings.imports;
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
            let snapshot = store::parent_snapshot(&services.db).await?;
            let phones = PhoneRegion(services.settings.phone_region()?);
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
            let snapshot = store::child_snapshot(&services.db).await?;
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
    let write = AuditedWrite::begin(services, actor.id, "import.preview").await?;
    let record = store::save_preview(
        write.txn(),
        NewImport {
            kind: kind.code(),
            file_name,
            fingerprint,
            plan: plan.map_err(anyhow::Error::from)?,
            counts: serde_json::to_value(&counts).map_err(anyhow::Error::from)?,
            created_by: actor.id,
        },
        write.now(),
    )
    .await?;
    write
        .commit(
            format!("import:{}", record.id),
            serde_json::json!({ "kind": kind.code(), "file_name": record.file_name }),
        )
        .await?;
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
    services: &Services,
    actor: &Actor,
    id: &str,
    options: ApplyOptions,
) -> Result<ImportRecord, AppError> {
    let record = find(services, actor, id).await?;
    if record.status == store::STATUS_APPLIED {
        return Err(already_applied());
    }
    let write = AuditedWrite::begin(services, actor.id, "import.apply").await?;
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
        if store::parent_snapshot(write.txn()).await?.fingerprint() != record.fingerprint {
            return Err(data_changed());
        }
        let language = services.settings.default_language();
        let ids = store::apply_parent_plan(
            write.txn(),
            &plan,
            options.unlink_missing,
            language,
            write.now(),
        )
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
        if store::child_snapshot(write.txn()).await?.fingerprint() != record.fingerprint {
            return Err(data_changed());
        }
        store::apply_child_plan(write.txn(), &plan, write.now()).await?;
        (child_counts(&plan), Vec::new())
    };
    if options.send_activation_emails {
        accounts::queue_mail(
            write.txn(),
            AccountMail::Activation,
            &new_parents,
            write.now(),
        )
        .await?;
    }
    let counts_json = serde_json::to_value(&counts).map_err(anyhow::Error::from)?;
    if !store::mark_applied(write.txn(), id, actor.id, counts_json, write.now()).await? {
        return Err(already_applied());
    }
    write
        .commit(
            format!("import:{id}"),
            serde_json::json!({
            "kind": record.kind,
            "unlink_missing": options.unlink_missing,
            "activation_emails": options.send_activation_emails,
            }),
        )
        .await?;
    if options.send_activation_emails && !new_parents.is_empty() {
        services.outbox.wake();
    }
    db::refresh_statistics(&services.db).await;
    find(services, actor, id).await
}

/// One import with its plan (admins).
pub async fn find(services: &Services, actor: &Actor, id: &str) -> Result<ImportRecord, AppError> {
    actor.require_admin()?;
    store::find(&services.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("import"))
}

/// The newest imports first (admins).
pub async fn recent(
    services: &Services,
    actor: &Actor,
    limit: u64,
) -> Result<Vec<ImportRecord>, AppError> {
    actor.require_admin()?;
    Ok(store::recent(&services.db, limit).await?)
}

pub fn parse_plan<T: serde::de::DeserializeOwned>(record: &ImportRecord) -> Result<T, AppError> {
    serde_json::from_value(record.plan.clone())
        .map_err(|err| AppError::internal(format!("stored import plan unreadable: {err}")))
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
async fn waiting_parents(
    services: &Services,
    actor: &Actor,
    id: &str,
) -> Result<Vec<accounts::User>, AppError> {
    let record = find(services, actor, id).await?;
    if record.kind != ImportKind::Parents.code() {
        return Err(AppError::conflict(
            "not_a_parent_import",
            "Only parent imports have registration letters.",
        ));
    }
    if record.status != store::STATUS_APPLIED {
        return Err(AppError::conflict("not_applied", "Apply the import first."));
    }
    let plan: ParentPlan = parse_plan(&record)?;
    let emails: Vec<String> = plan.create.into_iter().map(|record| record.email).collect();
    Ok(store::invited_accounts(&services.db, &emails).await?)
}

/// One printable PDF with a letter per parent of the import who has not activated yet; each
/// letter carries a fresh activation link. Returns the PDF and the number of letters.
#[tracing::instrument(skip_all, fields(import_id = id))]
pub async fn registration_letters(
    services: &Services,
    actor: &Actor,
    id: &str,
) -> Result<(Vec<u8>, usize), AppError> {
    let parents = waiting_parents(services, actor, id).await?;
    if parents.is_empty() {
        return Err(AppError::conflict(
            "nothing_to_print",
            "Every parent of this import has activated their account.",
        ));
    }
    let children = store::children_first_names(
        &services.db,
        &parents.iter().map(|parent| parent.id).collect::<Vec<_>>(),
    )
    .await?;
    let security = &services.settings.security;
    let school = services.settings.school.name.clone();
    let write = AuditedWrite::begin(services, actor.id, "import.letters").await?;
    let mut letters = Vec::with_capacity(parents.len());
    for parent in &parents {
        let activation_url =
            accounts::activation_link(services, write.txn(), parent.id, write.now()).await?;
        let language = parent.language;
        let values = serde_json::json!({
            "first_name": parent.first_name,
            "full_name": parent.full_name(),
            "email": parent.email,
            "school": school,
            "days": security.activation_token_days,
            "children": children.get(&parent.id).map(|names| names.join(", ")).unwrap_or_default(),
        });
        letters.push(Letter {
            school: school.clone(),
            texts: services
                .templates
                .texts("registration_letter", language, &values)?,
            activation_url,
        });
    }
    write
        .commit(
            format!("import:{id}"),
            serde_json::json!({ "letters": letters.len() }),
        )
        .await?;
    let count = letters.len();
    let pdf = blocking(move || letters::render_pdf(&letters)).await??;
    Ok((pdf, count))
}

/// Queues an activation e-mail for every parent of the import who has not activated yet.
pub async fn send_activation_emails(
    services: &Services,
    actor: &Actor,
    id: &str,
) -> Result<usize, AppError> {
    let parents = waiting_parents(services, actor, id).await?;
    let write = AuditedWrite::begin(services, actor.id, "import.activation_emails").await?;
    let ids: Vec<i32> = parents.iter().map(|parent| parent.id).collect();
    accounts::queue_mail(write.txn(), AccountMail::Activation, &ids, write.now()).await?;
    write
        .commit(
            format!("import:{id}"),
            serde_json::json!({ "queued": parents.len() }),
        )
        .await?;
    services.outbox.wake();
    Ok(parents.len())
}
