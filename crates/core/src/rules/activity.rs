//! What automations did about a run, read back from Prefect's own events.
//!
//! When an automation's action runs, Prefect's actions service records
//! `prefect.automation.action.executed` (or `…failed`, with the reason) on the automation's
//! resource. A state change or resume relates the run as its `target`; a notification relates
//! the event that triggered it, which for a run's state event is the state's own id. So the
//! activity of a run is found through the run and the ids of its paused states.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::events::{Event, FLOW_RUN_PREFIX};

const EXECUTED: &str = "prefect.automation.action.executed";
const FAILED: &str = "prefect.automation.action.failed";
const AUTOMATION_PREFIX: &str = "prefect.automation.";

/// One action an automation took (or tried) for a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleActivity {
    /// The event's id.
    pub id: Uuid,
    /// When the action finished.
    #[serde(with = "crate::timestamp")]
    pub occurred: DateTime<Utc>,
    /// The automation.
    pub automation_id: Uuid,
    /// Its name when it acted.
    pub automation_name: String,
    /// Prefect's action type: `send-notification`, `change-flow-run-state`, `resume-flow-run`, …
    pub action_type: String,
    /// Whether it succeeded.
    pub succeeded: bool,
    /// Why it failed, in Prefect's words.
    pub reason: Option<String>,
    /// The notification block's name, for a notification.
    pub block_name: Option<String>,
}

impl RuleActivity {
    /// The activity an event records, if it is an automation action's outcome.
    pub fn from_event(event: &Event) -> Option<RuleActivity> {
        let succeeded = match event.event.as_str() {
            EXECUTED => true,
            FAILED => false,
            _ => return None,
        };
        let text = |map: &serde_json::Map<String, Value>, key: &str| {
            map.get(key).and_then(Value::as_str).map(str::to_owned)
        };
        let automation_id = text(&event.resource, "prefect.resource.id")?
            .strip_prefix(AUTOMATION_PREFIX)
            .and_then(|id| Uuid::parse_str(id).ok())?;
        let payload = event.extra.get("payload").and_then(Value::as_object);
        let block_name = event
            .extra
            .get("related")
            .and_then(Value::as_array)
            .and_then(|related| {
                related.iter().filter_map(Value::as_object).find(|r| {
                    r.get("prefect.resource.role").and_then(Value::as_str) == Some("block")
                })
            })
            .and_then(|block| text(block, "prefect.resource.name"));
        Some(RuleActivity {
            id: event.id,
            occurred: event.occurred,
            automation_id,
            automation_name: text(&event.resource, "prefect.resource.name").unwrap_or_default(),
            action_type: payload
                .and_then(|p| text(p, "action_type"))
                .unwrap_or_default(),
            succeeded,
            reason: payload.and_then(|p| text(p, "reason")),
            block_name,
        })
    }

    /// What it did, in words: "sent a notification through “releases”", "rejected the run",
    /// "tried to resume the run: <reason>".
    pub fn describe(&self) -> String {
        let what = match self.action_type.as_str() {
            "send-notification" => match &self.block_name {
                Some(block) => format!("send a notification through “{block}”"),
                None => "send a notification".into(),
            },
            "change-flow-run-state" => "change the run's state".into(),
            "cancel-flow-run" => "cancel the run".into(),
            "resume-flow-run" => "resume the run".into(),
            "call-webhook" => "call a webhook".into(),
            other => format!("run its action {other}"),
        };
        if self.succeeded {
            // "send …" → "sent …", "change …" → "changed …"
            let done = match what.split_once(' ') {
                Some(("send", rest)) => format!("sent {rest}"),
                Some(("run", rest)) => format!("ran {rest}"),
                Some((verb, rest)) if verb.ends_with('e') => format!("{verb}d {rest}"),
                Some((verb, rest)) => format!("{verb}ed {rest}"),
                None => what,
            };
            format!("Automation “{}” {done}", self.automation_name)
        } else {
            format!(
                "Automation “{}” tried to {what} and failed: {}",
                self.automation_name,
                self.reason.as_deref().unwrap_or("no reason given")
            )
        }
    }
}

/// The body of `POST /events/filter` for what automations did about run `flow_run_id`:
/// `pause_states` are the ids of its paused states (a notification relates its triggering
/// state event, whose id is the state's). Newest first.
pub fn activity_filter(flow_run_id: Uuid, pause_states: &[Uuid], since: DateTime<Utc>) -> Value {
    let mut related: Vec<String> = vec![format!("{FLOW_RUN_PREFIX}{flow_run_id}")];
    related.extend(pause_states.iter().map(|id| format!("prefect.event.{id}")));
    json!({
        "filter": {
            "occurred": {
                "since": crate::timestamp::format(&since),
                "until": crate::events::FOREVER,
            },
            "event": { "name": [EXECUTED, FAILED] },
            "related": { "id": related },
            "order": "DESC",
        },
        "limit": 50,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(name: &str, payload: Value, related: Value) -> Event {
        serde_json::from_value(json!({
            "id": "0193a6c2-0000-7000-8000-000000000001",
            "occurred": "2026-12-04T10:00:00Z",
            "event": name,
            "resource": {
                "prefect.resource.id": "prefect.automation.5b2fef16-b6fd-4048-bf91-c59ed2f00e81",
                "prefect.resource.name": "Tell #releases",
            },
            "related": related,
            "payload": payload,
        }))
        .expect("event")
    }

    #[test]
    fn outcomes_read_as_sentences() {
        let sent = RuleActivity::from_event(&event(
            EXECUTED,
            json!({"action_type": "send-notification", "action_index": 0}),
            json!([{"prefect.resource.id": "prefect.block-document.1", "prefect.resource.role": "block", "prefect.resource.name": "releases"}]),
        ))
        .expect("activity");
        assert_eq!(
            sent.describe(),
            "Automation “Tell #releases” sent a notification through “releases”"
        );
        let failed = RuleActivity::from_event(&event(
            FAILED,
            json!({"action_type": "resume-flow-run", "reason": "Failed to resume flow run: Reason: 'approver' is a required property"}),
            json!([]),
        ))
        .expect("activity");
        assert!(!failed.succeeded);
        assert_eq!(
            failed.describe(),
            "Automation “Tell #releases” tried to resume the run and failed: Failed to resume flow run: Reason: 'approver' is a required property"
        );
        let changed = RuleActivity::from_event(&event(
            EXECUTED,
            json!({"action_type": "change-flow-run-state"}),
            json!([]),
        ))
        .expect("activity");
        assert_eq!(
            changed.describe(),
            "Automation “Tell #releases” changed the run's state"
        );
        assert_eq!(
            RuleActivity::from_event(&event(
                "prefect.automation.action.triggered",
                json!({}),
                json!([])
            )),
            None
        );
    }
}
