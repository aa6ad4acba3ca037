//! The rules section of a run's page: what each rule that applies will do and when
//! ("reminder at 14:00 · rejected at 15:00 unless decided"), and what automations did.

use chrono::{DateTime, Utc};
use flowgate_client::{Client, ClientError};
use flowgate_core::FlowRun;
use flowgate_core::rules::{
    ListedRule, NotifyBlock, PlannedStep, Rule, RuleAction, RuleActivity, StepStatus, plan_for_run,
};
use flowgate_core::run_input::StoredSchema;
use leptos::prelude::*;

use crate::components::error_view::ErrorText;
use crate::components::local_time::clock_time;
use crate::state::connection::Connection;

#[derive(Clone)]
struct ForRun {
    rules: Vec<Rule>,
    blocks: Vec<NotifyBlock>,
    schema: Option<String>,
    activity: Vec<RuleActivity>,
}

async fn read(client: Client, run: FlowRun) -> Result<ForRun, ClientError> {
    let rules: Vec<Rule> = client
        .rules()
        .await?
        .into_iter()
        .filter_map(|listed| match listed {
            ListedRule::Rule { rule } => Some(rule),
            ListedRule::EditedElsewhere { .. } => None,
        })
        .collect();
    let notifies = rules
        .iter()
        .any(|r| matches!(r.action, RuleAction::Notify { .. }));
    let blocks = if notifies {
        client.notify_blocks().await?
    } else {
        Vec::new()
    };
    // A rule's resume sends no input: the stored schema tells what the server answers it.
    let schema_key = run
        .state
        .as_ref()
        .and_then(|s| s.state_details.requested_input_keyset())
        .and_then(|keys| keys.get("schema").cloned());
    let schema = match schema_key {
        Some(key) if rules.iter().any(|r| r.action == RuleAction::Resume) => {
            client.read_run_input(run.id, &key).await?
        }
        _ => None,
    };
    let activity = client.rule_activity_of_run(run.id).await?;
    Ok(ForRun {
        rules,
        blocks,
        schema,
        activity,
    })
}

#[component]
pub(super) fn RunRules(run: FlowRun) -> impl IntoView {
    let connection = expect_context::<Connection>();
    let shown = run.clone();
    let loaded = LocalResource::new(move || {
        let client = connection.client();
        let run = run.clone();
        async move { read(client?, run).await }
    });
    view! {
        <section class="rules-for-run" data-testid="run-rules" aria-labelledby="run-rules-title">
            <h2 id="run-rules-title">"Rules"</h2>
            {move || match loaded.get() {
                None => view! { <p class="loading">"Reading the rules…"</p> }.into_any(),
                Some(Err(error)) => view! { <p>"The rules could not be read: " <ErrorText error=error/></p> }.into_any(),
                Some(Ok(found)) => view! { <Plan run=shown.clone() found=found/> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn Plan(run: FlowRun, found: ForRun) -> impl IntoView {
    let now =
        DateTime::<Utc>::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default();
    let schema = found.schema.as_deref().map(StoredSchema::Text);
    let steps = plan_for_run(&found.rules, &run, schema, now);
    let blocks = found.blocks;
    let rules = found.rules;
    let summary = due_summary(&steps, &rules, &blocks);
    let paused = run
        .state
        .as_ref()
        .is_some_and(|s| s.state_type == flowgate_core::StateType::Paused);
    view! {
        {summary.map(|summary| view! {
            <p class="verdict" data-testid="rules-summary">{summary}</p>
        })}
        // Never an empty section: a run no rule touched says so, paused or not.
        {(steps.is_empty() && (paused || found.activity.is_empty())).then(|| view! {
            <p class="hint" data-testid="rules-summary">"No Flowgate rule applies to this run. " <a href="/rules">"Rules"</a></p>
        })}
        {(!steps.is_empty()).then(|| view! {
            <ul class="plan" data-testid="rule-steps">
                {steps.iter().map(|s| view! { <li>{step_text(s, &rules, &blocks)}</li> }).collect_view()}
            </ul>
        })}
        {(!found.activity.is_empty()).then(|| view! {
            <h3>"What automations did"</h3>
            <ul class="plan" data-testid="rule-activity">
                {found.activity.iter().map(|a| view! {
                    <li class=if a.succeeded { "" } else { "error" }>{format!("{} — {}", clock_time(a.occurred), a.describe())}</li>
                }).collect_view()}
            </ul>
        })}
    }
}

/// The steps still due, in one line: "reminder through “releases” at 14:00 · rejected at
/// 15:00, unless decided first"; `None` when nothing is due.
pub(super) fn due_summary(
    steps: &[PlannedStep],
    rules: &[Rule],
    blocks: &[NotifyBlock],
) -> Option<String> {
    let due = steps
        .iter()
        .filter(|s| matches!(s.status, StepStatus::Due))
        .map(|s| format!("{} at {}", short(s, rules, blocks), clock_time(s.at)))
        .collect::<Vec<_>>();
    (!due.is_empty()).then(|| format!("{}, unless decided first", due.join(" · ")))
}

/// "reminder through “releases”", "message through “releases”", "rejected", "resumed".
fn short(step: &PlannedStep, rules: &[Rule], blocks: &[NotifyBlock]) -> String {
    let block = rules
        .iter()
        .find(|r| r.id == step.rule_id)
        .and_then(|r| match &r.action {
            RuleAction::Notify { block, .. } => blocks.iter().find(|b| b.id == *block),
            _ => None,
        })
        .map(|b| format!(" through “{}”", b.name))
        .unwrap_or_default();
    match (step.action, step.after_seconds) {
        ("notify", None) => format!("message{block}"),
        ("notify", Some(_)) => format!("reminder{block}"),
        ("reject", _) => "rejected".into(),
        _ => "resumed".into(),
    }
}

fn step_text(step: &PlannedStep, rules: &[Rule], blocks: &[NotifyBlock]) -> String {
    let what = format!("{} (rule “{}”)", short(step, rules, blocks), step.rule_name);
    let when = clock_time(step.at);
    match &step.status {
        StepStatus::Due => format!("{when} — {what}"),
        StepStatus::Passed if step.after_seconds.is_none() => {
            format!("{when} — {what}: due when it paused")
        }
        StepStatus::Passed => format!("{when} — {what}: due while the run stayed paused"),
        StepStatus::TooLate { timeout } => format!(
            "{when} — {what}: will not happen, the pause times out at {} first",
            clock_time(*timeout)
        ),
        StepStatus::WillFail { reason } => {
            format!("{when} — {what}: will not work for this run: {reason}")
        }
        StepStatus::Disabled => format!("{when} — {what}: the rule is turned off"),
    }
}
