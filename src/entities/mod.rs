//! sea-orm models, one file per table, with typed columns (`DeriveActiveEnum` enums stored
//! as the strings they always were). Behaviour lives in the features and the platform.

pub mod agenda_item_groups;
pub mod agenda_items;
pub mod agenda_skips;
pub mod album_photos;
pub mod albums;
pub mod attachment_blobs;
pub mod attachments;
pub mod audit_log;
pub mod calendar_feeds;
pub mod child_notes;
pub mod children;
pub mod conference_bookings;
pub mod conference_claims;
pub mod conference_invitations;
pub mod conference_rounds;
pub mod conference_slots;
pub mod document_folders;
pub mod documents;
pub mod email_changes;
pub mod files;
pub mod groups;
pub mod imports;
pub mod notification_opt_outs;
pub mod one_time_tokens;
pub mod outbox;
pub mod parent_children;
pub mod photo_consents;
pub mod photo_tags;
pub mod post_groups;
pub mod post_receipts;
pub mod post_replies;
pub mod posts;
pub mod privacy_choices;
pub mod push_subscriptions;
pub mod recovery_codes;
pub mod scheduled_runs;
pub mod server_keys;
pub mod sessions;
pub mod teacher_groups;
pub mod thread_reads;
pub mod two_factor;
pub mod user_contacts;
pub mod users;

/// A full name as it is written: first name, prefix and last name ("Anke van der Berg").
/// Lists sort by the last name alone, so "van der Berg" sorts under B, the Dutch way.
pub fn full_name(first: &str, prefix: Option<&str>, last: &str) -> String {
    [Some(first), prefix, Some(last)]
        .into_iter()
        .flatten()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
