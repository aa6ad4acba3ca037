//! What the policy says for one person and one run: whether they may approve or reject,
//! how many approvals are needed and who gave them, in structure and in words.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::canonical::canonical_json;
use super::labels::{BadLabel, label_rule};
use super::model::{Group, Policy, Principal, Rule};

/// What the gate knows of a paused run, as far as the policy is concerned.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunFacts {
    /// The run.
    pub flow_run_id: Uuid,
    /// The paused state's id: approvals belong to one pause, not to the run.
    pub pause_state_id: Option<Uuid>,
    /// Its flow's name.
    pub flow: String,
    /// Its deployment as `flow-name/deployment-name`, if it has one.
    pub deployment: Option<String>,
    /// Its tags.
    pub tags: Vec<String>,
    /// The pause's key.
    pub pause_key: Option<String>,
    /// Its labels (a flow may declare a rule there).
    pub labels: Map<String, Value>,
    /// Who requested it: the user the gate recorded starting it, and the one its
    /// `flowgate.requester` label names.
    pub requesters: Vec<String>,
    /// Whether the pause asks for input.
    pub asks_input: bool,
}

/// A person as the authenticating proxy asserted them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Person {
    /// The user name.
    pub user: String,
    /// The groups the proxy says they belong to.
    #[serde(default)]
    pub groups: Vec<String>,
}

/// One recorded approval of the current pause.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Approval {
    /// Who approved.
    pub user: String,
    /// The groups the proxy asserted for them then.
    #[serde(default)]
    pub groups: Vec<String>,
    /// The input they approved (`None` for a pause that asks none).
    pub input: Option<Value>,
    /// When.
    #[serde(with = "crate::timestamp")]
    pub occurred: DateTime<Utc>,
}

/// Everything the verdict is computed from; the gate serves it so that the console and the
/// package compute the same verdict it enforces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyCase {
    /// The policy's rules that govern the run (see [`Policy::rules_for`]).
    pub rules: Vec<Rule>,
    /// The policy's groups those rules and the run's labels name.
    pub groups: BTreeMap<String, Group>,
    /// The run.
    pub run: RunFacts,
    /// The person asking.
    pub person: Person,
    /// This pause's approvals, oldest first.
    pub approvals: Vec<Approval>,
}

impl PolicyCase {
    /// The case for `person` and `run` under `policy`.
    pub fn new(policy: &Policy, run: RunFacts, person: Person, approvals: Vec<Approval>) -> Self {
        let rules: Vec<Rule> = policy.rules_for(&run).into_iter().cloned().collect();
        let label_principals: Vec<Principal> = match label_rule(&run.labels) {
            Ok(Some(rule)) => rule.approvers.into_iter().chain(rule.rejecters).collect(),
            _ => Vec::new(),
        };
        let named = |name: &str| {
            rules
                .iter()
                .flat_map(|r| r.approvers.iter().chain(&r.rejecters))
                .chain(&label_principals)
                .any(|p| matches!(p, Principal::Group(g) if g == name))
        };
        let groups = policy
            .groups
            .iter()
            .filter(|(name, _)| named(name))
            .map(|(name, group)| (name.clone(), group.clone()))
            .collect();
        PolicyCase {
            rules,
            groups,
            run,
            person,
            approvals,
        }
    }
}

/// The approvals given for one input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Proposal {
    /// The input (`None` for a pause that asks none).
    pub input: Option<Value>,
    /// The distinct people who approved it, in order.
    pub approvers: Vec<String>,
}

/// Why the policy refuses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Refusal {
    /// No rule governs the run and the policy has no default.
    NoRule,
    /// A `flowgate.*` label cannot be read.
    #[serde(rename_all = "camelCase")]
    BadLabel {
        /// The label.
        label: String,
        /// Its value.
        value: String,
        /// What is wrong.
        problem: String,
    },
    /// The run's labels name a group the policy does not define.
    UnknownGroup {
        /// The group.
        group: String,
    },
    /// The person is not among those a rule allows.
    NotAllowed {
        /// Who that rule allows.
        allowed: Vec<Principal>,
    },
    /// Four-eyes: the person requested the run.
    Requester,
    /// The person approved this pause already.
    AlreadyApproved,
    /// Someone approved another input first.
    DifferentInput {
        /// The input already approved, with its approvers.
        proposal: Proposal,
    },
}

/// Allowed, or refused with the reason in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum Permission {
    /// The action is allowed; `completes` when it ends the gate (the last approval needed,
    /// or a reject).
    Allowed {
        /// Whether this action resumes or ends the run.
        completes: bool,
    },
    /// The action is refused.
    Refused {
        /// Why, as data.
        refusal: Refusal,
        /// Why, in words.
        reason: String,
    },
}

impl Permission {
    /// Whether the action is allowed.
    pub fn is_allowed(&self) -> bool {
        matches!(self, Permission::Allowed { .. })
    }
}

/// The policy's verdict for one person on one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyVerdict {
    /// The names of the rules that govern the run.
    pub rules: Vec<String>,
    /// Distinct approvals needed.
    pub needed: u32,
    /// The approvals that count, by input; the leading proposal first.
    pub proposals: Vec<Proposal>,
    /// Whether the person may approve (with the input given, if any).
    pub approve: Permission,
    /// Whether the person may reject.
    pub reject: Permission,
    /// What the person is told about approving, e.g.
    /// "You may approve — 1 of 2 approvals so far (alice)."
    pub message: String,
}

/// The verdict of `case` for its person, approving `input` (the input they would approve;
/// `None` when not known yet or the pause asks none).
pub fn policy_verdict(case: &PolicyCase, input: Option<&Value>) -> PolicyVerdict {
    let label = label_rule(&case.run.labels);
    let mut rules: Vec<&Rule> = case.rules.iter().collect();
    let label_rule_owned;
    if let Ok(Some(rule)) = &label {
        label_rule_owned = rule.clone();
        rules.push(&label_rule_owned);
    }
    let names = rules.iter().map(|r| r.name.clone()).collect();
    let needed = rules.iter().map(|r| r.approvals).max().unwrap_or(1);
    let four_eyes = rules.iter().any(|r| r.four_eyes);
    let person = &case.person;

    let may = |person: &Person, of: fn(&Rule) -> &Vec<Principal>| {
        rules
            .iter()
            .find(|r| !of(r).iter().any(|p| p.includes(person, &case.groups)))
            .map(|r| of(r).clone())
    };
    let requester = |user: &str| four_eyes && case.run.requesters.iter().any(|r| r == user);

    // Approvals that count: each person's first, while the policy still lets them approve.
    let mut proposals: Vec<(String, Proposal)> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for approval in &case.approvals {
        if seen.contains(&approval.user.as_str()) {
            continue;
        }
        seen.push(&approval.user);
        let who = Person {
            user: approval.user.clone(),
            groups: approval.groups.clone(),
        };
        if may(&who, |r| &r.approvers).is_some() || requester(&approval.user) {
            continue;
        }
        let key = approval
            .input
            .as_ref()
            .map(canonical_json)
            .unwrap_or_default();
        match proposals.iter_mut().find(|(k, _)| *k == key) {
            Some((_, p)) => p.approvers.push(approval.user.clone()),
            None => proposals.push((
                key,
                Proposal {
                    input: approval.input.clone(),
                    approvers: vec![approval.user.clone()],
                },
            )),
        }
    }
    // The leading proposal (most approvals, the first on a tie) comes first.
    proposals.sort_by_key(|(_, p)| std::cmp::Reverse(p.approvers.len()));
    let leading = proposals.first().map(|(_, p)| p.clone());
    let so_far = leading.as_ref().map_or(0, |p| p.approvers.len());

    // What refuses both approving and rejecting, worked out once.
    let common = if rules.is_empty() {
        Some(Refusal::NoRule)
    } else if let Err(BadLabel {
        label,
        value,
        problem,
    }) = &label
    {
        Some(Refusal::BadLabel {
            label: label.clone(),
            value: value.clone(),
            problem: problem.clone(),
        })
    } else {
        rules
            .iter()
            .flat_map(|r| r.approvers.iter().chain(&r.rejecters))
            .find_map(|p| match p {
                Principal::Group(g) if !case.groups.contains_key(g) => {
                    Some(Refusal::UnknownGroup { group: g.clone() })
                }
                _ => None,
            })
    };

    let approve = common
        .clone()
        .or_else(|| may(person, |r| &r.approvers).map(|allowed| Refusal::NotAllowed { allowed }))
        .or_else(|| requester(&person.user).then_some(Refusal::Requester))
        .or_else(|| {
            case.approvals
                .iter()
                .any(|a| a.user == person.user)
                .then_some(Refusal::AlreadyApproved)
        })
        .or_else(|| {
            let wanted = input.map(canonical_json).unwrap_or_default();
            let (key, proposal) = proposals.first()?;
            (input.is_some() && *key != wanted).then(|| Refusal::DifferentInput {
                proposal: proposal.clone(),
            })
        });
    let approve = match approve {
        Some(refusal) => refused(refusal, Action::Approve, so_far, needed, &leading),
        None => Permission::Allowed {
            completes: so_far as u64 + 1 >= u64::from(needed),
        },
    };
    let reject = match common
        .or_else(|| may(person, |r| &r.rejecters).map(|allowed| Refusal::NotAllowed { allowed }))
    {
        Some(refusal) => refused(refusal, Action::Reject, so_far, needed, &leading),
        None => Permission::Allowed { completes: true },
    };
    let message = match &approve {
        Permission::Refused { reason, .. } => reason.clone(),
        Permission::Allowed { .. } if needed == 1 => "You may approve this run.".into(),
        Permission::Allowed { completes } => format!(
            "You may approve — {}{}",
            tally(so_far, needed, &leading),
            if *completes {
                "; yours resumes the run."
            } else {
                "."
            }
        ),
    };
    PolicyVerdict {
        rules: names,
        needed,
        proposals: proposals.into_iter().map(|(_, p)| p).collect(),
        approve,
        reject,
        message,
    }
}

#[derive(Clone, Copy)]
enum Action {
    Approve,
    Reject,
}

fn refused(
    refusal: Refusal,
    action: Action,
    so_far: usize,
    needed: u32,
    leading: &Option<Proposal>,
) -> Permission {
    let verb = match action {
        Action::Approve => "approve",
        Action::Reject => "reject",
    };
    let reason = match &refusal {
        Refusal::NoRule => "No rule of the gate's policy covers this run, so nobody may decide it \
                            through the gate."
            .to_owned(),
        Refusal::BadLabel {
            label,
            value,
            problem,
        } => format!(
            "The run's label {label} is {value:?}, which the gate cannot read: {problem}. Nobody \
             may decide the run through the gate until the flow fixes it."
        ),
        Refusal::UnknownGroup { group } => format!(
            "The run's labels name the group {group}, which the gate's policy does not define; \
             nobody may decide the run through the gate until it does."
        ),
        Refusal::NotAllowed { allowed } if allowed.is_empty() => {
            format!("Nobody may {verb} this run.")
        }
        Refusal::NotAllowed { allowed } => {
            let names: Vec<&str> = allowed.iter().map(Principal::label).collect();
            format!("Only {} may {verb} this run.", join(&names, "or"))
        }
        Refusal::Requester => "You requested this run; someone else must approve it.".into(),
        Refusal::AlreadyApproved => format!(
            "You already approved this run — {}.",
            tally(so_far, needed, leading)
        ),
        Refusal::DifferentInput { proposal } => {
            let names: Vec<&str> = proposal.approvers.iter().map(String::as_str).collect();
            format!(
                "{} approved a different input: {}. Approve that same input, or reject the run.",
                join(&names, "and"),
                proposal
                    .input
                    .as_ref()
                    .map(canonical_json)
                    .unwrap_or_default()
            )
        }
    };
    Permission::Refused { refusal, reason }
}

/// "1 of 2 approvals so far (alice)".
fn tally(so_far: usize, needed: u32, leading: &Option<Proposal>) -> String {
    let names: Vec<&str> = leading
        .iter()
        .flat_map(|p| p.approvers.iter().map(String::as_str))
        .collect();
    if names.is_empty() {
        format!("0 of {needed} approvals so far")
    } else {
        format!(
            "{so_far} of {needed} approvals so far ({})",
            names.join(", ")
        )
    }
}

/// "a", "a or b", "a, b or c".
fn join(names: &[&str], word: &str) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} {word} {last}", rest.join(", ")),
    }
}
