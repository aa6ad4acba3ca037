// The console's first reads, sent by its HTML page before the wasm is fetched and compiled
// (~150 ms on loopback, more on a real network) instead of after: the run a link opens, the
// inbox's first page (its default order), the header's count of paused runs and the server's
// version, and with the inbox's page the names of the flows and deployments that have a
// paused run; and on a run's page, the run page's code (its wasm chunks) preloaded. The reads
// that need one of those answers follow as soon as it arrives: the input a run asks for (its
// schema and description) and its flow's and deployment's names. On a run's page the run's
// heading, on the inbox its first page, is drawn from those answers before the console's code
// runs (see drawEarly).
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
  const onInbox = page === "" && location.search === "";
  if (onRunPage && run) wanted.unshift(["GET", `/flow_runs/${run[1].toLowerCase()}`]);
  if (onInbox) {
    // The inbox's first page, and the names of the flows and deployments that have a paused
    // run (crates/client: flow_names_with_paused_runs), which need not wait for it.
    const withPaused = `${PAUSED},"sort":"NAME_ASC","limit":200}`;
    wanted.unshift(["POST", "/flow_runs/paginate", `${PAUSED},"sort":"START_TIME_DESC","page":1,"limit":50}`],
      ["POST", "/flows/filter", withPaused], ["POST", "/deployments/filter", withPaused]);
  }

  const reads = new Map();
  // Settled once this page's view is drawn here, or will not be: the console's code starts
  // after it, or a moment after the code is compiled, whichever comes first (the page's loader,
  // scripts/console-loader.mjs). Starting the wasm is one long task on the main thread, and the
  // answers these views wait for were handled only after it (and the console's first work):
  // ~90 ms later than they arrived, in a bench run.
  let viewSettled;
  globalThis.flowgateFirstView = new Promise((resolve) => { viewSettled = resolve; });
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
  // What the page shows before the console's code has arrived and started (~250 ms later on
  // loopback, more on a network), drawn from the answers above: a run's heading (its name,
  // state and id) on a run's page, the inbox's first page on "/", each under the page's
  // header; text only. The console's own page stays hidden behind it (console.css:
  // html.early-view) until it has drawn its own, or an error, or left the page, and then
  // removes it (crates/ui: components/early_view.rs). Its markup is the console's (app.rs's
  // header, the run page's heading in routes/run/facts.rs, the inbox in routes/inbox/), so
  // nothing moves when the console takes over; early e2e compares the two. Its controls are
  // inert: what a person would type or tick there would be lost when the console takes over.
  const node = (tag, attributes, ...children) => {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
    element.append(...children);
    return element;
  };
  const pad = (n, width = 2) => String(n).padStart(width, "0");
  // As crates/ui's components/numbers.rs writes counts: "1,018 paused runs".
  const grouped = (n) => String(n).replace(/\B(?=(\d{3})+$)/g, ",");
  const counted = (n, one, many) => (n === 1 ? `1 ${one}` : `${grouped(n)} ${many}`);
  // As components/local_time.rs writes the browser's zone at an instant: "UTC+01:00".
  const zoneAt = (date) => {
    const offset = -date.getTimezoneOffset();
    return `UTC${offset < 0 ? "-" : "+"}${pad(Math.abs(offset) / 60 | 0)}:${pad(Math.abs(offset) % 60)}`;
  };
  const link = (path, current, ...children) => node("a", current ? { href: PUBLIC_URL + path, "aria-current": "page" } : { href: PUBLIC_URL + path }, ...children);
  const drawEarly = (drawn, main, waiting) => {
    // Not once the console has drawn this page itself (or left it).
    if (location.pathname.slice(PUBLIC_URL.length) !== page || document.documentElement.hasAttribute("data-console-drew")
      || document.querySelector(drawn)) return false;
    const current = page === "" ? "" : page.split("/")[0];
    const view = node("div", { class: "early-view" },
      node("header", { class: "top" },
        link("", current === "", "Flowgate"),
        node("nav", { "aria-label": "Main" },
          link("", current === "", "Waiting", ...(waiting > 0 ? [node("span", { class: "nav-count" }, grouped(waiting))] : [])),
          link("runs", current === "runs", "All runs"), link("rules", false, "Rules"), link("settings", false, "Settings")),
        node("span", { class: "live live-connecting", title: "", role: "status" }, "connecting…"),
        node("span", { class: "zone-note", title: "Times are shown in this browser's time zone" }, `times in ${zoneAt(new Date())}`),
        node("span", { class: "server" }, "connecting…")),
      main);
    document.body.prepend(view);
    document.documentElement.classList.add("early-view");
    performance.mark("flowgate:early");
    return true;
  };
  const whenBody = (draw) => {
    if (document.body) draw();
    else document.addEventListener("DOMContentLoaded", draw, { once: true });
  };
  const runHeading = (found) => {
    if (typeof found.name !== "string" || typeof found.id !== "string") return;
    const type = typeof found.state_type === "string" ? found.state_type : null;
    const state = typeof found.state_name === "string" ? found.state_name : type ?? "—";
    drawEarly('[data-testid="run-name"]', node("main", {},
      node("h1", {}, found.name),
      node("p", { class: "meta" }, node("span", { class: `badge badge-${type?.toLowerCase() ?? "unknown"}` }, state), " ", node("code", {}, found.id)),
      node("p", { class: "loading" }, "Loading the run's details…")));
  };
  if (onRunPage && run) {
    const id = run[1].toLowerCase();
    then(`GET ${base}/flow_runs/${id}`, (found) => {
      whenBody(() => runHeading(found));
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
    reads.get(`GET ${base}/flow_runs/${id}`).response.then(viewSettled, viewSettled);
  }
  // A paused run's row of the inbox, as routes/inbox/row.rs draws it (its time as
  // components/local_time.rs and countdown.rs write it); none for a run the console would draw
  // otherwise (its flow or deployment not named by the reads above: the console reads those by
  // id), or would not decode.
  const written = (date, utc) => {
    const get = (field) => date[`get${utc ? "UTC" : ""}${field}`]();
    return `${pad(get("FullYear"), 4)}-${pad(get("Month") + 1)}-${pad(get("Date"))} ${pad(get("Hours"))}:${pad(get("Minutes"))}:${pad(get("Seconds"))}`;
  };
  const ago = (seconds) => {
    const amount = Math.abs(seconds);
    if (amount <= 4) return "just now";
    const days = amount / 86_400 | 0;
    const span = amount < 60 ? `${amount} s` : amount < 3_600 ? `${amount / 60 | 0} min`
      : amount < 86_400 ? `${amount / 3_600 | 0} h` : days === 1 ? "1 day" : `${days} days`;
    return seconds >= 0 ? `${span} ago` : `in ${span}`;
  };
  const timeLeft = (timeout, now) => {
    if (timeout === null) return ["no timeout", false];
    const left = Math.trunc((timeout - now) / 1000);
    if (left < 0) return ["timed out: resuming now fails the run", true];
    const [d, h, m, s] = [left / 86_400 | 0, (left / 3_600 | 0) % 24, (left / 60 | 0) % 60, left % 60];
    return [d > 0 ? `${d}d ${h}h left` : h > 0 ? `${h}h ${pad(m)}m left` : `${m}m ${pad(s)}s left`, false];
  };
  const inboxRow = (run, named, now) => {
    if (typeof run !== "object" || run === null) return null;
    const { id, name, flow_id: flow, deployment_id: deployment, state_type: type, state_name: state, tags } = run;
    const details = run.state?.state_details ?? {};
    const since = new Date(run.state?.timestamp ?? NaN);
    const timeout = details.pause_timeout == null ? null : Date.parse(details.pause_timeout);
    if (![id, name, type, state].every((value) => typeof value === "string") || !named.has(flow)
      || (deployment != null && !named.has(deployment)) || Number.isNaN(since.getTime()) || Number.isNaN(timeout)
      || !Array.isArray(tags) || !tags.every((tag) => typeof tag === "string")) return null;
    const keyset = details.run_input_keyset;
    const asksInput = typeof keyset === "object" && keyset !== null && Object.keys(keyset).length > 0;
    const zone = zoneAt(since);
    const [left, expired] = timeLeft(timeout, now);
    return node("tr", { "data-row": "" },
      node("td", {}, node("input", { type: "checkbox", class: "select", inert: "", "aria-label": `Select ${name}`,
        title: asksInput ? "asks for input: tick it to reject together; resume it from its page" : "select to resume or reject together" })),
      node("td", { class: "name" }, link(`runs/${id}`, false, name), node("div", { class: "row-note" }), node("div", { class: "row-note" })),
      node("td", { class: "name" }, named.get(flow)),
      node("td", {}, deployment == null ? "—" : named.get(deployment)),
      node("td", { class: "state" }, node("span", { class: `badge badge-${type.toLowerCase()}` }, state),
        ...(details.pause_reschedule === true ? [node("div", { class: "row-note" }, "resumes by rescheduling")] : [])),
      node("td", {}, tags.join(", ")),
      node("td", { class: "when" }, node("time", { datetime: run.state.timestamp, title: `${written(since, true)}.${pad(since.getUTCMilliseconds(), 3)} UTC` },
        written(since, false), ...(zone === zoneAt(new Date(now)) ? [] : [" ", node("small", { class: "zone" }, zone)]),
        " · ", node("span", { class: "ago" }, ago(Math.trunc((now - since.getTime()) / 1000))))),
      node("td", { class: "left" }, node("span", { class: expired ? "countdown expired" : "countdown" }, left)),
      node("td", { class: "nowrap" }, asksInput ? "input" : "a resume"),
      node("td", { class: "key" }, typeof details.pause_key === "string" ? details.pause_key : ""));
  };
  // The inbox's first page (routes/inbox.rs, inbox/list.rs): its bar (inert), its count, its
  // rows and its pager.
  const inbox = (found, flows, deployments) => {
    const { results: runs, count } = found;
    if (!Array.isArray(runs) || !Number.isSafeInteger(count) || !Array.isArray(flows) || !Array.isArray(deployments)) return;
    const named = new Map([...flows, ...deployments]
      .filter((known) => typeof known?.id === "string" && typeof known.name === "string")
      .map((known) => [known.id, known.name]));
    const now = Date.now();
    const rows = runs.map((run) => inboxRow(run, named, now));
    if (rows.includes(null)) return;
    const pages = Math.max(Number.isSafeInteger(found.pages) ? found.pages : 1, 1);
    const total = counted(count, "paused run", "paused runs");
    const orders = [["START_TIME_DESC", "newest first"], ["START_TIME_ASC", "oldest first"], ["NAME_ASC", "name A→Z"]];
    const columns = ["Run", "Flow", "Deployment", "State", "Tags", "Paused since", "Time left", "Asks for", "Key"];
    const list = count === 0 ? [node("p", { class: "empty" }, "Nothing is waiting: no flow run is paused.")] : [
      node("p", { class: "count" }, pages > 1 ? `${total} — showing 1–${grouped(runs.length)}, newest first` : total),
      node("table", { class: "runs" },
        node("thead", {}, node("tr", {}, node("th", {}, node("span", { class: "sr-only" }, "Select")), ...columns.map((label) => node("th", {}, label)))),
        node("tbody", {}, ...rows)),
      ...(pages > 1 ? [node("nav", { class: "pager", "aria-label": "Pages" }, node("span", {}, `Page 1 of ${pages}`), link("?page=2", false, "Next →"))] : [])];
    const drew = drawEarly('[data-testid="inbox-row"], [data-testid="inbox-empty"]', node("main", {},
      node("h1", {}, "Waiting for you"),
      node("div", { class: "bulk", inert: "" },
        node("button", { class: "primary", disabled: "" }, "Resume selected (0)"),
        node("span", { class: "bulk-reject" },
          node("input", { type: "text", "aria-label": "Reason to reject the selected runs", placeholder: "Reason to reject (required)" }),
          node("button", { class: "danger", disabled: "" }, "Reject selected (0)")),
        node("label", { class: "sort" }, "Order ", node("select", { "aria-label": "Order" }, ...orders.map(([value, label]) => node("option", { value }, label)))),
        node("ul", { class: "bulk-results" })),
      ...list), count);
    if (drew && count > 0) document.title = `(${grouped(count)}) Flowgate`;
  };
  if (onInbox) {
    const keys = ["/flow_runs/paginate", "/flows/filter", "/deployments/filter"].map((path) => `POST ${base}${path}`);
    const answers = [];
    keys.forEach((key, i) => then(key, (answer) => { answers[i] = answer; }));
    Promise.allSettled(keys.map((key) => reads.get(key).response)).then(() => {
      if (answers.filter(Boolean).length === keys.length) whenBody(() => inbox(...answers));
      viewSettled();
    });
  } else if (!(onRunPage && run)) {
    viewSettled();
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
