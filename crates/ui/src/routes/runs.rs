//! All runs: filter by state (chips with counts), flow, tag, name and start time; sort; and
//! page through the server's `/paginate`, so ten thousand runs browse like ten.

use chrono::{NaiveDate, TimeZone, Utc};
use flowgate_client::ClientError;
use flowgate_core::filter::{
    FlowCriteria, FlowRunCriteria, NameFilter, StateFilter, StateTypeFilter, TagsFilter, TimeRange,
};
use flowgate_core::{FlowRunFilter, FlowRunSort, StateType};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::error_view::ErrorText;
use crate::components::state_badge::StateBadge;
use crate::state::connection::Connection;

const PAGE_SIZE: u32 = 25;

/// The filters a person set.
#[derive(Clone, Debug, PartialEq, Default)]
struct Filters {
    state: Option<StateType>,
    name: String,
    flow: String,
    tag: String,
    after: String,
    before: String,
    sort: Option<FlowRunSort>,
}

impl Filters {
    /// The same filters as Prefect's filter body, without the state (chips count per state).
    fn body(&self, state: Option<StateType>) -> FlowRunFilter {
        let text = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
        let day = |s: &str, end: bool| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().and_then(|d| {
                let time = if end {
                    d.and_hms_opt(23, 59, 59)
                } else {
                    d.and_hms_opt(0, 0, 0)
                }?;
                Utc.from_local_datetime(&time).single()
            })
        };
        let (after, before) = (day(&self.after, false), day(&self.before, true));
        FlowRunFilter {
            flows: text(&self.flow).map(|like| FlowCriteria {
                name: Some(NameFilter {
                    any_: None,
                    like_: Some(like),
                }),
                ..FlowCriteria::default()
            }),
            flow_runs: Some(FlowRunCriteria {
                name: text(&self.name).map(|like| NameFilter {
                    any_: None,
                    like_: Some(like),
                }),
                tags: text(&self.tag).map(|tag| TagsFilter {
                    all_: Some(vec![tag]),
                    ..TagsFilter::default()
                }),
                state: state.map(|t| StateFilter {
                    state_type: Some(StateTypeFilter {
                        any_: Some(vec![t]),
                        not_any_: None,
                    }),
                    name: None,
                }),
                start_time: (after.is_some() || before.is_some()).then_some(TimeRange {
                    after_: after,
                    before_: before,
                    is_null_: None,
                }),
                ..FlowRunCriteria::default()
            }),
            sort: Some(self.sort.clone().unwrap_or(FlowRunSort::StartTimeDesc)),
            ..FlowRunFilter::default()
        }
    }
}

/// The all-runs page.
#[component]
pub(crate) fn RunsPage() -> impl IntoView {
    let connection = expect_context::<Connection>();
    let filters = RwSignal::new(Filters::default());
    let page = RwSignal::new(1u32);

    let counts = LocalResource::new(move || {
        let f = filters.get();
        let client = connection.client();
        async move {
            let client = client?;
            let mut counts = Vec::new();
            for state in StateType::KNOWN {
                counts.push((
                    state.clone(),
                    client.count_flow_runs(&f.body(Some(state.clone()))).await?,
                ));
            }
            Ok::<_, ClientError>(counts)
        }
    });
    let results = LocalResource::new(move || {
        let f = filters.get();
        let page = page.get();
        let client = connection.client();
        async move {
            let client = client?;
            let found = client
                .paginate_flow_runs(&f.body(f.state.clone()).page(page, PAGE_SIZE))
                .await?;
            let flows = client
                .flows_by_id(found.results.iter().map(|r| r.flow_id))
                .await?;
            Ok::<_, ClientError>((found, flows))
        }
    });
    let set = move |change: fn(&mut Filters, String)| {
        move |ev| {
            let value = event_target_value(&ev);
            filters.update(|f| change(f, value));
            page.set(1);
        }
    };

    view! {
        <h1>"All runs"</h1>
        <div class="chips" data-testid="state-chips">
            <button class=move || if filters.get().state.is_none() { "chip on" } else { "chip" }
                on:click=move |_| { filters.update(|f| f.state = None); page.set(1); }>"Any state"</button>
            {move || counts.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|(state, count)| {
                let chosen = state.clone();
                let label = format!("{} {count}", state.as_str().to_lowercase());
                let on = filters.get().state.as_ref() == Some(&state);
                view! {
                    <button class=if on { "chip on" } else { "chip" } data-state=state.to_string()
                        on:click=move |_| { let s = chosen.clone(); filters.update(|f| f.state = Some(s)); page.set(1); }>
                        {label}
                    </button>
                }
            }).collect_view()}
        </div>
        <div class="filters">
            <input placeholder="run name contains" on:change=set(|f, v| f.name = v)/>
            <input placeholder="flow name contains" on:change=set(|f, v| f.flow = v)/>
            <input placeholder="has tag" on:change=set(|f, v| f.tag = v)/>
            <label>"started from " <input type="date" on:change=set(|f, v| f.after = v)/></label>
            <label>"to " <input type="date" on:change=set(|f, v| f.before = v)/></label>
            <select on:change=set(|f, v| f.sort = Some(FlowRunSort::from_wire(&v)))>
                <option value="START_TIME_DESC">"newest start first"</option>
                <option value="START_TIME_ASC">"oldest start first"</option>
                <option value="EXPECTED_START_TIME_DESC">"latest expected start first"</option>
                <option value="NAME_ASC">"name A→Z"</option>
                <option value="NAME_DESC">"name Z→A"</option>
                <option value="END_TIME_DESC">"latest end first"</option>
            </select>
        </div>
        {move || match results.get() {
            None => view! { <p class="loading">"Loading runs…"</p> }.into_any(),
            Some(Err(error)) => view! { <p><ErrorText error=error/></p> }.into_any(),
            Some(Ok((found, flows))) => {
                let names: std::collections::HashMap<_, _> = flows.into_iter().map(|f| (f.id, f.name)).collect();
                let pages = found.pages.max(1);
                view! {
                    <p class="count" data-testid="runs-total">{format!("{} run(s) — page {} of {pages}", found.count, found.page)}</p>
                    <table class="runs" data-testid="runs">
                        <thead><tr><th>"Run"</th><th>"Flow"</th><th>"State"</th><th>"Started"</th><th>"Tags"</th></tr></thead>
                        <tbody>
                            {found.results.into_iter().map(|run| view! {
                                <tr data-testid="runs-row">
                                    <td><A href=format!("/runs/{}", run.id)>{run.name.clone()}</A></td>
                                    <td>{names.get(&run.flow_id).cloned().unwrap_or_default()}</td>
                                    <td><StateBadge state_type=run.state_type.clone() name=run.state_name.clone()/></td>
                                    <td>{run.start_time.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string()).unwrap_or_else(|| "—".into())}</td>
                                    <td>{run.tags.join(", ")}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    <nav class="pager">
                        <button disabled=move || { page.get() <= 1 } on:click=move |_| page.update(|p| *p -= 1)>"← Previous"</button>
                        <button data-testid="next-page" disabled=move || { u64::from(page.get()) >= pages }
                            on:click=move |_| page.update(|p| *p += 1)>"Next →"</button>
                    </nav>
                }.into_any()
            }
        }}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn filters_become_prefects_filter_body() {
        let filters = Filters {
            name: " gate ".into(),
            flow: "etl".into(),
            tag: "eu".into(),
            after: "2026-11-01".into(),
            before: "2026-11-30".into(),
            ..Filters::default()
        };
        let body = serde_json::to_value(filters.body(Some(StateType::Paused))).expect("json");
        assert_eq!(
            body,
            json!({
                "flows": {"name": {"like_": "etl"}},
                "flow_runs": {
                    "name": {"like_": "gate"},
                    "tags": {"all_": ["eu"]},
                    "state": {"type": {"any_": ["PAUSED"]}},
                    "start_time": {"before_": "2026-11-30T23:59:59Z", "after_": "2026-11-01T00:00:00Z"}
                },
                "sort": "START_TIME_DESC"
            })
        );
        let empty = serde_json::to_value(Filters::default().body(None)).expect("json");
        assert_eq!(empty, json!({"flow_runs": {}, "sort": "START_TIME_DESC"}));
    }
}
