//! The real Prefect server the harness started, for the live suites: requests with
//! retries where Prefect on SQLite is busy, lossless round trips, resume checks.
#![allow(dead_code)]

use std::sync::Mutex;

use chrono::Utc;
use flowgate_core::{FlowRun, OrchestrationResult, ResumeVerdict, StoredSchema};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

pub const NEEDS_SERVER: &str = "needs a real Prefect server: scripts/ci/real-server.sh starts one";

pub struct Server {
    pub api: String,
    pub runs: Value,
    pub record: Value,
    pub agent: ureq::Agent,
    /// The rules of the server's release, read from its `/admin/version` once.
    rules: std::cell::OnceCell<flowgate_core::ServerRules>,
}

pub fn server() -> Server {
    let path = std::env::var("FLOWGATE_HARNESS")
        .expect("FLOWGATE_HARNESS must name the harness.json of a running Prefect harness");
    let text = std::fs::read_to_string(&path).expect("harness.json is readable");
    let record: Value = serde_json::from_str(&text).expect("harness.json is JSON");
    // A connection for every request, none kept: after a 500 the server resets the connection
    // it kept alive, and the next request sent on it failed ("Connection reset by peer": a
    // POST in the differential corpus, after one of its unknown-id cases, in one CI run).
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_idle_connections(0)
        .max_idle_connections_per_host(0)
        .build()
        .into();
    Server {
        api: record["api_url"].as_str().expect("api_url").to_owned(),
        runs: record["runs"].clone(),
        record: record.clone(),
        agent,
        rules: std::cell::OnceCell::new(),
    }
}

static CAPTURED: Mutex<Vec<Value>> = Mutex::new(Vec::new());

/// With `FLOWGATE_CAPTURE=<dir>`, keeps `case` among the exchanges this suite writes to
/// `<dir>/<file>` as replay fixtures (`tests/replay.rs` reads them). The differential
/// corpus's exchanges (`oracle_…`) are not kept: some 400 a release, 2 MB, of a corpus that
/// is generated afresh where the suite runs.
pub fn capture(file: &str, case: Value) {
    if case["name"]
        .as_str()
        .is_some_and(|n| n.starts_with("oracle_"))
    {
        return;
    }
    if let Ok(dir) = std::env::var("FLOWGATE_CAPTURE") {
        let mut all = CAPTURED.lock().unwrap_or_else(|e| e.into_inner());
        all.push(case);
        all.sort_by_key(|c| c["name"].as_str().unwrap_or_default().to_owned());
        let text = serde_json::to_string_pretty(&*all).expect("serializable");
        std::fs::create_dir_all(&dir).expect("capture directory can be made");
        let path = std::path::Path::new(&dir).join(file);
        std::fs::write(path, text + "\n").expect("capture file is writable");
    }
}

/// Asserts that `body` parses as `T` and serializes back to an equal JSON value.
pub fn round_trip<T: DeserializeOwned + Serialize>(what: &'static str, body: &Value) -> T {
    let text = body.to_string();
    let parsed: T = flowgate_core::parse::from_str(what, &text)
        .unwrap_or_else(|err| panic!("{what} does not parse: {err}\n{text}"));
    let back = serde_json::to_value(&parsed).expect("serializable");
    assert_eq!(&back, body, "{what} did not round-trip losslessly");
    parsed
}

impl Server {
    /// The rules of this server's release, as its `/admin/version` says.
    pub fn rules(&self) -> flowgate_core::ServerRules {
        *self.rules.get_or_init(|| {
            let (status, body) = self.get("/admin/version");
            assert_eq!(status, 200, "/admin/version: {body}");
            let version: String = serde_json::from_str(&body).expect("a JSON string");
            flowgate_core::ServerRules::of_version_text(&version)
        })
    }

    pub fn run_id(&self, key: &str) -> String {
        self.runs[key]
            .as_str()
            .unwrap_or_else(|| panic!("harness has no run {key}"))
            .to_owned()
    }

    pub fn run_ids(&self, key: &str) -> Vec<String> {
        self.runs[key]
            .as_array()
            .unwrap_or_else(|| panic!("harness has no runs {key}"))
            .iter()
            .map(|id| id.as_str().expect("id").to_owned())
            .collect()
    }

    /// GETs are safe to retry (once, on a failure to send or receive).
    pub fn get(&self, path: &str) -> (u16, String) {
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

    pub fn post(&self, path: &str, body: &Value) -> (u16, String) {
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
    pub fn busy_retried(
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

    pub fn flow_run(&self, id: &str) -> (Value, FlowRun) {
        let (status, text) = self.get(&format!("/flow_runs/{id}"));
        assert_eq!(status, 200, "GET flow run {id}: {text}");
        let body: Value = serde_json::from_str(&text).expect("flow run JSON");
        let run = round_trip::<FlowRun>("flow run", &body);
        (body, run)
    }

    pub fn run_input(&self, id: &str, key: &str) -> Option<String> {
        let (status, text) = self.get(&format!("/flow_runs/{id}/input/{key}"));
        match status {
            200 => Some(text),
            404 => None,
            other => panic!("GET input {key}: {other} {text}"),
        }
    }

    /// Predicts, sends the real resume, compares. Returns the problems found.
    pub fn check(&self, name: &str, run: &str, body: Value) -> Vec<String> {
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
        let verdict = flowgate_core::resume_verdict_with(
            &flow_run,
            schema,
            body.get("run_input"),
            now,
            flowgate_core::Searches::HERE,
            self.rules(),
        );
        let (status, text) = self.post(&format!("/flow_runs/{run}/resume"), &body);
        let response: Value = serde_json::from_str(&text).unwrap_or(Value::String(text.clone()));
        capture(
            "resume_cases.json",
            json!({
                "name": name,
                "flow_run": run_body,
                "schema": schema_text,
                "request": body,
                "now": flowgate_core::timestamp::format(&now),
                "response": { "status": status, "body": response },
            }),
        );

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

    pub fn check_all(&self, run: &str, cases: Vec<(&str, Value)>) {
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
