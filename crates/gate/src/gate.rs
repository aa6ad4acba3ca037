//! Deciding through the gate: read what Prefect and the gate's records say of a run, ask
//! the policy (core's [`policy_verdict`], the one the console runs too), and only then
//! record an approval, resume or reject. Nothing the policy refused is ever forwarded.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use flowgate_client::{Client, ClientError};
use flowgate_core::decision::{DecisionKind, NewDecision, decision_event};
use flowgate_core::gate::{ApprovalOutcome, GateApproval, GateRecord, GateReject, GateRowVerdict};
use flowgate_core::policy::{
    Person, PolicyCase, PolicyVerdict, Refusal, RunFacts, canonical_json, labels, policy_verdict,
};
use flowgate_core::{
    FlowRun, FlowRunFilter, OrchestrationResult, ResumeVerdict, SetStateStatus, StateType,
    StoredSchema, resume_verdict,
};
use futures_util::StreamExt;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::config::Config;
use crate::policy_store::PolicyStore;
use crate::records::{self, Records, Signer};

/// A gate: its settings, its Prefect client, the policy in force and its signing key.
#[derive(Debug)]
pub struct Gate {
    /// Its settings.
    pub config: Config,
    /// Its way to Prefect.
    pub client: Client,
    /// The policy in force.
    pub policy: Arc<PolicyStore>,
    signer: Signer,
    /// Flow and deployment names by id (Prefect never renames either).
    names: Mutex<HashMap<Uuid, String>>,
}

/// Resumes in flight at once in a bulk approval: Prefect's own best concurrency (see
/// flowgate-client's `DEFAULT_CONCURRENCY`).
pub const BULK_CONCURRENCY: usize = 4;

/// The most runs one bulk approval takes.
pub const MAX_BULK: usize = 1_000;

/// The most runs one request for row verdicts names (the inbox's page is smaller).
pub const MAX_ROWS: usize = 200;

/// How many names the gate keeps before it starts its cache afresh.
const MAX_NAMES: usize = 10_000;

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer(<redacted>)")
    }
}

/// Why the gate did not do what was asked; each maps to one HTTP status.
#[derive(Debug)]
pub enum GateError {
    /// 400: the request itself is wrong.
    BadRequest(String),
    /// 401: no identity the gate can believe.
    Unauthenticated(String),
    /// 403: the policy refuses this person.
    Forbidden(Box<PolicyVerdict>, String),
    /// 404: no such run or deployment.
    NotFound(String),
    /// 409: the run is not in a state this can be done in (no longer paused, approved
    /// already, another input approved).
    Conflict(String, Option<Box<PolicyVerdict>>),
    /// 422: Prefect would refuse the input or the resume; its own words.
    Unprocessable(String),
    /// 502/504: Prefect failed or could not be reached.
    Prefect(ClientError),
    /// 504: an approval was sent but Prefect had not stored it within the settle time.
    Unsettled(String),
}

impl From<ClientError> for GateError {
    fn from(err: ClientError) -> Self {
        match err {
            ClientError::NotFound { what } => GateError::NotFound(format!("{what} was not found.")),
            other => GateError::Prefect(other),
        }
    }
}

/// What is known of a run when a decision is asked for.
struct Situation {
    run: FlowRun,
    case: PolicyCase,
    records: Records,
}

/// The longest reason a reject takes.
const MAX_REASON: usize = 2_000;

impl Gate {
    /// A gate for `config`, its policy loaded from `policy`.
    pub fn new(config: Config, policy: Arc<PolicyStore>) -> Result<Gate, String> {
        let client = Client::new(config.prefect.clone()).map_err(|err| err.to_string())?;
        Ok(Gate {
            signer: Signer::new(&config.secret),
            names: Mutex::new(HashMap::new()),
            config,
            client,
            policy,
        })
    }

    /// The policy case of run `id` for `person`: what the console computes its verdict from.
    pub async fn case(&self, id: Uuid, person: &Person) -> Result<PolicyCase, GateError> {
        Ok(self.situation(id, person, true).await?.case)
    }

    /// The flow's name and the deployment's `flow/deployment` name of `run`. Prefect never
    /// renames either, so each is asked once per gate process.
    async fn names(&self, run: &FlowRun) -> Result<(String, Option<String>), GateError> {
        let known = |id: Uuid| self.names.lock().ok().and_then(|n| n.get(&id).cloned());
        let flow = match known(run.flow_id) {
            Some(name) => name,
            None => {
                let name = self
                    .client
                    .flows_by_id([run.flow_id])
                    .await?
                    .into_iter()
                    .next()
                    .map(|f| f.name)
                    .ok_or_else(|| {
                        GateError::NotFound(format!("The flow of run {} was not found.", run.id))
                    })?;
                self.remember(run.flow_id, &name);
                name
            }
        };
        let deployment = match run.deployment_id {
            None => None,
            Some(id) => match known(id) {
                Some(name) => Some(name),
                None => {
                    let found = self
                        .client
                        .deployments_by_id([id])
                        .await?
                        .into_iter()
                        .next();
                    found.map(|d| {
                        let name = format!("{flow}/{}", d.name);
                        self.remember(id, &name);
                        name
                    })
                }
            },
        };
        Ok((flow, deployment))
    }

    fn remember(&self, id: Uuid, name: &str) {
        if let Ok(mut names) = self.names.lock() {
            if names.len() >= MAX_NAMES {
                names.clear();
            }
            names.insert(id, name.to_owned());
        }
    }

    /// What is known of run `id` for `person`. The gate's records (approvals, requesters)
    /// are read when `with_records`, or when a rule that governs the run needs them (more
    /// than one approval, or four-eyes).
    async fn situation(
        &self,
        id: Uuid,
        person: &Person,
        with_records: bool,
    ) -> Result<Situation, GateError> {
        let run = self.client.read_flow_run(id).await?;
        self.situation_of(run, person, with_records).await
    }

    /// [`Gate::situation`] of a run already read.
    async fn situation_of(
        &self,
        run: FlowRun,
        person: &Person,
        with_records: bool,
    ) -> Result<Situation, GateError> {
        let id = run.id;
        let since = run.created.unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
        let pause = run
            .state
            .as_ref()
            .filter(|s| s.state_type == StateType::Paused)
            .map(|s| s.id);
        let (flow, deployment) = self.names(&run).await?;
        let state = run.state.as_ref();
        let mut facts = RunFacts {
            flow_run_id: id,
            pause_state_id: pause,
            flow,
            deployment,
            tags: run.tags.clone(),
            pause_key: state.and_then(|s| s.state_details.pause_key.clone()),
            labels: run.labels.clone(),
            requesters: Vec::new(),
            asks_input: state
                .and_then(|s| s.state_details.requested_input_keyset())
                .is_some(),
        };
        let policy = self.policy.get();
        let label_rule = labels::label_rule(&run.labels).ok().flatten();
        let needs_records = policy
            .rules_for(&facts)
            .into_iter()
            .chain(&label_rule)
            .any(|r| r.four_eyes || r.approvals > 1);
        let records = if with_records || needs_records {
            self.records(id, since, pause).await?
        } else {
            Records::default()
        };
        facts.requesters = records.requesters.clone();
        if let Some(named) = labels::label_requester(&run.labels)
            && !facts.requesters.contains(&named)
        {
            facts.requesters.push(named);
        }
        let case = PolicyCase::new(&policy, facts, person.clone(), records.approvals.clone());
        Ok(Situation { run, case, records })
    }

    /// The gate's records of run `id` for the pause `pause`, checked.
    async fn records(
        &self,
        id: Uuid,
        since: DateTime<Utc>,
        pause: Option<Uuid>,
    ) -> Result<Records, GateError> {
        let page = self
            .client
            .filter_events(&records::records_filter(id, since))
            .await?;
        if page.total > page.events.len() as u64 {
            // Fail closed: approvals on a page not read could change the count.
            return Err(GateError::Conflict(
                format!(
                    "Run {id} has {} gate records, more than the gate reads at once ({}); the gate will not decide it on part of them.",
                    page.total,
                    page.events.len()
                ),
                None,
            ));
        }
        Ok(records::read_records(&self.signer, &page, pause))
    }

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

    /// What the policy says for `person` on each of `ids` (at most [`MAX_ROWS`]), without
    /// input: the inbox's line per run. Runs that cannot be read are left out.
    pub async fn row_verdicts(
        &self,
        ids: &[Uuid],
        person: &Person,
    ) -> Result<Vec<GateRowVerdict>, GateError> {
        if ids.len() > MAX_ROWS {
            return Err(GateError::BadRequest(format!(
                "The gate's verdicts are asked for at most {MAX_ROWS} runs at once; this asks for {}.",
                ids.len()
            )));
        }
        let runs = self
            .client
            .list_flow_runs(&FlowRunFilter::by_ids(ids.iter().copied()))
            .await?;
        let verdicts: Vec<(Uuid, Option<GateRowVerdict>)> = futures_util::stream::iter(runs)
            .map(|run| async move {
                let id = run.id;
                let line = self
                    .situation_of(run, person, true)
                    .await
                    .ok()
                    .map(|situation| {
                        let verdict = policy_verdict(&situation.case, None);
                        GateRowVerdict {
                            flow_run_id: id,
                            message: verdict.message,
                            may_approve: verdict.approve.is_allowed(),
                            may_reject: verdict.reject.is_allowed(),
                        }
                    });
                (id, line)
            })
            .buffer_unordered(BULK_CONCURRENCY)
            .collect()
            .await;
        Ok(ids
            .iter()
            .filter_map(|id| {
                verdicts
                    .iter()
                    .find(|(v, _)| v == id)
                    .and_then(|(_, line)| line.clone())
            })
            .collect())
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
        match resume_verdict(run, schema, input, Utc::now()) {
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
            .reject_read(situation.run, Some(&person.user), reason)
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

    /// Starts a run of deployment `id` for `person` and records them as its requester.
    pub async fn request(
        &self,
        deployment: Uuid,
        person: &Person,
        body: Value,
    ) -> Result<FlowRun, GateError> {
        if !body.is_object() {
            return Err(GateError::BadRequest(
                "The body must be a JSON object (Prefect's DeploymentFlowRunCreate).".into(),
            ));
        }
        let run = self.client.create_flow_run(deployment, &body).await?;
        let event = records::record(
            &self.signer,
            records::REQUESTED,
            run.id,
            records::request_payload(person, &self.config.id),
            Uuid::new_v4(),
            Utc::now(),
        );
        // The run exists either way; without its record the requester is not known to
        // four-eyes, so the failure is an error the caller sees.
        self.client.emit_events(&[event]).await?;
        Ok(run)
    }

    /// The signed decision event for `run`, with its id.
    #[allow(clippy::too_many_arguments)]
    fn decision_record(
        &self,
        run: &FlowRun,
        person: &Person,
        kind: DecisionKind,
        reason: Option<&str>,
        input: Option<&Value>,
        result: &OrchestrationResult,
        approvers: &[String],
    ) -> (Uuid, Value) {
        let id = Uuid::new_v4();
        let state_type = result.state.as_ref().map(|s| s.state_type.to_string());
        let mut event = decision_event(
            &NewDecision {
                kind,
                flow_run_id: run.id,
                flow_run: Some(run),
                decider: Some(&person.user),
                reason,
                input,
                state_type: state_type.as_deref(),
                bulk: false,
            },
            id,
            Utc::now(),
        );
        if let Some(payload) = event.get_mut("payload").and_then(Value::as_object_mut) {
            payload.insert("decider_checked".into(), true.into());
            payload.insert("checked_by".into(), self.config.id.clone().into());
            payload.insert("groups".into(), json!(person.groups));
            payload.insert("approvers".into(), json!(approvers));
        }
        (id, self.signer.sign(event))
    }

    async fn emit_record(&self, id: Uuid, event: Value) -> Result<Uuid, String> {
        self.client
            .emit_events(&[event])
            .await
            .map(|()| id)
            .map_err(|err| err.to_string())
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

/// The paused state's id, or 409 saying what the run is now.
fn paused(run: &FlowRun) -> Result<Uuid, GateError> {
    match &run.state {
        Some(state) if state.state_type == StateType::Paused => Ok(state.id),
        Some(state) => Err(GateError::Conflict(
            format!(
                "Run {} is no longer paused (it is {}); nothing was decided.",
                run.id,
                state.name.as_deref().unwrap_or("in another state")
            ),
            None,
        )),
        None => Err(GateError::Conflict(
            format!("Run {} has no state; nothing was decided.", run.id),
            None,
        )),
    }
}

/// 403 or 409 for a refused permission, with the verdict.
fn refuse_unless_allowed(
    verdict: &PolicyVerdict,
    permission: &flowgate_core::policy::Permission,
) -> Result<(), GateError> {
    use flowgate_core::policy::Permission;
    let Permission::Refused { refusal, reason } = permission else {
        return Ok(());
    };
    let boxed = Box::new(verdict.clone());
    Err(match refusal {
        Refusal::AlreadyApproved | Refusal::DifferentInput { .. } => {
            GateError::Conflict(reason.clone(), Some(boxed))
        }
        _ => GateError::Forbidden(boxed, reason.clone()),
    })
}
