// Trunk post-build hook (Trunk.toml): moves the module script Trunk writes inline into
// index.html (it loads the wasm and starts the console) into a file of its own, named by its
// content, referenced with `src` and an `integrity` hash. The console then runs under a
// Content-Security-Policy whose script-src has no 'unsafe-inline' and no per-build hash
// (web/deploy/security-headers.conf). Before it goes the page's first reads
// (web/loader/first-reads.js, with the client's API version, the public URL and the run
// page's chunks filled in), sent while the wasm is fetched; the loader compiles the wasm
// meanwhile and starts it once that script's first view is drawn (or will not be), or a moment
// after it is compiled. It also places the wasm chunks split-console.mjs cut.
// Fails the build if Trunk's output is not as expected, rather than ship a page the policy
// would block.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { placeChunks } from "./split-console.mjs";

const stage = process.env.TRUNK_STAGING_DIR;
const publicUrl = process.env.TRUNK_PUBLIC_URL ?? "/";
if (!stage) {
  console.error("console-loader: run by Trunk as a post_build hook (TRUNK_STAGING_DIR is not set)");
  process.exit(1);
}
const page = join(stage, "index.html");
const html = readFileSync(page, "utf8");
const inline = [...html.matchAll(/<script type="module">([\s\S]*?)<\/script>/g)];
if (inline.length !== 1) {
  console.error(`console-loader: expected one inline module script in index.html, found ${inline.length}`);
  process.exit(1);
}
const [tag, code] = inline[0];

const { html: placed, runPageFiles, descriptionFiles } = placeChunks(stage, html, publicUrl);

const options = readFileSync(new URL("../crates/client/src/options.rs", import.meta.url), "utf8");
const apiVersion = /pub const API_VERSION: &str = "([^"]+)";/.exec(options)?.[1];
const firstReads = readFileSync(new URL("../web/loader/first-reads.js", import.meta.url), "utf8");
const filled = firstReads
  .replace('"%API_VERSION%"', JSON.stringify(apiVersion))
  .replace('"%PUBLIC_URL%"', JSON.stringify(publicUrl))
  .replace('["%RUN_PAGE_FILES%"]', JSON.stringify(runPageFiles))
  .replace('["%DESCRIPTION_FILES%"]', JSON.stringify(descriptionFiles));
if (!apiVersion || /%[A-Z_]+%/.test(filled)) {
  console.error("console-loader: cannot fill in web/loader/first-reads.js (API version, public URL, run page and description files)");
  process.exit(1);
}

/** A subresource integrity hash of `text`. */
const sri = (text) => `sha384-${createHash("sha384").update(text).digest("base64")}`;

/** Writes `code` as a file named by its content; its script tag, with an integrity hash. */
function scriptFile(prefix, code, type) {
  const name = `${prefix}-${createHash("sha256").update(code).digest("hex").slice(0, 16)}.js`;
  writeFileSync(join(stage, name), code);
  return `<script${type ? ` type="${type}"` : ""} src="${publicUrl}${name}" integrity="${sri(code)}"></script>`;
}

// The scripts of every page's first load are shipped minified (terser, web/package.json; as the
// test command installs web/'s tools, scripts/bootstrap.sh: npm ci in web/): the first reads,
// wasm-bindgen's glue (10.5 -> 8.1 KB gzipped) and the chunks' loader (2.7 -> 1.9 KB).
let minify;
try {
  const terser = createRequire(new URL("../web/package.json", import.meta.url)).resolve("terser");
  ({ minify } = await import(pathToFileURL(terser).href));
} catch (error) {
  console.error(`console-loader: cannot load terser: ${error.message}`);
  process.exit(1);
}
async function minified(what, source, module = false) {
  try {
    return (await minify(source, { ecma: 2022, module, compress: { passes: 2 }, mangle: true })).code;
  } catch (error) {
    console.error(`console-loader: cannot minify ${what}: ${error.message}`);
    process.exit(1);
  }
}
/** Minifies a module Trunk or split-console.mjs wrote into the stage, keeping its name, and
 * the integrity hash `html` pins it with. */
async function minifyPinned(html, file) {
  const path = join(stage, file);
  const source = readFileSync(path, "utf8");
  const pin = `integrity="${sri(source)}"`;
  if (html.split(pin).length !== 2) {
    console.error(`console-loader: index.html does not pin ${file} once by its integrity hash`);
    process.exit(1);
  }
  const code = await minified(file, source, true);
  writeFileSync(path, code);
  return html.replace(pin, `integrity="${sri(code)}"`);
}

const glue = placed.match(/<link rel="modulepreload" href="[^"]*\/(flowgate-ui-[0-9a-f]+\.js)"/)?.[1];
if (!glue) {
  console.error("console-loader: index.html preloads no flowgate-ui-<hash>.js");
  process.exit(1);
}
let shippedHtml = await minifyPinned(placed, glue);
shippedHtml = await minifyPinned(shippedHtml, "__wasm_split.js");
// The console's start waits for the first script's view (web/loader/first-reads.js: the run's
// heading, the inbox's first page), at most FIRST_VIEW_GRACE_MS once the wasm is compiled:
// starting it is one long task on the main thread, and the answers that view waits for were
// handled after it. The wasm is compiled meanwhile (wasm-bindgen's init takes the module).
const FIRST_VIEW_GRACE_MS = 100;
const start = /const wasm = await init\(\{ module_or_path: ('[^']+_bg\.wasm') \}\);/;
if (!start.test(code)) {
  console.error("console-loader: Trunk's loader does not start the wasm as expected (init({ module_or_path: '…_bg.wasm' }))");
  process.exit(1);
}
// Once that view is in the page, the start waits for the next frame, so that the view is
// painted first: the browser painted it only after the start's long task and the console's
// first work, ~60-140 ms after it was in the DOM. Not in a tab in the background (it draws no
// frame), and never more than FRAME_WAIT_MS (one it is sent to meanwhile).
const FRAME_WAIT_MS = 200;
const waiting = code.replace(start, (_, url) => [
  `const compiled = WebAssembly.compileStreaming(fetch(${url})).catch(() => ${url});`,
  "await Promise.race([globalThis.flowgateFirstView,",
  `  compiled.then(() => new Promise((done) => setTimeout(done, ${FIRST_VIEW_GRACE_MS})))]);`,
  'if (document.documentElement.classList.contains("early-view") && document.visibilityState === "visible") {',
  "  await new Promise((done) => {",
  "    requestAnimationFrame(() => setTimeout(done));",
  `    setTimeout(done, ${FRAME_WAIT_MS});`,
  "  });",
  "}",
  "const wasm = await init({ module_or_path: await compiled });",
].join("\n"));
const reads = scriptFile("first-reads", await minified("web/loader/first-reads.js", filled));
const loader = scriptFile("loader", waiting, "module");
writeFileSync(page, shippedHtml.replace(tag, `${reads}${loader}`));
