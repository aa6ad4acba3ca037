//! Server health and version.

use crate::request::Method;
use crate::{Client, ClientError};

const NO_BODY: Option<&()> = None;

impl Client {
    /// HTTP GET /health: `true` when the server is up.
    pub async fn health(&self) -> Result<bool, ClientError> {
        self.fetch(Method::Get, "/health", NO_BODY, "health answer", || {
            "The health endpoint".into()
        })
        .await
    }

    /// HTTP GET /admin/version: the server's Prefect version, e.g. `3.9.1`.
    pub async fn server_version(&self) -> Result<String, ClientError> {
        self.fetch(
            Method::Get,
            "/admin/version",
            NO_BODY,
            "server version",
            || "The version endpoint".into(),
        )
        .await
    }
}
