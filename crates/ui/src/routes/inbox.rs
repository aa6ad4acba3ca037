//! The home page: paused runs, newest first — what waits for a person.
//!
//! It is live: a run that pauses anywhere appears, a run resumed, cancelled or timed out
//! elsewhere leaves, and the count follows (see `state::live`). Every paused run is
//! reachable: the count is the server's, and the list comes in pages. Its parts: the page
//! (here: what is read, and when), following the event stream (`changes`), the ticks kept
//! across pages (`ticks`), the bar that decides ticked runs together (`bulk`), a page of the
//! list (`list`) and each run's row (`row`).

mod bulk;
mod changes;
mod list;
mod row;
mod ticks;

use std::collections::HashMap;

use flowgate_client::{Client, ClientError};
use flowgate_core::{FlowRunFilter, FlowRunPage, FlowRunSort, Named};
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use uuid::Uuid;

use crate::components::countdown::ticking_clock;
use crate::components::error_view::ReadError;
use crate::components::runs_table::Column;
use crate::state::connection::Connection;
use crate::state::gate::GatePresence;
use crate::state::live::Live;
use crate::state::reread::newest_answer;
use bulk::BulkBar;
use changes::follow_changes;
use list::InboxList;
pub(crate) use row::RowNotes;
use ticks::Ticks;

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
    // The page and the names of the flows and deployments that have a paused run, all at
    // once: the names need not wait for the page.
    let (found, flows, deployments) = futures_util::future::join3(
        client.paginate_flow_runs(&filter.page(page, PAGE_SIZE)),
        client.flow_names_with_paused_runs(),
        client.deployment_names_with_paused_runs(),
    )
    .await;
    let (found, mut flows, mut deployments) = (found?, flows?, deployments?);
    // Those of the page's runs not among them (more than 200 flows or deployments wait, or a
    // run paused between the reads), by id.
    let runs = &found.results;
    let (more_flows, more_deployments) = futures_util::future::join(
        client.flows_by_id::<Named>(
            runs.iter()
                .map(|r| r.flow_id)
                .filter(|id| !flows.iter().any(|f| f.id == *id)),
        ),
        client.deployments_by_id::<Named>(
            runs.iter()
                .filter_map(|r| r.deployment_id)
                .filter(|id| !deployments.iter().any(|d| d.id == *id)),
        ),
    )
    .await;
    flows.append(&mut more_flows?);
    deployments.append(&mut more_deployments?);
    let names = flows
        .into_iter()
        .map(|f| (f.id, f.name))
        .chain(deployments.into_iter().map(|d| (d.id, d.name)))
        .collect();
    Ok((found, names))
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
    let ticks = Ticks::new();
    let left = RwSignal::new(Vec::<String>::new());
    let refresh = RwSignal::new(0u64);
    // While a bulk of this page's own runs, its runs leave the inbox as expected.
    let bulk_busy = RwSignal::new(false);
    let waiting = newest_answer(
        move || (page.get(), sort.get()),
        move |(page, sort)| {
            live.poll.track();
            refresh.track();
            read_page(connection.client(), *page, sort.clone())
        },
    );

    // The ids of the runs on the page shown.
    let on_page: Signal<Vec<Uuid>> = Signal::derive(move || {
        waiting.with(|w| match w {
            Some(Ok((found, _))) => found.results.iter().map(|r| r.id).collect(),
            _ => Vec::new(),
        })
    });

    let gate = use_context::<GatePresence>().unwrap_or_else(GatePresence::absent);
    let policy = LocalResource::new(move || {
        let ids = on_page.get();
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

    follow_changes(ticks, bulk_busy, left, refresh);
    // The first script's view of this page (web/loader/first-reads.js) gives way once the page
    // has drawn its own: the runs, that none wait, or why they could not be read.
    Effect::new(move |_| {
        if waiting.with(Option::is_some) {
            crate::components::early_view::hand_over();
        }
    });
    view! {
        <h1>"Waiting for you"</h1>
        <crate::routes::rules::LazyInboxRules/>
        <BulkBar ticks=ticks on_page=on_page refresh=refresh busy=bulk_busy>
            <label class="sort">"Order "
                <select data-testid="inbox-sort" data-shortcut="filter" aria-label="Order" on:change=choose_sort
                    prop:value=move || sort.get().as_str().to_owned()>
                    {SORTS.iter().map(|(value, label)| view! {
                        <option value=value.as_str().to_owned()>{*label}</option>
                    }).collect_view()}
                </select>
            </label>
        </BulkBar>
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
            Some(Ok((found, names))) => view! {
                <InboxList found=found names=names page=page.get_untracked() order=sort.get_untracked()
                    clock=clock ticks=ticks/>
            }.into_any(),
        }}
    }
}
