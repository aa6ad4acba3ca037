//! State kept in the browser: the connection settings and drafts of run input.

pub(crate) mod connection;
pub(crate) mod drafts;

/// The browser's `localStorage`, when there is one and it may be used.
pub(crate) fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}
