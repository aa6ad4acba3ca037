//! Deciding through a gate (`crates/gate`), where one stands in front of Prefect: at the
//! API's origin under `/gate` (an API URL `…/api` has its gate at `…/gate`). The gate's own
//! refusals (403 by policy, 409, 422, …) become [`ClientError::GateRefused`] with its words.

#[cfg(doc)]
use flowgate_core::gate::GateReject;
use flowgate_core::gate::{
    GateApproval, GateBulkAnswer, GateCapabilities, GateRowVerdict, GateRowVerdicts,
};
#[cfg(doc)]
use flowgate_core::policy::PolicyCase;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::options::ClientOptions;
use crate::request::Method;
use crate::response;
use crate::{BulkOutcome, Client, ClientError};

/// The gate's base URL for an API base: `…/api` becomes `…/gate`; `None` for an API URL
/// that does not end in `/api` (Prefect Cloud's workspace URLs), which has no gate.
pub(crate) fn gate_base(api_base: &str) -> Option<String> {
    api_base
        .trim_end_matches('/')
        .strip_suffix("/api")
        .map(|origin| format!("{origin}/gate"))
}

/// A gate's error body: `{"error": kind, "message": …}`.
pub(crate) fn gate_refusal(status: u16, body: &str) -> ClientError {
    let value: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
    ClientError::GateRefused {
        status,
        reason: text("error").unwrap_or_else(|| "http".into()),
        message: text("message").unwrap_or_else(|| {
            format!(
                "The gate answered HTTP {status}: {}",
                response::server_message(body)
            )
        }),
    }
}

impl Client {
    /// A client for this client's gate, with the same credential: in front of a gate the
    /// API's credential is the proxy's sign-in (the proxy replaces it before Prefect, and
    /// the gate never sees it); a browser signed in to the proxy sends none.
    fn gate_client(&self) -> Result<Client, ClientError> {
        let base = self.options().validated_base()?;
        let gate = gate_base(&base).ok_or_else(|| ClientError::InvalidConfig {
            message: format!(
                "the API URL {base} does not end in /api, so no gate is looked for beside it"
            ),
        })?;
        Ok(Client {
            options: ClientOptions {
                api_url: gate,
                ..self.options().clone()
            },
        })
    }

    async fn gate_call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&impl Serialize>,
        what: &'static str,
    ) -> Result<T, ClientError> {
        let gate = self.gate_client()?;
        let answer = gate.call(method, path, body, method == Method::Get).await?;
        if answer.html || !(200..300).contains(&answer.status) {
            return Err(gate_refusal(answer.status, &answer.body));
        }
        response::decode(&answer.url, what, &answer.body)
    }

    /// HTTP GET /gate/capabilities: the gate in front of this Prefect and who it says you
    /// are; `None` when there is no gate (no such route, or something else answered).
    pub async fn gate(&self) -> Result<Option<GateCapabilities>, ClientError> {
        let Ok(gate) = self.gate_client() else {
            return Ok(None);
        };
        let answer = gate
            .call(Method::Get, "/capabilities", None::<&()>, true)
            .await?;
        match answer.status {
            200..=299 if !answer.html => Ok(response::decode::<GateCapabilities>(
                &answer.url,
                "gate capabilities",
                &answer.body,
            )
            .ok()),
            // Signed out, or from an address the gate does not trust: a gate is there.
            401 => Err(gate_refusal(answer.status, &answer.body)),
            _ => Ok(None),
        }
    }

    /// HTTP GET /gate/flow_runs/{id}/policy: the policy case of run `id` for you, to
    /// compute the gate's verdict from (`flowgate_core::policy_verdict`); `T` is
    /// [`PolicyCase`], or `serde_json::Value` to pass the gate's JSON on as it is.
    pub async fn gate_policy<T: DeserializeOwned>(&self, id: Uuid) -> Result<T, ClientError> {
        self.gate_call(
            Method::Get,
            &format!("/flow_runs/{id}/policy"),
            None::<&()>,
            "policy case",
        )
        .await
    }

    /// HTTP POST /gate/flow_runs/{id}/approve: approves run `id` with `run_input`; the run
    /// resumes when this is the last approval needed. Never retried. `T` is
    /// [`GateApproval`], or `serde_json::Value` for the gate's JSON as it is.
    pub async fn gate_approve<T: DeserializeOwned>(
        &self,
        id: Uuid,
        run_input: Option<&Value>,
    ) -> Result<T, ClientError> {
        self.gate_call(
            Method::Post,
            &format!("/flow_runs/{id}/approve"),
            Some(&json!({ "run_input": run_input })),
            "gate approval",
        )
        .await
    }

    /// HTTP POST /gate/flow_runs/approve with `{"ids": …}`: one outcome per run, in the
    /// order the gate finished them; a failed request is every run's outcome.
    pub(crate) async fn gate_approve_chunk(&self, ids: &[Uuid]) -> Vec<BulkOutcome<GateApproval>> {
        let answer: Result<GateBulkAnswer, ClientError> = self
            .gate_call(
                Method::Post,
                "/flow_runs/approve",
                Some(&json!({ "ids": ids })),
                "gate bulk approval",
            )
            .await;
        match answer {
            Err(error) => ids
                .iter()
                .map(|id| BulkOutcome {
                    flow_run_id: *id,
                    outcome: Err(error.clone()),
                })
                .collect(),
            Ok(answer) => answer
                .outcomes
                .into_iter()
                .map(|o| BulkOutcome {
                    flow_run_id: o.flow_run_id,
                    outcome: match (o.approval, o.error) {
                        (Some(approval), _) => Ok(approval),
                        (None, Some(refusal)) => Err(ClientError::GateRefused {
                            status: refusal.status,
                            reason: refusal.error,
                            message: refusal.message,
                        }),
                        (None, None) => Err(ClientError::GateRefused {
                            status: 502,
                            reason: "http".into(),
                            message:
                                "The gate answered this run with neither an approval nor an error."
                                    .into(),
                        }),
                    },
                })
                .collect(),
        }
    }

    /// HTTP POST /gate/flow_runs/policy with `{"ids": …}`: what the gate's policy says for you
    /// on each run (computed by the gate, without input), for a list of runs.
    pub async fn gate_row_verdicts(
        &self,
        ids: &[Uuid],
    ) -> Result<Vec<GateRowVerdict>, ClientError> {
        let answer: GateRowVerdicts = self
            .gate_call(
                Method::Post,
                "/flow_runs/policy",
                Some(&json!({ "ids": ids })),
                "gate verdicts",
            )
            .await?;
        Ok(answer.verdicts)
    }

    /// HTTP POST /gate/flow_runs/{id}/reject: rejects run `id` with `reason`. Never retried.
    /// `T` is [`GateReject`], or `serde_json::Value` for the gate's JSON as it is.
    pub async fn gate_reject<T: DeserializeOwned>(
        &self,
        id: Uuid,
        reason: &str,
    ) -> Result<T, ClientError> {
        self.gate_call(
            Method::Post,
            &format!("/flow_runs/{id}/reject"),
            Some(&json!({ "reason": reason })),
            "gate reject",
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gate_sits_beside_the_api() {
        assert_eq!(
            gate_base("http://127.0.0.1:8080/api").as_deref(),
            Some("http://127.0.0.1:8080/gate")
        );
        assert_eq!(
            gate_base("https://flowgate.example/api/").as_deref(),
            Some("https://flowgate.example/gate")
        );
        assert_eq!(
            gate_base("https://api.prefect.cloud/api/accounts/a/workspaces/w"),
            None
        );
    }

    #[test]
    fn a_gate_refusal_keeps_its_words() {
        let refused = gate_refusal(
            403,
            r#"{"error":"forbidden","message":"Only release-managers may approve this run."}"#,
        );
        assert_eq!(
            refused.to_string(),
            "Only release-managers may approve this run."
        );
        assert!(
            matches!(refused, ClientError::GateRefused { status: 403, ref reason, .. } if reason == "forbidden")
        );
        let html = gate_refusal(502, "<html>bad gateway</html>");
        assert!(
            html.to_string().starts_with("The gate answered HTTP 502"),
            "{html}"
        );
    }
}
