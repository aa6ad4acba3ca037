//! The connection: a server down or slow, and credentials wrong and right.

use flowgate_client::core::FlowRunFilter;
use flowgate_client::{Auth, Client, ClientError, ClientOptions};
use uuid::Uuid;
use wasm_bindgen_test::*;

use crate::support::*;

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
