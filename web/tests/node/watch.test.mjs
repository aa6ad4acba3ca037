// client.watchFlowRuns from the built package in Node (Node 20 needs --experimental-websocket;
// scripts/test.sh sets it) against a real Prefect server (FLOWGATE_NODE_HARNESS).
import { test } from "node:test";
import assert from "node:assert/strict";
import { PrefectClient } from "flowgate";
import { apiPost as post, harnessFrom } from "../support/prefect.mjs";

const harness = () => harnessFrom("FLOWGATE_NODE_HARNESS");

function waitFor(predicate, what, ms = 10000) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const timer = setInterval(() => {
      const found = predicate();
      if (found) { clearInterval(timer); resolve(found); }
      else if (Date.now() - started > ms) { clearInterval(timer); reject(new Error(`no ${what} within ${ms} ms`)); }
    }, 20);
  });
}

test("watchFlowRuns reports a run pausing and being resumed, filtered, until closed", async () => {
  const { api_url: apiUrl } = harness();
  const client = new PrefectClient({ apiUrl });
  const flow = await post(apiUrl, "/flows/", { name: "watched-from-node" });
  const run = await post(apiUrl, "/flow_runs/", { flow_id: flow.id, name: "watched" });
  const changes = [];
  const statuses = [];
  const watch = client.watchFlowRuns({
    filter: { states: ["PAUSED"], flowRunIds: [run.id] },
    onChange: (change) => changes.push(change),
    onStatus: (status) => statuses.push(status),
  });
  await waitFor(() => statuses.some((s) => s.state === "live"), "live status");
  assert.equal(statuses[0].state, "connecting");
  await post(apiUrl, `/flow_runs/${run.id}/set_state`, { state: { type: "RUNNING" }, force: true });
  await post(apiUrl, `/flow_runs/${run.id}/set_state`, { state: { type: "PAUSED", name: "Paused" }, force: true });
  const paused = await waitFor(() => changes.find((c) => c.stateType === "PAUSED"), "pause");
  assert.equal(paused.flowRunId, run.id);
  assert.equal(paused.stateName, "Paused");
  assert.equal(paused.previousType, "RUNNING");
  assert.equal(changes.length, 1, "the RUNNING change was filtered out: it neither enters nor leaves PAUSED");
  assert.equal((await client.resume(run.id)).result.status, "ACCEPT");
  const resumed = await waitFor(() => changes.find((c) => c.previousType === "PAUSED"), "resume");
  assert.equal(resumed.stateType, "RUNNING");
  watch.close();
  await post(apiUrl, `/flow_runs/${run.id}/set_state`, { state: { type: "PAUSED", name: "Paused" }, force: true });
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(changes.length, 2, "nothing arrives after close()");
});

test("watchFlowRuns refuses what it cannot use, naming it", () => {
  const { api_url: apiUrl } = harness();
  const client = new PrefectClient({ apiUrl });
  assert.throws(() => client.watchFlowRuns({ onChange: () => {}, onchange: () => {} }),
    (err) => err.kind === "invalidArgument" && /no key "onchange"; it takes filter, onChange, onStatus/.test(err.message));
  assert.throws(() => client.watchFlowRuns({ onChange: () => {}, filter: { state: ["PAUSED"] } }),
    (err) => err.kind === "invalidArgument" && /filter has no key "state"/.test(err.message));
  assert.throws(() => client.watchFlowRuns({}), (err) => err.kind === "invalidArgument" && /needs onChange/.test(err.message));
  assert.throws(() => client.watchFlowRuns({ onChange: () => {}, filter: { flowRunIds: ["nope"] } }),
    (err) => err.kind === "invalidArgument");
});

test("a server that refuses the socket is reported as refused", async () => {
  const client = new PrefectClient({ apiUrl: "http://127.0.0.1:9/api" });
  const statuses = [];
  const watch = client.watchFlowRuns({ onChange: () => {}, onStatus: (s) => statuses.push(s) });
  const refused = await waitFor(() => statuses.find((s) => s.state === "refused"), "refused status", 15000);
  assert.match(refused.reason, /Live updates from ws:\/\/127\.0\.0\.1:9\/api\/events\/out are not available/);
  watch.close();
});
