//! End-to-end fidelity against a real Prefect server started by the harness
//! (`scripts/harness/prefect_harness.py`; `scripts/test.sh` starts it and sets
//! `FLOWGATE_HARNESS` to its `harness.json`).
//!
//! For every case the run is read, its stored schema fetched, the verdict predicted
//! locally, and only then is the real `POST /flow_runs/{id}/resume` sent. Prediction and
//! answer must agree on HTTP status, status, details type, reason and resulting state; on
//! ACCEPT the stored response input must equal the predicted one. Every response also
//! round-trips losslessly through the models.
//!
//! With `FLOWGATE_CAPTURE=<dir>` the exchanges are written out to `<dir>/resume_cases.json`
//! as replay fixtures (`tests/fixtures/resume_cases.json` was made this way, and each
//! release's in `tests/fixtures/releases/` by `scripts/measure-versions.sh`).
#![cfg(not(target_arch = "wasm32"))]

mod support;

use flowgate_core::FlowRun;
use serde_json::{Value, json};
use support::{NEEDS_SERVER, round_trip, server};

fn valid_approval() -> Value {
    json!({"approver": "ana", "count": 2, "level": "high", "address": {"city": "Oslo"}, "tags": ["x"]})
}

#[test]
#[ignore = "needs a real Prefect server: scripts/ci/real-server.sh starts one"]
fn input_run_rejects_each_bad_input_then_accepts_then_aborts() {
    let _ = NEEDS_SERVER;
    let s = server();
    let run = &s.run_ids("input")[0];
    let cases = vec![
        ("input_no_body", json!({})),
        ("input_null", json!({"run_input": null})),
        ("input_empty", json!({"run_input": {}})),
        (
            "input_wrong_type",
            json!({"run_input": {"approver": "x", "count": "abc", "address": {"city": "c"}}}),
        ),
        (
            "input_float_for_int",
            json!({"run_input": {"approver": "x", "count": 2.5, "address": {"city": "c"}}}),
        ),
        (
            "input_bad_enum",
            json!({"run_input": {"approver": "x", "level": "mid", "address": {"city": "c"}}}),
        ),
        (
            "input_nested_missing",
            json!({"run_input": {"approver": "x", "address": {}}}),
        ),
        (
            "input_nested_wrong_type",
            json!({"run_input": {"approver": "x", "address": {"city": 7}}}),
        ),
        (
            "input_array_item",
            json!({"run_input": {"approver": "x", "address": {"city": "c"}, "tags": ["a", 2]}}),
        ),
        (
            "input_list_of_models",
            json!({"run_input": {"approver": "x", "address": {"city": "c"}, "contacts": [{"name": "a"}, {"email": "b"}]}}),
        ),
        (
            "input_extra_field",
            json!({"run_input": {"approver": "x", "extra": 1, "address": {"city": "c"}}}),
        ),
        (
            "input_two_extra_fields",
            json!({"run_input": {"zeta": 1, "approver": "x", "alpha": 2, "address": {"city": "c"}}}),
        ),
        (
            "input_best_match_sibling",
            json!({"run_input": {"approver": 5, "count": "z", "address": {"city": "c"}}}),
        ),
        (
            "input_null_required",
            json!({"run_input": {"approver": null, "address": {"city": "c"}}}),
        ),
        (
            "input_bool_for_int",
            json!({"run_input": {"approver": "x", "count": true, "address": {"city": "c"}}}),
        ),
        (
            "input_tags_not_list",
            json!({"run_input": {"approver": "x", "address": {"city": "c"}, "tags": "a"}}),
        ),
        (
            "input_quote_in_value",
            json!({"run_input": {"approver": "x", "level": "it's", "address": {"city": "c"}}}),
        ),
        ("input_not_object", json!({"run_input": "str"})),
        ("input_list", json!({"run_input": [1, 2]})),
        (
            "hydration_bad_json",
            json!({"run_input": {"approver": {"__prefect_kind": "json", "value": "{bad"}, "address": {"city": "c"}}}),
        ),
        (
            "hydration_unterminated",
            json!({"run_input": {"approver": {"__prefect_kind": "json", "value": "\"abc"}, "address": {"city": "c"}}}),
        ),
        (
            "hydration_extra_data",
            json!({"run_input": {"approver": {"__prefect_kind": "json", "value": "\"a\" x"}, "address": {"city": "c"}}}),
        ),
        (
            "hydration_trailing_comma",
            json!({"run_input": {"approver": "x", "address": {"__prefect_kind": "json", "value": "{\"city\": \"c\",}"}}}),
        ),
        (
            "hydration_empty",
            json!({"run_input": {"approver": {"__prefect_kind": "json", "value": ""}, "address": {"city": "c"}}}),
        ),
        (
            "hydration_multiline",
            json!({"run_input": {"approver": "x", "address": {"__prefect_kind": "json", "value": "{\n  \"city\": \n}"}}}),
        ),
        (
            "hydration_missing_value",
            json!({"run_input": {"approver": {"__prefect_kind": "none"}, "address": {"city": "c"}}}),
        ),
        (
            "hydration_missing_template",
            json!({"run_input": {"approver": {"__prefect_kind": "jinja"}, "address": {"city": "c"}}}),
        ),
        (
            "hydration_json_wrong_type",
            json!({"run_input": {"approver": {"__prefect_kind": "json", "value": "5"}, "address": {"city": "c"}}}),
        ),
        (
            "hydration_none_passthrough_bad",
            json!({"run_input": {"approver": {"__prefect_kind": "none", "value": 3}, "address": {"city": "c"}}}),
        ),
        // Jinja always renders text, so `count` stays invalid and the run stays paused.
        (
            "hydration_jinja_server_decides",
            json!({"run_input": {"approver": "x", "count": {"__prefect_kind": "jinja", "template": "{{ 1 + 1 }}"}, "address": {"city": "c"}}}),
        ),
        ("input_valid_accept", json!({"run_input": valid_approval()})),
        (
            "input_again_not_paused",
            json!({"run_input": valid_approval()}),
        ),
    ];
    s.check_all(run, cases);
}

#[test]
#[ignore = "needs a real Prefect server: scripts/ci/real-server.sh starts one"]
fn nested_extra_field_is_accepted_and_stored_verbatim() {
    let s = server();
    let run = &s.run_ids("input")[1];
    let input = json!({"approver": "bo", "address": {"city": "Rome", "planet": "Earth"}});
    s.check_all(
        run,
        vec![("input_nested_extra_accept", json!({"run_input": input}))],
    );
}

#[test]
#[ignore = "needs a real Prefect server: scripts/ci/real-server.sh starts one"]
fn hydrated_placeholders_are_validated_and_stored_hydrated() {
    let s = server();
    let run = &s.run_ids("input")[2];
    let input = json!({
        "approver": {"__prefect_kind": "none", "value": "cy"},
        "address": {"__prefect_kind": "json", "value": "{\"city\": \"Lyon\", \"zip\": \"69001\"}"},
        "tags": [{"__prefect_kind": "json"}, "kept"],
    });
    s.check_all(
        run,
        vec![("hydration_valid_accept", json!({"run_input": input}))],
    );
}

#[test]
#[ignore = "needs a real Prefect server: scripts/ci/real-server.sh starts one"]
fn plain_pauses_accept_once_then_abort() {
    let s = server();
    let plain = s.run_ids("plain");
    s.check_all(
        &plain[0],
        vec![
            ("plain_accept", json!({})),
            ("plain_again_not_paused", json!({})),
        ],
    );
    s.check_all(
        &plain[1],
        vec![(
            "plain_input_ignored_accept",
            json!({"run_input": {"anything": 1}}),
        )],
    );
    s.check_all(
        &s.run_id("keyed"),
        vec![("keyed_accept", json!({"run_input": null}))],
    );
    s.check_all(
        &s.run_id("completed"),
        vec![("completed_not_paused", json!({}))],
    );
}

#[test]
#[ignore = "needs a real Prefect server: scripts/ci/real-server.sh starts one"]
fn timed_out_pauses_fail_the_run() {
    let s = server();
    s.check_all(
        &s.run_id("timed_out"),
        vec![("timed_out_running", json!({}))],
    );
    s.check_all(
        &s.run_id("suspended_timed_out"),
        vec![("timed_out_resuming", json!({}))],
    );
}

#[test]
#[ignore = "needs a real Prefect server: scripts/ci/real-server.sh starts one"]
fn suspended_runs_reschedule_or_need_a_deployment() {
    let s = server();
    s.check_all(
        &s.run_id("suspended"),
        vec![("suspended_accept_resuming", json!({}))],
    );
    s.check_all(
        &s.run_id("suspended_no_deployment"),
        vec![("suspended_without_deployment", json!({}))],
    );
    s.check_all(
        &s.run_id("suspended_input"),
        vec![
            (
                "suspended_input_invalid",
                json!({"run_input": {"approver": 1}}),
            ),
            (
                "suspended_input_accept",
                json!({"run_input": {"approver": "di", "address": {"city": "Bern"}}}),
            ),
        ],
    );
}

#[test]
#[ignore = "needs a real Prefect server: scripts/ci/real-server.sh starts one"]
fn broken_schemas_reject_or_fail_as_the_server_does() {
    let s = server();
    let x = json!({"run_input": {"x": 1}});
    s.check_all(
        &s.run_id("schema_missing"),
        vec![("schema_missing", x.clone())],
    );
    s.check_all(
        &s.run_id("schema_not_json"),
        vec![("schema_not_json", x.clone())],
    );
    s.check_all(
        &s.run_id("schema_invalid"),
        vec![("schema_invalid_500", x.clone())],
    );
    s.check_all(
        &s.run_id("schema_circular"),
        vec![
            ("schema_circular_reached", x.clone()),
            (
                "schema_circular_not_reached_accept",
                json!({"run_input": {}}),
            ),
        ],
    );
    s.check_all(
        &s.run_id("schema_unresolvable"),
        vec![
            ("schema_unresolvable_reached", x),
            (
                "schema_unresolvable_not_reached_accept",
                json!({"run_input": {}}),
            ),
        ],
    );
}

#[test]
#[ignore = "needs a real Prefect server: scripts/ci/real-server.sh starts one"]
fn list_endpoints_round_trip_losslessly() {
    let s = server();
    let filter =
        serde_json::to_value(flowgate_core::FlowRunFilter::paused_newest_first(200)).expect("json");
    let (status, text) = s.post("/flow_runs/filter", &filter);
    assert_eq!(status, 200, "{text}");
    let runs: Value = serde_json::from_str(&text).expect("json");
    let parsed = round_trip::<Vec<FlowRun>>("flow runs", &runs);
    assert!(
        parsed.len() >= 5,
        "the harness seeds several paused runs, got {}",
        parsed.len()
    );
    assert!(
        parsed
            .iter()
            .all(|r| r.state_type == Some(flowgate_core::StateType::Paused))
    );

    let page =
        serde_json::to_value(flowgate_core::FlowRunFilter::default().page(1, 5)).expect("json");
    let (status, text) = s.post("/flow_runs/paginate", &page);
    assert_eq!(status, 200, "{text}");
    let page: flowgate_core::FlowRunPage =
        round_trip("flow run page", &serde_json::from_str(&text).expect("json"));
    assert_eq!(page.results.len(), 5);
    assert!(page.count >= 5);

    let ids = parsed.iter().map(|r| r.flow_id);
    let body = serde_json::to_value(flowgate_core::FlowFilter::by_ids(ids)).expect("json");
    let (status, text) = s.post("/flows/filter", &body);
    assert_eq!(status, 200, "{text}");
    let flows = round_trip::<Vec<flowgate_core::Flow>>(
        "flows",
        &serde_json::from_str(&text).expect("json"),
    );
    assert!(
        flows.iter().any(|f| f.name == "approve-deploy"),
        "flow names resolve"
    );
}

/// The differential corpus, on a smaller set, against the real resume endpoint: for each
/// model a run is paused through the API with that model's schema stored under its keyset,
/// then up to 25 of the model's rejected inputs and one accepted input are sent. Prefect's
/// validator (the corpus), Flowgate and the server must all agree.
#[test]
#[ignore = "needs a real Prefect server and the oracle corpus: scripts/ci/real-server.sh provides both"]
fn oracle_corpus_agrees_with_the_real_server() {
    let s = server();
    let path = std::env::var("FLOWGATE_ORACLE_CORPUS").expect("FLOWGATE_ORACLE_CORPUS");
    let corpus: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("corpus")).expect("json");
    let post_ok = |path: &str, body: Value| -> Value {
        let (status, text) = s.post(path, &body);
        assert!(status < 300, "POST {path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    };
    let flow = post_ok("/flows/", json!({"name": "oracle-gate"}));
    let mut compared = 0;
    let mut problems = Vec::new();
    for (model, schema) in corpus["schemas"].as_object().expect("schemas") {
        let run = post_ok(
            "/flow_runs/",
            json!({"flow_id": flow["id"], "name": format!("oracle-{model}")}),
        );
        let id = run["id"].as_str().expect("id").to_owned();
        // Run-input keys must be lowercase letters, digits and dashes (else the server 500s).
        let key = model.to_lowercase();
        let keyset = json!({"schema": format!("{key}-schema"), "response": format!("{key}-response"), "description": format!("{key}-description")});
        post_ok(
            &format!("/flow_runs/{id}/input"),
            json!({"key": keyset["schema"], "value": schema}),
        );
        post_ok(
            &format!("/flow_runs/{id}/set_state"),
            json!({"state": {"type": "RUNNING"}, "force": true}),
        );
        post_ok(
            &format!("/flow_runs/{id}/set_state"),
            json!({"force": true, "state": {"type": "PAUSED", "name": "Paused",
            "state_details": {"pause_key": "oracle", "run_input_keyset": keyset}}}),
        );

        let cases: Vec<&Value> = corpus["cases"]
            .as_array()
            .expect("cases")
            .iter()
            .filter(|c| c["schema"] == *model)
            .collect();
        let rejected = cases
            .iter()
            .filter(|c| c["expected"]["status"] == "REJECT")
            .take(25);
        let accepted = cases.iter().find(|c| c["expected"]["status"] == "ACCEPT");
        for case in rejected.chain(accepted) {
            let name = case["name"].as_str().expect("name");
            let label = if case["expected"]["status"] == "ACCEPT" {
                format!("oracle_{name}_accept")
            } else {
                format!("oracle_{name}")
            };
            problems.extend(s.check(&label, &id, json!({"run_input": case["input"]})));
            compared += 1;
        }
    }
    eprintln!(
        "oracle corpus vs the real server: {compared} cases, {} differences",
        problems.len()
    );
    assert!(compared >= 100, "only {compared} cases compared");
    assert!(
        problems.is_empty(),
        "{} differences:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
