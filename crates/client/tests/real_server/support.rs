//! What the live suites share: the harness's servers and runs, and requests made straight to
//! Prefect (not through the client under test).

use flowgate_client::{Client, ClientOptions, parse_flow_run_id};
use serde_json::{Value, json};
use uuid::Uuid;

pub(crate) const AUTH_PAIR: &str = "flow:gate-secret";

pub(crate) fn harness(json: Option<&str>, name: &str) -> Value {
    let text = json.unwrap_or_else(|| {
        panic!("{name} was not set at build time: run scripts/ci/real-server.sh")
    });
    serde_json::from_str(text).expect("harness JSON")
}

pub(crate) fn seeded() -> Value {
    harness(
        option_env!("FLOWGATE_CLIENT_HARNESS"),
        "FLOWGATE_CLIENT_HARNESS",
    )
}

pub(crate) fn client() -> Client {
    let api = seeded()["api_url"].as_str().expect("api_url").to_owned();
    Client::new(ClientOptions::new(api)).expect("valid options")
}

pub(crate) fn run_id(key: &str, index: Option<usize>) -> Uuid {
    let runs = &seeded()["runs"];
    let value = match index {
        Some(i) => &runs[key][i],
        None => &runs[key],
    };
    parse_flow_run_id(
        value
            .as_str()
            .unwrap_or_else(|| panic!("harness run {key}")),
    )
    .expect("uuid")
}

/// Now, from the browser's clock.
pub(crate) fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(js_sys::Date::now() as i64).expect("a time")
}

/// POSTs JSON straight to the server (not through the client under test).
pub(crate) async fn raw_post(api: &str, path: &str, body: Value) -> Value {
    gloo_net::http::Request::post(&format!("{api}{path}"))
        .json(&body)
        .expect("body")
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json")
}

/// A run paused through the API (as a flow pauses it), for tests that need their own.
pub(crate) async fn paused_run(api: &str, name: &str) -> Uuid {
    let flow = raw_post(api, "/flows/", json!({"name": "decided"})).await;
    let run = raw_post(
        api,
        "/flow_runs/",
        json!({"flow_id": flow["id"], "name": name}),
    )
    .await;
    let id = parse_flow_run_id(run["id"].as_str().expect("id")).expect("uuid");
    let path = format!("/flow_runs/{id}/set_state");
    raw_post(
        api,
        &path,
        json!({"state": {"type": "RUNNING"}, "force": true}),
    )
    .await;
    let timeout = now() + chrono::Duration::hours(1);
    raw_post(
        api,
        &path,
        json!({"state": {"type": "PAUSED", "name": "Paused",
                         "state_details": {"pause_timeout": timeout.to_rfc3339(), "pause_key": "k"}},
               "force": true}),
    )
    .await;
    id
}
