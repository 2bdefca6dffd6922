//! Typed settings: `config/default.toml` (embedded) < `config/{SCHOOLGATE_ENV}.toml` <
//! `SCHOOLGATE_<SECTION>__<KEY>` environment variables. Validated once at start so a bad
//! value stops the server with a message naming its key.

use chrono::Datelike;
use std::{collections::HashMap, fmt, net::SocketAddr, path::PathBuf};

use anyhow::{Context, bail};
use serde::Deserialize;

use crate::entities::{
    privacy_choices::{Field, Visibility},
    users::Language,
};

const EMBEDDED_DEFAULTS: &str = include_str!("../../config/default.toml");

#[derive(Clone, Debug, Deserialize)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub school: SchoolSettings,
    pub mail: MailSettings,
    pub security: SecuritySettings,
    pub imports: ImportSettings,
    pub push: PushSettings,
    pub delivery: DeliverySettings,
    pub schedule: ScheduleSettings,
    pub files: FilesSettings,
    pub privacy: PrivacySettings,
    pub albums: AlbumSettings,
    pub conferences: ConferenceSettings,
}

/// Cron expressions (seconds first) read in `school.time_zone`.
#[derive(Clone, Debug, Deserialize)]
pub struct ScheduleSettings {
    pub digest: String,
    pub news_batch: String,
    /// When albums past `albums.keep_school_years` are deleted.
    pub album_retention: String,
    /// When tomorrow's talks are pushed to booked parents and required bookings reminded.
    pub conference_reminders: String,
    pub catch_up_hours: u32,
    /// Whether this process starts due runs (any number of processes may: each run is
    /// taken by one of them).
    pub run_scheduler: bool,
    /// How often the scheduler looks for due runs.
    pub check_seconds: u32,
}

#[derive(Clone, Debug, Deserialize)]
pub struct DeliverySettings {
    pub run_worker: bool,
    /// How long a claim holds without renewal; a live worker renews its claims well before.
    pub lease_seconds: u32,
    /// After SIGTERM, how long sends under way may take before unsent claims are handed back.
    pub shutdown_seconds: u32,
    /// This process's name on its claims, the same after a restart (default: host name and
    /// port), so a restarted process takes back its dead predecessor's claims at once.
    pub worker_name: String,
    pub retry: RetrySettings,
}

/// How long to wait before each retry, per channel, for urgent notices and the rest.
#[derive(Clone, Debug, Deserialize)]
pub struct RetrySettings {
    pub urgent_push: RetryPolicy,
    pub urgent_email: RetryPolicy,
    pub push: RetryPolicy,
    pub email: RetryPolicy,
}

/// Retries start after `first_seconds` and double (with jitter) up to `max_seconds`; the
/// delivery is given up `give_up_after_seconds` after it was queued. A 429's Retry-After is
/// waited for without counting as a failure.
#[derive(Clone, Copy, Debug, Deserialize)]
pub struct RetryPolicy {
    pub first_seconds: f64,
    pub max_seconds: f64,
    pub give_up_after_seconds: u32,
}

#[derive(Clone, Debug, Deserialize)]
pub struct PushSettings {
    pub allowed_hosts: Vec<String>,
    pub allow_insecure: bool,
    pub subject: String,
    pub vapid_private_key: Secret,
    pub urgent_ttl_seconds: u32,
    pub ttl_seconds: u32,
    /// Devices one user may have; a new one beyond replaces the oldest.
    pub max_devices_per_user: u32,
}

#[derive(Clone, Debug, Deserialize)]
pub struct ImportSettings {
    pub max_file_bytes: usize,
    pub max_rows: usize,
}

#[derive(Clone, Debug, Deserialize)]
pub struct ServerSettings {
    pub bind: String,
    pub public_url: String,
    pub secure_cookies: bool,
    pub max_body_bytes: usize,
    /// The folder of the web app (`pwa/`), relative to the working directory or absolute.
    pub pwa_dir: std::path::PathBuf,
    /// Reverse proxies (addresses or networks) whose `X-Forwarded-For`/`Forwarded` is believed.
    pub trusted_proxies: Vec<String>,
    /// Seconds for a request's headers to arrive, and for an idle kept-alive connection.
    pub header_read_timeout_seconds: u64,
    /// Seconds a request body may stall between two pieces.
    pub body_read_timeout_seconds: u64,
}

#[derive(Clone, Debug, Deserialize)]
pub struct DatabaseSettings {
    pub url: Secret,
    pub max_connections: u32,
}

#[derive(Clone, Debug, Deserialize)]
pub struct SchoolSettings {
    pub name: String,
    pub time_zone: String,
    pub languages: Vec<String>,
    pub default_language: String,
    pub phone_region: String,
    /// The first day of the school year, "MM-DD".
    pub school_year_starts: String,
    /// The school's logo for the app's header and login (PNG, JPEG or WebP, at most 1 MB).
    #[serde(default)]
    pub logo: Option<PathBuf>,
}

/// The largest logo the app serves: it is shown small, on every screen.
pub const MAX_LOGO_BYTES: u64 = 1024 * 1024;

impl SchoolSettings {
    /// The logo's bytes and their content type, read and checked (None without a logo).
    pub fn read_logo(&self) -> anyhow::Result<Option<(Vec<u8>, &'static str)>> {
        let Some(path) = &self.logo else {
            return Ok(None);
        };
        let bytes = std::fs::read(path)
            .with_context(|| format!("school.logo: cannot read {}", path.display()))?;
        if bytes.len() as u64 > MAX_LOGO_BYTES {
            bail!("school.logo: {} is larger than 1 MB", path.display());
        }
        let content_type = match bytes.as_slice() {
            [0x89, b'P', b'N', b'G', ..] => "image/png",
            [0xFF, 0xD8, 0xFF, ..] => "image/jpeg",
            [
                b'R',
                b'I',
                b'F',
                b'F',
                _,
                _,
                _,
                _,
                b'W',
                b'E',
                b'B',
                b'P',
                ..,
            ] => "image/webp",
            _ => bail!(
                "school.logo: {} is not a PNG, JPEG or WebP image",
                path.display()
            ),
        };
        Ok(Some((bytes, content_type)))
    }
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum MailTransportKind {
    Folder,
    Smtp,
}

#[derive(Clone, Debug, Deserialize)]
pub struct MailSettings {
    pub from: String,
    pub transport: MailTransportKind,
    pub folder: PathBuf,
    pub smtp: SmtpSettings,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    Starttls,
    Tls,
    None,
}

#[derive(Clone, Debug, Deserialize)]
pub struct SmtpSettings {
    /// Connections kept open to the SMTP server (mails sent at the same time).
    pub pool_size: u32,
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: String,
    pub password: Secret,
    pub timeout_seconds: u64,
}

#[derive(Clone, Debug, Deserialize)]
pub struct SecuritySettings {
    pub session_days: i64,
    /// A session unused this long ends, however long it had left.
    pub session_idle_days: i64,
    /// Teachers and admins must use two-step login.
    pub two_factor_required_for_staff: bool,
    pub session_cache_seconds: u64,
    pub activation_token_days: i64,
    pub reset_token_minutes: i64,
    pub consent_version: String,
    pub login_attempts_per_account_per_minute: u32,
    pub auth_requests_per_client_per_minute: u32,
    pub forgot_password_per_account_per_hour: u32,
}

/// What parents see of each other: `[privacy]`. Families choose per field; the school sets
/// what holds until they do (`defaults`) and what holds whatever they choose (`locks`).
#[derive(Clone, Debug, Deserialize)]
pub struct PrivacySettings {
    /// Parents see each other in the groups directory. Off: only staff see families' data.
    pub directory: bool,
    #[serde(default)]
    pub defaults: HashMap<Field, Visibility>,
    #[serde(default)]
    pub locks: HashMap<Field, Visibility>,
}

/// Photo albums and photo consent: `[albums]`.
#[derive(Clone, Debug, Deserialize)]
pub struct AlbumSettings {
    /// Largest photo sent to an album, in bytes.
    pub max_photo_bytes: u64,
    /// Largest picture, in millions of pixels (decompression bombs claim far more).
    pub max_megapixels: u32,
    pub max_photos_per_album: u32,
    /// Keep each upload as sent (staff only); otherwise only the re-encoded copies.
    pub keep_originals: bool,
    /// Parents may download photos (a button in the viewer).
    pub allow_download: bool,
    /// Albums are deleted, files included, this many school years after theirs ended.
    pub keep_school_years: u32,
    /// Photos decoded at the same time by this process.
    pub processing_at_once: usize,
    /// Consent is asked again each school year: last year's answer no longer counts.
    pub consent_each_school_year: bool,
    /// From this day of the school year ("MM-DD") families no longer give consent in the
    /// app (the office still records it); withdrawing stays possible. Empty: never locked.
    pub consent_locked_from: String,
}

/// Parent-teacher conferences: `[conferences]`.
#[derive(Clone, Debug, Deserialize)]
pub struct ConferenceSettings {
    /// A family is warned when two of its talks are less than this many minutes apart.
    pub family_gap_minutes: u32,
    /// The time of day the app proposes for booking to open ("HH:MM"; not midnight, so
    /// night owls get no head start).
    pub default_opening_time: String,
}

/// Where uploaded files (attachments, documents, photos) are kept: `[files]`.
#[derive(Clone, Debug, Deserialize)]
pub struct FilesSettings {
    pub backend: FilesBackend,
    /// The local backend's folder (relative to the working directory, or absolute); created
    /// when missing.
    pub folder: PathBuf,
    /// Largest file attached to a post, in bytes.
    pub max_attachment_bytes: u64,
    /// Largest document, in bytes.
    pub max_document_bytes: u64,
    /// Largest photo upload (profile and child photos), in bytes.
    pub max_photo_bytes: u64,
    pub s3: FilesS3Settings,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum FilesBackend {
    Local,
    S3,
}

/// An S3-compatible object store (AWS S3, MinIO, Garage, Ceph, ...), addressed path-style.
#[derive(Clone, Debug, Deserialize)]
pub struct FilesS3Settings {
    pub bucket: String,
    pub region: String,
    /// Empty: AWS's own endpoint for `region`.
    pub endpoint: String,
    pub access_key_id: String,
    pub secret_access_key: Secret,
    /// Allow an `http://` endpoint (a service on the same host or network only).
    pub allow_http: bool,
}

impl FilesSettings {
    /// Checks the keys the chosen backend needs; errors name the key.
    pub fn validate(&self) -> anyhow::Result<()> {
        if self.max_attachment_bytes == 0 {
            bail!("files.max_attachment_bytes: must be greater than 0");
        }
        if self.max_document_bytes == 0 {
            bail!("files.max_document_bytes: must be greater than 0");
        }
        if self.max_photo_bytes == 0 {
            bail!("files.max_photo_bytes: must be greater than 0");
        }
        match self.backend {
            FilesBackend::Local => {
                if self.folder.as_os_str().is_empty() {
                    bail!("files.folder: must be set when files.backend is \"local\"");
                }
            }
            FilesBackend::S3 => {
                let s3 = &self.s3;
                for (key, value) in [
                    ("files.s3.bucket", s3.bucket.as_str()),
                    ("files.s3.region", s3.region.as_str()),
                    ("files.s3.access_key_id", s3.access_key_id.as_str()),
                    ("files.s3.secret_access_key", s3.secret_access_key.expose()),
                ] {
                    if value.trim().is_empty() {
                        bail!("{key}: must be set when files.backend is \"s3\"");
                    }
                }
                if !s3.endpoint.is_empty() {
                    let url = url::Url::parse(&s3.endpoint).with_context(|| {
                        format!("files.s3.endpoint: '{}' is not a URL", s3.endpoint)
                    })?;
                    match url.scheme() {
                        "https" => {}
                        "http" if s3.allow_http => {}
                        "http" => bail!(
                            "files.s3.endpoint: an http:// endpoint needs files.s3.allow_http = true"
                        ),
                        _ => bail!("files.s3.endpoint: must start with http:// or https://"),
                    }
                }
            }
        }
        Ok(())
    }
}

/// A string that never shows in logs or `Debug` output.
#[derive(Clone, Deserialize, Default)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

fn embedded_source() -> config::File<config::FileSourceString, config::FileFormat> {
    config::File::from_str(EMBEDDED_DEFAULTS, config::FileFormat::Toml)
}

impl Settings {
    /// The embedded defaults alone, without files or environment (tests start from these).
    pub fn embedded_defaults() -> anyhow::Result<Self> {
        config::Config::builder()
            .add_source(embedded_source())
            .build()?
            .try_deserialize()
            .context("embedded defaults")
    }

    /// Loads the layered settings and validates them.
    pub fn load() -> anyhow::Result<Self> {
        let environment = std::env::var("SCHOOLGATE_ENV").unwrap_or_else(|_| "local".into());
        let settings: Settings = config::Config::builder()
            .add_source(embedded_source())
            .add_source(config::File::with_name(&format!("config/{environment}")).required(false))
            .add_source(
                config::Environment::with_prefix("SCHOOLGATE")
                    .prefix_separator("_")
                    .separator("__")
                    .list_separator(",")
                    .with_list_parse_key("school.languages")
                    .with_list_parse_key("push.allowed_hosts")
                    .with_list_parse_key("server.trusted_proxies")
                    .try_parsing(true),
            )
            .build()
            .context("reading configuration")?
            .try_deserialize()
            .context("configuration has a wrong value")?;
        settings.validate()?;
        Ok(settings)
    }

    /// Checks every value whose type alone does not make it valid.
    pub fn validate(&self) -> anyhow::Result<()> {
        self.bind_address()?;
        let url = url::Url::parse(&self.server.public_url).with_context(|| {
            format!(
                "server.public_url: '{}' is not a URL",
                self.server.public_url
            )
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            bail!("server.public_url: must start with http:// or https://");
        }
        self.time_zone()?;
        self.school.read_logo()?;
        self.school_year_start()?;
        self.consent_locked_from()?;
        if self.albums.max_photo_bytes == 0
            || self.albums.max_megapixels == 0
            || self.albums.max_photos_per_album == 0
            || self.albums.processing_at_once == 0
        {
            bail!(
                "albums: max_photo_bytes, max_megapixels, max_photos_per_album and \
                 processing_at_once must be greater than 0"
            );
        }
        if self.school.languages.is_empty() {
            bail!("school.languages: name at least one of nl, de, en");
        }
        for code in &self.school.languages {
            Language::parse(code)
                .with_context(|| format!("school.languages: '{code}' is not one of nl, de, en"))?;
        }
        let default = Language::parse(&self.school.default_language).with_context(|| {
            format!(
                "school.default_language: '{}' is not one of nl, de, en",
                self.school.default_language
            )
        })?;
        if !self.languages().contains(&default) {
            bail!("school.default_language: must be one of school.languages");
        }
        self.phone_region()?;
        cron_expression("schedule.digest", &self.schedule.digest)?;
        cron_expression("schedule.news_batch", &self.schedule.news_batch)?;
        cron_expression("schedule.album_retention", &self.schedule.album_retention)?;
        cron_expression(
            "schedule.conference_reminders",
            &self.schedule.conference_reminders,
        )?;
        if chrono::NaiveTime::parse_from_str(&self.conferences.default_opening_time, "%H:%M")
            .is_err()
        {
            bail!("conferences.default_opening_time: not a time such as 19:00");
        }
        if self.schedule.check_seconds < 1 {
            bail!("schedule.check_seconds: must be at least 1");
        }
        if self.push.max_devices_per_user < 1 {
            bail!("push.max_devices_per_user: must be at least 1");
        }
        if self.server.header_read_timeout_seconds < 1 || self.server.body_read_timeout_seconds < 1
        {
            bail!(
                "server.header_read_timeout_seconds and server.body_read_timeout_seconds: must be \
                 at least 1"
            );
        }
        if self.delivery.lease_seconds < 3 {
            bail!("delivery.lease_seconds: must be at least 3 (claims are renewed every third)");
        }
        let retry = &self.delivery.retry;
        for (key, policy) in [
            ("urgent_push", retry.urgent_push),
            ("urgent_email", retry.urgent_email),
            ("push", retry.push),
            ("email", retry.email),
        ] {
            if !(policy.first_seconds > 0.0 && policy.first_seconds <= policy.max_seconds) {
                bail!(
                    "delivery.retry.{key}: first_seconds must be above 0 and at most max_seconds"
                );
            }
        }
        self.files.validate()?;
        self.mail
            .from
            .parse::<lettre::message::Mailbox>()
            .with_context(|| format!("mail.from: '{}' is not a mail address", self.mail.from))?;
        for (key, value) in [
            ("security.session_days", self.security.session_days),
            (
                "security.session_idle_days",
                self.security.session_idle_days,
            ),
            (
                "security.activation_token_days",
                self.security.activation_token_days,
            ),
            (
                "security.reset_token_minutes",
                self.security.reset_token_minutes,
            ),
        ] {
            if value <= 0 {
                bail!("{key}: must be greater than 0");
            }
        }
        for (key, value) in [
            (
                "security.login_attempts_per_account_per_minute",
                self.security.login_attempts_per_account_per_minute,
            ),
            (
                "security.auth_requests_per_client_per_minute",
                self.security.auth_requests_per_client_per_minute,
            ),
            (
                "security.forgot_password_per_account_per_hour",
                self.security.forgot_password_per_account_per_hour,
            ),
        ] {
            if value == 0 {
                bail!("{key}: must be greater than 0");
            }
        }
        Ok(())
    }

    pub fn bind_address(&self) -> anyhow::Result<SocketAddr> {
        self.server
            .bind
            .parse()
            .with_context(|| format!("server.bind: '{}' is not host:port", self.server.bind))
    }

    /// The schedule a cron expression of the setting `key` describes, in the school's time
    /// zone; a wrong expression names the key.
    pub fn cron_schedule(&self, key: &str, expression: &str) -> anyhow::Result<CronSchedule> {
        Ok(CronSchedule {
            schedule: cron_expression(key, expression)?,
            zone: self.time_zone()?,
        })
    }

    /// The first day of the school year as (month, day).
    pub fn school_year_start(&self) -> anyhow::Result<(u32, u32)> {
        month_day("school.school_year_starts", &self.school.school_year_starts)
    }

    /// The day of the school year from which families no longer give photo consent.
    pub fn consent_locked_from(&self) -> anyhow::Result<Option<(u32, u32)>> {
        let value = self.albums.consent_locked_from.trim();
        if value.is_empty() {
            return Ok(None);
        }
        month_day("albums.consent_locked_from", value).map(Some)
    }

    pub fn time_zone(&self) -> anyhow::Result<chrono_tz::Tz> {
        self.school.time_zone.parse().map_err(|_| {
            anyhow::anyhow!(
                "school.time_zone: '{}' is not an IANA time zone such as Europe/Amsterdam",
                self.school.time_zone
            )
        })
    }

    pub fn phone_region(&self) -> anyhow::Result<phonenumber::country::Id> {
        self.school
            .phone_region
            .to_uppercase()
            .parse()
            .map_err(|_| {
                anyhow::anyhow!(
                    "school.phone_region: '{}' is not a country code such as NL or DE",
                    self.school.phone_region
                )
            })
    }

    /// The languages the school offers (validated at load).
    pub fn languages(&self) -> Vec<Language> {
        self.school
            .languages
            .iter()
            .filter_map(|code| Language::parse(code).ok())
            .collect()
    }

    pub fn default_language(&self) -> Language {
        Language::parse(&self.school.default_language).unwrap_or(Language::En)
    }

    /// The VAPID `sub` claim: `push.subject`, or a mailto: of the sender address.
    pub fn push_subject(&self) -> String {
        if !self.push.subject.is_empty() {
            return self.push.subject.clone();
        }
        let address = self
            .mail
            .from
            .parse::<lettre::message::Mailbox>()
            .map(|mailbox| mailbox.email.to_string())
            .unwrap_or_default();
        format!("mailto:{address}")
    }

    /// The public base URL without a trailing slash.
    pub fn public_url(&self) -> &str {
        self.server.public_url.trim_end_matches('/')
    }

    pub fn is_postgres(&self) -> bool {
        self.database.url.expose().starts_with("postgres")
    }
}

/// A cron expression (seconds first, as the `cron` crate reads it) in the school's time zone.
#[derive(Clone, Debug)]
pub struct CronSchedule {
    pub schedule: cron::Schedule,
    pub zone: chrono_tz::Tz,
}

/// The cron expression of the setting `key`; a wrong one names the key.
/// A day of the year written "MM-DD" (February 29 is refused: it is not in every year).
fn month_day(key: &str, value: &str) -> anyhow::Result<(u32, u32)> {
    let date = chrono::NaiveDate::parse_from_str(&format!("2001-{value}"), "%Y-%m-%d")
        .with_context(|| format!("{key}: '{value}' is not a day written MM-DD, e.g. 08-01"))?;
    Ok((date.month(), date.day()))
}

fn cron_expression(key: &str, expression: &str) -> anyhow::Result<cron::Schedule> {
    expression.parse().map_err(|err| {
        anyhow::anyhow!(
            "{key}: '{expression}' is not a cron expression such as \"0 30 17 * * Wed\" \
             (seconds minutes hours day-of-month month day-of-week): {err}"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> Settings {
        Settings::embedded_defaults().unwrap()
    }

    #[test]
    fn embedded_defaults_are_valid() {
        defaults().validate().unwrap();
    }

    #[test]
    fn a_bad_time_zone_names_its_key() {
        let mut settings = defaults();
        settings.school.time_zone = "Mars/Olympus".into();
        let err = settings.validate().unwrap_err().to_string();
        assert!(err.contains("school.time_zone"), "{err}");
    }

    #[test]
    fn a_bad_schedule_names_its_key() {
        let mut settings = defaults();
        settings.schedule.news_batch = "every friday".into();
        let err = settings.validate().unwrap_err().to_string();
        assert!(err.contains("schedule.news_batch"), "{err}");
    }

    #[test]
    fn an_s3_file_store_without_a_bucket_names_its_key() {
        let mut settings = defaults();
        settings.files.backend = FilesBackend::S3;
        settings.files.s3.region = "eu-west-1".into();
        let err = settings.validate().unwrap_err().to_string();
        assert_eq!(
            err,
            "files.s3.bucket: must be set when files.backend is \"s3\""
        );
    }

    #[test]
    fn secrets_are_redacted_in_debug_output() {
        let mut settings = defaults();
        settings.mail.smtp.password = Secret::new("hunter2");
        assert!(!format!("{settings:?}").contains("hunter2"));
    }
}
