//! Deciding the ticked runs together: the bar that resumes or rejects them, with its progress and each run's outcome as it arrives.
//!
//! The code that sends a bulk is a wasm chunk of its own (`split_bulk`), fetched when a run is
//! first ticked: an inbox, and a run page opened by its link, load without it.

use std::future::Future;
use std::pin::Pin;

use flowgate_client::{Client, ClientError, Decider};
use leptos::prelude::*;
use uuid::Uuid;

use super::ticks::Ticks;
use crate::components::decision_outcome::{Outcome, outcome_view};
use crate::components::gate_asking::AskingForGate;
use crate::routes::run_chunk::ChunkError;
use crate::state::connection::Connection;
use crate::state::gate::GatePresence;

/// Runs resumed together, at most this many requests at a time: the client's default, which
/// reaches the server's measured ceiling (see `flowgate_client::DEFAULT_CONCURRENCY`).
const BULK_CONCURRENCY: usize = flowgate_client::DEFAULT_CONCURRENCY;
/// Runs per request of a bulk approval through a gate: the gate resumes each chunk a few at a
/// time and records it in one batch; progress moves a chunk at a time.
const GATE_CHUNK: usize = 25;

/// One run's outcome in a bulk action, with its name.
type BulkResult = (String, Result<Outcome, ClientError>);

/// A bulk action: resume the ticked runs, or reject them with one reason.
#[derive(Debug, Clone)]
enum BulkAction {
    Resume,
    Reject(String),
}

/// Sends `action` for each of `chosen` — through a gate, approved or rejected by its policy,
/// when `through_gate` — a few at a time, and calls `note` with each run's name and outcome
/// and how many of how many are done.
async fn send_bulk(
    client: &Client,
    chosen: &[(Uuid, String)],
    action: BulkAction,
    through_gate: bool,
    decider: &Decider,
    note: impl Fn(String, Result<Outcome, ClientError>, usize, usize),
) {
    let ids: Vec<Uuid> = chosen.iter().map(|(id, _)| *id).collect();
    let name_of = |id: Uuid| {
        chosen
            .iter()
            .find(|(chosen_id, _)| *chosen_id == id)
            .map(|(_, name)| name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    match (action, through_gate) {
        (BulkAction::Resume, true) => {
            client
                .gate_approve_many(&ids, GATE_CHUNK, |done, count, total| {
                    let outcome = done.outcome.clone().map(|a| Outcome::Approved(Box::new(a)));
                    note(name_of(done.flow_run_id), outcome, count, total);
                })
                .await;
        }
        (BulkAction::Reject(reason), true) => {
            client
                .gate_reject_many(&ids, &reason, BULK_CONCURRENCY, |done, count, total| {
                    let outcome = done
                        .outcome
                        .clone()
                        .map(|r| Outcome::GateRejected(Box::new(r)));
                    note(name_of(done.flow_run_id), outcome, count, total);
                })
                .await;
        }
        (BulkAction::Resume, false) => {
            client
                .resume_many_decided(&ids, BULK_CONCURRENCY, decider, |done, count, total| {
                    let outcome = done.outcome.clone().map(|d| Outcome::Resumed(Box::new(d)));
                    note(name_of(done.flow_run_id), outcome, count, total);
                })
                .await;
        }
        (BulkAction::Reject(reason), false) => {
            client
                .reject_many(
                    &ids,
                    &reason,
                    BULK_CONCURRENCY,
                    decider,
                    |done, count, total| {
                        let outcome = done.outcome.clone().map(|d| Outcome::Rejected(Box::new(d)));
                        note(name_of(done.flow_run_id), outcome, count, total);
                    },
                )
                .await;
        }
    }
}

/// A bulk and all that sending it needs, owned, as it goes to the chunk's code.
struct BulkSend {
    client: Client,
    chosen: Vec<(Uuid, String)>,
    action: BulkAction,
    through_gate: bool,
    decider: Decider,
    note: Note,
}

/// Called with each run's name and outcome as it arrives, and how many of how many are done.
type Note = Box<dyn Fn(String, Result<Outcome, ClientError>, usize, usize)>;

/// The chunk's code: sends a bulk (see [`send_bulk`]).
type BulkSender = fn(BulkSend) -> Pin<Box<dyn Future<Output = ()>>>;

fn sender() -> BulkSender {
    |bulk| {
        Box::pin(async move {
            let BulkSend {
                client,
                chosen,
                action,
                through_gate,
                decider,
                note,
            } = bulk;
            send_bulk(&client, &chosen, action, through_gate, &decider, note).await;
        })
    }
}

/// The split point: what only this function reaches goes to the bulk's chunk.
#[cfg(not(test))]
#[leptos::wasm_split::wasm_split(bulk, fallible, preload(prefetch_bulk), wasm_split_path = ::leptos::wasm_split)]
fn bulk_sender() -> Result<BulkSender, ChunkError> {
    Ok(sender())
}

/// The bulk's code, fetched if it is not here yet.
#[cfg(not(test))]
async fn load_sender() -> Result<BulkSender, ChunkError> {
    bulk_sender().await.map_err(|e| e.of("bulk decisions"))
}

/// The console's own tests run one unsplit wasm, without the chunks' loader.
#[cfg(test)]
async fn load_sender() -> Result<BulkSender, ChunkError> {
    Ok(sender())
}

/// Fetches the bulk's chunk, once, when the first run is ticked; a failure is left for the
/// bulk itself to report.
fn prefetch_on_first_tick(ticks: Ticks) {
    let fetched = StoredValue::new(false);
    Effect::new(move |_| {
        if !ticks.selected.with(Vec::is_empty) && !fetched.get_value() {
            fetched.set_value(true);
            #[cfg(not(test))]
            leptos::task::spawn_local(async {
                let _ = prefetch_bulk().await;
            });
        }
    });
}

/// The bar above the inbox's list. Each ticked run is sent once, a few at a time (through a
/// gate, approved or rejected by its policy), and its outcome listed as it arrives; then
/// `refresh` is bumped to read the page again. `busy` is set while a bulk runs, so that its
/// own runs leaving the inbox are not reported as changed elsewhere. `on_page` is the ids on
/// the page shown; `children` (the order) sit in the bar.
#[component]
pub(super) fn BulkBar(
    ticks: Ticks,
    #[prop(into)] on_page: Signal<Vec<Uuid>>,
    refresh: RwSignal<u64>,
    busy: RwSignal<bool>,
    children: Children,
) -> impl IntoView {
    let connection = expect_context::<Connection>();
    let gate = use_context::<GatePresence>().unwrap_or_else(GatePresence::absent);
    let progress = RwSignal::new(None::<(usize, usize)>);
    let results = RwSignal::new(Vec::<BulkResult>::new());
    // The bulk's code could not be fetched: said, and nothing was sent (the ticks stay).
    let chunk_error = RwSignal::new(None::<ChunkError>);
    prefetch_on_first_tick(ticks);
    // After a bulk action, focus goes to its results.
    let results_ref = NodeRef::<leptos::html::Ul>::new();
    let bulk = Action::new_local(
        move |(chosen, action): &(Vec<(Uuid, String)>, BulkAction)| {
            let client = connection.client();
            let chosen = chosen.clone();
            let action = action.clone();
            let decider = connection.settings.get_untracked().decider();
            // Through a gate, each run is approved or rejected by its policy, run by run.
            let through_gate = untrack(|| gate.present());
            async move {
                // What a former try could not fetch is not this try's error.
                chunk_error.set(None);
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
                let send = match load_sender().await {
                    Ok(send) => send,
                    Err(error) => {
                        results.set(Vec::new());
                        chunk_error.set(Some(error));
                        return;
                    }
                };
                busy.set(true);
                progress.set(Some((0, chosen.len())));
                results.set(Vec::new());
                let note = move |name: String,
                                 outcome: Result<Outcome, ClientError>,
                                 count: usize,
                                 total: usize| {
                    results.update(|r| r.push((name, outcome)));
                    progress.set(Some((count, total)));
                };
                send(BulkSend {
                    client,
                    chosen,
                    action,
                    through_gate,
                    decider,
                    note: Box::new(note),
                })
                .await;
                ticks.clear();
                if let Some(list) = results_ref.get_untracked() {
                    let _ = list.focus();
                }
                busy.set(false);
                refresh.update(|n| *n += 1);
            }
        },
    );
    let bulk_reason = RwSignal::new(String::new());
    let bulk_rejecting = RwSignal::new(false);
    // Until it is known whether a gate decides, it is not known where the decisions go.
    let waits = move || bulk.pending().get() || gate.asking();
    let resume_selected = move |_| {
        if !untrack(waits) {
            bulk_rejecting.set(false);
            bulk.dispatch((untrack(|| ticks.resumable()), BulkAction::Resume));
        }
    };
    let reject_selected = move |_| {
        let reason = bulk_reason.get_untracked();
        if !untrack(waits) && !reason.trim().is_empty() {
            bulk_rejecting.set(true);
            bulk.dispatch((ticks.selected.get_untracked(), BulkAction::Reject(reason)));
        }
    };
    let selected = ticks.selected;
    view! {
        <div class="bulk">
            <button class="primary" data-testid="resume-selected" on:click=resume_selected
                disabled=move || waits() || ticks.resumable().is_empty()>
                {move || match (bulk.pending().get() && !bulk_rejecting.get(), progress.get()) {
                    (true, Some((done, total))) => format!("Resuming… {done} of {total}"),
                    _ => format!("Resume selected ({})", ticks.resumable().len()),
                }}
            </button>
            {move || {
                let asking = ticks.needs_input.with(Vec::len);
                (asking > 0).then(|| view! {
                    <span class="count" data-testid="selected-need-input">
                        {format!("{asking} ticked ask for input: resume those from their pages")}
                    </span>
                })
            }}
            <span class="bulk-reject">
                <input type="text" data-testid="bulk-reason" aria-label="Reason to reject the selected runs"
                    placeholder="Reason to reject (required)" prop:value=move || bulk_reason.get()
                    on:input=move |ev| bulk_reason.set(event_target_value(&ev))/>
                <button class="danger" data-testid="reject-selected" on:click=reject_selected
                    disabled=move || waits() || selected.with(Vec::is_empty) || bulk_reason.with(|r| r.trim().is_empty())>
                    {move || match (bulk.pending().get() && bulk_rejecting.get(), progress.get()) {
                        (true, Some((done, total))) => format!("Rejecting… {done} of {total}"),
                        _ => format!("Reject selected ({})", selected.with(Vec::len)),
                    }}
                </button>
            </span>
            {move || {
                // Ticks are kept across pages; say how many are not on this one.
                let here = on_page.get();
                let elsewhere = selected.with(|chosen| chosen.iter().filter(|(id, _)| !here.contains(id)).count());
                (elsewhere > 0).then(|| view! {
                    <span class="count" data-testid="selected-elsewhere">{format!("{elsewhere} of them on other pages")}</span>
                })
            }}
            {children()}
            {move || (!selected.with(Vec::is_empty)).then(|| view! { <AskingForGate what="you can decide the ticked runs"/> })}
            {move || progress.get().map(|(done, total)| view! {
                <progress max=total.to_string() value=done.to_string()></progress>
            })}
            {move || chunk_error.get().map(|error| view! {
                <p class="error" role="alert" data-kind="unreachable" data-testid="chunk-error">{error.to_string()}</p>
            })}
            <ul class="bulk-results" data-testid="bulk-results" role="status" tabindex="-1" node_ref=results_ref>
                {move || results.get().into_iter().map(|(name, outcome)| view! {
                    <li><strong>{name}</strong>": "{outcome_view(outcome)}</li>
                }).collect_view()}
            </ul>
        </div>
    }
}
