//! Run input being typed, kept per run in `localStorage` so a reload or a failed request
//! loses nothing.

fn key(run_id: &str) -> String {
    format!("flowgate.draft.{run_id}")
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
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
