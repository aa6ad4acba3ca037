//! Property tests: arbitrary JSON and text fed to the model parsers, Python's JSON decoder
//! and the resume verdict never panic; they answer or return an error.
#![cfg(not(target_arch = "wasm32"))]

use chrono::{TimeZone, Utc};
use flowgate_core::run_input::{python_json, validate};
use flowgate_core::{
    FlowRun, FlowRunPage, OrchestrationResult, StoredSchema, parse, resume_verdict,
};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

const CASES: &str = include_str!("fixtures/resume_cases.json");

fn recorded(name: &str) -> Value {
    let cases: Vec<Value> = serde_json::from_str(CASES).expect("fixture");
    cases
        .into_iter()
        .find(|c| c["name"] == name)
        .expect("recorded case")
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "[a-z$_#/\\-]{0,8}".prop_map(Value::String),
        prop_oneof![
            Just("string"),
            Just("integer"),
            Just("object"),
            Just("array"),
            Just("null"),
            Just("type"),
            Just("properties"),
            Just("required"),
            Just("$ref"),
            Just("#"),
            Just("#/definitions/A"),
            Just("__prefect_kind"),
            Just("json"),
            Just("none"),
            Just("{\"a\": [1,"),
            Just("anyOf"),
            Just("items"),
            Just("definitions"),
        ]
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        "[a-z]{1,6}",
                        Just("type".to_owned()),
                        Just("properties".to_owned()),
                        Just("required".to_owned()),
                        Just("$ref".to_owned()),
                        Just("items".to_owned()),
                        Just("anyOf".to_owned()),
                        Just("definitions".to_owned()),
                        Just("__prefect_kind".to_owned()),
                        Just("value".to_owned()),
                        Just("default".to_owned()),
                        Just("additionalProperties".to_owned()),
                        Just("enum".to_owned()),
                        Just("minimum".to_owned()),
                        Just("pattern".to_owned()),
                    ],
                    inner,
                ),
                0..6,
            )
            .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Replaces the node at a pseudo-random position of `doc` with `replacement`.
fn graft(doc: &mut Value, mut pick: usize, replacement: Value) {
    fn nodes(v: &Value) -> usize {
        1 + match v {
            Value::Array(a) => a.iter().map(nodes).sum(),
            Value::Object(o) => o.values().map(nodes).sum(),
            _ => 0,
        }
    }
    fn walk(v: &mut Value, pick: &mut usize, replacement: &mut Option<Value>) {
        if *pick == 0 {
            if let Some(r) = replacement.take() {
                *v = r;
            }
            return;
        }
        *pick -= 1;
        match v {
            Value::Array(a) => a.iter_mut().for_each(|c| walk(c, pick, replacement)),
            Value::Object(o) => o.values_mut().for_each(|c| walk(c, pick, replacement)),
            _ => {}
        }
    }
    pick %= nodes(doc);
    walk(doc, &mut pick, &mut Some(replacement));
}

/// 512 cases per property in the test command; scripts/fuzz.sh sets PROPTEST_CASES higher.
fn budget() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(512);
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(budget())]

    #[test]
    fn parsers_never_panic(doc in json_value(), text in ".{0,64}") {
        let _ = parse::from_value::<FlowRun>("flow run", doc.clone());
        let _ = parse::from_value::<OrchestrationResult>("result", doc.clone());
        let _ = parse::from_value::<FlowRunPage>("page", doc.clone());
        let _ = parse::from_str::<FlowRun>("flow run", &text);
        let _ = python_json::loads(&text);
        let _ = python_json::loads(&doc.to_string());
    }

    #[test]
    fn damaged_runs_parse_or_fail_cleanly(pick in any::<usize>(), replacement in json_value()) {
        let mut run = recorded("input_wrong_type")["flow_run"].clone();
        graft(&mut run, pick, replacement);
        if let Ok(run) = parse::from_value::<FlowRun>("flow run", run) {
            let now = Utc.with_ymd_and_hms(2026, 11, 29, 0, 0, 0).single().expect("time");
            let _ = resume_verdict(&run, StoredSchema::Missing, Some(&json!({})), now);
        }
    }

    #[test]
    fn verdict_never_panics_on_any_input_or_schema(input in json_value(), schema in json_value(), pick in any::<usize>()) {
        let case = recorded("input_wrong_type");
        let run: FlowRun = parse::from_value("flow run", case["flow_run"].clone()).expect("run");
        let now = Utc.with_ymd_and_hms(2026, 11, 29, 0, 0, 0).single().expect("time");
        let real_schema: Value = serde_json::from_str(case["schema"].as_str().expect("schema")).expect("json");
        let mut damaged = real_schema.clone();
        graft(&mut damaged, pick, schema.clone());
        for candidate in [&real_schema, &schema, &damaged] {
            let _ = resume_verdict(&run, StoredSchema::Json(candidate), Some(&input), now);
            let _ = validate(&input, candidate);
        }
        let text = schema.to_string();
        let _ = resume_verdict(&run, StoredSchema::Text(&text), Some(&input), now);
    }
}

/// Policy files: lines drawn from real keys and values, damaged and shuffled, and arbitrary
/// text. Reading one answers a policy or an error naming a line within the file.
#[cfg(feature = "policy-file")]
mod policy_files {
    use flowgate_core::policy::{Person, Policy, PolicyCase, RunFacts, policy_verdict};
    use proptest::prelude::*;
    use serde_json::{Map, Value, json};

    fn line() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("[groups]".to_owned()),
            Just("[[rule]]".to_owned()),
            Just("[default]".to_owned()),
            Just("ops = [\"alice\", \"bob\"]".to_owned()),
            Just("sre = \"from-proxy\"".to_owned()),
            Just("name = \"r\"".to_owned()),
            Just("approvers = [\"group:ops\", \"carol\", \"*\"]".to_owned()),
            Just("rejecters = [\"group:sre\"]".to_owned()),
            Just("approvals = 2".to_owned()),
            Just("four_eyes = false".to_owned()),
            Just("tags = [\"release\"]".to_owned()),
            "[a-z_\\[\\]\"=:*, .0-9-]{0,24}",
        ]
    }

    fn labels() -> impl Strategy<Value = Map<String, Value>> {
        proptest::collection::vec(
            (
                prop_oneof![
                    Just("flowgate.approvers"),
                    Just("flowgate.rejecters"),
                    Just("flowgate.approvals"),
                    Just("flowgate.four_eyes"),
                    Just("flowgate.requester"),
                ],
                prop_oneof![
                    "[a-z:, *0-9-]{0,16}".prop_map(Value::String),
                    any::<i64>().prop_map(Value::from),
                    any::<bool>().prop_map(Value::Bool),
                    Just(json!(null)),
                ],
            ),
            0..4,
        )
        .prop_map(|pairs| pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    }

    proptest! {
        #![proptest_config(super::budget())]

        #[test]
        fn reading_a_policy_file_never_panics(lines in proptest::collection::vec(line(), 0..14), text in ".{0,80}") {
            let file = lines.join("\n");
            for candidate in [&file, &text] {
                match Policy::from_toml(candidate) {
                    Ok(policy) => {
                        // A policy the gate accepts decides any run without panicking.
                        let case = PolicyCase::new(&policy, RunFacts::default(), Person { user: "alice".into(), groups: vec!["sre".into()] }, vec![]);
                        let _ = policy_verdict(&case, Some(&json!({})));
                    }
                    Err(err) => {
                        let lines = candidate.lines().count().max(1);
                        prop_assert!(err.line.is_none_or(|l| l >= 1 && l <= lines + 1), "{err} for {candidate:?}");
                    }
                }
            }
        }

        #[test]
        fn verdicts_never_panic_on_any_labels(labels in labels(), input in super::json_value()) {
            let policy = Policy::from_toml("[groups]\nops = [\"a\"]\n[default]\napprovers = [\"*\"]\n").expect("policy");
            let run = RunFacts { labels, ..RunFacts::default() };
            let case = PolicyCase::new(&policy, run, Person::default(), vec![]);
            let _ = policy_verdict(&case, Some(&input));
        }
    }
}

/// Rules: any automation Prefect may hold reads as a rule, as one changed elsewhere, or as not
/// Flowgate's, and every rule that passes its checks reads back as itself; plans never panic.
mod rules {
    use chrono::{TimeZone, Utc};
    use flowgate_core::FlowRun;
    use flowgate_core::parse;
    use flowgate_core::rules::{
        ListedRule, Rule, RuleAction, Scope, automation_body, listed_rule, plan_for_run,
    };
    use flowgate_core::run_input::StoredSchema;
    use proptest::prelude::*;
    use serde_json::json;
    use uuid::Uuid;

    fn rule() -> impl Strategy<Value = Rule> {
        let action = prop_oneof![
            (any::<u128>(), ".{0,20}", ".{0,40}").prop_map(|(b, subject, body)| {
                RuleAction::Notify {
                    block: Uuid::from_u128(b),
                    subject,
                    body,
                }
            }),
            ".{0,40}".prop_map(|reason| RuleAction::Reject { reason }),
            Just(RuleAction::Resume),
        ];
        (
            ".{0,30}",
            any::<bool>(),
            proptest::option::of(0u64..40_000_000),
            proptest::collection::vec(any::<u128>(), 0..3),
            proptest::collection::vec("[a-z ]{0,8}", 0..3),
            action,
        )
            .prop_map(|(name, enabled, after, ids, tags, action)| Rule {
                id: None,
                name,
                enabled,
                scope: Scope {
                    flows: ids.iter().map(|n| Uuid::from_u128(*n)).collect(),
                    deployments: ids.iter().rev().map(|n| Uuid::from_u128(n ^ 1)).collect(),
                    tags,
                },
                after_seconds: after,
                action,
            })
    }

    proptest! {
        #![proptest_config(super::budget())]

        #[test]
        fn checked_rules_read_back_as_themselves(rule in rule()) {
            if rule.check().is_ok() {
                let mut stored = automation_body(&rule);
                stored["id"] = json!(Uuid::from_u128(7));
                // Names and reasons are stored trimmed.
                let action = match &rule.action {
                    RuleAction::Reject { reason } => RuleAction::Reject { reason: reason.trim().to_owned() },
                    other => other.clone(),
                };
                let expected = Rule { id: Some(Uuid::from_u128(7)), name: rule.name.trim().to_owned(), action, ..rule.clone() };
                prop_assert_eq!(listed_rule(&stored), Some(ListedRule::Rule { rule: expected }));
            }
        }

        #[test]
        fn any_automation_reads_without_panicking(rule in rule(), pick in any::<usize>(), replacement in super::json_value()) {
            let mut stored = automation_body(&rule);
            stored["id"] = json!(Uuid::from_u128(7));
            super::graft(&mut stored, pick, replacement.clone());
            let _ = listed_rule(&stored);
            let _ = listed_rule(&replacement);
        }

        #[test]
        fn plans_never_panic(rules in proptest::collection::vec(rule(), 0..4), schema in super::json_value()) {
            let run: FlowRun = parse::from_value("flow run", super::recorded("input_wrong_type")["flow_run"].clone()).expect("run");
            let now = Utc.with_ymd_and_hms(2026, 11, 29, 0, 0, 0).single().expect("time");
            let text = schema.to_string();
            for stored in [None, Some(StoredSchema::Json(&schema)), Some(StoredSchema::Text(&text))] {
                let _ = plan_for_run(&rules, &run, stored, now);
            }
        }
    }
}
