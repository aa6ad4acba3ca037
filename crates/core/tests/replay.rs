//! Replays every exchange the real-server suites recorded: the verdict computed offline from
//! the recorded run, schema, input and time, by the rules of the release that answered, must
//! equal the server's recorded answer, and every recorded document must round-trip
//! losslessly. Runs natively and in headless Chromium.
//!
//! `fixtures/resume_cases.json` and `fixtures/reject_cases.json` were captured from Prefect
//! 3.9.1, the release Flowgate is built against; `fixtures/releases/<version>/` from each
//! other release by `scripts/measure-versions.sh` (which records them as it measures).

use flowgate_core::{
    FlowRun, OrchestrationResult, ResumeVerdict, Searches, ServerRules, StoredSchema, parse,
    resume_verdict_with, timestamp,
};
use serde_json::Value;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// The exchanges one release answered: resume, then reject.
struct Recorded {
    version: &'static str,
    resume: &'static str,
    reject: &'static str,
}

/// Every release recorded: the one built for, then the others, oldest first.
macro_rules! releases {
    ($($version:literal),* $(,)?) => {
        &[
            Recorded {
                version: "3.9.1",
                resume: include_str!("fixtures/resume_cases.json"),
                reject: include_str!("fixtures/reject_cases.json"),
            },
            $(Recorded {
                version: $version,
                resume: include_str!(concat!("fixtures/releases/", $version, "/resume_cases.json")),
                reject: include_str!(concat!("fixtures/releases/", $version, "/reject_cases.json")),
            },)*
        ]
    };
}

const RELEASES: &[Recorded] = releases!["3.4.25", "3.5.0", "3.6.29", "3.7.8", "3.8.8"];

fn cases(text: &str) -> Vec<Value> {
    serde_json::from_str(text).expect("fixture is JSON")
}

/// The differences between the recorded resume answers of `release` and core's verdicts by
/// its rules; how many cases were compared.
fn replay_resumes(release: &Recorded) -> (Vec<String>, usize) {
    let rules = ServerRules::of_version_text(release.version);
    let version = release.version;
    let mut problems = Vec::new();
    let mut compared = 0;
    for case in &cases(release.resume) {
        let name = case["name"].as_str().expect("name");
        let run: FlowRun = parse::from_value("flow run", case["flow_run"].clone()).expect("run");
        let schema = match case["schema"].as_str() {
            Some(text) => StoredSchema::Text(text),
            None => StoredSchema::Missing,
        };
        let now = timestamp::parse(case["now"].as_str().expect("now")).expect("time");
        let status = case["response"]["status"].as_u64().expect("status") as u16;
        let body = &case["response"]["body"];
        let input = case["request"].get("run_input");
        match resume_verdict_with(&run, schema, input, now, Searches::HERE, rules) {
            ResumeVerdict::Answer(expected) => {
                let actual: OrchestrationResult =
                    parse::from_value("orchestration result", body.clone())
                        .unwrap_or_else(|err| panic!("{version} {name}: {err}"));
                for diff in expected.differences(status, &actual) {
                    problems.push(format!("{version} {name}: {diff}"));
                }
                compared += 1;
            }
            ResumeVerdict::HttpError {
                status: predicted,
                reason,
            } => {
                if predicted != status {
                    problems.push(format!(
                        "{version} {name}: predicted HTTP {predicted} ({reason}), got {status}"
                    ));
                }
                compared += 1;
            }
            ResumeVerdict::ServerDecides { reason, .. } => {
                if !name.ends_with("server_decides") {
                    problems.push(format!(
                        "{version} {name}: unexpectedly undecided: {reason}"
                    ));
                }
            }
        }
    }
    (problems, compared)
}

/// The differences between the recorded reject answers of `release` (both proposals, from
/// every kind of pause and runs no longer paused) and core's verdicts by its rules.
fn replay_rejects(release: &Recorded) -> (Vec<String>, usize) {
    let rules = ServerRules::of_version_text(release.version);
    let version = release.version;
    let cases = cases(release.reject);
    let mut problems = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().expect("name");
        let run: FlowRun = parse::from_value("flow run", case["flow_run"].clone()).expect("run");
        let now = timestamp::parse(case["now"].as_str().expect("now")).expect("time");
        let state = &case["request"]["state"];
        let proposed = flowgate_core::StateType::from_wire(state["type"].as_str().expect("type"));
        let expected = flowgate_core::cancel_verdict_on(
            &run,
            &proposed,
            state["message"].as_str(),
            now,
            rules,
        );
        let status = case["response"]["status"].as_u64().expect("status") as u16;
        let actual: OrchestrationResult =
            parse::from_value("orchestration result", case["response"]["body"].clone())
                .unwrap_or_else(|err| panic!("{version} {name}: {err}"));
        for diff in expected.differences(status, &actual) {
            problems.push(format!("{version} {name}: {diff}"));
        }
    }
    (problems, cases.len())
}

/// Every recorded run and orchestration result parses and serializes back unchanged.
fn round_trip_documents(release: &Recorded) {
    let version = release.version;
    for case in cases(release.resume).iter().chain(&cases(release.reject)) {
        let name = case["name"].as_str().expect("name");
        let run = &case["flow_run"];
        let parsed: FlowRun = parse::from_value("flow run", run.clone()).expect("parses");
        assert_eq!(
            &serde_json::to_value(&parsed).expect("json"),
            run,
            "{version} {name}: flow run"
        );
        let body = &case["response"]["body"];
        if body.get("status").is_some() {
            let parsed: OrchestrationResult =
                parse::from_value("orchestration result", body.clone()).expect("parses");
            assert_eq!(
                &serde_json::to_value(&parsed).expect("json"),
                body,
                "{version} {name}: result"
            );
        }
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn every_recorded_answer_is_predicted_exactly_for_its_release() {
    let mut problems = Vec::new();
    for release in RELEASES {
        let (mut resumes, compared) = replay_resumes(release);
        assert!(
            compared >= 50,
            "{}: only {compared} resume cases were compared",
            release.version
        );
        let (mut rejects, compared) = replay_rejects(release);
        assert!(
            compared >= 20,
            "{}: only {compared} reject cases were recorded",
            release.version
        );
        problems.append(&mut resumes);
        problems.append(&mut rejects);
    }
    assert!(
        problems.is_empty(),
        "{} differences:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn every_recorded_document_round_trips_losslessly() {
    for release in RELEASES {
        round_trip_documents(release);
    }
}

/// The releases differ where docs/prefect-versions.md says: replayed by 3.9.1's rules, the
/// older releases' recordings must show exactly those differences — so the replay above
/// cannot pass by predicting every release the same.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn releases_before_3_8_6_refuse_what_3_9_1_accepts() {
    let oldest = &RELEASES[1];
    assert_eq!(oldest.version, "3.4.25");
    let as_if_3_9_1 = Recorded {
        version: "3.9.1",
        ..*oldest
    };
    let (problems, _) = replay_rejects(&as_if_3_9_1);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("cannot transition to the StateType.CANCELLING state")),
        "3.4.25 recorded no refused CANCELLING: {problems:?}"
    );
}

/// Each recorded release is replayed: a directory `scripts/measure-versions.sh` wrote that
/// is not listed in RELEASES would otherwise be checked by nothing.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn every_recorded_release_is_replayed() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/releases");
    let mut found: Vec<String> = std::fs::read_dir(&dir)
        .expect("fixtures/releases is readable")
        .map(|entry| {
            entry
                .expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    found.sort();
    let mut listed: Vec<String> = RELEASES[1..].iter().map(|r| r.version.to_owned()).collect();
    listed.sort();
    assert_eq!(
        found, listed,
        "RELEASES in tests/replay.rs lists every recorded release"
    );
}
