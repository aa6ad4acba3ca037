// The client under network faults, in Chromium: the npm package's browser build calls a real
// Prefect server (FLOWGATE_NODE_HARNESS) through web/tests/support/fault-proxy.mjs, and each
// cell of fault × operation asserts what the caller gets — the value, or a FlowgateError of a
// stated kind whose message says what failed and, for a resume, whether it happened — and, for
// every resume, the run's state history on the server: resumed exactly once, or not at all.
// The matrix is documented in crates/client/README.md ("Under faults").
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../support/chromium.mjs";
import { startFaultProxy } from "../support/fault-proxy.mjs";
import { pausedRunOf, readHarness, resumeTransitions, stillPaused } from "../support/prefect.mjs";

const webRoot = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");
const TIMEOUT_MS = 4000;
let apiUrl;
let proxy;
let browser;
let page;

before(async () => {
  const path = process.env.FLOWGATE_NODE_HARNESS;
  assert.ok(path, "FLOWGATE_NODE_HARNESS must name a running harness's harness.json");
  apiUrl = readHarness(path).api_url;
  proxy = await startFaultProxy(apiUrl, { files: webRoot });
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(`${proxy.base}/tests/faults/page.html`);
  await page.waitForSelector("body[data-ready=yes]", { state: "attached", timeout: 30000 });
});

after(async () => {
  await browser?.close();
  await proxy?.close();
});

/** Runs `op` in the page through the proxy: `{ value }` or `{ error: { kind, message, details } }`. */
function call(op, arg) {
  return page.evaluate(async ({ op, arg, timeoutMs }) => {
    const client = new window.flowgate.PrefectClient({ apiUrl: `${location.origin}/api`, timeoutMs });
    const one = { flow_runs: { id: { any_: [arg] } } };
    try {
      switch (op) {
        case "list": return { value: (await client.listFlowRuns(one)).map((r) => r.id) };
        case "count": return { value: await client.countFlowRuns(one) };
        case "read": return { value: (await client.readFlowRun(arg)).state.type };
        case "schema": {
          const asks = await client.readRunInputSchema(await client.readFlowRun(arg));
          return { value: Object.keys(JSON.parse(asks.schema).properties) };
        }
        case "resume": {
          const answer = await client.resume(arg);
          return { value: { status: answer.result.status, stateWritten: answer.stateWritten } };
        }
        case "bulk": return {
          value: (await client.resumeMany(arg, { concurrency: 1 })).map((o) => o.answer ? o.answer.result.status : { message: o.error.message, kind: o.error.details?.kind }),
        };
        case "createRule": return { value: await client.createRule(arg) };
        case "updateRule": return { value: await client.updateRule(arg) };
        case "deleteRule": return { value: (await client.deleteRule(arg)) ?? null };
        default: throw new Error(`no op ${op}`);
      }
    } catch (e) {
      return { error: { kind: e.kind, message: e.message, details: JSON.parse(JSON.stringify(e.details ?? null)) } };
    }
  }, { op, arg, timeoutMs: TIMEOUT_MS });
}

const SCHEMA = { title: "Approval", type: "object", properties: { approver: { type: "string" } } };

/** A paused run of its own, asking for input (a one-field schema) when `schema`. */
function pausedRun(name, { schema = false } = {}) {
  return pausedRunOf(apiUrl, `faults-${name}-${Date.now()}`, { flow: "faults-gate", schema: schema ? SCHEMA : undefined });
}

/** Resumes of `id` in its state history. */
async function resumes(id) {
  return (await resumeTransitions(apiUrl, [id])).get(id);
}

// --- Reads: list, count, read a run, read its input schema ------------------------------------
const READS = [
  ["list", "POST /api/flow_runs/filter", (id) => [id]],
  ["count", "POST /api/flow_runs/count", () => 1],
  ["read", "GET /api/flow_runs/[0-9a-f-]+$", () => "PAUSED"],
  ["schema", "GET /api/flow_runs/[0-9a-f-]+/input/", () => ["approver"]],
];

// What each fault does to a read: a fault the client gets past (a read is safe to send again)
// or the error the caller sees, with the words that say what failed.
const READ_FAULTS = [
  { fault: { mode: "latency", ms: 400 }, ok: true },
  { fault: { mode: "reset-before" }, ok: true, note: "sent again after the connection was reset" },
  { fault: { mode: "truncate" }, ok: true, note: "sent again after the body was cut short" },
  { fault: { mode: "status", status: 502 }, ok: true, note: "sent again after a proxy's 502" },
  { fault: { mode: "status", status: 503 }, ok: true, note: "sent again after a 503" },
  { fault: { mode: "status", status: 504, times: 9 }, kind: "unreachable",
    message: /^Cannot reach the Prefect server at http:\/\/127\.0\.0\.1:\d+\/api\/\S+: the proxy in front of it answered HTTP 504\. Is it running/ },
  { fault: { mode: "stall" }, kind: "timeout", message: new RegExp(`did not answer within ${TIMEOUT_MS} ms`) },
  { fault: { mode: "html" }, kind: "http", message: /answered HTTP 200: an HTML page, not Prefect's answer \(from a proxy or gateway in between\?\)/ },
];

for (const [op, path, expected] of READS) {
  for (const { fault, ok, kind, message } of READ_FAULTS) {
    test(`${op} × ${fault.mode}${fault.status ? ` ${fault.status}` : ""}`, async () => {
      const id = await pausedRun(`${op}-${fault.mode}`, { schema: op === "schema" });
      proxy.clear();
      proxy.inject({ match: new RegExp(`^${path}`), ...fault });
      const got = await call(op, id);
      proxy.clear();
      if (ok) {
        assert.deepEqual(got, { value: expected(id) });
      } else {
        assert.equal(got.error?.kind, kind, JSON.stringify(got));
        assert.match(got.error.message, message);
      }
      // Afterwards the client works again.
      assert.deepEqual(await call(op, id), { value: expected(id) });
    });
  }
}

// --- Resume: never twice; when its answer is lost, the error says whether it happened ---------
const RESUME = /^POST \/api\/flow_runs\/[0-9a-f-]+\/resume$/;
const RESUME_FAULTS = [
  { fault: { mode: "latency", ms: 400 }, resumed: true, value: { status: "ACCEPT", stateWritten: true } },
  { fault: { mode: "status", status: 503 }, resumed: true, value: { status: "ACCEPT", stateWritten: true },
    note: "a busy answer did nothing: sent again after reading the run is still paused" },
  // Chromium itself re-sends a request whose reused connection broke before any answer (any
  // method, POST included), on another pooled connection — once or several times. What the
  // caller is told then depends on the copy that got an answer, so these cells assert that it
  // is always true: an ACCEPT; an ABORT (a copy sent earlier resumed the run, the server
  // refused the later one); or an interrupted resume that read the run. The server's history
  // must agree, and no run is resumed twice.
  { fault: { mode: "reset-before" }, browserResends: true },
  { fault: { mode: "reset-after" }, browserResends: true, resumed: true },
  { fault: { mode: "reset-before" }, then: { mode: "reset-before" }, browserResends: true },
  { fault: { mode: "reset-after" }, then: { mode: "reset-before" }, browserResends: true, resumed: true },
  { fault: { mode: "stall" }, resumed: false, message: /did not answer within .*the run is still paused, so the resume did not happen/ },
  { fault: { mode: "stall-after" }, resumed: true, message: /did not answer within .*the resume went through/ },
  { fault: { mode: "status", status: 502 }, resumed: false, message: /HTTP 502.*the run is still paused, so the resume did not happen/ },
  { fault: { mode: "status-after", status: 504 }, resumed: true, message: /HTTP 504.*the resume went through/ },
  { fault: { mode: "truncate" }, resumed: true, message: /the resume went through/ },
  { fault: { mode: "html" }, resumed: true, message: /an HTML page, not Prefect's answer.*the resume went through/ },
];

/** How often the caller was told the run was resumed (an ABORT: by an earlier copy). */
function told(got) {
  if (got.value) return ["ACCEPT", "ABORT"].includes(got.value.status) ? 1 : 0;
  if (got.error?.kind === "resumeInterrupted" && got.error.details.resumed !== null) return got.error.details.resumed ? 1 : 0;
  return null;
}

for (const { fault, then, resumed, value, message, browserResends } of RESUME_FAULTS) {
  const name = [fault, then].filter(Boolean).map((f) => `${f.mode}${f.status ? ` ${f.status}` : ""}`).join(", then ");
  test(`resume × ${name}`, async () => {
    const id = await pausedRun(`resume-${fault.mode}`);
    proxy.clear();
    proxy.inject({ match: RESUME, ...fault });
    if (then) proxy.inject({ match: RESUME, ...then });
    const got = await call("resume", id);
    proxy.clear();
    // A request Prefect answered busy (503, SQLite locked) did nothing and is not counted.
    const sent = proxy.log.filter((e) => RESUME.test(e.line) && e.line.includes(id) && !e.busy);
    const trail = JSON.stringify({ got, sent });
    if (value) {
      assert.deepEqual(got, { value }, trail);
    } else if (message) {
      assert.equal(got.error?.kind, "resumeInterrupted", trail);
      assert.equal(got.error.details.resumed, resumed, trail);
      assert.match(got.error.message, message);
    }
    const history = await resumes(id);
    assert.equal(told(got), history, `resumed as often as the caller was told: ${trail}`);
    if (resumed !== undefined) assert.equal(history, resumed ? 1 : 0, trail);
    if (browserResends) {
      assert.ok(sent.length >= 2, `the browser sent it again: ${trail}`);
    } else {
      assert.equal(sent.length, fault.status === 503 ? 2 : 1, `how often the resume was sent: ${trail}`);
    }
    // The page is usable afterwards: the run reads as it is.
    assert.deepEqual(await call("read", id), { value: history ? "RUNNING" : "PAUSED" });
  });
}

test("bulk resume × a reset after the server acted on one run, and a stall before the server saw another", async () => {
  const ids = [await pausedRun("bulk-a"), await pausedRun("bulk-b"), await pausedRun("bulk-c")];
  proxy.clear();
  proxy.inject({ match: new RegExp(`^POST /api/flow_runs/${ids[0]}/resume$`), mode: "reset-after" });
  proxy.inject({ match: new RegExp(`^POST /api/flow_runs/${ids[1]}/resume$`), mode: "stall" });
  const got = await call("bulk", ids);
  proxy.clear();
  assert.equal(got.value?.length, 3, JSON.stringify(got));
  const counts = await resumeTransitions(apiUrl, ids);
  // Each outcome says what happened (an ABORT: an earlier copy the browser sent resumed it);
  // the first run was resumed by the server, the stalled one never reached it.
  const toldEach = got.value.map((o) => o === "ACCEPT" || o === "ABORT" ? 1 : o.kind === "resumeInterrupted" ? (/went through/.test(o.message) ? 1 : 0) : null);
  assert.deepEqual(toldEach, ids.map((id) => counts.get(id)), JSON.stringify(got));
  assert.deepEqual(toldEach, [1, 0, 1], JSON.stringify(got));
  assert.equal(got.value[1].kind, "resumeInterrupted");
  assert.match(got.value[1].message, /did not answer within .*the resume did not happen/);
  assert.deepEqual([...(await stillPaused(apiUrl, ids))], [ids[1]]);
});

// --- Live updates: a websocket refused by the proxy, and one cut mid-stream --------------------
for (const [mode, expected] of [["ws-refuse", "refused"], ["ws-drop", "reconnecting"]]) {
  test(`live updates × ${mode}`, async () => {
    proxy.clear();
    // A proxy without websocket support refuses every time; a cut happens once.
    proxy.inject({ match: /^WS \/api\/events\/out$/, mode, ms: 1500, times: mode === "ws-refuse" ? 99 : 1 });
    const states = await page.evaluate(async ({ wait }) => {
      const client = new window.flowgate.PrefectClient({ apiUrl: `${location.origin}/api` });
      const seen = [];
      const watch = client.watchFlowRuns({ onChange() {}, onStatus: (s) => seen.push(s.state) });
      await new Promise((done) => setTimeout(done, wait));
      watch.close();
      return seen;
    }, { wait: mode === "ws-drop" ? 6000 : 3000 });
    proxy.clear();
    assert.ok(states.includes(expected), `statuses: ${states}; ${JSON.stringify(proxy.log.filter((e) => e.line.startsWith("WS")))}`);
    if (mode === "ws-drop") {
      // Cut after it was live; then it reconnects and is live again.
      assert.equal(states[states.indexOf(expected) - 1], "live", `statuses: ${states}`);
      assert.equal(states.at(-1), "live", `statuses: ${states}`);
    }
  });
}

// --- Rules: a PUT or a DELETE sent twice leaves what one leaves, so each is sent again when ----
// its answer was lost; a DELETE that then finds the rule gone has done what was asked.
for (const fault of [{ mode: "status-after", status: 504 }, { mode: "reset-after" }]) {
  test(`rule edited and deleted × ${fault.mode}${fault.status ? ` ${fault.status}` : ""}`, async () => {
    const made = await call("createRule", { name: `faults-rule-${fault.mode}-${Date.now()}`, afterSeconds: 600, action: { kind: "resume" } });
    assert.ok(made.value?.id, JSON.stringify(made));
    const reached = (method) => proxy.log.filter((e) => e.line === `${method} /api/automations/${made.value.id}` && e.reachedServer).length;
    proxy.clear();
    proxy.inject({ match: /^PUT \/api\/automations\//, ...fault });
    const edited = await call("updateRule", { ...made.value, afterSeconds: 900 });
    assert.equal(edited.value?.afterSeconds, 900, JSON.stringify(edited));
    assert.ok(reached("PUT") >= 2, "the edit was sent again");
    proxy.clear();
    proxy.inject({ match: /^DELETE \/api\/automations\//, ...fault });
    assert.deepEqual(await call("deleteRule", made.value.id), { value: null });
    assert.ok(reached("DELETE") >= 2, "the delete was sent again");
    proxy.clear();
    const gone = await fetch(`${apiUrl}/automations/${made.value.id}`);
    assert.equal(gone.status, 404);
  });
}
