//! The notification block a rule sends through: one of the server's, or a new one made here
//! (stored in Prefect, usable by its own automations too).

use flowgate_client::ClientError;
use flowgate_core::rules::NotifyBlock;
use flowgate_core::rules::blocks::NewBlockKind;
use leptos::prelude::*;

use crate::components::error_view::ErrorText;
use crate::state::connection::Connection;

/// The notification block: one of the server's, or a new webhook block made here.
#[component]
pub(super) fn BlockPicker(block: RwSignal<String>) -> impl IntoView {
    let connection = expect_context::<Connection>();
    let made = RwSignal::new(Vec::<NotifyBlock>::new());
    let blocks = LocalResource::new(move || {
        let client = connection.client();
        async move { client?.notify_blocks().await }
    });
    let adding = RwSignal::new(false);
    view! {
        <label>"Send through" <span class="required" aria-hidden="true">"*"</span>
            <select data-testid="rule-block" on:change=move |ev| block.set(event_target_value(&ev))>
                <option value="" selected=move || block.get().is_empty()>"— pick a notification block —"</option>
                {move || {
                    let mut all = match blocks.get() {
                        Some(Ok(found)) => found,
                        _ => Vec::new(),
                    };
                    all.extend(made.get());
                    all.into_iter().map(|b| { let value = b.id.to_string(); let v = value.clone(); view! {
                        <option value=value selected=move || block.get() == v>{format!("{} ({})", b.name, b.type_name)}</option>
                    }}).collect_view()
                }}
            </select>
        </label>
        {move || match blocks.get() {
            Some(Err(error)) => Some(view! { <p>"The server's notification blocks could not be read: " <ErrorText error=error/></p> }),
            _ => None,
        }}
        {move || if adding.get() {
            view! { <NewBlock created=Callback::new(move |new: NotifyBlock| {
                block.set(new.id.to_string());
                made.update(|m| m.push(new));
                adding.set(false);
            })/> }.into_any()
        } else {
            view! { <button type="button" data-testid="add-block" on:click=move |_| adding.set(true)>"New webhook block…"</button> }.into_any()
        }}
    }
}

/// A block that needs only a URL: a custom webhook, Slack or Microsoft Teams.
#[component]
fn NewBlock(created: Callback<NotifyBlock>) -> impl IntoView {
    let connection = expect_context::<Connection>();
    let kind = RwSignal::new(NewBlockKind::CustomWebhook);
    let name = RwSignal::new(String::new());
    let url = RwSignal::new(String::new());
    let failed = RwSignal::new(None::<ClientError>);
    let create = move |_| {
        let client = connection.client_untracked();
        let (kind, name, url) = (
            kind.get_untracked(),
            name.get_untracked(),
            url.get_untracked(),
        );
        failed.set(None);
        leptos::task::spawn_local(async move {
            match async { client?.create_notify_block(kind, name.trim(), &url).await }.await {
                Ok(block) => created.run(block),
                Err(error) => failed.set(Some(error)),
            }
        });
    };
    view! {
        <fieldset data-testid="new-block">
            <legend>"New notification block (stored in Prefect, usable by its own automations too)"</legend>
            <label>"Kind"
                <select data-testid="block-kind" on:change=move |ev| kind.set(match event_target_value(&ev).as_str() {
                    "slack-webhook" => NewBlockKind::SlackWebhook,
                    "ms-teams-webhook" => NewBlockKind::MsTeamsWebhook,
                    _ => NewBlockKind::CustomWebhook,
                })>
                    <option value="custom-webhook">"Custom webhook (JSON: subject, body)"</option>
                    <option value="slack-webhook">"Slack incoming webhook"</option>
                    <option value="ms-teams-webhook">"Microsoft Teams webhook"</option>
                </select>
            </label>
            <label>"Block name" <input type="text" data-testid="block-name" placeholder="releases-channel"
                prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/></label>
            <label>"Webhook URL" <input type="url" data-testid="block-url" prop:value=move || url.get()
                on:input=move |ev| url.set(event_target_value(&ev))/></label>
            <button type="button" data-testid="create-block" on:click=create>"Create the block"</button>
            {move || failed.get().map(|error| view! { <p role="alert"><ErrorText error=error/></p> })}
        </fieldset>
    }
}
