// `--showcase`, the console's demo, seeds real flows waiting for people and nothing
// adversarial.
import { test } from "node:test";
import assert from "node:assert/strict";
import { apiPost, stateOf } from "../support/prefect.mjs";
import { harnessRun, stateDir } from "./run.mjs";

test("--showcase seeds a team's morning: four real flows wait for a person, one pause timed out, nothing adversarial; a resume with input lets its flow finish", { timeout: 300_000 }, async (t) => {
  const dir = stateDir(t, "showcase");
  const started = await harnessRun(["start", dir, "--showcase"]);
  assert.equal(started.code, 0, started.stderr);
  const record = JSON.parse(started.stdout);
  // Prefect on SQLite answers 503 while its database is locked (nothing applied): sent again.
  const post = (path, body) => apiPost(record.api_url, path, body);
  const paused = await post("/flow_runs/filter", { flow_runs: { state: { type: { any_: ["PAUSED"] } } } });
  const flows = new Map((await post("/flows/filter", {})).map((f) => [f.id, f.name]));
  assert.deepEqual(paused.map((r) => flows.get(r.flow_id)).sort(),
    ["data-quality-gate", "monthly-invoices", "nightly-backfill", "promote-model", "release-to-production"]);
  for (const run of paused) {
    assert.doesNotMatch(run.name, /[<>]|schema|demo-run/, "names are Prefect's, not test fixtures'");
    assert.ok(!run.tags.includes("broken-schema") && !run.tags.includes("demo"), run.tags.join(","));
  }
  const timedOut = paused.find((r) => r.id === record.runs.timed_out);
  assert.ok(new Date(timedOut.state.state_details.pause_timeout) < new Date(), "the invoice run's pause timed out");
  const others = await post("/flow_runs/count", { flow_runs: { state: { type: { not_any_: ["PAUSED"] } } } });
  assert.ok(others >= 30, `runs in other states for All runs: ${others}`);
  // The release asks for its sign-off with the change summary; resumed with one, the real
  // flow (in the runner's process) goes on and finishes.
  const release = record.runs.production;
  const description = await (await fetch(`${record.api_url}/flow_runs/${release}/input/paused-1-description`)).json();
  assert.match(description, /^## web-shop 2\.14\.0 to production/);
  const resumed = await post(`/flow_runs/${release}/resume`, { run_input: { approver: "ana", rollout: "all at once" } });
  assert.equal(resumed.status, "ACCEPT", JSON.stringify(resumed));
  let state;
  for (let i = 0; i < 120 && state !== "COMPLETED"; i++) {
    await new Promise((r) => setTimeout(r, 500));
    state = await stateOf(record.api_url, release);
  }
  assert.equal(state, "COMPLETED", "the flow went on after its pause and finished");
});
