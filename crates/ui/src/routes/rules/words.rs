//! A rule in the words of the page: when it acts, what it does, which runs it watches.

use flowgate_core::rules::automation::duration_words;
use flowgate_core::rules::{NotifyBlock, Rule, RuleAction};

/// "When a run pauses" / "Still paused after 30 min".
pub(super) fn when(rule: &Rule) -> String {
    match rule.after_seconds {
        None => "When a run pauses".into(),
        Some(s) => format!("Still paused after {}", duration_words(s)),
    }
}

/// "Notify through “releases” (Slack Webhook)", "Reject: <reason>", "Resume (no input)".
pub(super) fn does(rule: &Rule, blocks: &[NotifyBlock]) -> String {
    match &rule.action {
        RuleAction::Notify { block, .. } => match blocks.iter().find(|b| b.id == *block) {
            Some(found) => format!("Notify through “{}” ({})", found.name, found.type_name),
            None => format!("Notify through block {block}, which the server no longer has"),
        },
        RuleAction::Reject { reason } => format!("Reject: {reason}"),
        RuleAction::Resume => "Resume without input".into(),
    }
}

/// "every paused run" or "tags release · 2 flows · 1 deployment".
pub(super) fn scope(rule: &Rule) -> String {
    let scope = &rule.scope;
    if scope.is_everything() {
        return "every paused run".into();
    }
    let count = |n: usize, one: &str| match n {
        0 => None,
        1 => Some(format!("1 {one}")),
        n => Some(format!("{n} {one}s")),
    };
    let tags = (!scope.tags.is_empty()).then(|| format!("tags {}", scope.tags.join(", ")));
    [
        tags,
        count(scope.flows.len(), "flow"),
        count(scope.deployments.len(), "deployment"),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ")
}
