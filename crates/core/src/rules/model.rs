//! A rule as a person writes it: which paused runs it watches, when it acts, and what it does.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::reject::MAX_REASON_CHARS;

/// Prefect's shortest wait for a "still paused after" trigger (its proactive triggers refuse
/// less than 10 seconds).
pub const MIN_AFTER_SECONDS: u64 = 10;
/// The longest wait a rule may have: a year.
pub const MAX_AFTER_SECONDS: u64 = 366 * 24 * 3600;
/// The longest name Flowgate writes.
pub const MAX_NAME_CHARS: usize = 200;

/// A rule. Serialized in camelCase for JS.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Rule {
    /// The automation's id; `None` before the rule is created.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// The automation's name, shown in Prefect's UI too.
    pub name: String,
    /// Whether Prefect evaluates it.
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
    /// Which paused runs it watches.
    #[serde(default)]
    pub scope: Scope,
    /// `None`: act when a run pauses or suspends. `Some(s)`: act when a run is still paused
    /// `s` seconds after it paused (a reminder, or a default outcome).
    #[serde(default)]
    pub after_seconds: Option<u64>,
    /// What it does.
    pub action: RuleAction,
}

fn enabled_by_default() -> bool {
    true
}

/// The runs a rule watches: every paused run whose flow is one of `flows` (when any are
/// given), whose deployment is one of `deployments` (when any), and which carries one of
/// `tags` (when any).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scope {
    /// Flow ids.
    #[serde(default)]
    pub flows: Vec<Uuid>,
    /// Deployment ids.
    #[serde(default)]
    pub deployments: Vec<Uuid>,
    /// Tags (of the run, its flow or its deployment, as Prefect relates them).
    #[serde(default)]
    pub tags: Vec<String>,
}

impl Scope {
    /// Whether the scope names nothing (every paused run).
    pub fn is_everything(&self) -> bool {
        self.flows.is_empty() && self.deployments.is_empty() && self.tags.is_empty()
    }
}

/// What a rule does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", deny_unknown_fields)]
pub enum RuleAction {
    /// Sends a message through a notification block (`send-notification`). `subject` and
    /// `body` are templates Prefect renders (Jinja, with `flow_run`, `flow`, `deployment`).
    Notify {
        /// The notification block document's id.
        block: Uuid,
        /// The subject template.
        subject: String,
        /// The body template.
        body: String,
    },
    /// Rejects the run: it ends Cancelled, the state's message naming the rule and the reason
    /// (`change-flow-run-state`).
    Reject {
        /// The reason, as a person would write it.
        reason: String,
    },
    /// Resumes the run without input (`resume-flow-run`): for runs that ask for none.
    Resume,
}

impl RuleAction {
    /// The action's kind as JS names it: `notify`, `reject` or `resume`.
    pub fn kind(&self) -> &'static str {
        match self {
            RuleAction::Notify { .. } => "notify",
            RuleAction::Reject { .. } => "reject",
            RuleAction::Resume => "resume",
        }
    }
}

/// Why a rule cannot be written as given. The message names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct RuleError {
    /// The field at fault, in JS's spelling (`name`, `afterSeconds`, `action.reason`, …).
    pub field: &'static str,
    /// What is wrong, in words.
    pub message: String,
}

fn refuse(field: &'static str, message: impl Into<String>) -> RuleError {
    RuleError {
        field,
        message: message.into(),
    }
}

impl Rule {
    /// Checks everything Flowgate can check before Prefect sees the rule; Prefect still
    /// checks the templates (its 422 is shown as it comes).
    pub fn check(&self) -> Result<(), RuleError> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(refuse("name", "A rule needs a name."));
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(refuse(
                "name",
                format!("A rule's name is at most {MAX_NAME_CHARS} characters."),
            ));
        }
        if let Some(seconds) = self.after_seconds
            && !(MIN_AFTER_SECONDS..=MAX_AFTER_SECONDS).contains(&seconds)
        {
            return Err(refuse(
                "afterSeconds",
                format!(
                    "The wait must be from {MIN_AFTER_SECONDS} seconds (Prefect's shortest) to 366 days; {seconds} s was given."
                ),
            ));
        }
        let mut tags: Vec<&str> = Vec::new();
        for tag in &self.scope.tags {
            if tag.trim().is_empty() {
                return Err(refuse("scope.tags", "A tag cannot be empty."));
            }
            if tags.contains(&tag.as_str()) {
                return Err(refuse(
                    "scope.tags",
                    format!("The tag {tag:?} is given twice."),
                ));
            }
            tags.push(tag);
        }
        for (field, ids) in [
            ("scope.flows", &self.scope.flows),
            ("scope.deployments", &self.scope.deployments),
        ] {
            if let Some(twice) = ids
                .iter()
                .enumerate()
                .find(|(i, id)| ids[..*i].contains(id))
            {
                return Err(refuse(field, format!("{} is given twice.", twice.1)));
            }
        }
        match &self.action {
            RuleAction::Notify { subject, body, .. } => {
                if subject.trim().is_empty() {
                    return Err(refuse("action.subject", "A message needs a subject."));
                }
                if body.trim().is_empty() {
                    return Err(refuse("action.body", "A message needs a body."));
                }
            }
            RuleAction::Reject { reason } => {
                if self.after_seconds.is_none() {
                    return Err(refuse(
                        "afterSeconds",
                        "A default reject acts on runs still paused after a wait; give the wait.",
                    ));
                }
                if reason.trim().is_empty() {
                    return Err(refuse(
                        "action.reason",
                        "A reject needs a reason: the run's state message carries it.",
                    ));
                }
                if reason.chars().count() > MAX_REASON_CHARS {
                    return Err(refuse(
                        "action.reason",
                        format!("A reason is at most {MAX_REASON_CHARS} characters."),
                    ));
                }
            }
            RuleAction::Resume => {
                if self.after_seconds.is_none() {
                    return Err(refuse(
                        "afterSeconds",
                        "A default resume acts on runs still paused after a wait; give the wait.",
                    ));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(after: Option<u64>, action: RuleAction) -> Rule {
        Rule {
            id: None,
            name: "Releases".into(),
            enabled: true,
            scope: Scope::default(),
            after_seconds: after,
            action,
        }
    }

    #[test]
    fn checks_name_the_field_at_fault() {
        let notify = RuleAction::Notify {
            block: Uuid::nil(),
            subject: "s".into(),
            body: "b".into(),
        };
        assert_eq!(rule(None, notify.clone()).check(), Ok(()));
        assert_eq!(
            rule(Some(5), notify.clone())
                .check()
                .expect_err("refused")
                .field,
            "afterSeconds"
        );
        let mut unnamed = rule(None, notify.clone());
        unnamed.name = "  ".into();
        assert_eq!(unnamed.check().expect_err("refused").field, "name");
        let mut twice = rule(None, notify);
        twice.scope.tags = vec!["a".into(), "a".into()];
        assert_eq!(twice.check().expect_err("refused").field, "scope.tags");
        assert_eq!(
            rule(None, RuleAction::Resume)
                .check()
                .expect_err("refused")
                .field,
            "afterSeconds"
        );
        let empty = RuleAction::Reject { reason: " ".into() };
        assert_eq!(
            rule(Some(60), empty).check().expect_err("refused").field,
            "action.reason"
        );
    }

    #[test]
    fn js_shape_is_camel_case_and_strict() {
        let parsed: Rule = serde_json::from_value(serde_json::json!({
            "name": "n", "afterSeconds": 60, "action": {"kind": "reject", "reason": "late"}
        }))
        .expect("parses");
        assert!(parsed.enabled);
        assert_eq!(parsed.after_seconds, Some(60));
        let typo = serde_json::from_value::<Rule>(serde_json::json!({
            "name": "n", "aftr": 60, "action": {"kind": "resume"}
        }));
        assert!(typo.expect_err("refused").to_string().contains("aftr"));
    }
}
