// The console's first reads, sent by its HTML page before the wasm is fetched and compiled
// (~150 ms on loopback, more on a real network) instead of after: the run a link opens and the
// server's version; and on a run's page, the run page's code (its wasm chunks) preloaded.
// scripts/console-loader.mjs copies this file into the build, named by its content, as the
// page's first script, with the %…% values filled in (the client's API version, the
// console's public URL, the chunks a run page needs).
//
// The console's client (crates/client, feature `first-reads`) takes one, through
// globalThis.flowgateFirstRead, only for a GET whose URL and headers are exactly those it would
// send, and once; so a read built here in a way the client would not build it is never used,
// only sent in vain. What the console has not taken after 10 s is dropped and aborted: a later
// read is always sent afresh.
(() => {
  "use strict";
  const API_VERSION = "%API_VERSION%";
  const PUBLIC_URL = "%PUBLIC_URL%";
  const RUN_PAGE_FILES = ["%RUN_PAGE_FILES%"];
  const KEPT_MS = 10_000;
  const onRunPage = location.pathname.startsWith(`${PUBLIC_URL}runs/`);

  // The run page's code, fetched beside the main part; the loader's own fetches find it
  // (__wasm_split.js, crossorigin as its fetch is).
  if (onRunPage) {
    for (const file of RUN_PAGE_FILES) {
      const link = document.createElement("link");
      link.rel = "preload";
      link.as = "fetch";
      link.crossOrigin = "anonymous";
      link.href = PUBLIC_URL + file;
      document.head.append(link);
    }
  }

  let settings = null;
  try {
    settings = JSON.parse(localStorage.getItem("flowgate.connection") ?? "null");
  } catch {
    // No storage, or not JSON: the console starts with its defaults, and so do these reads.
  }
  if (typeof settings !== "object" || settings === null) settings = {};
  const apiUrl = typeof settings.api_url === "string" ? settings.api_url : "/api";
  const auth = settings.auth ?? "None";
  const secret = typeof settings.secret === "string" ? settings.secret : "";

  // The same base the client derives (Settings::options, ClientOptions::validated_base).
  let base = apiUrl.trimStart().startsWith("/") && location.origin.startsWith("http")
    ? location.origin + apiUrl.trim()
    : apiUrl.trim();
  base = base.replace(/\/+$/, "");
  const authority = /^https?:\/\/([^/]*)/.exec(base)?.[1];
  if (authority === undefined || authority === "" || authority.includes("@")) return;

  const headers = { Accept: "application/json", "X-PREFECT-API-VERSION": API_VERSION };
  if (auth === "Basic") {
    // The console refuses it before sending.
    if (!secret.includes(":")) return;
    const bytes = new TextEncoder().encode(secret);
    headers.Authorization = `Basic ${btoa(String.fromCharCode(...bytes))}`;
  } else if (auth === "Bearer") {
    headers.Authorization = `Bearer ${secret.trim()}`;
  } else if (auth !== "None") {
    return;
  }

  const paths = ["/admin/version"];
  const run = /^runs\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/?$/i
    .exec(location.pathname.slice(PUBLIC_URL.length));
  if (onRunPage && run) paths.unshift(`/flow_runs/${run[1].toLowerCase()}`);

  const reads = new Map();
  const sent = Object.entries(headers).map(([name, value]) => `${name}: ${value}`).join("\n");
  for (const path of paths) {
    const controller = new AbortController();
    const response = fetch(base + path, { headers, signal: controller.signal });
    // Handled here so that one the console never takes is no unhandled rejection.
    response.catch(() => {});
    reads.set(base + path, { controller, response });
  }
  // The console's client asks with its request's URL, its headers as "name: value" lines in
  // its order, and its request's AbortSignal (its timeout); it gets the fetch's promise, once,
  // or nothing.
  globalThis.flowgateFirstRead = (url, asked, signal) => {
    const read = reads.get(url);
    if (!read || asked !== sent) return undefined;
    reads.delete(url);
    signal.addEventListener("abort", () => read.controller.abort());
    return read.response;
  };
  setTimeout(() => {
    for (const read of reads.values()) read.controller.abort();
    reads.clear();
  }, KEPT_MS);
})();
