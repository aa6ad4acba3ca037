//! State kept in the browser: the connection settings, drafts of run input, and live
//! updates from the server.

pub(crate) mod connection;
pub(crate) mod drafts;
pub(crate) mod gate;
pub(crate) mod live;
pub(crate) mod notify;
pub(crate) mod pattern_checks;
pub(crate) mod reread;

/// The browser's `localStorage`, when there is one and it may be used.
pub(crate) fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}
