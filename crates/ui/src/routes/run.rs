//! One run at `/runs/{id}`: its state, what it asks for, the verdict as you type, resume or
//! reject, and its history. `?input=<url-encoded JSON>` prefills the form (a deep link from a
//! notification); nothing is sent until the person presses a button.

use flowgate_client::{ClientError, RunInputRequest, parse_flow_run_id};
use flowgate_core::{FlowRun, Named, ResumeVerdict, StateType};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde_json::Value;

use crate::components::countdown::ticking_clock;
use crate::components::decision_outcome::outcome_view;
use crate::components::error_view::ReadError;
use crate::components::verdict_line::{verdict_text, with_nearest};
use crate::routes::run_chunk::EarlyRun;
use crate::run_input_form::{EditMode, form_fields, starting_text, unfinished};
use crate::state::connection::Connection;
use crate::state::drafts;

mod decision;
mod deep_link;
mod facts;
mod follow;
mod gate_policy;
mod history;
mod input_section;
mod other_tab;
mod reject;
mod resume;
mod verdict;

use decision::DecisionSignals;
use deep_link::{CopyLink, LinkNotice, link_input};
use facts::RunFacts;
use follow::{Following, follow_run};
use gate_policy::GatePolicy;
use history::History;
use input_section::InputSection;
use other_tab::{OtherTabNotice, other_tab_draft};
use reject::RejectPanel;
use resume::ResumeControls;
use verdict::LiveVerdict;

/// A run as the page shows it: the run, the input it asks for, its flow's and deployment's
/// names.
#[derive(Clone)]
struct LoadedRun {
    run: FlowRun,
    asks: Option<RunInputRequest>,
    /// The flow's name (None: the flow could not be found; its id is shown).
    flow: Option<String>,
    deployment: Option<String>,
}

/// The run page.
#[component]
pub(crate) fn RunPage() -> impl IntoView {
    let params = use_params_map();
    let connection = expect_context::<Connection>();
    let id = Signal::derive(move || params.read().get("id").unwrap_or_default());
    let reloads = RwSignal::new(0u64);
    // The route may have started reading the run while this page's code was fetched.
    let early = use_context::<EarlyRun>();
    let loaded = LocalResource::new(move || {
        let id = id.get();
        reloads.track();
        let client = connection.client();
        let early = early.and_then(|early| early.take(&id));
        async move {
            // Its answer, or none if the read was dropped unanswered (then the page reads).
            let early = match early {
                Some(read) => read.await.ok(),
                None => None,
            };
            let client = client?;
            let run = match early {
                Some(read) => read?,
                None => client.read_flow_run(parse_flow_run_id(&id)?).await?,
            };
            // What it asks for and its flow's and deployment's names, all at once: each needs
            // only the run.
            let (asks, flows, deployments) = futures_util::future::join3(
                client.run_input_request(&run),
                client.flows_by_id::<Named>([run.flow_id]),
                client.deployments_by_id::<Named>(run.deployment_id),
            )
            .await;
            let asks = asks?;
            let flow = flows?.into_iter().next().map(|f| f.name);
            let deployment = deployments?.into_iter().next().map(|d| d.name);
            Ok::<_, ClientError>(LoadedRun {
                run,
                asks,
                flow,
                deployment,
            })
        }
    });
    // Kept here, not in the detail view, so a reload after a decision keeps what was typed
    // and what the server said.
    let input = RwSignal::new(drafts::load(&id.get_untracked()).unwrap_or_else(|| "{}".into()));
    // The decision being sent or made: page-level, because the run's view is drawn again
    // when the run changes — which our own decision's event can make happen before its answer.
    let decisions = DecisionSignals {
        outcome: RwSignal::new(None),
        own_decision: RwSignal::new(false),
        reloads,
        deciding: RwSignal::new(None),
    };
    let mode = RwSignal::new(EditMode::Form);
    let reject_reason = RwSignal::new(String::new());
    // A deep link's input replaces the draft in the form; the draft it replaced can be put
    // back.
    let link = use_query_map()
        .with_untracked(|q| q.get("input"))
        .map(|text| link_input(&text));
    let replaced_draft = RwSignal::new(None::<String>);
    if let Some(Ok(text)) = &link {
        if let Some(draft) = drafts::load(&id.get_untracked()).filter(|d| d != text) {
            replaced_draft.set(Some(draft));
        }
        input.set(text.clone());
    }
    let other_tab = other_tab_draft(id, input);
    let from_link = matches!(link, Some(Ok(_)));
    let link_note = link.map(|l| l.map(|_| ()));

    let following = Following {
        history_reloads: RwSignal::new(0u64),
        elsewhere: RwSignal::new(None),
    };
    let shown = move || match loaded.get_untracked() {
        Some(Ok(loaded)) => Some(loaded.run),
        _ => None,
    };
    follow_run(id, shown, decisions, following);
    // Another run on the same page (Back, Forward, a link): nothing decided about it yet.
    Effect::new(move |previous: Option<String>| {
        let current = id.get();
        if previous.is_some_and(|previous| previous != current) {
            decisions.deciding.set(None);
            decisions.outcome.set(None);
            decisions.own_decision.set(false);
            following.elsewhere.set(None);
            // Its own draft, not the text typed for the run before.
            input.set(drafts::load(&current).unwrap_or_else(|| "{}".into()));
            mode.set(EditMode::Form);
            other_tab.set(None);
            replaced_draft.set(None);
        }
        current
    });
    // The run, or why it could not be read, replaces the heading the first script drew.
    Effect::new(move |_| {
        if loaded.with(Option::is_some) {
            crate::components::early_view::hand_over();
        }
    });
    let asked = StoredValue::new(None::<RunInputRequest>);
    view! {
        {link_note.map(|note| view! { <LinkNotice note=note input=input replaced_draft=replaced_draft/> })}
        <OtherTabNotice id=id theirs=other_tab input=input/>
        {move || match loaded.get() {
            None => view! { <p class="loading">"Loading the run…"</p> }.into_any(),
            Some(Err(error)) => view! {
                <ReadError error=error retry=reloads/>
            }.into_any(),
            Some(Ok(LoadedRun { run, asks, flow, deployment })) => {
                // A run that left its pause elsewhere no longer asks for input; its form stays
                // on the page, locked, with the draft in it.
                let asks = match asks {
                    Some(asks) => {
                        asked.set_value(Some(asks.clone()));
                        Some(asks)
                    }
                    None if following.elsewhere.get_untracked().is_some() => asked.get_value(),
                    None => None,
                };
                view! {
                    <RunDetail run=run.clone() asks=asks flow=flow deployment=deployment input=input mode=mode
                        decisions=decisions elsewhere=following.elsewhere reject_reason=reject_reason from_link=from_link/>
                    <crate::routes::rules::LazyRunRules run=run.clone()/>
                    <History run=run reloads=following.history_reloads clock=ticking_clock()/>
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
    let locked = Signal::derive(move || elsewhere.with(Option::is_some));
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
    // Whether the person has acted on the form: edited it (now or in a draft kept from before),
    // opened it from a link carrying input, or pressed Resume. Until then the input's errors
    // are not shown, and a verdict refusing the input says the form is not filled in yet,
    // rather than in red (a refusal nothing typed can change, such as a broken schema, stays).
    let acted = RwSignal::new(from_link || drafts::load(&id.to_string()).is_some());
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
        Ok(v) => {
            let line = with_nearest(verdict_text(&v.verdict), &v.verdict, v.nearest.as_ref());
            let about_input = matches!(v.nearest.as_ref().unwrap_or(&v.verdict),
                ResumeVerdict::Answer(answer) if !answer.errors.is_empty());
            if about_input && !acted.get() {
                (
                    format!("not filled in yet; as it is, it {}", line.0),
                    "pending",
                )
            } else {
                line
            }
        }
        Err(err) => (
            format!("not JSON yet, so nothing can be sent: {err}"),
            "reject",
        ),
    });
    // A memo, so the form's many fields read one list per verdict rather than each
    // cloning it out of the verdict. Where only the server can tell for its release, the
    // fields show what the nearest measured release would find.
    let field_errors = Memo::new(move |_| {
        if !acted.get() {
            return Vec::new();
        }
        verdicts.with(
            |v| match v.as_ref().map(|v| v.nearest.as_ref().unwrap_or(&v.verdict)) {
                Ok(ResumeVerdict::Answer(answer)) => answer.errors.clone(),
                _ => Vec::new(),
            },
        )
    });
    let on_edit = Callback::new(move |text: String| {
        drafts::save(&id.to_string(), &text);
        acted.set(true);
        input.set(text);
    });
    let policy = GatePolicy::new(id, is_paused, parsed);
    let outcome = decisions.outcome;
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
            <InputSection asks=asks input=input on_edit=on_edit fields=fields.clone() mode=mode
                unparsed=unparsed errors=field_errors
                input_parses=Signal::derive(move || parsed.with(Result::is_ok)) locked=locked/>
        })}
        // A run that is not paused offers no resume, unless it left its pause while this page
        // was open (then the locked form and its verdict stay, with the draft).
        {
            let run = run.clone();
            move || (is_paused || locked.get()).then(|| view! {
                <ResumeControls run=run.clone() parsed=parsed line=line policy=policy
                    pattern_holds=pattern_holds locked=locked decisions=decisions acted=acted/>
            })
        }
        {asks_input.then(|| view! {
            <CopyLink id=id.to_string() input=Signal::derive(move || parsed.get().ok().flatten())/>
        })}
        <div class="outcome" data-testid="outcome" role="status" tabindex="-1" node_ref=outcome_ref>{move || outcome.get().map(outcome_view)}</div>
        {is_paused.then(|| view! {
            <RejectPanel run=run reason=reject_reason clock=clock locked=locked
                decisions=decisions gate=policy.say/>
        })}
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod browser_tests;
