// PrefectClient from the built package against a real Prefect server started by the harness
// (FLOWGATE_NODE_HARNESS names its harness.json; scripts/test.sh starts it).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { PrefectClient, checkReject, checkResume } from "flowgate";
import { harnessFrom, pausedRunOf } from "../support/prefect.mjs";

const harness = () => harnessFrom("FLOWGATE_NODE_HARNESS");

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
  // A misplaced key is refused by name, not ignored (which would list every run).
  await assert.rejects(client.countFlowRuns({ state: { type: { any_: ["PAUSED"] } } }),
    (err) => err.kind === "invalidArgument" && /unknown field `state`, expected one of `flows`, `flow_runs`/.test(err.message));
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
  const accepted = outcomes.filter((o) => o.accepted);
  const rejected = outcomes.filter((o) => o.answer?.result.status === "REJECT");
  assert.ok(rejected.every((o) => o.accepted === false), "a REJECT is answered, not accepted");
  assert.equal(accepted.length, runs.bulk.length - 1);
  assert.deepEqual(rejected.map((o) => o.flowRunId), [runs.bulk[0]]);
});

test("a server that closes the connection unanswered: the error says the other side closed", async () => {
  // It reads the request, then closes without a word (a proxy or server that died mid-way).
  const closer = createServer((socket) => socket.once("data", () => socket.destroy()));
  await new Promise((done) => closer.listen(0, "127.0.0.1", done));
  const { port } = closer.address();
  try {
    const client = new PrefectClient({ apiUrl: `http://127.0.0.1:${port}/api`, timeoutMs: 3000 });
    await assert.rejects(client.health(), (err) => err.kind === "unreachable"
      && err.message.startsWith(`Cannot reach the Prefect server at http://127.0.0.1:${port}/api/health: fetch failed: other side closed`));
  } finally {
    closer.close();
  }
});

test("failures are FlowgateErrors with a stable kind", async () => {
  const gone = createServer();
  await new Promise((done) => gone.listen(0, "127.0.0.1", done));
  const { port } = gone.address();
  await new Promise((done) => gone.close(done));
  const down = new PrefectClient({ apiUrl: `http://127.0.0.1:${port}/api`, timeoutMs: 3000 });
  // Node's fetch says only "fetch failed"; why is in its cause, and the message keeps it.
  await assert.rejects(down.health(), (err) => err.name === "FlowgateError" && err.kind === "unreachable"
    && err.message === `Cannot reach the Prefect server at http://127.0.0.1:${port}/api/health: fetch failed: connect ECONNREFUSED 127.0.0.1:${port}. Is it running, and is the API URL right?`);
  // A port fetch refuses to use (the discard service's) is said as such.
  const refused = new PrefectClient({ apiUrl: "http://127.0.0.1:9/api", timeoutMs: 3000 });
  await assert.rejects(refused.health(), (err) => err.kind === "unreachable" && err.message.includes(": fetch failed: bad port."));
  assert.throws(() => new PrefectClient({ apiUrl: "ftp://x" }), (err) => err.kind === "invalidConfig");
  assert.throws(() => new PrefectClient({ auth: { basic: "no-colon" } }), (err) => err.kind === "invalidConfig");
  const { api_url: apiUrl } = harness();
  const client = new PrefectClient({ apiUrl });
  await assert.rejects(client.readFlowRun("not-a-uuid"), (err) => err.kind === "invalidArgument");
  await assert.rejects(client.resume("00000000-0000-0000-0000-000000000000"), (err) => err.kind === "notFound");
  // Input that is not an object (here JSON text of a string) is refused before it is sent:
  // the server would answer 422 "Input should be a valid dictionary".
  await assert.rejects(client.resume(harness().runs.input[1], '"str"'), (err) => err.kind === "invalidArgument" && /not a string/.test(err.message));
  await assert.rejects(client.resume(harness().runs.input[1], "str"), (err) => err.kind === "invalidArgument" && /runInput is not valid JSON/.test(err.message));
});

const pausedRun = (apiUrl, name) => pausedRunOf(apiUrl, name, { flow: "node-decisions", pauseKey: "k" });

async function eventually(read) {
  for (let i = 0; i < 40; i++) {
    const value = await read();
    if (value.length) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
  return read();
}

test("reject: checked, sent, recorded as a Prefect event and read back with the run's history", async () => {
  const { api_url: apiUrl } = harness();
  const client = new PrefectClient({ apiUrl });
  const id = await pausedRun(apiUrl, "node-reject");
  const run = await client.readFlowRun(id);
  assert.throws(() => checkReject(run, { reason: "  " }), (err) => err.kind === "invalidArgument" && /reason is required/.test(err.message));
  assert.throws(() => checkReject(run, { reason: "x", decider: { name: "ana" } }), (err) => err.kind === "invalidArgument" && /decider must be a string/.test(err.message));
  const check = checkReject(run, { reason: "image tag not signed", decider: "ana" });
  assert.equal(check.rejectable, true);
  assert.equal(check.proposed, "CANCELLED");
  assert.equal(check.verdict.status, "ACCEPT");
  assert.equal(check.aftermath.kind, "idleUntil");
  assert.match(check.explanation, /keeps waiting until the pause times out at/);
  await assert.rejects(client.reject(id, {}), (err) => err.kind === "invalidArgument" && /reason must be a string/.test(err.message));
  const rejected = await client.reject(id, { reason: "image tag not signed", decider: "ana" });
  assert.equal(rejected.result.status, check.verdict.status);
  assert.equal(rejected.result.state.type, "CANCELLED");
  assert.equal(rejected.result.state.message, "Rejected by ana: image tag not signed");
  assert.equal(rejected.predicted.reason, rejected.result.details.reason ?? null);
  assert.ok(rejected.record.eventId, JSON.stringify(rejected.record));
  await assert.rejects(client.reject(id, { reason: "again" }), (err) => err.kind === "notRejectable" && /this one is Cancelled/.test(err.message));
  assert.equal(checkReject(await client.readFlowRun(id), { reason: "again" }).rejectable, false);
  const decisions = await eventually(() => client.decisions(id));
  assert.equal(decisions.length, 1);
  assert.deepEqual(
    { id: decisions[0].id, kind: decisions[0].kind, decider: decisions[0].decider, reason: decisions[0].reason, stateType: decisions[0].stateType },
    { id: rejected.record.eventId, kind: "rejected", decider: "ana", reason: "image tag not signed", stateType: "CANCELLED" });
  const states = (await client.flowRunStates(id)).map((s) => s.type);
  assert.deepEqual(states.slice(-2), ["PAUSED", "CANCELLED"]);

  // Bulk: the second id is not paused any more; its refusal is reported, the rest go on.
  const ids = [await pausedRun(apiUrl, "node-bulk-1"), id, await pausedRun(apiUrl, "node-bulk-2")];
  const progress = [];
  const outcomes = await client.rejectMany(ids, { reason: "release withdrawn", decider: "bo", record: false, onProgress: (p) => progress.push(p.done) });
  assert.deepEqual(progress, [1, 2, 3]);
  const byId = Object.fromEntries(outcomes.map((o) => [o.flowRunId, o]));
  assert.equal(byId[ids[0]].answer.result.state.message, "Rejected by bo: release withdrawn");
  assert.equal(byId[ids[0]].answer.record, null, "record: false records nothing");
  assert.equal(byId[ids[1]].error.details.kind, "notRejectable");
  // A bulk failure is a FlowgateError like a thrown one.
  assert.ok(byId[ids[1]].error instanceof Error);
  assert.equal(byId[ids[1]].error.name, "FlowgateError");
  assert.equal(byId[ids[1]].error.kind, "notRejectable");
  assert.match(byId[ids[1]].error.message, /Only a paused run can be rejected/);
  assert.equal(byId[ids[2]].answer.result.status, "ACCEPT");

  // An exception thrown by onProgress rejects the call (after the batch), not lost.
  const thrower = [await pausedRun(apiUrl, "node-bulk-3")];
  await assert.rejects(client.rejectMany(thrower, { reason: "r", onProgress: () => { throw new Error("from the callback"); } }),
    /from the callback/);
  assert.equal((await client.readFlowRun(thrower[0])).state.type, "CANCELLED", "the batch itself ran");

  // A resume with a decider is recorded with its input.
  const other = await pausedRun(apiUrl, "node-resume-recorded");
  const resumed = await client.resume(other, { note: "ok" }, { decider: "cy" });
  assert.ok(resumed.record.eventId);
  const recorded = await eventually(() => client.decisions(other));
  assert.deepEqual([recorded[0].kind, recorded[0].decider, recorded[0].input], ["resumed", "cy", { note: "ok" }]);
  await assert.rejects(client.decisions({ id: other }), (err) => err.kind === "invalidArgument");

  // Without a decider, the basic-auth user decides, as in the console (this server wants no
  // credentials and ignores them); a blank name is no name.
  const signedIn = new PrefectClient({ apiUrl, auth: { basic: "dana:not-checked-here" } });
  const byDana = await signedIn.reject(await pausedRun(apiUrl, "node-basic-auth-decider"), { reason: "wrong window", decider: "  " });
  assert.equal(byDana.result.state.message, "Rejected by dana: wrong window");
  const byEd = await signedIn.reject(await pausedRun(apiUrl, "node-named-decider"), { reason: "r", decider: " ed ", record: false });
  assert.equal(byEd.result.state.message, "Rejected by ed: r");
});
