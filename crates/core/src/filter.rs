//! Request bodies of the list endpoints (`/flow_runs/filter`, `/flow_runs/count`,
//! `/flow_runs/paginate`, `/flows/filter`) and the `/paginate` answer. The bodies of state
//! changes are in [`crate::orchestration`], beside their answer.
//!
//! Every criterion is optional and left out of the JSON when unset, as Prefect expects. A
//! key these bodies do not have is refused when one is read (from JS, say), naming the key
//! and the allowed ones: a typo such as `{"state": …}` at the top must not list every run.
//! Only `flow_runs` passes criteria it does not model on to the server, which refuses
//! unknown ones itself (HTTP 422).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::flow_run::FlowRun;
use crate::open_enum::open_enum;
use crate::state::StateType;

open_enum! {
    /// Sort orders of `/flow_runs/filter` (Prefect's `FlowRunSort`).
    pub enum FlowRunSort {
        /// Newest id first.
        IdDesc = "ID_DESC",
        /// Oldest start first.
        StartTimeAsc = "START_TIME_ASC",
        /// Newest start first — the inbox order.
        StartTimeDesc = "START_TIME_DESC",
        /// Earliest expected start first.
        ExpectedStartTimeAsc = "EXPECTED_START_TIME_ASC",
        /// Latest expected start first.
        ExpectedStartTimeDesc = "EXPECTED_START_TIME_DESC",
        /// By name, A→Z.
        NameAsc = "NAME_ASC",
        /// By name, Z→A.
        NameDesc = "NAME_DESC",
        /// Next scheduled start first.
        NextScheduledStartTimeAsc = "NEXT_SCHEDULED_START_TIME_ASC",
        /// Latest end first.
        EndTimeDesc = "END_TIME_DESC",
    }
}

/// `{"any_": [...]}`: matches any of the values.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnyOf<T> {
    /// The values to match.
    pub any_: Vec<T>,
}

/// Filter on an id column.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdFilter {
    /// Any of these ids.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub any_: Option<Vec<Uuid>>,
    /// Or none of these.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_any_: Option<Vec<Uuid>>,
}

/// Filter on an optional foreign id (e.g. `deployment_id`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionalIdFilter {
    /// Any of these ids.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub any_: Option<Vec<Uuid>>,
    /// `true`: only rows without one; `false`: only rows with one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_null_: Option<bool>,
}

/// Filter on a name.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NameFilter {
    /// Exactly one of these names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub any_: Option<Vec<String>>,
    /// A case-insensitive substring (`ILIKE %value%`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub like_: Option<String>,
}

/// Filter on tags.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagsFilter {
    /// Runs carrying all of these tags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub all_: Option<Vec<String>>,
    /// Runs carrying any of these tags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub any_: Option<Vec<String>>,
    /// `true`: runs without tags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_null_: Option<bool>,
}

/// Filter on the state type.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateTypeFilter {
    /// Any of these types.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub any_: Option<Vec<StateType>>,
    /// None of these types.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_any_: Option<Vec<StateType>>,
}

/// Filter on the state name (e.g. "Suspended").
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateNameFilter {
    /// Any of these names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub any_: Option<Vec<String>>,
    /// None of these names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_any_: Option<Vec<String>>,
}

/// Filter on the current state.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateFilter {
    /// By type.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub state_type: Option<StateTypeFilter>,
    /// By name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<StateNameFilter>,
}

/// A time range; both ends inclusive.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeRange {
    /// At or before this instant.
    #[serde(
        with = "crate::timestamp::option",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub before_: Option<DateTime<Utc>>,
    /// At or after this instant.
    #[serde(
        with = "crate::timestamp::option",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub after_: Option<DateTime<Utc>>,
    /// `true`: rows without a time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_null_: Option<bool>,
}

/// Criteria on the flow runs themselves (`"flow_runs": {…}`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FlowRunCriteria {
    /// By id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<IdFilter>,
    /// By name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<NameFilter>,
    /// By tags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<TagsFilter>,
    /// By current state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<StateFilter>,
    /// By start time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<TimeRange>,
    /// By expected start time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_start_time: Option<TimeRange>,
    /// By deployment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployment_id: Option<OptionalIdFilter>,
    /// Criteria this build does not model, sent as given.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Criteria on the runs' flows (`"flows": {…}`), also the body of `/flows/filter`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowCriteria {
    /// By flow id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<IdFilter>,
    /// By flow name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<NameFilter>,
    /// By flow tags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<TagsFilter>,
}

/// Criteria on the runs' deployments (`"deployments": {…}`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeploymentCriteria {
    /// By deployment id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<IdFilter>,
    /// By deployment name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<NameFilter>,
}

/// Body of `POST /flow_runs/filter` and `POST /flow_runs/count`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowRunFilter {
    /// Criteria on flows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flows: Option<FlowCriteria>,
    /// Criteria on runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flow_runs: Option<FlowRunCriteria>,
    /// Criteria on deployments.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployments: Option<DeploymentCriteria>,
    /// Sort order (ignored by `/count`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort: Option<FlowRunSort>,
    /// At most this many rows (the server caps it at 200).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Skip this many rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u32>,
}

impl FlowRunFilter {
    /// The runs with these ids (at most 200 a call).
    pub fn by_ids(ids: impl IntoIterator<Item = Uuid>) -> Self {
        let ids: Vec<Uuid> = ids.into_iter().collect();
        FlowRunFilter {
            limit: Some(id_limit(&ids)),
            flow_runs: Some(FlowRunCriteria {
                id: Some(IdFilter {
                    any_: Some(ids),
                    not_any_: None,
                }),
                ..FlowRunCriteria::default()
            }),
            ..FlowRunFilter::default()
        }
    }

    /// Runs in the given state types.
    pub fn in_states(types: impl IntoIterator<Item = StateType>) -> Self {
        FlowRunFilter {
            flow_runs: Some(FlowRunCriteria {
                state: Some(StateFilter {
                    state_type: Some(StateTypeFilter {
                        any_: Some(types.into_iter().collect()),
                        not_any_: None,
                    }),
                    name: None,
                }),
                ..FlowRunCriteria::default()
            }),
            ..FlowRunFilter::default()
        }
    }

    /// Paused runs, newest first: what waits for a person.
    pub fn paused_newest_first(limit: u32) -> Self {
        FlowRunFilter {
            sort: Some(FlowRunSort::StartTimeDesc),
            limit: Some(limit),
            ..FlowRunFilter::in_states([StateType::Paused])
        }
    }

    /// The same criteria as a `/paginate` body for the given 1-based page.
    pub fn page(&self, page: u32, limit: u32) -> FlowRunPageRequest {
        FlowRunPageRequest {
            flows: self.flows.clone(),
            flow_runs: self.flow_runs.clone(),
            deployments: self.deployments.clone(),
            sort: self.sort.clone(),
            page,
            limit,
        }
    }
}

/// Body of `POST /flow_runs/paginate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowRunPageRequest {
    /// Criteria on flows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flows: Option<FlowCriteria>,
    /// Criteria on runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flow_runs: Option<FlowRunCriteria>,
    /// Criteria on deployments.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployments: Option<DeploymentCriteria>,
    /// Sort order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort: Option<FlowRunSort>,
    /// 1-based page number.
    pub page: u32,
    /// Rows per page.
    pub limit: u32,
}

/// Answer of `POST /flow_runs/paginate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowRunPage {
    /// The runs on this page.
    pub results: Vec<FlowRun>,
    /// Runs matching in all.
    pub count: u64,
    /// Rows per page.
    pub limit: u64,
    /// Number of pages.
    pub pages: u64,
    /// This page's number.
    pub page: u64,
    /// Fields this build does not know, kept for a lossless round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Body of `POST /deployments/filter`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeploymentFilter {
    /// Criteria on deployments.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployments: Option<DeploymentCriteria>,
    /// Criteria on their runs: those with a run that matches.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flow_runs: Option<FlowRunCriteria>,
    /// Sort order, e.g. `NAME_ASC`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
    /// At most this many rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

impl DeploymentFilter {
    /// The deployments that have a paused run, the first 200 by name (the inbox's names, asked
    /// beside its page of runs).
    pub fn with_paused_runs() -> Self {
        DeploymentFilter {
            flow_runs: FlowRunFilter::in_states([StateType::Paused]).flow_runs,
            sort: Some("NAME_ASC".to_owned()),
            limit: Some(200),
            ..DeploymentFilter::default()
        }
    }

    /// The deployments with these ids (to name the deployments of a page of runs).
    pub fn by_ids(ids: impl IntoIterator<Item = Uuid>) -> Self {
        let ids: Vec<Uuid> = ids.into_iter().collect();
        DeploymentFilter {
            limit: Some(id_limit(&ids)),
            deployments: Some(DeploymentCriteria {
                id: Some(IdFilter {
                    any_: Some(ids),
                    not_any_: None,
                }),
                ..DeploymentCriteria::default()
            }),
            ..DeploymentFilter::default()
        }
    }
}

/// A `limit` that returns every one of `ids` (Prefect caps a page at 200).
fn id_limit(ids: &[Uuid]) -> u32 {
    u32::try_from(ids.len()).unwrap_or(u32::MAX).clamp(1, 200)
}

/// Body of `POST /flows/filter`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowFilter {
    /// Criteria on flows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flows: Option<FlowCriteria>,
    /// Criteria on their runs: those with a run that matches.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flow_runs: Option<FlowRunCriteria>,
    /// Sort order, e.g. `NAME_ASC`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
    /// At most this many rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

impl FlowFilter {
    /// The flows that have a paused run, the first 200 by name (the inbox's names, asked
    /// beside its page of runs).
    pub fn with_paused_runs() -> Self {
        FlowFilter {
            flow_runs: FlowRunFilter::in_states([StateType::Paused]).flow_runs,
            sort: Some("NAME_ASC".to_owned()),
            limit: Some(200),
            ..FlowFilter::default()
        }
    }

    /// The flows with these ids (to name the flows of a page of runs).
    pub fn by_ids(ids: impl IntoIterator<Item = Uuid>) -> Self {
        let ids: Vec<Uuid> = ids.into_iter().collect();
        FlowFilter {
            limit: Some(id_limit(&ids)),
            flows: Some(FlowCriteria {
                id: Some(IdFilter {
                    any_: Some(ids),
                    not_any_: None,
                }),
                ..FlowCriteria::default()
            }),
            ..FlowFilter::default()
        }
    }
}

#[cfg(test)]
mod unknown_keys {
    use super::*;

    #[test]
    fn a_misplaced_or_misspelt_key_is_refused_by_name() {
        let typo = crate::parse::from_str::<FlowRunFilter>(
            "flow run filter",
            r#"{"state": {"type": {"any_": ["PAUSED"]}}}"#,
        )
        .expect_err("refused");
        let text = typo.to_string();
        assert!(text.contains("unknown field `state`"), "{text}");
        assert!(
            text.contains("`flow_runs`"),
            "names the allowed keys: {text}"
        );
        let nested = crate::parse::from_str::<FlowRunFilter>(
            "flow run filter",
            r#"{"flow_runs": {"state": {"types": {"any_": ["PAUSED"]}}}}"#,
        )
        .expect_err("refused");
        assert_eq!(nested.path, "flow_runs.state.types");
    }
}
