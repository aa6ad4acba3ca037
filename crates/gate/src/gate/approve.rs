//! Approving through the gate: an approval is recorded for one exact input; the last one the
//! policy needs resumes the run, exactly once, however many replicas take approvals at the
//! same moment.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::Utc;
use flowgate_client::ClientError;
use flowgate_core::decision::DecisionKind;
use flowgate_core::gate::{ApprovalOutcome, GateApproval, GateRecord};
use flowgate_core::policy::{Person, canonical_json, policy_verdict};
use flowgate_core::{
    FlowRun, FlowRunFilter, ResumeVerdict, SetStateStatus, StateType, StoredSchema,
    resume_verdict_with,
};
use futures_util::StreamExt;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    BULK_CONCURRENCY, Gate, GateError, MAX_BULK, Situation, paused, refuse_unless_allowed,
};
use crate::records;

impl Gate {
    /// Approves run `id` for `person` with `input`; resumes it when this is the last
    /// approval needed.
    pub async fn approve(
        &self,
        id: Uuid,
        person: &Person,
        input: Option<Value>,
    ) -> Result<GateApproval, GateError> {
        let situation = self.situation(id, person, false).await?;
        self.approve_in(situation, person, input, None).await
    }

    /// Approves the run of `situation`; decision records go to `batch` when given (the
    /// caller writes them all at once), else straight to Prefect.
    async fn approve_in(
        &self,
        situation: Situation,
        person: &Person,
        input: Option<Value>,
        batch: Option<&Mutex<Vec<Value>>>,
    ) -> Result<GateApproval, GateError> {
        let id = situation.run.id;
        let pause = paused(&situation.run)?;
        let input = match (situation.case.run.asks_input, input) {
            (true, input) => Some(input.unwrap_or_else(|| json!({}))),
            (false, None) => None,
            (false, Some(_)) => {
                return Err(GateError::BadRequest(
                    "This pause asks for no input; approve it without run_input.".into(),
                ));
            }
        };
        let verdict = policy_verdict(&situation.case, input.as_ref());
        refuse_unless_allowed(&verdict, &verdict.approve)?;
        self.prefect_would_accept(&situation.run, input.as_ref())
            .await?;

        if verdict.needed <= 1 {
            return self
                .resume(
                    &situation.run,
                    person,
                    input,
                    vec![person.user.clone()],
                    batch,
                )
                .await;
        }
        // Record the approval, wait until Prefect has stored it, then count again: of two
        // final approvals given at once (to two replicas), the one stored last sees both.
        let record_id = Uuid::new_v4();
        let event = records::record(
            &self.signer,
            records::APPROVED,
            id,
            records::approval_payload(person, input.as_ref(), pause, &self.config.id),
            record_id,
            Utc::now(),
        );
        self.client.emit_events(&[event]).await?;
        let situation = self.settled(id, person, record_id).await?;
        if paused(&situation.run).ok() != Some(pause) {
            return Ok(already_resumed(situation.run.state_type, Vec::new()));
        }
        let wanted = input.as_ref().map(canonical_json).unwrap_or_default();
        let after = policy_verdict(&situation.case, input.as_ref());
        let approvers = after
            .proposals
            .iter()
            .find(|p| p.input.as_ref().map(canonical_json).unwrap_or_default() == wanted)
            .map(|p| p.approvers.clone())
            .unwrap_or_default();
        if approvers.len() >= after.needed as usize {
            return self
                .resume(&situation.run, person, input, approvers, batch)
                .await;
        }
        Ok(GateApproval {
            outcome: ApprovalOutcome::Recorded,
            needed: after.needed,
            approvers,
            message: Some(after.message),
            result: None,
            record: None,
            state_type: None,
        })
    }

    /// Approves each of `ids` (runs that ask no input) for `person`, as [`Gate::approve`]
    /// would one by one, with fewer requests to Prefect: the runs are read together, at most
    /// [`BULK_CONCURRENCY`] resumes are in flight, and the decision records are written in one
    /// batch at the end. Each run gets its own outcome; one failure stops nothing.
    pub async fn approve_many(
        &self,
        ids: &[Uuid],
        person: &Person,
    ) -> Result<Vec<(Uuid, Result<GateApproval, GateError>)>, GateError> {
        let mut seen = std::collections::HashSet::new();
        let ids: Vec<Uuid> = ids.iter().copied().filter(|id| seen.insert(*id)).collect();
        if ids.len() > MAX_BULK {
            return Err(GateError::BadRequest(format!(
                "A bulk approval takes at most {MAX_BULK} runs; this one names {}.",
                ids.len()
            )));
        }
        let mut runs: HashMap<Uuid, FlowRun> = HashMap::new();
        for chunk in ids.chunks(200) {
            for run in self
                .client
                .list_flow_runs(&FlowRunFilter::by_ids(chunk.iter().copied()))
                .await?
            {
                runs.insert(run.id, run);
            }
        }
        let batch = Mutex::new(Vec::new());
        let batch = &batch;
        let runs = &runs;
        let mut outcomes: Vec<(Uuid, Result<GateApproval, GateError>)> =
            futures_util::stream::iter(ids)
                .map(|id| async move {
                    let outcome = match runs.get(&id) {
                        None => Err(GateError::NotFound(format!("Flow run {id} was not found."))),
                        Some(run) => match self.situation_of(run.clone(), person, false).await {
                            Ok(situation) => {
                                self.approve_in(situation, person, None, Some(batch)).await
                            }
                            Err(err) => Err(err),
                        },
                    };
                    (id, outcome)
                })
                .buffer_unordered(BULK_CONCURRENCY)
                .collect()
                .await;
        let events =
            std::mem::take(&mut *batch.lock().map_err(|_| {
                GateError::BadRequest("the gate's record batch was poisoned".into())
            })?);
        if !events.is_empty()
            && let Err(err) = self.client.emit_events(&events).await
        {
            let error = err.to_string();
            for (_, outcome) in &mut outcomes {
                if let Ok(GateApproval {
                    record: Some(record),
                    ..
                }) = outcome
                {
                    record.event_id = None;
                    record.error = Some(error.clone());
                }
            }
        }
        Ok(outcomes)
    }

    /// Reads the run's situation until the record `record_id` is among what Prefect has
    /// stored, or the settle time runs out.
    async fn settled(
        &self,
        id: Uuid,
        person: &Person,
        record_id: Uuid,
    ) -> Result<Situation, GateError> {
        let deadline = Instant::now() + Duration::from_millis(self.config.settle_ms);
        let mut wait = Duration::from_millis(50);
        loop {
            let situation = self.situation(id, person, true).await?;
            if situation.records.ids.contains(&record_id) {
                return Ok(situation);
            }
            if Instant::now() >= deadline {
                return Err(GateError::Unsettled(format!(
                    "The approval was sent to Prefect, but Prefect had not stored it after {} ms; it counts once stored — read the run again.",
                    self.config.settle_ms
                )));
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(Duration::from_millis(500));
        }
    }

    /// Refuses what Prefect's own resume would refuse (core's verdict, to the word), so
    /// that no approval is recorded for an input that could never resume the run.
    async fn prefect_would_accept(
        &self,
        run: &FlowRun,
        input: Option<&Value>,
    ) -> Result<(), GateError> {
        let request = self.client.run_input_request(run).await?;
        let schema = match &request {
            Some(request) => request.stored_schema(),
            None => StoredSchema::Missing,
        };
        let rules = self.server_rules().await;
        let searches = flowgate_core::Searches::HERE;
        match resume_verdict_with(run, schema, input, Utc::now(), searches, rules) {
            ResumeVerdict::Answer(answer) if answer.status == SetStateStatus::Accept => Ok(()),
            ResumeVerdict::Answer(answer) => Err(GateError::Unprocessable(format!(
                "Prefect would refuse this resume ({}): {}",
                answer.status,
                answer.reason.unwrap_or_default()
            ))),
            ResumeVerdict::HttpError { status, reason } => Err(GateError::Unprocessable(format!(
                "Prefect would refuse this input (HTTP {status}): {reason}"
            ))),
            // Jinja templates and workspace variables: the server decides on resume.
            ResumeVerdict::ServerDecides { .. } => Ok(()),
        }
    }

    async fn resume(
        &self,
        run: &FlowRun,
        person: &Person,
        input: Option<Value>,
        approvers: Vec<String>,
        batch: Option<&Mutex<Vec<Value>>>,
    ) -> Result<GateApproval, GateError> {
        let resumed = match self.client.resume(run.id, input.as_ref()).await {
            Ok(resumed) => resumed,
            // The answer was lost (a busy database, a cut connection) but the run left its
            // pause: resumed once, by this request or by another replica's; which one cannot
            // be told, so no decision is recorded for it.
            Err(ClientError::ResumeInterrupted {
                resumed: Some(true),
                ..
            }) => {
                let now = self.client.read_flow_run(run.id).await?;
                return Ok(already_resumed(now.state_type, approvers));
            }
            Err(other) => return Err(other.into()),
        };
        match resumed.result.status {
            SetStateStatus::Accept => {
                let (event_id, event) = self.decision_record(
                    run,
                    person,
                    DecisionKind::Resumed,
                    None,
                    input.as_ref(),
                    &resumed.result,
                    &approvers,
                );
                let record = match batch {
                    Some(batch) => {
                        if let Ok(mut batch) = batch.lock() {
                            batch.push(event);
                        }
                        Ok(event_id)
                    }
                    None => self.emit_record(event_id, event).await,
                };
                Ok(GateApproval {
                    outcome: ApprovalOutcome::Resumed,
                    needed: approvers.len() as u32,
                    approvers,
                    message: None,
                    result: Some(resumed.result),
                    record: Some(GateRecord::of(record)),
                    state_type: None,
                })
            }
            SetStateStatus::Abort => {
                // Not paused any more: another approval's resume came first.
                let now = self.client.read_flow_run(run.id).await?;
                Ok(already_resumed(now.state_type, approvers))
            }
            _ => Err(GateError::Unprocessable(format!(
                "Prefect refused the resume ({}): {}",
                resumed.result.status,
                resumed.result.details.reason().unwrap_or_default()
            ))),
        }
    }
}

/// An approval that found the run resumed by another request.
fn already_resumed(state_type: Option<StateType>, approvers: Vec<String>) -> GateApproval {
    GateApproval {
        outcome: ApprovalOutcome::AlreadyResumed,
        needed: approvers.len() as u32,
        approvers,
        message: None,
        result: None,
        record: None,
        state_type,
    }
}
