//! Reading: health and version, the paused list with its counts, pages and names, a run and what it asks for.

use flowgate_client::ClientError;
use flowgate_client::core::{Deployment, Flow, FlowRunFilter, Named, StateType};
use serde_json::Value;
use uuid::Uuid;
use wasm_bindgen_test::*;

use crate::support::*;

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
    // The other tests resume some of the harness's runs (the bulk test all 20 of its own),
    // in an order this one does not choose: at least two pages of five are always left.
    assert!(
        runs.len() >= 10,
        "the harness's paused runs, less those other tests resume, are 10 or more; got {}",
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
        .flows_by_id::<Flow>(runs.iter().map(|r| r.flow_id))
        .await
        .expect("flows");
    for name in ["approve-deploy", "wait-for-human"] {
        assert!(flows.iter().any(|f| f.name == name), "flow {name} named");
    }
    for run in &runs {
        assert!(
            flows.iter().any(|f| f.id == run.flow_id),
            "the flow of run {} is named",
            run.id
        );
    }
    // The suspended runs were created from the harness's "nightly" deployment.
    let deployment_ids: Vec<_> = runs.iter().filter_map(|r| r.deployment_id).collect();
    assert!(
        !deployment_ids.is_empty(),
        "some runs come from a deployment"
    );
    let deployments = c
        .deployments_by_id::<Deployment>(deployment_ids.iter().copied())
        .await
        .expect("deployments");
    assert_eq!(deployments.len(), 1, "one deployment, asked once");
    assert_eq!(deployments[0].name, "nightly");
    assert_eq!(deployments[0].id, deployment_ids[0]);
    assert!(flows.iter().any(|f| f.id == deployments[0].flow_id));
    assert!(
        c.deployments_by_id::<Deployment>([])
            .await
            .expect("nothing asked")
            .is_empty()
    );

    // The console's names: the same ids and names, decoded without the rest; and those of
    // the flows and deployments that have a paused run (every flow and deployment of the
    // runs here, fewer than 200 of each).
    let named = |mut all: Vec<(Uuid, String)>| {
        all.sort();
        all
    };
    let flow_names = c
        .flows_by_id::<Named>(runs.iter().map(|r| r.flow_id))
        .await
        .expect("flow names");
    assert_eq!(
        named(flow_names.into_iter().map(|f| (f.id, f.name)).collect()),
        named(flows.iter().map(|f| (f.id, f.name.clone())).collect())
    );
    let deployment_names = c
        .deployments_by_id::<Named>(deployment_ids.iter().copied())
        .await
        .expect("deployment names");
    assert_eq!(
        deployment_names
            .iter()
            .map(|d| (d.id, d.name.as_str()))
            .collect::<Vec<_>>(),
        [(deployments[0].id, "nightly")]
    );
    let paused_flows = c
        .flow_names_with_paused_runs()
        .await
        .expect("flows with paused runs");
    for run in &runs {
        assert!(
            paused_flows.iter().any(|f| f.id == run.flow_id),
            "the flow of paused run {} is among those with a paused run",
            run.id
        );
    }
    assert_eq!(
        c.deployment_names_with_paused_runs()
            .await
            .expect("deployments with paused runs")
            .iter()
            .map(|d| d.name.as_str())
            .collect::<Vec<_>>(),
        ["nightly"]
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
