//! Answers that are costly to make and cheap to check: a calendar feed of 2,000 items takes
//! milliseconds to write, but whether anything in it changed is one small query. Each is kept
//! with the validator it was made for (the state it shows) and served again while the
//! validator is the same; a different validator makes it anew. Within this process only:
//! every process checks the validator against the shared database itself.

use std::sync::Arc;

use bytes::Bytes;
use moka::sync::Cache;

/// What was made, for which state.
pub struct Rendered {
    pub validator: String,
    pub body: Bytes,
    /// A tag of the body's content (for ETag).
    pub tag: String,
}

pub struct RenderedCache {
    entries: Cache<String, Arc<Rendered>>,
}

/// How many bytes of answers are kept at most.
const MAX_BYTES: u64 = 64 * 1024 * 1024;

impl Default for RenderedCache {
    fn default() -> Self {
        Self {
            entries: Cache::builder()
                .max_capacity(MAX_BYTES)
                .weigher(|key: &String, value: &Arc<Rendered>| {
                    u32::try_from(key.len() + value.body.len() + value.validator.len())
                        .unwrap_or(u32::MAX)
                })
                .build(),
        }
    }
}

impl RenderedCache {
    /// The answer kept under `key`, if it was made for `validator`.
    pub fn get(&self, key: &str, validator: &str) -> Option<Arc<Rendered>> {
        self.entries
            .get(key)
            .filter(|rendered| rendered.validator == validator)
    }

    pub fn put(&self, key: String, rendered: Arc<Rendered>) {
        self.entries.insert(key, rendered);
    }

    pub fn forget(&self, key: &str) {
        self.entries.invalidate(key);
    }
}
