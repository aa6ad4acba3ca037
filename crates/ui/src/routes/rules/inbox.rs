//! What rules will do for the inbox's waiting runs: a line per rule, how many waiting runs it
//! will act on and when it acts next ("“Close stale releases” rejects 3 waiting runs, the next
//! at 15:00 (brave-fox)"), counted over the newest 200; and on each row of the page, that
//! run's steps still due ("reminder through “releases” at 14:00 · rejected at 15:00, unless
//! decided first").

use chrono::{DateTime, Utc};
use flowgate_client::ClientError;
use flowgate_core::rules::{
    ListedRule, NotifyBlock, PlannedStep, Rule, RuleAction, StepStatus, plan_for_run,
};
use flowgate_core::{FlowRun, FlowRunFilter};
use leptos::prelude::*;

use super::for_run::due_summary;
use crate::components::local_time::clock_time;
use crate::routes::inbox::RowNotes;
use crate::state::connection::Connection;

/// How many waiting runs the line looks at.
const RUNS: u32 = 200;

/// The enabled rules, the blocks they notify through, and the newest waiting runs.
type Read = (Vec<Rule>, Vec<NotifyBlock>, Vec<FlowRun>);

fn now() -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}

#[component]
pub(super) fn InboxRules() -> impl IntoView {
    let connection = expect_context::<Connection>();
    let loaded = LocalResource::new(move || {
        let client = connection.client();
        async move {
            let client = client?;
            let rules: Vec<Rule> = client
                .rules()
                .await?
                .into_iter()
                .filter_map(|listed| match listed {
                    ListedRule::Rule { rule } if rule.enabled => Some(rule),
                    _ => None,
                })
                .collect();
            if rules.is_empty() {
                return Ok((rules, Vec::new(), Vec::new()));
            }
            let blocks = if rules
                .iter()
                .any(|r| matches!(r.action, RuleAction::Notify { .. }))
            {
                client.notify_blocks().await?
            } else {
                Vec::new()
            };
            let runs = client
                .list_flow_runs(&FlowRunFilter::paused_newest_first(RUNS))
                .await?;
            Ok::<Read, ClientError>((rules, blocks, runs))
        }
    });
    // Each row of the inbox's page: the steps due for its run, again whenever the page changes.
    if let Some(notes) = use_context::<RowNotes>() {
        Effect::new(move |_| {
            let lines = loaded.with(|found| match found {
                Some(Ok((rules, blocks, _))) if !rules.is_empty() => {
                    let now = now();
                    notes.page.with(|page| match page {
                        Some(Ok((found, _))) => found
                            .results
                            .iter()
                            .filter_map(|run| {
                                let steps = plan_for_run(rules, run, None, now);
                                due_summary(&steps, rules, blocks).map(|line| (run.id, line))
                            })
                            .collect(),
                        _ => Default::default(),
                    })
                }
                _ => Default::default(),
            });
            notes.rules.set(lines);
        });
    }
    move || {
        match loaded.get() {
        Some(Ok((rules, _, runs))) if !rules.is_empty() => {
            let now = now();
            let lines: Vec<String> = rules.iter().map(|rule| line(rule, &runs, now)).collect();
            Some(view! {
                <section class="inbox-rules" data-testid="inbox-rules" aria-label="Rules on waiting runs">
                    <p class="hint">"Rules on the waiting runs (" <a href="/rules">"Rules"</a> "):"</p>
                    <ul class="plan">{lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
                </section>
            }.into_any())
        }
        Some(Err(error)) => Some(view! {
            <p class="hint" data-testid="inbox-rules">{format!("The rules could not be read: {error}")}</p>
        }.into_any()),
        _ => None,
    }
    }
}

/// One rule's line.
fn line(rule: &Rule, runs: &[FlowRun], now: DateTime<Utc>) -> String {
    let steps: Vec<(PlannedStep, &FlowRun)> = runs
        .iter()
        .filter_map(|run| {
            plan_for_run(std::slice::from_ref(rule), run, None, now)
                .into_iter()
                .next()
                .map(|step| (step, run))
        })
        .collect();
    let name = &rule.name;
    if steps.is_empty() {
        return format!("“{name}” applies to none of them.");
    }
    let runs_word = |n: usize| {
        if n == 1 {
            "1 waiting run".to_owned()
        } else {
            format!("{n} waiting runs")
        }
    };
    let verb = match (&rule.action, rule.after_seconds) {
        (RuleAction::Notify { .. }, None) => {
            return format!(
                "“{name}” sends a message when a run pauses: {}.",
                runs_word(steps.len())
            );
        }
        (RuleAction::Notify { .. }, Some(_)) => "reminds about",
        (RuleAction::Reject { .. }, _) => "rejects",
        (RuleAction::Resume, _) => "resumes",
    };
    let due: Vec<&(PlannedStep, &FlowRun)> = steps
        .iter()
        .filter(|(s, _)| s.status == StepStatus::Due)
        .collect();
    let late = steps
        .iter()
        .filter(|(s, _)| matches!(s.status, StepStatus::TooLate { .. }))
        .count();
    let failing = steps
        .iter()
        .filter(|(s, _)| matches!(s.status, StepStatus::WillFail { .. }))
        .count();
    let mut said = match due.iter().min_by_key(|(s, _)| s.at) {
        Some((next, run)) => format!(
            "“{name}” {verb} {} unless decided, the next at {} ({})",
            runs_word(due.len()),
            clock_time(next.at),
            run.name
        ),
        None => format!(
            "“{name}” {verb} none of the {} it applies to",
            runs_word(steps.len())
        ),
    };
    if late > 0 {
        said.push_str(&format!("; {late} time out first"));
    }
    if failing > 0 {
        said.push_str(&format!(
            "; for {failing} it may not work (see the run's page)"
        ));
    }
    said.push('.');
    said
}
