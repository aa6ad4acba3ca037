//! Run input being typed, kept per run in `localStorage` so a reload or a failed request
//! loses nothing.

use super::storage;

fn key(run_id: &str) -> String {
    format!("flowgate.draft.{run_id}")
}

pub(crate) fn load(run_id: &str) -> Option<String> {
    storage()?.get_item(&key(run_id)).ok().flatten()
}

pub(crate) fn save(run_id: &str, text: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(&key(run_id), text);
    }
}

pub(crate) fn clear(run_id: &str) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(&key(run_id));
    }
}
