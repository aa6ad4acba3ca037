//! The run page, fetched when first needed: its form, the run-input validator, Markdown and
//! the decision history are a wasm chunk of their own (`scripts/split-console.mjs` cuts it at
//! [`run_page`]), so the inbox and the lists load without them. Once the console has been
//! idle a moment the chunk is fetched in the background, so opening a run does not wait.

use std::future::Future;
use std::pin::Pin;

use flowgate_client::{Client, ClientError, parse_flow_run_id};
use flowgate_core::FlowRun;
use futures_channel::oneshot;
use leptos::prelude::*;
use leptos::wasm_split::SplitLoaderError;
use leptos_router::hooks::use_params_map;

use crate::components::error_view::TryAgain;
use crate::routes::run::RunPage;
use crate::state::connection::Connection;
use flowgate_client::sleep;

/// How long after start the chunk is fetched in the background (ms): after the first page's
/// own reads, which it must not slow down.
pub(crate) const PREFETCH_AFTER_MS: i32 = 2_000;

/// Why a chunk's code could not be fetched, in words a person can act on.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ChunkError {
    what: &'static str,
    cause: String,
}

impl From<SplitLoaderError> for ChunkError {
    fn from(err: SplitLoaderError) -> Self {
        ChunkError {
            what: "the run page",
            cause: err.to_string(),
        }
    }
}

impl ChunkError {
    /// The same failure, for the code of `what` (e.g. "the rules page"). (Unused in the
    /// console's own tests, which never fetch the rules' chunk.)
    #[cfg_attr(test, allow(dead_code))]
    pub(crate) fn of(self, what: &'static str) -> ChunkError {
        ChunkError { what, ..self }
    }
}

impl std::fmt::Display for ChunkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A console left open across a deploy asks for a chunk the new build no longer has:
        // only a reload brings the new one.
        write!(
            f,
            "the code of {} could not be fetched from the server this console is served by \
             ({}); check the connection and try again, or reload the page if Flowgate was \
             updated since it was opened",
            self.what, self.cause
        )
    }
}

/// The split point: what only this function reaches goes to the chunk.
#[leptos::wasm_split::wasm_split(run_page, fallible, preload(prefetch_run_page), wasm_split_path = ::leptos::wasm_split)]
fn run_page() -> Result<fn() -> AnyView, ChunkError> {
    Ok(|| view! { <RunPage/> }.into_any())
}

/// Fetches the run page's chunk in the background once the console has settled. A failure
/// is left for opening a run to report (and retry).
pub(crate) fn prefetch_when_idle() {
    leptos::task::spawn_local(async {
        sleep(PREFETCH_AFTER_MS).await;
        let _ = prefetch_run_page().await;
    });
}

/// Fetches a chunk and answers the function that draws its view.
pub(crate) type ChunkLoad = fn() -> ChunkFuture;

/// Fetching a chunk: the function that draws its view, or why it could not be fetched.
pub(crate) type ChunkFuture = Pin<Box<dyn Future<Output = Result<fn() -> AnyView, ChunkError>>>>;

/// A view whose code is a chunk: drawn once `load` has fetched it; while it comes, `loading`
/// (if any); if it cannot be fetched, the reason and Try again. One function for every such
/// view, so the main part holds one copy of this code.
pub(crate) fn lazy_view(load: ChunkLoad, loading: Option<&'static str>) -> impl IntoView {
    let retries = RwSignal::new(0u64);
    let chunk = LocalResource::new(move || {
        retries.track();
        load()
    });
    move || match chunk.get() {
        None => loading
            .map(|text| view! { <p class="loading">{text}</p> })
            .into_any(),
        Some(Ok(draw)) => draw(),
        Some(Err(error)) => {
            // What the first script drew of a run gives way to why its page cannot be shown.
            crate::components::early_view::hand_over();
            view! {
                <TryAgain retry=retries>
                    <span class="error" data-kind="unreachable" data-testid="chunk-error">
                        {error.to_string()}
                    </span>
                </TryAgain>
            }
            .into_any()
        }
    }
}

/// The route's view: the run page once its chunk is here; while it is fetched, a line that
/// says so (the same words as the run page's own read: one line while the code, then the run,
/// arrive); if it cannot be fetched, the reason and Try again. The run is read at once,
/// beside the chunk's fetch and compile, rather than after them (see [`EarlyRun`]).
#[component]
pub(crate) fn LazyRunPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id").unwrap_or_default());
    let connection = expect_context::<Connection>();
    provide_context(EarlyRun::start(id, connection.client_untracked()));
    lazy_view(|| Box::pin(run_page()), Some("Loading the run…"))
}

/// The read of a run started by the route before the run page's code is here, which the page
/// takes for its first read of that run (later reads are its own).
#[derive(Clone, Copy)]
pub(crate) struct EarlyRun(StoredValue<Option<(String, EarlyRead)>, LocalStorage>);

/// The answer of a read of a run that runs on its own (canceled: it was dropped unanswered).
type EarlyRead = oneshot::Receiver<Result<FlowRun, ClientError>>;

impl EarlyRun {
    /// Starts reading run `id` (nothing when the id or the connection is not usable: the page
    /// then reads, and reports, as it would).
    fn start(id: String, client: Result<Client, ClientError>) -> EarlyRun {
        let started = client
            .ok()
            .zip(parse_flow_run_id(&id).ok())
            .map(|(client, uuid)| {
                let (answer, read) = oneshot::channel();
                leptos::task::spawn_local(async move {
                    let _ = answer.send(client.read_flow_run(uuid).await);
                });
                (id, read)
            });
        EarlyRun(StoredValue::new_local(started))
    }

    /// The early read of run `id`, once: a second call, or another run, gets `None`.
    pub(crate) fn take(self, id: &str) -> Option<EarlyRead> {
        let mut taken = None;
        self.0.update_value(|early| {
            if early.as_ref().is_some_and(|(for_id, _)| for_id == id) {
                taken = early.take().map(|(_, read)| read);
            }
        });
        taken
    }
}

/// A view whose code is a wasm chunk of its own: `$split`, the split point (what only it
/// reaches goes to the chunk `split_$split-<hash>.wasm`), answering `$draw`, the function
/// that draws the view; and `load`, which fetches the chunk and names `$what` if it cannot.
/// The console's own tests (one unsplit wasm, no chunk loader) draw from the same wasm.
macro_rules! chunk_view {
    ($split:ident, $draw:expr, $what:literal) => {
        /// The split point: what only it reaches goes to the chunk.
        #[leptos::wasm_split::wasm_split($split, fallible, wasm_split_path = ::leptos::wasm_split)]
        fn $split() -> Result<fn() -> AnyView, $crate::routes::run_chunk::ChunkError> {
            Ok($draw)
        }

        #[cfg(not(test))]
        fn load() -> $crate::routes::run_chunk::ChunkFuture {
            Box::pin(async { $split().await.map_err(|e| e.of($what)) })
        }

        #[cfg(test)]
        fn load() -> $crate::routes::run_chunk::ChunkFuture {
            Box::pin(async { Ok::<fn() -> AnyView, $crate::routes::run_chunk::ChunkError>($draw) })
        }
    };
}
pub(crate) use chunk_view;

/// A page whose code is a wasm chunk of its own ([`chunk_view`]): `$lazy`, the route's view,
/// draws `$page` once the chunk is here and says `$loading` while it comes.
macro_rules! lazy_page {
    ($split:ident, $page:ident, $lazy:ident, $what:literal, $loading:literal) => {
        $crate::routes::run_chunk::chunk_view!($split, || view! { <$page/> }.into_any(), $what);

        /// The route's view: the page once its chunk is here.
        #[component]
        pub(crate) fn $lazy() -> impl IntoView {
            $crate::routes::run_chunk::lazy_view(load, Some($loading))
        }
    };
}
pub(crate) use lazy_page;
