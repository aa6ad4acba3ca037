//! Rules: notify, remind and default-on-timeout rules, stored as Prefect automations that
//! Prefect's own engine fires (`flowgate_core::rules`). The page what rules do for one run and
//! the inbox's rules line are a wasm chunk of their own (`scripts/split-console.mjs` cuts it at
//! [`rules_views`]), fetched when the page opens or after a run's page or the inbox has drawn,
//! so neither the first load nor a run opened by its link waits for it.

mod for_run;
mod form;
mod inbox;
mod list;
mod words;

use flowgate_core::FlowRun;
use leptos::prelude::*;

use crate::routes::run_chunk::{ChunkError, ChunkFuture, lazy_view};

/// Which of the rules' views a place asks for, given as context to the chunk's one view.
#[derive(Clone)]
enum RulesView {
    Page,
    Run(Box<FlowRun>),
    Inbox,
}

/// The split point: what only it reaches goes to the chunk. One chunk holds every rules view
/// (they share most of their code), and its type is the run page's, so the main part holds no
/// second copy of the code that waits for a chunk.
#[leptos::wasm_split::wasm_split(rules, fallible, wasm_split_path = ::leptos::wasm_split)]
fn rules_views() -> Result<fn() -> AnyView, ChunkError> {
    Ok(draw)
}

/// The view the context asks for.
fn draw() -> AnyView {
    match use_context::<RulesView>() {
        Some(RulesView::Run(run)) => view! { <for_run::RunRules run=*run/> }.into_any(),
        Some(RulesView::Inbox) => view! { <inbox::InboxRules/> }.into_any(),
        _ => view! { <list::RulesPage/> }.into_any(),
    }
}

/// Fetches the chunk. The console's own tests (wasm-bindgen-test, one unsplit wasm) have no
/// chunk loader to import it from: there the views are drawn from the same wasm.
#[cfg(not(test))]
fn load() -> ChunkFuture {
    Box::pin(async { rules_views().await.map_err(|e| e.of("the rules")) })
}

#[cfg(test)]
fn load() -> ChunkFuture {
    Box::pin(async { Ok::<fn() -> AnyView, ChunkError>(draw) })
}

/// The rules page, once its chunk is here.
#[component]
pub(crate) fn LazyRulesPage() -> impl IntoView {
    provide_context(RulesView::Page);
    lazy_view(load, Some("Loading the rules…"))
}

/// What rules will do for the waiting runs, on the inbox: once the console has settled, as
/// the run page's chunk is prefetched, so the inbox's first runs come first.
#[component]
pub(crate) fn LazyInboxRules() -> impl IntoView {
    provide_context(RulesView::Inbox);
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
    provide_context(RulesView::Run(Box::new(run)));
    lazy_view(load, None)
}
