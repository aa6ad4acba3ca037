//! Rejecting through the gate: allowed by the policy, a reject ends the run Cancelled at once
//! and is recorded with the identity the proxy asserted.

use flowgate_core::decision::DecisionKind;
use flowgate_core::gate::{GateRecord, GateReject};
use flowgate_core::policy::{Person, policy_verdict};
use uuid::Uuid;

use super::{Gate, GateError, MAX_REASON, paused, refuse_unless_allowed};

impl Gate {
    /// Rejects run `id` for `person` with `reason`.
    pub async fn reject(
        &self,
        id: Uuid,
        person: &Person,
        reason: &str,
    ) -> Result<GateReject, GateError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(GateError::BadRequest("A reject needs a reason.".into()));
        }
        if reason.chars().count() > MAX_REASON {
            return Err(GateError::BadRequest(format!(
                "The reason is longer than {MAX_REASON} characters."
            )));
        }
        let situation = self.situation(id, person, false).await?;
        paused(&situation.run)?;
        let verdict = policy_verdict(&situation.case, None);
        refuse_unless_allowed(&verdict, &verdict.reject)?;
        let rejected = self
            .client
            .reject_read(
                situation.run,
                Some(&person.user),
                reason,
                self.server_rules().await,
            )
            .await?;
        if !rejected.state_written {
            return Err(GateError::Unprocessable(format!(
                "Prefect refused the reject ({}): {}",
                rejected.result.status,
                rejected.result.details.reason().unwrap_or_default()
            )));
        }
        let (event_id, event) = self.decision_record(
            &rejected.flow_run,
            person,
            DecisionKind::Rejected,
            Some(reason),
            None,
            &rejected.result,
            &[],
        );
        let record = self.emit_record(event_id, event).await;
        Ok(GateReject {
            result: rejected.result,
            message: rejected.message,
            record: GateRecord::of(record),
        })
    }
}
