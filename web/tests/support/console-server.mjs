// Serves the console's release build (dist/) on loopback with its same-origin /api proxied
// to a Prefect server, as `trunk serve --proxy-backend` does. Shared by the end-to-end tests
// and the console benchmark.
import { createServer } from "node:http";
import { connect } from "node:net";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { REPORT_PATH, securityHeaders } from "./nginx.mjs";
export { launchChromium } from "./chromium.mjs";

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css", ".pack": "application/octet-stream" };

/**
 * Starts the server; resolves to `{ base, close }`. `apiUrl` is the Prefect API it proxies
 * to (e.g. `http://127.0.0.1:4200/api`). Websocket upgrades on `/api` (Prefect's event
 * stream) are forwarded too, unless `websockets: false`: then they are refused with 403, as
 * by a proxy without websocket support. Every answer carries the deploy configuration's
 * security headers (web/deploy/security-headers.conf), its policy reporting violations to the
 * server, which keeps them in `cspReports`.
 */
export async function serveConsole(dist, apiUrl, { websockets = true } = {}) {
  const cspReports = [];
  const headers = securityHeaders(REPORT_PATH);
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, "http://x");
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    if (url.pathname === REPORT_PATH) {
      const parts = [];
      for await (const c of req) parts.push(c);
      cspReports.push(Buffer.concat(parts).toString("utf8"));
      return res.writeHead(204).end();
    }
    if (url.pathname.startsWith("/api/")) {
      const body = await new Promise((done) => {
        const parts = [];
        req.on("data", (c) => parts.push(c));
        req.on("end", () => done(Buffer.concat(parts)));
      });
      let upstream;
      try {
        upstream = await fetch(`${apiUrl}${url.pathname.slice(4)}${url.search}`, {
          method: req.method,
          headers: { "content-type": req.headers["content-type"] ?? "application/json" },
          body: ["GET", "HEAD"].includes(req.method) ? undefined : body,
        });
      } catch {
        // As Trunk's proxy does when the backend is down.
        return res.writeHead(502, { "content-type": "text/plain" }).end("Bad Gateway");
      }
      res.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "application/json" });
      return res.end(Buffer.from(await upstream.arrayBuffer()));
    }
    const file = normalize(join(dist, url.pathname));
    const target = file.startsWith(dist) && extname(file) ? file : join(dist, "index.html");
    let content;
    try {
      content = await readFile(target);
    } catch {
      return res.writeHead(404).end();
    }
    res.writeHead(200, { "content-type": TYPES[extname(target)] ?? "text/html" }).end(content);
  });
  const sockets = new Set();
  server.on("upgrade", (req, client, head) => {
    const url = new URL(req.url, "http://x");
    if (!websockets || !url.pathname.startsWith("/api/")) {
      client.end("HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    const target = new URL(apiUrl);
    const upstream = connect(Number(target.port || 80), target.hostname, () => {
      const path = `${target.pathname.replace(/\/$/, "")}${url.pathname.slice(4)}${url.search}`;
      const headers = Object.entries(req.headers)
        .map(([name, value]) => `${name}: ${name === "host" ? target.host : value}`)
        .join("\r\n");
      upstream.write(`GET ${path} HTTP/1.1\r\n${headers}\r\n\r\n`);
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => { client.destroy(); upstream.destroy(); });
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    base: `http://127.0.0.1:${server.address().port}`,
    cspReports,
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(resolve);
    }),
  };
}
