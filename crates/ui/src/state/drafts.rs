//! Run input being typed, kept per run in `localStorage` so a reload or a failed request
//! loses nothing.

use super::storage;

pub(crate) fn key(run_id: &str) -> String {
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

/// The text of the form's JSON sub-editors that does not parse yet, by JSON pointer: it
/// cannot live in the input itself, and must survive a reload all the same.
pub(crate) fn load_unparsed(run_id: &str) -> Vec<(String, String)> {
    storage()
        .and_then(|storage| storage.get_item(&unparsed_key(run_id)).ok().flatten())
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

pub(crate) fn save_unparsed(run_id: &str, unparsed: &[(String, String)]) {
    if let Some(storage) = storage() {
        let _ = if unparsed.is_empty() {
            storage.remove_item(&unparsed_key(run_id))
        } else {
            let text = serde_json::to_string(unparsed).unwrap_or_default();
            storage.set_item(&unparsed_key(run_id), &text)
        };
    }
}

fn unparsed_key(run_id: &str) -> String {
    format!("flowgate.draft.{run_id}.unparsed")
}

pub(crate) fn clear(run_id: &str) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(&key(run_id));
        let _ = storage.remove_item(&unparsed_key(run_id));
    }
}
