//! The gate's request parsing under arbitrary requests: any method, path, identity headers
//! and body through the real router answer a status the README lists, with a JSON error
//! that says what is wrong — never a panic. Prefect is down here (nothing listens on its
//! port), so a request that parses all the way meets "Prefect could not be reached".
#![cfg(not(target_arch = "wasm32"))]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderValue, Method, Request};
use flowgate_gate::config::Config;
use flowgate_gate::gate::Gate;
use flowgate_gate::policy_store::PolicyStore;
use flowgate_gate::routes::{MAX_BODY, router};
use proptest::prelude::*;
use tower::ServiceExt;

fn gate() -> Arc<Gate> {
    let dir = std::env::temp_dir().join(format!("flowgate-gate-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let policy = dir.join("policy.toml");
    std::fs::write(&policy, "[default]\napprovers = [\"*\"]\n").expect("policy");
    let vars: HashMap<String, String> = [
        // Port 9 (discard): nothing answers, as when Prefect is down.
        (
            "FLOWGATE_GATE_PREFECT_API",
            "http://127.0.0.1:9/api".to_owned(),
        ),
        ("FLOWGATE_GATE_POLICY", policy.display().to_string()),
        (
            "FLOWGATE_GATE_SECRET",
            "0123456789abcdef0123456789abcdef".to_owned(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let config = Config::from_vars(&vars).expect("config");
    let store = Arc::new(PolicyStore::open(&config.policy).expect("policy"));
    Arc::new(Gate::new(config, store).expect("gate"))
}

fn path() -> impl Strategy<Value = String> {
    let id = prop_oneof![
        Just("5b2fef16-b6fd-4048-bf91-c59ed2f00e81".to_owned()),
        "[a-zA-Z0-9%._-]{0,40}",
    ];
    (
        prop_oneof![
            Just("/gate/flow_runs/{}/approve"),
            Just("/gate/flow_runs/{}/reject"),
            Just("/gate/flow_runs/{}/policy"),
            Just("/gate/deployments/{}/create_flow_run"),
            Just("/gate/capabilities"),
            Just("/gate/{}"),
            Just("/{}"),
        ],
        id,
    )
        .prop_map(|(template, id)| template.replace("{}", &id))
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..64),
        Just(b"{}".to_vec()),
        Just(br#"{"run_input": [1, 2]}"#.to_vec()),
        Just(br#"{"run_input": {"a": 1}, "extra": true}"#.to_vec()),
        Just(br#"{"reason": 5}"#.to_vec()),
        Just(br#"{"reason": ""}"#.to_vec()),
        "\\{\"(run_input|reason|runInput)\": [\\[\\]{}0-9\",a-z:]{0,20}\\}"
            .prop_map(String::into_bytes),
        Just(vec![b'x'; MAX_BODY + 1]),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(96),
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_request_gets_a_listed_status_and_a_json_error(
        method in prop_oneof![Just(Method::GET), Just(Method::POST), Just(Method::PUT), Just(Method::DELETE)],
        path in path(),
        user in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..12)),
        groups in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..20)),
        content_type in prop_oneof![Just("application/json"), Just("text/plain"), Just("")],
        body in body(),
        peer in prop_oneof![Just("127.0.0.1:5000"), Just("10.1.2.3:5000")],
    ) {
        prop_assume!(path.parse::<axum::http::Uri>().is_ok());
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        let (status, text) = runtime.block_on(async {
            let mut request = Request::builder().method(method).uri(&path);
            // Bytes no HTTP peer can send as a header value are left out.
            let value = |bytes: &Option<Vec<u8>>| bytes.as_deref().and_then(|b| HeaderValue::from_bytes(b).ok());
            if let Some(user) = value(&user) {
                request = request.header("x-forwarded-user", user);
            }
            if let Some(groups) = value(&groups) {
                request = request.header("x-forwarded-groups", groups);
            }
            if !content_type.is_empty() {
                request = request.header("content-type", content_type);
            }
            let mut request = request.body(Body::from(body.clone())).expect("request");
            let peer: SocketAddr = peer.parse().expect("peer");
            request.extensions_mut().insert(ConnectInfo(peer));
            let response = router(gate()).oneshot(request).await.expect("answer");
            let status = response.status().as_u16();
            let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body");
            (status, String::from_utf8_lossy(&bytes).into_owned())
        });
        prop_assert!([200, 201, 400, 401, 403, 404, 405, 409, 413, 415, 422, 502, 504].contains(&status), "{status} {path}: {text}");
        if status >= 400 && status != 405 {
            let error: serde_json::Value = serde_json::from_str(&text).map_err(|e| TestCaseError::fail(format!("{status} {path}: not JSON ({e}): {text}")))?;
            prop_assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()), "{status} {path}: {text}");
        }
    }
}

/// A request that parses all the way meets Prefect down: 502, saying so, nothing decided.
#[test]
fn prefect_down_is_a_502_that_says_so() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (status, text) = runtime.block_on(async {
        let mut request = Request::builder()
            .method(Method::POST)
            .uri("/gate/flow_runs/5b2fef16-b6fd-4048-bf91-c59ed2f00e81/approve")
            .header("x-forwarded-user", "alice")
            .header("content-type", "application/json")
            .body(Body::from("{}"))
            .expect("request");
        let peer: SocketAddr = "127.0.0.1:5000".parse().expect("peer");
        request.extensions_mut().insert(ConnectInfo(peer));
        let response = router(gate()).oneshot(request).await.expect("answer");
        let status = response.status().as_u16();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        (status, String::from_utf8_lossy(&bytes).into_owned())
    });
    assert_eq!(status, 502, "{text}");
    let error: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(error["error"], "prefect");
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("The gate could not finish with Prefect: Cannot reach the Prefect server at http://127.0.0.1:9/api/flow_runs/")),
        "{text}"
    );
}
