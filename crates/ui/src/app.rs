//! The router, the connection context and the header.

use flowgate_client::ClientError;
use flowgate_core::{FlowRunChange, FlowRunFilter, StateType};
use leptos::prelude::*;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::path;

use crate::components::error_view::ErrorText;
use crate::components::local_time::ZoneNote;
use crate::components::numbers::grouped;
use crate::components::shortcuts::Shortcuts;
use crate::routes::{
    inbox::Inbox, rules::LazyRulesPage, run_chunk::LazyRunPage, runs::LazyRunsPage,
    settings::LazySettingsPage,
};
use crate::state::connection::{Connection, ServerVersion};
use crate::state::gate::GatePresence;
use crate::state::live::{Live, LiveStatus};
use crate::state::pattern_checks::PatternChecks;
use crate::state::reread::newest_answer;
use flowgate_client::sleep;

/// The console's root.
#[component]
pub fn App() -> impl IntoView {
    let connection = Connection::load();
    provide_context(connection);
    provide_context(ServerVersion::start(connection));
    provide_context(GatePresence::start(connection));
    provide_context(PatternChecks::start());
    let live = Live::start(connection);
    provide_context(live);
    crate::state::notify::install(live, connection);
    crate::routes::run_chunk::prefetch_when_idle();
    // The theme from Settings, on <html> for the stylesheet; "system" follows the browser.
    Effect::new(move |_| {
        let theme = connection.settings.with(|s| s.theme.clone());
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = root.set_attribute("data-theme", &theme);
        }
    });
    view! {
        <Router>
            <Header/>
            <Shortcuts/>
            <main>
                <Routes fallback=|| view! { <p class="empty">"There is no such page."</p> }>
                    <Route path=path!("/") view=Inbox/>
                    <Route path=path!("/runs") view=LazyRunsPage/>
                    <Route path=path!("/runs/:id") view=LazyRunPage/>
                    <Route path=path!("/rules") view=LazyRulesPage/>
                    <Route path=path!("/settings") view=LazySettingsPage/>
                </Routes>
            </main>
        </Router>
    }
}

/// Beside a release outside those Flowgate's verdicts were measured on (core's
/// `MEASURED_RANGE`, written out so the first load carries no formatting for it).
const RANGE_NOTE: &str = "verdicts exact for Prefect 3.4 to 3.9";
const RANGE_TITLE: &str = "Flowgate's verdicts were measured on Prefect 3.4 to 3.9, not on this \
                           release: where a verdict depends on it, only the server can tell.";

/// The top bar: navigation, the server's version, and a banner when it cannot be used.
#[component]
fn Header() -> impl IntoView {
    let ServerVersion(version) = expect_context::<ServerVersion>();
    // Another page than the one the first script drew a run's heading for: it gives way.
    let path = leptos_router::hooks::use_location().pathname;
    Effect::new(move |first: Option<String>| {
        let now = path.get();
        match first {
            Some(first) if first != now => {
                crate::components::early_view::hand_over();
                first
            }
            Some(first) => first,
            None => now,
        }
    });
    view! {
        <header class="top">
            <A href="/">"Flowgate"</A>
            <nav aria-label="Main">
                <A href="/">"Waiting"<WaitingCount/></A>
                <A href="/runs">"All runs"</A>
                <A href="/rules">"Rules"</A>
                <A href="/settings">"Settings"</A>
            </nav>
            <LiveBadge/>
            <GateBadge/>
            <ZoneNote/>
            <span class="server" data-testid="server-version">
                {move || match version.get() {
                    None => "connecting…".to_owned(),
                    Some(Ok(v)) => format!("Prefect {v}"),
                    Some(Err(_)) => String::new(),
                }}
            </span>
            {move || {
                let outside = version.get()?.ok()?;
                flowgate_core::ServerRules::of_version_text(&outside).unmeasured?;
                Some(view! {
                    <span class="server-range" data-testid="server-range" title=RANGE_TITLE>
                        {RANGE_NOTE}
                    </span>
                })
            }}
        </header>
        {move || match version.get() {
            Some(Err(err)) => Some(view! { <Banner error=err/> }),
            _ => None,
        }}
    }
}

/// Who the gate signed in, when decisions go through one.
#[component]
fn GateBadge() -> impl IntoView {
    let gate = expect_context::<GatePresence>();
    move || {
        match gate.get() {
        Some(Ok(Some(found))) => Some(view! {
            <span class="gate" data-testid="gate-person"
                title=format!("Decisions go through the gate {}, which enforces who may decide.", found.gate)>
                "Signed in as " {found.person.user.clone()}
            </span>
        }.into_any()),
        Some(Err(error)) => Some(view! {
            <span class="gate gate-refused" data-testid="gate-person" role="alert">
                "The gate refused you: " <ErrorText error=error/>
            </span>
        }.into_any()),
        _ => None,
    }
    }
}

/// How many runs wait, beside "Waiting" and in the tab's title (`(3) Flowgate`), so a tab in
/// the background shows when something new waits. Re-counted on every poll and, at most once
/// a second, after runs enter or leave a pause.
#[component]
fn WaitingCount() -> impl IntoView {
    let connection = expect_context::<Connection>();
    let live = expect_context::<Live>();
    let recount = RwSignal::new(0u32);
    let pending = StoredValue::new(false);
    live.on_changes(move |fresh| {
        if !fresh.iter().any(FlowRunChange::touches_pause) || pending.get_value() {
            return;
        }
        pending.set_value(true);
        leptos::task::spawn_local(async move {
            sleep(1_000).await;
            pending.set_value(false);
            recount.update(|n| *n += 1);
        });
    });
    let count = newest_answer(
        || (),
        move |_| {
            live.poll.track();
            recount.track();
            let client = connection.client();
            async move {
                client?
                    .count_flow_runs(&FlowRunFilter::in_states([StateType::Paused]))
                    .await
            }
        },
    );
    Effect::new(move |_| {
        let title = match count.get() {
            Some(Ok(n)) if n > 0 => format!("({}) Flowgate", grouped(n)),
            _ => "Flowgate".to_owned(),
        };
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(&title);
        }
    });
    move || match count.get() {
        Some(Ok(n)) if n > 0 => Some(view! {
            // Set apart by its margin, not a space: a space would be underlined with the link
            // (the count, an inline-block, is not; its name is still "Waiting 21").
            <span class="nav-count" data-testid="waiting-count">{grouped(n)}</span>
        }),
        _ => None,
    }
}

/// Whether the pages update as things happen: live, reconnecting, or polling only.
#[component]
fn LiveBadge() -> impl IntoView {
    let live = expect_context::<Live>();
    let shown = move || match live.status.get() {
        LiveStatus::Connecting => ("connecting", "connecting…".to_owned(), String::new()),
        LiveStatus::Live => (
            "live",
            "live".to_owned(),
            "Updates arrive as they happen (Prefect's event stream), checked every 30 s."
                .to_owned(),
        ),
        LiveStatus::Reconnecting { reason } => ("reconnecting", "reconnecting…".to_owned(), reason),
        LiveStatus::PollingOnly { reason } => (
            "polling",
            "polling only".to_owned(),
            format!("{reason} Pages refresh every 30 s instead."),
        ),
    };
    view! {
        <span class=move || format!("live live-{}", shown().0) data-testid="live-status"
            title=move || shown().2 role="status">
            {move || shown().1}
        </span>
    }
}

/// Why the server cannot be used, and what to do.
#[component]
fn Banner(error: ClientError) -> impl IntoView {
    view! {
        <div class="banner" role="alert" data-testid="connection-banner">
            <ErrorText error=error/>
            " "
            <A href="/settings">"Check the connection settings."</A>
        </div>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_header_names_the_range_core_measured() {
        let range = flowgate_core::MEASURED_RANGE;
        assert!(super::RANGE_NOTE.ends_with(range));
        assert!(super::RANGE_TITLE.contains(range));
    }
}
