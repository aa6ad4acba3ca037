//! What the run is: its name, state and details, as read.

use chrono::{DateTime, Utc};
use flowgate_core::{FlowRun, StateType};
use leptos::prelude::*;
use serde_json::{Map, Value};

use crate::components::countdown::Countdown;
use crate::components::local_time::LocalTime;
use crate::components::state_badge::StateBadge;

/// The run's heading, state, link to Prefect's UI and details.
#[component]
pub(super) fn RunFacts(
    run: FlowRun,
    /// The flow's name (None: the flow could not be found; its id is shown).
    flow: Option<String>,
    deployment: Option<String>,
    /// The run's page in Prefect's own UI, when the API URL says where that is.
    prefect_link: Option<String>,
    clock: ReadSignal<DateTime<Utc>>,
) -> impl IntoView {
    let state = run.state.clone();
    let details = run.state_details();
    view! {
        <h1 data-testid="run-name">{run.name.clone()}</h1>
        <p class="meta">
            <StateBadge state_type=run.state_type.clone() name=run.state_name.clone()/>
            " " <code>{run.id.to_string()}</code>
            {prefect_link.map(|href| view! { " " <a href=href target="_blank" rel="noreferrer">"Open in Prefect (logs)"</a> })}
        </p>
        <dl class="details">
            <dt>"State since"</dt><dd>{state.as_ref().map(|s| view! { <LocalTime at=s.timestamp clock=clock/> })}</dd>
            <dt>"Message"</dt><dd>{state.as_ref().and_then(|s| s.message.clone()).unwrap_or_else(|| "—".into())}</dd>
            {(run.state_type == Some(StateType::Paused)).then(|| view! {
                <dt>"Time left"</dt><dd><Countdown timeout=details.pause_timeout clock=clock/></dd>
                <dt>"Pause key"</dt><dd>{details.pause_key.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>"On resume"</dt><dd>{if details.pause_reschedule { "rescheduled (needs a deployment)" } else { "runs on in place" }}</dd>
            })}
            <dt>"Flow"</dt><dd data-testid="run-flow">{flow.unwrap_or_else(|| run.flow_id.to_string())}</dd>
            <dt>"Deployment"</dt><dd>{match (deployment, run.deployment_id) {
                (Some(name), _) => name,
                (None, Some(id)) => id.to_string(),
                (None, None) => "— (not from a deployment)".to_owned(),
            }}</dd>
            <dt>"Tags"</dt><dd data-testid="run-tags">{if run.tags.is_empty() { "—".to_owned() } else { run.tags.join(", ") }}</dd>
            <dt>"Parameters"</dt><dd>{pairs_view(&run.parameters, "run-parameters")}</dd>
            <dt>"Labels"</dt><dd>{pairs_view(&run.labels, "run-labels")}</dd>
        </dl>
    }
}

/// A JSON object's pairs, and the object as JSON one click away (a `details`).
fn pairs_view(map: &Map<String, Value>, testid: &'static str) -> impl IntoView + use<> {
    let json = (!map.is_empty()).then(|| serde_json::to_string_pretty(map).unwrap_or_default());
    view! {
        <pre class="pairs" data-testid=testid>{pairs(map)}</pre>
        {json.map(|json| view! {
            <details class="as-json"><summary>"as JSON"</summary><pre data-testid=format!("{testid}-json")>{json}</pre></details>
        })}
    }
}

/// A JSON object as its pairs, one `key: value` a line — text as text, other values as
/// compact JSON — or "—" when it has none. Plain text: a view per pair cost the run page 5 KB.
fn pairs(map: &Map<String, Value>) -> String {
    if map.is_empty() {
        return "—".into();
    }
    map.iter()
        .map(|(key, value)| match value {
            Value::String(text) => format!("{key}: {text}"),
            other => format!("{key}: {other}"),
        })
        .collect::<Vec<_>>()
        .join("\n")
}
