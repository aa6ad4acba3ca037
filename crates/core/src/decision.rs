//! The record of a decision: who resumed or rejected a run, why, and with what input,
//! kept as an event in Prefect's own event store (`POST /api/events`) so it shows in
//! Prefect's event feed and can be read back by resource (`POST /api/events/filter`).
//!
//! The decider is a name the person typed into Flowgate's settings, not an identity the
//! server checked: Prefect's open-source server records no actor.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::events::{Event, FLOW_RUN_PREFIX};
use crate::flow_run::FlowRun;

/// The prefix of every decision event's name.
pub const DECISION_PREFIX: &str = "flowgate.decision.";

/// What was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    /// The run was resumed.
    Resumed,
    /// The run was rejected (cancelled).
    Rejected,
}

impl DecisionKind {
    /// The event name: `flowgate.decision.resumed` or `flowgate.decision.rejected`.
    pub fn event_name(self) -> String {
        format!(
            "{DECISION_PREFIX}{}",
            match self {
                DecisionKind::Resumed => "resumed",
                DecisionKind::Rejected => "rejected",
            }
        )
    }
}

/// A decision as recorded (serialized in camelCase, for JS).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    /// The event's id.
    pub id: Uuid,
    /// When the decision was made.
    #[serde(with = "crate::timestamp")]
    pub occurred: DateTime<Utc>,
    /// Resumed or rejected.
    pub kind: DecisionKind,
    /// The run.
    pub flow_run_id: Uuid,
    /// The decider: a name the person gave, or, for a decision made through a gate, the
    /// user the gate's authenticating proxy asserted.
    pub decider: Option<String>,
    /// The gate that checked the decider's identity (`None`: a name the person gave).
    pub checked_by: Option<String>,
    /// Through a gate: everyone whose approval of this input the resume completed, in order.
    pub approvers: Vec<String>,
    /// The reason given (rejects require one).
    pub reason: Option<String>,
    /// The input sent with a resume, as sent.
    pub input: Option<Value>,
    /// The state the run was left in, e.g. `RUNNING` or `CANCELLED`.
    pub state_type: Option<String>,
    /// Whether the decision was one of a bulk action.
    pub bulk: bool,
}

/// What a caller knows when it records a decision.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDecision<'a> {
    /// Resumed or rejected.
    pub kind: DecisionKind,
    /// The run.
    pub flow_run_id: Uuid,
    /// The run as read before deciding, when the caller has it: its name, flow and
    /// deployment go into the event (as the resource's name and related resources).
    pub flow_run: Option<&'a FlowRun>,
    /// The decider's name, if given.
    pub decider: Option<&'a str>,
    /// The reason, if given.
    pub reason: Option<&'a str>,
    /// The input sent, if any.
    pub input: Option<&'a Value>,
    /// The state the server left the run in.
    pub state_type: Option<&'a str>,
    /// Part of a bulk action.
    pub bulk: bool,
}

/// The event to `POST /api/events` (the body is a list of these).
pub fn decision_event(new: &NewDecision<'_>, id: Uuid, occurred: DateTime<Utc>) -> Value {
    let mut related = Vec::new();
    let mut resource = Map::new();
    resource.insert(
        "prefect.resource.id".into(),
        format!("{FLOW_RUN_PREFIX}{}", new.flow_run_id).into(),
    );
    if let Some(run) = new.flow_run {
        resource.insert("prefect.resource.name".into(), run.name.clone().into());
        related.push(json!({
            "prefect.resource.id": format!("prefect.flow.{}", run.flow_id),
            "prefect.resource.role": "flow",
        }));
        if let Some(deployment) = run.deployment_id {
            related.push(json!({
                "prefect.resource.id": format!("prefect.deployment.{deployment}"),
                "prefect.resource.role": "deployment",
            }));
        }
    }
    let decider = new.decider.map(str::trim).filter(|d| !d.is_empty());
    json!({
        "id": id,
        "occurred": crate::timestamp::format(&occurred),
        "event": new.kind.event_name(),
        "resource": resource,
        "related": related,
        "payload": {
            "decider": decider,
            "decider_checked": false,
            "reason": new.reason,
            "input": new.input,
            "state_type": new.state_type,
            "bulk": new.bulk,
        },
    })
}

/// The filter body for `POST /api/events/filter`: the decisions recorded for one run, newest
/// first. `since` should be no later than the run's creation (the server's default window is
/// the last 180 days).
pub fn decisions_filter(flow_run_id: Uuid, since: DateTime<Utc>) -> Value {
    json!({
        "filter": {
            "occurred": {
                "since": crate::timestamp::format(&since),
                "until": crate::events::FOREVER,
            },
            "event": { "prefix": [DECISION_PREFIX] },
            "resource": { "id": [format!("{FLOW_RUN_PREFIX}{flow_run_id}")] },
            "order": "DESC",
        },
        "limit": 50,
    })
}

/// A page of `POST /api/events/filter`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventPage {
    /// The events.
    pub events: Vec<Event>,
    /// How many match in all.
    pub total: u64,
    /// The next page's URL, if any.
    pub next_page: Option<String>,
    /// Fields this build does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Decision {
    /// The decision an event records, if it is one of Flowgate's decision events.
    pub fn from_event(event: &Event) -> Option<Decision> {
        let kind = match event.event.strip_prefix(DECISION_PREFIX)? {
            "resumed" => DecisionKind::Resumed,
            "rejected" => DecisionKind::Rejected,
            _ => return None,
        };
        let flow_run_id = event
            .resource
            .get("prefect.resource.id")
            .and_then(Value::as_str)?
            .strip_prefix(FLOW_RUN_PREFIX)
            .and_then(|id| Uuid::parse_str(id).ok())?;
        let payload = event.extra.get("payload").cloned().unwrap_or(Value::Null);
        let text = |key: &str| payload.get(key).and_then(Value::as_str).map(str::to_owned);
        Some(Decision {
            id: event.id,
            occurred: event.occurred,
            kind,
            flow_run_id,
            decider: text("decider"),
            checked_by: payload
                .get("decider_checked")
                .and_then(Value::as_bool)
                .filter(|checked| *checked)
                .and_then(|_| text("checked_by")),
            approvers: payload
                .get("approvers")
                .and_then(Value::as_array)
                .map(|list| {
                    list.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            reason: text("reason"),
            input: payload.get("input").filter(|v| !v.is_null()).cloned(),
            state_type: text("state_type"),
            bulk: payload
                .get("bulk")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(payload: Value) -> Event {
        serde_json::from_value(json!({
            "id": "8c5e3c9e-5a3e-4b5e-9d61-2f5f0e7b1c11",
            "occurred": "2026-12-04T10:00:00Z",
            "event": "flowgate.decision.resumed",
            "resource": { "prefect.resource.id": "prefect.flow-run.5b2fef16-b6fd-4048-bf91-c59ed2f00e81" },
            "payload": payload,
        }))
        .expect("event")
    }

    #[test]
    fn only_a_checked_decider_names_the_gate_that_checked_it() {
        let gate = Decision::from_event(&event(json!({
            "decider": "carol", "decider_checked": true, "checked_by": "gate-1",
            "approvers": ["alice", "carol"],
        })))
        .expect("decision");
        assert_eq!(gate.decider.as_deref(), Some("carol"));
        assert_eq!(gate.checked_by.as_deref(), Some("gate-1"));
        assert_eq!(gate.approvers, vec!["alice", "carol"]);
        for payload in [
            json!({"decider": "ana", "decider_checked": false, "checked_by": "gate-1"}),
            json!({"decider": "ana"}),
        ] {
            let named = Decision::from_event(&event(payload)).expect("decision");
            assert_eq!(named.checked_by, None);
        }
    }
}
