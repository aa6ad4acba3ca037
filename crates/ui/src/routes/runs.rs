//! All runs: filter by state (chips with counts), flow, tag, name and start time; sort; and
//! page through the server's `/paginate`, so ten thousand runs browse like ten.
//!
//! The page is a wasm chunk of its own (`scripts/split-console.mjs` cuts it at `runs`): the
//! inbox's first load is smaller without it.

use flowgate_client::ClientError;
use flowgate_core::{FlowRunSort, Named, StateType};
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::components::error_view::ReadError;
use crate::components::local_time::LocalTime;
use crate::components::numbers::{counted, grouped};
use crate::components::runs_table::{Column, Pager, RunsTable};
use crate::components::state_badge::StateBadge;
use crate::routes::run_chunk::lazy_page;
use crate::state::connection::Connection;
use crate::state::live::Live;
use crate::state::reread::newest_answer;

mod filters;

use filters::Filters;

const PAGE_SIZE: u32 = 25;

const COLUMNS: [Column; 5] = [
    Column::new("Run"),
    Column::new("Flow"),
    Column::new("State"),
    Column::new("Started"),
    Column::new("Tags"),
];

lazy_page!(
    runs,
    RunsPage,
    LazyRunsPage,
    "the runs page",
    "Loading runs…"
);

/// The all-runs page.
#[component]
fn RunsPage() -> impl IntoView {
    let connection = expect_context::<Connection>();
    let query = use_query_map();
    let state = Memo::new(move |_| query.with(Filters::from_query));
    let filters = Memo::new(move |_| state.get().0);
    let page = Memo::new(move |_| state.get().1);
    let navigate = use_navigate();
    let go = Callback::new(move |(filters, page): (Filters, u32)| {
        navigate(
            &format!("/runs{}", filters.to_query(page)),
            NavigateOptions::default(),
        );
    });
    let change = move |edit: &dyn Fn(&mut Filters)| {
        let mut next = filters.get_untracked();
        edit(&mut next);
        go.run((next, 1));
    };

    // Re-read by the live poll (every 30 s while visible, on focus, after a reconnect) and
    // when a run changes state: counts and the current page follow what happens elsewhere.
    let live = expect_context::<Live>();
    let changed = RwSignal::new(0u64);
    live.on_changes(move |_| changed.update(|n| *n += 1));
    // One count per state, all requested at once; a count that fails shows as failed.
    let counts = newest_answer(
        move || filters.get(),
        move |f| {
            let f = f.clone();
            live.poll.track();
            changed.track();
            let client = connection.client();
            async move {
                let client = client?;
                let each = StateType::KNOWN.iter().map(|state| {
                    let body = f.body(Some(state.clone()));
                    let client = client.clone();
                    async move { (state.clone(), client.count_flow_runs(&body).await) }
                });
                Ok::<_, ClientError>(futures_util::future::join_all(each).await)
            }
        },
    );
    let results = newest_answer(
        move || (filters.get(), page.get()),
        move |(f, page)| {
            live.poll.track();
            changed.track();
            let (f, page) = (f.clone(), *page);
            let client = connection.client();
            async move {
                let client = client?;
                let found = client
                    .paginate_flow_runs(&f.body(f.state.clone()).page(page, PAGE_SIZE))
                    .await?;
                let flows = client
                    .flows_by_id::<Named>(found.results.iter().map(|r| r.flow_id))
                    .await?;
                Ok::<_, ClientError>((found, flows))
            }
        },
    );
    let set = move |edit: fn(&mut Filters, String)| {
        move |ev| {
            let value = event_target_value(&ev);
            change(&|f| edit(f, value.clone()));
        }
    };

    view! {
        <h1>"All runs"</h1>
        <StateChips filters=filters counts=counts
            choose=Callback::new(move |state: Option<StateType>| change(&|f| f.state = state.clone()))/>
        <div class="filters">
            <input placeholder="run name contains" data-shortcut="filter" aria-label="Run name contains" prop:value=move || filters.get().name on:change=set(|f, v| f.name = v)/>
            <input placeholder="flow name contains" aria-label="Flow name contains" prop:value=move || filters.get().flow on:change=set(|f, v| f.flow = v)/>
            <input placeholder="has tag" aria-label="Has tag" prop:value=move || filters.get().tag on:change=set(|f, v| f.tag = v)/>
            <label>"started from " <input type="date" prop:value=move || filters.get().after on:change=set(|f, v| f.after = v)/></label>
            <label>"to " <input type="date" prop:value=move || filters.get().before on:change=set(|f, v| f.before = v)/></label>
            <select aria-label="Order" prop:value=move || filters.get().sort.map(|s| s.as_str().to_owned()).unwrap_or_else(|| "START_TIME_DESC".into())
                on:change=set(|f, v| f.sort = Some(FlowRunSort::from_wire(&v)))>
                <option value="START_TIME_DESC">"newest start first"</option>
                <option value="START_TIME_ASC">"oldest start first"</option>
                <option value="EXPECTED_START_TIME_DESC">"latest expected start first"</option>
                <option value="NAME_ASC">"name A→Z"</option>
                <option value="NAME_DESC">"name Z→A"</option>
                <option value="END_TIME_DESC">"latest end first"</option>
            </select>
        </div>
        {move || match results.get() {
            None => view! { <p class="loading">"Loading runs…"</p> }.into_any(),
            Some(Err(error)) => view! {
                <ReadError error=error retry=changed/>
            }.into_any(),
            Some(Ok((found, flows))) => {
                let names: std::collections::HashMap<_, _> = flows.into_iter().map(|f| (f.id, f.name)).collect();
                let pages = found.pages.max(1);
                view! {
                    <p class="count" data-testid="runs-total">{format!("{} — page {} of {}", counted(found.count, "run", "runs"), grouped(found.page), grouped(pages))}</p>
                    <RunsTable testid="runs" columns=&COLUMNS>
                        {found.results.into_iter().map(|run| view! {
                            <tr data-testid="runs-row" data-row="">
                                <td><A href=format!("/runs/{}", run.id)>{run.name.clone()}</A></td>
                                <td>{names.get(&run.flow_id).cloned().unwrap_or_default()}</td>
                                <td><StateBadge state_type=run.state_type.clone() name=run.state_name.clone()/></td>
                                <td class="when">{match run.start_time { Some(at) => view! { <LocalTime at=at/> }.into_any(), None => "—".into_any() }}</td>
                                <td>{run.tags.join(", ")}</td>
                            </tr>
                        }).collect_view()}
                    </RunsTable>
                    <Pager testid="runs-pager" page=page.get_untracked() pages=pages
                        href=Callback::new(move |page| format!("/runs{}", filters.get_untracked().to_query(page)))/>
                }.into_any()
            }
        }}
    }
}

/// One count per state, each `Err` where its count failed.
type StateCounts = Result<Vec<(StateType, Result<u64, ClientError>)>, ClientError>;

/// A chip per state with its count (and "Any state"); the chosen one is on.
#[component]
fn StateChips(
    filters: Memo<Filters>,
    counts: ReadSignal<Option<StateCounts>, LocalStorage>,
    choose: Callback<Option<StateType>>,
) -> impl IntoView {
    view! {
    <div class="chips" data-testid="state-chips">
        <button class=move || if filters.get().state.is_none() { "chip on" } else { "chip" }
            on:click=move |_| choose.run(None)>"Any state"</button>
        {move || counts.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|(state, count)| {
            let chosen = state.clone();
            let (label, title) = match count {
                Ok(count) => (format!("{} {}", state.as_str().to_lowercase(), grouped(count)), String::new()),
                Err(error) => (format!("{} ?", state.as_str().to_lowercase()), format!("the count failed: {error}")),
            };
            let on = filters.get().state.as_ref() == Some(&state);
            view! {
                <button class=if on { "chip on" } else { "chip" } data-state=state.to_string() title=title
                    on:click=move |_| choose.run(Some(chosen.clone()))>
                    {label}
                </button>
            }
        }).collect_view()}
    </div>
    }
}
