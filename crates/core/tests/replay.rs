//! Replays every exchange the real-server test recorded (`fixtures/resume_cases.json`,
//! captured from Prefect 3.9.1): the verdict computed offline from the recorded run,
//! schema, input and time must equal the server's recorded answer, and every recorded
//! document must round-trip losslessly. Runs natively and in headless Chromium.

use flowgate_core::{
    FlowRun, OrchestrationResult, ResumeVerdict, StoredSchema, parse, resume_verdict, timestamp,
};
use serde_json::Value;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const CASES: &str = include_str!("fixtures/resume_cases.json");

fn cases() -> Vec<Value> {
    serde_json::from_str(CASES).expect("fixture is JSON")
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn every_recorded_answer_is_predicted_exactly() {
    let cases = cases();
    assert!(
        cases.len() >= 50,
        "the recorded corpus has {} cases",
        cases.len()
    );
    let mut problems = Vec::new();
    let mut compared = 0;
    for case in &cases {
        let name = case["name"].as_str().expect("name");
        let run: FlowRun = parse::from_value("flow run", case["flow_run"].clone()).expect("run");
        let schema = match case["schema"].as_str() {
            Some(text) => StoredSchema::Text(text),
            None => StoredSchema::Missing,
        };
        let now = timestamp::parse(case["now"].as_str().expect("now")).expect("time");
        let status = case["response"]["status"].as_u64().expect("status") as u16;
        let body = &case["response"]["body"];
        match resume_verdict(&run, schema, case["request"].get("run_input"), now) {
            ResumeVerdict::Answer(expected) => {
                let actual: OrchestrationResult =
                    parse::from_value("orchestration result", body.clone())
                        .unwrap_or_else(|err| panic!("{name}: {err}"));
                for diff in expected.differences(status, &actual) {
                    problems.push(format!("{name}: {diff}"));
                }
                compared += 1;
            }
            ResumeVerdict::HttpError {
                status: predicted,
                reason,
            } => {
                if predicted != status {
                    problems.push(format!(
                        "{name}: predicted HTTP {predicted} ({reason}), got {status}"
                    ));
                }
                compared += 1;
            }
            ResumeVerdict::ServerDecides { reason, .. } => {
                assert!(
                    name.ends_with("server_decides"),
                    "{name} unexpectedly undecided: {reason}"
                );
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} differences:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(compared >= 50, "only {compared} cases were compared");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn every_recorded_document_round_trips_losslessly() {
    for case in cases() {
        let name = case["name"].as_str().expect("name");
        let run = &case["flow_run"];
        let parsed: FlowRun = parse::from_value("flow run", run.clone()).expect("parses");
        assert_eq!(
            &serde_json::to_value(&parsed).expect("json"),
            run,
            "{name}: flow run"
        );
        let body = &case["response"]["body"];
        if body.get("status").is_some() {
            let parsed: OrchestrationResult =
                parse::from_value("orchestration result", body.clone()).expect("parses");
            assert_eq!(
                &serde_json::to_value(&parsed).expect("json"),
                body,
                "{name}: result"
            );
        }
    }
}

const REJECT_CASES: &str = include_str!("fixtures/reject_cases.json");

/// The reject exchanges `tests/real_server_reject.rs` recorded: every kind of pause and runs
/// no longer paused, both proposals. The answer computed offline must equal the server's.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn every_recorded_reject_answer_is_predicted_exactly() {
    let cases: Vec<Value> = serde_json::from_str(REJECT_CASES).expect("fixture is JSON");
    assert!(
        cases.len() >= 20,
        "the recorded corpus has {} cases",
        cases.len()
    );
    let mut problems = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().expect("name");
        let run: FlowRun = parse::from_value("flow run", case["flow_run"].clone()).expect("run");
        let now = timestamp::parse(case["now"].as_str().expect("now")).expect("time");
        let state = &case["request"]["state"];
        let proposed = flowgate_core::StateType::from_wire(state["type"].as_str().expect("type"));
        let expected =
            flowgate_core::cancel_verdict(&run, &proposed, state["message"].as_str(), now);
        let status = case["response"]["status"].as_u64().expect("status") as u16;
        let actual: OrchestrationResult =
            parse::from_value("orchestration result", case["response"]["body"].clone())
                .unwrap_or_else(|err| panic!("{name}: {err}"));
        for diff in expected.differences(status, &actual) {
            problems.push(format!("{name}: {diff}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
