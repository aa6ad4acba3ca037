//! The gate's HTTP API, under `/gate/`. Every route takes the person from the proxy's
//! headers first (401 without a believable one); bodies are JSON of at most 1 MiB.
//!
//! - `GET  /gate/capabilities` — that a gate is here, its id, and who you are to it.
//! - `GET  /gate/flow_runs/{id}/policy` — the policy case of a run for you: the console and
//!   the npm package compute the verdict from it with the same core the gate enforces with.
//! - `POST /gate/flow_runs/{id}/approve` `{"run_input": {...}}` — approve (and resume when
//!   yours is the last approval needed).
//! - `POST /gate/flow_runs/{id}/reject` `{"reason": "..."}` — reject (cancel) the run.
//! - `POST /gate/deployments/{id}/create_flow_run` — start a run and be recorded as its
//!   requester (four-eyes).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use flowgate_client::ClientError;
use flowgate_core::gate::{GateCapabilities, GateRowVerdicts};
use flowgate_core::policy::Person;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::gate::{Gate, GateError};
use crate::identity;

/// The largest request body the gate reads.
pub const MAX_BODY: usize = 1024 * 1024;

/// The gate's routes.
pub fn router(gate: Arc<Gate>) -> Router {
    Router::new()
        .route("/gate/capabilities", get(capabilities))
        .route("/gate/flow_runs/{id}/policy", get(policy))
        .route("/gate/flow_runs/{id}/approve", post(approve))
        .route("/gate/flow_runs/approve", post(approve_many))
        .route("/gate/flow_runs/policy", post(row_verdicts))
        .route("/gate/flow_runs/{id}/reject", post(reject))
        .route("/gate/deployments/{id}/create_flow_run", post(request))
        .fallback(|| async {
            error(
                StatusCode::NOT_FOUND,
                "notFound",
                "The gate has no such route (see crates/gate/README.md).".into(),
                None,
            )
        })
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(gate)
}

fn error(
    status: StatusCode,
    kind: &str,
    message: String,
    extra: Option<(&str, Value)>,
) -> Response {
    let mut body = json!({ "error": kind, "message": message });
    if let Some((key, value)) = extra {
        body[key] = value;
    }
    (status, Json(body)).into_response()
}

impl GateError {
    /// Its status, kind and message, as every answer of the gate words them.
    pub fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            GateError::BadRequest(m) => (StatusCode::BAD_REQUEST, "badRequest", m.clone()),
            GateError::Unauthenticated(m) => {
                (StatusCode::UNAUTHORIZED, "unauthenticated", m.clone())
            }
            GateError::Forbidden(_, m) => (StatusCode::FORBIDDEN, "forbidden", m.clone()),
            GateError::NotFound(m) => (StatusCode::NOT_FOUND, "notFound", m.clone()),
            GateError::Conflict(m, _) => (StatusCode::CONFLICT, "conflict", m.clone()),
            GateError::Unprocessable(m) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "refusedByPrefect",
                m.clone(),
            ),
            GateError::Unsettled(m) => (StatusCode::GATEWAY_TIMEOUT, "unsettled", m.clone()),
            GateError::Prefect(err) => {
                let status = match err {
                    ClientError::Timeout { .. } => StatusCode::GATEWAY_TIMEOUT,
                    _ => StatusCode::BAD_GATEWAY,
                };
                (
                    status,
                    "prefect",
                    format!("The gate could not finish with Prefect: {err}"),
                )
            }
        }
    }
}

impl IntoResponse for GateError {
    fn into_response(self) -> Response {
        let (status, kind, message) = self.parts();
        let extra = match self {
            GateError::Forbidden(verdict, _) | GateError::Conflict(_, Some(verdict)) => Some((
                "verdict",
                serde_json::to_value(&verdict).unwrap_or_default(),
            )),
            GateError::Prefect(err) => {
                Some(("prefect", serde_json::to_value(&err).unwrap_or_default()))
            }
            _ => None,
        };
        error(status, kind, message, extra)
    }
}

/// The person the trusted proxy asserts for a request (see `identity`); 401 otherwise. An
/// extractor, so every route names who asks before anything else is read.
pub struct Who(pub Person);

impl FromRequestParts<Arc<Gate>> for Who {
    type Rejection = GateError;

    async fn from_request_parts(parts: &mut Parts, gate: &Arc<Gate>) -> Result<Who, GateError> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(peer)| *peer)
            .ok_or_else(|| {
                GateError::Unauthenticated("The connection's address is unknown.".into())
            })?;
        identity::person(&gate.config, peer, &parts.headers)
            .map(Who)
            .map_err(GateError::Unauthenticated)
    }
}

/// The path's id segment, or 400 when it cannot be read (not UTF-8 once decoded).
fn segment(id: Result<Path<String>, PathRejection>) -> Result<String, GateError> {
    id.map(|Path(id)| id).map_err(|rejection| {
        GateError::BadRequest(format!(
            "The path's id cannot be read: {}",
            rejection.body_text()
        ))
    })
}

fn run_id(text: &str) -> Result<Uuid, GateError> {
    Uuid::parse_str(text).map_err(|_| {
        GateError::BadRequest(format!(
            "{text:?} is not a flow run id (a UUID such as 5b2fef16-b6fd-4048-bf91-c59ed2f00e81)."
        ))
    })
}

/// A JSON body, or 400 naming what is wrong with it.
fn body<T>(parsed: Result<Json<T>, JsonRejection>) -> Result<T, GateError> {
    parsed
        .map(|Json(value)| value)
        .map_err(|rejection| match rejection {
            JsonRejection::BytesRejection(_) => GateError::BadRequest(format!(
                "The body could not be read (at most {MAX_BODY} bytes)."
            )),
            other => GateError::BadRequest(format!(
                "The body is not what this route takes: {}",
                other.body_text()
            )),
        })
}

async fn capabilities(
    State(gate): State<Arc<Gate>>,
    Who(person): Who,
) -> Result<Json<Value>, GateError> {
    let capabilities = GateCapabilities {
        gate: gate.config.id.clone(),
        version: env!("CARGO_PKG_VERSION").into(),
        person,
    };
    Ok(Json(serde_json::to_value(capabilities).unwrap_or_default()))
}

async fn policy(
    State(gate): State<Arc<Gate>>,
    Who(person): Who,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Value>, GateError> {
    let case = gate.case(run_id(&segment(id)?)?, &person).await?;
    Ok(Json(serde_json::to_value(case).unwrap_or_default()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApproveBody {
    #[serde(default)]
    run_input: Option<Value>,
}

async fn approve(
    State(gate): State<Arc<Gate>>,
    Who(person): Who,
    id: Result<Path<String>, PathRejection>,
    parsed: Result<Json<ApproveBody>, JsonRejection>,
) -> Result<Json<Value>, GateError> {
    let id = run_id(&segment(id)?)?;
    let ApproveBody { run_input } = body(parsed)?;
    let run_input = match run_input {
        None | Some(Value::Null) => None,
        Some(Value::Object(map)) => Some(Value::Object(map)),
        Some(other) => {
            return Err(GateError::BadRequest(format!(
                "run_input must be a JSON object, not {}.",
                kind_of(&other)
            )));
        }
    };
    let outcome = gate.approve(id, &person, run_input).await?;
    Ok(Json(serde_json::to_value(outcome).unwrap_or_default()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApproveManyBody {
    ids: Vec<Uuid>,
}

/// `POST /gate/flow_runs/approve` `{"ids": [...]}`: approves runs that ask no input, each
/// with its own outcome: `{"outcomes": [{"flowRunId", "approval" | "error"}]}`.
async fn approve_many(
    State(gate): State<Arc<Gate>>,
    Who(person): Who,
    parsed: Result<Json<ApproveManyBody>, JsonRejection>,
) -> Result<Json<Value>, GateError> {
    let ApproveManyBody { ids } = body(parsed)?;
    let outcomes = gate.approve_many(&ids, &person).await?;
    let outcomes: Vec<Value> = outcomes
        .into_iter()
        .map(|(id, outcome)| match outcome {
            Ok(approval) => json!({ "flowRunId": id, "approval": approval, "error": null }),
            Err(err) => {
                let (status, kind, message) = err.parts();
                json!({ "flowRunId": id, "approval": null, "error": { "status": status.as_u16(), "error": kind, "message": message } })
            }
        })
        .collect();
    Ok(Json(json!({ "outcomes": outcomes })))
}

/// `POST /gate/flow_runs/policy` `{"ids": [...]}`: what the policy says for you on each run,
/// computed here: `{"verdicts": [{"flowRunId", "message", "mayApprove", "mayReject"}]}`.
async fn row_verdicts(
    State(gate): State<Arc<Gate>>,
    Who(person): Who,
    parsed: Result<Json<ApproveManyBody>, JsonRejection>,
) -> Result<Json<Value>, GateError> {
    let ApproveManyBody { ids } = body(parsed)?;
    let verdicts = gate.row_verdicts(&ids, &person).await?;
    Ok(Json(
        serde_json::to_value(GateRowVerdicts { verdicts }).unwrap_or_default(),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RejectBody {
    reason: String,
}

async fn reject(
    State(gate): State<Arc<Gate>>,
    Who(person): Who,
    id: Result<Path<String>, PathRejection>,
    parsed: Result<Json<RejectBody>, JsonRejection>,
) -> Result<Json<Value>, GateError> {
    let id = run_id(&segment(id)?)?;
    let RejectBody { reason } = body(parsed)?;
    let outcome = gate.reject(id, &person, &reason).await?;
    Ok(Json(serde_json::to_value(outcome).unwrap_or_default()))
}

async fn request(
    State(gate): State<Arc<Gate>>,
    Who(person): Who,
    id: Result<Path<String>, PathRejection>,
    parsed: Result<Json<Value>, JsonRejection>,
) -> Result<Response, GateError> {
    let id = segment(id)?;
    let deployment = Uuid::parse_str(&id)
        .map_err(|_| GateError::BadRequest(format!("{id:?} is not a deployment id (a UUID).")))?;
    let run = gate.request(deployment, &person, body(parsed)?).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::to_value(run).unwrap_or_default()),
    )
        .into_response())
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
