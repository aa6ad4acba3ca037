//! Creating or editing a rule. Nothing reaches Prefect until Save; a rule is one automation,
//! created by one request, so it exists whole or not at all. Errors show after Save is
//! pressed, beside the field they are about; the server's refusal shows in its own words.

use flowgate_client::ClientError;
use flowgate_core::rules::blocks::NewBlockKind;
use flowgate_core::rules::{NotifyBlock, Rule, RuleAction, Scope, default_message};
use flowgate_core::{Deployment, Flow};
use leptos::prelude::*;
use uuid::Uuid;

use super::list::Editing;
use crate::components::error_view::ErrorText;
use crate::state::connection::Connection;

/// A field's error: the field (core's spelling) and the words.
type FieldError = (String, String);

/// What the form holds, as typed.
#[derive(Clone, Copy)]
struct Fields {
    name: RwSignal<String>,
    enabled: RwSignal<bool>,
    after: RwSignal<bool>,
    wait: RwSignal<String>,
    unit: RwSignal<u64>,
    action: RwSignal<String>,
    block: RwSignal<String>,
    subject: RwSignal<String>,
    body: RwSignal<String>,
    reason: RwSignal<String>,
    tags: RwSignal<String>,
    flows: RwSignal<Vec<Uuid>>,
    deployments: RwSignal<Vec<Uuid>>,
}

impl Fields {
    fn from(rule: Option<&Rule>) -> Fields {
        let text = |f: fn(&Rule) -> String| RwSignal::new(rule.map(f).unwrap_or_default());
        let (wait, unit) = match rule.and_then(|r| r.after_seconds) {
            Some(s) if s % 3600 == 0 => ((s / 3600).to_string(), 3600),
            Some(s) if s % 60 == 0 => ((s / 60).to_string(), 60),
            Some(s) => (s.to_string(), 1),
            None => ("30".into(), 60),
        };
        let (action, block, subject, body, reason) = match rule.map(|r| &r.action) {
            Some(RuleAction::Notify {
                block,
                subject,
                body,
            }) => (
                "notify",
                block.to_string(),
                subject.clone(),
                body.clone(),
                String::new(),
            ),
            Some(RuleAction::Reject { reason }) => (
                "reject",
                String::new(),
                String::new(),
                String::new(),
                reason.clone(),
            ),
            Some(RuleAction::Resume) => (
                "resume",
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ),
            None => (
                "notify",
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ),
        };
        Fields {
            name: text(|r| r.name.clone()),
            enabled: RwSignal::new(rule.is_none_or(|r| r.enabled)),
            after: RwSignal::new(rule.is_some_and(|r| r.after_seconds.is_some())),
            wait: RwSignal::new(wait),
            unit: RwSignal::new(unit),
            action: RwSignal::new(action.into()),
            block: RwSignal::new(block),
            subject: RwSignal::new(subject),
            body: RwSignal::new(body),
            reason: RwSignal::new(reason),
            tags: text(|r| r.scope.tags.join(", ")),
            flows: RwSignal::new(rule.map(|r| r.scope.flows.clone()).unwrap_or_default()),
            deployments: RwSignal::new(
                rule.map(|r| r.scope.deployments.clone())
                    .unwrap_or_default(),
            ),
        }
    }

    /// The wait in seconds, when the rule waits.
    fn after_seconds(&self) -> Result<Option<u64>, FieldError> {
        if !self.after.get() {
            return Ok(None);
        }
        let wait = self.wait.get();
        match wait.trim().parse::<u64>() {
            Ok(n) if n > 0 => Ok(Some(n.saturating_mul(self.unit.get()))),
            _ => Err((
                "afterSeconds".into(),
                format!(
                    "The wait is a whole number above 0; {:?} is not.",
                    wait.trim()
                ),
            )),
        }
    }

    /// The rule as typed, checked as core checks it; the first error in the form's order.
    fn rule(&self, id: Option<Uuid>) -> Result<Rule, FieldError> {
        let block = Uuid::parse_str(&self.block.get()).map_err(|_| {
            (
                "action.block".to_owned(),
                "Pick the notification block to send through, or create one below.".to_owned(),
            )
        });
        let action = match self.action.get().as_str() {
            "notify" => RuleAction::Notify {
                block: *block.as_ref().unwrap_or(&Uuid::nil()),
                subject: self.subject.get(),
                body: self.body.get(),
            },
            "reject" => RuleAction::Reject {
                reason: self.reason.get().trim().to_owned(),
            },
            _ => RuleAction::Resume,
        };
        let notify = matches!(action, RuleAction::Notify { .. });
        let rule = Rule {
            id,
            name: self.name.get().trim().to_owned(),
            enabled: self.enabled.get(),
            scope: Scope {
                flows: self.flows.get(),
                deployments: self.deployments.get(),
                tags: self
                    .tags
                    .get()
                    .split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned)
                    .collect(),
            },
            after_seconds: self.after_seconds()?,
            action,
        };
        match (rule.check(), block) {
            (Err(e), _) if !e.field.starts_with("action.") => Err((e.field.to_owned(), e.message)),
            (_, Err(missing)) if notify => Err(missing),
            (Err(e), _) => Err((e.field.to_owned(), e.message)),
            _ => Ok(rule),
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
    let tried = RwSignal::new(false);
    let problem = Memo::new(move |_| fields.rule(id).err());
    let refused = RwSignal::new(None::<ClientError>);
    let sending = RwSignal::new(false);
    let field_error = move |field: &'static str| {
        move || {
            problem.get().filter(|(f, _)| tried.get() && f == field).map(|(_, message)| view! {
                <span class="field-error" role="alert" data-testid=format!("error-{field}")>{message}</span>
            })
        }
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
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
    let is = move |kind: &'static str| move || fields.action.get() == kind;
    view! {
        <form class="settings rule-form" data-testid="rule-form" on:submit=save novalidate>
            <h2>{if id.is_some() { "Edit the rule" } else { "New rule" }}</h2>
            <label>"Name" <span class="required" aria-hidden="true">"*"</span>
                <input type="text" data-testid="rule-name" required prop:value=move || fields.name.get()
                    on:input=move |ev| fields.name.set(event_target_value(&ev))/>
            </label>
            {field_error("name")}
            <fieldset>
                <legend>"When"</legend>
                <label class="check"><input type="radio" name="when" data-testid="when-pause" prop:checked=move || !fields.after.get()
                    on:change=move |_| fields.after.set(false)/>"a run pauses or suspends"</label>
                <label class="check"><input type="radio" name="when" data-testid="when-after" prop:checked=move || fields.after.get()
                    on:change=move |_| fields.after.set(true)/>"a run is still paused after"</label>
                <span class="wait">
                    <input type="number" min="1" data-testid="rule-wait" aria-label="Wait" prop:value=move || fields.wait.get()
                        disabled=move || !fields.after.get() on:input=move |ev| fields.wait.set(event_target_value(&ev))/>
                    <select aria-label="Unit" data-testid="rule-unit" disabled=move || !fields.after.get()
                        on:change=move |ev| fields.unit.set(event_target_value(&ev).parse().unwrap_or(60))>
                        <option value="1" selected=move || fields.unit.get() == 1>"seconds"</option>
                        <option value="60" selected=move || fields.unit.get() == 60>"minutes"</option>
                        <option value="3600" selected=move || fields.unit.get() == 3600>"hours"</option>
                    </select>
                </span>
                {field_error("afterSeconds")}
            </fieldset>
            <ScopeFields fields=fields/>
            {field_error("scope.tags")}
            <label>"Then"
                <select data-testid="rule-action" on:change=move |ev| fields.action.set(event_target_value(&ev))>
                    <option value="notify" selected=is("notify")>"send a message"</option>
                    <option value="reject" selected=is("reject")>"reject the run (it ends Cancelled)"</option>
                    <option value="resume" selected=is("resume")>"resume the run (runs that ask for no input)"</option>
                </select>
            </label>
            <Show when=is("notify")>
                <BlockPicker block=fields.block/>
                {field_error("action.block")}
                <label>"Links open runs at"
                    <input type="text" data-testid="console-url" prop:value=move || link_base.get()
                        on:input=move |ev| link_base.set(event_target_value(&ev))/>
                </label>
                <p class="hint">"The console's public URL, as the people who get the message reach it."</p>
                <label>"Subject" <input type="text" data-testid="rule-subject" prop:value=move || fields.subject.get()
                    on:input=move |ev| { own_message.set(true); fields.subject.set(event_target_value(&ev)) }/></label>
                {field_error("action.subject")}
                <label>"Message" <textarea class="json" rows="8" data-testid="rule-body" prop:value=move || fields.body.get()
                    on:input=move |ev| { own_message.set(true); fields.body.set(event_target_value(&ev)) }></textarea></label>
                {field_error("action.body")}
                <p class="hint">"Prefect fills in the {{ … }} parts when it sends (Jinja: flow_run, flow, deployment, event). It cannot give the pause's deadline or what the run asks for: the link's page shows both."</p>
            </Show>
            <Show when=is("reject")>
                <label>"Reason" <span class="required" aria-hidden="true">"*"</span>
                    <textarea rows="2" data-testid="rule-reason" prop:value=move || fields.reason.get()
                        on:input=move |ev| fields.reason.set(event_target_value(&ev))></textarea></label>
                {field_error("action.reason")}
                <p class="hint">"The run's state message becomes “Rejected by rule “<name>”: <reason>”. A flow process still waiting in its pause keeps waiting until the pause times out; a person's reject through Flowgate asks a deployment's runner to stop it, which a rule cannot choose per run."</p>
            </Show>
            <Show when=is("resume")>
                <p class="hint">"Prefect's resume-flow-run sends no input: for a run that asks for input the server refuses it, unless every field has a default (the flow then goes on with the defaults). A run's page says beforehand whether a rule's resume will work for it."</p>
            </Show>
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

/// Which runs: tags typed, flows and deployments picked from the server's.
#[component]
fn ScopeFields(fields: Fields) -> impl IntoView {
    let connection = expect_context::<Connection>();
    let known = LocalResource::new(move || {
        let client = connection.client();
        async move {
            let client = client?;
            Ok::<(Vec<Flow>, Vec<Deployment>), ClientError>((
                client.flows_by_name().await?,
                client.deployments_by_name().await?,
            ))
        }
    });
    let pick = |chosen: RwSignal<Vec<Uuid>>| {
        move |ev: leptos::ev::Event| {
            let select: web_sys::HtmlSelectElement = event_target(&ev);
            let options = select.selected_options();
            chosen.set(
                (0..options.length())
                    .filter_map(|i| options.item(i))
                    .filter_map(|o| o.get_attribute("value"))
                    .filter_map(|v| Uuid::parse_str(&v).ok())
                    .collect(),
            );
        }
    };
    view! {
        <fieldset>
            <legend>"Which runs (all paused runs when nothing is chosen)"</legend>
            <label>"Tags, comma-separated (any of them)"
                <input type="text" data-testid="rule-tags" prop:value=move || fields.tags.get()
                    on:input=move |ev| fields.tags.set(event_target_value(&ev))/>
            </label>
            {move || match known.get() {
                None => view! { <p class="loading">"Loading flows and deployments…"</p> }.into_any(),
                Some(Err(error)) => view! { <p>"Flows and deployments could not be read: " <ErrorText error=error/></p> }.into_any(),
                Some(Ok((flows, deployments))) => view! {
                    <label>"Flows (any of them)"
                        <select multiple data-testid="rule-flows" on:change=pick(fields.flows)>
                            {flows.into_iter().map(|f| { let id = f.id; view! {
                                <option value=id.to_string() selected=move || fields.flows.with(|c| c.contains(&id))>{f.name}</option>
                            }}).collect_view()}
                        </select>
                    </label>
                    <label>"Deployments (any of them)"
                        <select multiple data-testid="rule-deployments" on:change=pick(fields.deployments)>
                            {deployments.into_iter().map(|d| { let id = d.id; view! {
                                <option value=id.to_string() selected=move || fields.deployments.with(|c| c.contains(&id))>{d.name}</option>
                            }}).collect_view()}
                        </select>
                    </label>
                }.into_any(),
            }}
        </fieldset>
    }
}

/// The notification block: one of the server's, or a new webhook block made here.
#[component]
fn BlockPicker(block: RwSignal<String>) -> impl IntoView {
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
