// A fault-injecting HTTP proxy in front of a real Prefect server. It forwards every request
// (websocket upgrades included) and answers nothing itself, except where a test injects a
// fault: latency, a stall, a connection reset before or after the server got the request, a
// proxy's 502/503/504, a truncated body, a body that is not JSON, a websocket refused or cut.
// It can also serve a directory of static files beside `/api`, so a page and the API it calls
// share one origin.
import { createServer, request as forward } from "node:http";
import { connect } from "node:net";
import { staticFiles } from "./static.mjs";

/** What nginx answers for these statuses: HTML, as a real proxy does. */
const PROXY_PAGE = (status) => `<html>\r\n<head><title>${status}</title></head>\r\n<body>\r\n<center><h1>${status}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;

/**
 * Starts the proxy for `upstreamApi` (`http://127.0.0.1:4200/api`); resolves to
 * `{ base, apiUrl, inject(rule), clear(), log, close() }`. A rule is `{ match, mode, times,
 * ms, status }`: `match` a RegExp tested on `"METHOD /api/path"` (or `"WS /api/path"`),
 * `times` how many matching requests it hits (default 1). `log` lists every request with the
 * fault it met, whether it reached the server and the status the server answered (`status`),
 * and `busy` when Prefect answered 503 to it under a fault.
 */
export async function startFaultProxy(upstreamApi, { files } = {}) {
  const upstream = new URL(upstreamApi);
  const rules = [];
  const log = [];
  const held = new Set();
  const serveFile = files && staticFiles(files);

  const take = (line) => {
    const rule = rules.find((r) => r.times > 0 && r.match.test(line));
    if (rule) rule.times -= 1;
    return rule;
  };
  const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

  /** Sends the request on to Prefect; resolves to `{ status, headers, body }`. */
  function toServer(req, body) {
    return new Promise((resolve, reject) => {
      const out = forward({
        host: upstream.hostname, port: upstream.port, method: req.method, path: req.url,
        headers: { ...req.headers, host: upstream.host },
      }, (res) => {
        const parts = [];
        res.on("data", (c) => parts.push(c));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(parts) }));
        res.on("error", reject);
      });
      out.on("error", reject);
      out.end(body);
    });
  }

  function reply(res, { status, headers, body }) {
    const { "transfer-encoding": _te, connection: _c, "content-length": _cl, ...rest } = headers;
    res.writeHead(status, { ...rest, "content-length": body.length });
    res.end(body);
  }

  const server = createServer(async (req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    if (!path.startsWith("/api/")) return serveFile ? serveFile(req, res) : res.writeHead(404).end();
    const parts = [];
    for await (const c of req) parts.push(c);
    const body = Buffer.concat(parts);
    const line = `${req.method} ${path}`;
    const rule = take(line);
    const entry = { line, fault: rule?.mode ?? null, reachedServer: false };
    log.push(entry);
    const send = async () => {
      entry.reachedServer = true;
      const answer = await toServer(req, body);
      entry.status = answer.status;
      return answer;
    };
    // The faults that come "after the server acted" need a server that did act. Prefect on
    // SQLite answers 503 when its database is locked, having done nothing; that answer is
    // relayed as it is and the rule waits for the client's next try, so a test knows what
    // the server did instead of guessing.
    const acted = async () => {
      const answer = await send();
      if (answer.status !== 503) return answer;
      rule.times += 1;
      entry.fault = null;
      entry.busy = true;
      reply(res, answer);
      return null;
    };
    try {
      switch (rule?.mode) {
        case undefined:
          return reply(res, await send());
        case "latency":
          await sleep(rule.ms);
          return reply(res, await send());
        case "stall": // nothing reaches the server, nothing comes back
          held.add(res);
          return;
        case "stall-after": // the server acts; its answer never comes back
          if (!(await acted())) return;
          held.add(res);
          return;
        case "reset-before":
          return req.socket.destroy();
        case "reset-after":
          if (!(await acted())) return;
          return req.socket.destroy();
        case "status": // the proxy answers for a server it could not reach
          return res.writeHead(rule.status, { "content-type": "text/html" }).end(PROXY_PAGE(rule.status));
        case "status-after": // the server acted, then the proxy gave up waiting on it
          if (!(await acted())) return;
          return res.writeHead(rule.status, { "content-type": "text/html" }).end(PROXY_PAGE(rule.status));
        case "truncate": { // the connection ends halfway through the body
          const answer = await acted();
          if (!answer) return;
          const { "transfer-encoding": _te, connection: _c, ...rest } = answer.headers;
          res.writeHead(answer.status, { ...rest, "content-length": answer.body.length });
          res.write(answer.body.subarray(0, Math.floor(answer.body.length / 2)));
          return setTimeout(() => req.socket.destroy(), 50);
        }
        case "html": // a 200 that is not the server's (a captive portal, a login page)
          if (!(await acted())) return;
          return res.writeHead(200, { "content-type": "text/html" }).end("<html><body>Sign in to continue</body></html>");
        default:
          throw new Error(`unknown fault ${rule.mode}`);
      }
    } catch (error) {
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/html" }).end(PROXY_PAGE(502));
      entry.error = String(error);
    }
  });

  // Websockets: the upgrade is passed on byte for byte unless a rule refuses or cuts it.
  server.on("upgrade", (req, socket, head) => {
    const path = new URL(req.url, "http://x").pathname;
    const rule = take(`WS ${path}`);
    log.push({ line: `WS ${path}`, fault: rule?.mode ?? null, reachedServer: rule?.mode !== "ws-refuse" });
    if (rule?.mode === "ws-refuse") {
      socket.end("HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n");
      return;
    }
    const link = connect(Number(upstream.port), upstream.hostname, () => {
      const headers = Object.entries({ ...req.headers, host: upstream.host }).map(([k, v]) => `${k}: ${v}`).join("\r\n");
      link.write(`${req.method} ${req.url} HTTP/1.1\r\n${headers}\r\n\r\n`);
      link.write(head);
      socket.pipe(link).pipe(socket);
    });
    const end = () => { socket.destroy(); link.destroy(); };
    link.on("error", end);
    socket.on("error", end);
    if (rule?.mode === "ws-drop") setTimeout(end, rule.ms ?? 500);
  });

  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    base,
    apiUrl: `${base}/api`,
    log,
    inject(rule) {
      rules.push({ times: 1, ...rule });
    },
    clear() {
      rules.length = 0;
      for (const res of held) res.socket?.destroy();
      held.clear();
    },
    async close() {
      this.clear();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
