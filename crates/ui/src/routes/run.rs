//! One run at `/runs/{id}`: its state, what it asks for, the verdict as you type, resume or
//! reject, and its history. `?input=<url-encoded JSON>` prefills the form (a deep link from a
//! notification); nothing is sent until the person presses a button.

use flowgate_client::{ClientError, RunInputRequest, parse_flow_run_id};
use flowgate_core::gate::{ApprovalOutcome, GateApproval};
use flowgate_core::{FlowRun, ResumeVerdict, SetStateStatus, StateType};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde_json::Value;

use crate::components::countdown::ticking_clock;
use crate::components::decision_outcome::{Outcome, outcome_view};
use crate::components::error_view::ReadError;
use crate::components::local_time::clock_time;
use crate::components::markdown::Markdown;
use crate::components::verdict_line::{VerdictLine, verdict_text, with_nearest};
use crate::run_input_form::{EditMode, RunInputEditor, form_fields, starting_text, unfinished};
use crate::state::connection::Connection;
use crate::state::drafts;
use crate::state::gate::GatePresence;
use crate::state::live::Live;
use flowgate_client::sleep;

mod deep_link;
mod facts;
mod gate_policy;
mod history;
mod reject;
mod verdict;

use deep_link::{CopyLink, LinkNotice, link_input};
use facts::RunFacts;
use gate_policy::{GatePolicy, PolicyLine};
use history::History;
use reject::RejectPanel;
use verdict::LiveVerdict;

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
            let tries = if from_event { 5 } else { 1 };
            let changed = |run: &FlowRun| run.state_type != shown.state_type;
            let Ok(now) = client.read_flow_run_until(shown.id, tries, changed).await else {
                return;
            };
            if changed(&now) {
                if shown.state_type == Some(StateType::Paused) && !own_decision.get_untracked() {
                    elsewhere.set(Some(changed_elsewhere(&now)));
                }
                reloads.update(|n| *n += 1);
                history_reloads.update(|n| *n += 1);
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
        {link_note.map(|note| view! { <LinkNotice note=note input=input replaced_draft=replaced_draft/> })}
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

/// The loaded run: what it is, the input it asks for with the verdict as it is typed, and
/// the decisions.
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
    let connection = expect_context::<Connection>();
    let clock = ticking_clock();
    let id = run.id;
    let asks_input = asks.is_some();
    let schema_text = asks.as_ref().and_then(|a| a.schema.clone());
    let fields = form_fields(schema_text.as_deref());
    if let Some(fields) = &fields
        && drafts::load(&id.to_string()).is_none()
        && !from_link
    {
        input.set(starting_text(fields));
    }
    // A draft left half-typed in the JSON editor goes back there.
    if serde_json::from_str::<Value>(&input.get_untracked()).is_err() {
        mode.set(EditMode::Json);
    }
    let unparsed = RwSignal::new(drafts::load_unparsed(&id.to_string()));
    Effect::new(move |_| unparsed.with(|list| drafts::save_unparsed(&id.to_string(), list)));

    // The input as JSON, or why it is not JSON yet.
    let parsed = Memo::new(move |_| -> Result<Option<Value>, String> {
        if !asks_input {
            return Ok(None);
        }
        if mode.get() == EditMode::Form
            && let Some(why) = unparsed.with(|list| unfinished(list))
        {
            return Err(why);
        }
        let text = input.get();
        serde_json::from_str::<Value>(&text)
            .map(Some)
            .map_err(|err| err.to_string())
    });
    let LiveVerdict {
        verdicts,
        pattern_holds,
    } = LiveVerdict::new(run.clone(), schema_text, parsed, clock);
    let line = Signal::derive(move || match verdicts.get() {
        Ok(v) => with_nearest(verdict_text(&v.verdict), &v.verdict, v.nearest.as_ref()),
        Err(err) => (
            format!("not JSON yet, so nothing can be sent: {err}"),
            "reject",
        ),
    });
    // A memo, so the form's many fields read one list per verdict rather than each
    // cloning it out of the verdict. Where only the server can tell for its release, the
    // fields show what the nearest measured release would find.
    let field_errors = Memo::new(move |_| {
        verdicts.with(
            |v| match v.as_ref().map(|v| v.nearest.as_ref().unwrap_or(&v.verdict)) {
                Ok(ResumeVerdict::Answer(answer)) => answer.errors.clone(),
                _ => Vec::new(),
            },
        )
    });
    let on_edit = Callback::new(move |text: String| {
        drafts::save(&id.to_string(), &text);
        input.set(text);
    });
    let gate = use_context::<GatePresence>().unwrap_or_else(GatePresence::absent);
    let policy = GatePolicy::new(id, is_paused, parsed);

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
    let resume_label = move || match deciding.get() {
        Some(Deciding::Resume) if gate.present() => "Approving…",
        Some(Deciding::Resume) => "Resuming…",
        _ => policy.resume_word(),
    };
    // After a decision, focus goes to what happened (a screen reader reads it; the keyboard
    // continues from there).
    let outcome_ref = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if outcome.with(Option::is_some)
            && let Some(element) = outcome_ref.get()
        {
            let _ = element.focus();
        }
    });
    let send = move |_| {
        if let Ok(input) = parsed.get_untracked() {
            resume(input);
        }
    };
    let prefect_link = connection
        .settings
        .get_untracked()
        .prefect_ui_run_url(&id.to_string());

    view! {
        <RunFacts run=run.clone() flow=flow deployment=deployment prefect_link=prefect_link clock=clock/>
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
            <PolicyLine policy=policy/>
            <button class="primary" data-testid="resume" on:click=send
                disabled=move || deciding.with(Option::is_some) || parsed.get().is_err() || pattern_holds.get() || locked() || policy.blocks.get()>
                {resume_label}
            </button>
        })}
        {asks_input.then(|| view! {
            <CopyLink id=id.to_string() input=Signal::derive(move || parsed.get().ok().flatten())/>
        })}
        <div class="outcome" data-testid="outcome" role="status" tabindex="-1" node_ref=outcome_ref>{move || outcome.get().map(outcome_view)}</div>
        {is_paused.then(|| view! {
            <RejectPanel run=run reason=reject_reason clock=clock locked=Signal::derive(locked)
                decisions=decisions gate=policy.say/>
        })}
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod browser_tests;
