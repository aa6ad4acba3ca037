//! Staying current: when the run changes state elsewhere (an event, or the poll finds it),
//! the page reads it again and, if it was paused and the change was not the page's own
//! decision, says what happened; the draft stays. After a decision the history is read again
//! while the decision's record is stored.

use flowgate_client::sleep;
use flowgate_core::{FlowRun, StateType};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::decision::DecisionSignals;
use crate::components::local_time::clock_time;
use crate::state::connection::Connection;
use crate::state::live::Live;

/// What the page reads again, and where it says the run changed elsewhere.
#[derive(Clone, Copy)]
pub(super) struct Following {
    /// Bumped to read the run's history again.
    pub(super) history_reloads: RwSignal<u64>,
    /// What happened to the run elsewhere, once it left its pause.
    pub(super) elsewhere: RwSignal<Option<String>>,
}

/// Follows run `id` (shown as `shown()` returns it) through the live events and the poll,
/// and reads its history again after a decision of `decisions`.
pub(super) fn follow_run(
    id: Signal<String>,
    shown: impl Fn() -> Option<FlowRun> + Copy + 'static,
    decisions: DecisionSignals,
    following: Following,
) {
    let connection = expect_context::<Connection>();
    let live = expect_context::<Live>();
    let Following {
        history_reloads,
        elsewhere,
    } = following;
    let check = move |from_event: bool| {
        let Some(shown) = shown() else {
            return;
        };
        let Ok(client) = connection.client_untracked() else {
            return;
        };
        spawn_local(async move {
            // An event can come before its write is visible: read a few times.
            let tries = if from_event { 5 } else { 1 };
            let changed = |run: &FlowRun| run.state_type != shown.state_type;
            let Ok(now) = client.read_flow_run_until(shown.id, tries, changed).await else {
                return;
            };
            if changed(&now) {
                if shown.state_type == Some(StateType::Paused)
                    && !decisions.own_decision.get_untracked()
                {
                    elsewhere.set(Some(changed_elsewhere(&now)));
                }
                decisions.reloads.update(|n| *n += 1);
                history_reloads.update(|n| *n += 1);
            }
        });
    };
    live.on_changes(move |fresh| {
        let mine = id.get_untracked();
        if fresh.iter().any(|c| c.flow_run_id.to_string() == mine) {
            check(true);
        }
    });
    Effect::new(move |first: Option<()>| {
        live.poll.track();
        if first.is_some() {
            check(false);
        }
    });
    // Decisions are stored a few seconds after they are sent: read the history again then.
    Effect::new(move |previous: Option<bool>| {
        let decided = decisions.outcome.with(Option::is_some);
        if decided && previous == Some(false) {
            spawn_local(async move {
                for ms in [0, 2_500, 6_000] {
                    sleep(ms).await;
                    history_reloads.update(|n| *n += 1);
                }
            });
        }
        decided
    });
}

/// What happened to a run that left its pause elsewhere, as a sentence for the page.
fn changed_elsewhere(run: &FlowRun) -> String {
    let name = run
        .state_name
        .clone()
        .unwrap_or_else(|| "another state".into());
    let what = match &run.state_type {
        Some(StateType::Running | StateType::Scheduled | StateType::Pending) => "Resumed elsewhere",
        Some(StateType::Cancelled | StateType::Cancelling) => "Cancelled elsewhere",
        _ => "Changed elsewhere",
    };
    let at = run
        .state
        .as_ref()
        .map(|s| format!(" at {}", clock_time(s.timestamp)))
        .unwrap_or_default();
    format!("{what}{at} — it is now {name}; your draft is kept.")
}
