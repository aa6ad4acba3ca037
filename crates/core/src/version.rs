//! Prefect releases, and the rules of the server that differ between them.
//!
//! Flowgate is built against Prefect 3.9.1. What other 3.x releases do differently was
//! measured against real servers (`scripts/measure-versions.sh`) and found in each release's
//! source; docs/prefect-versions.md has the table. A rule that differs is a field of
//! [`ServerRules`], and the verdicts that depend on it take the rules of the server they are
//! for.

use std::fmt;

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

impl fmt::Display for PrefectVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
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
}

impl ServerRules {
    /// The rules of Prefect 3.9.1, which Flowgate is built against.
    pub const BUILT_FOR: ServerRules = ServerRules {
        paused_may_cancel_through_cancelling: true,
        unresolvable_reference_rejects: true,
        idle_process_fails_rejected_run: Some(true),
    };

    /// The rules of `version`; those of the release Flowgate is built against when the
    /// version is not known (it could not be read, or is not a 3.x release).
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
            },
            _ => ServerRules::BUILT_FOR,
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
}
