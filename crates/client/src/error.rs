//! Every way a call can fail, in words a person can act on. No variant ever carries a
//! credential.

use flowgate_core::ParseError;
use uuid::Uuid;

/// One entry of Prefect's 422 `exception_detail`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ValidationDetail {
    /// Where in the request, e.g. `body.run_input`.
    pub location: String,
    /// Pydantic's message, e.g. `Input should be a valid dictionary`.
    pub message: String,
}

/// A failed call.
#[derive(Debug, Clone, PartialEq, thiserror::Error, serde::Serialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum ClientError {
    /// The options cannot work (bad URL, malformed credentials).
    #[error("Flowgate is not set up right: {message}.")]
    InvalidConfig {
        /// What is wrong.
        message: String,
    },
    /// An argument is not what the call needs (e.g. an id that is not a UUID).
    #[error("{message}")]
    InvalidArgument {
        /// What is wrong.
        message: String,
    },
    /// The server could not be reached at all.
    #[error(
        "Cannot reach the Prefect server at {url}: {detail}. Is it running, and is the API URL right?"
    )]
    Unreachable {
        /// The URL tried.
        url: String,
        /// What the network layer said.
        detail: String,
    },
    /// No answer in time.
    #[error("The Prefect server at {url} did not answer within {after_ms} ms.")]
    Timeout {
        /// The URL tried.
        url: String,
        /// The timeout.
        after_ms: u32,
    },
    /// The server refused the credentials (401) or their rights (403).
    #[error("{}", unauthorized_message(*.status, .credential.as_deref()))]
    Unauthorized {
        /// 401 or 403.
        status: u16,
        /// Which credential was sent (`the API key`, `the basic-auth user:password`), if any.
        credential: Option<String>,
    },
    /// The thing asked for does not exist.
    #[error("{what} was not found.")]
    NotFound {
        /// What was asked for, e.g. `Flow run 5b2f…`.
        what: String,
    },
    /// The server has no such endpoint (404 `Not Found` for the path itself): the API URL is
    /// not Prefect's API (it usually ends in `/api`), or the server is not Prefect.
    #[error(
        "{url} is not an endpoint of Prefect's API: check the API URL (Prefect's ends in /api, e.g. http://127.0.0.1:4200/api)."
    )]
    NoSuchEndpoint {
        /// The URL tried.
        url: String,
    },
    /// The server rejected the request body (422).
    #[error("The server rejected the request: {}", validation_summary(.details, .message))]
    Validation {
        /// Prefect's `exception_message`.
        message: String,
        /// Where and why.
        details: Vec<ValidationDetail>,
    },
    /// Any other HTTP error, with the server's message.
    #[error("The Prefect server answered HTTP {status}: {message}")]
    Http {
        /// The status.
        status: u16,
        /// The server's message.
        message: String,
    },
    /// The answer does not fit the model.
    #[error("The Prefect server's answer to {url} could not be read: {error}")]
    Decode {
        /// The URL called.
        url: String,
        /// Where and why, by JSON path.
        error: ParseError,
    },
    /// The events websocket could not be used: refused (an old server, a proxy without
    /// websocket support, wrong credentials) or closed. Live updates stop; polling still works.
    #[error("Live updates from {url} are not available: {detail}.")]
    EventStream {
        /// The websocket URL.
        url: String,
        /// What happened.
        detail: String,
        /// Whether the socket never got through its handshake (refused) rather than dropped.
        refused: bool,
    },
    /// A resume request failed in a way that leaves open whether it happened; the run was
    /// read afterwards to tell.
    #[error("{}", interrupted_message(.flow_run_id, *.resumed, .cause))]
    ResumeInterrupted {
        /// The run.
        flow_run_id: Uuid,
        /// `Some(true)`: the run left its pause, the resume went through; `Some(false)`: it
        /// is still paused; `None`: it could not be read either.
        resumed: Option<bool>,
        /// What went wrong with the request.
        cause: Box<ClientError>,
    },
    /// A reject request failed in a way that leaves open whether it happened; the run was
    /// read afterwards to tell.
    #[error("{}", reject_interrupted_message(.flow_run_id, *.rejected, .cause))]
    RejectInterrupted {
        /// The run.
        flow_run_id: Uuid,
        /// `Some(true)`: the run left its pause, the reject went through; `Some(false)`: it
        /// is still paused; `None`: it could not be read either.
        rejected: Option<bool>,
        /// What went wrong with the request.
        cause: Box<ClientError>,
    },
    /// The gate in front of Prefect refused the decision (401, 403, 409, 422, …); its words.
    #[error("{message}")]
    GateRefused {
        /// The HTTP status.
        status: u16,
        /// The gate's kind of refusal: `unauthenticated`, `forbidden`, `conflict`,
        /// `refusedByPrefect`, `badRequest`, `notFound`, `prefect`.
        reason: String,
        /// What the gate said.
        message: String,
    },
    /// The automation is not one of Flowgate's rules (it lacks Flowgate's tag): Flowgate
    /// changes and deletes only the automations it made. Nothing was sent.
    #[error(
        "The automation “{name}” ({id}) was not made by Flowgate; Flowgate changes only its own rules. Edit it in Prefect's UI."
    )]
    ForeignAutomation {
        /// The automation's id.
        id: Uuid,
        /// Its name.
        name: String,
    },
    /// A rule cannot be written as given; nothing was sent.
    #[error("{message}")]
    InvalidRule {
        /// The field at fault, in JS's spelling (`name`, `afterSeconds`, `action.reason`, …).
        field: String,
        /// What is wrong.
        message: String,
    },
    /// The run cannot be rejected (it is no longer paused); nothing was sent.
    #[error("{message}")]
    NotRejectable {
        /// The run.
        flow_run_id: Uuid,
        /// Why, e.g. `Only a paused run can be rejected; this one is Completed.`
        message: String,
    },
}

impl ClientError {
    /// The error's kind, as it is serialized (`notFound`, `resumeInterrupted`, …): what
    /// callers and the npm package's `FlowgateError.kind` match on.
    pub fn kind(&self) -> &'static str {
        match self {
            ClientError::InvalidConfig { .. } => "invalidConfig",
            ClientError::InvalidArgument { .. } => "invalidArgument",
            ClientError::Unreachable { .. } => "unreachable",
            ClientError::Timeout { .. } => "timeout",
            ClientError::Unauthorized { .. } => "unauthorized",
            ClientError::NotFound { .. } => "notFound",
            ClientError::NoSuchEndpoint { .. } => "noSuchEndpoint",
            ClientError::Validation { .. } => "validation",
            ClientError::Http { .. } => "http",
            ClientError::Decode { .. } => "decode",
            ClientError::EventStream { .. } => "eventStream",
            ClientError::ResumeInterrupted { .. } => "resumeInterrupted",
            ClientError::RejectInterrupted { .. } => "rejectInterrupted",
            ClientError::GateRefused { .. } => "gateRefused",
            ClientError::ForeignAutomation { .. } => "foreignAutomation",
            ClientError::InvalidRule { .. } => "invalidRule",
            ClientError::NotRejectable { .. } => "notRejectable",
        }
    }
}

fn unauthorized_message(status: u16, credential: Option<&str>) -> String {
    match (status, credential) {
        (403, Some(credential)) => {
            format!("The Prefect server accepted {credential} but it may not do this (HTTP 403).")
        }
        (_, Some(credential)) => {
            format!(
                "The Prefect server refused {credential} (HTTP {status}); check it in the settings."
            )
        }
        (_, None) => format!(
            "The Prefect server wants credentials (HTTP {status}): set a basic-auth user:password or an API key."
        ),
    }
}

fn validation_summary(details: &[ValidationDetail], message: &str) -> String {
    if details.is_empty() {
        return message.to_owned();
    }
    details
        .iter()
        .map(|d| format!("{}: {}", d.location, d.message))
        .collect::<Vec<_>>()
        .join("; ")
}

fn interrupted_message(id: &Uuid, resumed: Option<bool>, cause: &ClientError) -> String {
    let outcome = match resumed {
        Some(true) => "the run has left its pause, so the resume went through",
        Some(false) => "the run is still paused, so the resume did not happen",
        None => "the run could not be read to tell whether it was resumed",
    };
    format!("Resuming flow run {id} was interrupted ({cause}); {outcome}.")
}

fn reject_interrupted_message(id: &Uuid, rejected: Option<bool>, cause: &ClientError) -> String {
    let outcome = match rejected {
        Some(true) => "the run has left its pause, so the reject went through",
        Some(false) => "the run is still paused, so the reject did not happen",
        None => "the run could not be read to tell whether it was rejected",
    };
    format!("Rejecting flow run {id} was interrupted ({cause}); {outcome}.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kind_is_the_serialized_tag() {
        let cause = ClientError::NoSuchEndpoint {
            url: "http://127.0.0.1:4200/flow_runs/x".into(),
        };
        for err in [
            ClientError::InvalidConfig {
                message: "no URL".into(),
            },
            cause.clone(),
            ClientError::ResumeInterrupted {
                flow_run_id: Uuid::nil(),
                resumed: None,
                cause: Box::new(cause),
            },
            ClientError::NotRejectable {
                flow_run_id: Uuid::nil(),
                message: "Completed".into(),
            },
        ] {
            let tag = serde_json::to_value(&err).expect("serializes")["kind"].clone();
            assert_eq!(tag, err.kind(), "{err:?}");
        }
    }
}
