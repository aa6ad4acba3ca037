//! Deciding many runs with a bounded number of requests in flight.

use std::collections::HashSet;
use std::future::Future;

use flowgate_core::gate::{GateApproval, GateReject};
use futures_util::StreamExt;
use futures_util::stream;
use serde::Serialize;
use uuid::Uuid;

use crate::decide::{Decided, Decider};
use crate::{Client, ClientError, Rejected, Resumed};

/// Requests in flight at once unless told otherwise.
///
/// Measured with `scripts/bench-bulk.sh` (1,000 paused runs a bulk, Prefect 3.9.1 on
/// PostgreSQL 15, 2 cores): the server's own ceiling, bare HTTP POSTs at their best
/// concurrency, was 53 resumes/s, reached at 4 in flight; Flowgate in Chromium did 32/s at 1,
/// 50/s at 4 (94% of the ceiling), 44/s at 8 and 46/s at 16. Past 4 the server is the limit:
/// more in flight only lengthens each resume (p95 114 ms at 4, 274 ms at 8, 445 ms at 16)
/// and, on SQLite, raises the share of "database is locked" 503s.
pub const DEFAULT_CONCURRENCY: usize = 4;

/// One run's outcome in a bulk action.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkOutcome<T = Resumed> {
    /// The run.
    pub flow_run_id: Uuid,
    /// The server's answer, or why there is none.
    pub outcome: Result<T, ClientError>,
}

impl Client {
    /// Resumes each run once (duplicates in `ids` are sent once), at most `concurrency`
    /// at a time, calling `on_progress(outcome, done, total)` as each completes. One
    /// failure never stops the batch. Outcomes come back in completion order.
    pub async fn resume_many(
        &self,
        ids: &[Uuid],
        concurrency: usize,
        on_progress: impl FnMut(&BulkOutcome, usize, usize),
    ) -> Vec<BulkOutcome> {
        for_each_once(ids, concurrency, on_progress, |id| self.resume(id, None)).await
    }

    /// [`Client::resume_many`], each resume recorded as a decision (see
    /// [`Client::resume_decided`]).
    pub async fn resume_many_decided(
        &self,
        ids: &[Uuid],
        concurrency: usize,
        decider: &Decider,
        on_progress: impl FnMut(&BulkOutcome<Decided<Resumed>>, usize, usize),
    ) -> Vec<BulkOutcome<Decided<Resumed>>> {
        for_each_once(ids, concurrency, on_progress, |id| {
            self.resume_decided(id, None, None, decider, true)
        })
        .await
    }

    /// Rejects each run once with the same reason, at most `concurrency` at a time, each
    /// recorded as a decision (see [`Client::reject_decided`]).
    pub async fn reject_many(
        &self,
        ids: &[Uuid],
        reason: &str,
        concurrency: usize,
        decider: &Decider,
        on_progress: impl FnMut(&BulkOutcome<Decided<Rejected>>, usize, usize),
    ) -> Vec<BulkOutcome<Decided<Rejected>>> {
        // The server's release is read once for the whole batch, not once per run.
        let rules = self.server_rules().await;
        for_each_once(ids, concurrency, on_progress, |id| {
            self.reject_decided_on(id, reason, decider, true, rules)
        })
        .await
    }

    /// Approves each run once through the gate (runs that ask no input): `chunk` runs a
    /// request to `POST /gate/flow_runs/approve` (the gate resumes each chunk's runs a few at
    /// a time and writes their records in one batch), one chunk after another, calling
    /// `on_progress` for each run as its chunk answers.
    pub async fn gate_approve_many(
        &self,
        ids: &[Uuid],
        chunk: usize,
        mut on_progress: impl FnMut(&BulkOutcome<GateApproval>, usize, usize),
    ) -> Vec<BulkOutcome<GateApproval>> {
        let mut seen = HashSet::with_capacity(ids.len());
        let unique: Vec<Uuid> = ids.iter().copied().filter(|id| seen.insert(*id)).collect();
        let total = unique.len();
        let mut outcomes = Vec::with_capacity(total);
        for part in unique.chunks(chunk.max(1)) {
            let answered = self.gate_approve_chunk(part).await;
            for outcome in answered {
                outcomes.push(outcome);
                if let Some(last) = outcomes.last() {
                    on_progress(last, outcomes.len(), total);
                }
            }
        }
        outcomes
    }

    /// Rejects each run once through the gate with the same reason (see
    /// [`Client::gate_reject`]), at most `concurrency` at a time.
    pub async fn gate_reject_many(
        &self,
        ids: &[Uuid],
        reason: &str,
        concurrency: usize,
        on_progress: impl FnMut(&BulkOutcome<GateReject>, usize, usize),
    ) -> Vec<BulkOutcome<GateReject>> {
        for_each_once(ids, concurrency, on_progress, |id| {
            self.gate_reject(id, reason)
        })
        .await
    }
}

async fn for_each_once<T, F: Future<Output = Result<T, ClientError>>>(
    ids: &[Uuid],
    concurrency: usize,
    mut on_progress: impl FnMut(&BulkOutcome<T>, usize, usize),
    one: impl Fn(Uuid) -> F,
) -> Vec<BulkOutcome<T>> {
    let mut seen = HashSet::with_capacity(ids.len());
    let unique: Vec<Uuid> = ids.iter().copied().filter(|id| seen.insert(*id)).collect();
    let total = unique.len();
    let one = &one;
    let mut in_flight = stream::iter(unique)
        .map(|id| async move {
            BulkOutcome {
                flow_run_id: id,
                outcome: one(id).await,
            }
        })
        .buffer_unordered(concurrency.max(1));
    let mut outcomes = Vec::with_capacity(total);
    while let Some(outcome) = in_flight.next().await {
        outcomes.push(outcome);
        if let Some(last) = outcomes.last() {
            on_progress(last, outcomes.len(), total);
        }
    }
    outcomes
}
