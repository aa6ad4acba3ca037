// The console's first reads, sent by its HTML page before the wasm is fetched and compiled
// (~150 ms on loopback, more on a real network) instead of after: the run a link opens, the
// inbox's first page (its default order), the header's count of paused runs and the server's
// version, and with the inbox's page the names of the flows and deployments that have a
// paused run; and on a run's page, the run page's code (its wasm chunks) preloaded. The reads
// that need one of those answers follow as soon as it arrives: the input a run asks for (its
// schema and description) and its flow's and deployment's names. On a run's page the run's
// heading is drawn from its answer, before the console's code runs (see drawEarly).
// scripts/console-loader.mjs copies this file into the build, named by its content, as the
// page's first script, with the %…% values filled in (the client's API version, the
// console's public URL, the chunks a run page needs).
//
// The console's client (crates/client, feature `first-reads`) takes one, through
// globalThis.flowgateFirstRead, only for a request whose method, URL, headers and body are
// exactly those it would send, and once; so a read built here in a way the client would not
// build it is never used, only sent in vain. What the console has not taken after 10 s is dropped and aborted: a later
// read is always sent afresh.
(() => {
  "use strict";
  const API_VERSION = "%API_VERSION%";
  const PUBLIC_URL = "%PUBLIC_URL%";
  const RUN_PAGE_FILES = ["%RUN_PAGE_FILES%"];
  // The Markdown parser's chunk, which a run page needs only for a pause with a description.
  const DESCRIPTION_FILES = ["%DESCRIPTION_FILES%"];
  const KEPT_MS = 10_000;
  const onRunPage = location.pathname.startsWith(`${PUBLIC_URL}runs/`);

  // The run page's code, fetched beside the main part; the loader's own fetches find it
  // (__wasm_split.js, crossorigin as its fetch is).
  const preload = (files) => {
    for (const file of files) {
      const link = document.createElement("link");
      link.rel = "preload";
      link.as = "fetch";
      link.crossOrigin = "anonymous";
      link.href = PUBLIC_URL + file;
      document.head.append(link);
    }
  };
  if (onRunPage) preload(RUN_PAGE_FILES);

  let settings = null;
  try {
    settings = JSON.parse(localStorage.getItem("flowgate.connection") ?? "null");
  } catch {
    // No storage, or not JSON: the console starts with its defaults, and so do these reads.
  }
  if (typeof settings !== "object" || settings === null) settings = {};
  // The theme Settings chose, before anything is drawn (the console sets the same once it runs).
  if (typeof settings.theme === "string") document.documentElement.dataset.theme = settings.theme;
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

  // [method, path, body]: the bodies are the JSON the client writes for the same reads
  // (crates/ui: the header's count in app.rs, the inbox's first page in routes/inbox.rs);
  // chunks e2e checks each is taken.
  // A flow run's, flow's or deployment's id as the server writes it.
  const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
  const PAUSED = '{"flow_runs":{"state":{"type":{"any_":["PAUSED"]}}}';
  const wanted = [["GET", "/admin/version"], ["POST", "/flow_runs/count", `${PAUSED}}`]];
  const page = location.pathname.slice(PUBLIC_URL.length);
  const run = new RegExp(`^runs/(${UUID})/?$`, "i").exec(page);
  if (onRunPage && run) wanted.unshift(["GET", `/flow_runs/${run[1].toLowerCase()}`]);
  if (page === "" && location.search === "") {
    // The inbox's first page, and the names of the flows and deployments that have a paused
    // run (crates/client: flows_with_paused_runs), which need not wait for it.
    const withPaused = `${PAUSED},"sort":"NAME_ASC","limit":200}`;
    wanted.unshift(["POST", "/flow_runs/paginate", `${PAUSED},"sort":"START_TIME_DESC","page":1,"limit":50}`],
      ["POST", "/flows/filter", withPaused], ["POST", "/deployments/filter", withPaused]);
  }

  const reads = new Map();
  const lines = (sent) => Object.entries(sent).map(([name, value]) => `${name}: ${value}`).join("\n");
  const send = (method, path, body) => {
    const sent = body === undefined ? headers : { ...headers, "Content-Type": "application/json" };
    const controller = new AbortController();
    const response = fetch(base + path, { method, headers: sent, body, signal: controller.signal });
    // Handled here so that one the console never takes is no unhandled rejection.
    response.catch(() => {});
    reads.set(`${method} ${base}${path}`, { controller, response, headers: lines(sent), body: body ?? null });
  };
  for (const [method, path, body] of wanted) send(method, path, body);

  // The reads that need an answer above, built as the client builds them (crates/client:
  // run_input_request, flows_by_id, deployments_by_id): each id once, in first-seen order, a
  // key's path segment percent-encoded but for A-Z a-z 0-9 - _ . ~.
  const ID = new RegExp(`^${UUID}$`);
  const isId = (id) => typeof id === "string" && ID.test(id);
  const names = (path, key, ids) => {
    const unique = [...new Set(ids.filter(isId))];
    if (unique.length === 0 || unique.length > 200) return;
    send("POST", path, JSON.stringify({ [key]: { id: { any_: unique } }, limit: unique.length }));
  };
  const segment = (text) => Array.from(new TextEncoder().encode(text), (byte) => {
    const char = String.fromCharCode(byte);
    return /[A-Za-z0-9\-_.~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }).join("");
  // The body is read here, and the console takes a Response made of the same status, headers
  // and text: with a clone, Chromium delivered the copy's body only once the console had read
  // the original, after its wasm started, and these reads went out after the console's own.
  const then = (key, next) => {
    const read = reads.get(key);
    if (!read) return;
    read.response = read.response.then(async (response) => {
      const text = await response.text();
      let answer = null;
      try {
        answer = response.ok ? JSON.parse(text) : null;
      } catch {
        // Not JSON: nothing follows, and the console says what it got.
      }
      if (typeof answer === "object" && answer !== null) next(answer);
      const { status, statusText, headers } = response;
      return new Response([204, 205, 304].includes(status) ? null : text, { status, statusText, headers });
    });
    read.response.catch(() => {});
  };
  // The run's heading (its name, state and id) and the page's header, drawn as soon as the
  // run's read is answered, before the console's code has arrived and started (~250 ms later
  // on loopback, more on a network); text only. The console's own page stays hidden behind it
  // (console.css: html.early-view) until it has drawn the run, or an error, or left the page,
  // and then removes it (crates/ui: components/early_view.rs). Its markup is the console's
  // (app.rs's header, the run page's heading in routes/run/facts.rs), so nothing moves when
  // the console takes over; early e2e compares the two.
  const drawEarly = (found) => {
    if (typeof found.name !== "string" || typeof found.id !== "string") return;
    // Not once the console has drawn this page itself (or left it).
    if (location.pathname.slice(PUBLIC_URL.length) !== page || document.documentElement.hasAttribute("data-console-drew")
      || document.querySelector('[data-testid="run-name"]')) return;
    const node = (tag, attributes, ...children) => {
      const element = document.createElement(tag);
      for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
      element.append(...children);
      return element;
    };
    const offset = -new Date().getTimezoneOffset();
    const zone = `UTC${offset < 0 ? "-" : "+"}${[Math.abs(offset) / 60 | 0, Math.abs(offset) % 60].map((n) => String(n).padStart(2, "0")).join(":")}`;
    const type = typeof found.state_type === "string" ? found.state_type : null;
    const state = typeof found.state_name === "string" ? found.state_name : type ?? "—";
    const link = (path, text, current) => node("a", current ? { href: PUBLIC_URL + path, "aria-current": "page" } : { href: PUBLIC_URL + path }, text);
    const view = node("div", { class: "early-view" },
      node("header", { class: "top" },
        link("", "Flowgate"),
        node("nav", { "aria-label": "Main" }, link("", "Waiting"), link("runs", "All runs", true), link("rules", "Rules"), link("settings", "Settings")),
        node("span", { class: "live live-connecting", title: "", role: "status" }, "connecting…"),
        node("span", { class: "zone-note", title: "Times are shown in this browser's time zone" }, `times in ${zone}`),
        node("span", { class: "server" }, "connecting…")),
      node("main", {},
        node("h1", {}, found.name),
        node("p", { class: "meta" }, node("span", { class: `badge badge-${type?.toLowerCase() ?? "unknown"}` }, state), " ", node("code", {}, found.id)),
        node("p", { class: "loading" }, "Loading the run's details…")));
    document.body.prepend(view);
    document.documentElement.classList.add("early-view");
    performance.mark("flowgate:early");
  };
  if (onRunPage && run) {
    const id = run[1].toLowerCase();
    then(`GET ${base}/flow_runs/${id}`, (found) => {
      if (document.body) drawEarly(found);
      else document.addEventListener("DOMContentLoaded", () => drawEarly(found), { once: true });
      const keyset = found.state?.state_details?.run_input_keyset;
      if (typeof keyset === "object" && keyset !== null) {
        for (const name of ["schema", "description"]) {
          if (typeof keyset[name] !== "string") continue;
          if (name === "description") preload(DESCRIPTION_FILES);
          send("GET", `/flow_runs/${id}/input/${segment(keyset[name])}`);
        }
      }
      names("/flows/filter", "flows", [found.flow_id]);
      names("/deployments/filter", "deployments", [found.deployment_id]);
    });
  }
  // The console's client asks with its request's method and URL, its headers as "name: value"
  // lines in its order, its body (or null) and its request's AbortSignal (its timeout); it gets
  // the fetch's promise, once, or nothing.
  globalThis.flowgateFirstRead = (method, url, asked, body, signal) => {
    const key = `${method} ${url}`;
    const read = reads.get(key);
    if (!read || asked !== read.headers || body !== read.body) return undefined;
    reads.delete(key);
    signal.addEventListener("abort", () => read.controller.abort());
    return read.response;
  };
  setTimeout(() => {
    for (const read of reads.values()) read.controller.abort();
    reads.clear();
  }, KEPT_MS);
})();
