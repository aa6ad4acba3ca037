//! Differential test against Prefect's own validator.
//!
//! `scripts/oracle/prefect_oracle.py` (run by `scripts/ci/differential.sh` with prefect 3.9.1) builds
//! schemas from real pydantic `RunInput` models, generates valid and damaged inputs, and
//! records the verdict `prefect.utilities.schema_tools` gives for each, as the resume
//! endpoint forms it. Here every case goes through [`resume_verdict_with`], by the rules of the release that made the corpus, for a run paused with
//! an input keyset; status and reason must be identical (and on ACCEPT, the input stored;
//! on a validation REJECT, where its error points: instance path, schema path, keyword).
//! The test prints the agreement figure and the first differences.
#![cfg(not(target_arch = "wasm32"))]

use flowgate_core::ServerRules;
use flowgate_core::run_input::{InputCheck, Searches, check_run_input_with};
use flowgate_core::{
    FlowRun, ResumeVerdict, SetStateStatus, StoredSchema, parse, resume_verdict_with, timestamp,
};
use serde_json::{Value, json};

/// Cases known to differ, by name, each with the reason. Empty: the goal is zero.
const KNOWN_MISMATCHES: &[(&str, &str)] = &[];

const RECORDED: &str = include_str!("fixtures/resume_cases.json");

#[test]
#[ignore = "needs Prefect's validator: scripts/ci/differential.sh generates the corpus"]
fn verdicts_match_prefects_validator() {
    let path = std::env::var("FLOWGATE_ORACLE_CORPUS")
        .expect("FLOWGATE_ORACLE_CORPUS must name a corpus from scripts/oracle/prefect_oracle.py");
    let corpus: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("corpus readable"))
            .expect("corpus is JSON");
    // The release whose validator made the corpus (`scripts/measure-versions.sh` makes one
    // with each release's): its rules, as hydration differs before 3.6.24.
    let rules =
        ServerRules::of_version_text(corpus["prefect_version"].as_str().unwrap_or_default());

    // A run paused with an input keyset, as the real server recorded it.
    let recorded: Vec<Value> = serde_json::from_str(RECORDED).expect("fixture");
    let case = recorded
        .iter()
        .find(|c| c["name"] == "input_wrong_type")
        .expect("recorded run");
    let run: FlowRun = parse::from_value("flow run", case["flow_run"].clone()).expect("run");
    let now = timestamp::parse(case["now"].as_str().expect("now")).expect("time");

    let cases = corpus["cases"].as_array().expect("cases");
    assert!(
        cases.len() >= 2000,
        "the corpus must hold at least 2,000 cases, has {}",
        cases.len()
    );
    let mut agree = 0;
    let mut differences = Vec::new();
    let mut known = 0;
    for case in cases {
        let name = case["name"].as_str().expect("name");
        let schema = corpus["schemas"][case["schema"].as_str().expect("schema")]
            .as_str()
            .expect("text");
        let expected = &case["expected"];
        let verdict = resume_verdict_with(
            &run,
            StoredSchema::Text(schema),
            Some(&case["input"]),
            now,
            Searches::HERE,
            rules,
        );
        let got = match &verdict {
            ResumeVerdict::Answer(a) if a.status == SetStateStatus::Accept => {
                format!(
                    "ACCEPT stored={}",
                    a.stored_input.clone().unwrap_or(Value::Null)
                )
            }
            ResumeVerdict::Answer(a) => {
                format!("{} {}", a.status, a.reason.clone().unwrap_or_default())
            }
            ResumeVerdict::HttpError { status, .. } => format!("HTTP {status}"),
            ResumeVerdict::ServerDecides { reason, .. } => format!("server decides: {reason}"),
        };
        let want = match expected["status"].as_str().expect("status") {
            "ACCEPT" => {
                let stored = &expected["stored"];
                let truthy = match stored {
                    Value::Object(m) => !m.is_empty(),
                    Value::Null => false,
                    _ => true,
                };
                format!(
                    "ACCEPT stored={}",
                    if truthy { stored.clone() } else { Value::Null }
                )
            }
            "HTTP 500" => "HTTP 500".to_owned(),
            status => format!(
                "{status} {}",
                expected["reason"].as_str().unwrap_or_default()
            ),
        };
        // Where the error the reason names points: the instance path, the schema path and
        // the keyword of jsonschema's best match, as Python has them.
        let (got, want) = match (&expected["cause"], case["input"].as_object()) {
            (cause @ Value::Object(_), Some(input)) => {
                let ours = match check_run_input_with(
                    input,
                    Some(StoredSchema::Text(schema)),
                    Searches::HERE,
                    rules,
                ) {
                    InputCheck::Rejected {
                        cause: Some(cause), ..
                    } => json!({
                        "instance_path": cause.instance_path,
                        "schema_path": cause.schema_path,
                        "keyword": cause.keyword.as_str(),
                    }),
                    other => json!(format!("{other:?}")),
                };
                (format!("{got} at {ours}"), format!("{want} at {cause}"))
            }
            _ => (got, want),
        };
        if got == want {
            agree += 1;
        } else if KNOWN_MISMATCHES
            .iter()
            .any(|(known_name, _)| *known_name == name)
        {
            known += 1;
        } else {
            differences.push(format!(
                "{name}\n  input:      {}\n  prefect:    {want}\n  flowgate:   {got}",
                case["input"]
            ));
        }
    }
    let total = cases.len();
    eprintln!(
        "differential vs prefect {}: {agree}/{total} identical ({:.2}%), {known} known mismatches, {} differences",
        corpus["prefect_version"],
        100.0 * agree as f64 / total as f64,
        differences.len()
    );
    for (name, reason) in KNOWN_MISMATCHES {
        eprintln!("known mismatch {name}: {reason}");
    }
    assert!(
        differences.is_empty(),
        "{} of {total} verdicts differ from Prefect's; the first:\n{}",
        differences.len(),
        differences
            .iter()
            .take(15)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
