// PrefectClient from the built package against a real Prefect server started by the harness
// (FLOWGATE_NODE_HARNESS names its harness.json; scripts/test.sh starts it).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { PrefectClient, checkResume } from "flowgate";

function harness() {
  const path = process.env.FLOWGATE_NODE_HARNESS;
  assert.ok(path, "FLOWGATE_NODE_HARNESS must name a running harness's harness.json");
  return JSON.parse(readFileSync(path, "utf8"));
}

test("lists paused runs newest first, with what each asks for", async () => {
  const { api_url: apiUrl } = harness();
  const client = new PrefectClient({ apiUrl });
  assert.equal(await client.health(), true);
  assert.equal(await client.serverVersion(), "3.9.1");
  const runs = await client.listFlowRuns({ flow_runs: { state: { type: { any_: ["PAUSED"] } } }, sort: "START_TIME_DESC", limit: 200 });
  assert.ok(runs.length >= 10);
  assert.ok(runs.every((r) => r.state.type === "PAUSED"));
  assert.equal(await client.countFlowRuns({ flow_runs: { state: { type: { any_: ["PAUSED"] } } } }), runs.length);
  const page = await client.paginateFlowRuns({ flow_runs: { state: { type: { any_: ["PAUSED"] } } }, sort: "START_TIME_DESC", page: 2, limit: 3 });
  assert.equal(page.page, 2);
  assert.equal(page.count, runs.length);
  assert.deepEqual(page.results.map((r) => r.id), runs.slice(3, 6).map((r) => r.id));
  await assert.rejects(client.listFlowRuns({ limit: "many" }), (err) => err.kind === "parse" && err.details.path === "limit");
  const names = (await client.flowsById([...new Set(runs.map((r) => r.flow_id))])).map((f) => f.name);
  assert.ok(names.includes("approve-deploy"));
});

test("resume with invalid input is rejected as predicted, then valid input is accepted", async () => {
  const { api_url: apiUrl, runs } = harness();
  const client = new PrefectClient({ apiUrl, timeoutMs: 10000 });
  const run = await client.readFlowRun(runs.input[0]);
  const asks = await client.readRunInputSchema(run);
  assert.ok(asks.schema.includes("Approval"));
  const bad = { approver: "x", level: "mid", address: { city: "c" } };
  const predicted = checkResume(run, { schema: asks.schema, runInput: bad });
  const answer = await client.resume(run.id, bad);
  assert.equal(answer.result.status, "REJECT");
  assert.equal(answer.result.details.reason, predicted.reason);
  assert.equal(predicted.reason, "Reason: Validation failed for field 'level'. Failure reason: 'mid' is not one of ['low', 'high']");
  const good = { approver: "ana", address: { city: "Oslo" } };
  assert.equal(checkResume(run, { schema: asks.schema, runInput: good }).status, "ACCEPT");
  const accepted = await client.resume(run.id, good);
  assert.equal(accepted.result.status, "ACCEPT");
  assert.equal(accepted.stateWritten, true);
});

test("bulk resume reports progress for each run and never stops on a failure", async () => {
  const { api_url: apiUrl, runs } = harness();
  const client = new PrefectClient({ apiUrl });
  const events = [];
  const outcomes = await client.resumeMany([...runs.bulk, runs.bulk[1]], { concurrency: 2, onProgress: (e) => events.push(e) });
  assert.equal(outcomes.length, runs.bulk.length);
  assert.deepEqual(events.map((e) => e.done), runs.bulk.map((_, i) => i + 1));
  assert.ok(events.every((e) => e.total === runs.bulk.length));
  const accepted = outcomes.filter((o) => o.ok?.result.status === "ACCEPT");
  const rejected = outcomes.filter((o) => o.ok?.result.status === "REJECT");
  assert.equal(accepted.length, runs.bulk.length - 1);
  assert.deepEqual(rejected.map((o) => o.flowRunId), [runs.bulk[0]]);
});

test("failures are FlowgateErrors with a stable kind", async () => {
  const down = new PrefectClient({ apiUrl: "http://127.0.0.1:9/api", timeoutMs: 3000 });
  await assert.rejects(down.health(), (err) => err.name === "FlowgateError" && err.kind === "unreachable" && err.message.includes("127.0.0.1:9"));
  assert.throws(() => new PrefectClient({ apiUrl: "ftp://x" }), (err) => err.kind === "invalidConfig");
  assert.throws(() => new PrefectClient({ auth: { basic: "no-colon" } }), (err) => err.kind === "invalidConfig");
  const { api_url: apiUrl } = harness();
  const client = new PrefectClient({ apiUrl });
  await assert.rejects(client.readFlowRun("not-a-uuid"), (err) => err.kind === "invalidArgument");
  await assert.rejects(client.resume("00000000-0000-0000-0000-000000000000"), (err) => err.kind === "notFound");
  await assert.rejects(client.resume(harness().runs.input[1], "str"), (err) => err.kind === "validation");
});
