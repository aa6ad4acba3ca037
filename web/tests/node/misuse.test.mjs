// The npm package as a new user misuses it, in Node against a real Prefect server
// (FLOWGATE_NODE_HARNESS): every mistake is a FlowgateError with a kind that says what to fix,
// refused before anything is sent; a closed watch leaves nothing running; a callback that
// throws is reported, never a crash.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { PrefectClient, checkResume, isFlowgateError } from "flowgate";
import { apiPost, pausedRunOf } from "../support/prefect.mjs";

const web = fileURLToPath(new URL("../..", import.meta.url));
const { api_url: apiUrl } = JSON.parse(readFileSync(process.env.FLOWGATE_NODE_HARNESS ?? assert.fail("FLOWGATE_NODE_HARNESS is not set"), "utf8"));

/** A FlowgateError of `kind` whose message matches `message`, with details of the same kind. */
function flowgateError(kind, message) {
  return (err) => {
    assert.ok(isFlowgateError(err), `a FlowgateError: ${err}`);
    assert.equal(err.kind, kind, err.message);
    assert.equal(err.details?.kind, kind, `details name the kind: ${JSON.stringify(err.details)}`);
    if (message) assert.match(err.message, message);
    return true;
  };
}

/**
 * Runs `body` (an ES module's text importing from "flowgate") in a Node process of its own;
 * resolves with its exit code, output, and the milliseconds from its line "closing" to its exit.
 */
function runScript(body) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", body], {
      cwd: web,
      env: { ...process.env, API_URL: apiUrl },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let closingAt = null;
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      if (closingAt === null && stdout.includes("closing")) closingAt = Date.now();
    });
    child.stderr.on("data", (chunk) => { stderr += chunk; });
    const killer = setTimeout(() => child.kill("SIGKILL"), 90_000);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr, afterClose: closingAt === null ? null : Date.now() - closingAt });
    });
  });
}

test("a process exits within a second of closing its watch, live or while the server is unreachable", async () => {
  const live = await runScript(`
    import { PrefectClient } from "flowgate";
    const client = new PrefectClient({ apiUrl: process.env.API_URL });
    const watch = client.watchFlowRuns({ onChange() {}, onStatus(s) { if (s.state === "live") { console.log("closing"); watch.close(); } } });
  `);
  assert.equal(live.code, 0, live.stderr);
  assert.ok(live.afterClose !== null && live.afterClose < 1000, `exited ${live.afterClose} ms after close()`);
  // A port nothing listens on: the watch is between attempts (a refused socket waits a minute).
  const down = await runScript(`
    import { PrefectClient } from "flowgate";
    const client = new PrefectClient({ apiUrl: "http://127.0.0.1:9/api", timeoutMs: 20000 });
    const statuses = [];
    const watch = client.watchFlowRuns({ onChange() {}, onStatus(s) { statuses.push(s.state); } });
    setTimeout(() => { console.log("closing", statuses.join(",")); watch.close(); }, 3000);
  `);
  assert.equal(down.code, 0, down.stderr);
  assert.match(down.stdout, /closing connecting/);
  assert.ok(down.afterClose !== null && down.afterClose < 1000, `exited ${down.afterClose} ms after close()`);
});

test("a callback that throws is reported through onError, or console.error, and the watch goes on", async () => {
  const run = await runScript(`
    import { PrefectClient } from "flowgate";
    const client = new PrefectClient({ apiUrl: process.env.API_URL });
    let statuses = 0;
    const caught = [];
    const watch = client.watchFlowRuns({
      onChange() {},
      onStatus(s) { statuses++; throw new Error("status handler broke on " + s.state); },
      onError(error) { caught.push(error.message); if (caught.length === 2) { console.log("closing", JSON.stringify(caught)); watch.close(); } },
    });
    // Without onError: console.error, and the process lives on to close its watch.
    const quiet = client.watchFlowRuns({ onChange() {}, onStatus(s) { if (s.state === "live") { setTimeout(() => quiet.close(), 100); } throw new Error("unheard " + s.state); } });
  `);
  assert.equal(run.code, 0, `no crash: ${run.stderr}`);
  assert.match(run.stdout, /closing \["status handler broke on connecting","status handler broke on live"\]/);
  assert.match(run.stderr, /flowgate: a watchFlowRuns callback threw: Error: unheard connecting/);
});

test("the client's options are checked by name; outside a page apiUrl is required and absolute", () => {
  assert.throws(() => new PrefectClient({ apiURL: apiUrl }), flowgateError("invalidArgument", /has no key "apiURL"; it takes apiUrl, auth, timeoutMs/));
  assert.throws(() => new PrefectClient(), flowgateError("invalidConfig", /needs \{ apiUrl \} outside a browser page/));
  assert.throws(() => new PrefectClient({}), flowgateError("invalidConfig", /needs \{ apiUrl \}/));
  assert.throws(() => new PrefectClient({ apiUrl: "/api" }), flowgateError("invalidConfig", /relative/));
  assert.throws(() => new PrefectClient({ apiUrl, auth: { bearer: "k", user: "x" } }), flowgateError("invalidArgument", /auth has no key "user"/));
  assert.throws(() => new PrefectClient({ apiUrl, timeoutMs: 0 }), flowgateError("invalidArgument", /timeoutMs/));
});

test("a watch filter's state that Prefect does not have is refused, not watched forever", () => {
  const client = new PrefectClient({ apiUrl });
  assert.throws(() => client.watchFlowRuns({ filter: { states: ["paused"] }, onChange() {} }),
    flowgateError("invalidArgument", /filter.states has "paused", which is not a state type; they are SCHEDULED, PENDING, RUNNING/));
});

test("an API URL without /api blames the URL, not the run", async () => {
  const id = await pausedRunOf(apiUrl, `misuse-url-${Date.now()}`, { flow: "misuse" });
  const client = new PrefectClient({ apiUrl: apiUrl.replace(/\/api$/, "") });
  await assert.rejects(client.readFlowRun(id), flowgateError("noSuchEndpoint", /is not an endpoint of Prefect's API: check the API URL \(Prefect's ends in \/api/));
  await assert.rejects(client.health(), flowgateError("noSuchEndpoint"));
  // With the right URL the same run reads, and an unknown run is still "not found".
  const right = new PrefectClient({ apiUrl });
  assert.equal((await right.readFlowRun(id)).id, id);
  await assert.rejects(right.readFlowRun(randomUUID()), flowgateError("notFound"));
});

test("the states of an unknown run are 'not found', not an empty list", async () => {
  const client = new PrefectClient({ apiUrl });
  await assert.rejects(client.flowRunStates(randomUUID()), flowgateError("notFound", /was not found/));
  const id = await pausedRunOf(apiUrl, `misuse-states-${Date.now()}`, { flow: "misuse" });
  const states = (await client.flowRunStates(id)).map((s) => s.type);
  assert.deepEqual(states.slice(-2), ["RUNNING", "PAUSED"], states.join(", "));
});

test("wrong arguments are invalidArgument, named, and nothing is sent", async () => {
  const client = new PrefectClient({ apiUrl });
  const id = await pausedRunOf(apiUrl, `misuse-args-${Date.now()}`, { flow: "misuse" });
  assert.throws(() => checkResume(id), flowgateError("invalidArgument", /flow run must be an object .*not the id .*readFlowRun/));
  assert.throws(() => checkResume(42), flowgateError("invalidArgument", /flow run must be an object, not number/));
  await assert.rejects(client.listFlowRuns({ limt: 5 }), flowgateError("invalidArgument", /unknown field `limt`/));
  await assert.rejects(client.resume(id, [1, 2]), flowgateError("invalidArgument", /runInput must be an object .* not an array/));
  await assert.rejects(client.resume(id, "[1, 2]"), flowgateError("invalidArgument", /not an array/));
  const run = await client.readFlowRun(id);
  assert.equal(run.state.type, "PAUSED", "nothing was sent");
  // Every error the package makes carries its kind in details too.
  await assert.rejects(client.readFlowRun({ id }), flowgateError("invalidArgument"));
  assert.equal(isFlowgateError(new Error("x")), false);
  assert.equal(isFlowgateError({ name: "FlowgateError", kind: "http" }), false, "an Error, not a look-alike");
});

test("a bulk resume the server answers with REJECT is answered, not accepted", async () => {
  const client = new PrefectClient({ apiUrl });
  const asking = await pausedRunOf(apiUrl, `misuse-bulk-input-${Date.now()}`, {
    flow: "misuse", schema: { title: "Approval", type: "object", properties: { approver: { type: "string" } }, required: ["approver"] },
  });
  const plain = await pausedRunOf(apiUrl, `misuse-bulk-plain-${Date.now()}`, { flow: "misuse" });
  const outcomes = await client.resumeMany([asking, plain], { record: false });
  const byId = Object.fromEntries(outcomes.map((o) => [o.flowRunId, o]));
  assert.equal(byId[asking].accepted, false);
  assert.equal(byId[asking].answer.result.status, "REJECT");
  assert.equal(byId[asking].error, null);
  assert.equal(byId[plain].accepted, true);
  assert.equal(byId[plain].answer.result.status, "ACCEPT");
  assert.equal(outcomes.filter((o) => o.accepted).length, 1, "if (o.accepted) counts only what the server accepted");
  await apiPost(apiUrl, `/flow_runs/${asking}/set_state`, { state: { type: "CANCELLED" }, force: true });
});

test("a call is given up through its AbortSignal at once, its request aborted: decisions and reads", async () => {
  const { createServer } = await import("node:net");
  // A server that takes connections and never answers: a Prefect that hangs.
  const sockets = [];
  let requests = 0;
  const stall = createServer((socket) => {
    sockets.push(socket);
    socket.on("error", () => {});
    socket.on("close", () => { socket.closedByPeer = true; });
    socket.on("data", (data) => { if (/^(GET|POST|PUT|DELETE) /.test(data.toString())) { requests += 1; } if (/^POST \/api\/flow_runs\/[^/]+\/resume /.test(data.toString())) socket.carriedResume = true; });
  });
  await new Promise((r) => stall.listen(0, "127.0.0.1", r));
  const client = new PrefectClient({ apiUrl: `http://127.0.0.1:${stall.address().port}/api`, timeoutMs: 30000 });
  try {
    const controller = new AbortController();
    const started = Date.now();
    const pending = client.resume(randomUUID(), undefined, { signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    await assert.rejects(pending, flowgateError("aborted", /given up through its AbortSignal/));
    assert.ok(Date.now() - started < 2000, `settled ${Date.now() - started} ms after the call`);
    // The request itself was aborted: the server sees the connection that carried it closed
    // (the HTTP client may open another, idle, which is not the request).
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("the stalled request's connection stayed open")), 2000);
      const check = () => (sockets.some((s) => s.carriedResume) && sockets.filter((s) => s.carriedResume).every((s) => s.closedByPeer) ? (clearTimeout(timer), resolve()) : setTimeout(check, 20));
      check();
    });
    // An aborted signal gives a call up before it sends anything.
    const seen = requests;
    await assert.rejects(client.reject(randomUUID(), { reason: "r", signal: AbortSignal.abort() }), flowgateError("aborted"));
    await assert.rejects(client.resumeMany([randomUUID()], { signal: AbortSignal.abort() }), flowgateError("aborted"));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(requests, seen, "nothing was sent");
    await assert.rejects(client.resume(randomUUID(), undefined, { signal: "stop" }), flowgateError("invalidArgument", /signal must be an AbortSignal/));

    // Reads too: every Promise-returning call takes { signal } as its last argument.
    const reading = new AbortController();
    const read = client.readFlowRun(randomUUID(), { signal: reading.signal });
    const listed = client.listFlowRuns({ limit: 1 }, { signal: reading.signal });
    const healthy = client.health({ signal: reading.signal });
    const readStarted = Date.now();
    setTimeout(() => reading.abort(), 300);
    for (const pending of [read, listed, healthy]) await assert.rejects(pending, flowgateError("aborted"));
    assert.ok(Date.now() - readStarted < 2000, `reads settled ${Date.now() - readStarted} ms after the calls`);
    const before = requests;
    await assert.rejects(client.flowRunStates(randomUUID(), { signal: AbortSignal.abort() }), flowgateError("aborted"));
    await assert.rejects(client.rules({ signal: AbortSignal.abort() }), flowgateError("aborted"));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(requests, before, "an aborted signal sends nothing");
    await assert.rejects(client.health({ signl: reading.signal }), flowgateError("invalidArgument", /options has no key "signl"; it takes signal/));
    await assert.rejects(client.readFlowRun(randomUUID(), "now"), flowgateError("invalidArgument", /options must be an object \{ signal \}, not string/));
  } finally {
    sockets.forEach((s) => s.destroy());
    stall.close();
  }
});

test("a freed client or watch fails with kind 'closed'; freeing a watch stops it", async () => {
  const client = new PrefectClient({ apiUrl });
  client.free();
  await assert.rejects(client.health(), flowgateError("closed", /This PrefectClient was freed/));
  assert.throws(() => client.watchFlowRuns({ onChange() {} }), flowgateError("closed"));
  client.free(); // a second free does nothing
  const run = await runScript(`
    import { PrefectClient } from "flowgate";
    const client = new PrefectClient({ apiUrl: process.env.API_URL });
    const watch = client.watchFlowRuns({ onChange() {}, onStatus(s) { if (s.state === "live") { console.log("closing"); watch.free(); watch.close(); } } });
  `);
  assert.equal(run.code, 0, run.stderr);
  assert.ok(run.afterClose !== null && run.afterClose < 1000, `exited ${run.afterClose} ms after free()`);
});
