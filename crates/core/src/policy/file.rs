//! The policy file (TOML) the gate reads. A file that does not parse, names a group it does
//! not define or contradicts itself is refused whole, with the line at fault.
//!
//! ```toml
//! [groups]
//! release-managers = ["alice", "bob"]     # members listed here
//! sre = "from-proxy"                      # members as the proxy's groups header says
//!
//! [[rule]]
//! name = "production releases"
//! deployments = ["release/prod"]          # flow-name/deployment-name
//! tags = ["release"]                      # every list given must match
//! approvers = ["group:release-managers", "carol"]
//! rejecters = ["group:release-managers", "group:sre"]   # default: the approvers
//! approvals = 2                           # distinct people, same input; default 1
//! four_eyes = true                        # the requester may not approve; default true
//!
//! [default]                               # runs no rule matches; without it: nobody
//! approvers = ["*"]
//! ```

use std::collections::BTreeMap;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use super::model::{Group, Policy, Principal, Rule, RunMatch};

/// Why a policy file was refused, with its line (1-based) where one is to blame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
pub struct PolicyFileError {
    /// The line at fault.
    pub line: Option<usize>,
    /// What is wrong, in words.
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    groups: BTreeMap<String, Spanned<toml::Value>>,
    #[serde(default)]
    rule: Vec<Spanned<RawRule>>,
    default: Option<Spanned<RawRule>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    name: Option<Spanned<String>>,
    #[serde(default)]
    flows: Vec<String>,
    #[serde(default)]
    deployments: Vec<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    pause_keys: Vec<String>,
    approvers: Option<Spanned<Vec<Spanned<String>>>>,
    rejecters: Option<Spanned<Vec<Spanned<String>>>>,
    approvals: Option<Spanned<i64>>,
    four_eyes: Option<bool>,
}

impl Policy {
    /// Reads a policy file.
    pub fn from_toml(text: &str) -> Result<Policy, PolicyFileError> {
        let raw: RawFile = toml::from_str(text).map_err(|err| PolicyFileError {
            line: err.span().map(|span| line_of(text, &span)),
            message: err.message().trim().to_owned(),
        })?;
        let at = |span: Range<usize>, message: String| PolicyFileError {
            line: Some(line_of(text, &span)),
            message,
        };

        let mut groups = BTreeMap::new();
        for (name, value) in raw.groups {
            let group = read_group(&name, value.get_ref()).map_err(|m| at(value.span(), m))?;
            groups.insert(name, group);
        }

        let mut rules = Vec::new();
        for raw_rule in raw.rule {
            let span = raw_rule.span();
            let rule = read_rule(raw_rule.into_inner(), None, &groups, &at)
                .map_err(|err| err.or_line(text, &span))?;
            if let Some(earlier) = rules.iter().find(|r: &&Rule| r.name == rule.name) {
                return Err(at(
                    span,
                    format!("a second rule is named {:?}", earlier.name),
                ));
            }
            rules.push(rule);
        }
        let default = match raw.default {
            Some(raw_rule) => {
                let span = raw_rule.span();
                Some(
                    read_rule(raw_rule.into_inner(), Some("default"), &groups, &at)
                        .map_err(|err| err.or_line(text, &span))?,
                )
            }
            None => None,
        };
        if let Some(rule) = &default
            && rule.matches != RunMatch::default()
        {
            return Err(PolicyFileError {
                line: None,
                message: "[default] governs the runs no rule matches; it takes no flows, \
                          deployments, tags or pause_keys"
                    .into(),
            });
        }
        Ok(Policy {
            groups,
            rules,
            default,
        })
    }
}

impl PolicyFileError {
    /// This error, or one at `span` when it names no line.
    fn or_line(self, text: &str, span: &Range<usize>) -> PolicyFileError {
        PolicyFileError {
            line: self.line.or_else(|| Some(line_of(text, span))),
            message: self.message,
        }
    }
}

fn read_group(name: &str, value: &toml::Value) -> Result<Group, String> {
    let names = |list: &toml::value::Array| -> Result<Vec<String>, String> {
        list.iter()
            .map(|v| match v.as_str().map(Principal::parse) {
                Some(Ok(Principal::User(user))) => Ok(user),
                _ => Err(format!(
                    "group {name:?} lists {}, which is no user name (members are users, as \"alice\")",
                    v.as_str().map_or_else(|| format!("a {}", v.type_str()), |s| format!("{s:?}"))
                )),
            })
            .collect()
    };
    let group = match value {
        toml::Value::Array(list) => Group {
            members: names(list)?,
            from_proxy: false,
        },
        toml::Value::String(s) if s == "from-proxy" => Group {
            members: vec![],
            from_proxy: true,
        },
        toml::Value::Table(table) => {
            if let Some(key) = table
                .keys()
                .find(|k| !["members", "from_proxy"].contains(&k.as_str()))
            {
                return Err(format!(
                    "group {name:?} has an unknown key {key:?} (expected members, from_proxy)"
                ));
            }
            Group {
                members: match table.get("members") {
                    None => vec![],
                    Some(toml::Value::Array(list)) => names(list)?,
                    Some(_) => return Err(format!("group {name:?}: members must be a list")),
                },
                from_proxy: match table.get("from_proxy") {
                    None => false,
                    Some(toml::Value::Boolean(b)) => *b,
                    Some(_) => {
                        return Err(format!("group {name:?}: from_proxy must be true or false"));
                    }
                },
            }
        }
        _ => {
            return Err(format!(
                "group {name:?} must be a list of users, \"from-proxy\", or a table with members and from_proxy"
            ));
        }
    };
    if group.members.is_empty() && !group.from_proxy {
        return Err(format!("group {name:?} has no members"));
    }
    Ok(group)
}

fn read_rule(
    raw: RawRule,
    fixed_name: Option<&str>,
    groups: &BTreeMap<String, Group>,
    at: &impl Fn(Range<usize>, String) -> PolicyFileError,
) -> Result<Rule, PolicyFileError> {
    let name = match (fixed_name, raw.name) {
        (Some(fixed), None) => fixed.to_owned(),
        (Some(_), Some(name)) => {
            return Err(at(
                name.span(),
                "[default] is named \"default\"; remove its name".into(),
            ));
        }
        (None, Some(name)) if !name.get_ref().trim().is_empty() => name.into_inner(),
        (None, _) => {
            return Err(PolicyFileError {
                line: None,
                message: "every [[rule]] needs a name".into(),
            });
        }
    };
    let principals = |list: Spanned<Vec<Spanned<String>>>, what: &str| {
        let span = list.span();
        let mut out = Vec::new();
        for entry in list.into_inner() {
            let principal = Principal::parse(entry.get_ref())
                .map_err(|m| at(entry.span(), format!("rule {name:?}: {m}")))?;
            if let Principal::Group(group) = &principal
                && !groups.contains_key(group)
            {
                return Err(at(
                    entry.span(),
                    format!(
                        "rule {name:?} names the group {group:?}, which [groups] does not define"
                    ),
                ));
            }
            out.push(principal);
        }
        if out.is_empty() {
            return Err(at(span, format!("rule {name:?} names no {what}")));
        }
        Ok(out)
    };
    let approvers = match raw.approvers {
        Some(list) => principals(list, "approvers")?,
        None => {
            return Err(PolicyFileError {
                line: None,
                message: format!("rule {name:?} needs approvers (users, \"group:NAME\" or \"*\")"),
            });
        }
    };
    let rejecters = match raw.rejecters {
        Some(list) => principals(list, "rejecters")?,
        None => approvers.clone(),
    };
    let approvals = match raw.approvals {
        None => 1,
        Some(n) => {
            let span = n.span();
            match u32::try_from(*n.get_ref()) {
                Ok(n) if n >= 1 => {
                    if let Some(people) = enumerable(&approvers, groups)
                        && people.len() < n as usize
                    {
                        return Err(at(
                            span,
                            format!(
                                "rule {name:?} needs {n} approvals but only {} may approve ({})",
                                people.len(),
                                people.join(", ")
                            ),
                        ));
                    }
                    n
                }
                _ => {
                    return Err(at(
                        span,
                        format!("rule {name:?}: approvals must be at least 1"),
                    ));
                }
            }
        }
    };
    Ok(Rule {
        name,
        matches: RunMatch {
            flows: raw.flows,
            deployments: raw.deployments,
            tags: raw.tags,
            pause_keys: raw.pause_keys,
        },
        approvers,
        rejecters,
        approvals,
        four_eyes: raw.four_eyes.unwrap_or(true),
    })
}

/// Everyone the principals can be, when the file alone says who (no `*`, no group whose
/// members the proxy names).
fn enumerable(principals: &[Principal], groups: &BTreeMap<String, Group>) -> Option<Vec<String>> {
    let mut people: Vec<String> = Vec::new();
    for principal in principals {
        match principal {
            Principal::Anyone => return None,
            Principal::User(user) => people.push(user.clone()),
            Principal::Group(name) => {
                let group = groups.get(name)?;
                if group.from_proxy {
                    return None;
                }
                people.extend(group.members.iter().cloned());
            }
        }
    }
    people.sort();
    people.dedup();
    Some(people)
}

/// The 1-based line of a byte offset's span.
fn line_of(text: &str, span: &Range<usize>) -> usize {
    let end = span.start.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[groups]
release-managers = ["alice", "bob"]
sre = "from-proxy"

[[rule]]
name = "production releases"
deployments = ["release/prod"]
tags = ["release"]
approvers = ["group:release-managers", "carol"]
rejecters = ["group:release-managers", "group:sre"]
approvals = 2

[default]
approvers = ["*"]
four_eyes = false
"#;

    #[test]
    fn a_good_file_reads_into_the_policy() {
        let policy = Policy::from_toml(GOOD).expect("parses");
        assert_eq!(policy.rules.len(), 1);
        let rule = &policy.rules[0];
        assert_eq!(rule.approvals, 2);
        assert!(rule.four_eyes, "four-eyes is on unless a rule turns it off");
        assert_eq!(rule.approvers[1], Principal::User("carol".into()));
        assert!(policy.groups["sre"].from_proxy);
        let default = policy.default.expect("default");
        assert_eq!(default.rejecters, vec![Principal::Anyone]);
        assert!(!default.four_eyes);
    }

    #[test]
    fn a_bad_file_is_refused_naming_the_line() {
        for (text, line, says) in [
            (
                "[[rule]]\nname = \"a\"\naprovers = [\"x\"]\n",
                Some(3),
                "unknown field `aprovers`",
            ),
            (
                "[[rule]]\nname = \"a\"\napprovers = [\"group:ops\"]\n",
                Some(3),
                "\"ops\", which [groups] does not define",
            ),
            (
                "[groups]\nops = [\"a\"]\n[[rule]]\nname = \"r\"\napprovers = [\"group:ops\"]\napprovals = 2\n",
                Some(6),
                "needs 2 approvals but only 1 may approve (a)",
            ),
            (
                "[[rule]]\nname = \"r\"\napprovers = [\"a\"]\napprovals = 0\n",
                Some(4),
                "approvals must be at least 1",
            ),
            (
                "[[rule]]\nname = \"r\"\napprovers = []\n",
                Some(3),
                "names no approvers",
            ),
            (
                "[[rule]]\nname = \"r\"\napprovers = [\"a b\"]\n",
                Some(3),
                "is no user name",
            ),
            (
                "[[rule]]\nname = \"r\"\napprovers = [\"a\"]\n[[rule]]\nname = \"r\"\napprovers = [\"b\"]\n",
                Some(4),
                "a second rule is named \"r\"",
            ),
            ("[[rule]]\napprovers = [\"a\"]\n", Some(1), "needs a name"),
            ("[groups]\nops = []\n", Some(2), "has no members"),
            ("[groups]\nops = 3\n", Some(2), "must be a list of users"),
            ("[[rule]]\nname = \"r\"\n", Some(1), "needs approvers"),
            (
                "[default]\napprovers = [\"*\"]\ntags = [\"x\"]\n",
                None,
                "takes no flows",
            ),
            ("[[rule]\n", Some(1), "unclosed array table"),
        ] {
            match Policy::from_toml(text) {
                Err(err) => {
                    assert_eq!(err.line, line, "{text:?}: {err}");
                    assert!(err.message.contains(says), "{text:?}: {err}");
                }
                Ok(_) => panic!("{text:?} was accepted"),
            }
        }
    }
}
