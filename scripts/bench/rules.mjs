// Pause → message: how long after a run pauses a notify rule's message reaches a webhook, over
// N pauses one after another, through Prefect's own engine (its triggers and actions
// services). Usage: node scripts/bench/rules.mjs HARNESS_JSON [N]; prints one JSON line.
import { readFileSync } from "node:fs";
import { PrefectClient, defaultMessage } from "../../web/package/dist/node/flowgate.mjs";
import { pausedRunOf } from "../../web/tests/support/prefect.mjs";
import { startSink } from "../../web/tests/support/sink.mjs";

const [harnessPath, count = "30"] = process.argv.slice(2);
const harness = JSON.parse(readFileSync(harnessPath, "utf8"));
const client = new PrefectClient({ apiUrl: harness.api_url });
const sink = await startSink();
const stamp = Date.now().toString(36);
const tag = `bench-${stamp}`;
const block = await client.createNotifyBlock({ kind: "custom-webhook", name: `bench-${stamp}`, url: sink.url() });
const rule = await client.createRule({
  name: `bench ${stamp}`, scope: { tags: [tag] },
  action: { kind: "notify", block: block.id, ...defaultMessage({ consoleUrl: "https://flowgate.example.com" }) },
});
// Prefect's triggers service reads new automations from its database every few seconds.
await new Promise((done) => setTimeout(done, 6000));
const latencies = [];
try {
  for (let i = 0; i < Number(count); i++) {
    const id = await pausedRunOf(harness.api_url, `bench-${stamp}-${i}`, { flow: "bench-rules", tags: [tag] });
    const message = await sink.waitFor((m) => m.json?.body?.includes(id), 30_000);
    const paused = (await client.flowRunStates(id)).find((s) => s.type === "PAUSED");
    latencies.push(message.at - Date.parse(paused.timestamp));
  }
} finally {
  await client.deleteRule(rule.id);
  await sink.close();
}
const sorted = [...latencies].sort((a, b) => a - b);
const at = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
console.log(JSON.stringify({ pauses: sorted.length, p50: at(0.5), p95: at(0.95), min: sorted[0], max: sorted.at(-1) }));
