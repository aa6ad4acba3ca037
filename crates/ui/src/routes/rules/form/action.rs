//! When a rule acts (a run pauses, or is still paused after a wait) and what it does then
//! (send a message, reject, resume), with what each means said beside it.

use leptos::prelude::*;

use super::Problems;
use super::block::BlockPicker;
use super::fields::Fields;

/// When: as a run pauses or suspends, or when it is still paused after a wait.
#[component]
pub(super) fn WhenFields(fields: Fields, problems: Problems) -> impl IntoView {
    view! {
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
            {problems.about("afterSeconds")}
        </fieldset>
    }
}

/// Then: the action and what it needs — a message's block, link base, subject and body; a
/// reject's reason; nothing for a resume.
#[component]
pub(super) fn ActionFields(
    fields: Fields,
    problems: Problems,
    /// The console's public URL the message's link starts with.
    link_base: RwSignal<String>,
    /// Set once the person writes the message, which then no longer follows the wait.
    own_message: RwSignal<bool>,
) -> impl IntoView {
    let is = move |kind: &'static str| move || fields.action.get() == kind;
    view! {
        <label>"Then"
            <select data-testid="rule-action" on:change=move |ev| fields.action.set(event_target_value(&ev))>
                <option value="notify" selected=is("notify")>"send a message"</option>
                <option value="reject" selected=is("reject")>"reject the run (it ends Cancelled)"</option>
                <option value="resume" selected=is("resume")>"resume the run (runs that ask for no input)"</option>
            </select>
        </label>
        <Show when=is("notify")>
            <BlockPicker block=fields.block/>
            {problems.about("action.block")}
            <label>"Links open runs at"
                <input type="text" data-testid="console-url" prop:value=move || link_base.get()
                    on:input=move |ev| link_base.set(event_target_value(&ev))/>
            </label>
            <p class="hint">"The console's public URL, as the people who get the message reach it."</p>
            <label>"Subject" <input type="text" data-testid="rule-subject" prop:value=move || fields.subject.get()
                on:input=move |ev| { own_message.set(true); fields.subject.set(event_target_value(&ev)) }/></label>
            {problems.about("action.subject")}
            <label>"Message" <textarea class="json" rows="8" data-testid="rule-body" prop:value=move || fields.body.get()
                on:input=move |ev| { own_message.set(true); fields.body.set(event_target_value(&ev)) }></textarea></label>
            {problems.about("action.body")}
            <p class="hint">"Prefect fills in the {{ … }} parts when it sends (Jinja: flow_run, flow, deployment, event). It cannot give the pause's deadline or what the run asks for: the link's page shows both."</p>
        </Show>
        <Show when=is("reject")>
            <label>"Reason" <span class="required" aria-hidden="true">"*"</span>
                <textarea rows="2" data-testid="rule-reason" prop:value=move || fields.reason.get()
                    on:input=move |ev| fields.reason.set(event_target_value(&ev))></textarea></label>
            {problems.about("action.reason")}
            <p class="hint">"The run's state message becomes “Rejected by rule “<name>”: <reason>”. A flow process still waiting in its pause keeps waiting until the pause times out; a person's reject through Flowgate asks a deployment's runner to stop it, which a rule cannot choose per run."</p>
        </Show>
        <Show when=is("resume")>
            <p class="hint">"Prefect's resume-flow-run sends no input: for a run that asks for input the server refuses it, unless every field has a default (the flow then goes on with the defaults). A run's page says beforehand whether a rule's resume will work for it."</p>
        </Show>
    }
}
