//! Creating or editing a rule. Nothing reaches Prefect until Save; a rule is one automation,
//! created by one request, so it exists whole or not at all. Errors show after Save is
//! pressed, beside the field they are about; the server's refusal shows in its own words.

mod action;
mod block;
mod fields;
mod scope;

use flowgate_client::ClientError;
use flowgate_core::rules::default_message;
use leptos::prelude::*;

use super::list::Editing;
use crate::components::error_view::ErrorText;
use crate::state::connection::Connection;
use action::{ActionFields, WhenFields};
use fields::{FieldError, Fields};
use scope::ScopeFields;

/// The form's first problem, shown beside its field once Save was pressed.
#[derive(Clone, Copy)]
struct Problems {
    first: Memo<Option<FieldError>>,
    shown: RwSignal<bool>,
}

impl Problems {
    /// The problem with `field` (core's spelling), if it is the one to show.
    fn about(self, field: &'static str) -> impl Fn() -> Option<AnyView> + 'static {
        move || {
            self.first
                .get()
                .filter(|(f, _)| self.shown.get() && f == field)
                .map(|(_, message)| {
                    view! {
                        <span class="field-error" role="alert" data-testid=format!("error-{field}")>{message}</span>
                    }
                    .into_any()
                })
        }
    }
}

/// Where the console's public URL for links in messages is remembered (kept apart from the
/// connection settings, so the console's first load carries none of this).
const CONSOLE_URL_KEY: &str = "flowgate.rules.consoleUrl";

/// The console's public URL for links in messages: as last saved, else this page's origin.
fn console_url() -> String {
    let saved = crate::state::storage()
        .and_then(|s| s.get_item(CONSOLE_URL_KEY).ok().flatten())
        .filter(|url| !url.trim().is_empty());
    saved
        .or_else(|| web_sys::window().and_then(|w| w.location().origin().ok()))
        .unwrap_or_default()
}

#[component]
pub(super) fn RuleForm(
    editing: Editing,
    done: Callback<()>,
    cancel: Callback<()>,
) -> impl IntoView {
    let connection = expect_context::<Connection>();
    let stored = match &editing {
        Editing::Stored(rule) => Some((**rule).clone()),
        _ => None,
    };
    let id = stored.as_ref().and_then(|r| r.id);
    let fields = Fields::from(stored.as_ref());
    // A new rule's message follows its wait until the person writes their own.
    let own_message = RwSignal::new(stored.is_some());
    let link_base = RwSignal::new(console_url());
    Effect::new(move |_| {
        let after = fields.after_seconds().ok().flatten();
        let base = link_base.get();
        if own_message.get() {
            return;
        }
        if let Ok(message) = default_message(&base, after) {
            fields.subject.set(message.subject);
            fields.body.set(message.body);
        }
    });
    let problems = Problems {
        first: Memo::new(move |_| fields.rule(id).err()),
        shown: RwSignal::new(false),
    };
    let refused = RwSignal::new(None::<ClientError>);
    let sending = RwSignal::new(false);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        problems.shown.set(true);
        refused.set(None);
        let Ok(rule) = fields.rule(id) else { return };
        if let Some(storage) = crate::state::storage() {
            let _ = storage.set_item(CONSOLE_URL_KEY, link_base.get_untracked().trim());
        }
        let client = connection.client_untracked();
        sending.set(true);
        leptos::task::spawn_local(async move {
            let saved = async {
                let client = client?;
                match rule.id {
                    Some(_) => client.update_rule(&rule).await,
                    None => client.create_rule(&rule).await,
                }
            }
            .await;
            sending.set(false);
            match saved {
                Ok(_) => done.run(()),
                Err(error) => refused.set(Some(error)),
            }
        });
    };
    view! {
        <form class="settings rule-form" data-testid="rule-form" on:submit=save novalidate>
            <h2>{if id.is_some() { "Edit the rule" } else { "New rule" }}</h2>
            <label>"Name" <span class="required" aria-hidden="true">"*"</span>
                <input type="text" data-testid="rule-name" required prop:value=move || fields.name.get()
                    on:input=move |ev| fields.name.set(event_target_value(&ev))/>
            </label>
            {problems.about("name")}
            <WhenFields fields=fields problems=problems/>
            <ScopeFields fields=fields/>
            {problems.about("scope.tags")}
            <ActionFields fields=fields problems=problems link_base=link_base own_message=own_message/>
            <label class="check"><input type="checkbox" data-testid="rule-enabled" prop:checked=move || fields.enabled.get()
                on:change=move |ev| fields.enabled.set(event_target_checked(&ev))/>"Enabled"</label>
            <p>
                <button type="submit" class="primary" data-testid="save-rule" disabled=move || sending.get()>
                    {move || if sending.get() { "Saving…" } else { "Save" }}
                </button>
                " "
                <button type="button" on:click=move |_| cancel.run(())>"Cancel"</button>
            </p>
            {move || refused.get().map(|error| view! {
                <p role="alert" data-testid="rule-refused">"Prefect did not take the rule: " <ErrorText error=error/></p>
            })}
        </form>
    }
}
