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
//! With `FLOWGATE_CAPTURE=<file>` the exchanges are written out as replay fixtures
//! (`tests/fixtures/resume_cases.json` was made this way).
#![cfg(not(target_arch = "wasm32"))]

use std::sync::Mutex;

use chrono::Utc;
use flowgate_core::{FlowRun, OrchestrationResult, ResumeVerdict, StoredSchema, resume_verdict};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

const NEEDS_SERVER: &str = "needs a real Prefect server: scripts/test.sh starts one";

struct Server {
    api: String,
    runs: Value,
    agent: ureq::Agent,
}

fn server() -> Server {
    let path = std::env::var("FLOWGATE_HARNESS")
        .expect("FLOWGATE_HARNESS must name the harness.json of a running Prefect harness");
    let text = std::fs::read_to_string(&path).expect("harness.json is readable");
    let record: Value = serde_json::from_str(&text).expect("harness.json is JSON");
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    Server {
        api: record["api_url"].as_str().expect("api_url").to_owned(),
        runs: record["runs"].clone(),
        agent,
    }
}

static CAPTURED: Mutex<Vec<Value>> = Mutex::new(Vec::new());

fn capture(case: Value) {
    if let Ok(path) = std::env::var("FLOWGATE_CAPTURE") {
        let mut all = CAPTURED.lock().unwrap_or_else(|e| e.into_inner());
        all.push(case);
        all.sort_by_key(|c| c["name"].as_str().unwrap_or_default().to_owned());
        let text = serde_json::to_string_pretty(&*all).expect("serializable");
        std::fs::write(path, text + "\n").expect("capture file is writable");
    }
}

/// Asserts that `body` parses as `T` and serializes back to an equal JSON value.
fn round_trip<T: DeserializeOwned + Serialize>(what: &'static str, body: &Value) -> T {
    let text = body.to_string();
    let parsed: T = flowgate_core::parse::from_str(what, &text)
        .unwrap_or_else(|err| panic!("{what} does not parse: {err}\n{text}"));
    let back = serde_json::to_value(&parsed).expect("serializable");
    assert_eq!(&back, body, "{what} did not round-trip losslessly");
    parsed
}

impl Server {
    fn run_id(&self, key: &str) -> String {
        self.runs[key]
            .as_str()
            .unwrap_or_else(|| panic!("harness has no run {key}"))
            .to_owned()
    }

    fn run_ids(&self, key: &str) -> Vec<String> {
        self.runs[key]
            .as_array()
            .unwrap_or_else(|| panic!("harness has no runs {key}"))
            .iter()
            .map(|id| id.as_str().expect("id").to_owned())
            .collect()
    }

    /// GETs are safe to retry: after a 500 the server resets the kept-alive connection,
    /// and the next request on it fails once.
    fn get(&self, path: &str) -> (u16, String) {
        let url = format!("{}{path}", self.api);
        self.busy_retried(
            || {
                self.agent
                    .get(&url)
                    .call()
                    .or_else(|_| self.agent.get(&url).call())
            },
            path,
        )
    }

    fn post(&self, path: &str, body: &Value) -> (u16, String) {
        let url = format!("{}{path}", self.api);
        self.busy_retried(
            || {
                self.agent
                    .post(&url)
                    .header("content-type", "application/json")
                    .send(body.to_string())
            },
            path,
        )
    }

    /// Sends, re-sending only on 503: Prefect on SQLite answers it while another writer
    /// holds the database, and has then done nothing.
    fn busy_retried(
        &self,
        send: impl Fn() -> Result<ureq::http::Response<ureq::Body>, ureq::Error>,
        path: &str,
    ) -> (u16, String) {
        for attempt in 1..=8 {
            let mut response = send().unwrap_or_else(|err| panic!("{path}: {err}"));
            let status = response.status().as_u16();
            let text = response.body_mut().read_to_string().expect("body");
            if status != 503 || attempt == 8 {
                return (status, text);
            }
            std::thread::sleep(std::time::Duration::from_millis(150 * attempt));
        }
        unreachable!("the loop returns on its last attempt")
    }

    fn flow_run(&self, id: &str) -> (Value, FlowRun) {
        let (status, text) = self.get(&format!("/flow_runs/{id}"));
        assert_eq!(status, 200, "GET flow run {id}: {text}");
        let body: Value = serde_json::from_str(&text).expect("flow run JSON");
        let run = round_trip::<FlowRun>("flow run", &body);
        (body, run)
    }

    fn run_input(&self, id: &str, key: &str) -> Option<String> {
        let (status, text) = self.get(&format!("/flow_runs/{id}/input/{key}"));
        match status {
            200 => Some(text),
            404 => None,
            other => panic!("GET input {key}: {other} {text}"),
        }
    }

    /// Predicts, sends the real resume, compares. Returns the problems found.
    fn check(&self, name: &str, run: &str, body: Value) -> Vec<String> {
        let (run_body, flow_run) = self.flow_run(run);
        let keyset = flow_run
            .state
            .as_ref()
            .and_then(|s| s.state_details.requested_input_keyset())
            .cloned();
        let schema_text = keyset
            .as_ref()
            .and_then(|k| k.get("schema"))
            .and_then(|key| self.run_input(run, key));
        let schema = match &schema_text {
            Some(text) => StoredSchema::Text(text),
            None => StoredSchema::Missing,
        };
        let now = Utc::now();
        let verdict = resume_verdict(&flow_run, schema, body.get("run_input"), now);
        let (status, text) = self.post(&format!("/flow_runs/{run}/resume"), &body);
        let response: Value = serde_json::from_str(&text).unwrap_or(Value::String(text.clone()));
        capture(json!({
            "name": name,
            "flow_run": run_body,
            "schema": schema_text,
            "request": body,
            "now": flowgate_core::timestamp::format(&now),
            "response": { "status": status, "body": response },
        }));

        let mut problems = Vec::new();
        // Case names state intent, so a case cannot pass vacuously (e.g. an "accept" case
        // run on a run some earlier case already resumed).
        let predicted = match &verdict {
            ResumeVerdict::Answer(expected) => expected.status.to_string(),
            ResumeVerdict::HttpError { status, .. } => format!("HTTP {status}"),
            ResumeVerdict::ServerDecides { .. } => "server decides".into(),
        };
        for (suffix, meant) in [
            ("_accept", "ACCEPT"),
            ("_invalid", "REJECT"),
            ("not_paused", "ABORT"),
            ("server_decides", "server decides"),
        ] {
            if name.ends_with(suffix) && predicted != meant {
                problems.push(format!("meant to be {meant}, predicted {predicted}"));
            }
        }
        match &verdict {
            ResumeVerdict::Answer(expected) => {
                if status != 200 && status != 201 {
                    problems.push(format!(
                        "expected an orchestration result, got HTTP {status}: {text}"
                    ));
                    return problems;
                }
                let result = round_trip::<OrchestrationResult>("orchestration result", &response);
                problems.extend(expected.differences(status, &result));
                if let (Some(stored), Some(keyset)) = (&expected.stored_input, &keyset) {
                    let key = keyset.get("response").expect("response key");
                    let got = self
                        .run_input(run, key)
                        .map(|t| serde_json::from_str::<Value>(&t));
                    match got {
                        Some(Ok(value)) if &value == stored => {}
                        other => problems.push(format!(
                            "stored input: predicted {stored}, server has {other:?}"
                        )),
                    }
                }
            }
            ResumeVerdict::HttpError {
                status: expected,
                reason,
            } => {
                if status != *expected {
                    problems.push(format!(
                        "predicted HTTP {expected} ({reason}), got {status}: {text}"
                    ));
                }
            }
            ResumeVerdict::ServerDecides { .. } => {}
        }
        problems
            .into_iter()
            .map(|p| format!("{name}: {p}"))
            .collect()
    }

    fn check_all(&self, run: &str, cases: Vec<(&str, Value)>) {
        let total = cases.len();
        let mut problems = Vec::new();
        for (name, body) in cases {
            problems.extend(self.check(name, run, body));
        }
        assert!(
            problems.is_empty(),
            "{} of {total} predictions differ from the server:\n{}",
            problems.len(),
            problems.join("\n")
        );
    }
}

fn valid_approval() -> Value {
    json!({"approver": "ana", "count": 2, "level": "high", "address": {"city": "Oslo"}, "tags": ["x"]})
}

#[test]
#[ignore = "needs a real Prefect server: scripts/test.sh starts one"]
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
#[ignore = "needs a real Prefect server: scripts/test.sh starts one"]
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
#[ignore = "needs a real Prefect server: scripts/test.sh starts one"]
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
#[ignore = "needs a real Prefect server: scripts/test.sh starts one"]
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
#[ignore = "needs a real Prefect server: scripts/test.sh starts one"]
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
#[ignore = "needs a real Prefect server: scripts/test.sh starts one"]
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
#[ignore = "needs a real Prefect server: scripts/test.sh starts one"]
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
#[ignore = "needs a real Prefect server: scripts/test.sh starts one"]
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
#[ignore = "needs a real Prefect server and the oracle corpus: scripts/test.sh provides both"]
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
