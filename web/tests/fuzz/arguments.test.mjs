// Every exported function and method of the npm package called with arbitrary JS values in
// every argument position (fast-check's `anything()` plus what users really pass by mistake:
// the run object where an id belongs, null, symbols, BigInts, functions, getters that
// throw, values that contain themselves). Each call must return, or throw / reject with a
// `FlowgateError` whose `kind` is one the `.d.ts` names — never a wasm trap
// (`RuntimeError`), never a raw `TypeError` from the bindings — and the module must still
// answer correctly afterwards. FLOWGATE_FUZZ_RUNS sets the runs per argument (default 150;
// scripts/fuzz.sh runs far more).
//
// The client talks to the real server FLOWGATE_NODE_HARNESS names (its harness.json) about a
// run id it does not know, so a call whose arguments are valid gets the server's answer for
// an unknown run; without one it points at a closed port on loopback and fails as
// `unreachable` (slowly for resumes, which read back before saying so). This test is about
// the arguments, not the server.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import * as flowgate from "flowgate";

const { PrefectClient, checkResume, checkReject, validateRunInput, parseFlowRun, parseOrchestrationResult, defaultMessage, planRules } = flowgate;
const RUNS = Number(process.env.FLOWGATE_FUZZ_RUNS ?? 150);
const SEED = Number(process.env.FLOWGATE_FUZZ_SEED ?? 20261130);

const KINDS = new Set([
  "invalidConfig", "invalidArgument", "parse", "unreachable", "timeout", "unauthorized", "notFound",
  "validation", "http", "decode", "resumeInterrupted", "rejectInterrupted", "notRejectable",
  "eventStream", "internal", "invalidRule", "foreignAutomation",
]);

const RUN_ID = "5b2fef16-b6fd-4048-bf91-c59ed2f00e81";
// A paused run as the real server returned it (a case the core's fixtures recorded), and when.
const recorded = JSON.parse(
  readFileSync(new URL("../../../crates/core/tests/fixtures/resume_cases.json", import.meta.url), "utf8"),
).find((c) => c.name === "keyed_accept");
const pausedRun = { ...recorded.flow_run, id: RUN_ID };

/** Values users pass by mistake, beside fast-check's arbitrary ones. */
function awkward() {
  const selfish = { a: 1 };
  selfish.self = selfish;
  const list = [RUN_ID];
  list.push(list);
  const throwing = new Proxy({}, {
    get() { throw new Error("a getter that throws"); },
    ownKeys() { return ["reason", "decider"]; },
    getOwnPropertyDescriptor() { return { enumerable: true, configurable: true, value: 1 }; },
  });
  let deep = {};
  for (let i = 0; i < 10_000; i++) deep = { deep };
  return [
    undefined, null, 0, -1, NaN, Infinity, 2 ** 53 + 1, "", "x".repeat(100_000), RUN_ID, `${RUN_ID}\0`,
    true, Symbol("id"), 10n, () => RUN_ID, pausedRun, [pausedRun], [RUN_ID, 7], [null], new Date(NaN),
    new Map([["reason", "x"]]), Object.create(null), selfish, list, throwing, deep, new Uint8Array(4),
    { reason: Symbol("r") }, { reason: "ok", concurrency: 1e9 }, { reason: "ok", onProgress: "no" },
    { decidr: "typo" }, Promise.resolve(RUN_ID),
  ];
}

const anyValue = fc.oneof(
  { weight: 3, arbitrary: fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true, withSparseArray: true }) },
  { weight: 2, arbitrary: fc.constantFrom(...awkward()) },
  { weight: 1, arbitrary: fc.record({ reason: fc.anything(), decider: fc.anything(), record: fc.anything(), concurrency: fc.anything(), onProgress: fc.anything() }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: fc.array(fc.oneof(fc.uuid(), fc.anything()), { maxLength: 3 }) },
);

/** Runs `call`, and says what became of it: "returned", or the error it threw / rejected with. */
async function outcome(call) {
  try {
    const value = call();
    if (value && typeof value.then === "function") await value;
    if (value && typeof value.close === "function") value.close();
    return "returned";
  } catch (error) {
    return error;
  }
}

function assertFlowgateError(what, error) {
  if (error === "returned") return;
  assert.ok(!(error instanceof WebAssembly.RuntimeError), `${what}: a wasm trap: ${error?.message}`);
  assert.equal(error?.name, "FlowgateError", `${what}: not a FlowgateError: ${error?.constructor?.name}: ${error?.message ?? String(error)}`);
  assert.ok(KINDS.has(error.kind), `${what}: unknown kind ${error.kind}`);
  assert.equal(typeof error.message, "string");
  assert.ok(error.message.length > 0, `${what}: an empty message`);
}

const harness = process.env.FLOWGATE_NODE_HARNESS;
const apiUrl = harness ? JSON.parse(readFileSync(harness, "utf8")).api_url : "http://127.0.0.1:9/api";
const client = new PrefectClient({ apiUrl, timeoutMs: 2000 });

/** Each exported call with one argument left to fuzz; the others are valid. */
const calls = {
  "new PrefectClient(options)": (v) => new PrefectClient(v),
  "checkResume(flowRun)": (v) => checkResume(v),
  "checkResume(run, options)": (v) => checkResume(pausedRun, v),
  "checkReject(flowRun, …)": (v) => checkReject(v, { reason: "no" }),
  "checkReject(run, options)": (v) => checkReject(pausedRun, v),
  "validateRunInput(schema, {})": (v) => validateRunInput(v, {}),
  "validateRunInput({}, runInput)": (v) => validateRunInput({ type: "object" }, v),
  "parseFlowRun(json)": (v) => parseFlowRun(v),
  "parseOrchestrationResult(json)": (v) => parseOrchestrationResult(v),
  "client.listFlowRuns(filter)": (v) => client.listFlowRuns(v),
  "client.countFlowRuns(filter)": (v) => client.countFlowRuns(v),
  "client.paginateFlowRuns(page)": (v) => client.paginateFlowRuns(v),
  "client.readFlowRun(id)": (v) => client.readFlowRun(v),
  "client.flowsById(ids)": (v) => client.flowsById(v),
  "client.readRunInputSchema(flowRun)": (v) => client.readRunInputSchema(v),
  "client.resume(id)": (v) => client.resume(v),
  "client.resume(id, runInput, options)": (v) => client.resume(RUN_ID, undefined, v),
  "client.resumeMany(ids)": (v) => client.resumeMany(v),
  "client.resumeMany(ids, options)": (v) => client.resumeMany([], v),
  "client.reject(id, …)": (v) => client.reject(v, { reason: "no" }),
  "client.reject(id, options)": (v) => client.reject("not-an-id", v),
  "client.rejectMany(ids, …)": (v) => client.rejectMany(v, { reason: "no" }),
  "client.rejectMany([], options)": (v) => client.rejectMany([], v),
  "client.decisions(id)": (v) => client.decisions(v),
  "client.flowRunStates(id)": (v) => client.flowRunStates(v),
  "client.watchFlowRuns(options)": (v) => client.watchFlowRuns(v),
  "defaultMessage(options)": (v) => defaultMessage(v),
  "planRules(rules, run)": (v) => planRules(v, pausedRun),
  "planRules([], flowRun)": (v) => planRules([], v),
  "planRules([], run, options)": (v) => planRules([], pausedRun, v),
  "client.createRule(rule)": (v) => client.createRule(v),
  "client.updateRule(rule)": (v) => client.updateRule(v),
  "client.deleteRule(id)": (v) => client.deleteRule(v),
  "client.createNotifyBlock(block)": (v) => client.createNotifyBlock(v),
  "client.ruleActivity(id)": (v) => client.ruleActivity(v),
};

for (const [name, call] of Object.entries(calls)) {
  test(`${name}: any value gives an answer or a FlowgateError, never a trap`, async () => {
    for (const value of awkward()) assertFlowgateError(`${name} with ${describe(value)}`, await outcome(() => call(value)));
    await fc.assert(
      fc.asyncProperty(anyValue, async (value) => {
        assertFlowgateError(name, await outcome(() => call(value)));
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
}

test("the mistakes users make are named: the run object for its id, a typo in an option", async () => {
  const byObject = await outcome(() => client.resume(pausedRun));
  assert.equal(byObject.kind, "invalidArgument");
  assert.match(byObject.message, /flow run id must be a string .* not object/);
  const typo = await outcome(() => client.resume(RUN_ID, {}, { decidr: "Ann" }));
  assert.equal(typo.kind, "invalidArgument");
  assert.match(typo.message, /resume options has no key "decidr"; it takes decider, record/);
  const notList = await outcome(() => client.resumeMany(null));
  assert.equal(notList.kind, "invalidArgument");
  assert.match(notList.message, /ids must be an array of ids \(UUID strings\), not null/);
  const badItem = await outcome(() => client.rejectMany([RUN_ID, 7], { reason: "no" }));
  assert.match(badItem.message, /ids\[1\] must be an id \(a UUID string\), not number/);
  const getter = await outcome(() => client.reject(RUN_ID, new Proxy({ reason: "x" }, { get() { throw new Error("nope"); } })));
  assert.equal(getter.kind, "invalidArgument");
  assert.match(getter.message, /reading reject options\.\w+ threw: nope/);
  const concurrency = await outcome(() => client.resumeMany([RUN_ID], { concurrency: 0 }));
  assert.match(concurrency.message, /concurrency must be a whole number from 1 to 64/);
});

test("after all of it the module still answers, and exactly", () => {
  const verdict = checkResume(pausedRun, { now: recorded.now });
  assert.equal(verdict.status, recorded.response.body.status);
  assert.equal(verdict.state.type, recorded.response.body.state.type);
  // JSON text keeps 1.0 apart from 1, as Python's message does.
  const schema = { type: "object", properties: { n: { type: "string" } } };
  assert.match(validateRunInput(schema, "{\"n\": 1.0}").reason, /Failure reason: 1\.0 is not /);
  assert.match(validateRunInput(schema, { n: 1.0 }).reason, /Failure reason: 1 is not /);
});

function describe(value) {
  try {
    if (typeof value === "symbol" || typeof value === "bigint") return String(value);
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text.slice(0, 60);
  } catch {
    return typeof value;
  }
}
