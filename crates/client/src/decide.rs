//! Decisions: a resume or a reject, then its record as a Prefect event. The record is
//! made only when the decision changed the run (the server wrote a new state); a failed
//! record never undoes or hides the decision — the outcome says the record is missing.

use flowgate_core::{
    DecisionKind, FlowRun, NewDecision, OrchestrationResult, ServerRules, SetStateStatus,
};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::{Auth, Client, ClientError, Rejected, Resumed};

/// Who decides, and whether decisions are recorded.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Decider {
    /// The name the person gave (not checked by any server); `None` when unnamed.
    pub name: Option<String>,
    /// Whether to record decisions as Prefect events.
    pub record: bool,
}

impl Decider {
    /// The one rule for who decides, the console's and the npm package's: the name given,
    /// trimmed (blank is none), else the user name of basic-auth credentials, else nobody.
    pub fn new(given: Option<&str>, auth: Option<&Auth>, record: bool) -> Decider {
        let given = given.map(str::trim).filter(|name| !name.is_empty());
        let from_auth = || match auth {
            Some(Auth::Basic(user_pass)) => user_pass
                .split_once(':')
                .map(|(user, _)| user.trim())
                .filter(|user| !user.is_empty()),
            _ => None,
        };
        Decider {
            name: given.or_else(from_auth).map(str::to_owned),
            record,
        }
    }
}

/// A decision's outcome and its record.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Decided<T> {
    /// The server's answer.
    pub outcome: T,
    /// The recorded event's id, or why recording failed; `None` when nothing was recorded
    /// (recording off, or the server changed nothing).
    pub record: Option<Result<Uuid, ClientError>>,
}

impl Client {
    /// Resumes run `id` (see [`Client::resume`]) and records the decision when the run was
    /// resumed. `flow_run` is the run as the caller read it, if it did (its flow and
    /// deployment go into the record).
    pub async fn resume_decided(
        &self,
        id: Uuid,
        run_input: Option<&Value>,
        flow_run: Option<&FlowRun>,
        decider: &Decider,
        bulk: bool,
    ) -> Result<Decided<Resumed>, ClientError> {
        let outcome = self.resume(id, run_input).await?;
        let changed = outcome.state_written && outcome.result.status == SetStateStatus::Accept;
        let decision = NewDecision {
            kind: DecisionKind::Resumed,
            flow_run_id: id,
            flow_run,
            decider: decider.name.as_deref(),
            reason: None,
            input: run_input,
            state_type: None,
            bulk,
        };
        let record = self
            .record_if(decider, changed, &outcome.result, decision)
            .await;
        Ok(Decided { outcome, record })
    }

    /// Rejects run `id` with `reason` (see [`Client::reject`]) and records the decision
    /// when the server wrote a new state.
    pub async fn reject_decided(
        &self,
        id: Uuid,
        reason: &str,
        decider: &Decider,
        bulk: bool,
    ) -> Result<Decided<Rejected>, ClientError> {
        let rules = self.server_rules().await;
        self.reject_decided_on(id, reason, decider, bulk, rules)
            .await
    }

    /// [`Client::reject_decided`] by the rules of a release the caller has read already.
    pub(crate) async fn reject_decided_on(
        &self,
        id: Uuid,
        reason: &str,
        decider: &Decider,
        bulk: bool,
        rules: ServerRules,
    ) -> Result<Decided<Rejected>, ClientError> {
        let outcome = self
            .reject_on(id, decider.name.as_deref(), reason, rules)
            .await?;
        let decision = NewDecision {
            kind: DecisionKind::Rejected,
            flow_run_id: id,
            flow_run: Some(&outcome.flow_run),
            decider: decider.name.as_deref(),
            reason: Some(reason.trim()),
            input: None,
            state_type: None,
            bulk,
        };
        let record = self
            .record_if(decider, outcome.state_written, &outcome.result, decision)
            .await;
        Ok(Decided { outcome, record })
    }

    /// Records `decision` when recording is on and the decision changed the run, with the
    /// state the server left it in.
    async fn record_if(
        &self,
        decider: &Decider,
        changed: bool,
        result: &OrchestrationResult,
        decision: NewDecision<'_>,
    ) -> Option<Result<Uuid, ClientError>> {
        if !decider.record || !changed {
            return None;
        }
        let state_type = result.state.as_ref().map(|s| s.state_type.to_string());
        let decision = NewDecision {
            state_type: state_type.as_deref(),
            ..decision
        };
        Some(self.record_decision(&decision).await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_decider_is_the_name_given_else_the_basic_auth_user() {
        let basic = Auth::Basic(" ana :secret".into());
        let name = |given, auth| Decider::new(given, auth, true).name;
        assert_eq!(name(Some("  bo "), Some(&basic)), Some("bo".into()));
        assert_eq!(name(Some("   "), Some(&basic)), Some("ana".into()));
        assert_eq!(name(None, Some(&basic)), Some("ana".into()));
        let nameless = Auth::Basic(":secret".into());
        assert_eq!(name(None, Some(&nameless)), None);
        let key = Auth::Bearer("pnu_key".into());
        assert_eq!(name(None, Some(&key)), None);
        assert_eq!(name(None, None), None);
        assert!(!Decider::new(None, None, false).record);
    }
}
