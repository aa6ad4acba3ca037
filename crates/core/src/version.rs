//! Prefect releases, and the rules of the server that differ between them.
//!
//! Flowgate is built against Prefect 3.9.1. What other 3.x releases do differently was
//! measured against real servers (`scripts/measure-versions.sh`) and found in each release's
//! source; docs/prefect-versions.md has the table. A rule that differs is a field of
//! [`ServerRules`], and the verdicts that depend on it take the rules of the server they are
//! for. Outside the measured releases (3.4 to 3.9), or when the release cannot be read, the
//! rules say so ([`Unmeasured`]) and verdicts leave the answer to the server rather than
//! pretend.

use std::fmt;

use serde::{Serialize, Serializer};

/// A Prefect release, as `GET /api/admin/version` gives it (`"3.9.1"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PrefectVersion {
    /// 3 for every release this knows.
    pub major: u32,
    /// The minor release.
    pub minor: u32,
    /// The patch release.
    pub patch: u32,
}

impl PrefectVersion {
    /// The release Flowgate is built against.
    pub const BUILT_FOR: PrefectVersion = PrefectVersion::new(3, 9, 1);

    /// `major.minor.patch`.
    pub const fn new(major: u32, minor: u32, patch: u32) -> PrefectVersion {
        PrefectVersion {
            major,
            minor,
            patch,
        }
    }

    /// Reads `3.9.1` (also with a suffix such as `3.9.1.dev4+g1a2b` or `3.9.1rc1`, read as
    /// the release it leads to); `None` for anything else.
    pub fn parse(text: &str) -> Option<PrefectVersion> {
        let mut parts = text.trim().splitn(3, '.');
        let number = |part: Option<&str>| -> Option<u32> {
            let digits: String = part?.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        };
        Some(PrefectVersion::new(
            number(parts.next())?,
            number(parts.next())?,
            number(parts.next())?,
        ))
    }
}

impl Serialize for PrefectVersion {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl fmt::Display for PrefectVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// The first release Flowgate's verdicts were measured against.
pub const MEASURED_FROM: PrefectVersion = PrefectVersion::new(3, 4, 0);
/// The first release after those measured (the next minor after the one built for).
pub const MEASURED_BEFORE: PrefectVersion = PrefectVersion::new(3, 10, 0);
/// The measured releases, in words.
pub const MEASURED_RANGE: &str = "3.4 to 3.9";

/// Why a server's answers are not known exactly here: its release is outside those measured,
/// or could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Unmeasured {
    /// Older than the measured releases.
    Older {
        /// The server's release.
        version: PrefectVersion,
    },
    /// Newer than the measured releases.
    Newer {
        /// The server's release.
        version: PrefectVersion,
    },
    /// The release could not be read (`/api/admin/version` failed, or said something that is
    /// not a 3.x release).
    Unread,
}

impl Unmeasured {
    /// The measured release whose rules stand in: 3.4's for an older server, 3.9.1's
    /// otherwise.
    pub fn nearest(&self) -> &'static str {
        match self {
            Unmeasured::Older { .. } => "3.4",
            Unmeasured::Newer { .. } | Unmeasured::Unread => "3.9.1",
        }
    }

    /// Why, in a sentence (the conclusion, "only the server can tell", is left to the
    /// reader).
    pub fn reason(&self) -> String {
        match self {
            Unmeasured::Older { version } => format!(
                "This server runs Prefect {version}, older than the releases Flowgate's verdicts are exact for ({MEASURED_RANGE})."
            ),
            Unmeasured::Newer { version } => format!(
                "This server runs Prefect {version}, newer than the releases Flowgate's verdicts are exact for ({MEASURED_RANGE})."
            ),
            Unmeasured::Unread => format!(
                "This server's Prefect release could not be read, and Flowgate's verdicts are exact only for Prefect {MEASURED_RANGE}."
            ),
        }
    }
}

/// The rules of a Prefect server that differ between the 3.x releases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerRules {
    /// A paused run may be proposed `CANCELLING` (3.8.6 and later). Before, the server
    /// refuses it: `This run cannot transition to the StateType.CANCELLING state from the
    /// StateType.PAUSED state.` — so a reject cannot ask a deployment's runner to stop the
    /// waiting process, and ends the run `CANCELLED` instead.
    pub paused_may_cancel_through_cancelling: bool,
    /// A `$ref` in the stored schema that validation reaches and that points nowhere is
    /// rejected with `Validation failed. Failure reason: …` (3.7.5 and later). Before, the
    /// server fails on it with HTTP 500.
    pub unresolvable_reference_rejects: bool,
    /// Whether a flow process paused in place whose run was rejected (Cancelled) marks the
    /// run Failed when its pause times out: measured `Some(false)` (the run stays Cancelled)
    /// up to 3.6.11, `Some(true)` from 3.6.29; `None` in between, where it was not measured.
    pub idle_process_fails_rejected_run: Option<bool>,
    /// A `json` placeholder (`{"__prefect_kind": "json", "value": …}`) whose value is not
    /// text keeps the value as it is (3.6.24 and later). Before, hydrating it fails: `Invalid
    /// JSON: the JSON object must be str, bytes or bytearray, not dict`.
    pub json_placeholder_keeps_non_text: bool,
    /// `None` for a release in the measured range; otherwise why the rules above are a guess
    /// (those of the nearest measured release), and verdicts leave the answer to the server.
    pub unmeasured: Option<Unmeasured>,
}

impl ServerRules {
    /// The rules of Prefect 3.9.1, which Flowgate is built against.
    pub const BUILT_FOR: ServerRules = ServerRules {
        paused_may_cancel_through_cancelling: true,
        unresolvable_reference_rejects: true,
        idle_process_fails_rejected_run: Some(true),
        json_placeholder_keeps_non_text: true,
        unmeasured: None,
    };

    /// The rules of `version`. Outside the measured releases they are those of the nearest
    /// measured one, marked [`Unmeasured`]; when the version is not known (it could not be
    /// read, or is not a 3.x release) those of the release Flowgate is built against, marked
    /// [`Unmeasured::Unread`].
    pub fn of(version: Option<PrefectVersion>) -> ServerRules {
        match version {
            Some(v) if v.major == 3 => ServerRules {
                paused_may_cancel_through_cancelling: v >= PrefectVersion::new(3, 8, 6),
                unresolvable_reference_rejects: v >= PrefectVersion::new(3, 7, 5),
                idle_process_fails_rejected_run: if v <= PrefectVersion::new(3, 6, 11) {
                    Some(false)
                } else if v >= PrefectVersion::new(3, 6, 29) {
                    Some(true)
                } else {
                    None
                },
                json_placeholder_keeps_non_text: v >= PrefectVersion::new(3, 6, 24),
                unmeasured: if v < MEASURED_FROM {
                    Some(Unmeasured::Older { version: v })
                } else if v >= MEASURED_BEFORE {
                    Some(Unmeasured::Newer { version: v })
                } else {
                    None
                },
            },
            _ => ServerRules {
                unmeasured: Some(Unmeasured::Unread),
                ..ServerRules::BUILT_FOR
            },
        }
    }

    /// These rules taken as exact: what the verdicts would be if the release had been
    /// measured (the console shows it beside "only the server can tell").
    pub fn as_if_measured(self) -> ServerRules {
        ServerRules {
            unmeasured: None,
            ..self
        }
    }

    /// The rules of the server whose `/api/admin/version` said `text`.
    pub fn of_version_text(text: &str) -> ServerRules {
        ServerRules::of(PrefectVersion::parse(text))
    }
}

impl Default for ServerRules {
    fn default() -> Self {
        ServerRules::BUILT_FOR
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_read_and_ordered_as_releases() {
        assert_eq!(
            PrefectVersion::parse("3.9.1"),
            Some(PrefectVersion::new(3, 9, 1))
        );
        assert_eq!(
            PrefectVersion::parse("3.10.0rc1"),
            Some(PrefectVersion::new(3, 10, 0))
        );
        assert_eq!(
            PrefectVersion::parse("3.4.25.dev3+g1a2b"),
            Some(PrefectVersion::new(3, 4, 25))
        );
        assert_eq!(PrefectVersion::parse("3.9"), None);
        assert_eq!(PrefectVersion::parse("unknown"), None);
        assert!(PrefectVersion::new(3, 10, 0) > PrefectVersion::new(3, 9, 1));
        assert_eq!(PrefectVersion::BUILT_FOR.to_string(), "3.9.1");
    }

    #[test]
    fn cancelling_a_paused_run_is_allowed_from_3_8_6() {
        let cancels =
            |v: &str| ServerRules::of_version_text(v).paused_may_cancel_through_cancelling;
        assert!(!cancels("3.4.25"));
        assert!(!cancels("3.8.5"));
        assert!(cancels("3.8.6"));
        assert!(cancels("3.9.1"));
        // Unknown: the release Flowgate is built against.
        assert!(cancels("not a version"));
        assert!(cancels("2.20.0"));
        let fails = |v: &str| ServerRules::of_version_text(v).idle_process_fails_rejected_run;
        assert_eq!(fails("3.6.11"), Some(false));
        assert_eq!(fails("3.6.20"), None);
        assert_eq!(fails("3.6.29"), Some(true));
        let rejects = |v: &str| ServerRules::of_version_text(v).unresolvable_reference_rejects;
        assert!(!rejects("3.7.4"));
        assert!(rejects("3.7.5"));
    }

    #[test]
    fn releases_outside_those_measured_are_marked() {
        let unmeasured = |v: &str| ServerRules::of_version_text(v).unmeasured;
        assert_eq!(unmeasured("3.4.0"), None);
        assert_eq!(unmeasured("3.9.1"), None);
        assert_eq!(unmeasured("3.9.12"), None);
        assert_eq!(
            unmeasured("3.3.7"),
            Some(Unmeasured::Older {
                version: PrefectVersion::new(3, 3, 7)
            })
        );
        assert_eq!(
            unmeasured("3.10.0rc1"),
            Some(Unmeasured::Newer {
                version: PrefectVersion::new(3, 10, 0)
            })
        );
        assert_eq!(unmeasured("2.20.0"), Some(Unmeasured::Unread));
        assert_eq!(unmeasured("not a version"), Some(Unmeasured::Unread));
        assert_eq!(ServerRules::BUILT_FOR.unmeasured, None);
        // Beyond the mark, the nearest measured release's rules.
        let newer = ServerRules::of_version_text("3.10.0");
        assert_eq!(newer.as_if_measured(), ServerRules::BUILT_FOR);
        assert_eq!(
            serde_json::to_value(unmeasured("3.10.0")).expect("serializable"),
            serde_json::json!({"kind": "newer", "version": "3.10.0"})
        );
        assert_eq!(
            Unmeasured::Unread.reason(),
            "This server's Prefect release could not be read, and Flowgate's verdicts are exact only for Prefect 3.4 to 3.9."
        );
    }
}
