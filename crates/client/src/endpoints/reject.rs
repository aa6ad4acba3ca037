//! Rejecting a paused run: ending it Cancelled with a reason, as `flowgate-core` plans.

use flowgate_core::reject::state_name;
use flowgate_core::{
    FlowRun, OrchestrationResult, ProposedState, RejectPlan, ServerRules, SetStateRequest,
    reject_message, reject_plan_on,
};
use serde::Serialize;
use uuid::Uuid;

use crate::{Client, ClientError, transport};

/// The server's answer to a reject, with the plan it followed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rejected {
    /// The run as read just before the reject was sent.
    pub flow_run: FlowRun,
    /// The state message sent, e.g. `Rejected by ana: image tag not signed`.
    pub message: String,
    /// What was proposed and what the server was predicted to answer.
    pub plan: RejectPlan,
    /// The orchestration result.
    pub result: OrchestrationResult,
    /// Whether a new state was written (HTTP 201).
    pub state_written: bool,
}

impl Client {
    /// The rules of the server's release (its `/admin/version`), for the verdicts that
    /// differ between releases; when the version cannot be read, those of the release
    /// Flowgate is built against, marked as not measured (verdicts then leave the answer to
    /// the server).
    pub async fn server_rules(&self) -> ServerRules {
        match self.server_version().await {
            Ok(version) => ServerRules::of_version_text(&version),
            Err(_) => ServerRules::of(None),
        }
    }

    /// Rejects the paused run `id`: reads the server's release and the run, refuses if it is
    /// not paused ([`ClientError::NotRejectable`]), and sends the state the core's
    /// `reject_plan_on` chooses for that release through `POST /flow_runs/{id}/set_state`
    /// with `force: false`, its message `Rejected by <decider>: <reason>`. Never retried
    /// blindly; a lost answer becomes [`ClientError::RejectInterrupted`], saying whether the
    /// run left its pause.
    pub async fn reject(
        &self,
        id: Uuid,
        decider: Option<&str>,
        reason: &str,
    ) -> Result<Rejected, ClientError> {
        // The message is checked before anything is read.
        reject_message(decider, reason)
            .map_err(|message| ClientError::InvalidArgument { message })?;
        let rules = self.server_rules().await;
        self.reject_on(id, decider, reason, rules).await
    }

    /// [`Client::reject`] by the rules of a release the caller has read already (a bulk
    /// reject reads it once).
    pub async fn reject_on(
        &self,
        id: Uuid,
        decider: Option<&str>,
        reason: &str,
        rules: ServerRules,
    ) -> Result<Rejected, ClientError> {
        reject_message(decider, reason)
            .map_err(|message| ClientError::InvalidArgument { message })?;
        let flow_run = self.read_flow_run(id).await?;
        self.reject_read(flow_run, decider, reason, rules).await
    }

    /// [`Client::reject_on`] of a run the caller has just read (the gate reads it to ask its
    /// policy first), without reading it again.
    pub async fn reject_read(
        &self,
        flow_run: FlowRun,
        decider: Option<&str>,
        reason: &str,
        rules: ServerRules,
    ) -> Result<Rejected, ClientError> {
        let id = flow_run.id;
        let message = reject_message(decider, reason)
            .map_err(|message| ClientError::InvalidArgument { message })?;
        let plan =
            reject_plan_on(&flow_run, &message, transport::now(), rules).map_err(|message| {
                ClientError::NotRejectable {
                    flow_run_id: id,
                    message,
                }
            })?;
        let body = SetStateRequest {
            state: ProposedState {
                state_type: plan.proposed.clone(),
                name: state_name(&plan.proposed).into(),
                message: Some(message.clone()),
            },
            force: false,
        };
        let path = format!("/flow_runs/{id}/set_state");
        let changed = self
            .change_paused_run(id, &path, &body, |flow_run_id, rejected, cause| {
                ClientError::RejectInterrupted {
                    flow_run_id,
                    rejected,
                    cause: Box::new(cause),
                }
            })
            .await?;
        Ok(Rejected {
            flow_run,
            message,
            plan,
            result: changed.result,
            state_written: changed.state_written,
        })
    }
}
