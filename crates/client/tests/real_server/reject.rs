//! Rejecting, and the record of decisions: the run's end, the events read back, its history.

use flowgate_client::ClientError;
use flowgate_client::core::{SetStateStatus, StateType};
use serde_json::json;
use wasm_bindgen_test::*;

use crate::support::*;

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
        flowgate_client::sleep(250).await;
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
        flowgate_client::sleep(250).await;
    }
    assert_eq!(decisions.len(), 1, "{decisions:?}");
    assert_eq!(decisions[0].input.as_ref(), Some(&input));
    assert_eq!(decisions[0].state_type.as_deref(), Some("RUNNING"));
}
