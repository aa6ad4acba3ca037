//! The policy as data: rules, the people and groups they name, and the runs they match.
//! It travels as JSON from the gate to the console (snake_case, as in the policy file).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::verdict::{Person, RunFacts};

/// A gate's policy.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Policy {
    /// Groups by name.
    #[serde(default)]
    pub groups: BTreeMap<String, Group>,
    /// The rules, in file order.
    #[serde(default)]
    pub rules: Vec<Rule>,
    /// The rule for runs that no rule matches; without it nobody may decide them.
    #[serde(default)]
    pub default: Option<Rule>,
}

/// A group: people the policy lists, and whoever the proxy says belongs to it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Group {
    /// The users listed in the policy.
    #[serde(default)]
    pub members: Vec<String>,
    /// Whether the authenticating proxy's groups header also makes people members.
    #[serde(default)]
    pub from_proxy: bool,
}

/// Who may decide which runs, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    /// The rule's name, shown in verdicts and errors.
    pub name: String,
    /// Which runs it governs.
    #[serde(default)]
    pub matches: RunMatch,
    /// Who may approve (resume).
    pub approvers: Vec<Principal>,
    /// Who may reject; the approvers when the file names none.
    pub rejecters: Vec<Principal>,
    /// How many distinct people must approve the same input before the run resumes.
    pub approvals: u32,
    /// Whether the person who requested the run is kept from approving it.
    pub four_eyes: bool,
}

/// Which runs a rule governs. Every list that is not empty must match (one of its entries);
/// a rule whose lists are all empty matches every run.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RunMatch {
    /// Flow names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flows: Vec<String>,
    /// Deployments as `flow-name/deployment-name` (Prefect's own way of naming one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deployments: Vec<String>,
    /// Tags: the run has at least one of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Pause keys (`pause_flow_run(key=…)`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pause_keys: Vec<String>,
}

/// Someone a rule names: a user, a group, or anyone the proxy authenticated.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Principal {
    /// `alice`
    User(String),
    /// `group:release-managers`
    Group(String),
    /// `*`
    Anyone,
}

impl Principal {
    /// Reads `alice`, `group:NAME` or `*`.
    pub fn parse(text: &str) -> Result<Principal, String> {
        let text = text.trim();
        if text == "*" {
            return Ok(Principal::Anyone);
        }
        if let Some(group) = text.strip_prefix("group:") {
            let group = group.trim();
            if group.is_empty() {
                return Err("\"group:\" names no group".into());
            }
            return Ok(Principal::Group(group.to_owned()));
        }
        if text.is_empty() {
            return Err("an empty name is no user".into());
        }
        if text.contains(char::is_whitespace) || text.contains(',') {
            return Err(format!(
                "{text:?} is no user name (write users as \"alice\", groups as \"group:NAME\", anyone as \"*\")"
            ));
        }
        Ok(Principal::User(text.to_owned()))
    }

    /// Whether `person` is this principal, given the policy's groups.
    pub fn includes(&self, person: &Person, groups: &BTreeMap<String, Group>) -> bool {
        match self {
            Principal::Anyone => true,
            Principal::User(user) => *user == person.user,
            Principal::Group(name) => groups.get(name).is_some_and(|group| {
                group.members.contains(&person.user)
                    || (group.from_proxy && person.groups.iter().any(|g| g == name))
            }),
        }
    }

    /// How a person reads it: the user's or the group's name, or "anyone".
    pub fn label(&self) -> &str {
        match self {
            Principal::User(name) | Principal::Group(name) => name,
            Principal::Anyone => "anyone",
        }
    }
}

impl fmt::Display for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Principal::User(name) => f.write_str(name),
            Principal::Group(name) => write!(f, "group:{name}"),
            Principal::Anyone => f.write_str("*"),
        }
    }
}

impl Serialize for Principal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Principal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::parse::parsed_str(d, Principal::parse)
    }
}

impl RunMatch {
    /// Whether the run is one this matches.
    pub fn matches(&self, run: &RunFacts) -> bool {
        let any = |list: &[String], value: Option<&str>| {
            list.is_empty() || value.is_some_and(|v| list.iter().any(|entry| entry == v))
        };
        any(&self.flows, Some(&run.flow))
            && any(&self.deployments, run.deployment.as_deref())
            && any(&self.pause_keys, run.pause_key.as_deref())
            && (self.tags.is_empty() || run.tags.iter().any(|t| self.tags.contains(t)))
    }
}

impl Policy {
    /// The rules of this policy that govern `run`: every rule that matches it, else the
    /// default rule, else none.
    pub fn rules_for(&self, run: &RunFacts) -> Vec<&Rule> {
        let matching: Vec<&Rule> = self
            .rules
            .iter()
            .filter(|r| r.matches.matches(run))
            .collect();
        if matching.is_empty() {
            self.default.iter().collect()
        } else {
            matching
        }
    }
}
