//! Deep links: `/runs/{id}?input=<url-encoded JSON>` opens the page with the form filled from
//! the link (a notification's link), and **Copy link with this input** makes one.

use leptos::prelude::*;
use serde_json::Value;
use wasm_bindgen::JsCast;

/// The input a deep link carries, pretty-printed, or why it cannot be used.
pub(super) fn link_input(text: &str) -> Result<String, String> {
    match serde_json::from_str::<Value>(text) {
        Ok(value @ Value::Object(_)) => {
            Ok(serde_json::to_string_pretty(&value).unwrap_or_default())
        }
        Ok(_) => {
            Err("The link's input is not a JSON object, so it was not put in the form.".into())
        }
        Err(err) => Err(format!(
            "The link's input is not JSON ({err}), so it was not put in the form."
        )),
    }
}

/// This page's address with `input` as a deep link.
fn deep_link(id: &str, input: &Value) -> String {
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    let compact = serde_json::to_string(input).unwrap_or_default();
    let encoded: String = js_sys::encode_uri_component(&compact).into();
    format!("{origin}/runs/{id}?input={encoded}")
}

/// Puts `text` on the clipboard; false when the browser does not allow it.
fn copy_to_clipboard(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let navigator = js_sys::Reflect::get(&window, &"navigator".into()).unwrap_or_default();
    let clipboard = js_sys::Reflect::get(&navigator, &"clipboard".into())
        .ok()
        .filter(|c| !c.is_undefined());
    let write = clipboard.as_ref().and_then(|c| {
        js_sys::Reflect::get(c, &"writeText".into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    });
    match (clipboard, write) {
        (Some(c), Some(f)) => f.call1(&c, &text.into()).is_ok(),
        _ => false,
    }
}

/// What became of a deep link's input: put in the form (with the earlier draft it replaced,
/// which can be put back), or why not.
#[component]
pub(super) fn LinkNotice(
    note: Result<(), String>,
    input: RwSignal<String>,
    replaced_draft: RwSignal<Option<String>>,
) -> impl IntoView {
    match note {
        Ok(()) => view! {
            <p class="notice" role="status" data-testid="link-prefilled">
                "The form was filled from the link you opened. Check it: nothing is sent until you decide below."
                {move || replaced_draft.get().map(|draft| view! {
                    " " <button type="button" data-testid="restore-draft" on:click=move |_| {
                        input.set(draft.clone());
                        replaced_draft.set(None);
                    }>"Put back my earlier draft"</button>
                })}
            </p>
        }
        .into_any(),
        Err(why) => {
            view! { <p class="error" role="alert" data-testid="link-prefilled">{why}</p> }.into_any()
        }
    }
}

/// **Copy link with this input**, and the link it made.
#[component]
pub(super) fn CopyLink(
    id: String,
    /// The form's input, when it is JSON.
    #[prop(into)]
    input: Signal<Option<Value>>,
) -> impl IntoView {
    let link_text = RwSignal::new(None::<String>);
    let copy_link = move |_| {
        if let Some(input) = input.get_untracked() {
            let link = deep_link(&id, &input);
            let copied = copy_to_clipboard(&link);
            link_text.set(Some(if copied {
                format!("Copied: {link}")
            } else {
                link
            }));
        }
    };
    view! {
        <button type="button" class="secondary" data-testid="copy-link" on:click=copy_link
            disabled=move || input.with(Option::is_none)
            title="A link to this page with the form filled in as it is now, e.g. for a notification">
            "Copy link with this input"
        </button>
        {move || link_text.get().map(|text| view! { <p class="hint" data-testid="copied-link">{text}</p> })}
    }
}
