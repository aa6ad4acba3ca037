//! All runs: filter by state (chips with counts), flow, tag, name and start time; sort; and
//! page through the server's `/paginate`, so ten thousand runs browse like ten.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Timelike, Utc};
use flowgate_client::ClientError;
use flowgate_core::filter::{
    FlowCriteria, FlowRunCriteria, NameFilter, StateFilter, StateTypeFilter, TagsFilter, TimeRange,
};
use flowgate_core::{FlowRunFilter, FlowRunSort, StateType};
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::params::ParamsMap;

use crate::components::error_view::ErrorText;
use crate::components::local_time::LocalTime;
use crate::components::state_badge::StateBadge;
use crate::state::connection::Connection;
use crate::state::live::Live;

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
    /// The filters and page kept in the URL's query (`?state=PAUSED&tag=eu&page=2`), so a
    /// filtered view can be bookmarked, shared, and left and come back to with Back.
    fn from_query(query: &ParamsMap) -> (Filters, u32) {
        let text = |key: &str| query.get(key).unwrap_or_default();
        let filters = Filters {
            state: query.get("state").map(|s| StateType::from_wire(&s)),
            name: text("name"),
            flow: text("flow"),
            tag: text("tag"),
            after: text("after"),
            before: text("before"),
            sort: query.get("sort").map(|s| FlowRunSort::from_wire(&s)),
        };
        let page = query
            .get("page")
            .and_then(|p| p.parse().ok())
            .filter(|p| *p >= 1)
            .unwrap_or(1);
        (filters, page)
    }

    /// The query that [`Filters::from_query`] reads back; empty filters are left out.
    fn to_query(&self, page: u32) -> String {
        let mut query = ParamsMap::new();
        let mut put = |key: &'static str, value: &str| {
            if !value.is_empty() {
                query.insert(key, value.to_owned());
            }
        };
        put(
            "state",
            self.state
                .as_ref()
                .map(StateType::as_str)
                .unwrap_or_default(),
        );
        put("name", &self.name);
        put("flow", &self.flow);
        put("tag", &self.tag);
        put("after", &self.after);
        put("before", &self.before);
        put(
            "sort",
            self.sort
                .as_ref()
                .map(FlowRunSort::as_str)
                .unwrap_or_default(),
        );
        if page > 1 {
            put("page", &page.to_string());
        }
        query.to_query_string()
    }

    /// The same filters as Prefect's filter body, without the state (chips count per state).
    /// Days are the browser's days, as every time on the page is shown in its zone.
    fn body(&self, state: Option<StateType>) -> FlowRunFilter {
        self.body_in(state, browser_local)
    }

    /// [`Filters::body`] with days read in the zone `local` gives (local time → instant).
    fn body_in(
        &self,
        state: Option<StateType>,
        local: impl Fn(NaiveDateTime) -> Option<DateTime<Utc>>,
    ) -> FlowRunFilter {
        let text = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
        let day = |s: &str, end: bool| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().and_then(|d| {
                let time = if end {
                    d.and_hms_opt(23, 59, 59)
                } else {
                    d.and_hms_opt(0, 0, 0)
                }?;
                local(time)
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
    let query = use_query_map();
    let state = Memo::new(move |_| query.with(Filters::from_query));
    let filters = Memo::new(move |_| state.get().0);
    let page = Memo::new(move |_| state.get().1);
    let navigate = use_navigate();
    let go = Callback::new(move |(filters, page): (Filters, u32)| {
        navigate(
            &format!("/runs{}", filters.to_query(page)),
            NavigateOptions::default(),
        );
    });
    let change = move |edit: &dyn Fn(&mut Filters)| {
        let mut next = filters.get_untracked();
        edit(&mut next);
        go.run((next, 1));
    };

    // Re-read by the live poll (every 30 s while visible, on focus, after a reconnect) and
    // when a run changes state: counts and the current page follow what happens elsewhere.
    let live = expect_context::<Live>();
    let changed = RwSignal::new(0u64);
    live.on_changes(move |_| changed.update(|n| *n += 1));
    // One count per state, all requested at once; a count that fails shows as failed.
    let counts = LocalResource::new(move || {
        let f = filters.get();
        live.poll.track();
        changed.track();
        let client = connection.client();
        async move {
            let client = client?;
            let each = StateType::KNOWN.iter().map(|state| {
                let body = f.body(Some(state.clone()));
                let client = client.clone();
                async move { (state.clone(), client.count_flow_runs(&body).await) }
            });
            Ok::<_, ClientError>(futures_util::future::join_all(each).await)
        }
    });
    let results = LocalResource::new(move || {
        live.poll.track();
        changed.track();
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
    let set = move |edit: fn(&mut Filters, String)| {
        move |ev| {
            let value = event_target_value(&ev);
            change(&|f| edit(f, value.clone()));
        }
    };
    let to_page = move |page: u32| go.run((filters.get_untracked(), page));

    view! {
        <h1>"All runs"</h1>
        <div class="chips" data-testid="state-chips">
            <button class=move || if filters.get().state.is_none() { "chip on" } else { "chip" }
                on:click=move |_| change(&|f| f.state = None)>"Any state"</button>
            {move || counts.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|(state, count)| {
                let chosen = state.clone();
                let (label, title) = match count {
                    Ok(count) => (format!("{} {count}", state.as_str().to_lowercase()), String::new()),
                    Err(error) => (format!("{} ?", state.as_str().to_lowercase()), format!("the count failed: {error}")),
                };
                let on = filters.get().state.as_ref() == Some(&state);
                view! {
                    <button class=if on { "chip on" } else { "chip" } data-state=state.to_string() title=title
                        on:click=move |_| change(&|f| f.state = Some(chosen.clone()))>
                        {label}
                    </button>
                }
            }).collect_view()}
        </div>
        <div class="filters">
            <input placeholder="run name contains" data-shortcut="filter" aria-label="Run name contains" prop:value=move || filters.get().name on:change=set(|f, v| f.name = v)/>
            <input placeholder="flow name contains" aria-label="Flow name contains" prop:value=move || filters.get().flow on:change=set(|f, v| f.flow = v)/>
            <input placeholder="has tag" aria-label="Has tag" prop:value=move || filters.get().tag on:change=set(|f, v| f.tag = v)/>
            <label>"started from " <input type="date" prop:value=move || filters.get().after on:change=set(|f, v| f.after = v)/></label>
            <label>"to " <input type="date" prop:value=move || filters.get().before on:change=set(|f, v| f.before = v)/></label>
            <select aria-label="Order" prop:value=move || filters.get().sort.map(|s| s.as_str().to_owned()).unwrap_or_else(|| "START_TIME_DESC".into())
                on:change=set(|f, v| f.sort = Some(FlowRunSort::from_wire(&v)))>
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
                                <tr data-testid="runs-row" data-row="">
                                    <td><A href=format!("/runs/{}", run.id)>{run.name.clone()}</A></td>
                                    <td>{names.get(&run.flow_id).cloned().unwrap_or_default()}</td>
                                    <td><StateBadge state_type=run.state_type.clone() name=run.state_name.clone()/></td>
                                    <td>{match run.start_time { Some(at) => view! { <LocalTime at=at/> }.into_any(), None => "—".into_any() }}</td>
                                    <td>{run.tags.join(", ")}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    <nav class="pager" aria-label="Pages">
                        <button disabled=move || { page.get() <= 1 } on:click=move |_| to_page(page.get_untracked() - 1)>"← Previous"</button>
                        <button data-testid="next-page" disabled=move || { u64::from(page.get()) >= pages }
                            on:click=move |_| to_page(page.get_untracked() + 1)>"Next →"</button>
                    </nav>
                }.into_any()
            }
        }}
    }
}

/// The instant a local date and time of the browser's zone stands for (its offset on that
/// day, so summer time is right).
fn browser_local(at: NaiveDateTime) -> Option<DateTime<Utc>> {
    let date = js_sys::Date::new_with_year_month_day_hr_min_sec(
        at.year() as u32,
        at.month0() as i32,
        at.day() as i32,
        at.hour() as i32,
        at.minute() as i32,
        at.second() as i32,
    );
    DateTime::from_timestamp_millis(date.get_time() as i64)
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
        let utc = |at: NaiveDateTime| Some(at.and_utc());
        let body =
            serde_json::to_value(filters.body_in(Some(StateType::Paused), utc)).expect("json");
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
        let empty = serde_json::to_value(Filters::default().body_in(None, utc)).expect("json");
        assert_eq!(empty, json!({"flow_runs": {}, "sort": "START_TIME_DESC"}));
        // In a zone two hours ahead of UTC, a day starts two hours earlier in UTC.
        let ahead = |at: NaiveDateTime| Some(at.and_utc() - chrono::Duration::hours(2));
        let body = serde_json::to_value(filters.body_in(None, ahead)).expect("json");
        assert_eq!(
            body["flow_runs"]["start_time"],
            json!({"before_": "2026-11-30T21:59:59Z", "after_": "2026-10-31T22:00:00Z"})
        );
    }
}

/// The filters' URL round trip needs the browser's URL escaping, so it runs in Chromium.
#[cfg(all(test, target_arch = "wasm32"))]
mod url_tests {
    use super::*;
    use leptos_router::location::{BrowserUrl, LocationProvider};
    use wasm_bindgen_test::wasm_bindgen_test;

    fn read_back(query: &str) -> (Filters, u32) {
        let url = BrowserUrl::parse(&format!("http://127.0.0.1/runs{query}")).expect("a URL");
        Filters::from_query(url.search_params())
    }

    #[wasm_bindgen_test]
    fn filters_and_page_round_trip_through_the_url() {
        let filters = Filters {
            state: Some(StateType::Paused),
            name: " gate & co ".into(),
            flow: "etl/orders".into(),
            tag: "eu=1".into(),
            after: "2026-11-01".into(),
            before: "2026-11-30".into(),
            sort: Some(FlowRunSort::NameAsc),
        };
        let query = filters.to_query(3);
        assert!(
            query.starts_with("?state=PAUSED&name=%20gate%20%26%20co%20&"),
            "{query}"
        );
        assert_eq!(read_back(&query), (filters, 3));
        assert_eq!(Filters::default().to_query(1), "");
        assert_eq!(read_back(""), (Filters::default(), 1));
        assert_eq!(
            read_back("?page=0&state=LATER_STATE"),
            (
                Filters {
                    state: Some(StateType::Unknown("LATER_STATE".into())),
                    ..Filters::default()
                },
                1
            ),
            "a state from a later Prefect is kept; a nonsense page is page 1"
        );
    }
}
