//! A state change: what is proposed (the bodies of `POST /flow_runs/{id}/resume` and
//! `/set_state`) and what the server answers: status, details and the resulting state.

use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::open_enum::open_enum;
use crate::state::State;

open_enum! {
    /// The orchestration status (Prefect's `SetStateStatus`).
    pub enum SetStateStatus {
        /// The proposed state was accepted.
        Accept = "ACCEPT",
        /// The proposed state was rejected; `state` is what the run is in instead.
        Reject = "REJECT",
        /// The request was abandoned; nothing changed.
        Abort = "ABORT",
        /// Try again after `delay_seconds`.
        Wait = "WAIT",
    }
}

open_enum! {
    /// The `type` tag of the orchestration details.
    pub enum DetailsType {
        /// `accept_details`.
        Accept = "accept_details",
        /// `reject_details`.
        Reject = "reject_details",
        /// `abort_details` — note the server also uses it for input REJECTs.
        Abort = "abort_details",
        /// `wait_details`.
        Wait = "wait_details",
    }
}

/// The body of a state-change answer, e.g. `POST /flow_runs/{id}/resume`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrchestrationResult {
    /// The state the run is in after the request: the new state, the unchanged current
    /// state (input REJECTs), or `null` (ABORT).
    pub state: Option<State>,
    /// What the server did.
    pub status: SetStateStatus,
    /// Why, tagged by `type`. Read it by its tag, never by `status`: input REJECTs carry
    /// `abort_details`.
    pub details: OrchestrationDetails,
    /// Fields this build does not know, kept for a lossless round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The details union, tagged by `type`.
#[derive(Debug, Clone, PartialEq)]
pub enum OrchestrationDetails {
    /// `{"type": "accept_details"}`.
    Accept {
        /// Fields this build does not know.
        extra: Map<String, Value>,
    },
    /// `{"type": "reject_details", "reason": …}`.
    Reject {
        /// Why.
        reason: Option<String>,
        /// Fields this build does not know.
        extra: Map<String, Value>,
    },
    /// `{"type": "abort_details", "reason": …}`.
    Abort {
        /// Why.
        reason: Option<String>,
        /// Fields this build does not know.
        extra: Map<String, Value>,
    },
    /// `{"type": "wait_details", "delay_seconds": …, "reason": …}`.
    Wait {
        /// How long to wait before trying again.
        delay_seconds: i64,
        /// Why.
        reason: Option<String>,
        /// Fields this build does not know.
        extra: Map<String, Value>,
    },
    /// A details type this build does not know, kept whole.
    Unknown {
        /// The `type` tag.
        details_type: String,
        /// Every other field.
        fields: Map<String, Value>,
    },
}

impl OrchestrationDetails {
    /// The `type` tag.
    pub fn details_type(&self) -> DetailsType {
        match self {
            OrchestrationDetails::Accept { .. } => DetailsType::Accept,
            OrchestrationDetails::Reject { .. } => DetailsType::Reject,
            OrchestrationDetails::Abort { .. } => DetailsType::Abort,
            OrchestrationDetails::Wait { .. } => DetailsType::Wait,
            OrchestrationDetails::Unknown { details_type, .. } => {
                DetailsType::from_wire(details_type)
            }
        }
    }

    /// The reason, if the details carry one.
    pub fn reason(&self) -> Option<&str> {
        match self {
            OrchestrationDetails::Reject { reason, .. }
            | OrchestrationDetails::Abort { reason, .. }
            | OrchestrationDetails::Wait { reason, .. } => reason.as_deref(),
            OrchestrationDetails::Accept { .. } => None,
            OrchestrationDetails::Unknown { fields, .. } => {
                fields.get("reason").and_then(Value::as_str)
            }
        }
    }

    /// Details of the given type with the given reason (none for `accept_details`).
    pub fn new(details_type: &DetailsType, reason: Option<String>) -> Self {
        let extra = Map::new();
        match details_type {
            DetailsType::Accept => OrchestrationDetails::Accept { extra },
            DetailsType::Reject => OrchestrationDetails::Reject { reason, extra },
            DetailsType::Abort => OrchestrationDetails::Abort { reason, extra },
            DetailsType::Wait => OrchestrationDetails::Wait {
                delay_seconds: 0,
                reason,
                extra,
            },
            DetailsType::Unknown(tag) => {
                let mut fields = Map::new();
                if let Some(reason) = reason {
                    fields.insert("reason".into(), Value::String(reason));
                }
                OrchestrationDetails::Unknown {
                    details_type: tag.clone(),
                    fields,
                }
            }
        }
    }
}

impl Serialize for OrchestrationDetails {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("type", self.details_type().as_str())?;
        let extra = match self {
            OrchestrationDetails::Accept { extra } => extra,
            OrchestrationDetails::Reject { reason, extra }
            | OrchestrationDetails::Abort { reason, extra } => {
                map.serialize_entry("reason", reason)?;
                extra
            }
            OrchestrationDetails::Wait {
                delay_seconds,
                reason,
                extra,
            } => {
                map.serialize_entry("delay_seconds", delay_seconds)?;
                map.serialize_entry("reason", reason)?;
                extra
            }
            OrchestrationDetails::Unknown { fields, .. } => fields,
        };
        for (key, value) in extra {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for OrchestrationDetails {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(DetailsVisitor)
    }
}

/// Reads the details' entries and checks them in the visit of the map, so that an error is
/// placed at the details themselves (`crate::parse` names its path from there).
struct DetailsVisitor;

impl<'de> serde::de::Visitor<'de> for DetailsVisitor {
    type Value = OrchestrationDetails;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a map")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields = Map::<String, Value>::new();
        while let Some((key, value)) = map.next_entry::<String, Value>()? {
            fields.insert(key, value);
        }
        OrchestrationDetails::from_fields(fields)
    }
}

impl OrchestrationDetails {
    fn from_fields<E: serde::de::Error>(mut fields: Map<String, Value>) -> Result<Self, E> {
        let tag = match fields.shift_remove("type") {
            Some(Value::String(tag)) => tag,
            Some(other) => {
                return Err(E::custom(format!("`type` must be a string, got {other}")));
            }
            None => return Err(E::missing_field("type")),
        };
        let reason = |fields: &mut Map<String, Value>| -> Result<Option<String>, E> {
            match fields.shift_remove("reason") {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(reason)) => Ok(Some(reason)),
                Some(other) => Err(E::custom(format!(
                    "`reason` must be a string or null, got {other}"
                ))),
            }
        };
        Ok(match DetailsType::from_wire(&tag) {
            DetailsType::Accept => OrchestrationDetails::Accept { extra: fields },
            DetailsType::Reject => {
                let reason = reason(&mut fields)?;
                OrchestrationDetails::Reject {
                    reason,
                    extra: fields,
                }
            }
            DetailsType::Abort => {
                let reason = reason(&mut fields)?;
                OrchestrationDetails::Abort {
                    reason,
                    extra: fields,
                }
            }
            DetailsType::Wait => {
                let delay_seconds = match fields.shift_remove("delay_seconds") {
                    Some(Value::Number(n)) if n.as_i64().is_some() => n.as_i64().unwrap_or(0),
                    Some(other) => {
                        return Err(E::custom(format!(
                            "`delay_seconds` must be an integer, got {other}"
                        )));
                    }
                    None => return Err(E::missing_field("delay_seconds")),
                };
                let reason = reason(&mut fields)?;
                OrchestrationDetails::Wait {
                    delay_seconds,
                    reason,
                    extra: fields,
                }
            }
            DetailsType::Unknown(details_type) => OrchestrationDetails::Unknown {
                details_type,
                fields,
            },
        })
    }
}

/// Body of `POST /flow_runs/{id}/resume`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ResumeRequest {
    /// The input the pause asked for; left out when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_input: Option<Value>,
}

/// Body of `POST /flow_runs/{id}/set_state`: the proposed state and `force` (Flowgate
/// always sends `false`, so the server's orchestration rules decide).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetStateRequest {
    /// The proposed state.
    pub state: ProposedState,
    /// Whether to skip the orchestration rules.
    pub force: bool,
}

/// A state as proposed to the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProposedState {
    /// Its type.
    #[serde(rename = "type")]
    pub state_type: crate::state::StateType,
    /// Its name.
    pub name: String,
    /// Its message.
    pub message: Option<String>,
}
