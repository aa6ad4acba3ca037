//! The rules page: Flowgate's rules on this server, whether Prefect's engine will fire them,
//! and the form that creates or edits one.

use flowgate_client::ClientError;
use flowgate_core::rules::{EngineStatus, ListedRule, NotifyBlock, Rule};
use leptos::prelude::*;

use super::form::RuleForm;
use super::words;
use crate::components::error_view::{ErrorText, ReadError};
use crate::routes::run_chunk::lazy_page;
use crate::state::connection::Connection;

lazy_page!(
    rules,
    RulesPage,
    LazyRulesPage,
    "the rules",
    "Loading the rules…"
);

/// What the form edits: nothing (closed), a new rule, or a stored one.
#[derive(Clone, PartialEq)]
pub(super) enum Editing {
    Closed,
    New,
    Stored(Box<Rule>),
}

#[component]
fn RulesPage() -> impl IntoView {
    let connection = expect_context::<Connection>();
    let reloads = RwSignal::new(0u64);
    let editing = RwSignal::new(Editing::Closed);
    let listed = LocalResource::new(move || {
        reloads.track();
        let client = connection.client();
        async move {
            let client = client?;
            let rules = client.rules().await?;
            let blocks = client.notify_blocks().await?;
            Ok::<_, ClientError>((rules, blocks))
        }
    });
    let engine = LocalResource::new(move || {
        let client = connection.client();
        async move { client?.automation_engine().await }
    });
    let done = Callback::new(move |()| {
        editing.set(Editing::Closed);
        reloads.update(|n| *n += 1);
    });
    view! {
        <h1>"Rules"</h1>
        <p class="hint">"Rules reach people while runs wait: a message when a run pauses, a reminder when it is still paused, and a default decision before its pause times out. Each rule is a Prefect automation tagged flowgate.rule; Prefect's own engine fires it, whether or not this page is open, and Prefect's UI shows it under Automations."</p>
        {move || engine.get().and_then(|status| engine_warning(status).map(|w| view! {
            <p class="notice warning" role="alert" data-testid="engine-warning">{w}</p>
        }))}
        <p>
            <button type="button" data-testid="new-rule" on:click=move |_| editing.set(Editing::New)
                disabled=move || editing.get() != Editing::Closed>"New rule"</button>
        </p>
        {move || (editing.get() != Editing::Closed).then(|| view! {
            <RuleForm editing=editing.get() done=done cancel=Callback::new(move |()| editing.set(Editing::Closed))/>
        })}
        {move || match listed.get() {
            None => view! { <p class="loading">"Loading the rules…"</p> }.into_any(),
            Some(Err(error)) => view! { <ReadError error=error retry=reloads/> }.into_any(),
            Some(Ok((rules, _))) if rules.is_empty() => view! {
                <p class="empty" data-testid="no-rules">"No rules yet. A rule tells people when a run waits for them, wherever they are."</p>
            }.into_any(),
            Some(Ok((rules, blocks))) => view! {
                <RulesTable rules=rules blocks=blocks editing=editing reloads=reloads/>
            }.into_any(),
        }}
    }
}

fn engine_warning(status: Result<EngineStatus, ClientError>) -> Option<String> {
    match status {
        Ok(status) => status.warning,
        Err(error) => Some(format!(
            "Whether the server's automation engine runs could not be read: {error}"
        )),
    }
}

#[component]
fn RulesTable(
    rules: Vec<ListedRule>,
    blocks: Vec<NotifyBlock>,
    editing: RwSignal<Editing>,
    reloads: RwSignal<u64>,
) -> impl IntoView {
    let rows = rules
        .into_iter()
        .map(|listed| match listed {
            ListedRule::Rule { rule } => {
                let edit = rule.clone();
                view! {
                    <tr data-testid="rule-row">
                        <td>{rule.name.clone()}</td>
                        <td>{words::when(&rule)}</td>
                        <td class="message">{words::does(&rule, &blocks)}</td>
                        <td>{words::scope(&rule)}</td>
                        <td>{if rule.enabled { "on" } else { "off" }}</td>
                        <td class="actions">
                            <button type="button" data-testid="edit-rule"
                                on:click=move |_| editing.set(Editing::Stored(Box::new(edit.clone())))>"Edit"</button>
                            <DeleteButton id=rule.id name=rule.name.clone() reloads=reloads/>
                        </td>
                    </tr>
                }
                .into_any()
            }
            ListedRule::EditedElsewhere { id, name, why } => view! {
                <tr data-testid="rule-row">
                    <td>{name.clone()}</td>
                    <td colspan="4" class="error">{format!("Changed in Prefect beyond what a rule describes: {why}. Flowgate shows it but does not edit it.")}</td>
                    <td class="actions"><DeleteButton id=Some(id) name=name reloads=reloads/></td>
                </tr>
            }
            .into_any(),
        })
        .collect_view();
    view! {
        <table class="runs rules" data-testid="rules">
            <thead><tr><th>"Name"</th><th>"When"</th><th>"Does"</th><th>"Runs"</th><th>"Enabled"</th><th><span class="sr-only">"Actions"</span></th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// Delete, asked twice: the automation goes from Prefect.
#[component]
fn DeleteButton(id: Option<uuid::Uuid>, name: String, reloads: RwSignal<u64>) -> impl IntoView {
    let connection = expect_context::<Connection>();
    let asking = RwSignal::new(false);
    let failed = RwSignal::new(None::<ClientError>);
    let delete = move |_| {
        let Some(id) = id else { return };
        let client = connection.client_untracked();
        leptos::task::spawn_local(async move {
            match async { client?.delete_rule(id).await }.await {
                Ok(()) => reloads.update(|n| *n += 1),
                Err(error) => failed.set(Some(error)),
            }
        });
    };
    view! {
        {move || if asking.get() {
            view! {
                <span role="group" aria-label=format!("Delete {name}?")>
                    "Delete? "
                    <button type="button" data-testid="confirm-delete" on:click=delete>"Delete"</button>
                    <button type="button" on:click=move |_| asking.set(false)>"Keep"</button>
                </span>
            }.into_any()
        } else {
            view! { <button type="button" data-testid="delete-rule" on:click=move |_| asking.set(true)>"Delete"</button> }.into_any()
        }}
        {move || failed.get().map(|error| view! { <ErrorText error=error/> })}
    }
}
