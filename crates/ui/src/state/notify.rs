//! Desktop notifications when a run pauses, opt-in in Settings: shown while the console's
//! tab is in the background or hidden, each naming the run; clicking one opens its page.
//! They follow the live event stream, and without it the poll's re-reads do not notify
//! (a poll does not say what is new).

use flowgate_core::{FlowRunChange, StateType};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Notification, NotificationOptions, NotificationPermission};

use crate::components::numbers::grouped;
use crate::state::connection::Connection;
use crate::state::live::{Live, visible};

/// Whether the browser lets this page notify: `granted`, `denied`, `default` (not asked
/// yet) or `unsupported`.
pub(crate) fn permission() -> &'static str {
    if !supported() {
        return "unsupported";
    }
    match Notification::permission() {
        NotificationPermission::Granted => "granted",
        NotificationPermission::Denied => "denied",
        _ => "default",
    }
}

fn supported() -> bool {
    js_sys::Reflect::has(&js_sys::global(), &"Notification".into()).unwrap_or(false)
}

/// Asks the browser for permission (it may show a prompt); the answer as [`permission`].
pub(crate) async fn request() -> &'static str {
    if !supported() {
        return "unsupported";
    }
    if let Ok(promise) = Notification::request_permission() {
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }
    permission()
}

/// Whether a person is looking at this tab right now.
fn attended() -> bool {
    visible()
        && web_sys::window()
            .and_then(|w| w.document())
            .is_some_and(|d| d.has_focus().unwrap_or(true))
}

fn show(title: &str, body: &str, href: String) {
    let options = NotificationOptions::new();
    options.set_body(body);
    options.set_tag(&href);
    let Ok(note) = Notification::new_with_options(title, &options) else {
        return;
    };
    let open = Closure::<dyn FnMut()>::new(move || {
        if let Some(window) = web_sys::window() {
            let _ = window.focus();
            let _ = window.location().set_href(&href);
        }
    });
    note.set_onclick(Some(open.as_ref().unchecked_ref()));
    open.forget();
}

/// Notifies of runs that enter a pause while nobody looks, if Settings asks for it.
pub(crate) fn install(live: Live, connection: Connection) {
    live.on_changes(move |fresh: Vec<FlowRunChange>| {
        let wanted = connection.settings.with_untracked(|s| s.notify);
        if !wanted || permission() != "granted" || attended() {
            return;
        }
        let paused: Vec<FlowRunChange> = fresh
            .into_iter()
            .filter(|c| {
                c.state_type == StateType::Paused && c.previous_type != Some(StateType::Paused)
            })
            .collect();
        let Ok(client) = connection.client_untracked() else {
            return;
        };
        spawn_local(async move {
            // A burst (a bulk pause elsewhere) is one notification, not dozens.
            if paused.len() > 3 {
                show(
                    &format!("{} runs wait for you", grouped(paused.len() as u64)),
                    "They paused just now. Open Flowgate to decide.",
                    "/".into(),
                );
                return;
            }
            for change in paused {
                let name = match client.read_flow_run(change.flow_run_id).await {
                    Ok(run) => run.name,
                    Err(_) => change.flow_run_id.to_string(),
                };
                show(
                    &format!("{name} waits for you"),
                    &format!("It paused ({}). Click to decide.", change.state_name),
                    format!("/runs/{}", change.flow_run_id),
                );
            }
        });
    });
}
