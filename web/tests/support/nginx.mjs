// Runs the console through Debian's nginx with the deploy configuration users copy
// (web/deploy/nginx.conf and security-headers.conf): only the lines marked `flowgate:` change
// (port, dist/, the headers file, the Prefect API), and the policy gains a report-uri so the
// tests see every Content-Security-Policy violation. The nginx binary is the one
// scripts/bootstrap.sh unpacks from Debian's package into .tools/nginx.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { createServer } from "node:http";
import { createServer as createNetServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("../../..", import.meta.url));
export const NGINX = join(repo, ".tools/nginx/usr/sbin/nginx");
export const REPORT_PATH = "/__csp-report";

/** The security headers' Content-Security-Policy, with a report-uri added when `reportUri`. */
export function securityHeaders(reportUri) {
  const text = readFileSync(join(repo, "web/deploy/security-headers.conf"), "utf8");
  const headers = {};
  for (const [, name, value] of text.matchAll(/^add_header ([\w-]+) "([^"]*)" always;$/gm)) {
    headers[name] = name === "Content-Security-Policy" && reportUri ? `${value}; report-uri ${reportUri}` : value;
  }
  if (!headers["Content-Security-Policy"]) throw new Error("security-headers.conf sets no Content-Security-Policy");
  return headers;
}

/** Collects the browser's CSP violation reports (their JSON text): `{ url, reports, close }`. */
export async function reportCollector() {
  const reports = [];
  const server = createServer((req, res) => {
    const parts = [];
    req.on("data", (c) => parts.push(c));
    req.on("end", () => {
      reports.push(Buffer.concat(parts).toString("utf8"));
      res.writeHead(204).end();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, reports, close: () => new Promise((r) => server.close(r)) };
}

async function freePort() {
  const server = createNetServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Replaces the one line of `file`'s text `conf` marked `flowgate: <name>` with `lines` (one or
 * more); fails if there is not exactly one.
 */
export function markLine(conf, file, name, lines) {
  const pattern = new RegExp(`^.*# flowgate: ${name}$`, "gm");
  const found = conf.match(pattern) ?? [];
  if (found.length !== 1) throw new Error(`${file}: expected one line marked "flowgate: ${name}", found ${found.length}`);
  return conf.replace(pattern, [].concat(lines).map((l) => `    ${l}`).join("\n"));
}

const mark = (conf, name, line) => markLine(conf, "web/deploy/nginx.conf", name, line);

/**
 * Starts nginx serving `dist` with /api proxied to `apiUrl`; resolves to
 * `{ base, cspReports, close }`. Stops only the nginx it started, by its PID.
 */
export async function serveConsoleWithNginx(dist, apiUrl) {
  if (!existsSync(NGINX)) throw new Error(`${NGINX} is missing: scripts/bootstrap.sh unpacks Debian's nginx there`);
  const dir = mkdtempSync(join(tmpdir(), "flowgate-nginx-"));
  const collector = await reportCollector();
  const port = await freePort();
  const headers = Object.entries(securityHeaders(REPORT_PATH))
    .map(([name, value]) => `add_header ${name} "${value}" always;`)
    .join("\n");
  writeFileSync(join(dir, "headers.conf"), `${headers}\n`);
  let site = readFileSync(join(repo, "web/deploy/nginx.conf"), "utf8");
  site = mark(site, "listen", `listen 127.0.0.1:${port};`);
  site = mark(site, "root", `root ${dist};`);
  site = mark(site, "headers", `include ${join(dir, "headers.conf")};`);
  site = mark(site, "prefect", `proxy_pass ${apiUrl.replace(/\/$/, "")}/;`);
  // Where the browser's reports go, for the tests only.
  site = site.replace(/\n}\s*$/, `\n    location = ${REPORT_PATH} { proxy_pass ${collector.url}; }\n}\n`);
  writeFileSync(join(dir, "site.conf"), site);
  const base = `http://127.0.0.1:${port}`;
  const nginx = await runNginx(dir, async () => (await fetch(`${base}/`)).ok);
  return {
    base,
    cspReports: collector.reports,
    close: async () => {
      await nginx.stop();
      await collector.close();
    },
  };
}

/**
 * Runs Debian's nginx on `dir/site.conf` (its temp files, pid and logs in `dir`) until
 * `ready()` holds: `{ log(), stop() }`. Stops only the nginx it started.
 */
export async function runNginx(dir, ready) {
  writeFileSync(join(dir, "nginx.conf"), [
    `user ${userInfo().username};`,
    "worker_processes 1;",
    "daemon off;",
    `pid ${join(dir, "nginx.pid")};`,
    `error_log ${join(dir, "error.log")} warn;`,
    "events { worker_connections 256; }",
    "http {",
    `  access_log ${join(dir, "access.log")};`,
    ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((t) => `  ${t}_temp_path ${join(dir, t)};`),
    `  include ${join(dir, "site.conf")};`,
    "}",
  ].join("\n"));
  const child = spawn(NGINX, ["-p", dir, "-c", join(dir, "nginx.conf"), "-e", join(dir, "error.log")], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (c) => { stderr += c; });
  const log = () => stderr + readLog(join(dir, "error.log"));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}): ${log()}`);
    try {
      if (await ready()) break;
    } catch {}
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`nginx did not answer: ${log()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    log,
    stop: async () => {
      // SIGTERM: nginx's fast stop, closing open event streams; its workers end with it.
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
}

function readLog(path) {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}
