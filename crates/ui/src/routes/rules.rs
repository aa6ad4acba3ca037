//! Rules: notify, remind and default-on-timeout rules, stored as Prefect automations that
//! Prefect's own engine fires (`flowgate_core::rules`). The page and what rules do for one run
//! are wasm chunks of their own (`scripts/split-console.mjs` cuts them at [`rules_page`] and
//! [`run_rules`]), fetched when the page opens or after a run's page has drawn, so neither the
//! first load nor a run opened by its link waits for them.

mod for_run;
mod form;
mod list;
mod words;

use flowgate_core::FlowRun;
use leptos::prelude::*;

use crate::components::error_view::TryAgain;
use crate::routes::run_chunk::ChunkError;

/// The split points: what only one of them reaches goes to its chunk; what both reach, to a
/// chunk of its own that both fetch. The page's has the run page's type, so the main part
/// holds no second copy of the code that waits for a chunk.
#[leptos::wasm_split::wasm_split(rules_page, fallible, wasm_split_path = ::leptos::wasm_split)]
fn rules_page() -> Result<fn() -> AnyView, ChunkError> {
    Ok(|| view! { <list::RulesPage/> }.into_any())
}

#[leptos::wasm_split::wasm_split(run_rules, fallible, wasm_split_path = ::leptos::wasm_split)]
fn run_rules() -> Result<fn(FlowRun) -> AnyView, ChunkError> {
    Ok(|run| view! { <for_run::RunRules run=run/> }.into_any())
}

/// The rules page, once its chunk is here.
#[component]
pub(crate) fn LazyRulesPage() -> impl IntoView {
    let retries = RwSignal::new(0u64);
    let page = LocalResource::new(move || {
        retries.track();
        async { rules_page().await.map_err(|e| e.of("the rules page")) }
    });
    move || match page.get() {
        None => view! { <p class="loading">"Loading the rules…"</p> }.into_any(),
        Some(Ok(draw)) => draw(),
        Some(Err(error)) => failed(error, retries),
    }
}

/// The rules section of a run's page: drawn after the run, from a chunk of its own.
#[component]
pub(crate) fn LazyRunRules(run: FlowRun) -> impl IntoView {
    let retries = RwSignal::new(0u64);
    let chunk = LocalResource::new(move || {
        retries.track();
        async {
            run_rules()
                .await
                .map_err(|e| e.of("the rules for this run"))
        }
    });
    move || match chunk.get() {
        None => ().into_any(),
        Some(Ok(draw)) => draw(run.clone()),
        Some(Err(error)) => failed(error, retries),
    }
}

fn failed(error: ChunkError, retries: RwSignal<u64>) -> AnyView {
    view! {
        <TryAgain retry=retries>
            <span class="error" data-kind="unreachable" data-testid="chunk-error">{error.to_string()}</span>
        </TryAgain>
    }
    .into_any()
}
