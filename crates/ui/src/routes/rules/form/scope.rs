//! Which runs a rule is for: tags typed, flows and deployments picked from the server's.

use flowgate_client::ClientError;
use flowgate_core::{Deployment, Flow};
use leptos::prelude::*;
use uuid::Uuid;

use super::fields::Fields;
use crate::components::error_view::ErrorText;
use crate::state::connection::Connection;

/// Which runs: tags typed, flows and deployments picked from the server's.
#[component]
pub(super) fn ScopeFields(fields: Fields) -> impl IntoView {
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
