// The whole gate shape on this machine, for scripts/console.sh with FLOWGATE_DEMO_GATE=1:
// a gate in front of the Prefect API given, with a demo policy, and Debian's nginx with
// web/deploy/gate.conf serving the console's release build on the port given, signing four
// demo people in. Prints how to sign in as each; stops what it started on SIGINT/SIGTERM.
//
// Usage: node scripts/demo-gate.mjs API_URL PORT DIST
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PEOPLE, startGate, startGateProxy } from "../web/tests/support/gate.mjs";

const repo = fileURLToPath(new URL("..", import.meta.url));
const [apiUrl, port, dist] = process.argv.slice(2);
const POLICY = `# The demo's policy (scripts/demo-gate.mjs); crates/gate/README.md explains each key.
[groups]
release-managers = ["alice", "bob"]

# The release gate needs two of alice, bob and carol, and its requester may not approve.
[[rule]]
name = "releases"
flows = ["release-gate"]
approvers = ["group:release-managers", "carol"]
approvals = 2

# Deploys: release managers approve; carol may also reject.
[[rule]]
name = "deploys"
flows = ["approve-deploy"]
approvers = ["group:release-managers"]
rejecters = ["group:release-managers", "carol"]

# Everything else: anyone signed in.
[default]
approvers = ["*"]
four_eyes = false
`;

const dir = join(repo, ".flowgate/demo-gate");
mkdirSync(dir, { recursive: true });
const policyPath = join(dir, "policy.toml");
writeFileSync(policyPath, POLICY);
const gate = await startGate({ apiUrl, policyPath, secret: randomBytes(32).toString("hex"), id: "demo-gate" });
const proxy = await startGateProxy({ apiUrl, gatePorts: [gate.port], dist, port: Number(port) });
console.log(`==> the console behind the gate: ${proxy.base}/  (nginx with web/deploy/gate.conf; the gate at ${gate.url})`);
console.log(`==> the policy: ${policyPath} (edit it: the gate reloads it when it changes)`);
console.log("==> sign in as (user / password):");
for (const [user, password] of Object.entries(PEOPLE)) console.log(`      ${user} / ${password}`);
console.log("==> alice and bob are release managers; carol may approve releases and reject deploys; dave only the rest");

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await proxy.close();
  await gate.stop();
  process.exit(0);
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
