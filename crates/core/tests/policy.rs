//! The gate's policy verdict, case by case, natively and in headless Chromium: the gate
//! enforces with the native build, the console and the npm package show the wasm build's
//! verdict before sending, and both must say the same, to the word.

use std::collections::BTreeMap;

use chrono::DateTime;
use flowgate_core::policy::{
    Approval, Group, Permission, Person, Policy, PolicyCase, PolicyVerdict, Principal, Refusal,
    Rule, RunFacts, policy_verdict,
};
use serde_json::{Value, json};

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
fn rule(name: &str, approvers: &[&str], approvals: u32, four_eyes: bool) -> Rule {
    let list: Vec<Principal> = approvers
        .iter()
        .map(|p| Principal::parse(p).expect("principal"))
        .collect();
    Rule {
        name: name.into(),
        matches: Default::default(),
        rejecters: list.clone(),
        approvers: list,
        approvals,
        four_eyes,
    }
}

fn policy() -> Policy {
    let mut groups = BTreeMap::new();
    groups.insert(
        "release-managers".to_owned(),
        Group {
            members: vec!["alice".into(), "bob".into()],
            from_proxy: false,
        },
    );
    groups.insert(
        "sre".to_owned(),
        Group {
            members: vec![],
            from_proxy: true,
        },
    );
    let mut releases = rule("releases", &["group:release-managers", "carol"], 2, true);
    releases.matches.tags = vec!["release".into()];
    Policy {
        groups,
        rules: vec![releases],
        default: Some(rule("default", &["*"], 1, false)),
    }
}

fn run(tags: &[&str]) -> RunFacts {
    RunFacts {
        flow: "ship".into(),
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        requesters: vec!["bob".into()],
        asks_input: true,
        ..Default::default()
    }
}

fn person(user: &str, groups: &[&str]) -> Person {
    Person {
        user: user.into(),
        groups: groups.iter().map(|g| (*g).to_owned()).collect(),
    }
}

fn approval(user: &str, input: Value) -> Approval {
    Approval {
        user: user.into(),
        groups: vec![],
        input: Some(input),
        occurred: DateTime::from_timestamp(1_800_000_000, 0).expect("time"),
    }
}

fn verdict(run: RunFacts, who: Person, approvals: Vec<Approval>, input: Value) -> PolicyVerdict {
    policy_verdict(
        &PolicyCase::new(&policy(), run, who, approvals),
        Some(&input),
    )
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn two_of_three_with_four_eyes() {
    let input = json!({"approver": "x"});
    let first = verdict(
        run(&["release"]),
        person("alice", &[]),
        vec![],
        input.clone(),
    );
    assert_eq!(first.needed, 2);
    assert_eq!(first.approve, Permission::Allowed { completes: false });
    assert_eq!(first.message, "You may approve — 0 of 2 approvals so far.");

    let carol = verdict(
        run(&["release"]),
        person("carol", &[]),
        vec![approval("alice", json!({"approver": "x"}))],
        input.clone(),
    );
    assert_eq!(carol.approve, Permission::Allowed { completes: true });
    assert_eq!(
        carol.message,
        "You may approve — 1 of 2 approvals so far (alice); yours resumes the run."
    );

    let bob = verdict(run(&["release"]), person("bob", &[]), vec![], input.clone());
    assert_eq!(
        bob.message,
        "You requested this run; someone else must approve it."
    );
    assert!(bob.reject.is_allowed(), "a requester may still reject");

    let dave = verdict(
        run(&["release"]),
        person("dave", &["sre"]),
        vec![],
        input.clone(),
    );
    assert_eq!(
        dave.message,
        "Only release-managers or carol may approve this run."
    );
    assert!(matches!(
        dave.reject,
        Permission::Refused {
            refusal: Refusal::NotAllowed { .. },
            ..
        }
    ));

    let again = verdict(
        run(&["release"]),
        person("alice", &[]),
        vec![approval("alice", input.clone())],
        input.clone(),
    );
    assert_eq!(
        again.message,
        "You already approved this run — 1 of 2 approvals so far (alice)."
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_different_input_is_refused_and_shown() {
    let v = verdict(
        run(&["release"]),
        person("carol", &[]),
        vec![approval("alice", json!({"b": 1, "a": "x"}))],
        json!({"a": "y", "b": 1}),
    );
    assert_eq!(
        v.message,
        r#"alice approved a different input: {"a":"x","b":1}. Approve that same input, or reject the run."#
    );
    // The same input in another key order is the same input.
    let same = verdict(
        run(&["release"]),
        person("carol", &[]),
        vec![approval("alice", json!({"b": 1, "a": "x"}))],
        json!({"a": "x", "b": 1}),
    );
    assert_eq!(same.approve, Permission::Allowed { completes: true });
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn approvals_that_no_longer_count_are_left_out() {
    // dave approved under an older policy; he is no approver now. bob is the requester.
    let v = verdict(
        run(&["release"]),
        person("carol", &[]),
        vec![approval("dave", json!({})), approval("bob", json!({}))],
        json!({}),
    );
    assert!(v.proposals.is_empty());
    assert_eq!(v.approve, Permission::Allowed { completes: false });
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn the_default_rule_labels_and_no_rule() {
    let anyone = verdict(run(&[]), person("zed", &[]), vec![], json!({}));
    assert_eq!(anyone.rules, vec!["default"]);
    assert_eq!(anyone.message, "You may approve this run.");

    let mut labelled = run(&[]);
    labelled
        .labels
        .insert("flowgate.approvers".into(), json!("group:sre"));
    labelled
        .labels
        .insert("flowgate.approvals".into(), json!("2"));
    let v = verdict(labelled.clone(), person("zed", &["sre"]), vec![], json!({}));
    assert_eq!(v.rules, vec!["default", "the run's labels"]);
    assert_eq!(v.message, "You may approve — 0 of 2 approvals so far.");
    let v = verdict(labelled.clone(), person("zed", &[]), vec![], json!({}));
    assert_eq!(v.message, "Only sre may approve this run.");

    labelled
        .labels
        .insert("flowgate.approvals".into(), json!("two"));
    let v = verdict(labelled, person("zed", &["sre"]), vec![], json!({}));
    assert_eq!(
        v.message,
        "The run's label flowgate.approvals is \"two\", which the gate cannot read: it must \
         be a whole number from 1. Nobody may decide the run through the gate until the \
         flow fixes it."
    );
    assert!(!v.reject.is_allowed());

    let mut unknown = run(&[]);
    unknown
        .labels
        .insert("flowgate.approvers".into(), json!("group:nobody"));
    let v = verdict(unknown, person("zed", &[]), vec![], json!({}));
    assert!(v.message.contains("name the group nobody"), "{}", v.message);

    let strict = Policy {
        default: None,
        ..policy()
    };
    let v = policy_verdict(
        &PolicyCase::new(&strict, run(&[]), person("alice", &[]), vec![]),
        None,
    );
    assert_eq!(v.approve, v.reject);
    assert!(
        v.message
            .starts_with("No rule of the gate's policy covers this run")
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_case_travels_as_json_and_decides_the_same() {
    let case = PolicyCase::new(
        &policy(),
        run(&["release"]),
        person("carol", &[]),
        vec![approval("alice", json!({"approver": "x"}))],
    );
    assert!(
        !case.groups.contains_key("sre"),
        "only the groups the run's rules name"
    );
    let text = serde_json::to_string(&case).expect("serializes");
    let back: PolicyCase = serde_json::from_str(&text).expect("parses");
    assert_eq!(back, case);
    let input = json!({"approver": "x"});
    assert_eq!(
        policy_verdict(&back, Some(&input)),
        policy_verdict(&case, Some(&input))
    );
}

/// Every combination of run, person, approvals so far and input the corpus covers, with its
/// name.
fn corpus() -> Vec<(String, PolicyCase, Value)> {
    let mut labelled = run(&[]);
    labelled
        .labels
        .insert("flowgate.approvers".into(), json!("group:sre, carol"));
    labelled
        .labels
        .insert("flowgate.approvals".into(), json!("2"));
    let mut bad_label = run(&["release"]);
    bad_label
        .labels
        .insert("flowgate.four_eyes".into(), json!("maybe"));
    let runs = [
        ("release", run(&["release"])),
        ("untagged", run(&[])),
        ("labelled", labelled),
        ("bad-label", bad_label),
    ];
    let people = [
        person("alice", &[]),
        person("bob", &[]),
        person("carol", &[]),
        person("dave", &["sre"]),
    ];
    let a = json!({"approver": "x", "n": 1});
    let b = json!({"approver": "y"});
    let so_far = [
        ("none", vec![]),
        ("alice", vec![approval("alice", a.clone())]),
        (
            "alice+carol(other)",
            vec![approval("alice", a.clone()), approval("carol", b.clone())],
        ),
    ];
    let mut cases = Vec::new();
    for (run_name, facts) in &runs {
        for who in &people {
            for (approvals_name, approvals) in &so_far {
                for (input_name, input) in [("a", &a), ("b", &b)] {
                    let name = format!(
                        "{run_name} / {} / {approvals_name} / input {input_name}",
                        who.user
                    );
                    let case =
                        PolicyCase::new(&policy(), facts.clone(), who.clone(), approvals.clone());
                    cases.push((name, case, input.clone()));
                }
            }
        }
    }
    cases
}

const VERDICTS: &str = include_str!("fixtures/policy_verdicts.json");

/// The verdicts of the corpus, as recorded: natively here and in Chromium, every verdict must
/// be the recorded one. `FLOWGATE_BLESS=1 cargo test -p flowgate-core --test policy` records
/// them anew (natively), for a change that means to change them — review the diff.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn every_case_of_the_corpus_gets_its_recorded_verdict() {
    let decided: Vec<Value> = corpus()
        .into_iter()
        .map(|(name, case, input)| {
            let verdict: PolicyVerdict = policy_verdict(&case, Some(&input));
            json!({ "case": name, "verdict": verdict })
        })
        .collect();
    #[cfg(not(target_arch = "wasm32"))]
    if std::env::var_os("FLOWGATE_BLESS").is_some() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/policy_verdicts.json"
        );
        let text = serde_json::to_string_pretty(&decided).expect("serializes");
        std::fs::write(path, text + "\n").expect("writes the fixture");
        return;
    }
    let recorded: Vec<Value> = serde_json::from_str(VERDICTS).expect("fixture");
    assert_eq!(
        recorded.len(),
        decided.len(),
        "the corpus changed: record it anew"
    );
    for (recorded, decided) in recorded.iter().zip(&decided) {
        assert_eq!(recorded, decided, "{}", decided["case"]);
    }
}
