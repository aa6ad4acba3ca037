//! Another tab of this browser typing into the same run's draft: its text is offered, never
//! taken silently, and this tab keeps showing its own until the person chooses.

use leptos::prelude::*;

use crate::state::drafts;

/// The other tab's draft of run `id` while it differs from this tab's `input`; listens until
/// the page goes.
pub(super) fn other_tab_draft(
    id: Signal<String>,
    input: RwSignal<String>,
) -> RwSignal<Option<String>> {
    let theirs = RwSignal::new(None::<String>);
    let listener =
        window_event_listener(leptos::ev::storage, move |event: web_sys::StorageEvent| {
            if event.key() != Some(drafts::key(&id.get_untracked())) {
                return;
            }
            match event.new_value() {
                Some(text) if text != input.get_untracked() => theirs.set(Some(text)),
                _ => theirs.set(None),
            }
        });
    on_cleanup(move || listener.remove());
    theirs
}

/// The offer of the other tab's draft: take it, or keep this tab's (saved again, so it is
/// the draft both tabs now hold).
#[component]
pub(super) fn OtherTabNotice(
    id: Signal<String>,
    theirs: RwSignal<Option<String>>,
    input: RwSignal<String>,
) -> impl IntoView {
    move || {
        theirs.get().map(|text| {
            view! {
                <p class="notice" role="status" data-testid="draft-elsewhere">
                    "This run's draft was changed in another tab; this tab still shows yours. "
                    <button type="button" data-testid="use-other-draft" on:click=move |_| {
                        input.set(text.clone());
                        theirs.set(None);
                    }>"Use the other tab's draft"</button>
                    " "
                    <button type="button" data-testid="keep-my-draft" on:click=move |_| {
                        drafts::save(&id.get_untracked(), &input.get_untracked());
                        theirs.set(None);
                    }>"Keep mine"</button>
                </p>
            }
        })
    }
}
