//! A rule as a Prefect automation, and an automation read back as a rule.
//!
//! The trigger watches flow-run state events (`prefect.flow-run.<state name>`), one bucket per
//! run (`for_each: prefect.resource.id`):
//!
//! - on pause: Reactive, `expect` `Paused` or `Suspended`, fires at once;
//! - still paused after `s`: Proactive, `after` `Paused` or `Suspended`, `expect` any other
//!   state event of the run within `s` seconds; fires when none came (Prefect evaluates
//!   proactive triggers every 5 s by default, `PREFECT_SERVER_EVENTS_PROACTIVE_GRANULARITY`).
//!
//! The scope becomes `match_related`: the run's flow, deployment and tags are related
//! resources of its state events (tags of the run, its flow and its deployment).

use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::model::{Rule, RuleAction, Scope};
use crate::events::FLOW_RUN_PREFIX;
use crate::reject::reject_message;

/// The tag that marks an automation as a Flowgate rule. Flowgate lists, edits and deletes
/// only automations that carry it.
pub const RULE_TAG: &str = "flowgate.rule";

const PAUSE_EVENTS: [&str; 2] = ["prefect.flow-run.Paused", "prefect.flow-run.Suspended"];
const ANY_RUN_EVENT: &str = "prefect.flow-run.*";
const RESOURCE_ID: &str = "prefect.resource.id";
const ROLE: &str = "prefect.resource.role";
const REJECTED_BY_RULE: &str = "Rejected by rule “";
const RULE_SAYS: &str = "”: ";

/// The body of `POST /automations/` (and of `PUT /automations/{id}`) for a rule that passed
/// [`Rule::check`].
pub fn automation_body(rule: &Rule) -> Value {
    let name = rule.name.trim();
    let trigger = match rule.after_seconds {
        None => json!({
            "type": "event",
            "posture": "Reactive",
            "match": { RESOURCE_ID: format!("{FLOW_RUN_PREFIX}*") },
            "match_related": match_related(&rule.scope),
            "after": [],
            "expect": PAUSE_EVENTS,
            "for_each": [RESOURCE_ID],
            "threshold": 1,
            "within": 0,
        }),
        Some(seconds) => json!({
            "type": "event",
            "posture": "Proactive",
            "match": { RESOURCE_ID: format!("{FLOW_RUN_PREFIX}*") },
            "match_related": match_related(&rule.scope),
            "after": PAUSE_EVENTS,
            "expect": [ANY_RUN_EVENT],
            "for_each": [RESOURCE_ID],
            "threshold": 1,
            "within": seconds,
        }),
    };
    let action = match &rule.action {
        RuleAction::Notify {
            block,
            subject,
            body,
        } => json!({
            "type": "send-notification",
            "block_document_id": block,
            "subject": subject,
            "body": body,
        }),
        RuleAction::Reject { reason } => json!({
            "type": "change-flow-run-state",
            "state": "CANCELLED",
            "name": "Cancelled",
            // "Rejected by rule “<name>”: <reason>", as a person's reject names the person.
            "message": reject_message(Some(&format!("rule “{name}”")), reason).unwrap_or_default(),
            "force": false,
        }),
        RuleAction::Resume => json!({ "type": "resume-flow-run" }),
    };
    json!({
        "name": name,
        "description": describe(rule),
        "enabled": rule.enabled,
        "tags": [RULE_TAG],
        "trigger": trigger,
        "actions": [action],
        "actions_on_trigger": [],
        "actions_on_resolve": [],
    })
}

fn match_related(scope: &Scope) -> Value {
    let mut specs = Vec::new();
    let mut add = |role: &str, ids: Vec<String>| {
        if !ids.is_empty() {
            specs.push(json!({ ROLE: role, RESOURCE_ID: ids }));
        }
    };
    add(
        "flow",
        scope
            .flows
            .iter()
            .map(|id| format!("prefect.flow.{id}"))
            .collect(),
    );
    add(
        "deployment",
        scope
            .deployments
            .iter()
            .map(|id| format!("prefect.deployment.{id}"))
            .collect(),
    );
    add(
        "tag",
        scope
            .tags
            .iter()
            .map(|tag| format!("prefect.tag.{tag}"))
            .collect(),
    );
    Value::Array(specs)
}

/// The automation's description, for people who find it in Prefect's UI.
fn describe(rule: &Rule) -> String {
    let when = match rule.after_seconds {
        None => "when a run pauses".to_owned(),
        Some(s) => format!(
            "when a run is still paused {} after it paused",
            duration_words(s)
        ),
    };
    let what = match &rule.action {
        RuleAction::Notify { .. } => "sends a notification",
        RuleAction::Reject { .. } => "rejects it (Cancelled)",
        RuleAction::Resume => "resumes it without input",
    };
    format!("Flowgate rule: {when}, {what}. Managed by Flowgate; edit it there.")
}

/// `90 s` → "1 min 30 s", `7200` → "2 h".
pub fn duration_words(seconds: u64) -> String {
    let (d, h, m, s) = (
        seconds / 86_400,
        seconds % 86_400 / 3600,
        seconds % 3600 / 60,
        seconds % 60,
    );
    let parts: Vec<String> = [(d, "d"), (h, "h"), (m, "min"), (s, "s")]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n} {unit}"))
        .collect();
    if parts.is_empty() {
        "0 s".into()
    } else {
        parts.join(" ")
    }
}

/// An automation Flowgate owns, as read back.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum ListedRule {
    /// It reads as a rule.
    Rule {
        /// The rule.
        rule: Rule,
    },
    /// It carries Flowgate's tag but was changed elsewhere into something no rule describes.
    /// Flowgate shows it and may delete it, but does not edit it.
    EditedElsewhere {
        /// The automation's id.
        id: Uuid,
        /// Its name.
        name: String,
        /// What does not fit, in words.
        why: String,
    },
}

/// Reads an automation (`GET /automations/{id}`, or one of `/automations/filter`): `None`
/// when it is not Flowgate's (no [`RULE_TAG`]).
pub fn listed_rule(automation: &Value) -> Option<ListedRule> {
    let tags = automation.get("tags")?.as_array()?;
    if !tags.iter().any(|t| t.as_str() == Some(RULE_TAG)) {
        return None;
    }
    let id = automation
        .get("id")
        .and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())?;
    let name = automation
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    Some(match rule_of(id, &name, automation) {
        Ok(rule) => ListedRule::Rule { rule },
        Err(why) => ListedRule::EditedElsewhere { id, name, why },
    })
}

fn rule_of(id: Uuid, name: &str, automation: &Value) -> Result<Rule, String> {
    let trigger = automation.get("trigger").unwrap_or(&Value::Null);
    if trigger.get("type").and_then(Value::as_str) != Some("event") {
        return Err("its trigger is not an event trigger".into());
    }
    let strings = |key: &str| -> Vec<String> {
        let mut list: Vec<String> = trigger
            .get(key)
            .and_then(Value::as_array)
            .map(|l| {
                l.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        list.sort();
        list
    };
    let pause_events: Vec<String> = PAUSE_EVENTS.iter().map(|e| (*e).to_owned()).collect();
    if strings("for_each") != [RESOURCE_ID] {
        return Err("it no longer acts on each run separately".into());
    }
    if trigger.get("threshold").and_then(Value::as_u64) != Some(1) {
        return Err("its trigger's threshold is not 1".into());
    }
    let run_match = trigger
        .get("match")
        .and_then(|m| m.get(RESOURCE_ID))
        .and_then(Value::as_str);
    if run_match != Some(&format!("{FLOW_RUN_PREFIX}*")) {
        return Err("its trigger no longer watches flow runs".into());
    }
    let within = trigger
        .get("within")
        .and_then(Value::as_f64)
        .unwrap_or(-1.0);
    let after_seconds = match trigger.get("posture").and_then(Value::as_str) {
        Some("Reactive") if strings("expect") == pause_events && strings("after").is_empty() => {
            if within != 0.0 {
                return Err("its trigger waits to count events".into());
            }
            None
        }
        Some("Proactive")
            if strings("after") == pause_events && strings("expect") == [ANY_RUN_EVENT] =>
        {
            if within.fract() != 0.0 || within < 0.0 {
                return Err("its wait is not a whole number of seconds".into());
            }
            Some(within as u64)
        }
        _ => return Err("its trigger no longer watches runs that pause".into()),
    };
    let scope = scope_of(trigger.get("match_related"))?;
    let lists_empty = |key: &str| {
        automation
            .get(key)
            .and_then(Value::as_array)
            .is_none_or(Vec::is_empty)
    };
    if !lists_empty("actions_on_trigger") || !lists_empty("actions_on_resolve") {
        return Err("it has actions on trigger or resolve".into());
    }
    let actions = automation
        .get("actions")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let [action] = actions else {
        return Err(format!("it has {} actions, a rule has one", actions.len()));
    };
    let text = |key: &str| action.get(key).and_then(Value::as_str).map(str::to_owned);
    let action = match action.get("type").and_then(Value::as_str) {
        Some("send-notification") => RuleAction::Notify {
            block: text("block_document_id")
                .and_then(|s| Uuid::parse_str(&s).ok())
                .ok_or("its notification names no block")?,
            subject: text("subject").unwrap_or_default(),
            body: text("body").unwrap_or_default(),
        },
        Some("change-flow-run-state")
            if text("state").as_deref() == Some("CANCELLED")
                && action.get("force").and_then(Value::as_bool) != Some(true) =>
        {
            let message = text("message").unwrap_or_default();
            let reason = message
                .strip_prefix(REJECTED_BY_RULE)
                .and_then(|rest| rest.split_once(RULE_SAYS))
                .map(|(_, reason)| reason.to_owned())
                .ok_or("its state message is not a rule's reject")?;
            RuleAction::Reject { reason }
        }
        Some("resume-flow-run") => RuleAction::Resume,
        Some(other) => return Err(format!("its action is {other}")),
        None => return Err("its action has no type".into()),
    };
    Ok(Rule {
        id: Some(id),
        name: name.to_owned(),
        enabled: automation
            .get("enabled")
            .and_then(Value::as_bool)
            .unwrap_or(true),
        scope,
        after_seconds,
        action,
    })
}

fn scope_of(related: Option<&Value>) -> Result<Scope, String> {
    let specs: Vec<&Map<String, Value>> = match related {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Object(one)) if one.is_empty() => Vec::new(),
        Some(Value::Object(one)) => vec![one],
        Some(Value::Array(list)) => list
            .iter()
            .map(|spec| spec.as_object().ok_or("its scope is not a list of matches"))
            .collect::<Result<_, _>>()?,
        Some(_) => return Err("its scope is not a list of matches".into()),
    };
    let mut scope = Scope::default();
    for spec in specs {
        if spec.is_empty() {
            continue;
        }
        if spec.len() != 2 {
            return Err("its scope matches labels Flowgate does not write".into());
        }
        let role = spec.get(ROLE).and_then(Value::as_str);
        let ids: Vec<String> = match spec.get(RESOURCE_ID) {
            Some(Value::String(one)) => vec![one.clone()],
            Some(Value::Array(list)) => list
                .iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect::<Option<_>>()
                .ok_or("its scope names a resource that is not text")?,
            _ => return Err("its scope has a match without resources".into()),
        };
        let strip = |prefix: &str| -> Result<Vec<String>, String> {
            ids.iter()
                .map(|id| {
                    id.strip_prefix(prefix)
                        .map(str::to_owned)
                        .ok_or_else(|| format!("its scope names {id}"))
                })
                .collect()
        };
        let uuids = |prefix: &str| -> Result<Vec<Uuid>, String> {
            strip(prefix)?
                .iter()
                .map(|s| Uuid::parse_str(s).map_err(|_| format!("its scope names {prefix}{s}")))
                .collect()
        };
        match role {
            Some("flow") if scope.flows.is_empty() => scope.flows = uuids("prefect.flow.")?,
            Some("deployment") if scope.deployments.is_empty() => {
                scope.deployments = uuids("prefect.deployment.")?
            }
            Some("tag") if scope.tags.is_empty() => scope.tags = strip("prefect.tag.")?,
            _ => return Err("its scope matches related resources Flowgate does not write".into()),
        }
    }
    Ok(scope)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(rule: &Rule, id: Uuid) -> Value {
        let mut body = automation_body(rule);
        body["id"] = json!(id);
        body
    }

    fn rules() -> Vec<Rule> {
        let scope = Scope {
            flows: vec![Uuid::from_u128(1)],
            deployments: vec![Uuid::from_u128(2), Uuid::from_u128(3)],
            tags: vec!["release".into(), "prod eu".into()],
        };
        vec![
            Rule {
                id: None,
                name: "Tell #releases".into(),
                enabled: true,
                scope: Scope::default(),
                after_seconds: None,
                action: RuleAction::Notify {
                    block: Uuid::from_u128(9),
                    subject: "Paused: {{ flow_run.name }}".into(),
                    body: "Decide: https://flowgate.example/runs/{{ flow_run.id }}".into(),
                },
            },
            Rule {
                id: None,
                name: "Remind".into(),
                enabled: false,
                scope: scope.clone(),
                after_seconds: Some(1800),
                action: RuleAction::Notify {
                    block: Uuid::from_u128(9),
                    subject: "Still waiting".into(),
                    body: "…".into(),
                },
            },
            Rule {
                id: None,
                name: "Close stale releases".into(),
                enabled: true,
                scope,
                after_seconds: Some(3600),
                action: RuleAction::Reject {
                    reason:
                        "Nobody approved within the hour: a release needs a decision the same day."
                            .into(),
                },
            },
            Rule {
                id: None,
                name: "Go on".into(),
                enabled: true,
                scope: Scope::default(),
                after_seconds: Some(60),
                action: RuleAction::Resume,
            },
        ]
    }

    #[test]
    fn every_rule_reads_back_as_itself() {
        for rule in rules() {
            rule.check().expect("valid");
            let id = Uuid::from_u128(77);
            let expected = Rule {
                id: Some(id),
                ..rule.clone()
            };
            assert_eq!(
                listed_rule(&stored(&rule, id)),
                Some(ListedRule::Rule { rule: expected }),
                "{}",
                rule.name
            );
        }
    }

    #[test]
    fn the_reject_names_the_rule_and_the_reason() {
        let body = automation_body(&rules()[2]);
        assert_eq!(
            body["actions"][0]["message"],
            "Rejected by rule “Close stale releases”: Nobody approved within the hour: a release needs a decision the same day."
        );
        assert_eq!(body["trigger"]["within"], 3600);
        assert_eq!(body["trigger"]["posture"], "Proactive");
        assert_eq!(
            body["trigger"]["match_related"][2],
            json!({"prefect.resource.role": "tag", "prefect.resource.id": ["prefect.tag.release", "prefect.tag.prod eu"]})
        );
    }

    #[test]
    fn automations_without_the_tag_are_not_flowgates() {
        let mut body = stored(&rules()[0], Uuid::from_u128(5));
        body["tags"] = json!(["ops"]);
        assert_eq!(listed_rule(&body), None);
        body["tags"] = Value::Null;
        assert_eq!(listed_rule(&body), None);
    }

    #[test]
    fn automations_changed_elsewhere_say_what_no_longer_fits() {
        let id = Uuid::from_u128(5);
        type Change = Box<dyn Fn(&mut Value)>;
        let cases: Vec<(&str, Change)> = vec![
            (
                "2 actions",
                Box::new(|b| {
                    b["actions"]
                        .as_array_mut()
                        .expect("a list")
                        .push(json!({"type": "do-nothing"}))
                }),
            ),
            (
                "its action is do-nothing",
                Box::new(|b| b["actions"][0] = json!({"type": "do-nothing"})),
            ),
            (
                "no longer watches runs that pause",
                Box::new(|b| b["trigger"]["expect"] = json!(["prefect.flow-run.Failed"])),
            ),
            (
                "threshold",
                Box::new(|b| b["trigger"]["threshold"] = json!(3)),
            ),
            (
                "labels Flowgate does not write",
                Box::new(
                    |b| b["trigger"]["match_related"] = json!([{"prefect.resource.role": "flow", "prefect.resource.id": ["prefect.flow.1"], "x": "y"}]),
                ),
            ),
            (
                "prefect.flow.1",
                Box::new(
                    |b| b["trigger"]["match_related"] = json!({"prefect.resource.role": "flow", "prefect.resource.id": "prefect.flow.1"}),
                ),
            ),
        ];
        for (says, change) in cases {
            let mut body = stored(&rules()[0], id);
            change(&mut body);
            match listed_rule(&body) {
                Some(ListedRule::EditedElsewhere { id: got, why, .. }) => {
                    assert_eq!(got, id);
                    assert!(why.contains(says), "{says}: {why}");
                }
                other => panic!("{says}: {other:?}"),
            }
        }
    }

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(duration_words(90), "1 min 30 s");
        assert_eq!(duration_words(7200), "2 h");
        assert_eq!(duration_words(90_061), "1 d 1 h 1 min 1 s");
    }
}
