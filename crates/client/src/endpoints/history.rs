//! A run's record: its state history and the decisions Flowgate recorded for it as
//! Prefect events.

use chrono::{DateTime, Utc};
use flowgate_core::decision::{decision_event, decisions_filter};
use flowgate_core::{Decision, EventPage, NewDecision, State};
use serde_json::Value;
use uuid::Uuid;

use crate::request::Method;
use crate::{Client, ClientError, transport};

impl Client {
    /// HTTP GET /flow_run_states/?flow_run_id={id}: every state the run has been in, oldest
    /// first.
    pub async fn flow_run_states(&self, id: Uuid) -> Result<Vec<State>, ClientError> {
        let mut states: Vec<State> = self
            .fetch(
                Method::Get,
                &format!("/flow_run_states/?flow_run_id={id}"),
                None::<&()>,
                "flow run states",
                || format!("The states of flow run {id}"),
            )
            .await?;
        // Prefect lists no states for an id that is no run, as for a run with none: the run
        // itself tells them apart.
        if states.is_empty() {
            self.read_flow_run(id).await?;
        }
        states.sort_by_key(|s| s.timestamp);
        Ok(states)
    }

    /// HTTP POST /events: records a decision as the event `flowgate.decision.resumed` or
    /// `…rejected` on the run's resource, with its flow and deployment related. Returns the
    /// event's id. Prefect stores events asynchronously: reading them back may take a few
    /// seconds.
    pub async fn record_decision(&self, decision: &NewDecision<'_>) -> Result<Uuid, ClientError> {
        let id = transport::random_uuid().ok_or_else(|| ClientError::InvalidConfig {
            message: "this JavaScript host has no crypto.randomUUID() to name the decision event"
                .into(),
        })?;
        let event = decision_event(decision, id, transport::now());
        self.emit_events(&[event]).await?;
        Ok(id)
    }

    /// HTTP POST /events: records events in Prefect's event store. Prefect stores them
    /// asynchronously: reading them back may take a few seconds.
    pub async fn emit_events(&self, events: &[Value]) -> Result<(), ClientError> {
        let answer = self
            .call(Method::Post, "/events", Some(&events), false)
            .await?;
        self.check_answer(&answer, || "The events endpoint".into())
    }

    /// HTTP POST /events/filter: one page of the events matching `filter` (Prefect's
    /// `EventFilter` body: `{"filter": …, "limit": …}`).
    pub async fn filter_events(&self, filter: &Value) -> Result<EventPage, ClientError> {
        self.fetch(
            Method::Post,
            "/events/filter",
            Some(filter),
            "event page",
            || "The events endpoint".into(),
        )
        .await
    }

    /// HTTP POST /events/filter: the decisions recorded for run `id`, newest first, made
    /// since `since` (give the run's creation time; Prefect's default window is the last 180 days).
    pub async fn decisions(
        &self,
        id: Uuid,
        since: DateTime<Utc>,
    ) -> Result<Vec<Decision>, ClientError> {
        let page = self.filter_events(&decisions_filter(id, since)).await?;
        Ok(page
            .events
            .iter()
            .filter_map(Decision::from_event)
            .collect())
    }
}
