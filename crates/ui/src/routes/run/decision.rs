//! A decision sent from the run page (resume, approve or reject): one at a time, its answer
//! written back into the page.

use flowgate_client::ClientError;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::decision_outcome::Outcome;

/// A decision from the run page: being sent (one at a time), or made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Deciding {
    Resume,
    Reject,
    /// A decision changed the run: nothing more is sent from this view of it (a second
    /// press must not meet the run it just changed).
    Done,
}

/// The page's signals a decision reports to.
#[derive(Clone, Copy)]
pub(crate) struct DecisionSignals {
    /// What happened, shown under the buttons.
    pub(crate) outcome: RwSignal<Option<Result<Outcome, ClientError>>>,
    /// Set before sending, so the page does not take its own decision for someone else's.
    pub(crate) own_decision: RwSignal<bool>,
    /// Bumped to read the run again after the answer.
    pub(crate) reloads: RwSignal<u64>,
    /// The decision in flight or made, if any.
    pub(crate) deciding: RwSignal<Option<Deciding>>,
}

impl DecisionSignals {
    /// Sends a decision (`send`), unless one is in flight or made. It runs outside the
    /// view's lifetime — the run's view is drawn again when the run changes, which the
    /// decision's own event can make happen before its answer — and answers into the page:
    /// the outcome, a reload of the run, and whether another decision may be sent (yes after
    /// an error or an answer that changed nothing, such as invalid input). The page may be
    /// gone by then (the person navigated away): then nothing is written.
    pub(crate) fn send(
        self,
        kind: Deciding,
        send: impl Future<Output = Result<Outcome, ClientError>> + 'static,
    ) {
        if self.deciding.with_untracked(Option::is_some) {
            return;
        }
        self.outcome.set(None);
        self.own_decision.set(true);
        self.deciding.set(Some(kind));
        spawn_local(async move {
            let result = send.await;
            let changed = result.as_ref().is_ok_and(Outcome::changed_run);
            let _ = self.deciding.try_set(changed.then_some(Deciding::Done));
            let _ = self.outcome.try_set(Some(result));
            let _ = self.reloads.try_update(|n| *n += 1);
        });
    }
}
