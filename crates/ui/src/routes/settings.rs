//! Where the Prefect API is, how to sign in, and who decides.
//!
//! The page is a wasm chunk of its own (`scripts/split-console.mjs` cuts it at `settings`):
//! it is opened now and then, and the inbox's first load is smaller
//! without it. A console that cannot reach its API still fetches it, from the server the
//! console is served by.

use leptos::prelude::*;

use crate::routes::run_chunk::lazy_page;
use crate::state::connection::{AuthKind, Connection};

lazy_page!(
    settings,
    SettingsPage,
    LazySettingsPage,
    "the settings page",
    "Loading the settings…"
);

/// The settings page.
#[component]
fn SettingsPage() -> impl IntoView {
    let connection = expect_context::<Connection>();
    let current = connection.settings.get_untracked();
    let api_url = RwSignal::new(current.api_url.clone());
    let auth = RwSignal::new(current.auth);
    let secret = RwSignal::new(current.secret.clone());
    let remember = RwSignal::new(current.remember);
    let decider = RwSignal::new(current.decider.clone());
    let record = RwSignal::new(current.record_decisions);
    let theme = RwSignal::new(current.theme.clone());
    let notify = RwSignal::new(current.notify);
    let saved = RwSignal::new(false);
    let forgotten = RwSignal::new(false);
    // Removes the secret from this tab and from the browser's storage at once: nothing is
    // sent with it from now on.
    let forget = move |_| {
        secret.set(String::new());
        remember.set(false);
        let mut settings = connection.settings.get_untracked();
        settings.secret.clear();
        settings.remember = false;
        connection.save(settings);
        saved.set(false);
        forgotten.set(true);
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut settings = connection.settings.get_untracked();
        settings.api_url = api_url.get_untracked().trim().to_owned();
        settings.auth = auth.get_untracked();
        settings.secret = secret.get_untracked();
        settings.remember = remember.get_untracked();
        settings.decider = decider.get_untracked().trim().to_owned();
        settings.record_decisions = record.get_untracked();
        settings.theme = theme.get_untracked();
        settings.notify = notify.get_untracked();
        connection.save(settings);
        saved.set(true);
    };
    view! {
        <h1>"Connection"</h1>
        <form class="settings" on:submit=save>
            <label>"Prefect API URL"
                <input data-testid="api-url" type="text" prop:value=move || api_url.get()
                    on:input=move |ev| api_url.set(event_target_value(&ev))
                    placeholder="/api, http://127.0.0.1:4200/api, or a Prefect Cloud workspace URL"/>
            </label>
            <label>"Sign in with"
                <select on:change=move |ev| auth.set(match event_target_value(&ev).as_str() {
                    "basic" => AuthKind::Basic,
                    "bearer" => AuthKind::Bearer,
                    _ => AuthKind::None,
                })>
                    <option value="none" selected=move || auth.get() == AuthKind::None>"nothing"</option>
                    <option value="basic" selected=move || auth.get() == AuthKind::Basic>"user:password (self-hosted)"</option>
                    <option value="bearer" selected=move || auth.get() == AuthKind::Bearer>"API key (Prefect Cloud)"</option>
                </select>
            </label>
            <label>"Secret"
                <input type="password" data-testid="secret" autocomplete="off" prop:value=move || secret.get()
                    on:input=move |ev| { forgotten.set(false); secret.set(event_target_value(&ev)) }/>
            </label>
            <label class="check">
                <input type="checkbox" data-testid="remember" prop:checked=move || remember.get()
                    on:change=move |ev| remember.set(event_target_checked(&ev))/>
                "Remember the secret in this browser"
            </label>
            <p class="hint">"Unless remembered, the secret lives only in this tab and is gone when it closes or reloads. It is never put in a URL, a log or an error message."</p>
            <p>
                <button type="button" data-testid="forget-secret" on:click=forget
                    disabled=move || secret.get().is_empty() && !remember.get()>"Forget the secret"</button>
                {move || forgotten.get().then(|| view! {
                    <span class="saved" role="status">"Forgotten: removed from this tab and this browser."</span>
                })}
            </p>
            <h2>"Decisions"</h2>
            <label>"Your name"
                <input data-testid="decider" type="text" prop:value=move || decider.get()
                    on:input=move |ev| decider.set(event_target_value(&ev))
                    placeholder=move || match (auth.get(), secret.get().split_once(':')) {
                        (AuthKind::Basic, Some((user, _))) if !user.trim().is_empty() => user.trim().to_owned(),
                        _ => "e.g. ana".to_owned(),
                    }/>
            </label>
            <p class="hint">"Rejects say who decided (\"Rejected by ana: …\"), and decisions are recorded under this name. It is a name you give, not an identity the server checked. Left blank, the basic-auth user name is used, if there is one."</p>
            <label class="check">
                <input type="checkbox" data-testid="record-decisions" prop:checked=move || record.get()
                    on:change=move |ev| record.set(event_target_checked(&ev))/>
                "Record each resume and reject as a Prefect event (flowgate.decision.*), visible in Prefect's event feed"
            </label>
            <NotifyChoice notify=notify/>
            <h2>"Appearance"</h2>
            <label>"Theme"
                <select data-testid="theme" on:change=move |ev| theme.set(event_target_value(&ev))>
                    <option value="system" selected=move || theme.get() == "system">"as the system (light or dark)"</option>
                    <option value="light" selected=move || theme.get() == "light">"light"</option>
                    <option value="dark" selected=move || theme.get() == "dark">"dark"</option>
                </select>
            </label>
            <button type="submit" class="primary">"Save"</button>
            {move || saved.get().then(|| view! { <span class="saved">"Saved."</span> })}
        </form>
    }
}

/// The choice of the browser's notifications, asking the browser's permission when turned on
/// and saying when it is not given.
#[component]
fn NotifyChoice(notify: RwSignal<bool>) -> impl IntoView {
    let permission = RwSignal::new(crate::state::notify::permission());
    let ask = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        notify.set(on);
        if on {
            leptos::task::spawn_local(async move {
                permission.set(crate::state::notify::request().await);
            });
        }
    };
    view! {
        <label class="check">
            <input type="checkbox" data-testid="notify" prop:checked=move || notify.get() on:change=ask/>
            "Notify me on this computer when a run pauses while this tab is in the background"
        </label>
        {move || (notify.get() && permission.get() != "granted").then(|| view! {
            <p class="error" data-testid="notify-permission">{match permission.get() {
                "denied" => "The browser blocks notifications for this page; allow them in its site settings.",
                "unsupported" => "This browser cannot show notifications.",
                _ => "The browser has not allowed notifications yet.",
            }}</p>
        })}
    }
}
