//! The all-runs page's filters: what a person set, kept in the URL's query, and Prefect's
//! filter body for them.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Timelike, Utc};
use flowgate_core::filter::{
    FlowCriteria, FlowRunCriteria, NameFilter, StateFilter, StateTypeFilter, TagsFilter, TimeRange,
};
use flowgate_core::{FlowRunFilter, FlowRunSort, StateType};
use leptos_router::params::ParamsMap;

/// The filters a person set.
#[derive(Clone, Debug, PartialEq, Default)]
pub(super) struct Filters {
    pub(super) state: Option<StateType>,
    pub(super) name: String,
    pub(super) flow: String,
    pub(super) tag: String,
    pub(super) after: String,
    pub(super) before: String,
    pub(super) sort: Option<FlowRunSort>,
}

impl Filters {
    /// The filters and page kept in the URL's query (`?state=PAUSED&tag=eu&page=2`), so a
    /// filtered view can be bookmarked, shared, and left and come back to with Back.
    pub(super) fn from_query(query: &ParamsMap) -> (Filters, u32) {
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
    pub(super) fn to_query(&self, page: u32) -> String {
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
    pub(super) fn body(&self, state: Option<StateType>) -> FlowRunFilter {
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
            calendar_day(s).and_then(|d| {
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

/// A day as `<input type="date">` and the URL write it, `2026-11-30` (one-digit months and
/// days too, as chrono's `%Y-%m-%d` read them). Read field by field: chrono's format-string
/// parser is code the console's wasm would carry for this alone.
fn calendar_day(text: &str) -> Option<NaiveDate> {
    let number = |part: &str| {
        let digits =
            !part.is_empty() && part.len() <= 4 && part.bytes().all(|b| b.is_ascii_digit());
        digits.then(|| part.parse::<u32>().ok()).flatten()
    };
    let mut parts = text.split('-').map(number);
    let (year, month, day) = (parts.next()??, parts.next()??, parts.next()??);
    if parts.next().is_some() {
        return None;
    }
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn days_are_read_as_chronos_format_string_read_them() {
        for text in ["2026-11-30", "2026-3-9", "2024-02-29"] {
            assert_eq!(
                calendar_day(text),
                NaiveDate::parse_from_str(text, "%Y-%m-%d").ok(),
                "{text}"
            );
            assert!(calendar_day(text).is_some(), "{text}");
        }
        for text in [
            "",
            "today",
            "2026-11",
            "2026-11-30x",
            "2026-11-30-1",
            "2026-02-30",
            "2026--30",
            "-2026-11-30",
            "2026-11-30 ",
        ] {
            assert_eq!(calendar_day(text), None, "{text}");
        }
    }

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
