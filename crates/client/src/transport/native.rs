//! The native network: reqwest on tokio, one connection pool for the process.

use std::sync::OnceLock;
use std::time::Duration;

use super::{NoAnswer, Reply};
use crate::request::{ApiRequest, Method};

/// The process's HTTP client: its connections are kept alive and shared by every request.
fn http() -> Result<&'static reqwest::Client, NoAnswer> {
    static CLIENT: OnceLock<Result<reqwest::Client, String>> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            reqwest::Client::builder()
                .user_agent(concat!("flowgate/", env!("CARGO_PKG_VERSION")))
                .build()
                .map_err(|err| format!("cannot set up the HTTP client: {err}"))
        })
        .as_ref()
        .map_err(|detail| NoAnswer::Network(detail.clone()))
}

/// Sends the request; returns the status and body text.
pub(crate) async fn send(request: &ApiRequest, timeout_ms: u32) -> Result<Reply, NoAnswer> {
    let method = match request.method {
        Method::Get => reqwest::Method::GET,
        Method::Post => reqwest::Method::POST,
        Method::Put => reqwest::Method::PUT,
        Method::Delete => reqwest::Method::DELETE,
    };
    let mut builder = http()?
        .request(method, &request.url)
        .timeout(Duration::from_millis(u64::from(timeout_ms)));
    for (name, value) in &request.headers {
        builder = builder.header(*name, value);
    }
    if let Some(body) = &request.body {
        builder = builder.body(body.clone());
    }
    let response = builder.send().await.map_err(no_answer)?;
    let status = response.status().as_u16();
    let html = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|t| t.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    let text = response.text().await.map_err(no_answer)?;
    Ok((status, text, html))
}

/// What reqwest's error means for the caller; its words never carry a credential (the URL
/// holds none: `ClientOptions` refuses one).
fn no_answer(err: reqwest::Error) -> NoAnswer {
    if err.is_timeout() {
        return NoAnswer::Timeout;
    }
    // The innermost cause says what happened ("Connection refused"); reqwest's own words
    // only say that sending failed.
    let mut detail = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        detail = cause.to_string();
        source = cause.source();
    }
    NoAnswer::Network(detail)
}

/// Waits `ms` milliseconds.
pub(crate) async fn sleep(ms: i32) {
    tokio::time::sleep(Duration::from_millis(u64::try_from(ms).unwrap_or(0))).await;
}

/// The system clock.
pub(crate) fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

/// A random (v4) UUID.
pub(crate) fn random_uuid() -> Option<uuid::Uuid> {
    Some(uuid::Uuid::new_v4())
}
