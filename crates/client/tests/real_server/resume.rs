//! Resuming: the server's ACCEPT, REJECT and ABORT, its failures named, and a bulk resume bounded and never twice.

use flowgate_client::core::{OrchestrationDetails, SetStateStatus, StateType};
use flowgate_client::{ClientError, parse_flow_run_id};
use serde_json::{Value, json};
use uuid::Uuid;
use wasm_bindgen_test::*;

use crate::support::*;

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
