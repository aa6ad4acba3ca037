//! The client in headless Chromium against real Prefect servers started by the harness.
//!
//! `scripts/ci/real-server.sh` starts two servers and passes their `harness.json` contents at build
//! time: `FLOWGATE_CLIENT_HARNESS` (seeded paused runs, `--bulk 20`) and
//! `FLOWGATE_AUTH_HARNESS` (a bare server with `PREFECT_SERVER_API_AUTH_STRING=flow:gate-secret`).
//! Without them every test fails: none passes against a server that is not running.
#![cfg(target_arch = "wasm32")]

use flowgate_client::core::{
    FlowRunChange, FlowRunFilter, OrchestrationDetails, SetStateStatus, StateType,
};
use flowgate_client::{Auth, Client, ClientError, ClientOptions, parse_flow_run_id};
use serde_json::{Value, json};
use uuid::Uuid;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const AUTH_PAIR: &str = "flow:gate-secret";

fn harness(json: Option<&str>, name: &str) -> Value {
    let text = json.unwrap_or_else(|| {
        panic!("{name} was not set at build time: run scripts/ci/real-server.sh")
    });
    serde_json::from_str(text).expect("harness JSON")
}

fn seeded() -> Value {
    harness(
        option_env!("FLOWGATE_CLIENT_HARNESS"),
        "FLOWGATE_CLIENT_HARNESS",
    )
}

fn client() -> Client {
    let api = seeded()["api_url"].as_str().expect("api_url").to_owned();
    Client::new(ClientOptions::new(api)).expect("valid options")
}

fn run_id(key: &str, index: Option<usize>) -> Uuid {
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

/// Asserts: the server is up and reports its version.
#[wasm_bindgen_test]
async fn health_and_version() {
    let c = client();
    assert!(c.health().await.expect("health"));
    assert_eq!(c.server_version().await.expect("version"), "3.9.1");
}

/// Asserts: the paused list is newest first and only paused, count and pages agree with
/// it, flow names resolve, and the list decodes into core models with nothing lost.
#[wasm_bindgen_test]
async fn lists_counts_pages_and_names() {
    let c = client();
    let filter = FlowRunFilter::paused_newest_first(200);
    let runs = c.list_flow_runs(&filter).await.expect("list");
    assert!(
        runs.len() >= 25,
        "harness seeds 25+ paused runs, got {}",
        runs.len()
    );
    assert!(runs.iter().all(|r| r.state_type == Some(StateType::Paused)));
    let starts: Vec<_> = runs.iter().filter_map(|r| r.start_time).collect();
    assert!(starts.windows(2).all(|w| w[0] >= w[1]), "newest first");
    assert_eq!(
        c.count_flow_runs(&filter).await.expect("count"),
        runs.len() as u64
    );

    let page = c
        .paginate_flow_runs(&filter.page(2, 5))
        .await
        .expect("page");
    assert_eq!(page.page, 2);
    assert_eq!(page.results.len(), 5);
    assert_eq!(page.count, runs.len() as u64);
    assert_eq!(
        page.results[0].id, runs[5].id,
        "page 2 starts at the sixth run"
    );

    let flows = c
        .flows_by_id(runs.iter().map(|r| r.flow_id))
        .await
        .expect("flows");
    for name in ["approve-deploy", "wait-for-human", "bulk-gate"] {
        assert!(flows.iter().any(|f| f.name == name), "flow {name} named");
    }
    // The suspended runs were created from the harness's "nightly" deployment.
    let deployment_ids: Vec<_> = runs.iter().filter_map(|r| r.deployment_id).collect();
    assert!(
        !deployment_ids.is_empty(),
        "some runs come from a deployment"
    );
    let deployments = c
        .deployments_by_id(deployment_ids.iter().copied())
        .await
        .expect("deployments");
    assert_eq!(deployments.len(), 1, "one deployment, asked once");
    assert_eq!(deployments[0].name, "nightly");
    assert_eq!(deployments[0].id, deployment_ids[0]);
    assert!(flows.iter().any(|f| f.id == deployments[0].flow_id));
    assert!(
        c.deployments_by_id([])
            .await
            .expect("nothing asked")
            .is_empty()
    );

    // Lossless: the raw answer equals the decoded models written back.
    let api = seeded()["api_url"].as_str().expect("api").to_owned();
    let raw = gloo_net::http::Request::post(&format!("{api}/flow_runs/filter"))
        .json(&filter)
        .expect("body")
        .send()
        .await
        .expect("raw fetch")
        .json::<Value>()
        .await
        .expect("json");
    let decoded =
        serde_json::to_value(c.list_flow_runs(&filter).await.expect("list")).expect("json");
    assert_eq!(decoded, raw);
}

/// Asserts: an input pause exposes its schema and description; a plain pause asks nothing;
/// reading a run that does not exist is a clean NotFound.
#[wasm_bindgen_test]
async fn reads_runs_and_what_they_ask_for() {
    let c = client();
    let run = c
        .read_flow_run(run_id("input", Some(2)))
        .await
        .expect("input run");
    let request = c
        .run_input_request(&run)
        .await
        .expect("read")
        .expect("asks for input");
    let schema = request.schema.expect("schema stored");
    assert!(
        schema.contains("\"title\":\"Approval\"") || schema.contains("\"title\": \"Approval\""),
        "{schema}"
    );
    assert!(
        request
            .description
            .expect("description")
            .starts_with("## Approve the nightly deploy")
    );

    let plain = c
        .read_flow_run(run_id("plain", Some(2)))
        .await
        .expect("plain run");
    assert_eq!(c.run_input_request(&plain).await.expect("read"), None);

    let missing = Uuid::nil();
    match c.read_flow_run(missing).await {
        Err(ClientError::NotFound { what }) => assert!(what.contains(&missing.to_string())),
        other => panic!("expected NotFound, got {other:?}"),
    }
}

/// Asserts: ACCEPT writes a new Running state (201); a second resume is an ABORT;
/// REJECT reasons are the server's, exactly; valid input is stored and readable.
#[wasm_bindgen_test]
async fn resume_accepts_rejects_and_aborts() {
    let c = client();
    let plain = run_id("plain", Some(0));
    let first = c.resume(plain, None).await.expect("resume");
    assert_eq!(first.result.status, SetStateStatus::Accept);
    assert!(first.state_written);
    assert_eq!(
        first.result.state.as_ref().map(|s| &s.state_type),
        Some(&StateType::Running)
    );
    let again = c.resume(plain, None).await.expect("resume again");
    assert_eq!(again.result.status, SetStateStatus::Abort);
    assert!(!again.state_written);
    assert_eq!(
        again.result.details.reason(),
        Some("Cannot resume a flow run that is not paused.")
    );

    let input_run = run_id("input", Some(0));
    let bad = json!({"approver": "x", "count": "abc", "address": {"city": "c"}});
    let rejected = c.resume(input_run, Some(&bad)).await.expect("resume");
    assert_eq!(rejected.result.status, SetStateStatus::Reject);
    assert!(
        matches!(rejected.result.details, OrchestrationDetails::Abort { .. }),
        "input REJECTs carry abort_details"
    );
    assert_eq!(
        rejected.result.details.reason(),
        Some(
            "Reason: Validation failed for field 'count'. Failure reason: 'abc' is not of type 'integer'"
        )
    );

    let good = json!({"approver": "ana", "count": 2, "address": {"city": "Oslo"}, "tags": ["x"]});
    let accepted = c.resume(input_run, Some(&good)).await.expect("resume");
    assert_eq!(accepted.result.status, SetStateStatus::Accept);
    let stored = c
        .read_run_input(input_run, "paused-1-response")
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(serde_json::from_str::<Value>(&stored).expect("json"), good);
}

/// Asserts: a non-object input is the server's 422 with its location; an unknown id
/// (the server's 500) is reported as "not found"; a malformed id never leaves the client.
#[wasm_bindgen_test]
async fn resume_failures_are_named() {
    let c = client();
    match c
        .resume(run_id("input", Some(1)), Some(&json!("str")))
        .await
    {
        Err(ClientError::Validation { details, .. }) => {
            assert_eq!(details[0].location, "body.run_input");
            assert_eq!(details[0].message, "Input should be a valid dictionary");
        }
        other => panic!("expected a 422 validation error, got {other:?}"),
    }
    let nobody = Uuid::nil();
    match c.resume(nobody, None).await {
        Err(err @ ClientError::NotFound { .. }) => {
            assert_eq!(err.to_string(), format!("Flow run {nobody} was not found."));
        }
        other => panic!("expected NotFound for an unknown id, got {other:?}"),
    }
    // After the 500 the server resets the connection; the client must carry on.
    assert!(c.health().await.expect("health after the 500"));
    match parse_flow_run_id("not-a-uuid") {
        Err(ClientError::InvalidArgument { message }) => {
            assert!(message.contains("not a flow run id"))
        }
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
}

/// Asserts: a server that is down is "unreachable" with its URL; a request slower than
/// the timeout is a timeout; a resume that gets no answer says whether it happened.
#[wasm_bindgen_test]
async fn down_and_slow_servers() {
    let down = Client::new(ClientOptions::new("http://127.0.0.1:9/api")).expect("options");
    match down.health().await {
        Err(err @ ClientError::Unreachable { .. }) => {
            assert!(
                err.to_string().contains("http://127.0.0.1:9/api/health"),
                "{err}"
            );
        }
        other => panic!("expected Unreachable, got {other:?}"),
    }
    match down.resume(Uuid::nil(), None).await {
        Err(ClientError::ResumeInterrupted {
            resumed: None,
            cause,
            ..
        }) => {
            assert!(matches!(*cause, ClientError::Unreachable { .. }));
        }
        other => panic!("expected ResumeInterrupted, got {other:?}"),
    }
    let api = seeded()["api_url"].as_str().expect("api").to_owned();
    let hasty = Client::new(ClientOptions::new(api).with_timeout_ms(1)).expect("options");
    match hasty
        .list_flow_runs(&FlowRunFilter::paused_newest_first(200))
        .await
    {
        Err(ClientError::Timeout { after_ms: 1, .. }) => {}
        other => panic!("expected Timeout, got {other:?}"),
    }
}

/// Asserts: on a server with auth, missing and wrong credentials are refused with words
/// that say which, never echoing the secret; the right ones work.
#[wasm_bindgen_test]
async fn credentials_wrong_and_right() {
    let auth = harness(
        option_env!("FLOWGATE_AUTH_HARNESS"),
        "FLOWGATE_AUTH_HARNESS",
    );
    let api = auth["api_url"].as_str().expect("api").to_owned();
    let filter = FlowRunFilter::paused_newest_first(10);

    let none = Client::new(ClientOptions::new(api.clone())).expect("options");
    match none.count_flow_runs(&filter).await {
        Err(
            err @ ClientError::Unauthorized {
                status: 401,
                credential: None,
            },
        ) => {
            assert!(err.to_string().contains("wants credentials"), "{err}");
        }
        other => panic!("expected Unauthorized, got {other:?}"),
    }
    let wrong =
        Client::new(ClientOptions::new(api.clone()).with_auth(Auth::Basic("flow:nope".into())))
            .expect("options");
    match wrong.count_flow_runs(&filter).await {
        Err(
            err @ ClientError::Unauthorized {
                status: 401,
                credential: Some(_),
            },
        ) => {
            let text = err.to_string();
            assert!(
                text.contains("refused the basic-auth user:password"),
                "{text}"
            );
            assert!(!text.contains("nope"), "the secret must not appear: {text}");
        }
        other => panic!("expected Unauthorized, got {other:?}"),
    }
    let right = Client::new(ClientOptions::new(api).with_auth(Auth::Basic(AUTH_PAIR.into())))
        .expect("options");
    assert_eq!(
        right
            .count_flow_runs(&filter)
            .await
            .expect("authorized count"),
        0
    );
    assert_eq!(right.server_version().await.expect("version"), "3.9.1");
}

/// Asserts: 20 paused runs (one needing input) resumed 4 at a time with a duplicate id in
/// the list: 20 outcomes, progress for each, 19 accepted, the one rejected reported, and
/// no run resumed twice.
#[wasm_bindgen_test]
async fn bulk_resume_bounded_and_never_twice() {
    let c = client();
    let ids: Vec<Uuid> = seeded()["runs"]["bulk"]
        .as_array()
        .expect("bulk runs")
        .iter()
        .map(|v| parse_flow_run_id(v.as_str().expect("id")).expect("uuid"))
        .collect();
    assert_eq!(ids.len(), 20);
    let mut with_duplicate = ids.clone();
    with_duplicate.push(ids[3]);
    let mut progress = Vec::new();
    let outcomes = c
        .resume_many(&with_duplicate, 4, |_, done, total| {
            progress.push((done, total))
        })
        .await;
    assert_eq!(outcomes.len(), 20, "the duplicate is resumed once");
    assert_eq!(
        progress,
        (1..=20).map(|done| (done, 20)).collect::<Vec<_>>()
    );
    let accepted = outcomes
        .iter()
        .filter(|o| matches!(&o.outcome, Ok(r) if r.result.status == SetStateStatus::Accept))
        .count();
    assert_eq!(accepted, 19);
    let rejected: Vec<_> = outcomes
        .iter()
        .filter(|o| matches!(&o.outcome, Ok(r) if r.result.status == SetStateStatus::Reject))
        .collect();
    assert_eq!(rejected.len(), 1);
    assert_eq!(
        rejected[0].flow_run_id, ids[0],
        "the run that asked for input"
    );
    assert!(
        outcomes
            .iter()
            .all(|o| !matches!(&o.outcome, Ok(r) if r.result.status == SetStateStatus::Abort)),
        "nothing resumed twice"
    );
    for id in &ids[1..] {
        let run = c.read_flow_run(*id).await.expect("read");
        assert_eq!(run.state_type, Some(StateType::Running));
    }
}

/// Now, from the browser's clock.
fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(js_sys::Date::now() as i64).expect("a time")
}

/// POSTs JSON straight to the server (not through the client under test).
async fn raw_post(api: &str, path: &str, body: Value) -> Value {
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

/// A run paused through the API (as a flow pauses it), for tests that need their own.
async fn paused_run(api: &str, name: &str) -> Uuid {
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

/// Asserts: a reject ends a paused run Cancelled with "Rejected by <name>: <reason>" as
/// predicted; the decision is recorded as a Prefect event and read back with the name,
/// the reason and the state; the run's history shows the pause and the cancel; a second
/// reject is refused without sending; a blank reason is refused; a resume with a name is
/// recorded with its input.
#[wasm_bindgen_test]
async fn reject_records_and_history() {
    use flowgate_client::Decider;
    let api = seeded()["api_url"].as_str().expect("api").to_owned();
    let c = client();
    let id = paused_run(&api, "to-reject").await;
    let decider = Decider {
        name: Some("ana".into()),
        record: true,
    };
    let blank = c.reject_decided(id, "  ", &decider, false).await;
    assert!(
        matches!(&blank, Err(ClientError::InvalidArgument { message }) if message.contains("reason is required")),
        "{blank:?}"
    );
    let decided = c
        .reject_decided(id, "image tag not signed", &decider, false)
        .await
        .expect("rejected");
    let rejected = &decided.outcome;
    assert_eq!(rejected.message, "Rejected by ana: image tag not signed");
    assert_eq!(rejected.plan.proposed, StateType::Cancelled);
    assert!(
        rejected
            .plan
            .answer
            .differences(201, &rejected.result)
            .is_empty(),
        "predicted {:?}, got {:?}",
        rejected.plan.answer,
        rejected.result
    );
    let event_id = decided
        .record
        .clone()
        .expect("recorded")
        .expect("the record was accepted");
    let run = c.read_flow_run(id).await.expect("read");
    let state = run.state.clone().expect("a state");
    assert_eq!(state.state_type, StateType::Cancelled);
    assert_eq!(
        state.message.as_deref(),
        Some("Rejected by ana: image tag not signed")
    );

    let again = c.reject_decided(id, "twice", &decider, false).await;
    assert!(
        matches!(&again, Err(ClientError::NotRejectable { message, .. }) if message.ends_with("this one is Cancelled.")),
        "{again:?}"
    );

    // Prefect stores events through its pipeline: give it a few seconds.
    let created = run.created.expect("created");
    let mut decisions = Vec::new();
    for _ in 0..40 {
        decisions = c.decisions(id, created).await.expect("decisions");
        if !decisions.is_empty() {
            break;
        }
        sleep_ms(250).await;
    }
    assert_eq!(decisions.len(), 1, "{decisions:?}");
    let d = &decisions[0];
    assert_eq!(d.id, event_id);
    assert_eq!(d.kind, flowgate_client::core::DecisionKind::Rejected);
    assert_eq!(d.decider.as_deref(), Some("ana"));
    assert_eq!(d.reason.as_deref(), Some("image tag not signed"));
    assert_eq!(d.state_type.as_deref(), Some("CANCELLED"));

    let history: Vec<_> = c
        .flow_run_states(id)
        .await
        .expect("history")
        .into_iter()
        .map(|s| s.state_type)
        .collect();
    assert_eq!(
        history[history.len() - 2..],
        [StateType::Paused, StateType::Cancelled],
        "{history:?}"
    );

    // A resume is recorded with the input it sent.
    let other = paused_run(&api, "to-resume").await;
    let input = json!({"note": "ok"});
    let resumed = c
        .resume_decided(other, Some(&input), None, &decider, false)
        .await
        .expect("resumed");
    assert_eq!(resumed.outcome.result.status, SetStateStatus::Accept);
    assert!(
        matches!(resumed.record, Some(Ok(_))),
        "{:?}",
        resumed.record
    );
    let mut decisions = Vec::new();
    for _ in 0..40 {
        decisions = c.decisions(other, created).await.expect("decisions");
        if !decisions.is_empty() {
            break;
        }
        sleep_ms(250).await;
    }
    assert_eq!(decisions.len(), 1, "{decisions:?}");
    assert_eq!(decisions[0].input.as_ref(), Some(&input));
    assert_eq!(decisions[0].state_type.as_deref(), Some("RUNNING"));
}

async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let global = js_sys::global();
        let set_timeout = js_sys::Reflect::get(&global, &"setTimeout".into()).expect("setTimeout");
        let set_timeout: js_sys::Function = set_timeout.into();
        set_timeout
            .call2(&global, &resolve, &ms.into())
            .expect("scheduled");
    });
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .expect("slept");
}
