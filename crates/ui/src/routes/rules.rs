//! Rules: notify, remind and default-on-timeout rules, stored as Prefect automations that
//! Prefect's own engine fires (`flowgate_core::rules`). Their views are two wasm chunks
//! (`scripts/split-console.mjs` cuts them): the rules page with its form (`split_rules`,
//! fetched when the page opens), and what rules do for one run and the inbox's rules line
//! (`split_rules_glance`), fetched after a run's page or the inbox has drawn. Neither the first
//! load nor a run opened by its link waits for either, and a run page does not fetch the
//! rules' form at all.

mod for_run;
mod form;
mod inbox;
mod list;
mod words;

use flowgate_core::FlowRun;
use leptos::prelude::*;

use crate::routes::run_chunk::{chunk_view, lazy_view};

pub(crate) use list::LazyRulesPage;

/// Which of the glance's views a place asks for, given as context to the chunk's one view.
#[derive(Clone)]
enum Glance {
    Run(Box<FlowRun>),
    Inbox,
}

// The split point: both glances are one chunk (they share most of their code), and its type
// is the run page's, so the main part holds no second copy of the code that waits for a chunk.
chunk_view!(rules_glance, draw, "the rules");

/// The view the context asks for.
fn draw() -> AnyView {
    match use_context::<Glance>() {
        Some(Glance::Run(run)) => view! { <for_run::RunRules run=*run/> }.into_any(),
        _ => view! { <inbox::InboxRules/> }.into_any(),
    }
}

/// What rules will do for the waiting runs, on the inbox: once the console has settled, as
/// the run page's chunk is prefetched, so the inbox's first runs come first.
#[component]
pub(crate) fn LazyInboxRules() -> impl IntoView {
    provide_context(Glance::Inbox);
    lazy_view(
        || {
            Box::pin(async {
                flowgate_client::sleep(crate::routes::run_chunk::PREFETCH_AFTER_MS).await;
                load().await
            })
        },
        None,
    )
}

/// The rules section of a run's page, drawn after the run.
#[component]
pub(crate) fn LazyRunRules(run: FlowRun) -> impl IntoView {
    provide_context(Glance::Run(Box::new(run)));
    lazy_view(load, None)
}
