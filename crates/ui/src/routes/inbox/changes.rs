//! The inbox following Prefect's event stream: the page is read again when a run entered or
//! left a pause, once the server shows the change; a ticked run that left is unticked, and
//! the page says so.

use flowgate_client::Client;
use flowgate_core::{FlowRun, FlowRunChange, StateType};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::CONFIRM_AT_MOST;
use super::ticks::Ticks;
use crate::state::connection::Connection;
use crate::state::live::Live;

/// Follows the event stream for the inbox: unticks runs that left their pause (and notes it in
/// `left`, unless a bulk of the page's own is `busy`), then bumps `refresh`.
pub(super) fn follow_changes(
    ticks: Ticks,
    busy: RwSignal<bool>,
    left: RwSignal<Vec<String>>,
    refresh: RwSignal<u64>,
) {
    let connection = expect_context::<Connection>();
    let live = expect_context::<Live>();
    live.on_changes(move |fresh| {
        let relevant: Vec<FlowRunChange> = fresh
            .into_iter()
            .filter(FlowRunChange::touches_pause)
            .collect();
        if relevant.is_empty() {
            return;
        }
        for change in relevant
            .iter()
            .filter(|c| c.state_type != StateType::Paused)
        {
            let gone = ticks.untick(change.flow_run_id);
            if let Some(name) = gone.filter(|_| !busy.get_untracked()) {
                left.update(|l| {
                    l.push(format!(
                        "{name} left the inbox while ticked: it is now {}.",
                        change.state_name
                    ))
                });
            }
        }
        spawn_local(async move {
            if let Ok(client) = connection.client_untracked() {
                for change in relevant.iter().rev().take(CONFIRM_AT_MOST) {
                    confirm(&client, change).await;
                }
            }
            refresh.update(|n| *n += 1);
        });
    });
}

/// An event can arrive before the server's write is visible: reads the run until it shows
/// the state the event announced (a few tries, a moment apart).
async fn confirm(client: &Client, change: &FlowRunChange) {
    let announced = |run: &FlowRun| run.state_type.as_ref() == Some(&change.state_type);
    let _ = client
        .read_flow_run_until(change.flow_run_id, 5, announced)
        .await;
}
