//! Reject fidelity against a real Prefect server (the harness's; `scripts/test.sh` sets
//! `FLOWGATE_HARNESS`): every way a paused run can be ended, and runs that are no longer
//! paused, predicted by `cancel_verdict` / `reject_plan` and then sent for real as
//! `POST /flow_runs/{id}/set_state` with `force: false`. Prediction and answer must agree
//! on HTTP status, status, details type, reason and resulting state.
//!
//! Two cases run real flows: a run its deployment's runner started (`flows.py serve`),
//! whose process the runner stops, and a run paused in a plain process, which keeps
//! waiting until its pause times out and then marks the run Failed. Neither runs the code
//! after its pause. With `FLOWGATE_CAPTURE=<dir>` the exchanges are written out
//! to `<dir>/reject_cases.json`.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::process::{Child, Command};
use std::time::{Duration, Instant};

use chrono::Utc;
use flowgate_core::reject::{Aftermath, MAX_REASON_CHARS, ONLY_PAUSED};
use flowgate_core::{
    OrchestrationResult, StateType, cancel_verdict_on, reject_message, reject_plan_on, timestamp,
};
use serde_json::{Value, json};
use support::{NEEDS_SERVER, Server, capture, round_trip, server};

fn ok(s: &Server, path: &str, body: Value) -> Value {
    let (status, text) = s.post(path, &body);
    assert!(status < 300, "POST {path}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

fn force(s: &Server, run: &str, state: Value) {
    ok(
        s,
        &format!("/flow_runs/{run}/set_state"),
        json!({"state": state, "force": true}),
    );
}

struct Runs<'a> {
    s: &'a Server,
    flow: String,
    deployment: String,
}

impl<'a> Runs<'a> {
    fn new(s: &'a Server) -> Self {
        let flow = ok(s, "/flows/", json!({"name": "reject-gate"}))["id"]
            .as_str()
            .expect("flow id")
            .to_owned();
        let deployment = ok(
            s,
            "/deployments/",
            json!({"name": "reject-nightly", "flow_id": flow}),
        )["id"]
            .as_str()
            .expect("deployment id")
            .to_owned();
        Runs {
            s,
            flow,
            deployment,
        }
    }

    fn run(&self, name: &str, deployed: bool) -> String {
        let body = if deployed {
            ok(
                self.s,
                &format!("/deployments/{}/create_flow_run", self.deployment),
                json!({"name": name}),
            )
        } else {
            ok(
                self.s,
                "/flow_runs/",
                json!({"flow_id": self.flow, "name": name}),
            )
        };
        body["id"].as_str().expect("run id").to_owned()
    }

    /// A run paused through the API, as a flow would pause it.
    fn paused(&self, name: &str, deployed: bool, reschedule: bool, timeout_s: i64) -> String {
        let run = self.run(name, deployed);
        force(self.s, &run, json!({"type": "RUNNING", "name": "Running"}));
        let timeout = Utc::now() + chrono::Duration::seconds(timeout_s);
        force(
            self.s,
            &run,
            json!({"type": "PAUSED", "name": if reschedule { "Suspended" } else { "Paused" },
                   "state_details": {"pause_timeout": timestamp::format(&timeout),
                                     "pause_reschedule": reschedule, "pause_key": "reject"}}),
        );
        run
    }

    fn in_state(&self, name: &str, state_type: &str, state_name: &str) -> String {
        let run = self.run(name, false);
        if state_type != "SCHEDULED" {
            force(self.s, &run, json!({"type": "RUNNING", "name": "Running"}));
        }
        force(
            self.s,
            &run,
            json!({"type": state_type, "name": state_name}),
        );
        run
    }
}

/// Predicts, sends the real `set_state`, compares; returns the problems found.
fn check(s: &Server, name: &str, run: &str, proposed: StateType, message: &str) -> Vec<String> {
    let (run_body, flow_run) = s.flow_run(run);
    let now = Utc::now();
    let expected = cancel_verdict_on(&flow_run, &proposed, Some(message), now, s.rules());
    let body = json!({"state": {"type": proposed.to_string(),
                                "name": flowgate_core::reject::state_name(&proposed),
                                "message": message},
                      "force": false});
    let (status, text) = s.post(&format!("/flow_runs/{run}/set_state"), &body);
    let response: Value = serde_json::from_str(&text).unwrap_or(Value::String(text.clone()));
    capture(
        "reject_cases.json",
        json!({"name": name, "flow_run": run_body, "request": body,
                   "now": timestamp::format(&now),
                   "response": {"status": status, "body": response}}),
    );
    let result = round_trip::<OrchestrationResult>("orchestration result", &response);
    expected
        .differences(status, &result)
        .into_iter()
        .map(|p| format!("{name}: {p}"))
        .collect()
}

fn assert_none(problems: Vec<String>, total: usize) {
    assert!(
        problems.is_empty(),
        "{} of {total} reject predictions differ from the server:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
#[ignore = "needs a real Prefect server: scripts/ci/real-server.sh starts one"]
fn both_proposals_from_every_paused_kind_and_from_runs_no_longer_paused() {
    let _ = NEEDS_SERVER;
    let s = server();
    let runs = Runs::new(&s);
    let msg = "Rejected by ana: image tag not signed";
    let (cancelling, cancelled) = (StateType::Cancelling, StateType::Cancelled);
    let cases: Vec<(&str, String, StateType)> = vec![
        (
            "paused_cancelled",
            runs.paused("p1", false, false, 3600),
            cancelled.clone(),
        ),
        (
            "paused_cancelling",
            runs.paused("p2", false, false, 3600),
            cancelling.clone(),
        ),
        (
            "paused_deployed_cancelling",
            runs.paused("p3", true, false, 3600),
            cancelling.clone(),
        ),
        (
            "paused_deployed_cancelled",
            runs.paused("p4", true, false, 3600),
            cancelled.clone(),
        ),
        (
            "suspended_cancelled",
            runs.paused("s1", true, true, 3600),
            cancelled.clone(),
        ),
        (
            "suspended_cancelling",
            runs.paused("s2", true, true, 3600),
            cancelling.clone(),
        ),
        (
            "suspended_orphan_cancelled",
            runs.paused("s3", false, true, 3600),
            cancelled.clone(),
        ),
        (
            "suspended_orphan_cancelling",
            runs.paused("s4", false, true, 3600),
            cancelling.clone(),
        ),
        (
            "timed_out_cancelled",
            runs.paused("t1", false, false, 1),
            cancelled.clone(),
        ),
        (
            "timed_out_cancelling",
            runs.paused("t2", false, false, 1),
            cancelling.clone(),
        ),
        (
            "suspended_timed_out_cancelled",
            runs.paused("t3", true, true, 1),
            cancelled.clone(),
        ),
        (
            "suspended_timed_out_cancelling",
            runs.paused("t4", true, true, 1),
            cancelling.clone(),
        ),
        (
            "completed_cancelling",
            runs.in_state("c1", "COMPLETED", "Completed"),
            cancelling.clone(),
        ),
        (
            "completed_cancelled",
            runs.in_state("c2", "COMPLETED", "Completed"),
            cancelled.clone(),
        ),
        (
            "running_cancelling",
            runs.in_state("r1", "RUNNING", "Running"),
            cancelling.clone(),
        ),
        (
            "scheduled_cancelling",
            runs.in_state("r2", "SCHEDULED", "Scheduled"),
            cancelling.clone(),
        ),
        (
            "cancelling_cancelling",
            runs.in_state("r3", "CANCELLING", "Cancelling"),
            cancelling.clone(),
        ),
        (
            "cancelling_cancelled",
            runs.in_state("r4", "CANCELLING", "Cancelling"),
            cancelled.clone(),
        ),
    ];
    // Let the one-second pauses time out.
    std::thread::sleep(Duration::from_millis(1500));
    let total = cases.len();
    let mut problems = Vec::new();
    for (name, run, proposed) in cases {
        problems.extend(check(&s, name, &run, proposed, msg));
    }
    assert_none(problems, total);
}

#[test]
#[ignore = "needs a real Prefect server: scripts/ci/real-server.sh starts one"]
fn the_plan_ends_every_paused_kind_cancelled_as_predicted() {
    let s = server();
    let runs = Runs::new(&s);
    let message = reject_message(Some("ana"), "  image tag not signed ").expect("a reason");
    assert_eq!(message, "Rejected by ana: image tag not signed");
    // (name, run, proposal the plan must choose, whether the message survives, state after)
    let cases = vec![
        (
            "plan_paused",
            runs.paused("pp1", false, false, 3600),
            StateType::Cancelled,
            true,
            StateType::Cancelled,
        ),
        // Before Prefect 3.8.6 a paused run cannot go to CANCELLING: the plan ends it
        // CANCELLED, as a run without a deployment.
        if s.rules().paused_may_cancel_through_cancelling {
            (
                "plan_deployed",
                runs.paused("pp2", true, false, 3600),
                StateType::Cancelling,
                true,
                StateType::Cancelling,
            )
        } else {
            (
                "plan_deployed",
                runs.paused("pp2", true, false, 3600),
                StateType::Cancelled,
                true,
                StateType::Cancelled,
            )
        },
        (
            "plan_suspended",
            runs.paused("pp3", true, true, 3600),
            StateType::Cancelled,
            true,
            StateType::Cancelled,
        ),
        (
            "plan_orphan",
            runs.paused("pp4", false, true, 3600),
            StateType::Cancelling,
            false,
            StateType::Cancelled,
        ),
        (
            "plan_timed_out",
            runs.paused("pp5", false, false, 1),
            StateType::Cancelled,
            false,
            StateType::Failed,
        ),
        (
            "plan_suspended_timed_out",
            runs.paused("pp6", true, true, 1),
            StateType::Cancelling,
            false,
            StateType::Cancelled,
        ),
    ];
    std::thread::sleep(Duration::from_millis(1500));
    let total = cases.len();
    let mut problems = Vec::new();
    for (name, run, proposal, keeps, after) in cases {
        let (_, flow_run) = s.flow_run(&run);
        let plan =
            reject_plan_on(&flow_run, &message, Utc::now(), s.rules()).expect("a paused run");
        if plan.proposed != proposal || plan.keeps_message != keeps {
            problems.push(format!(
                "{name}: planned {} (keeps message: {}), meant {proposal} ({keeps})",
                plan.proposed, plan.keeps_message
            ));
            continue;
        }
        problems.extend(check(&s, name, &run, plan.proposed.clone(), &message));
        let (_, now) = s.flow_run(&run);
        let state = now.state.expect("a state");
        if state.state_type != after {
            problems.push(format!(
                "{name}: the run is {} after the reject, meant {after}",
                state.state_type
            ));
        }
        if keeps && state.message.as_deref() != Some(message.as_str()) {
            problems.push(format!("{name}: the state message is {:?}", state.message));
        }
    }
    assert_none(problems, total);

    // Runs that are no longer paused are refused before anything is sent.
    let done = runs.in_state("pp7", "COMPLETED", "Completed");
    let (_, flow_run) = s.flow_run(&done);
    let refused =
        reject_plan_on(&flow_run, &message, Utc::now(), s.rules()).expect_err("not paused");
    assert_eq!(refused, format!("{ONLY_PAUSED}; this one is Completed."));
    assert!(reject_message(None, " \n").is_err());
    assert!(reject_message(None, &"x".repeat(MAX_REASON_CHARS + 1)).is_err());
    assert_eq!(
        reject_message(Some(" "), "no").as_deref(),
        Ok("Rejected: no")
    );
}

/// A process started by the test, killed (with its children) when dropped.
struct Started(Child);

impl Drop for Started {
    fn drop(&mut self) {
        // The process group the child leads: the runner's flow processes too.
        let _ = Command::new("kill")
            .args(["-TERM", "--", &format!("-{}", self.0.id())])
            .status();
        let _ = self.0.wait();
    }
}

fn flows(s: &Server, args: &[&str]) -> Started {
    use std::os::unix::process::CommandExt;
    let python = s.record["python"]
        .as_str()
        .expect("harness.json names its python");
    let script = s.record["flows"]
        .as_str()
        .expect("harness.json names flows.py");
    let child = Command::new(python)
        .arg(script)
        .args(args)
        .env("PREFECT_API_URL", &s.api)
        .env("PREFECT_RUNNER_POLL_FREQUENCY", "2")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .process_group(0)
        .spawn()
        .expect("python starts");
    Started(child)
}

fn wait_for(what: &str, seconds: u64, mut done: impl FnMut() -> Option<String>) -> String {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    loop {
        if let Some(found) = done() {
            return found;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(300));
    }
}

fn state_of(s: &Server, run: &str) -> (StateType, Option<String>) {
    let (_, flow_run) = s.flow_run(run);
    let state = flow_run.state.expect("a state");
    (state.state_type, state.message)
}

fn history(s: &Server, run: &str) -> Vec<String> {
    let (status, text) = s.get(&format!("/flow_run_states/?flow_run_id={run}"));
    assert_eq!(status, 200, "{text}");
    let states: Vec<Value> = serde_json::from_str(&text).expect("states");
    states
        .iter()
        .map(|st| st["type"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
#[ignore = "needs a real Prefect server: scripts/ci/real-server.sh starts one"]
fn a_runner_stops_the_rejected_process_and_the_run_ends_cancelled() {
    let s = server();
    if !s.rules().paused_may_cancel_through_cancelling {
        // Before Prefect 3.8.6 the plan cannot ask a runner to stop the process (a paused
        // run cannot go to CANCELLING); the_plan_ends_every_paused_kind_cancelled_as_predicted
        // covers what it does instead.
        eprintln!("skipped: this server's release lets no paused run go to CANCELLING");
        return;
    }
    let dir = std::env::temp_dir().join(format!("flowgate-served-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let id_file = dir.join("served.id");
    let _runner = flows(&s, &["serve", id_file.to_str().expect("utf-8"), "600"]);
    let deployment = wait_for("the runner's deployment", 120, || {
        let (_, text) = s.post(
            "/deployments/filter",
            &json!({"deployments": {"name": {"any_": ["served-gate"]}}}),
        );
        let found: Value = serde_json::from_str(&text).ok()?;
        found[0]["id"].as_str().map(str::to_owned)
    });
    let run = ok(
        &s,
        &format!("/deployments/{deployment}/create_flow_run"),
        json!({"name": "served-reject"}),
    )["id"]
        .as_str()
        .expect("run id")
        .to_owned();
    wait_for("the served run to pause", 120, || {
        (state_of(&s, &run).0 == StateType::Paused).then(String::new)
    });
    let (_, flow_run) = s.flow_run(&run);
    let message = reject_message(Some("ana"), "served, then rejected").expect("reason");
    let plan = reject_plan_on(&flow_run, &message, Utc::now(), s.rules()).expect("paused");
    assert_eq!(plan.proposed, StateType::Cancelling);
    assert_eq!(plan.aftermath, Aftermath::StoppedByRunner);
    assert_none(check(&s, "served_plan", &run, plan.proposed, &message), 1);
    let final_message = wait_for("the runner to cancel the run", 90, || {
        let (state, message) = state_of(&s, &run);
        (state == StateType::Cancelled).then(|| message.unwrap_or_default())
    });
    assert_eq!(final_message, "Flow run was cancelled successfully.");
    // The code after the pause would complete the run; it never ran.
    let kinds = history(&s, &run);
    let paused_at = kinds
        .iter()
        .rposition(|k| k == "PAUSED")
        .expect("paused once");
    assert_eq!(
        kinds[paused_at + 1..],
        ["CANCELLING", "CANCELLED"],
        "history: {kinds:?}"
    );
}

#[test]
#[ignore = "needs a real Prefect server: scripts/ci/real-server.sh starts one"]
fn a_process_without_a_runner_idles_until_its_pause_times_out_then_fails_the_run() {
    let s = server();
    let dir = std::env::temp_dir().join(format!("flowgate-idle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let id_file = dir.join("idle.id");
    let mut process = flows(&s, &["plain", id_file.to_str().expect("utf-8"), "30"]);
    let run = wait_for("the flow to start", 120, || {
        std::fs::read_to_string(&id_file)
            .ok()
            .filter(|t| !t.trim().is_empty())
    });
    wait_for("the run to pause", 60, || {
        (state_of(&s, &run).0 == StateType::Paused).then(String::new)
    });
    let (_, flow_run) = s.flow_run(&run);
    let message = reject_message(Some("ana"), "idle, then rejected").expect("reason");
    let plan = reject_plan_on(&flow_run, &message, Utc::now(), s.rules()).expect("paused");
    assert_eq!(plan.proposed, StateType::Cancelled);
    let Aftermath::IdleUntil { until, then_failed } = plan.aftermath else {
        panic!("planned {:?}", plan.aftermath);
    };
    assert_none(check(&s, "idle_plan", &run, plan.proposed, &message), 1);
    assert_eq!(
        state_of(&s, &run),
        (StateType::Cancelled, Some(message.clone()))
    );
    // Still waiting: the process has not exited while its pause lasts.
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        process.0.try_wait().expect("status").is_none(),
        "the process exited early"
    );
    let left = (until - Utc::now()).num_seconds().max(0) as u64;
    let exit = wait_for("the process to give up", left + 60, || {
        process.0.try_wait().expect("status").map(|s| s.to_string())
    });
    assert!(
        Utc::now() >= until,
        "exited ({exit}) before its pause timed out"
    );
    let (state, failed) = state_of(&s, &run);
    match then_failed {
        Some(true) => {
            assert_eq!(state, StateType::Failed, "{failed:?}");
            assert!(failed.unwrap_or_default().contains("FlowPauseTimeout"));
        }
        // Up to Prefect 3.6.11 the process gives up without a word.
        Some(false) => assert_eq!(state, StateType::Cancelled, "{failed:?}"),
        // Not measured for this release: what it does is printed for the record.
        None => eprintln!("this release leaves the idle run {state}"),
    }
    let kinds = history(&s, &run);
    assert!(
        !kinds.contains(&"COMPLETED".to_owned()),
        "history: {kinds:?}"
    );
}
