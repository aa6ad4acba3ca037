//! State kept in the browser: the connection settings and drafts of run input.

pub(crate) mod connection;
pub(crate) mod drafts;
