//! What the rule form holds, as typed, and the rule it makes (checked as core checks it).

use flowgate_core::rules::{Rule, RuleAction, Scope};
use leptos::prelude::*;
use uuid::Uuid;

/// A field's error: the field (core's spelling) and the words.
pub(super) type FieldError = (String, String);

/// What the form holds, as typed.
#[derive(Clone, Copy)]
pub(super) struct Fields {
    pub(super) name: RwSignal<String>,
    pub(super) enabled: RwSignal<bool>,
    pub(super) after: RwSignal<bool>,
    pub(super) wait: RwSignal<String>,
    pub(super) unit: RwSignal<u64>,
    pub(super) action: RwSignal<String>,
    pub(super) block: RwSignal<String>,
    pub(super) subject: RwSignal<String>,
    pub(super) body: RwSignal<String>,
    pub(super) reason: RwSignal<String>,
    pub(super) tags: RwSignal<String>,
    pub(super) flows: RwSignal<Vec<Uuid>>,
    pub(super) deployments: RwSignal<Vec<Uuid>>,
}

impl Fields {
    pub(super) fn from(rule: Option<&Rule>) -> Fields {
        let text = |f: fn(&Rule) -> String| RwSignal::new(rule.map(f).unwrap_or_default());
        let (wait, unit) = match rule.and_then(|r| r.after_seconds) {
            Some(s) if s % 3600 == 0 => ((s / 3600).to_string(), 3600),
            Some(s) if s % 60 == 0 => ((s / 60).to_string(), 60),
            Some(s) => (s.to_string(), 1),
            None => ("30".into(), 60),
        };
        let (action, block, subject, body, reason) = match rule.map(|r| &r.action) {
            Some(RuleAction::Notify {
                block,
                subject,
                body,
            }) => (
                "notify",
                block.to_string(),
                subject.clone(),
                body.clone(),
                String::new(),
            ),
            Some(RuleAction::Reject { reason }) => (
                "reject",
                String::new(),
                String::new(),
                String::new(),
                reason.clone(),
            ),
            Some(RuleAction::Resume) => (
                "resume",
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ),
            None => (
                "notify",
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ),
        };
        Fields {
            name: text(|r| r.name.clone()),
            enabled: RwSignal::new(rule.is_none_or(|r| r.enabled)),
            after: RwSignal::new(rule.is_some_and(|r| r.after_seconds.is_some())),
            wait: RwSignal::new(wait),
            unit: RwSignal::new(unit),
            action: RwSignal::new(action.into()),
            block: RwSignal::new(block),
            subject: RwSignal::new(subject),
            body: RwSignal::new(body),
            reason: RwSignal::new(reason),
            tags: text(|r| r.scope.tags.join(", ")),
            flows: RwSignal::new(rule.map(|r| r.scope.flows.clone()).unwrap_or_default()),
            deployments: RwSignal::new(
                rule.map(|r| r.scope.deployments.clone())
                    .unwrap_or_default(),
            ),
        }
    }

    /// The wait in seconds, when the rule waits.
    pub(super) fn after_seconds(&self) -> Result<Option<u64>, FieldError> {
        if !self.after.get() {
            return Ok(None);
        }
        let wait = self.wait.get();
        match wait.trim().parse::<u64>() {
            Ok(n) if n > 0 => Ok(Some(n.saturating_mul(self.unit.get()))),
            _ => Err((
                "afterSeconds".into(),
                format!(
                    "The wait is a whole number above 0; {:?} is not.",
                    wait.trim()
                ),
            )),
        }
    }

    /// The rule as typed, checked as core checks it; the first error in the form's order.
    pub(super) fn rule(&self, id: Option<Uuid>) -> Result<Rule, FieldError> {
        let block = Uuid::parse_str(&self.block.get()).map_err(|_| {
            (
                "action.block".to_owned(),
                "Pick the notification block to send through, or create one below.".to_owned(),
            )
        });
        let action = match self.action.get().as_str() {
            "notify" => RuleAction::Notify {
                block: *block.as_ref().unwrap_or(&Uuid::nil()),
                subject: self.subject.get(),
                body: self.body.get(),
            },
            "reject" => RuleAction::Reject {
                reason: self.reason.get().trim().to_owned(),
            },
            _ => RuleAction::Resume,
        };
        let notify = matches!(action, RuleAction::Notify { .. });
        let rule = Rule {
            id,
            name: self.name.get().trim().to_owned(),
            enabled: self.enabled.get(),
            scope: Scope {
                flows: self.flows.get(),
                deployments: self.deployments.get(),
                tags: self
                    .tags
                    .get()
                    .split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned)
                    .collect(),
            },
            after_seconds: self.after_seconds()?,
            action,
        };
        match (rule.check(), block) {
            (Err(e), _) if !e.field.starts_with("action.") => Err((e.field.to_owned(), e.message)),
            (_, Err(missing)) if notify => Err(missing),
            (Err(e), _) => Err((e.field.to_owned(), e.message)),
            _ => Ok(rule),
        }
    }
}
