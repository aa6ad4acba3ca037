//! Prefect's event stream (`GET /api/events/out`, a websocket) as far as flow runs go: the
//! messages a subscriber sends and receives, and what a flow-run event says changed.
//!
//! Facts checked against the real Prefect 3.9.1 server (see docs/prefect-behaviour.md):
//! - the socket is opened with the subprotocol `prefect`; the first message must be
//!   `{"type": "auth", "token": …}` (the `PREFECT_SERVER_API_AUTH_STRING` `user:pass` of a
//!   self-hosted server, the API key for Prefect Cloud, `null` without auth); the server
//!   answers `{"type": "auth_success"}` or closes with code 1008 and a reason;
//! - the second message is `{"type": "filter", "filter": …, "backfill": bool}`; the server's
//!   default `occurred.until` is "now", which delivers nothing live, so the filter names a
//!   far-off `until`;
//! - a state change of a flow run arrives as `{"type": "event", "event": …}` whose `event`
//!   carries the state's *name* (`prefect.flow-run.Paused`, `…Suspended`, `…Resuming`,
//!   `…Running`), whose resource id is `prefect.flow-run.<uuid>` and whose resource labels
//!   `prefect.state-type` and `prefect.state-name` say the new state; the payload's
//!   `initial_state.type` says the state it left.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::state::StateType;

/// The prefix of every flow-run event name and resource id.
pub const FLOW_RUN_PREFIX: &str = "prefect.flow-run.";

/// An `until` far enough away that the subscription never ends by itself.
pub const FOREVER: &str = "2999-12-31T23:59:59Z";

/// The first message on the socket: authenticate (`token` `None` without auth).
pub fn auth_message(token: Option<&str>) -> String {
    json!({ "type": "auth", "token": token }).to_string()
}

/// The second message: every flow-run event that occurs from `since` on, with no backfill
/// of older events (a console reads the current state over HTTP instead).
pub fn flow_run_filter_message(since: DateTime<Utc>) -> String {
    json!({
        "type": "filter",
        "filter": {
            "occurred": { "since": crate::timestamp::format(&since), "until": FOREVER },
            "event": { "prefix": [FLOW_RUN_PREFIX] },
        },
        "backfill": false,
    })
    .to_string()
}

/// An event as Prefect sends it. Fields Flowgate does not read are kept in `extra`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// The event's id.
    pub id: Uuid,
    /// When it happened.
    #[serde(with = "crate::timestamp")]
    pub occurred: DateTime<Utc>,
    /// Its name, e.g. `prefect.flow-run.Paused`.
    pub event: String,
    /// The resource it is about: `prefect.resource.id` and labels.
    pub resource: Map<String, Value>,
    /// Everything else the server sent (related resources, payload, `follows`, `received`).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A message the server sends on the socket.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerMessage {
    /// Authentication succeeded.
    AuthSuccess,
    /// An event matching the filter.
    Event(Box<Event>),
    /// A message of a type this build does not know, kept as sent.
    Other(Value),
}

/// Reads one text message from the socket.
pub fn parse_server_message(text: &str) -> Result<ServerMessage, crate::ParseError> {
    let value: Value = crate::parse::from_str("event stream message", text)?;
    match value.get("type").and_then(Value::as_str) {
        Some("auth_success") => Ok(ServerMessage::AuthSuccess),
        Some("event") => {
            let event = value.get("event").cloned().unwrap_or(Value::Null);
            crate::parse::from_value("event", event).map(|e| ServerMessage::Event(Box::new(e)))
        }
        _ => Ok(ServerMessage::Other(value)),
    }
}

/// What a flow-run state event says: which run, the state it entered and the one it left.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlowRunChange {
    /// The run.
    pub flow_run_id: Uuid,
    /// The type of the state it entered (classify by this, not by the event's name).
    pub state_type: StateType,
    /// The state's name (`Paused`, `Suspended`, `Resuming`, …).
    pub state_name: String,
    /// The type of the state it left, when the event says.
    pub previous_type: Option<StateType>,
    /// When the change happened.
    pub occurred: DateTime<Utc>,
    /// The event's id.
    pub event_id: Uuid,
}

impl FlowRunChange {
    /// The change an event describes, if it is a flow-run state event.
    pub fn from_event(event: &Event) -> Option<FlowRunChange> {
        let label = |key: &str| event.resource.get(key).and_then(Value::as_str);
        let flow_run_id = label("prefect.resource.id")?
            .strip_prefix(FLOW_RUN_PREFIX)
            .and_then(|id| Uuid::parse_str(id).ok())?;
        let state_type = StateType::from_wire(label("prefect.state-type")?);
        let state_name = label("prefect.state-name")
            .map(str::to_owned)
            .or_else(|| event.event.strip_prefix(FLOW_RUN_PREFIX).map(str::to_owned))
            .unwrap_or_default();
        let previous_type = event
            .extra
            .get("payload")
            .and_then(|p| p.get("initial_state"))
            .and_then(|s| s.get("type"))
            .and_then(Value::as_str)
            .map(StateType::from_wire);
        Some(FlowRunChange {
            flow_run_id,
            state_type,
            state_name,
            previous_type,
            occurred: event.occurred,
            event_id: event.id,
        })
    }

    /// Whether the run entered or left a pause.
    pub fn touches_pause(&self) -> bool {
        self.state_type == StateType::Paused || self.previous_type == Some(StateType::Paused)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As the real 3.9.1 server sent it for a resume (captured from the harness's server).
    const RESUMED: &str = r#"{"type":"event","event":{"occurred":"2026-11-30T08:08:57.799475Z","event":"prefect.flow-run.Running","resource":{"prefect.resource.id":"prefect.flow-run.d2cb3cf5-2683-4379-a0f8-f206ccbc020a","prefect.resource.name":"bulk-00","prefect.run-count":"2","prefect.state-message":"","prefect.state-name":"Running","prefect.state-timestamp":"2026-11-30T08:08:57.799475+00:00","prefect.state-type":"RUNNING"},"related":[{"prefect.resource.id":"prefect.flow.c64aa2da-12c5-4240-8871-c25e220f5573","prefect.resource.role":"flow","prefect.resource.name":"bulk-gate"},{"prefect.resource.id":"prefect.tag.bulk","prefect.resource.role":"tag"}],"payload":{"intended":{"from":"PAUSED","to":"RUNNING"},"initial_state":{"type":"PAUSED","name":"Paused","pause_reschedule":"false"},"validated_state":{"type":"RUNNING","name":"Running"}},"id":"01a22b7f-fcc7-7e72-a607-20f66a2adc3b","follows":"01a22b7f-f872-7a93-914d-0b07f5c3dd42","received":"2026-11-30T08:08:57.808006Z"}}"#;

    #[test]
    fn a_resume_event_says_the_run_left_its_pause() {
        let Ok(ServerMessage::Event(event)) = parse_server_message(RESUMED) else {
            panic!("an event");
        };
        let change = FlowRunChange::from_event(&event).expect("a flow-run change");
        assert_eq!(
            change.flow_run_id.to_string(),
            "d2cb3cf5-2683-4379-a0f8-f206ccbc020a"
        );
        assert_eq!(change.state_type, StateType::Running);
        assert_eq!(change.state_name, "Running");
        assert_eq!(change.previous_type, Some(StateType::Paused));
        assert!(change.touches_pause());
        // Lossless: what was read writes back to the same document.
        let back = serde_json::to_value(&*event).expect("serializable");
        let sent: Value = serde_json::from_str(RESUMED).expect("json");
        assert_eq!(back, sent["event"]);
    }

    #[test]
    fn other_messages_and_other_resources_are_not_changes() {
        assert_eq!(
            parse_server_message(r#"{"type":"auth_success"}"#).ok(),
            Some(ServerMessage::AuthSuccess)
        );
        assert!(matches!(
            parse_server_message(r#"{"type":"ping","n":1}"#),
            Ok(ServerMessage::Other(_))
        ));
        assert!(parse_server_message("{not json").is_err());
        let task = RESUMED.replace("prefect.flow-run.d2cb", "prefect.task-run.d2cb");
        let Ok(ServerMessage::Event(event)) = parse_server_message(&task) else {
            panic!("an event");
        };
        assert_eq!(FlowRunChange::from_event(&event), None);
        // A state type a newer server adds is kept, not dropped.
        let newer = RESUMED.replace(
            r#""prefect.state-type":"RUNNING""#,
            r#""prefect.state-type":"AWAITING""#,
        );
        let Ok(ServerMessage::Event(event)) = parse_server_message(&newer) else {
            panic!("an event");
        };
        let change = FlowRunChange::from_event(&event).expect("a change");
        assert_eq!(change.state_type, StateType::Unknown("AWAITING".into()));
    }

    #[test]
    fn the_subscription_messages_are_what_the_server_expects() {
        assert_eq!(auth_message(None), r#"{"type":"auth","token":null}"#);
        assert_eq!(
            auth_message(Some("flow:gate-secret")),
            r#"{"type":"auth","token":"flow:gate-secret"}"#
        );
        let since = crate::timestamp::parse("2026-11-30T08:00:00Z").expect("time");
        let filter: Value = serde_json::from_str(&flow_run_filter_message(since)).expect("json");
        assert_eq!(filter["type"], "filter");
        assert_eq!(filter["backfill"], false);
        assert_eq!(
            filter["filter"]["occurred"]["since"],
            "2026-11-30T08:00:00Z"
        );
        assert_eq!(filter["filter"]["event"]["prefix"][0], "prefect.flow-run.");
        assert!(
            filter["filter"]["occurred"]["until"]
                .as_str()
                .is_some_and(|u| u > "2100")
        );
    }
}
