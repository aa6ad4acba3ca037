//! One page of the inbox: the count, the table of paused runs and the pager.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use flowgate_core::{FlowRunPage, FlowRunSort};
use leptos::prelude::*;
use uuid::Uuid;

use super::row::InboxRow;
use super::ticks::Ticks;
use super::{COLUMNS, PAGE_SIZE, SORTS, inbox_href};
use crate::components::numbers::{counted, grouped};
use crate::components::runs_table::{Pager, RunsTable};

/// The page `page` of paused runs in `order`, with flow and deployment names by id (drawn the
/// same, for the first page, by the page's first script: web/loader/first-reads.js).
#[component]
pub(super) fn InboxList(
    found: FlowRunPage,
    names: HashMap<Uuid, String>,
    page: u32,
    order: FlowRunSort,
    clock: ReadSignal<DateTime<Utc>>,
    ticks: Ticks,
) -> impl IntoView {
    let order_name = SORTS
        .iter()
        .find(|(s, _)| *s == order)
        .map_or("newest first", |(_, l)| *l);
    let first = u64::from(page - 1) * u64::from(PAGE_SIZE) + 1;
    let last = first + found.results.len() as u64 - 1;
    let count = found.count;
    let pages = found.pages.max(1);
    view! {
        <p class="count" data-testid="inbox-count" data-count=count.to_string()>
            {if pages > 1 {
                format!("{} — showing {}–{}, {order_name}", counted(count, "paused run", "paused runs"), grouped(first), grouped(last))
            } else {
                counted(count, "paused run", "paused runs")
            }}
        </p>
        <RunsTable testid="inbox" columns=&COLUMNS>
            {found.results.into_iter().map(|run| {
                let flow = names.get(&run.flow_id).cloned();
                let deployment = run.deployment_id.map(|id| names.get(&id).cloned().unwrap_or_else(|| id.to_string()));
                view! { <InboxRow flow=flow deployment=deployment run=run clock=clock ticks=ticks/> }
            }).collect_view()}
        </RunsTable>
        {(pages > 1).then(|| view! {
            <Pager testid="inbox-pager" page=page pages=pages href=Callback::new(move |page| inbox_href(page, &order))/>
        })}
    }
}
