//! The home page: paused runs, newest first — what waits for a person.
//!
//! It is live: a run that pauses anywhere appears, a run resumed, cancelled or timed out
//! elsewhere leaves, and the count follows (see `state::live`). Every paused run is
//! reachable: the count is the server's, and the list comes in pages.

use std::collections::HashMap;

use flowgate_client::{Client, ClientError};
use flowgate_core::gate::GateRowVerdict;
use flowgate_core::{FlowRun, FlowRunChange, FlowRunFilter, FlowRunPage, FlowRunSort, StateType};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use uuid::Uuid;

use crate::components::countdown::{Countdown, ticking_clock};
use crate::components::decision_outcome::{Outcome, outcome_view};
use crate::components::error_view::ReadError;
use crate::components::local_time::LocalTime;
use crate::components::runs_table::{Column, Pager, RunsTable};
use crate::components::state_badge::StateBadge;
use crate::state::connection::Connection;
use crate::state::gate::GatePresence;
use crate::state::live::{Live, sleep};

/// Runs resumed together, at most this many requests at a time: the client's default, which
/// reaches the server's measured ceiling (see `flowgate_client::DEFAULT_CONCURRENCY`).
const BULK_CONCURRENCY: usize = flowgate_client::DEFAULT_CONCURRENCY;
/// Runs per request of a bulk approval through a gate: the gate resumes each chunk a few at a
/// time and records it in one batch; progress moves a chunk at a time.
const GATE_CHUNK: usize = 25;

/// Paused runs on one page of the inbox.
pub(crate) const PAGE_SIZE: u32 = 50;

/// Runs whose new state is confirmed over HTTP after an event, before the list is read.
const CONFIRM_AT_MOST: usize = 8;

/// The inbox's orders, done by the server so they hold across pages.
const SORTS: [(FlowRunSort, &str); 3] = [
    (FlowRunSort::StartTimeDesc, "newest first"),
    (FlowRunSort::StartTimeAsc, "oldest first"),
    (FlowRunSort::NameAsc, "name A→Z"),
];

const COLUMNS: [Column; 10] = [
    Column::hidden("Select"),
    Column::new("Run"),
    Column::new("Flow"),
    Column::new("Deployment"),
    Column::new("State"),
    Column::new("Tags"),
    Column::new("Paused since"),
    Column::new("Time left"),
    Column::new("Asks for"),
    Column::new("Key"),
];

/// The inbox's URL for a page and an order (the default order is left out).
fn inbox_href(page: u32, sort: &FlowRunSort) -> String {
    match (page, sort) {
        (1, FlowRunSort::StartTimeDesc) => "/".to_owned(),
        (page, FlowRunSort::StartTimeDesc) => format!("/?page={page}"),
        (page, sort) => format!("/?page={page}&sort={}", sort.as_str()),
    }
}

/// What is known of each run on the inbox's page beyond the run itself, drawn on its row.
#[derive(Clone, Copy)]
pub(crate) struct RowNotes {
    /// The page's read: its runs, once read.
    pub(crate) page: LocalResource<Result<Waiting, ClientError>>,
    /// The rules' steps still due, by run ("reminder at 14:00 · rejected at 15:00, unless
    /// decided first"): filled by the rules' chunk once it is here, so the main part holds
    /// only the signal and the line.
    pub(crate) rules: RwSignal<HashMap<Uuid, String>>,
    /// With a gate in front of Prefect, what its policy says for the person on each run, as
    /// the gate computes it with core's `policy_verdict` (`None` without a gate).
    policy: LocalResource<Option<Result<Vec<GateRowVerdict>, ClientError>>>,
}

/// One run's outcome in a bulk resume, with its name.
type BulkResult = (String, Result<Outcome, ClientError>);

/// A bulk action: resume the ticked runs, or reject them with one reason.
#[derive(Debug, Clone)]
enum BulkAction {
    Resume,
    Reject(String),
}

/// A page of paused runs with the names of their flows and deployments.
pub(crate) type Waiting = (FlowRunPage, HashMap<Uuid, String>);

async fn read_page(
    client: Result<Client, ClientError>,
    page: u32,
    sort: FlowRunSort,
) -> Result<Waiting, ClientError> {
    let client = client?;
    let filter = FlowRunFilter {
        sort: Some(sort),
        ..FlowRunFilter::paused_newest_first(PAGE_SIZE)
    };
    let found = client
        .paginate_flow_runs(&filter.page(page, PAGE_SIZE))
        .await?;
    let runs = &found.results;
    let flows = client.flows_by_id(runs.iter().map(|r| r.flow_id)).await?;
    let deployments = client
        .deployments_by_id(runs.iter().filter_map(|r| r.deployment_id))
        .await?;
    let names = flows
        .into_iter()
        .map(|f| (f.id, f.name))
        .chain(deployments.into_iter().map(|d| (d.id, d.name)))
        .collect();
    Ok((found, names))
}

/// An event can arrive before the server's write is visible: reads the run until it shows
/// the state the event announced (a few tries, a moment apart).
async fn confirm(client: &Client, change: &FlowRunChange) {
    for _ in 0..5 {
        match client.read_flow_run(change.flow_run_id).await {
            Ok(run) if run.state_type.as_ref() != Some(&change.state_type) => sleep(200).await,
            _ => return,
        }
    }
}

/// The waiting inbox. Flow and deployment names are looked up by id (ids do not collide).
///
/// Runs that do not ask for input can be ticked and resumed together: each is sent once, a
/// few at a time, and each outcome is listed as it arrives. Runs that ask for input are
/// resumed from their own page, where the form is. A ticked run that leaves its pause
/// elsewhere is unticked, and the page says so.
#[component]
pub(crate) fn Inbox() -> impl IntoView {
    let connection = expect_context::<Connection>();
    let live = expect_context::<Live>();
    let clock = ticking_clock();
    let query = use_query_map();
    let page = Memo::new(move |_| {
        query.with(|q| {
            q.get("page")
                .and_then(|p| p.parse::<u32>().ok())
                .filter(|p| *p >= 1)
                .unwrap_or(1)
        })
    });
    let sort = Memo::new(move |_| {
        query.with(|q| {
            q.get("sort")
                .map(|s| FlowRunSort::from_wire(&s))
                .filter(|s| SORTS.iter().any(|(known, _)| known == s))
                .unwrap_or(FlowRunSort::StartTimeDesc)
        })
    });
    let navigate = use_navigate();
    let choose_sort = move |ev| {
        let chosen = FlowRunSort::from_wire(&event_target_value(&ev));
        navigate(&inbox_href(1, &chosen), NavigateOptions::default());
    };
    let selected = RwSignal::new(Vec::<(Uuid, String)>::new());
    // Ticked runs that ask for input: rejected with the others, resumed only from their page.
    let needs_input = RwSignal::new(Vec::<Uuid>::new());
    let resumable = move || {
        let skip = needs_input.get();
        selected.with(|chosen| {
            chosen
                .iter()
                .filter(|(id, _)| !skip.contains(id))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let left = RwSignal::new(Vec::<String>::new());
    let progress = RwSignal::new(None::<(usize, usize)>);
    let results = RwSignal::new(Vec::<BulkResult>::new());
    let refresh = RwSignal::new(0u64);
    // While a bulk of this page's own runs, its runs leave the inbox as expected.
    let bulk_busy = RwSignal::new(false);
    let waiting = LocalResource::new(move || {
        live.poll.track();
        refresh.track();
        read_page(connection.client(), page.get(), sort.get())
    });

    let gate = use_context::<GatePresence>().unwrap_or_else(GatePresence::absent);
    let policy = LocalResource::new(move || {
        let ids: Vec<Uuid> = waiting.with(|w| match w {
            Some(Ok((found, _))) => found.results.iter().map(|r| r.id).collect(),
            _ => Vec::new(),
        });
        let through_gate = gate.present();
        let client = connection.client();
        async move {
            if !through_gate || ids.is_empty() {
                return None;
            }
            Some(match client {
                Ok(client) => client.gate_row_verdicts(&ids).await,
                Err(error) => Err(error),
            })
        }
    });
    let notes = RowNotes {
        page: waiting,
        rules: RwSignal::new(HashMap::new()),
        policy,
    };
    provide_context(notes);

    // Changes from the event stream: re-read the page when a run entered or left a pause.
    live.on_changes(move |fresh| {
        let relevant: Vec<FlowRunChange> = fresh
            .into_iter()
            .filter(FlowRunChange::touches_pause)
            .collect();
        if relevant.is_empty() {
            return;
        }
        for change in relevant
            .iter()
            .filter(|c| c.state_type != StateType::Paused)
        {
            let mut gone = None;
            selected.update(|chosen| {
                if let Some(at) = chosen.iter().position(|(id, _)| *id == change.flow_run_id) {
                    gone = Some(chosen.remove(at).1);
                }
            });
            needs_input.update(|ids| ids.retain(|id| *id != change.flow_run_id));
            if let Some(name) = gone.filter(|_| !bulk_busy.get_untracked()) {
                left.update(|l| {
                    l.push(format!(
                        "{name} left the inbox while ticked: it is now {}.",
                        change.state_name
                    ))
                });
            }
        }
        spawn_local(async move {
            if let Ok(client) = connection.client_untracked() {
                for change in relevant.iter().rev().take(CONFIRM_AT_MOST) {
                    confirm(&client, change).await;
                }
            }
            refresh.update(|n| *n += 1);
        });
    });
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
                bulk_busy.set(true);
                progress.set(Some((0, ids.len())));
                results.set(Vec::new());
                let name_of = |id: Uuid| {
                    chosen
                        .iter()
                        .find(|(chosen_id, _)| *chosen_id == id)
                        .map(|(_, name)| name.clone())
                        .unwrap_or_else(|| id.to_string())
                };
                let note = |name: String, outcome: Result<Outcome, ClientError>, count, total| {
                    results.update(|r| r.push((name, outcome)));
                    progress.set(Some((count, total)));
                };
                match (action, through_gate) {
                    (BulkAction::Resume, true) => {
                        client
                            .gate_approve_many(&ids, GATE_CHUNK, |done, count, total| {
                                let outcome =
                                    done.outcome.clone().map(|a| Outcome::Approved(Box::new(a)));
                                note(name_of(done.flow_run_id), outcome, count, total);
                            })
                            .await;
                    }
                    (BulkAction::Reject(reason), true) => {
                        client
                            .gate_reject_many(
                                &ids,
                                &reason,
                                BULK_CONCURRENCY,
                                |done, count, total| {
                                    let outcome = done
                                        .outcome
                                        .clone()
                                        .map(|r| Outcome::GateRejected(Box::new(r)));
                                    note(name_of(done.flow_run_id), outcome, count, total);
                                },
                            )
                            .await;
                    }
                    (BulkAction::Resume, false) => {
                        client
                            .resume_many_decided(
                                &ids,
                                BULK_CONCURRENCY,
                                &decider,
                                |done, count, total| {
                                    let outcome =
                                        done.outcome.clone().map(|d| Outcome::Resumed(Box::new(d)));
                                    note(name_of(done.flow_run_id), outcome, count, total);
                                },
                            )
                            .await;
                    }
                    (BulkAction::Reject(reason), false) => {
                        client
                            .reject_many(
                                &ids,
                                &reason,
                                BULK_CONCURRENCY,
                                &decider,
                                |done, count, total| {
                                    let outcome = done
                                        .outcome
                                        .clone()
                                        .map(|d| Outcome::Rejected(Box::new(d)));
                                    note(name_of(done.flow_run_id), outcome, count, total);
                                },
                            )
                            .await;
                    }
                }
                selected.set(Vec::new());
                if let Some(list) = results_ref.get_untracked() {
                    let _ = list.focus();
                }
                needs_input.set(Vec::new());
                bulk_busy.set(false);
                refresh.update(|n| *n += 1);
            }
        },
    );
    let bulk_reason = RwSignal::new(String::new());
    let bulk_rejecting = RwSignal::new(false);
    let resume_selected = move |_| {
        if !bulk.pending().get_untracked() {
            bulk_rejecting.set(false);
            bulk.dispatch((untrack(resumable), BulkAction::Resume));
        }
    };
    let reject_selected = move |_| {
        let reason = bulk_reason.get_untracked();
        if !bulk.pending().get_untracked() && !reason.trim().is_empty() {
            bulk_rejecting.set(true);
            bulk.dispatch((selected.get_untracked(), BulkAction::Reject(reason)));
        }
    };
    view! {
        <h1>"Waiting for you"</h1>
        <crate::routes::rules::LazyInboxRules/>
        <div class="bulk">
            <button data-testid="resume-selected" on:click=resume_selected
                disabled=move || bulk.pending().get() || resumable().is_empty()>
                {move || match (bulk.pending().get() && !bulk_rejecting.get(), progress.get()) {
                    (true, Some((done, total))) => format!("Resuming… {done} of {total}"),
                    _ => format!("Resume selected ({})", resumable().len()),
                }}
            </button>
            {move || {
                let asking = needs_input.with(Vec::len);
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
                    disabled=move || bulk.pending().get() || selected.with(Vec::is_empty) || bulk_reason.with(|r| r.trim().is_empty())>
                    {move || match (bulk.pending().get() && bulk_rejecting.get(), progress.get()) {
                        (true, Some((done, total))) => format!("Rejecting… {done} of {total}"),
                        _ => format!("Reject selected ({})", selected.with(Vec::len)),
                    }}
                </button>
            </span>
            {move || {
                // Ticks are kept across pages; say how many are not on this one.
                let here: Vec<Uuid> = waiting.with(|w| match w {
                    Some(Ok((found, _))) => found.results.iter().map(|r| r.id).collect(),
                    _ => Vec::new(),
                });
                let elsewhere = selected.with(|chosen| chosen.iter().filter(|(id, _)| !here.contains(id)).count());
                (elsewhere > 0).then(|| view! {
                    <span class="count" data-testid="selected-elsewhere">{format!("{elsewhere} of them on other pages")}</span>
                })
            }}
            <label class="sort">"Order "
                <select data-testid="inbox-sort" data-shortcut="filter" aria-label="Order" on:change=choose_sort
                    prop:value=move || sort.get().as_str().to_owned()>
                    {SORTS.iter().map(|(value, label)| view! {
                        <option value=value.as_str().to_owned()>{*label}</option>
                    }).collect_view()}
                </select>
            </label>
            {move || progress.get().map(|(done, total)| view! {
                <progress max=total.to_string() value=done.to_string()></progress>
            })}
            <ul class="bulk-results" data-testid="bulk-results" role="status" tabindex="-1" node_ref=results_ref>
                {move || results.get().into_iter().map(|(name, outcome)| view! {
                    <li><strong>{name}</strong>": "{outcome_view(outcome)}</li>
                }).collect_view()}
            </ul>
        </div>
        {move || {
            let notes = left.get();
            (!notes.is_empty()).then(|| view! {
                <ul class="notice" data-testid="left-inbox">
                    {notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
                </ul>
            })
        }}
        {move || match policy.get() {
            Some(Some(Err(error))) => Some(view! {
                <p class="verdict verdict-reject" data-testid="inbox-policy-error">
                    {format!("The gate's policy for these runs could not be read: {error}")}
                </p>
            }),
            _ => None,
        }}
        {move || match waiting.get() {
            None => view! { <p class="loading">"Loading paused runs…"</p> }.into_any(),
            Some(Err(error)) => view! {
                <ReadError error=error retry=refresh/>
            }.into_any(),
            Some(Ok((found, _))) if found.count == 0 => view! {
                <p class="empty" data-testid="inbox-empty">"Nothing is waiting: no flow run is paused."</p>
            }.into_any(),
            Some(Ok((found, names))) => {
                let page = page.get_untracked();
                let order = sort.get_untracked();
                let order_name = SORTS.iter().find(|(s, _)| *s == order).map_or("newest first", |(_, l)| *l);
                let first = u64::from(page - 1) * u64::from(PAGE_SIZE) + 1;
                let last = first + found.results.len() as u64 - 1;
                let count = found.count;
                let pages = found.pages.max(1);
                view! {
                    <p class="count" data-testid="inbox-count" data-count=count.to_string()>
                        {if pages > 1 {
                            format!("{count} paused run(s) — showing {first}–{last}, {order_name}")
                        } else {
                            format!("{count} paused run(s)")
                        }}
                    </p>
                    <RunsTable testid="inbox" columns=&COLUMNS>
                        {found.results.into_iter().map(|run| {
                            let flow = names.get(&run.flow_id).cloned();
                            let deployment = run.deployment_id.map(|id| names.get(&id).cloned().unwrap_or_else(|| id.to_string()));
                            view! { <InboxRow flow=flow deployment=deployment run=run clock=clock selected=selected needs_input=needs_input/> }
                        }).collect_view()}
                    </RunsTable>
                    {(pages > 1).then(|| view! {
                        <Pager testid="inbox-pager" page=page pages=pages href=Callback::new(move |page| inbox_href(page, &order))/>
                    })}
                }.into_any()
            }
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
    needs_input: RwSignal<Vec<Uuid>>,
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
        needs_input.update(|ids| {
            ids.retain(|other| *other != id);
            if on && asks_input {
                ids.push(id);
            }
        });
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
    let reschedules = if details.pause_reschedule {
        " (suspended: resumes by rescheduling)"
    } else {
        ""
    };
    view! {
        <tr data-testid="inbox-row" data-row="" data-run-id=run.id.to_string()>
            <td>
                <input type="checkbox" class="select" aria-label=format!("Select {}", run.name)
                    title=if asks_input { "asks for input: tick it to reject together; resume it from its page" } else { "select to resume or reject together" }
                    prop:checked=move || selected.with(|chosen| chosen.iter().any(|(other, _)| *other == id))
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
                {reschedules}
            </td>
            <td>{run.tags.join(", ")}</td>
            <td class="when">{since.map(|at| view! { <LocalTime at=at clock=clock/> })}</td>
            <td class="left"><Countdown timeout=details.pause_timeout clock=clock/></td>
            <td class="nowrap">{asks}</td>
            <td>{details.pause_key.clone().unwrap_or_default()}</td>
        </tr>
    }
}
