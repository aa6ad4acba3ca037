//! The home page: paused runs, newest first — what waits for a person.

use std::collections::HashMap;

use flowgate_client::ClientError;
use flowgate_core::{FlowRun, FlowRunFilter};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::countdown::{Countdown, ticking_clock};
use crate::components::error_view::ErrorText;
use crate::components::local_time::LocalTime;
use crate::components::state_badge::StateBadge;
use crate::state::connection::Connection;

/// The waiting inbox. Flow and deployment names are looked up by id (ids do not collide).
#[component]
pub(crate) fn Inbox() -> impl IntoView {
    let connection = expect_context::<Connection>();
    let clock = ticking_clock();
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
    view! {
        <h1>"Waiting for you"</h1>
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
                        <th>"Run"</th><th>"Flow"</th><th>"Deployment"</th><th>"State"</th><th>"Tags"</th>
                        <th>"Paused since"</th><th>"Time left"</th><th>"Asks for"</th><th>"Key"</th>
                    </tr></thead>
                    <tbody>
                        {runs.into_iter().map(|run| {
                            let flow = names.get(&run.flow_id).cloned();
                            let deployment = run.deployment_id.map(|id| names.get(&id).cloned().unwrap_or_else(|| id.to_string()));
                            view! { <InboxRow flow=flow deployment=deployment run=run clock=clock/> }
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
) -> impl IntoView {
    let state = run.state.clone();
    let details = state
        .as_ref()
        .map(|s| s.state_details.clone())
        .unwrap_or_default();
    let asks = if details.requested_input_keyset().is_some() {
        "input"
    } else {
        "a resume"
    };
    let since = state.as_ref().map(|s| s.timestamp);
    let reschedules = if details.pause_reschedule {
        " (suspended: resumes by rescheduling)"
    } else {
        ""
    };
    view! {
        <tr data-testid="inbox-row" data-run-id=run.id.to_string()>
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
