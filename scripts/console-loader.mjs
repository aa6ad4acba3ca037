// Trunk post-build hook (Trunk.toml): moves the module script Trunk writes inline into
// index.html (it loads the wasm and starts the console) into a file of its own, named by its
// content, referenced with `src` and an `integrity` hash. The console then runs under a
// Content-Security-Policy whose script-src has no 'unsafe-inline' and no per-build hash
// (web/deploy/security-headers.conf). It also places the wasm chunks split-console.mjs cut.
// Fails the build if Trunk's output is not as expected, rather than ship a page the policy
// would block.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
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
const name = `loader-${createHash("sha256").update(code).digest("hex").slice(0, 16)}.js`;
const integrity = `sha384-${createHash("sha384").update(code).digest("base64")}`;
writeFileSync(join(stage, name), code);
writeFileSync(
  page,
  placeChunks(
    stage,
    html.replace(tag, `<script type="module" src="${publicUrl}${name}" integrity="${integrity}"></script>`),
    publicUrl,
  ),
);
