//! One run at `/runs/{id}`: its state, what it asks for, the verdict as you type, resume or
//! reject, and its history. `?input=<url-encoded JSON>` prefills the form (a deep link from a
//! notification); nothing is sent until the person presses a button.

use chrono::{DateTime, Utc};
use flowgate_client::{ClientError, RunInputRequest, parse_flow_run_id};
use flowgate_core::gate::{ApprovalOutcome, GateApproval};
use flowgate_core::policy::{Permission, PolicyCase, PolicyVerdict, policy_verdict};
use flowgate_core::{
    FlowRun, ResumeVerdict, SetStateStatus, StateType, StoredSchema, resume_verdict,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde_json::Value;
use wasm_bindgen::JsCast;

use crate::components::countdown::{Countdown, ticking_clock};
use crate::components::decision_outcome::{Outcome, outcome_view};
use crate::components::error_view::{ErrorText, ReadError};
use crate::components::local_time::{LocalTime, clock_time};
use crate::components::markdown::Markdown;
use crate::components::state_badge::StateBadge;
use crate::components::verdict_line::{VerdictLine, verdict_text};
use crate::run_input_form::{EditMode, RunInputEditor, form_fields, starting_text, unfinished};
use crate::state::connection::Connection;
use crate::state::drafts;
use crate::state::gate::GatePresence;
use crate::state::live::{Live, sleep};
use crate::state::pattern_checks::{PatternChecks, PatternHold};

mod history;
mod reject;

use history::History;
use reject::{GateSay, RejectPanel};

/// A decision from the run page: being sent (one at a time), or made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Deciding {
    Resume,
    Reject,
    /// A decision changed the run: nothing more is sent from this view of it (a second
    /// press must not meet the run it just changed).
    Done,
}

/// The page's signals a decision reports to.
#[derive(Clone, Copy)]
pub(crate) struct DecisionSignals {
    /// What happened, shown under the buttons.
    pub(crate) outcome: RwSignal<Option<Result<Outcome, ClientError>>>,
    /// Set before sending, so the page does not take its own decision for someone else's.
    pub(crate) own_decision: RwSignal<bool>,
    /// Bumped to read the run again after the answer.
    pub(crate) reloads: RwSignal<u64>,
    /// The decision in flight or made, if any.
    pub(crate) deciding: RwSignal<Option<Deciding>>,
}

impl DecisionSignals {
    /// Sends a decision (`send`), unless one is in flight or made. It runs outside the
    /// view's lifetime — the run's view is drawn again when the run changes, which the
    /// decision's own event can make happen before its answer — and answers into the page:
    /// the outcome, a reload of the run, and whether another decision may be sent (yes after
    /// an error or an answer that changed nothing, such as invalid input). The page may be
    /// gone by then (the person navigated away): then nothing is written.
    pub(crate) fn send(
        self,
        kind: Deciding,
        send: impl Future<Output = Result<Outcome, ClientError>> + 'static,
    ) {
        if self.deciding.with_untracked(Option::is_some) {
            return;
        }
        self.outcome.set(None);
        self.own_decision.set(true);
        self.deciding.set(Some(kind));
        spawn_local(async move {
            let result = send.await;
            let changed = result.as_ref().is_ok_and(Outcome::changed_run);
            let _ = self.deciding.try_set(changed.then_some(Deciding::Done));
            let _ = self.outcome.try_set(Some(result));
            let _ = self.reloads.try_update(|n| *n += 1);
        });
    }
}

/// The input a deep link carries, pretty-printed, or why it cannot be used.
fn link_input(text: &str) -> Result<String, String> {
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

/// What happened to a run that left its pause elsewhere, as a sentence for the page.
fn changed_elsewhere(run: &FlowRun) -> String {
    let name = run
        .state_name
        .clone()
        .unwrap_or_else(|| "another state".into());
    let what = match &run.state_type {
        Some(StateType::Running | StateType::Scheduled | StateType::Pending) => "Resumed elsewhere",
        Some(StateType::Cancelled | StateType::Cancelling) => "Cancelled elsewhere",
        _ => "Changed elsewhere",
    };
    let at = run
        .state
        .as_ref()
        .map(|s| format!(" at {}", clock_time(s.timestamp)))
        .unwrap_or_default();
    format!("{what}{at} — it is now {name}; your draft is kept.")
}

/// The run page.
#[component]
pub(crate) fn RunPage() -> impl IntoView {
    let params = use_params_map();
    let connection = expect_context::<Connection>();
    let id = move || params.read().get("id").unwrap_or_default();
    // For reads outside a reactive context (setup, event callbacks), which must not track.
    let id_now = move || params.with_untracked(|p| p.get("id").unwrap_or_default());
    let reloads = RwSignal::new(0u64);
    let loaded = LocalResource::new(move || {
        let id = id();
        reloads.track();
        let client = connection.client();
        async move {
            let client = client?;
            let id = parse_flow_run_id(&id)?;
            let run = client.read_flow_run(id).await?;
            let asks = client.run_input_request(&run).await?;
            let (flows, deployments) = futures_util::future::join(
                client.flows_by_id([run.flow_id]),
                client.deployments_by_id(run.deployment_id),
            )
            .await;
            let flow = flows?.into_iter().next().map(|f| f.name);
            let deployment = deployments?.into_iter().next().map(|d| d.name);
            Ok::<_, ClientError>((run, asks, flow, deployment))
        }
    });
    // Kept here, not in the detail view, so a reload after a decision keeps what was typed
    // and what the server said.
    let input = RwSignal::new(drafts::load(&id_now()).unwrap_or_else(|| "{}".into()));
    let outcome = RwSignal::new(None::<Result<Outcome, ClientError>>);
    // The decision being sent, if one is: page-level, because the run's view is drawn again
    // when the run changes — which our own decision's event can make happen before its answer.
    let deciding = RwSignal::new(None::<Deciding>);
    let mode = RwSignal::new(EditMode::Form);
    let reject_reason = RwSignal::new(String::new());
    let history_reloads = RwSignal::new(0u64);
    // A deep link's input replaces the draft in the form; the draft it replaced can be put
    // back.
    let query = use_query_map();
    let link = query
        .with_untracked(|q| q.get("input"))
        .map(|text| link_input(&text));
    let replaced_draft = RwSignal::new(None::<String>);
    if let Some(Ok(text)) = &link {
        if let Some(draft) = drafts::load(&id_now()).filter(|d| d != text) {
            replaced_draft.set(Some(draft));
        }
        input.set(text.clone());
    }
    // Another tab of this browser typing into the same run's draft: its text is offered, never
    // taken silently, and this tab keeps showing its own until the person chooses.
    let other_tab_draft = RwSignal::new(None::<String>);
    let storage_listener =
        window_event_listener(leptos::ev::storage, move |event: web_sys::StorageEvent| {
            if event.key() != Some(drafts::key(&id_now())) {
                return;
            }
            match event.new_value() {
                Some(theirs) if theirs != input.get_untracked() => {
                    other_tab_draft.set(Some(theirs))
                }
                _ => other_tab_draft.set(None),
            }
        });
    on_cleanup(move || storage_listener.remove());
    let from_link = matches!(link, Some(Ok(_)));
    let link_note = link.map(|l| l.map(|_| ()));

    // Live: when the run changes state elsewhere (an event, or the poll finds it), the page
    // reloads it and, if it was paused, locks the form with a sentence; the draft stays.
    let live = expect_context::<Live>();
    let elsewhere = RwSignal::new(None::<String>);
    let own_decision = RwSignal::new(false);
    let decisions = DecisionSignals {
        outcome,
        own_decision,
        reloads,
        deciding,
    };
    // Another run on the same page (Back, Forward, a link): nothing decided about it yet.
    Effect::new(move |previous: Option<String>| {
        let current = id();
        if previous.is_some_and(|previous| previous != current) {
            deciding.set(None);
            outcome.set(None);
            own_decision.set(false);
            elsewhere.set(None);
            // Its own draft, not the text typed for the run before.
            input.set(drafts::load(&current).unwrap_or_else(|| "{}".into()));
            mode.set(EditMode::Form);
            other_tab_draft.set(None);
            replaced_draft.set(None);
        }
        current
    });
    let asked = StoredValue::new(None::<RunInputRequest>);
    let check = move |from_event: bool| {
        let shown = match loaded.get_untracked() {
            Some(Ok((run, ..))) => run,
            _ => return,
        };
        let Ok(client) = connection.client_untracked() else {
            return;
        };
        spawn_local(async move {
            // An event can come before its write is visible: read a few times.
            for attempt in 0..5 {
                let Ok(now) = client.read_flow_run(shown.id).await else {
                    return;
                };
                if now.state_type != shown.state_type {
                    if shown.state_type == Some(StateType::Paused) && !own_decision.get_untracked()
                    {
                        elsewhere.set(Some(changed_elsewhere(&now)));
                    }
                    reloads.update(|n| *n += 1);
                    history_reloads.update(|n| *n += 1);
                    return;
                }
                if !from_event || attempt == 4 {
                    return;
                }
                sleep(200).await;
            }
        });
    };
    live.on_changes(move |fresh| {
        let mine = id_now();
        if fresh.iter().any(|c| c.flow_run_id.to_string() == mine) {
            check(true);
        }
    });
    Effect::new(move |first: Option<()>| {
        live.poll.track();
        if first.is_some() {
            check(false);
        }
    });
    // Decisions are stored a few seconds after they are sent: read the history again then.
    Effect::new(move |previous: Option<bool>| {
        let decided = outcome.with(Option::is_some);
        if decided && previous == Some(false) {
            spawn_local(async move {
                for ms in [0, 2_500, 6_000] {
                    sleep(ms).await;
                    history_reloads.update(|n| *n += 1);
                }
            });
        }
        decided
    });
    view! {
        {link_note.map(|note| match note {
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
            }.into_any(),
            Err(why) => view! { <p class="error" role="alert" data-testid="link-prefilled">{why}</p> }.into_any(),
        })}
        {move || other_tab_draft.get().map(|theirs| view! {
            <p class="notice" role="status" data-testid="draft-elsewhere">
                "This run's draft was changed in another tab; this tab still shows yours. "
                <button type="button" data-testid="use-other-draft" on:click=move |_| {
                    input.set(theirs.clone());
                    other_tab_draft.set(None);
                }>"Use the other tab's draft"</button>
                " "
                <button type="button" data-testid="keep-my-draft" on:click=move |_| {
                    drafts::save(&id_now(), &input.get_untracked());
                    other_tab_draft.set(None);
                }>"Keep mine"</button>
            </p>
        })}
        {move || match loaded.get() {
            None => view! { <p class="loading">"Loading the run…"</p> }.into_any(),
            Some(Err(error)) => view! {
                <ReadError error=error retry=reloads/>
            }.into_any(),
            Some(Ok((run, asks, flow, deployment))) => {
                // A run that left its pause elsewhere no longer asks for input; its form stays
                // on the page, locked, with the draft in it.
                let asks = match asks {
                    Some(asks) => {
                        asked.set_value(Some(asks.clone()));
                        Some(asks)
                    }
                    None if elsewhere.get_untracked().is_some() => asked.get_value(),
                    None => None,
                };
                view! {
                    <RunDetail run=run.clone() asks=asks flow=flow deployment=deployment input=input mode=mode
                        decisions=decisions elsewhere=elsewhere reject_reason=reject_reason from_link=from_link/>
                    <crate::routes::rules::LazyRunRules run=run.clone()/>
                    <History run=run reloads=history_reloads clock=ticking_clock()/>
                }.into_any()
            }
        }}
    }
}

/// The loaded run.
#[component]
fn RunDetail(
    run: FlowRun,
    asks: Option<RunInputRequest>,
    /// The flow's name (None: the flow could not be found; its id is shown).
    flow: Option<String>,
    deployment: Option<String>,
    input: RwSignal<String>,
    mode: RwSignal<EditMode>,
    decisions: DecisionSignals,
    elsewhere: RwSignal<Option<String>>,
    reject_reason: RwSignal<String>,
    /// Whether the input came from a deep link (then it is not replaced by the form's start).
    from_link: bool,
) -> impl IntoView {
    let locked = move || elsewhere.with(Option::is_some);
    let is_paused = run.state_type == Some(StateType::Paused);
    let reject_run = run.clone();
    let connection = expect_context::<Connection>();
    let clock = ticking_clock();
    let id = run.id;
    let state = run.state.clone();
    let details = state
        .as_ref()
        .map(|s| s.state_details.clone())
        .unwrap_or_default();
    let asks_input = asks.is_some();
    let schema_text = asks.as_ref().and_then(|a| a.schema.clone());
    let fields = form_fields(schema_text.as_deref());
    if let Some(fields) = &fields {
        if drafts::load(&id.to_string()).is_none() && !from_link {
            input.set(starting_text(fields));
        }
    }
    // A draft left half-typed in the JSON editor goes back there.
    if serde_json::from_str::<Value>(&input.get_untracked()).is_err() {
        mode.set(EditMode::Json);
    }
    let unparsed = RwSignal::new(drafts::load_unparsed(&id.to_string()));
    Effect::new(move |_| unparsed.with(|list| drafts::save_unparsed(&id.to_string(), list)));
    let prefect_link = connection
        .settings
        .get_untracked()
        .prefect_ui_run_url(&id.to_string());

    // The input as JSON, or why it is not JSON yet.
    let parsed = Memo::new(move |_| -> Result<Option<Value>, String> {
        if !asks_input {
            return Ok(None);
        }
        if mode.get() == EditMode::Form {
            if let Some(why) = unparsed.with(|list| unfinished(list)) {
                return Err(why);
            }
        }
        let text = input.get();
        serde_json::from_str::<Value>(&text)
            .map(Some)
            .map_err(|err| err.to_string())
    });
    // The clock matters only through "has the pause timed out", so the verdict is worked
    // out again when that flips, not on every tick: any instant on the same side of the
    // timeout gives the same verdict.
    let timeout = details.pause_timeout;
    let timed_out = Memo::new(move |_| timeout.is_some_and(|t| t < clock.get()));
    let verdict_run = run.clone();
    // Where the console runs schema patterns in a worker, a verdict is worked out again as
    // each search settles (mounted alone, as in the browser tests, it runs them itself).
    let pattern_checks = use_context::<PatternChecks>();
    let verdict = Memo::new(move |_| -> Result<ResumeVerdict, String> {
        if let Some(checks) = pattern_checks {
            checks.settled.track();
        }
        let input = parsed.get()?;
        let schema = match &schema_text {
            Some(text) => StoredSchema::Text(text),
            None => StoredSchema::Missing,
        };
        Ok(resume_verdict(
            &verdict_run,
            schema,
            input.as_ref(),
            if timed_out.get() {
                DateTime::<Utc>::MAX_UTC
            } else {
                DateTime::<Utc>::MIN_UTC
            },
        ))
    });
    if let Some(checks) = pattern_checks {
        // After every change the verdict reads, not only when it changes: a verdict still
        // waiting on one search looks the same while the text it waits on changes.
        Effect::new(move |_| {
            parsed.track();
            checks.settled.track();
            verdict.track();
            checks.dispatch();
        });
    }
    // Not sent while a pattern is being searched, nor when its search had to be stopped: the
    // server would run the same search (see verdict_text).
    let pattern_holds = Memo::new(move |_| {
        verdict.with(|v| v.as_ref().is_ok_and(|v| PatternHold::of(v).is_some()))
    });
    let line = Signal::derive(move || match verdict.get() {
        Ok(v) => verdict_text(&v),
        Err(err) => (
            format!("not JSON yet, so nothing can be sent: {err}"),
            "reject",
        ),
    });
    // A memo, so the form's many fields read one list per verdict rather than each
    // cloning it out of the verdict.
    let field_errors = Memo::new(move |_| {
        verdict.with(|v| match v {
            Ok(ResumeVerdict::Answer(answer)) => answer.errors.clone(),
            _ => Vec::new(),
        })
    });
    let on_edit = Callback::new(move |text: String| {
        drafts::save(&id.to_string(), &text);
        input.set(text);
    });

    // With a gate in front of Prefect, what its policy says for the person signed in: core's
    // verdict (the one the gate enforces with) on the case the gate serves, worked out again
    // as the input changes.
    // Mounted alone (the browser tests) there is no gate to ask.
    let gate = use_context::<GatePresence>().unwrap_or_else(GatePresence::absent);
    let policy_case = LocalResource::new(move || {
        let wanted = is_paused && gate.present();
        let client = connection.client();
        async move {
            if !wanted {
                return Ok(None);
            }
            client?.gate_policy::<PolicyCase>(id).await.map(Some)
        }
    });
    let policy = Memo::new(move |_| -> Option<Result<PolicyVerdict, ClientError>> {
        let input = parsed.get().ok().flatten();
        match policy_case.get()? {
            Ok(Some(case)) => Some(Ok(policy_verdict(&case, input.as_ref()))),
            Ok(None) => None,
            Err(error) => Some(Err(error)),
        }
    });
    // Nothing is sent while it is not known whether a gate decides, nor what its policy says.
    let policy_blocks = Memo::new(move |_| {
        if gate.asking() {
            return true;
        }
        gate.present() && policy.with(|p| !matches!(p, Some(Ok(v)) if v.approve.is_allowed()))
    });
    let gate_say = Signal::derive(move || {
        let user = match gate.get()? {
            Ok(Some(found)) => found.person.user,
            Ok(None) => return None,
            Err(error) => {
                return Some(GateSay {
                    user: String::new(),
                    refused: Some(error.to_string()),
                });
            }
        };
        let refused = match policy.get() {
            None => Some("Reading what the gate's policy allows…".to_owned()),
            Some(Err(error)) => Some(error.to_string()),
            Some(Ok(verdict)) => match verdict.reject {
                Permission::Allowed { .. } => None,
                Permission::Refused { reason, .. } => Some(reason),
            },
        };
        Some(GateSay { user, refused })
    });

    let resume_run = StoredValue::new(run.clone());
    let DecisionSignals {
        outcome, deciding, ..
    } = decisions;
    let resume = move |input: Option<Value>| {
        let client = connection.client_untracked();
        let run = resume_run.get_value();
        let decider = connection.settings.get_untracked().decider();
        let through_gate = gate.present();
        decisions.send(Deciding::Resume, async move {
            let result = if through_gate {
                client?
                    .gate_approve::<GateApproval>(id, input.as_ref())
                    .await
                    .map(|a| Outcome::Approved(Box::new(a)))
            } else {
                client?
                    .resume_decided(id, input.as_ref(), Some(&run), &decider, false)
                    .await
                    .map(|d| Outcome::Resumed(Box::new(d)))
            };
            let resumed = match &result {
                Ok(Outcome::Resumed(r)) => r.outcome.result.status == SetStateStatus::Accept,
                Ok(Outcome::Approved(a)) => a.outcome == ApprovalOutcome::Resumed,
                _ => false,
            };
            if resumed {
                drafts::clear(&id.to_string());
            }
            result
        });
    };
    let resume_label = move || {
        if deciding.get() == Some(Deciding::Resume) {
            return if gate.present() {
                "Approving…"
            } else {
                "Resuming…"
            };
        }
        match policy.get() {
            Some(Ok(verdict)) if verdict.needed > 1 => match verdict.approve {
                Permission::Allowed { completes: true } => "Approve and resume",
                _ => "Approve",
            },
            _ => "Resume",
        }
    };
    // After a decision, focus goes to what happened (a screen reader reads it; the keyboard
    // continues from there).
    let outcome_ref = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if outcome.with(Option::is_some) {
            if let Some(element) = outcome_ref.get() {
                let _ = element.focus();
            }
        }
    });
    let link_text = RwSignal::new(None::<String>);
    let copy_link = move |_| {
        if let Ok(Some(input)) = parsed.get_untracked() {
            let link = deep_link(&id.to_string(), &input);
            let copied = copy_to_clipboard(&link);
            link_text.set(Some(if copied {
                format!("Copied: {link}")
            } else {
                link
            }));
        }
    };
    let send = move |_| {
        if let Ok(input) = parsed.get_untracked() {
            resume(input);
        }
    };

    view! {
        <h1 data-testid="run-name">{run.name.clone()}</h1>
        <p class="meta">
            <StateBadge state_type=run.state_type.clone() name=run.state_name.clone()/>
            " " <code>{id.to_string()}</code>
            {prefect_link.map(|href| view! { " " <a href=href target="_blank" rel="noreferrer">"Open in Prefect (logs)"</a> })}
        </p>
        <dl class="details">
            <dt>"State since"</dt><dd>{state.as_ref().map(|s| view! { <LocalTime at=s.timestamp clock=clock/> })}</dd>
            <dt>"Message"</dt><dd>{state.as_ref().and_then(|s| s.message.clone()).unwrap_or_else(|| "—".into())}</dd>
            {(run.state_type == Some(StateType::Paused)).then(|| view! {
                <dt>"Time left"</dt><dd><Countdown timeout=details.pause_timeout clock=clock/></dd>
                <dt>"Pause key"</dt><dd>{details.pause_key.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>"On resume"</dt><dd>{if details.pause_reschedule { "rescheduled (needs a deployment)" } else { "runs on in place" }}</dd>
            })}
            <dt>"Flow"</dt><dd data-testid="run-flow">{flow.unwrap_or_else(|| run.flow_id.to_string())}</dd>
            <dt>"Deployment"</dt><dd>{match (deployment, run.deployment_id) {
                (Some(name), _) => name,
                (None, Some(id)) => id.to_string(),
                (None, None) => "— (not from a deployment)".to_owned(),
            }}</dd>
            <dt>"Tags"</dt><dd>{if run.tags.is_empty() { "—".to_owned() } else { run.tags.join(", ") }}</dd>
            <dt>"Parameters"</dt><dd><pre>{serde_json::to_string_pretty(&run.parameters).unwrap_or_default()}</pre></dd>
            <dt>"Labels"</dt><dd><pre>{serde_json::to_string_pretty(&run.labels).unwrap_or_default()}</pre></dd>
        </dl>
        {move || elsewhere.get().map(|text| view! {
            <p class="notice" role="status" data-testid="changed-elsewhere">{text}</p>
        })}
        {asks.map(|asks| view! {
            <fieldset class="input" disabled=locked>
                <h2>"The input it asks for"</h2>
                {asks.description.map(|text| view! { <Markdown text=text/> })}
                {asks.schema.is_none().then(|| view! { <p class="error">"No input schema is stored for this pause."</p> })}
                <RunInputEditor input=input on_edit=on_edit fields=fields.clone() mode=mode
                    unparsed=unparsed errors=field_errors.into()
                    input_parses=Signal::derive(move || parsed.with(Result::is_ok))/>
                // In the form each error sits beside its field; beside raw JSON, all are listed.
                <ul class="field-errors" data-testid="field-errors">
                    {move || (mode.get() == EditMode::Json).then(|| field_errors.get().into_iter().map(|e| view! {
                        <li><code>{if e.path.is_empty() { "(input)".to_owned() } else { e.path.clone() }}</code>": "{e.message.clone()}</li>
                    }).collect_view())}
                </ul>
            </fieldset>
        })}
        // A run that is not paused offers no resume, unless it left its pause while this page
        // was open (then the locked form and its verdict stay, with the draft).
        {move || (is_paused || locked()).then(|| view! {
            <VerdictLine text=line/>
            {move || policy.get().map(|p| match p {
                Ok(verdict) => {
                    let class = if verdict.approve.is_allowed() { "accept" } else { "reject" };
                    view! { <p class=format!("verdict verdict-{class}") data-testid="policy-line">{verdict.message}</p> }.into_any()
                }
                Err(error) => view! {
                    <p class="verdict verdict-reject" data-testid="policy-line">"The gate's policy could not be read: " <ErrorText error=error/></p>
                }.into_any(),
            })}
            <button data-testid="resume" on:click=send
                disabled=move || deciding.with(Option::is_some) || parsed.get().is_err() || pattern_holds.get() || locked() || policy_blocks.get()>
                {resume_label}
            </button>
        })}
        {asks_input.then(|| view! {
            <button type="button" class="secondary" data-testid="copy-link" on:click=copy_link
                disabled=move || !matches!(parsed.get(), Ok(Some(_)))
                title="A link to this page with the form filled in as it is now, e.g. for a notification">
                "Copy link with this input"
            </button>
        })}
        {move || link_text.get().map(|text| view! { <p class="hint" data-testid="copied-link">{text}</p> })}
        <div class="outcome" data-testid="outcome" role="status" tabindex="-1" node_ref=outcome_ref>{move || outcome.get().map(outcome_view)}</div>
        {is_paused.then(|| view! {
            <RejectPanel run=reject_run reason=reject_reason clock=clock locked=Signal::derive(locked)
                decisions=decisions gate=gate_say/>
        })}
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod browser_tests;
