// Exactly once across a crash: a bulk resume through the npm package in Node while the
// Prefect server (on PostgreSQL) is SIGKILLed and started again. FLOWGATE_CRASH_HARNESS names
// the harness.json of a server started with `--database postgres --bare --bulk N`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PrefectClient } from "flowgate";
import { crashApi, harnessCommand, readHarness, resumeTransitions, stillPaused } from "../support/prefect.mjs";

/** What one bulk outcome says happened to its run. */
function verdictOf(outcome) {
  if (outcome.answer) return outcome.answer.result.status;  // ACCEPT, REJECT or ABORT
  const details = outcome.error.details;
  if (details.kind !== "resumeInterrupted") return `error:${details.kind}`;
  if (details.resumed === true) return "checked:resumed";
  if (details.resumed === false) return "checked:not-resumed";
  return "unknown";
}

test("a bulk resume across a server crash: every run accounted for, none resumed twice", async () => {
  const path = process.env.FLOWGATE_CRASH_HARNESS;
  assert.ok(path, "FLOWGATE_CRASH_HARNESS must name a running harness's harness.json");
  const harness = readHarness(path);
  assert.equal(harness.database, "postgres");
  const ids = harness.runs.bulk;
  const client = new PrefectClient({ apiUrl: harness.api_url, timeoutMs: 5000 });

  let restart;
  const crashAt = Math.floor(ids.length / 4);
  const outcomes = await client.resumeMany(ids, {
    concurrency: 8,
    onProgress: (event) => {
      if (event.done === crashAt) {
        crashApi(harness); // while seven resumes are still in flight
        restart = harnessCommand("kill-api", harness.dir).then(() => harnessCommand("start-api", harness.dir));
      }
    },
  });
  await restart;
  assert.equal(outcomes.length, ids.length);
  const said = new Map(outcomes.map((o) => [o.flowRunId, verdictOf(o)]));
  const tally = {};
  for (const v of said.values()) tally[v] = (tally[v] ?? 0) + 1;
  console.log("first bulk:", JSON.stringify(tally));
  assert.ok(tally["checked:not-resumed"] > 0, "the crash interrupted the bulk");
  assert.deepEqual(Object.keys(tally).filter((v) => !["ACCEPT", "checked:resumed", "checked:not-resumed"].includes(v)), [],
    "every run is resumed or checked, none unknown, none ABORTed (which would be a second resume)");

  // What the client said is what the server shows.
  const paused = await stillPaused(harness.api_url, ids);
  for (const [id, verdict] of said) {
    assert.equal(paused.has(id), verdict === "checked:not-resumed", `run ${id}: the client said ${verdict}`);
  }

  // Running the bulk again on what is still paused finishes the job.
  const again = await client.resumeMany([...paused], { concurrency: 8 });
  assert.deepEqual(again.map(verdictOf).filter((v) => v !== "ACCEPT"), []);
  assert.equal((await stillPaused(harness.api_url, ids)).size, 0);

  const transitions = await resumeTransitions(harness.api_url, ids);
  const notOnce = ids.filter((id) => transitions.get(id) !== 1);
  assert.deepEqual(notOnce, [], "each run's state history shows exactly one resume");
});
