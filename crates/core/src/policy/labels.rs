//! Rules a flow declares in its run's labels, and the requester a flow or CI names there.
//!
//! A run created with labels such as
//! `{"flowgate.approvers": "group:release-managers, carol", "flowgate.approvals": "2"}`
//! carries one more rule that must hold beside the policy's. A label the gate cannot read
//! never widens anything: the run cannot be decided through the gate until it is fixed.

use serde_json::{Map, Value};

use super::model::{Principal, Rule, RunMatch};

/// Who may approve: principals separated by commas (`alice, group:ops`); anyone by default.
pub const APPROVERS: &str = "flowgate.approvers";
/// Who may reject: principals separated by commas; the approvers by default.
pub const REJECTERS: &str = "flowgate.rejecters";
/// How many distinct approvals are needed: a whole number from 1; 1 by default.
pub const APPROVALS: &str = "flowgate.approvals";
/// `true` or `false`: whether the requester is kept from approving; false by default.
pub const FOUR_EYES: &str = "flowgate.four_eyes";
/// The user who requested the run (set by a flow or CI that starts it).
pub const REQUESTER: &str = "flowgate.requester";

/// The name of the rule read from labels.
pub const LABEL_RULE: &str = "the run's labels";

/// A label the gate cannot read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLabel {
    /// The label's key.
    pub label: String,
    /// Its value as text.
    pub value: String,
    /// What is wrong with it.
    pub problem: String,
}

/// The rule the run's labels declare, if they declare one.
pub fn label_rule(labels: &Map<String, Value>) -> Result<Option<Rule>, BadLabel> {
    if ![APPROVERS, REJECTERS, APPROVALS, FOUR_EYES]
        .iter()
        .any(|key| labels.contains_key(*key))
    {
        return Ok(None);
    }
    let approvers = match labels.get(APPROVERS) {
        Some(value) => principals(APPROVERS, value)?,
        None => vec![Principal::Anyone],
    };
    let rejecters = match labels.get(REJECTERS) {
        Some(value) => principals(REJECTERS, value)?,
        None => approvers.clone(),
    };
    let approvals = match labels.get(APPROVALS) {
        None => 1,
        Some(value) => {
            let text = text(APPROVALS, value)?;
            match text.trim().parse::<u32>() {
                Ok(n) if n >= 1 => n,
                _ => return Err(bad(APPROVALS, &text, "it must be a whole number from 1")),
            }
        }
    };
    let four_eyes = match labels.get(FOUR_EYES) {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(value) => match text(FOUR_EYES, value)?.trim() {
            "true" => true,
            "false" => false,
            other => return Err(bad(FOUR_EYES, other, "it must be true or false")),
        },
    };
    Ok(Some(Rule {
        name: LABEL_RULE.into(),
        matches: RunMatch::default(),
        approvers,
        rejecters,
        approvals,
        four_eyes,
    }))
}

/// The requester a label names, if any.
pub fn label_requester(labels: &Map<String, Value>) -> Option<String> {
    labels
        .get(REQUESTER)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
}

fn text(label: &str, value: &Value) -> Result<String, BadLabel> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(bad(label, &other.to_string(), "it must be text")),
    }
}

fn principals(label: &str, value: &Value) -> Result<Vec<Principal>, BadLabel> {
    let text = text(label, value)?;
    let list = text
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(Principal::parse)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|problem| bad(label, &text, &problem))?;
    if list.is_empty() {
        return Err(bad(label, &text, "it names nobody"));
    }
    Ok(list)
}

fn bad(label: &str, value: &str, problem: &str) -> BadLabel {
    BadLabel {
        label: label.into(),
        value: value.into(),
        problem: problem.into(),
    }
}
