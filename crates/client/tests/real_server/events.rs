//! The event stream: a run's pause and resume seen within seconds, and its authentication.

use flowgate_client::core::{FlowRunChange, StateType};
use flowgate_client::{Auth, Client, ClientError, ClientOptions, parse_flow_run_id};
use serde_json::json;
use wasm_bindgen_test::*;

use crate::support::*;

/// Asserts: the event stream delivers a run's pause and its resume, classified by state
/// type, with the state it left, within seconds.
#[wasm_bindgen_test]
async fn watching_sees_a_run_pause_and_resume() {
    let api = seeded()["api_url"].as_str().expect("api").to_owned();
    let c = client();
    let mut events = c
        .watch_flow_runs(now() - chrono::Duration::hours(1))
        .await
        .expect("the event stream opens");
    let flow = raw_post(&api, "/flows/", json!({"name": "watched"})).await;
    let run = raw_post(
        &api,
        "/flow_runs/",
        json!({"flow_id": flow["id"], "name": "watched-run"}),
    )
    .await;
    let id = parse_flow_run_id(run["id"].as_str().expect("id")).expect("uuid");
    let path = format!("/flow_runs/{id}/set_state");
    raw_post(
        &api,
        &path,
        json!({"state": {"type": "RUNNING"}, "force": true}),
    )
    .await;
    raw_post(
        &api,
        &path,
        json!({"state": {"type": "PAUSED", "name": "Paused"}, "force": true}),
    )
    .await;
    // Creating the run may announce its first state (Pending) too; read up to the pause.
    let mut seen = Vec::new();
    while seen
        .last()
        .is_none_or(|c: &FlowRunChange| c.state_type != StateType::Paused)
    {
        let change = events.next().await.expect("an event");
        if change.flow_run_id == id {
            seen.push(change);
        }
    }
    let types: Vec<_> = seen.iter().map(|c| c.state_type.clone()).collect();
    assert_eq!(
        types[types.len() - 2..],
        [StateType::Running, StateType::Paused],
        "{types:?}"
    );
    let paused = seen.last().expect("the pause");
    assert_eq!(paused.state_name, "Paused");
    assert_eq!(paused.previous_type, Some(StateType::Running));
    assert!(paused.touches_pause());
    c.resume(id, None).await.expect("resumed");
    let resumed = loop {
        let change = events.next().await.expect("an event");
        if change.flow_run_id == id {
            break change;
        }
    };
    assert_eq!(resumed.state_type, StateType::Running);
    assert_eq!(resumed.previous_type, Some(StateType::Paused));
    events.close();
}

/// Asserts: on a server with auth, the event stream authenticates with the basic-auth
/// string and refuses wrong credentials in words that say so, without the secret.
#[wasm_bindgen_test]
async fn the_event_stream_authenticates() {
    let auth = harness(
        option_env!("FLOWGATE_AUTH_HARNESS"),
        "FLOWGATE_AUTH_HARNESS",
    );
    let api = auth["api_url"].as_str().expect("api").to_owned();
    let since = now();
    let right =
        Client::new(ClientOptions::new(api.clone()).with_auth(Auth::Basic(AUTH_PAIR.into())))
            .expect("options");
    right
        .watch_flow_runs(since)
        .await
        .expect("the right credentials open the stream")
        .close();
    let wrong = Client::new(ClientOptions::new(api).with_auth(Auth::Basic("flow:nope".into())))
        .expect("options");
    match wrong.watch_flow_runs(since).await {
        Err(err @ ClientError::EventStream { refused: true, .. }) => {
            let text = err.to_string();
            assert!(text.contains("refused the credentials"), "{text}");
            assert!(!text.contains("nope"), "the secret must not appear: {text}");
        }
        other => panic!("expected a refused event stream, got {other:?}"),
    }
}
