//! Keyboard triage, as in the mail clients and review queues people live in: `j`/`k` move
//! through the rows of the inbox or all runs, `Enter` opens the current one, `x` ticks it,
//! `r` resumes the ticked runs (the same as pressing the button), `/` goes to the filter,
//! `g i` / `g r` to the inbox / all runs, `?` lists the shortcuts, `Esc` closes the list or
//! leaves a field.
//! Nothing fires while a person types in a field or holds Ctrl, Alt or Meta.

use leptos::ev;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, KeyboardEvent};

/// Every shortcut and what it does, for the help list.
pub(crate) const SHORTCUTS: [(&str, &str); 9] = [
    ("j / k", "next / previous run"),
    ("Enter", "open the current run"),
    ("x", "tick or untick the current run"),
    ("r", "resume the ticked runs"),
    ("/", "go to the filter"),
    ("g i", "go to the inbox"),
    ("g r", "go to all runs"),
    ("?", "show or hide this list"),
    ("Esc", "close this list, or leave a field"),
];

fn typing(event: &KeyboardEvent) -> bool {
    let Some(target) = event.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
        return false;
    };
    matches!(target.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
        || target
            .get_attribute("contenteditable")
            .is_some_and(|v| v != "false")
}

fn document() -> Option<web_sys::Document> {
    web_sys::window().and_then(|w| w.document())
}

fn rows() -> Vec<HtmlElement> {
    let Some(found) = document().and_then(|d| d.query_selector_all("tr[data-row]").ok()) else {
        return Vec::new();
    };
    (0..found.length())
        .filter_map(|i| found.item(i))
        .filter_map(|node| node.dyn_into::<HtmlElement>().ok())
        .collect()
}

/// Moves the current row by `step` (from none: to the first), marks it and focuses its link,
/// so `Enter` opens it as a click would.
fn move_current(step: i32) {
    let rows = rows();
    if rows.is_empty() {
        return;
    }
    let now = rows
        .iter()
        .position(|row| row.class_list().contains("current"));
    let next = match now {
        None => 0,
        Some(at) => (at as i32 + step).clamp(0, rows.len() as i32 - 1) as usize,
    };
    for row in &rows {
        let _ = row.class_list().remove_1("current");
        let _ = row.remove_attribute("aria-current");
    }
    let row = &rows[next];
    let _ = row.class_list().add_1("current");
    let _ = row.set_attribute("aria-current", "true");
    if let Some(link) = row
        .query_selector("a")
        .ok()
        .flatten()
        .and_then(|a| a.dyn_into::<HtmlElement>().ok())
    {
        let _ = link.focus();
    }
}

fn click(selector: &str) {
    let within = rows()
        .into_iter()
        .find(|r| r.class_list().contains("current"));
    let found = match (selector.starts_with("row:"), within) {
        (true, Some(row)) => row.query_selector(&selector[4..]).ok().flatten(),
        (true, None) => None,
        (false, _) => document().and_then(|d| d.query_selector(selector).ok().flatten()),
    };
    if let Some(element) = found.and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
        element.click();
    }
}

fn focus(selector: &str) {
    if let Some(element) = document()
        .and_then(|d| d.query_selector(selector).ok().flatten())
        .and_then(|e| e.dyn_into::<HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}

/// Listens for the shortcuts; renders the list when `?` asks for it.
#[component]
pub(crate) fn Shortcuts() -> impl IntoView {
    let open = RwSignal::new(false);
    let after_g = StoredValue::new(false);
    let navigate = use_navigate();
    let handle = window_event_listener(ev::keydown, move |event: KeyboardEvent| {
        if event.ctrl_key() || event.meta_key() || event.alt_key() {
            return;
        }
        if typing(&event) {
            // Esc leaves the field, so the shortcuts work again.
            if event.key() == "Escape"
                && let Some(field) = event
                    .target()
                    .and_then(|t| t.dyn_into::<HtmlElement>().ok())
            {
                let _ = field.blur();
            }
            return;
        }
        let key = event.key();
        if after_g.get_value() {
            after_g.set_value(false);
            let to = match key.as_str() {
                "i" => Some("/"),
                "r" => Some("/runs"),
                _ => None,
            };
            if let Some(to) = to {
                event.prevent_default();
                navigate(to, NavigateOptions::default());
                return;
            }
        }
        let handled = match key.as_str() {
            "j" => {
                move_current(1);
                true
            }
            "k" => {
                move_current(-1);
                true
            }
            "x" => {
                click("row:input.select");
                true
            }
            "r" => {
                click("[data-testid=\"resume-selected\"]:not([disabled])");
                true
            }
            "/" => {
                focus("[data-shortcut=\"filter\"]");
                true
            }
            "g" => {
                after_g.set_value(true);
                true
            }
            "?" => {
                open.update(|o| *o = !*o);
                true
            }
            "Escape" if open.get_untracked() => {
                open.set(false);
                true
            }
            _ => false,
        };
        if handled {
            event.prevent_default();
        }
    });
    on_cleanup(move || handle.remove());
    move || {
        open.get().then(|| {
            view! {
                <div class="shortcuts" role="dialog" aria-modal="false" aria-label="Keyboard shortcuts"
                    data-testid="shortcuts">
                    <h2>"Keyboard shortcuts"</h2>
                    <dl>
                        {SHORTCUTS.iter().map(|(keys, what)| view! {
                            <dt><kbd>{*keys}</kbd></dt><dd>{*what}</dd>
                        }).collect_view()}
                    </dl>
                    <p class="hint">"They do nothing while you type in a field. Esc closes this list."</p>
                    <button type="button" on:click=move |_| open.set(false)>"Close"</button>
                </div>
            }
        })
    }
}
