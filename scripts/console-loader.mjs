// Trunk post-build hook (Trunk.toml): moves the module script Trunk writes inline into
// index.html (it loads the wasm and starts the console) into a file of its own, named by its
// content, referenced with `src` and an `integrity` hash. The console then runs under a
// Content-Security-Policy whose script-src has no 'unsafe-inline' and no per-build hash
// (web/deploy/security-headers.conf). Before it goes the page's first reads
// (web/loader/first-reads.js, with the client's API version, the public URL and the run
// page's chunks filled in), sent while the wasm is fetched. It also places the wasm chunks split-console.mjs cut.
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

/** Writes `code` as a file named by its content; its script tag, with an integrity hash. */
function scriptFile(prefix, code, type) {
  const name = `${prefix}-${createHash("sha256").update(code).digest("hex").slice(0, 16)}.js`;
  const integrity = `sha384-${createHash("sha384").update(code).digest("base64")}`;
  writeFileSync(join(stage, name), code);
  return `<script${type ? ` type="${type}"` : ""} src="${publicUrl}${name}" integrity="${integrity}"></script>`;
}

// Shipped minified (terser, web/package.json): it is part of every page's first load.
let shipped;
try {
  // web/'s tools, as the test command installs them (scripts/bootstrap.sh: npm ci in web/).
  const terser = createRequire(new URL("../web/package.json", import.meta.url)).resolve("terser");
  const { minify } = await import(pathToFileURL(terser).href);
  ({ code: shipped } = await minify(filled, { ecma: 2022, compress: { passes: 2 }, mangle: true }));
} catch (error) {
  console.error(`console-loader: cannot minify web/loader/first-reads.js: ${error.message}`);
  process.exit(1);
}
const reads = scriptFile("first-reads", shipped);
const loader = scriptFile("loader", code, "module");
writeFileSync(page, placed.replace(tag, `${reads}${loader}`));
