//! What the gate writes into Prefect's event store and reads back: who requested a run,
//! who approved which input of which pause, and the decisions it made. The gate keeps no
//! state of its own — a restart or another replica reads the same records.
//!
//! Every record is signed with the replicas' shared secret (HMAC-SHA256 over the record's
//! canonical JSON) and a record whose signature does not check out is ignored: an event
//! written by anyone but a gate — through an API credential, or a proxy that let a
//! `POST /api/events` through — never counts as an approval or a requester.

use chrono::{DateTime, Utc};
use flowgate_core::events::{FLOW_RUN_PREFIX, FOREVER};
use flowgate_core::policy::{Approval, Person, canonical_json};
use flowgate_core::{Event, EventPage};
use hmac::{Hmac, Mac};
use serde_json::{Map, Value, json};
use sha2::Sha256;
use uuid::Uuid;

/// An approval of one input of one pause.
pub const APPROVED: &str = "flowgate.gate.approved";
/// The person who started a run through the gate.
pub const REQUESTED: &str = "flowgate.gate.requested";

/// The key records are signed with.
#[derive(Clone)]
pub struct Signer {
    key: Vec<u8>,
}

impl Signer {
    /// A signer with the replicas' shared secret.
    pub fn new(secret: &[u8]) -> Signer {
        Signer {
            key: secret.to_vec(),
        }
    }

    fn mac(&self, event: &Value) -> Option<Hmac<Sha256>> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).ok()?;
        // What is signed: the event without the signature itself, with `occurred` read
        // back as Prefect writes it (the store may reformat the timestamp's digits).
        let mut unsigned = event.clone();
        if let Some(payload) = unsigned.get_mut("payload").and_then(Value::as_object_mut) {
            payload.remove("signature");
        }
        let occurred = unsigned
            .get("occurred")
            .and_then(Value::as_str)
            .and_then(|t| flowgate_core::timestamp::parse(t).ok())
            .map(|t| t.timestamp_micros());
        let signed = json!({
            "id": unsigned.get("id"),
            "occurred": occurred,
            "event": unsigned.get("event"),
            "resource": unsigned.pointer("/resource/prefect.resource.id"),
            "payload": unsigned.get("payload"),
        });
        mac.update(canonical_json(&signed).as_bytes());
        Some(mac)
    }

    /// Adds the signature to `event`'s payload.
    pub fn sign(&self, mut event: Value) -> Value {
        let signature = self
            .mac(&event)
            .map(|mac| hex::encode(mac.finalize().into_bytes()));
        if let (Some(payload), Some(signature)) = (
            event.get_mut("payload").and_then(Value::as_object_mut),
            signature,
        ) {
            payload.insert("signature".into(), signature.into());
        }
        event
    }

    /// Whether `event` carries this key's signature.
    pub fn verify(&self, event: &Value) -> bool {
        let Some(signature) = event
            .pointer("/payload/signature")
            .and_then(Value::as_str)
            .and_then(|s| hex::decode(s).ok())
        else {
            return false;
        };
        self.mac(event)
            .is_some_and(|mac| mac.verify_slice(&signature).is_ok())
    }
}

/// A new record about run `flow_run_id`: `name` with `payload`, signed.
pub fn record(
    signer: &Signer,
    name: &str,
    flow_run_id: Uuid,
    payload: Map<String, Value>,
    id: Uuid,
    occurred: DateTime<Utc>,
) -> Value {
    signer.sign(json!({
        "id": id,
        "occurred": flowgate_core::timestamp::format(&occurred),
        "event": name,
        "resource": { "prefect.resource.id": format!("{FLOW_RUN_PREFIX}{flow_run_id}") },
        "related": [],
        "payload": payload,
    }))
}

/// The payload of an approval by `person` of `input` for the pause `pause_state_id`.
pub fn approval_payload(
    person: &Person,
    input: Option<&Value>,
    pause_state_id: Uuid,
    gate: &str,
) -> Map<String, Value> {
    let mut payload = Map::new();
    payload.insert("user".into(), person.user.clone().into());
    payload.insert("groups".into(), json!(person.groups));
    payload.insert("input".into(), input.cloned().unwrap_or(Value::Null));
    payload.insert("pause_state_id".into(), pause_state_id.to_string().into());
    payload.insert("checked_by".into(), gate.into());
    payload
}

/// The payload of a request (a run started) by `person`.
pub fn request_payload(person: &Person, gate: &str) -> Map<String, Value> {
    let mut payload = Map::new();
    payload.insert("user".into(), person.user.clone().into());
    payload.insert("groups".into(), json!(person.groups));
    payload.insert("checked_by".into(), gate.into());
    payload
}

/// The filter body for a run's gate records since `since`, oldest first.
pub fn records_filter(flow_run_id: Uuid, since: DateTime<Utc>) -> Value {
    json!({
        "filter": {
            "occurred": { "since": flowgate_core::timestamp::format(&since), "until": FOREVER },
            "event": { "name": [APPROVED, REQUESTED] },
            "resource": { "id": [format!("{FLOW_RUN_PREFIX}{flow_run_id}")] },
            "order": "ASC",
        },
        // The most Prefect's events endpoint returns in one page.
        "limit": 50,
    })
}

/// A run's gate records, read and checked.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Records {
    /// The approvals of the pause asked about, oldest first.
    pub approvals: Vec<Approval>,
    /// The people who started the run through a gate.
    pub requesters: Vec<String>,
    /// The ids of every signed record read (to tell whether one of ours is stored yet).
    pub ids: Vec<Uuid>,
    /// How many records carried no valid signature and were ignored.
    pub unsigned: usize,
}

/// The records on `page` that count for the pause `pause_state_id`.
pub fn read_records(signer: &Signer, page: &EventPage, pause_state_id: Option<Uuid>) -> Records {
    let mut records = Records::default();
    for event in &page.events {
        let Ok(value) = serde_json::to_value(event) else {
            continue;
        };
        if !signer.verify(&value) {
            records.unsigned += 1;
            continue;
        }
        records.ids.push(event.id);
        let payload = payload(event);
        let Some(user) = payload.get("user").and_then(Value::as_str) else {
            continue;
        };
        match event.event.as_str() {
            REQUESTED => records.requesters.push(user.to_owned()),
            APPROVED => {
                let pause = payload
                    .get("pause_state_id")
                    .and_then(Value::as_str)
                    .and_then(|id| Uuid::parse_str(id).ok());
                if pause.is_some() && pause == pause_state_id {
                    records.approvals.push(Approval {
                        user: user.to_owned(),
                        groups: serde_json::from_value(
                            payload.get("groups").cloned().unwrap_or_default(),
                        )
                        .unwrap_or_default(),
                        input: payload.get("input").filter(|v| !v.is_null()).cloned(),
                        occurred: event.occurred,
                    });
                }
            }
            _ => {}
        }
    }
    records.approvals.sort_by_key(|a| a.occurred);
    records
}

fn payload(event: &Event) -> Map<String, Value> {
    event
        .extra
        .get("payload")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(events: Vec<Value>) -> EventPage {
        serde_json::from_value(json!({ "events": events, "total": 1, "next_page": null }))
            .expect("page")
    }

    #[test]
    fn only_signed_records_of_this_pause_count() {
        let signer = Signer::new(b"0123456789abcdef0123456789abcdef");
        let other = Signer::new(b"another secret, not the gate's one!");
        let run = Uuid::from_u128(1);
        let pause = Uuid::from_u128(2);
        let alice = Person {
            user: "alice".into(),
            groups: vec!["sre".into()],
        };
        let at = DateTime::from_timestamp(1_800_000_000, 123_456_000).expect("time");
        let good = record(
            &signer,
            APPROVED,
            run,
            approval_payload(&alice, Some(&json!({"a": 1})), pause, "gate-1"),
            Uuid::from_u128(10),
            at,
        );
        let forged = record(
            &other,
            APPROVED,
            run,
            approval_payload(&alice, None, pause, "gate-1"),
            Uuid::from_u128(11),
            at,
        );
        let mut tampered = good.clone();
        tampered["payload"]["user"] = json!("mallory");
        tampered["id"] = json!(Uuid::from_u128(12));
        let old_pause = record(
            &signer,
            APPROVED,
            run,
            approval_payload(&alice, None, Uuid::from_u128(3), "gate-1"),
            Uuid::from_u128(13),
            at,
        );
        let requested = record(
            &signer,
            REQUESTED,
            run,
            request_payload(&alice, "gate-2"),
            Uuid::from_u128(14),
            at,
        );
        // Prefect writes the timestamp back with its own digits; the signature still holds.
        let mut stored = good.clone();
        stored["occurred"] = json!("2027-01-15T08:00:00.123456+00:00");
        stored["received"] = json!("2027-01-15T08:00:01Z");

        let records = read_records(
            &signer,
            &page(vec![stored, forged, tampered, old_pause, requested]),
            Some(pause),
        );
        assert_eq!(records.unsigned, 2);
        assert_eq!(records.requesters, vec!["alice"]);
        assert_eq!(records.approvals.len(), 1);
        assert_eq!(records.approvals[0].input, Some(json!({"a": 1})));
        assert_eq!(records.approvals[0].groups, vec!["sre"]);
        assert_eq!(records.ids.len(), 3);
    }
}
