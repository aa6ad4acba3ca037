//! Which rules apply to a paused run, and what each will do when: "reminder at 14:00 ·
//! rejected at 15:00 unless decided".

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::model::{Rule, RuleAction};
use crate::flow_run::FlowRun;
use crate::orchestration::SetStateStatus;
use crate::reject::cancel_verdict;
use crate::resume::{ResumeVerdict, StoredSchema, resume_verdict};
use crate::state::StateType;

/// One thing a rule will do (or did) for a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedStep {
    /// The rule (its automation's id).
    pub rule_id: Option<Uuid>,
    /// The rule's name.
    pub rule_name: String,
    /// `notify`, `reject` or `resume`.
    pub action: &'static str,
    /// `None`: when the run paused; else the wait after the pause.
    pub after_seconds: Option<u64>,
    /// When it acts: the pause's start plus the wait.
    #[serde(with = "crate::timestamp")]
    pub at: DateTime<Utc>,
    /// Whether it will happen.
    pub status: StepStatus,
}

/// Whether a step will happen.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum StepStatus {
    /// It is due at `at` unless the run is decided first.
    Due,
    /// Its time has passed while the run stayed paused: Prefect acted (or tried to).
    Passed,
    /// The pause times out at `timeout`, before the rule acts.
    TooLate {
        /// The pause's timeout.
        #[serde(with = "crate::timestamp")]
        timeout: DateTime<Utc>,
    },
    /// Prefect would not do it right for this run; `reason` says why.
    WillFail {
        /// Why, in words (with the server's own reason where it has one).
        reason: String,
    },
    /// The rule is turned off.
    Disabled,
}

/// Whether `rule`'s scope takes `run`. Tags are the run's own: Prefect also relates its flow's
/// and deployment's tags, which a run read alone does not show (a deployment's runs carry its
/// tags unless they were changed).
pub fn applies(rule: &Rule, run: &FlowRun) -> bool {
    let scope = &rule.scope;
    (scope.flows.is_empty() || scope.flows.contains(&run.flow_id))
        && (scope.deployments.is_empty()
            || run
                .deployment_id
                .is_some_and(|d| scope.deployments.contains(&d)))
        && (scope.tags.is_empty() || run.tags.iter().any(|t| scope.tags.contains(t)))
}

/// What `rules` will do for `run` while it stays paused, in time order. Empty unless the run
/// is paused. `schema` is the run's stored input schema when it asks for input and the caller
/// has read it: it tells what the server answers a rule's resume, which sends no input.
pub fn plan_for_run(
    rules: &[Rule],
    run: &FlowRun,
    schema: Option<StoredSchema<'_>>,
    now: DateTime<Utc>,
) -> Vec<PlannedStep> {
    let Some(state) = run
        .state
        .as_ref()
        .filter(|s| s.state_type == StateType::Paused)
    else {
        return Vec::new();
    };
    let since = state.timestamp;
    let timeout = state.state_details.pause_timeout;
    let mut steps: Vec<PlannedStep> = rules
        .iter()
        .filter(|rule| applies(rule, run))
        .map(|rule| {
            let wait = rule.after_seconds.unwrap_or(0);
            let at = since + Duration::seconds(i64::try_from(wait).unwrap_or(i64::MAX / 1000));
            let status = if !rule.enabled {
                StepStatus::Disabled
            } else if let Some(timeout) = timeout.filter(|t| *t <= at) {
                StepStatus::TooLate { timeout }
            } else if let Some(reason) = failure(&rule.action, run, schema, at) {
                StepStatus::WillFail { reason }
            } else if at <= now {
                StepStatus::Passed
            } else {
                StepStatus::Due
            };
            PlannedStep {
                rule_id: rule.id,
                rule_name: rule.name.clone(),
                action: rule.action.kind(),
                after_seconds: rule.after_seconds,
                at,
                status,
            }
        })
        .collect();
    steps.sort_by_key(|s| s.at);
    steps
}

/// Why Prefect would not carry out `action` on `run` at `at`, if it would not.
fn failure(
    action: &RuleAction,
    run: &FlowRun,
    schema: Option<StoredSchema<'_>>,
    at: DateTime<Utc>,
) -> Option<String> {
    match action {
        RuleAction::Notify { .. } => None,
        RuleAction::Reject { .. } => {
            let answer = cancel_verdict(run, &StateType::Cancelled, None, at);
            (answer.status != SetStateStatus::Accept).then(|| {
                format!(
                    "the server would refuse the reject: {}",
                    answer.reason.unwrap_or_else(|| answer.status.to_string())
                )
            })
        }
        RuleAction::Resume => {
            let asks_input = run
                .state
                .as_ref()
                .is_some_and(|s| s.state_details.run_input_keyset.is_some());
            if asks_input && schema.is_none() {
                return Some(
                    "it asks for input and a rule resumes without any: unless every field has a default, the server refuses it (give the run's schema to know)"
                        .into(),
                );
            }
            let refused =
                match resume_verdict(run, schema.unwrap_or(StoredSchema::Missing), None, at) {
                    ResumeVerdict::Answer(answer) if answer.status == SetStateStatus::Accept => {
                        None
                    }
                    ResumeVerdict::Answer(answer) => Some(answer.reason.unwrap_or_default()),
                    ResumeVerdict::HttpError { reason, .. } => Some(reason),
                    ResumeVerdict::ServerDecides { reason, .. } => Some(reason),
                };
            match (asks_input, refused) {
                (true, Some(reason)) => Some(format!(
                    "it asks for input and a rule resumes without any; the server answers “{reason}” and the run stays paused"
                )),
                // Every field has a default: the server accepts, stores nothing, and the flow
                // reads no input and goes on with the defaults (Prefect's RunInput.load).
                (true, None) => None,
                (false, Some(reason)) => {
                    Some(format!("the server would refuse the resume: {reason}"))
                }
                (false, None) => None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::model::Scope;
    use serde_json::Value;

    /// A run paused through a real flow that asks for input (approver required), as the
    /// server returned it: paused at 00:32:55, its pause timing out at 01:32:55.
    fn recorded() -> (FlowRun, String) {
        let cases: Vec<Value> =
            serde_json::from_str(include_str!("../../tests/fixtures/resume_cases.json"))
                .expect("fixture is JSON");
        let case = cases
            .into_iter()
            .find(|c| c["name"] == "input_wrong_type")
            .expect("the recorded case");
        let run = crate::parse::from_value("flow run", case["flow_run"].clone()).expect("a run");
        (
            run,
            case["schema"].as_str().expect("schema text").to_owned(),
        )
    }

    fn rule(name: &str, after: Option<u64>, action: RuleAction) -> Rule {
        Rule {
            id: None,
            name: name.into(),
            enabled: true,
            scope: Scope::default(),
            after_seconds: after,
            action,
        }
    }

    #[test]
    fn each_rule_says_when_and_whether() {
        let (run, schema) = recorded();
        let notify = RuleAction::Notify {
            block: Uuid::nil(),
            subject: "s".into(),
            body: "b".into(),
        };
        let mut off = rule("off", Some(60), notify.clone());
        off.enabled = false;
        let mut elsewhere = rule("other flow", None, notify.clone());
        elsewhere.scope.flows = vec![Uuid::nil()];
        let rules = vec![
            rule("tell", None, notify.clone()),
            rule("remind", Some(1800), notify),
            rule(
                "close",
                Some(2 * 3600),
                RuleAction::Reject {
                    reason: "late".into(),
                },
            ),
            rule("go on", Some(600), RuleAction::Resume),
            off,
            elsewhere,
        ];
        let now = run.state.as_ref().expect("state").timestamp + Duration::seconds(5);
        let plan = plan_for_run(&rules, &run, Some(StoredSchema::Text(&schema)), now);
        let kinds: Vec<(&str, &str)> = plan
            .iter()
            .map(|s| {
                let kind = match &s.status {
                    StepStatus::Due => "due",
                    StepStatus::Passed => "passed",
                    StepStatus::TooLate { .. } => "tooLate",
                    StepStatus::WillFail { .. } => "willFail",
                    StepStatus::Disabled => "disabled",
                };
                (s.rule_name.as_str(), kind)
            })
            .collect();
        assert_eq!(
            kinds,
            [
                ("tell", "passed"),
                ("off", "disabled"),
                ("go on", "willFail"),
                ("remind", "due"),
                ("close", "tooLate"),
            ]
        );
        let StepStatus::WillFail { reason } = &plan[2].status else {
            panic!("a refusal");
        };
        assert!(
            reason.starts_with(
                "it asks for input and a rule resumes without any; the server answers “Reason: "
            ),
            "{reason}"
        );
    }

    #[test]
    fn a_resume_works_when_every_field_has_a_default() {
        let (run, _) = recorded();
        let defaults = serde_json::json!({"type": "object", "properties": {"note": {"type": "string", "default": ""}}});
        let now = run.state.as_ref().expect("state").timestamp;
        let plan = plan_for_run(
            &[rule("go on", Some(600), RuleAction::Resume)],
            &run,
            Some(StoredSchema::Json(&defaults)),
            now,
        );
        assert_eq!(plan[0].status, StepStatus::Due);
        let unknown = plan_for_run(
            &[rule("go on", Some(600), RuleAction::Resume)],
            &run,
            None,
            now,
        );
        assert!(matches!(unknown[0].status, StepStatus::WillFail { .. }));
    }
}
