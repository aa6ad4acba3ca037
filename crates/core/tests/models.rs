//! The wire models: losslessness under change (fields and enum values a newer server may
//! add) and errors that name the JSON path for malformed documents. Natively and in
//! headless Chromium.

use flowgate_core::{
    DetailsType, FlowRun, FlowRunFilter, OrchestrationDetails, OrchestrationResult, SetStateStatus,
    StateType, parse,
};
use serde_json::{Value, json};

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const CASES: &str = include_str!("fixtures/resume_cases.json");

fn paused_run() -> Value {
    let cases: Vec<Value> = serde_json::from_str(CASES).expect("fixture");
    cases
        .into_iter()
        .find(|c| c["name"] == "input_wrong_type")
        .map(|c| c["flow_run"].clone())
        .expect("fixture has the input run")
}

fn parse_run(value: &Value) -> Result<FlowRun, parse::ParseError> {
    parse::from_str("flow run", &value.to_string())
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn fields_and_values_from_a_newer_server_survive_a_round_trip() {
    let mut run = paused_run();
    run["brand_new_field"] = json!({"nested": [1, 2.5, "x"]});
    run["state"]["state_details"]["future_detail"] = json!(true);
    run["empirical_policy"]["future_policy"] = json!(null);
    run["state"]["type"] = json!("HIBERNATING");
    run["state_type"] = json!("HIBERNATING");
    let parsed = parse_run(&run).expect("a newer server's run still parses");
    let state = parsed.state.as_ref().expect("state");
    assert_eq!(state.state_type, StateType::Unknown("HIBERNATING".into()));
    assert_eq!(
        parsed.extra["brand_new_field"],
        json!({"nested": [1, 2.5, "x"]})
    );
    assert_eq!(serde_json::to_value(&parsed).expect("json"), run);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn details_are_read_by_their_tag_including_unknown_tags() {
    let wait = json!({"state": null, "status": "WAIT", "details": {"type": "wait_details", "delay_seconds": 5, "reason": "busy"}});
    let parsed: OrchestrationResult = parse::from_value("result", wait.clone()).expect("parses");
    assert_eq!(parsed.status, SetStateStatus::Wait);
    assert!(matches!(
        parsed.details,
        OrchestrationDetails::Wait {
            delay_seconds: 5,
            ..
        }
    ));
    assert_eq!(parsed.details.reason(), Some("busy"));
    assert_eq!(serde_json::to_value(&parsed).expect("json"), wait);

    let odd = json!({"state": null, "status": "DEFER", "details": {"type": "defer_details", "until": "later", "reason": "r"}});
    let parsed: OrchestrationResult = parse::from_value("result", odd.clone()).expect("parses");
    assert_eq!(parsed.status, SetStateStatus::Unknown("DEFER".into()));
    assert_eq!(
        parsed.details.details_type(),
        DetailsType::Unknown("defer_details".into())
    );
    assert_eq!(parsed.details.reason(), Some("r"));
    assert_eq!(serde_json::to_value(&parsed).expect("json"), odd);
}

fn error_for(mutate: impl FnOnce(&mut Value)) -> parse::ParseError {
    let mut run = paused_run();
    mutate(&mut run);
    parse_run(&run).expect_err("malformed run must not parse")
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn malformed_documents_name_the_json_path() {
    let err = error_for(|r| r["state"]["timestamp"] = json!("yesterday"));
    assert_eq!(err.path, "state.timestamp");
    assert!(
        !err.message.contains("line"),
        "the place is the path: {err}"
    );
    assert!(err.message.contains("not an RFC 3339 timestamp"), "{err}");

    let err = error_for(|r| r["id"] = json!("not-a-uuid"));
    assert_eq!(err.path, "id");
    assert!(err.to_string().contains("`id`"), "{err}");

    let err = error_for(|r| r["run_count"] = json!("many"));
    assert_eq!(err.path, "run_count");

    let err = error_for(|r| r["state"]["state_details"]["pause_reschedule"] = json!("yes"));
    assert_eq!(err.path, "state.state_details.pause_reschedule");

    let err = error_for(|r| r["tags"] = json!(["ok", 3]));
    assert_eq!(err.path, "tags[1]");

    let err = error_for(|r| {
        r.as_object_mut().expect("object").shift_remove("flow_id");
    });
    assert!(err.message.contains("missing field `flow_id`"), "{err}");

    let text = paused_run().to_string();
    let err = parse::from_str::<FlowRun>("flow run", &text[..text.len() - 40])
        .expect_err("truncated JSON must not parse");
    assert!(err.message.contains("EOF"), "{err}");

    // The orchestration result's details are checked as they are read: their path is theirs
    // also as the document's last entry, where Prefect writes them.
    let result = |details: Value| {
        let text = json!({"status": "REJECT", "state": null, "details": details}).to_string();
        parse::from_str::<OrchestrationResult>("result", &text).expect_err("malformed details")
    };
    let err = result(json!({"type": 7}));
    assert_eq!(
        (err.path.as_str(), err.message.as_str()),
        ("details", "`type` must be a string, got 7")
    );
    let err = result(json!({"type": "reject_details", "reason": ["no"]}));
    assert_eq!(err.path, "details");
    assert_eq!(result(json!({})).message, "missing field `type`");
    assert_eq!(result(json!("no")).path, "details");

    let err = parse::from_str::<FlowRun>("flow run", "[]").expect_err("a list is no run");
    assert_eq!(err.path, "");
    assert!(err.to_string().contains("the top level"), "{err}");

    let err = parse::from_str::<FlowRun>("flow run", &format!("{text} trailing"))
        .expect_err("trailing text is refused");
    assert!(err.message.contains("trailing"), "{err}");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn list_bodies_serialize_as_prefect_expects() {
    let body = serde_json::to_value(FlowRunFilter::paused_newest_first(50)).expect("json");
    assert_eq!(
        body,
        json!({"flow_runs": {"state": {"type": {"any_": ["PAUSED"]}}}, "sort": "START_TIME_DESC", "limit": 50})
    );
    let page = serde_json::to_value(FlowRunFilter::default().page(2, 25)).expect("json");
    assert_eq!(page, json!({"page": 2, "limit": 25}));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn timestamps_are_written_as_prefect_writes_them() {
    use flowgate_core::timestamp::{format, parse};
    for text in [
        "2026-11-28T21:52:22.275000Z",
        "2026-11-28T21:52:22Z",
        "2026-11-28T21:52:22.000001Z",
    ] {
        assert_eq!(format(&parse(text).expect("parses")), text);
    }
    assert_eq!(
        format(&parse("2026-11-28T22:52:22+01:00").expect("offset")),
        "2026-11-28T21:52:22Z"
    );
    assert_eq!(
        format(&parse("2026-11-28T21:52:22.5").expect("naive is UTC")),
        "2026-11-28T21:52:22.500000Z"
    );
    assert!(parse("tomorrow").is_err());
}
