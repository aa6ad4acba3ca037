// A decision through the gate against the same decision straight to Prefect, on one server in
// one run: single resumes one after another, rotating between a bare resume, Flowgate's own
// decision without a gate (the resume, then its decision record — one Prefect event, as the
// client writes it with `record` on, its default) and the gate (the added latency, p50/p95,
// against each), then bulk resumes both ways — straight at concurrency 4, through the
// gate's bulk approval in chunks of 50 as the console sends them (the gate's share of the
// straight rate). Runs need one approval (the policy's default rule, no four-eyes). After
// each bulk, every run's state history must show exactly one resume. Prints one JSON object.
//
// Usage: node scripts/bench/gate.mjs HARNESS_JSON SINGLES BULK
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readHarness, resumeTransitions, seedPaused } from "../../web/tests/support/prefect.mjs";
import { startGate } from "../../web/tests/support/gate.mjs";

const [harnessPath, singlesArg, bulkArg] = process.argv.slice(2);
const harness = readHarness(harnessPath);
const api = harness.api_url;
const singles = Number(singlesArg ?? 200);
const bulkRuns = Number(bulkArg ?? 400);
const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

const dir = mkdtempSync(join(tmpdir(), "flowgate-bench-gate-"));
writeFileSync(join(dir, "policy.toml"), '[default]\napprovers = ["*"]\nfour_eyes = false\n');
const gate = await startGate({ apiUrl: api, policyPath: join(dir, "policy.toml"), secret: randomBytes(32).toString("hex"), id: "bench" });

const straight = (id) => fetch(`${api}/flow_runs/${id}/resume`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
/** What the console and the package do without a gate: the resume, then, once it is accepted,
 * the decision's record (core's `decision_event`: the run as resource, the decider in the
 * payload). Answers with the resume's response. */
const decided = async (id) => {
  const response = await straight(id);
  const body = await response.json();
  if (body.status === "ACCEPT") {
    const event = {
      id: randomUUID(), occurred: new Date().toISOString(), event: "flowgate.decision.resumed",
      resource: { "prefect.resource.id": `prefect.flow-run.${id}` }, related: [],
      payload: { decider: "bench", decider_checked: false, reason: null, input: null, state_type: "RUNNING", bulk: false },
    };
    const recorded = await fetch(`${api}/events`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify([event]) });
    await recorded.text();
    if (!recorded.ok) throw new Error(`the record: ${recorded.status}`);
  }
  return { ok: response.ok, json: async () => body };
};
const throughGate = (id) => fetch(`${gate.url}/gate/flow_runs/${id}/approve`, {
  method: "POST", headers: { "content-type": "application/json", "x-forwarded-user": "bench" }, body: "{}",
});

async function timed(send, id) {
  const t0 = performance.now();
  const response = await send(id);
  const body = await response.json();
  const ms = performance.now() - t0;
  const ok = response.ok && (body.status === "ACCEPT" || body.outcome === "resumed");
  if (!ok) throw new Error(`${response.status} ${JSON.stringify(body)}`);
  return ms;
}

async function bulk(send, ids, concurrency) {
  let next = 0;
  const t0 = performance.now();
  async function worker() {
    while (next < ids.length) await timed(send, ids[next++]);
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  const counts = await resumeTransitions(api, ids);
  const wrong = ids.filter((id) => counts.get(id) !== 1);
  if (wrong.length) throw new Error(`${wrong.length} runs not resumed exactly once`);
  return ids.length / seconds;
}

/** The console's way through a gate: POST /gate/flow_runs/approve, `chunk` runs a request
 * (the gate resumes 4 at a time and records each chunk in one batch). */
async function gateBulk(ids, chunk) {
  const t0 = performance.now();
  for (let i = 0; i < ids.length; i += chunk) {
    const response = await fetch(`${gate.url}/gate/flow_runs/approve`, {
      method: "POST", headers: { "content-type": "application/json", "x-forwarded-user": "bench" },
      body: JSON.stringify({ ids: ids.slice(i, i + chunk) }),
    });
    const body = await response.json();
    const refused = (body.outcomes ?? []).filter((o) => o.approval?.outcome !== "resumed");
    if (!response.ok || refused.length) throw new Error(`${response.status} ${JSON.stringify(refused[0] ?? body)}`);
  }
  const seconds = (performance.now() - t0) / 1000;
  const counts = await resumeTransitions(api, ids);
  const wrong = ids.filter((id) => counts.get(id) !== 1);
  if (wrong.length) throw new Error(`${wrong.length} runs not resumed exactly once`);
  return ids.length / seconds;
}

try {
  // Warm both paths (connections, the gate's first reads) before measuring.
  const warm = await seedPaused(api, 10, `bench-gate-warm-${Date.now()}`);
  for (const [i, id] of warm.entries()) await timed([straight, decided, throughGate][i % 3], id);

  const ids = await seedPaused(api, singles * 3, `bench-gate-single-${Date.now()}`);
  const direct = [];
  const recorded = [];
  const gated = [];
  for (let i = 0; i < singles; i++) {
    direct.push(await timed(straight, ids[3 * i]));
    recorded.push(await timed(decided, ids[3 * i + 1]));
    gated.push(await timed(throughGate, ids[3 * i + 2]));
  }
  const single = {
    straightP50: percentile(direct, 0.5), straightP95: percentile(direct, 0.95),
    decidedP50: percentile(recorded, 0.5), decidedP95: percentile(recorded, 0.95),
    gateP50: percentile(gated, 0.5), gateP95: percentile(gated, 0.95),
  };
  single.addedP50 = single.gateP50 - single.decidedP50;
  single.addedP95 = single.gateP95 - single.decidedP95;
  single.overBareP50 = single.gateP50 - single.straightP50;
  single.overBareP95 = single.gateP95 - single.straightP95;

  const a = await seedPaused(api, bulkRuns, `bench-gate-bulk-a-${Date.now()}`);
  const b = await seedPaused(api, bulkRuns, `bench-gate-bulk-b-${Date.now()}`);
  const straightRate = await bulk(straight, a, 4);
  const gateRate = await gateBulk(b, 50);
  console.log(JSON.stringify({ singles, bulkRuns, single, bulk: { straightRate, gateRate, share: gateRate / straightRate } }));
} finally {
  await gate.stop();
}
