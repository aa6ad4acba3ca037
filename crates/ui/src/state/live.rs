//! Live updates: flow-run changes from Prefect's events websocket, a reconciling poll, and
//! the state of the connection for the header.
//!
//! The server drops events for a slow subscriber without telling it and sockets die, so the
//! pages also re-read what they show every 30 s while the tab is visible, at once when it
//! becomes visible or gets focus, and after every reconnect. A socket that is refused before
//! it ever opened (an old server, a proxy without websocket support) makes the console say
//! "polling only" once and carry on with the poll; it is tried again every minute.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use flowgate_client::WatchStatus;
use flowgate_core::FlowRunChange;
use futures_util::future::{AbortHandle, abortable};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use super::connection::Connection;

/// How often what a page shows is re-read while the tab is visible.
const POLL_EVERY: Duration = Duration::from_secs(30);
/// Changes kept for pages that look for theirs.
const KEPT_CHANGES: usize = 256;

/// The state of live updates, for the header.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum LiveStatus {
    /// Opening the socket for the first time.
    Connecting,
    /// Events arrive as they happen.
    Live,
    /// The socket dropped; trying again.
    Reconnecting {
        /// Why it dropped.
        reason: String,
    },
    /// The socket is refused: pages are kept current by the poll alone.
    PollingOnly {
        /// Why.
        reason: String,
    },
}

/// Live updates, shared by every page.
#[derive(Clone, Copy)]
pub(crate) struct Live {
    /// The connection's state.
    pub(crate) status: RwSignal<LiveStatus>,
    /// The latest flow-run changes, each with its sequence number (oldest first).
    pub(crate) changes: RwSignal<Vec<(u64, FlowRunChange)>>,
    /// Bumped when pages should re-read what they show (poll, focus, reconnect).
    pub(crate) poll: RwSignal<u64>,
}

impl Live {
    /// Starts watching with the current connection settings, again whenever they change.
    pub(crate) fn start(connection: Connection) -> Live {
        let live = Live {
            status: RwSignal::new(LiveStatus::Connecting),
            changes: RwSignal::new(Vec::new()),
            poll: RwSignal::new(0),
        };
        // One subscription at a time: new settings end the old one (dropping it closes its
        // socket) and start another.
        let running = Rc::new(RefCell::new(None::<AbortHandle>));
        Effect::new(move |_| {
            let client = connection.client();
            if let Some(old) = running.borrow_mut().take() {
                old.abort();
            }
            let client = match client {
                Ok(client) => client,
                Err(error) => {
                    live.status.set(LiveStatus::PollingOnly {
                        reason: error.to_string(),
                    });
                    return;
                }
            };
            let (follow, handle) = abortable(async move {
                client
                    .follow_flow_runs(
                        |change| live.push(change),
                        |status| live.show(status),
                        || false,
                    )
                    .await;
            });
            *running.borrow_mut() = Some(handle);
            spawn_local(async move {
                let _ = follow.await;
            });
        });
        set_interval(
            move || {
                if visible() {
                    live.reread();
                }
            },
            POLL_EVERY,
        );
        on_window_and_document(move || {
            if visible() {
                live.reread();
            }
        });
        live
    }

    /// Asks every page to re-read what it shows.
    pub(crate) fn reread(&self) {
        self.poll.update(|n| *n += 1);
    }

    fn show(&self, status: WatchStatus) {
        let shown = match status {
            WatchStatus::Connecting => LiveStatus::Connecting,
            WatchStatus::Live => {
                // Whatever changed while the socket was down is read over HTTP.
                self.reread();
                LiveStatus::Live
            }
            WatchStatus::Reconnecting { reason } => LiveStatus::Reconnecting { reason },
            WatchStatus::Refused { reason } => LiveStatus::PollingOnly { reason },
        };
        self.status.set(shown);
    }

    fn push(&self, change: FlowRunChange) {
        self.changes.update(|kept| {
            let seq = kept.last().map_or(1, |(n, _)| n + 1);
            kept.push((seq, change));
            if kept.len() > KEPT_CHANGES {
                kept.drain(..kept.len() - KEPT_CHANGES);
            }
        });
    }

    /// Calls `f` with the flow-run changes that arrive from now on, a batch at a time, for
    /// as long as the calling page lives.
    pub(crate) fn on_changes(&self, f: impl Fn(Vec<FlowRunChange>) + 'static) {
        let changes = self.changes;
        let newest = move || changes.with_untracked(|kept| kept.last().map_or(0, |(n, _)| *n));
        let seen = StoredValue::new(newest());
        Effect::new(move |_| {
            let fresh: Vec<FlowRunChange> = changes.with(|kept| {
                kept.iter()
                    .filter(|(n, _)| *n > seen.get_value())
                    .map(|(_, c)| c.clone())
                    .collect()
            });
            seen.set_value(newest());
            if !fresh.is_empty() {
                f(fresh);
            }
        });
    }
}

/// Whether the tab is visible (true where the browser cannot say).
pub(crate) fn visible() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_none_or(|d| d.visibility_state() == web_sys::VisibilityState::Visible)
}

/// Calls `f` when the window gets focus and when the tab's visibility changes, for the
/// page's lifetime.
fn on_window_and_document(f: impl Fn() + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let f = Rc::new(f);
    let mut targets = vec![(
        window.clone().unchecked_into::<web_sys::EventTarget>(),
        "focus",
    )];
    if let Some(document) = window.document() {
        targets.push((document.unchecked_into(), "visibilitychange"));
    }
    for (target, event) in targets {
        let f = f.clone();
        let callback = Closure::<dyn Fn()>::new(move || f());
        let _ = target.add_event_listener_with_callback(event, callback.as_ref().unchecked_ref());
        // The console's own listeners live as long as the page.
        callback.forget();
    }
}
