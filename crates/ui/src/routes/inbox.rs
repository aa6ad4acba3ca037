//! The home page: paused runs, newest first — what waits for a person.

use std::collections::HashMap;

use flowgate_client::{ClientError, Resumed};
use flowgate_core::{FlowRun, FlowRunFilter};
use leptos::prelude::*;
use leptos_router::components::A;
use uuid::Uuid;

use crate::components::countdown::{Countdown, ticking_clock};
use crate::components::error_view::ErrorText;
use crate::components::local_time::LocalTime;
use crate::components::resume_outcome::outcome_view;
use crate::components::state_badge::StateBadge;
use crate::state::connection::Connection;

/// Runs resumed together, at most this many requests at a time.
const BULK_CONCURRENCY: usize = 4;

/// One run's outcome in a bulk resume, with its name.
type BulkResult = (String, Result<Resumed, ClientError>);

/// The waiting inbox. Flow and deployment names are looked up by id (ids do not collide).
///
/// Runs that do not ask for input can be ticked and resumed together: each is sent once, a
/// few at a time, and each outcome is listed as it arrives. Runs that ask for input are
/// resumed from their own page, where the form is.
#[component]
pub(crate) fn Inbox() -> impl IntoView {
    let connection = expect_context::<Connection>();
    let clock = ticking_clock();
    let selected = RwSignal::new(Vec::<(Uuid, String)>::new());
    let progress = RwSignal::new(None::<(usize, usize)>);
    let results = RwSignal::new(Vec::<BulkResult>::new());
    let waiting = LocalResource::new(move || {
        let client = connection.client();
        async move {
            let client = client?;
            let runs = client
                .list_flow_runs(&FlowRunFilter::paused_newest_first(200))
                .await?;
            let flows = client.flows_by_id(runs.iter().map(|r| r.flow_id)).await?;
            let deployments = client
                .deployments_by_id(runs.iter().filter_map(|r| r.deployment_id))
                .await?;
            let names: HashMap<_, _> = flows
                .into_iter()
                .map(|f| (f.id, f.name))
                .chain(deployments.into_iter().map(|d| (d.id, d.name)))
                .collect();
            Ok::<_, ClientError>((runs, names))
        }
    });
    let bulk = Action::new_local(move |chosen: &Vec<(Uuid, String)>| {
        let client = connection.client();
        let chosen = chosen.clone();
        async move {
            let client = match client {
                Ok(client) => client,
                Err(error) => {
                    let first = chosen
                        .first()
                        .map(|(_, name)| name.clone())
                        .unwrap_or_default();
                    results.set(vec![(first, Err(error))]);
                    return;
                }
            };
            let ids: Vec<Uuid> = chosen.iter().map(|(id, _)| *id).collect();
            progress.set(Some((0, ids.len())));
            results.set(Vec::new());
            client
                .resume_many(&ids, BULK_CONCURRENCY, |done, count, total| {
                    let name = chosen
                        .iter()
                        .find(|(id, _)| *id == done.flow_run_id)
                        .map(|(_, name)| name.clone())
                        .unwrap_or_else(|| done.flow_run_id.to_string());
                    results.update(|r| r.push((name, done.outcome.clone())));
                    progress.set(Some((count, total)));
                })
                .await;
            selected.set(Vec::new());
            waiting.refetch();
        }
    });
    let resume_selected = move |_| {
        if !bulk.pending().get_untracked() {
            bulk.dispatch(selected.get_untracked());
        }
    };
    view! {
        <h1>"Waiting for you"</h1>
        <div class="bulk">
            <button data-testid="resume-selected" on:click=resume_selected
                disabled=move || bulk.pending().get() || selected.with(Vec::is_empty)>
                {move || match (bulk.pending().get(), progress.get()) {
                    (true, Some((done, total))) => format!("Resuming… {done} of {total}"),
                    _ => format!("Resume selected ({})", selected.with(Vec::len)),
                }}
            </button>
            {move || progress.get().map(|(done, total)| view! {
                <progress max=total.to_string() value=done.to_string()></progress>
            })}
            <ul class="bulk-results" data-testid="bulk-results">
                {move || results.get().into_iter().map(|(name, outcome)| view! {
                    <li><strong>{name}</strong>": "{outcome_view(outcome)}</li>
                }).collect_view()}
            </ul>
        </div>
        {move || match waiting.get() {
            None => view! { <p class="loading">"Loading paused runs…"</p> }.into_any(),
            Some(Err(error)) => view! { <p><ErrorText error=error/></p> }.into_any(),
            Some(Ok((runs, _))) if runs.is_empty() => view! {
                <p class="empty" data-testid="inbox-empty">"Nothing is waiting: no flow run is paused."</p>
            }.into_any(),
            Some(Ok((runs, names))) => view! {
                <p class="count" data-testid="inbox-count">{format!("{} paused run(s)", runs.len())}</p>
                <table class="runs" data-testid="inbox">
                    <thead><tr>
                        <th><span class="sr-only">"Select"</span></th><th>"Run"</th><th>"Flow"</th><th>"Deployment"</th><th>"State"</th><th>"Tags"</th>
                        <th>"Paused since"</th><th>"Time left"</th><th>"Asks for"</th><th>"Key"</th>
                    </tr></thead>
                    <tbody>
                        {runs.into_iter().map(|run| {
                            let flow = names.get(&run.flow_id).cloned();
                            let deployment = run.deployment_id.map(|id| names.get(&id).cloned().unwrap_or_else(|| id.to_string()));
                            view! { <InboxRow flow=flow deployment=deployment run=run clock=clock selected=selected/> }
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any(),
        }}
    }
}

/// One paused run.
#[component]
fn InboxRow(
    run: FlowRun,
    flow: Option<String>,
    deployment: Option<String>,
    clock: ReadSignal<chrono::DateTime<chrono::Utc>>,
    selected: RwSignal<Vec<(Uuid, String)>>,
) -> impl IntoView {
    let state = run.state.clone();
    let details = state
        .as_ref()
        .map(|s| s.state_details.clone())
        .unwrap_or_default();
    let asks_input = details.requested_input_keyset().is_some();
    let id = run.id;
    let name = run.name.clone();
    let tick = move |ev| {
        let on = event_target_checked(&ev);
        selected.update(|chosen| {
            chosen.retain(|(other, _)| *other != id);
            if on {
                chosen.push((id, name.clone()));
            }
        });
    };
    let asks = if asks_input { "input" } else { "a resume" };
    let since = state.as_ref().map(|s| s.timestamp);
    let reschedules = if details.pause_reschedule {
        " (suspended: resumes by rescheduling)"
    } else {
        ""
    };
    view! {
        <tr data-testid="inbox-row" data-run-id=run.id.to_string()>
            <td>
                <input type="checkbox" class="select" disabled=asks_input
                    title=if asks_input { "asks for input: resume it from its page" } else { "select to resume together" }
                    prop:checked=move || selected.with(|chosen| chosen.iter().any(|(other, _)| *other == id))
                    on:change=tick/>
            </td>
            <td><A href=format!("/runs/{}", run.id)>{run.name.clone()}</A></td>
            <td>{flow.unwrap_or_else(|| run.flow_id.to_string())}</td>
            <td>{deployment.unwrap_or_else(|| "—".into())}</td>
            <td>
                <StateBadge state_type=run.state_type.clone() name=run.state_name.clone()/>
                {reschedules}
            </td>
            <td>{run.tags.join(", ")}</td>
            <td>{since.map(|at| view! { <LocalTime at=at clock=clock/> })}</td>
            <td><Countdown timeout=details.pause_timeout clock=clock/></td>
            <td>{asks}</td>
            <td>{details.pause_key.clone().unwrap_or_default()}</td>
        </tr>
    }
}
