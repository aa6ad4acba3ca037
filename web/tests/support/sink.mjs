// A small HTTP sink on loopback that a Prefect custom-webhook notification block posts to:
// it keeps every message with the time it arrived, for the rules' tests and benchmark.
import { createServer } from "node:http";

/** Starts the sink; resolves to `{ url, messages, waitFor, close }`. `url(path)` is a hook
 * URL; `waitFor(test, ms)` resolves with the first message that passes `test` (one that came
 * already, or the next), or rejects after `ms`. */
export async function startSink() {
  const messages = [];
  const waiting = new Set();
  const server = createServer((req, res) => {
    const parts = [];
    req.on("data", (c) => parts.push(c));
    req.on("end", () => {
      const text = Buffer.concat(parts).toString("utf8");
      let json = null;
      try { json = JSON.parse(text); } catch { /* kept as text */ }
      const message = { at: Date.now(), path: req.url, text, json };
      messages.push(message);
      for (const w of waiting) if (w.test(message)) w.done(message);
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
  });
  await new Promise((ready) => server.listen(0, "127.0.0.1", ready));
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    url: (path = "/hook") => `${base}${path}`,
    messages,
    waitFor(test, ms = 30_000) {
      const found = messages.find(test);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const w = { test, done: (m) => { clearTimeout(timer); waiting.delete(w); resolve(m); } };
        const timer = setTimeout(() => { waiting.delete(w); reject(new Error(`no message passed the test within ${ms} ms (${messages.length} came)`)); }, ms);
        waiting.add(w);
      });
    },
    close: () => new Promise((done) => { server.closeAllConnections?.(); server.close(done); }),
  };
}
