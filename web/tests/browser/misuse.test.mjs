// The npm package misused in a real browser (Debian's Chromium), as tests/node/misuse.test.mjs
// misuses it in Node, against the real Prefect server FLOWGATE_NODE_HARNESS names: mistakes
// are FlowgateErrors with a kind, refused before anything is sent; an AbortSignal gives up
// reads and decisions at once; a freed client fails with `closed`; a watch callback that
// throws is reported through onError; a closed watch closes its websocket.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer as createHttpServer } from "node:http";
import { createServer as createTcpServer } from "node:net";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../support/chromium.mjs";
import { staticFiles } from "../support/static.mjs";
import { pausedRunOf, readHarness } from "../support/prefect.mjs";

const webRoot = fileURLToPath(new URL("../..", import.meta.url));
const apiUrl = readHarness(process.env.FLOWGATE_NODE_HARNESS ?? assert.fail("FLOWGATE_NODE_HARNESS is not set")).api_url;

let server;
let browser;
let page;

before(async () => {
  server = createHttpServer(staticFiles(webRoot));
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/tests/browser/package.html`);
  await page.waitForFunction(() => window.flowgate !== undefined, null, { timeout: 30000 });
  // In the page: what a call threw or rejected with, as plain data.
  await page.evaluate(() => {
    const plain = (e) => ({ flowgate: window.flowgate.isFlowgateError(e), kind: e?.kind, detailsKind: e?.details?.kind, message: String(e?.message ?? e) });
    window.threw = (f) => { try { f(); return null; } catch (e) { return plain(e); } };
    window.rejected = async (p) => { try { await p; return null; } catch (e) { return plain(e); } };
  });
});

after(async () => {
  await browser?.close();
  server?.close();
});

/** Asserts `error` (as the page reported it) is a FlowgateError of `kind` matching `message`. */
function flowgateError(error, kind, message) {
  assert.ok(error, `an error of kind ${kind}, not success`);
  assert.equal(error.flowgate, true, `a FlowgateError: ${error.message}`);
  assert.equal(error.kind, kind, error.message);
  assert.equal(error.detailsKind, kind, "details name the kind");
  if (message) assert.match(error.message, message);
}

test("in a page: options are checked by name, wrong arguments are refused and nothing is sent", async () => {
  const id = await pausedRunOf(apiUrl, `browser-misuse-${Date.now()}`, { flow: "misuse" });
  const seen = await page.evaluate(async ({ apiUrl, id }) => {
    const { PrefectClient, checkResume } = window.flowgate;
    const client = new PrefectClient({ apiUrl });
    return {
      typo: window.threw(() => new PrefectClient({ apiURL: apiUrl })),
      // In a page the API beside it is a fine default.
      beside: window.threw(() => new PrefectClient()),
      relative: window.threw(() => new PrefectClient({ apiUrl: "/api" })),
      auth: window.threw(() => new PrefectClient({ apiUrl, auth: { bearer: "k", user: "x" } })),
      idAsRun: window.threw(() => checkResume(id)),
      filterTypo: await window.rejected(client.listFlowRuns({ limt: 5 })),
      arrayInput: await window.rejected(client.resume(id, [1, 2])),
      runAsId: await window.rejected(client.readFlowRun({ id })),
      optionsTypo: await window.rejected(client.health({ signl: null })),
      watchState: window.threw(() => client.watchFlowRuns({ filter: { states: ["paused"] }, onChange() {} })),
      unknownStates: await window.rejected(client.flowRunStates(crypto.randomUUID())),
      after: (await client.readFlowRun(id)).state.type,
    };
  }, { apiUrl, id });
  flowgateError(seen.typo, "invalidArgument", /has no key "apiURL"; it takes apiUrl, auth, timeoutMs/);
  assert.equal(seen.beside, null, "new PrefectClient() in a page uses /api beside it");
  assert.equal(seen.relative, null, "a relative apiUrl resolves against the page");
  flowgateError(seen.auth, "invalidArgument", /auth has no key "user"/);
  flowgateError(seen.idAsRun, "invalidArgument", /flow run must be an object .*not the id .*readFlowRun/);
  flowgateError(seen.filterTypo, "invalidArgument", /unknown field `limt`/);
  flowgateError(seen.arrayInput, "invalidArgument", /runInput must be an object .* not an array/);
  flowgateError(seen.runAsId, "invalidArgument");
  flowgateError(seen.optionsTypo, "invalidArgument", /options has no key "signl"; it takes signal/);
  flowgateError(seen.watchState, "invalidArgument", /filter.states has "paused", which is not a state type/);
  flowgateError(seen.unknownStates, "notFound", /was not found/);
  assert.equal(seen.after, "PAUSED", "nothing was sent");
});

test("in a page: an AbortSignal gives up reads and decisions at once; an aborted one sends nothing", async () => {
  // A server that takes connections and never answers: a Prefect that hangs.
  const sockets = [];
  let requests = 0;
  const stall = createTcpServer((socket) => {
    sockets.push(socket);
    socket.on("error", () => {});
    socket.on("data", (data) => { if (/^(GET|POST|PUT|DELETE|OPTIONS) /.test(data.toString())) requests += 1; });
  });
  await new Promise((resolve) => stall.listen(0, "127.0.0.1", resolve));
  try {
    const stalled = `http://127.0.0.1:${stall.address().port}/api`;
    const timed = await page.evaluate(async ({ stalled }) => {
      const client = new window.flowgate.PrefectClient({ apiUrl: stalled, timeoutMs: 30000 });
      const controller = new AbortController();
      const started = performance.now();
      const calls = [
        client.readFlowRun(crypto.randomUUID(), { signal: controller.signal }),
        client.health({ signal: controller.signal }),
        client.resume(crypto.randomUUID(), undefined, { signal: controller.signal }),
        client.rejectMany([crypto.randomUUID()], { reason: "r", signal: controller.signal }),
      ];
      setTimeout(() => controller.abort(), 300);
      const errors = await Promise.all(calls.map(window.rejected));
      return { errors, ms: performance.now() - started };
    }, { stalled });
    for (const error of timed.errors) flowgateError(error, "aborted", /given up through its AbortSignal/);
    assert.ok(timed.ms < 2000, `settled ${Math.round(timed.ms)} ms after the calls`);
    assert.ok(requests > 0, "the calls had reached the server before they were given up");

    await new Promise((resolve) => setTimeout(resolve, 200));
    const seen = requests;
    const early = await page.evaluate(async ({ stalled }) => {
      const client = new window.flowgate.PrefectClient({ apiUrl: stalled });
      const signal = AbortSignal.abort();
      return Promise.all([
        window.rejected(client.readFlowRun(crypto.randomUUID(), { signal })),
        window.rejected(client.resumeMany([crypto.randomUUID()], { signal })),
        window.rejected(client.resume(crypto.randomUUID(), undefined, { signal: "stop" })),
      ]);
    }, { stalled });
    flowgateError(early[0], "aborted");
    flowgateError(early[1], "aborted");
    flowgateError(early[2], "invalidArgument", /signal must be an AbortSignal/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(requests, seen, "nothing was sent");
  } finally {
    sockets.forEach((s) => s.destroy());
    stall.close();
  }
});

test("in a page: a freed client fails with kind 'closed'; a throwing callback reaches onError; close() closes the websocket", async () => {
  const sockets = [];
  page.on("websocket", (ws) => {
    const entry = { url: ws.url(), closedAt: null };
    ws.on("close", () => { entry.closedAt = Date.now(); });
    sockets.push(entry);
  });
  const seen = await page.evaluate(async ({ apiUrl }) => {
    const { PrefectClient } = window.flowgate;
    const freed = new PrefectClient({ apiUrl });
    freed.free();
    const closed = await window.rejected(freed.health());
    const closedWatch = window.threw(() => freed.watchFlowRuns({ onChange() {} }));
    freed.free(); // a second free does nothing
    const client = new PrefectClient({ apiUrl });
    const caught = [];
    const closedAt = await new Promise((resolve, reject) => {
      setTimeout(() => reject(new Error(`the watch did not go live; onError saw ${JSON.stringify(caught)}`)), 20000);
      const watch = client.watchFlowRuns({
        onChange() {},
        onStatus(s) { throw new Error("status handler broke on " + s.state); },
        onError(error) {
          caught.push(error.message);
          if (error.message.endsWith("live")) { watch.close(); resolve(Date.now()); }
        },
      });
    });
    return { closed, closedWatch, caught, closedAt };
  }, { apiUrl });
  flowgateError(seen.closed, "closed", /This PrefectClient was freed/);
  flowgateError(seen.closedWatch, "closed");
  assert.deepEqual(seen.caught, ["status handler broke on connecting", "status handler broke on live"]);
  const watched = sockets.filter((s) => s.url.includes("/events/out"));
  assert.equal(watched.length, 1, `one websocket to Prefect's events: ${JSON.stringify(sockets)}`);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  assert.ok(watched[0].closedAt !== null, "the websocket was closed within a second of close()");
});
