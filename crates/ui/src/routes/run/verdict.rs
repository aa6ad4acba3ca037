//! The server's verdict on the input as it is typed: core's `resume_verdict`, with the
//! schema's pattern searches handed to the console's worker where there is one.

use chrono::{DateTime, Utc};
use flowgate_core::{
    FlowRun, ResumeVerdict, Searches, ServerRules, StoredSchema, resume_verdict_with,
};
use leptos::prelude::*;
use serde_json::Value;

use crate::state::connection::ServerVersion;
use crate::state::pattern_checks::{PatternChecks, PatternHold};

/// The server's answer for the input and, where the server's release is outside those
/// measured (the answer left to the server), what the nearest measured release would answer.
#[derive(Clone, PartialEq)]
pub(super) struct Verdicts {
    pub(super) verdict: ResumeVerdict,
    pub(super) nearest: Option<ResumeVerdict>,
}

/// The verdict, as it follows the input.
#[derive(Clone, Copy)]
pub(super) struct LiveVerdict {
    /// What the server will answer for the input, or why the input is not JSON yet.
    pub(super) verdicts: Memo<Result<Verdicts, String>>,
    /// A pattern is being searched, or its search had to be stopped: not sent either way,
    /// since the server would run the same search (see `verdict_text`).
    pub(super) pattern_holds: Memo<bool>,
}

impl LiveVerdict {
    /// The verdict for `run` on `input`. The clock matters only through "has the pause timed
    /// out", so the verdict is worked out again when that flips, not on every tick: any
    /// instant on the same side of the timeout gives the same verdict.
    pub(super) fn new(
        run: FlowRun,
        schema_text: Option<String>,
        input: Memo<Result<Option<Value>, String>>,
        clock: ReadSignal<DateTime<Utc>>,
    ) -> LiveVerdict {
        let timeout = run
            .state
            .as_ref()
            .and_then(|s| s.state_details.pause_timeout);
        let timed_out = Memo::new(move |_| timeout.is_some_and(|t| t < clock.get()));
        // Where the console runs schema patterns in a worker, a verdict is worked out again
        // as each search settles (mounted alone, as in the browser tests, it runs them
        // itself).
        let pattern_checks = use_context::<PatternChecks>();
        let server_rules = ServerVersion::use_rules();
        // One memo for both verdicts: a second would cost the run page its own copy of the
        // memo's machinery for one more type.
        let verdicts = Memo::new(move |_| -> Result<Verdicts, String> {
            if let Some(checks) = pattern_checks {
                checks.settled.track();
            }
            let input = input.get()?;
            let schema = match &schema_text {
                Some(text) => StoredSchema::Text(text),
                None => StoredSchema::Missing,
            };
            let now = if timed_out.get() {
                DateTime::<Utc>::MAX_UTC
            } else {
                DateTime::<Utc>::MIN_UTC
            };
            let decide = |rules: ServerRules| {
                let verdict = |searches: Searches<'_>| {
                    resume_verdict_with(&run, schema, input.as_ref(), now, searches, rules)
                };
                pattern_checks
                    .and_then(|checks| checks.with(verdict))
                    .unwrap_or_else(|| verdict(Searches::HERE))
            };
            let rules = server_rules();
            Ok(Verdicts {
                verdict: decide(rules),
                nearest: rules.unmeasured.map(|_| decide(rules.as_if_measured())),
            })
        });
        if let Some(checks) = pattern_checks {
            // After every change the verdict reads, not only when it changes: a verdict
            // still waiting on one search looks the same while the text it waits on changes.
            Effect::new(move |_| {
                input.track();
                checks.settled.track();
                verdicts.track();
                checks.dispatch();
            });
        }
        let pattern_holds = Memo::new(move |_| {
            verdicts.with(|v| {
                v.as_ref()
                    .is_ok_and(|v| PatternHold::of(&v.verdict).is_some())
            })
        });
        LiveVerdict {
            verdicts,
            pattern_holds,
        }
    }
}
