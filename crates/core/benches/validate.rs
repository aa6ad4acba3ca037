#![allow(missing_docs)] // criterion_group! and criterion_main! generate undocumented items.

//! How long one keystroke's verdict takes: hydration, Prefect's schema preprocessing,
//! compiling and validating — what `resume_verdict` does for a run that asked for input.
//! `scripts/bench.sh` prints this beside the same work in wasm (Node) and in Prefect's
//! Python validator, with ratios.

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use chrono::{TimeZone, Utc};
    use criterion::{Criterion, criterion_group};
    use flowgate_core::run_input::validate;
    use flowgate_core::{FlowRun, StoredSchema, parse, resume_verdict};
    use serde_json::Value;

    const DATA: &str = include_str!("approval.json");
    const RECORDED: &str = include_str!("../tests/fixtures/resume_cases.json");

    pub(super) fn bench(c: &mut Criterion) {
        let data: Value = serde_json::from_str(DATA).expect("bench data");
        let schema_text = data["schema"].as_str().expect("schema").to_owned();
        let schema: Value = serde_json::from_str(&schema_text).expect("schema json");
        let recorded: Vec<Value> = serde_json::from_str(RECORDED).expect("fixture");
        let run = recorded
            .iter()
            .find(|c| c["name"] == "input_wrong_type")
            .expect("run");
        let run: FlowRun = parse::from_value("flow run", run["flow_run"].clone()).expect("run");
        let now = Utc
            .with_ymd_and_hms(2026, 11, 28, 0, 0, 0)
            .single()
            .expect("time");

        // Two schemas that differ only in their title, used in turn, so every check misses the
        // one-entry compile cache: the cost of a schema seen for the first time.
        let other_text =
            schema_text.replacen("\"title\":\"Approval\"", "\"title\":\"Approval2\"", 1);
        assert_ne!(
            other_text, schema_text,
            "the bench schema has a title to vary"
        );
        let texts = [schema_text.clone(), other_text];
        for case in ["valid", "invalid"] {
            let input = data[case].clone();
            let mut turn = 0usize;
            c.bench_function(&format!("cold_{case}"), |b| {
                b.iter(|| {
                    turn += 1;
                    resume_verdict(
                        &run,
                        StoredSchema::Text(&texts[turn % 2]),
                        Some(&input),
                        now,
                    )
                })
            });
        }
        for case in ["valid", "invalid"] {
            let input = data[case].clone();
            c.bench_function(&format!("verdict_{case}"), |b| {
                b.iter(|| resume_verdict(&run, StoredSchema::Text(&schema_text), Some(&input), now))
            });
            c.bench_function(&format!("validate_{case}"), |b| {
                b.iter(|| validate(&input, &schema))
            });
        }
    }

    criterion_group!(benches, bench);
}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(native::benches);

/// Criterion measures natively; `scripts/bench.sh` times the wasm build in Node.
#[cfg(target_arch = "wasm32")]
fn main() {}
