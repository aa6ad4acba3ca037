// The deployment shape of crates/gate/README.md, started for tests: gate replicas (the
// release of `cargo build -p flowgate-gate`) in front of a real Prefect, and Debian's nginx
// with web/deploy/gate.conf — only its lines marked `flowgate:` change — signing people in
// from an htpasswd file. Stops only what it started, by PID.
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { NGINX, markLine, runNginx } from "./nginx.mjs";

const repo = fileURLToPath(new URL("../../..", import.meta.url));
export const GATE_BIN = process.env.FLOWGATE_GATE_BIN ?? join(repo, "target/debug/flowgate-gate");

/** A pause's input schema as pydantic writes one: `approver` required, `count` with a default. */
export const SCHEMA = {
  title: "Approval", type: "object", additionalProperties: false,
  properties: { approver: { title: "Approver", type: "string" }, count: { title: "Count", type: "integer", default: 1 } },
  required: ["approver"],
};

/** The people nginx signs in, with their passwords. */
export const PEOPLE = { alice: "alice-pw", bob: "bob-pw", carol: "carol-pw", dave: "dave-pw" };

export async function freePort() {
  const server = createNetServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** An htpasswd line in nginx's salted-SHA1 scheme (`{SSHA}`), which needs no other tool. */
export function htpasswdLine(user, password) {
  const salt = randomBytes(8);
  const digest = createHash("sha1").update(password).update(salt).digest();
  return `${user}:{SSHA}${Buffer.concat([digest, salt]).toString("base64")}`;
}

async function waitFor(check, what, child, logOf, ms = 15_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode}): ${logOf()}`);
    try {
      if (await check()) return;
    } catch {}
    if (Date.now() > deadline) throw new Error(`${what} did not start: ${logOf()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Starts one gate replica: `{ url, port, child, log(), stop(signal) }`. `env` adds to or
 * overrides its settings.
 */
export async function startGate({ apiUrl, policyPath, secret, id, port, env = {} }) {
  if (!existsSync(GATE_BIN)) throw new Error(`${GATE_BIN} is missing: cargo build -p flowgate-gate`);
  port ??= await freePort();
  const child = spawn(GATE_BIN, [], {
    env: {
      PATH: process.env.PATH,
      FLOWGATE_GATE_LISTEN: `127.0.0.1:${port}`,
      FLOWGATE_GATE_PREFECT_API: apiUrl,
      FLOWGATE_GATE_POLICY: policyPath,
      FLOWGATE_GATE_SECRET: secret,
      FLOWGATE_GATE_ID: id,
      ...env,
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (c) => { stderr += c; });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/gate/capabilities`)).status === 401, `gate ${id}`, child, () => stderr);
  return {
    url,
    port,
    child,
    log: () => stderr,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill(signal);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
}

const mark = (conf, name, lines) => markLine(conf, "web/deploy/gate.conf", name, lines);

/**
 * nginx with web/deploy/gate.conf in front of `gates` (their ports) and Prefect at `apiUrl`,
 * serving `dist` (or an empty folder), on `port` (or a free one): `{ base, close, as(user) }`.
 */
export async function startGateProxy({ apiUrl, gatePorts, dist, port }) {
  if (!existsSync(NGINX)) throw new Error(`${NGINX} is missing: scripts/bootstrap.sh unpacks Debian's nginx there`);
  const dir = mkdtempSync(join(tmpdir(), "flowgate-gate-nginx-"));
  port ??= await freePort();
  writeFileSync(join(dir, "users.htpasswd"), Object.entries(PEOPLE).map(([u, p]) => htpasswdLine(u, p)).join("\n") + "\n");
  writeFileSync(join(dir, "headers.conf"), "\n");
  let site = readFileSync(join(repo, "web/deploy/gate.conf"), "utf8");
  site = mark(site, "gate", gatePorts.map((p) => `server 127.0.0.1:${p};`));
  site = mark(site, "listen", `listen 127.0.0.1:${port};`);
  site = mark(site, "root", `root ${dist ?? dir};`);
  site = mark(site, "headers", `include ${join(dir, "headers.conf")};`);
  site = mark(site, "users", `auth_basic_user_file ${join(dir, "users.htpasswd")};`);
  site = mark(site, "prefect", `proxy_pass ${apiUrl.replace(/\/$/, "")}/;`);
  site = mark(site, "prefect-auth", `proxy_set_header Authorization "";`);
  writeFileSync(join(dir, "site.conf"), site);
  const base = `http://127.0.0.1:${port}`;
  const nginx = await runNginx(dir, async () => (await fetch(`${base}/gate/capabilities`)).status === 401);
  return {
    base,
    log: nginx.log,
    /** A fetch as `user`, signed in with their password. */
    as: (user) => (path, init = {}) => fetch(`${base}${path}`, {
      ...init,
      headers: {
        authorization: `Basic ${Buffer.from(`${user}:${PEOPLE[user]}`).toString("base64")}`,
        ...(init.body ? { "content-type": "application/json" } : {}),
        ...init.headers,
      },
    }),
    close: () => nginx.stop(),
  };
}
