//! Deciding through the gate: read what Prefect and the gate's records say of a run, ask
//! the policy (core's [`policy_verdict`], the one the console runs too), and only then
//! record an approval, resume or reject. Nothing the policy refused is ever forwarded.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use flowgate_client::{Client, ClientError};
use flowgate_core::decision::{DecisionKind, NewDecision, decision_event};
use flowgate_core::gate::GateRowVerdict;
use flowgate_core::policy::{
    Person, PolicyCase, PolicyVerdict, Refusal, RunFacts, labels, policy_verdict,
};
use flowgate_core::{FlowRun, FlowRunFilter, Named, OrchestrationResult, StateType};
use futures_util::StreamExt;
use serde_json::{Value, json};
use uuid::Uuid;

mod approve;
mod reject;

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
    /// The rules of Prefect's release and when they were read: read again after a minute, so
    /// an upgraded Prefect is followed without a request per decision.
    rules: Mutex<Option<(Instant, flowgate_core::ServerRules)>>,
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
            rules: Mutex::new(None),
            config,
            client,
            policy,
        })
    }

    /// The policy case of run `id` for `person`: what the console computes its verdict from.
    pub async fn case(&self, id: Uuid, person: &Person) -> Result<PolicyCase, GateError> {
        Ok(self.situation(id, person, true).await?.case)
    }

    /// The rules of Prefect's release (see `rules`).
    pub(crate) async fn server_rules(&self) -> flowgate_core::ServerRules {
        let fresh = |at: &Instant| at.elapsed() < Duration::from_secs(60);
        if let Some((at, rules)) = self.rules.lock().ok().and_then(|r| *r)
            && fresh(&at)
        {
            return rules;
        }
        let rules = self.client.server_rules().await;
        if let Ok(mut cached) = self.rules.lock() {
            *cached = Some((Instant::now(), rules));
        }
        rules
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
                    .flows_by_id::<Named>([run.flow_id])
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
                        .deployments_by_id::<Named>([id])
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
