//! One row of the inbox: a paused run, its tick, and what its rules and the gate's policy
//! say of it.

use std::collections::HashMap;

use flowgate_client::ClientError;
use flowgate_core::FlowRun;
use flowgate_core::gate::GateRowVerdict;
use leptos::prelude::*;
use leptos_router::components::A;
use uuid::Uuid;

use super::Waiting;
use super::ticks::Ticks;
use crate::components::countdown::Countdown;
use crate::components::local_time::LocalTime;
use crate::components::state_badge::StateBadge;

/// What is known of each run on the inbox's page beyond the run itself, drawn on its row.
#[derive(Clone, Copy)]
pub(crate) struct RowNotes {
    /// The page's read: its runs, once read.
    pub(crate) page: ReadSignal<Option<Result<Waiting, ClientError>>, LocalStorage>,
    /// The rules' steps still due, by run ("reminder at 14:00 · rejected at 15:00, unless
    /// decided first"): filled by the rules' chunk once it is here, so the main part holds
    /// only the signal and the line.
    pub(crate) rules: RwSignal<HashMap<Uuid, String>>,
    /// With a gate in front of Prefect, what its policy says for the person on each run, as
    /// the gate computes it with core's `policy_verdict` (`None` without a gate).
    pub(super) policy: LocalResource<Option<Result<Vec<GateRowVerdict>, ClientError>>>,
}

/// One paused run. The page's first script draws the same row before the wasm runs
/// (web/loader/first-reads.js: `inboxRow`; early e2e compares the two).
#[component]
pub(super) fn InboxRow(
    run: FlowRun,
    flow: Option<String>,
    deployment: Option<String>,
    clock: ReadSignal<chrono::DateTime<chrono::Utc>>,
    ticks: Ticks,
) -> impl IntoView {
    let state = run.state.clone();
    let details = run.state_details();
    let asks_input = details.requested_input_keyset().is_some();
    let id = run.id;
    let name = run.name.clone();
    let tick = move |ev| {
        if event_target_checked(&ev) {
            ticks.tick(id, name.clone(), asks_input);
        } else {
            ticks.untick(id);
        }
    };
    let asks = if asks_input { "input" } else { "a resume" };
    let since = state.as_ref().map(|s| s.timestamp);
    let notes = use_context::<RowNotes>();
    let rules = move || notes.and_then(|n| n.rules.with(|lines| lines.get(&id).cloned()));
    // The gate's policy for the person: its message, marked when it lets them approve.
    let policy = move || {
        notes.and_then(|n| {
            n.policy.with(|p| match p {
                Some(Some(Ok(lines))) => lines
                    .iter()
                    .find(|line| line.flow_run_id == id)
                    .map(|line| (line.may_approve, line.message.clone())),
                _ => None,
            })
        })
    };
    // A suspended run's process has exited: a resume reschedules it to run again.
    let reschedules = details
        .pause_reschedule
        .then_some("resumes by rescheduling");
    view! {
        <tr data-testid="inbox-row" data-row="" data-run-id=run.id.to_string()>
            <td>
                <input type="checkbox" class="select" aria-label=format!("Select {}", run.name)
                    title=if asks_input { "asks for input: tick it to reject together; resume it from its page" } else { "select to resume or reject together" }
                    prop:checked=move || ticks.is_ticked(id)
                    on:change=tick/>
            </td>
            <td class="name">
                <A href=format!("/runs/{}", run.id)>{run.name.clone()}</A>
                <div class="row-note" data-testid="row-rules">{rules}</div>
                <div class=move || match policy() { Some((false, _)) => "row-note refused", _ => "row-note" }
                    data-testid="row-policy">{move || policy().map(|(_, message)| message)}</div>
            </td>
            <td class="name">{flow.unwrap_or_else(|| run.flow_id.to_string())}</td>
            <td>{deployment.unwrap_or_else(|| "—".into())}</td>
            <td class="state">
                <StateBadge state_type=run.state_type.clone() name=run.state_name.clone()/>
                {reschedules.map(|note| view! { <div class="row-note">{note}</div> })}
            </td>
            <td>{run.tags.join(", ")}</td>
            <td class="when">{since.map(|at| view! { <LocalTime at=at clock=clock/> })}</td>
            <td class="left"><Countdown timeout=details.pause_timeout clock=clock/></td>
            <td class="nowrap">{asks}</td>
            <td class="key">{details.pause_key.clone().unwrap_or_default()}</td>
        </tr>
    }
}
