//! The run's record: every state it has been in, the decisions recorded for it (Prefect
//! events `flowgate.decision.*`), and the input it received, shown read-only through the
//! same form that edits input.

use chrono::{DateTime, Utc};
use flowgate_client::{Client, ClientError};
use flowgate_core::{Decision, DecisionKind, FlowRun, State};
use leptos::prelude::*;

use crate::components::error_view::{ErrorText, ReadError};
use crate::components::local_time::LocalTime;
use crate::components::state_badge::StateBadge;
use crate::run_input_form::{EditMode, RunInputEditor, form_fields};
use crate::state::connection::Connection;

/// What the history shows.
#[derive(Debug, Clone)]
struct Record {
    states: Vec<State>,
    /// The decisions, or why they could not be read (the states still show).
    decisions: Result<Vec<Decision>, ClientError>,
    /// The input the last answered pause received, and that pause's schema text.
    received: Option<(String, Option<String>)>,
}

/// The input stored for the latest pause that asked for input and got an answer.
async fn received_input(
    client: &Client,
    run: &FlowRun,
    states: &[State],
) -> Result<Option<(String, Option<String>)>, ClientError> {
    for state in states.iter().rev() {
        let Some(keyset) = state.state_details.requested_input_keyset() else {
            continue;
        };
        let Some(response_key) = keyset.get("response") else {
            continue;
        };
        if let Some(text) = client.read_run_input(run.id, response_key).await? {
            let schema = match keyset.get("schema") {
                Some(key) => client.read_run_input(run.id, key).await?,
                None => None,
            };
            return Ok(Some((text, schema)));
        }
    }
    Ok(None)
}

async fn read_record(client: Client, run: FlowRun) -> Result<Record, ClientError> {
    let states = client.flow_run_states(run.id).await?;
    let since = run.created.unwrap_or(DateTime::<Utc>::MIN_UTC);
    let decisions = client.decisions(run.id, since).await;
    let received = received_input(&client, &run, &states).await?;
    Ok(Record {
        states,
        decisions,
        received,
    })
}

enum Entry {
    State(Box<State>),
    Decision(Box<Decision>),
}

impl Entry {
    fn at(&self) -> DateTime<Utc> {
        match self {
            Entry::State(s) => s.timestamp,
            Entry::Decision(d) => d.occurred,
        }
    }
}

fn decision_text(d: &Decision) -> String {
    let who = d.decider.as_deref().unwrap_or("someone unnamed");
    let what = match d.kind {
        DecisionKind::Resumed => "Resumed",
        DecisionKind::Rejected => "Rejected",
    };
    let mut text = match (&d.checked_by, d.approvers.as_slice()) {
        (Some(gate), [] | [_]) => {
            format!("{what} by {who} through the gate (identity checked by {gate})")
        }
        (Some(gate), [rest @ .., last]) => format!(
            "{what} by {who} through the gate (identity checked by {gate}), approved by {} and {last}",
            rest.join(", ")
        ),
        (None, _) => format!("{what} by {who} in Flowgate"),
    };
    if d.bulk {
        text.push_str(" (bulk)");
    }
    if let Some(reason) = &d.reason {
        text.push_str(&format!(": {reason}"));
    }
    if d.input.is_some() {
        text.push_str(" — with input");
    }
    text
}

/// The history section; `reloads` re-reads it (decisions take a few seconds to be stored).
#[component]
pub(crate) fn History(
    run: FlowRun,
    reloads: RwSignal<u64>,
    clock: ReadSignal<DateTime<Utc>>,
) -> impl IntoView {
    let connection = expect_context::<Connection>();
    let record = LocalResource::new(move || {
        reloads.track();
        let client = connection.client();
        let run = run.clone();
        async move { read_record(client?, run).await }
    });
    view! {
        <section class="history" data-testid="history">
            <h2>"History"</h2>
            {move || match record.get() {
                None => view! { <p class="loading">"Reading the run's history…"</p> }.into_any(),
                Some(Err(error)) => view! { <ReadError error=error retry=reloads/> }.into_any(),
                Some(Ok(record)) => {
                    let mut entries: Vec<Entry> = record.states.into_iter().map(|s| Entry::State(Box::new(s))).collect();
                    let decisions_error = match record.decisions {
                        Ok(found) => {
                            entries.extend(found.into_iter().map(|d| Entry::Decision(Box::new(d))));
                            None
                        }
                        Err(error) => Some(error),
                    };
                    entries.sort_by_key(Entry::at);
                    view! {
                        <ol class="timeline">
                            {entries.into_iter().rev().map(|entry| match entry {
                                Entry::State(s) => view! {
                                    <li data-testid="history-state" data-type=s.state_type.to_string()>
                                        <StateBadge state_type=Some(s.state_type.clone()) name=s.name.clone()/>
                                        " " <LocalTime at=s.timestamp clock=clock/>
                                        {s.message.clone().map(|m| view! { " " <span class="message">{m}</span> })}
                                    </li>
                                }.into_any(),
                                Entry::Decision(d) => view! {
                                    <li class="decision" data-testid="history-decision" data-kind=format!("{:?}", d.kind).to_lowercase()>
                                        <span class="badge badge-decision">"Decision"</span>
                                        " " <LocalTime at=d.occurred clock=clock/>
                                        " " <span class="message">{decision_text(&d)}</span>
                                    </li>
                                }.into_any(),
                            }).collect_view()}
                        </ol>
                        <p class="hint">"Decisions are recorded by Flowgate as Prefect events. Through a gate, the name is the identity its proxy checked; otherwise it is the one each person gave in Settings, not an identity the server checked."</p>
                        {decisions_error.map(|error| view! {
                            <p class="error" data-testid="decisions-error">"The recorded decisions could not be read: " <ErrorText error=error/></p>
                        })}
                        {record.received.map(|(text, schema)| view! { <Received text=text schema=schema/> })}
                    }.into_any()
                }
            }}
        </section>
    }
}

/// The input a pause received, read-only, in the form that edits input.
#[component]
fn Received(text: String, schema: Option<String>) -> impl IntoView {
    let pretty = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or(text);
    let fields = form_fields(schema.as_deref());
    let input = RwSignal::new(pretty);
    let mode = RwSignal::new(EditMode::Form);
    view! {
        <fieldset class="input received" disabled=true data-testid="received-input">
            <h3>"The input it received"</h3>
            <RunInputEditor input=input on_edit=Callback::new(|_| {}) fields=fields mode=mode
                unparsed=RwSignal::new(Vec::new()) errors=Signal::derive(Vec::new)
                input_parses=Signal::derive(|| true)/>
        </fieldset>
    }
}
