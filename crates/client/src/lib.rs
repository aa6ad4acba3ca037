//! Flowgate's Prefect REST client.
//!
//! Owns every HTTP call to Prefect (self-hosted or Cloud): base URL, authentication,
//! timeouts, and turning each failure into a [`ClientError`] a person can act on. Its wire
//! types are `flowgate-core`'s; it defines none of its own. It must not depend on `leptos`.
//!
//! Requests are built (`request`) and answers classified (`response`) by pure
//! functions; only `transport` touches the network (gloo-net's `fetch`, so it runs in
//! browsers, workers and Node). GETs and filters are retried on network failure; a resume
//! never is — after an ambiguous failure the run is read to tell whether it happened.

mod bulk;
mod decide;
mod endpoints;
mod error;
mod events;
mod options;
mod request;
mod response;
mod transport;

pub use bulk::{BulkOutcome, DEFAULT_CONCURRENCY};
pub use decide::{Decided, Decider};
pub use endpoints::reject::Rejected;
pub use endpoints::resume::Resumed;
pub use endpoints::run_input::RunInputRequest;
pub use error::{ClientError, ValidationDetail};
pub use events::{FlowRunEvents, WatchStatus};
pub use flowgate_core as core;
pub use options::{API_VERSION, Auth, ClientOptions, DEFAULT_TIMEOUT_MS};

/// Waits `ms` milliseconds (a cancelled timer when dropped early, in the browser): the one
/// wait the client, the console and the package use.
pub async fn sleep(ms: i32) {
    transport::sleep(ms).await;
}

use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::request::Method;
use crate::transport::NoAnswer;

/// Retries for requests that are safe to repeat, on network failure or HTTP 503 (which
/// Prefect on SQLite answers while another writer holds the database).
const SAFE_RETRIES: u32 = 4;

/// HTTP 503: the server is busy and did nothing; try again shortly.
pub(crate) const BUSY: u16 = 503;

/// A Prefect API client.
#[derive(Debug, Clone)]
pub struct Client {
    options: ClientOptions,
}

/// A raw answer: the URL called, the status and the body text.
pub(crate) struct Answer {
    pub(crate) url: String,
    pub(crate) status: u16,
    pub(crate) body: String,
    /// An HTML page answered, not Prefect.
    pub(crate) html: bool,
}

impl Client {
    /// A client for these options, checked up front (URL shape, credential format).
    pub fn new(options: ClientOptions) -> Result<Client, ClientError> {
        options.validated_base()?;
        Ok(Client { options })
    }

    /// The options this client uses.
    pub fn options(&self) -> &ClientOptions {
        &self.options
    }

    /// Sends one request; `safe` requests are retried on network failure and on a 502, 503
    /// or 504.
    pub(crate) async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&impl Serialize>,
        safe: bool,
    ) -> Result<Answer, ClientError> {
        let request = request::build(&self.options, method, path, body)?;
        self.send(request, safe).await
    }

    /// Sends a built request (see [`Client::call`]): one function for every body type.
    async fn send(&self, request: request::ApiRequest, safe: bool) -> Result<Answer, ClientError> {
        let mut attempt = 0;
        loop {
            match transport::send(&request, self.options.timeout_ms).await {
                // A proxy or gateway that could not reach the server, or a server too busy to
                // answer: a read is asked again, as after a network failure.
                Ok((502..=504, _, _)) if safe && attempt < SAFE_RETRIES => {
                    attempt += 1;
                    transport::sleep(backoff_ms(attempt)).await;
                }
                Ok((status, body, html)) => {
                    return Ok(Answer {
                        url: request.url.clone(),
                        status,
                        body,
                        html,
                    });
                }
                Err(NoAnswer::Network(_)) if safe && attempt < SAFE_RETRIES => {
                    attempt += 1;
                    transport::sleep(backoff_ms(attempt)).await;
                }
                Err(NoAnswer::Network(detail)) => {
                    return Err(ClientError::Unreachable {
                        url: request.url.clone(),
                        detail,
                    });
                }
                Err(NoAnswer::Timeout) => {
                    return Err(ClientError::Timeout {
                        url: request.url.clone(),
                        after_ms: self.options.timeout_ms,
                    });
                }
            }
        }
    }

    /// Sends a request that must not be repeated after an ambiguous failure (it creates or
    /// changes something), but is sent again after an HTTP 503: Prefect answers that (on
    /// SQLite, "database is locked") before it has done anything, and its own client retries.
    pub(crate) async fn call_retrying_busy(
        &self,
        method: Method,
        path: &str,
        body: Option<&impl Serialize>,
    ) -> Result<Answer, ClientError> {
        let mut attempt = 0;
        loop {
            let answer = self.call(method, path, body, false).await?;
            if answer.status != BUSY || answer.html || attempt >= SAFE_RETRIES {
                return Ok(answer);
            }
            attempt += 1;
            transport::sleep(backoff_ms(attempt)).await;
        }
    }

    /// The answer's status as a result: `Ok` for 2xx, else the [`ClientError`] it means.
    pub(crate) fn check_answer(
        &self,
        answer: &Answer,
        not_found: impl FnOnce() -> String,
    ) -> Result<(), ClientError> {
        response::check_status(
            &answer.url,
            answer.status,
            answer.html,
            &answer.body,
            self.options.auth.as_ref(),
            not_found,
        )
    }

    /// A safe call whose 2xx body decodes into `T`.
    pub(crate) async fn fetch<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&impl Serialize>,
        what: &'static str,
        not_found: impl FnOnce() -> String,
    ) -> Result<T, ClientError> {
        let answer = self.call(method, path, body, true).await?;
        self.check_answer(&answer, not_found)?;
        response::decode(&answer.url, what, &answer.body)
    }
}

/// Milliseconds to wait before retry number `attempt` (1-based): 200, 400, 800, …
pub(crate) fn backoff_ms(attempt: u32) -> i32 {
    200 * 2i32.pow(attempt.saturating_sub(1).min(5))
}

/// Parses a flow-run id given as text, e.g. from a URL or a JS caller.
pub fn parse_flow_run_id(text: &str) -> Result<Uuid, ClientError> {
    Uuid::parse_str(text.trim()).map_err(|_| ClientError::InvalidArgument {
        message: format!(
            "{text:?} is not a flow run id (a UUID such as 5b2fef16-b6fd-4048-bf91-c59ed2f00e81)"
        ),
    })
}

// The Rust examples of docs/rust.md, compiled as doctests (they need a Prefect server to
// run; web/tests/readme runs the READMEs' JavaScript against a real one).
#[cfg(doctest)]
#[doc = include_str!("../../../docs/rust.md")]
struct ReadmeExamples;
