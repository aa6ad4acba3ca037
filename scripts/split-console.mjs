// Cuts the console's wasm into the part every page needs and the chunks only some pages
// need (the run page: its form, the run-input validator, Markdown), so the inbox loads
// without them. The split points are the `#[wasm_split]` functions in crates/ui; the cutting
// is done by `wasm-split-cli` (crates.io: wasm_split_cli_support, scripts/bootstrap.sh), which
// reads the relocations the link keeps (crates/ui/build.rs: --emit-relocs).
//
// Two roles, both run by Trunk:
// - as wasm-bindgen (scripts/tools/wasm-bindgen puts it in the way for the console only):
//   split the linked wasm, run the real wasm-bindgen on the main part, shrink each chunk with
//   wasm-opt in a release build (Trunk runs wasm-opt on the main part only), name each chunk
//   by its content, and leave them with the loader wasm-split-cli wrote in
//   <out-dir>/wasm-split/;
// - from the post_build hook (console-loader.mjs calls placeChunks): put the chunks and the
//   loader beside the console's own files, point the loader at the hashed main script, name
//   the files a run page needs at once (the page's first script preloads them when the page
//   opened is a run's), and preload the loader with an integrity hash like Trunk's own.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const LOADER = "__wasm_split.js";
const SPLIT_DIR = "wasm-split";
/// The files a run page needs at once, as placeChunks found them: JSON, beside the loader in
/// the split's directory (not shipped).
const RUN_PAGE_FILES = "run-page-files.json";

/// wasm-opt's flags for the chunks: the main part's, from index.html (data-wasm-opt and
/// data-wasm-opt-params), and --strip-debug: a chunk keeps the link's function names, which
/// wasm-bindgen drops from the main part.
function wasmOptFlags() {
  const html = readFileSync("index.html", "utf8");
  const level = html.match(/data-wasm-opt="([^"]+)"/)?.[1];
  const params = html.match(/data-wasm-opt-params="([^"]*)"/)?.[1];
  if (!level || params === undefined) fail("index.html names no data-wasm-opt and data-wasm-opt-params");
  return [`-O${level}`, ...params.split(/\s+/).filter(Boolean), "--strip-debug"];
}

function fail(message) {
  console.error(`split-console: ${message}`);
  process.exit(1);
}

function contentName(stem, bytes, ext) {
  return `${stem}-${createHash("sha256").update(bytes).digest("hex").slice(0, 16)}.${ext}`;
}

function runAsWasmBindgen(args) {
  const real = process.env.FLOWGATE_REAL_WASM_BINDGEN;
  const outDir = args.find((a) => a.startsWith("--out-dir="))?.slice("--out-dir=".length);
  const inputs = args.filter((a) => !a.startsWith("-") && a.endsWith(".wasm"));
  if (!real || !outDir || inputs.length !== 1) {
    fail(`expected Trunk's wasm-bindgen call (--out-dir=… and one .wasm), got: ${args.join(" ")}`);
  }
  const work = join(outDir, SPLIT_DIR);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  execFileSync("wasm-split-cli", [inputs[0], work], { stdio: "inherit" });
  const main = join(work, "main.wasm");
  // --keep-lld-exports: the chunks import the main part's function table, stack pointer and
  // the like, which wasm-bindgen drops otherwise.
  execFileSync(real, ["--keep-lld-exports", ...args.map((a) => (a === inputs[0] ? main : a))], { stdio: "inherit" });
  rmSync(main);

  const release = /[/\\]release$/.test(outDir.replace(/[/\\]+$/, ""));
  const optFlags = release ? wasmOptFlags() : null;
  let loader = readFileSync(join(work, LOADER), "utf8");
  const chunks = readdirSync(work).filter((f) => f.endsWith(".wasm"));
  if (chunks.length === 0) fail("wasm-split-cli wrote no chunk: is a #[wasm_split] function still reached?");
  for (const chunk of chunks) {
    const path = join(work, chunk);
    if (optFlags) execFileSync("wasm-opt", [...optFlags, path, "-o", path], { stdio: "inherit" });
    const stem = chunk.slice(0, -".wasm".length);
    const named = contentName(stem, readFileSync(path), "wasm");
    const reference = `"./${chunk}"`;
    if (!loader.includes(reference)) fail(`the loader does not fetch ${chunk}`);
    loader = loader.replaceAll(reference, `"./${named}"`);
    renameSync(path, join(work, named));
  }
  writeFileSync(join(work, LOADER), loader);
}

/// Puts the chunks and their loader into Trunk's staging directory; returns index.html with
/// the loader preloaded (`html` is the staged index.html), and the files a run page needs at
/// once (its chunk and those it shares).
export function placeChunks(stage, html, publicUrl) {
  const targetDir = process.env.CARGO_TARGET_DIR ?? "target";
  const work = join(targetDir, "wasm-bindgen", process.env.TRUNK_PROFILE ?? "debug", SPLIT_DIR);
  const main = html.match(/<link rel="modulepreload" href="[^"]*\/(flowgate-ui-[0-9a-f]+\.js)"/)?.[1];
  if (!main) fail("index.html preloads no flowgate-ui-<hash>.js");
  if (!readFileSync(join(stage, main), "utf8").includes(`"./${LOADER}"`)) {
    fail(`${main} does not import ./${LOADER}: was the wasm split (scripts/tools first on PATH)?`);
  }
  if (!existsSync(join(work, LOADER))) fail(`no split output in ${work}`);
  for (const file of readdirSync(work).filter((f) => f.endsWith(".wasm"))) {
    copyFileSync(join(work, file), join(stage, file));
  }
  const loader = readFileSync(join(work, LOADER), "utf8");
  let pointed = loader.replace(/from "\.\/main\.js";/, `from "./${main}";`);
  if (pointed === loader) fail(`${LOADER} does not import initSync from ./main.js`);
  // A run page opened by its link (a notification, a shared link) needs the run page's chunk,
  // and the chunks of code it shares with other chunks, at once: the page's first script
  // (web/loader/first-reads.js) preloads them, before even this module is evaluated, and the
  // loader's own fetches then find them.
  const runChunk = pointed.match(/"\.\/(split_run_page-[0-9a-f]{16}\.wasm)"/)?.[1];
  if (!runChunk) fail(`${LOADER} fetches no split_run_page chunk`);
  // The chunks of code a split point shares with others, as the loader lists them.
  const sharedOf = (split) => {
    const deps = pointed.match(new RegExp(`__wasm_split_load_${split} = [^]*?, \\[([^\\]]*)\\]\\)\\);`))?.[1] ?? "";
    return deps.split(",").map((d) => d.trim()).filter(Boolean).map((name) => {
      const file = pointed.match(new RegExp(`const ${name} = makeLoad\\(\\(\\) => \\{\\s*const src = fetch\\(new URL\\("\\./([^"]+\\.wasm)"`))?.[1];
      if (!file) fail(`${LOADER}: ${split} needs ${name}, whose file it does not name`);
      return file;
    });
  };
  // The Markdown parser's chunk, which a run page needs when the pause has a description: the
  // first script preloads it then. The chunks it shares go into the run page's pack (beside
  // the run page's own, a few hundred bytes of code it shares with other pages).
  const markdownChunk = pointed.match(/"\.\/(split_markdown-[0-9a-f]{16}\.wasm)"/)?.[1];
  if (!markdownChunk) fail(`${LOADER} fetches no split_markdown chunk`);
  const shared = [...new Set([...sharedOf("run_page"), ...sharedOf("markdown")])];
  const pack = packRunPage(stage, [runChunk, ...shared]);
  pointed = pack.loader(pointed);
  const runPageFiles = [pack.name];
  const descriptionFiles = [markdownChunk];
  writeFileSync(join(stage, LOADER), pointed);
  // build-console.sh counts these files in a run page opened by its link.
  writeFileSync(join(work, RUN_PAGE_FILES), `${JSON.stringify({ run_page: runPageFiles, description: descriptionFiles })}\n`);
  const integrity = `sha384-${createHash("sha384").update(pointed).digest("base64")}`;
  return {
    html: html.replace(
      "</head>",
      `<link rel="modulepreload" href="${publicUrl}${LOADER}" crossorigin="anonymous" integrity="${integrity}"></head>`,
    ),
    runPageFiles,
    descriptionFiles,
  };
}

/// The run page's chunk and those it shares, in one file (`run_page-<hash>.pack`, the files one
/// after the other): a run page opened by its link fetches that one file instead of a dozen
/// (wasm-split-cli cuts the code several pages share into a chunk per set of pages, most of
/// them under 2 KB), which over HTTP/1.1's six connections a server queued behind each other.
/// Measured against the separate files (two builds served side by side, alternating cold loads
/// of one run page): the run drawn 541 -> 469 ms with 40 ms added to each request, ~15-40 ms
/// sooner on loopback.
///
/// The loader takes a packed chunk from the pack once the run page's code is asked for (then
/// the pack is fetched, or found preloaded by the page's first script), and fetches it alone
/// before that: a page that needs one of those shared chunks and not the run page (a bulk, the
/// rules page, all runs) does not fetch the run page's code for it. A pack that cannot be
/// fetched is asked for again on the next try, as a chunk is.
function packRunPage(stage, files) {
  const parts = files.map((file) => readFileSync(join(stage, file)));
  const bytes = Buffer.concat(parts);
  const name = contentName("run_page", bytes, "pack");
  writeFileSync(join(stage, name), bytes);
  // The run page's own chunk is only ever taken from the pack; the shared ones stay for the
  // pages that fetch them alone.
  rmSync(join(stage, files[0]));
  let start = 0;
  const ranges = files.map((file, i) => {
    const range = [file, start, start + parts[i].length];
    start += parts[i].length;
    return range;
  });
  const helpers = `let runPagePack = undefined;
function fetchRunPagePack() {
    if (runPagePack === undefined) {
        const pack = fetch(new URL("./${name}", import.meta.url)).then((response) => {
            if (!response.ok) throw new Error(\`\${response.url}: \${response.status} \${response.statusText}\`);
            return response.arrayBuffer();
        });
        pack.catch(() => { if (runPagePack === pack) runPagePack = undefined; });
        runPagePack = pack;
    }
    return runPagePack;
}
function packedOrFetched(file, start, end) {
    return runPagePack === undefined
        ? fetch(new URL(file, import.meta.url))
        : runPagePack.then((pack) => pack.slice(start, end));
}
async function instantiateFrom(src, imports) {
    const source = await src;
    return source instanceof ArrayBuffer
        ? WebAssembly.instantiate(source, imports)
        : WebAssembly.instantiateStreaming(source, imports);
}
function withRunPagePack(load) {
    return () => {
        fetchRunPagePack();
        return load();
    };
}
`;
  return {
    name,
    loader(text) {
      let out = text.replace("function makeLoad(", `${helpers}function makeLoad(`);
      if (out === text) fail(`${LOADER} has no makeLoad to put the pack's helpers before`);
      for (const [file, from, to] of ranges) {
        const fetcher = new RegExp(`const src = fetch\\(new URL\\("\\./${file.replace(/[.]/g, "\\.")}", import\\.meta\\.url\\)\\);(\\s*src\\.catch\\(\\(\\) => \\{\\}\\);\\s*)return async \\(imports\\) => \\(WebAssembly\\.instantiateStreaming\\(src, imports\\)\\);`);
        const before = out;
        out = out.replace(fetcher, (_, between) =>
          `const src = packedOrFetched("./${file}", ${from}, ${to});${between}return async (imports) => (instantiateFrom(src, imports));`);
        if (out === before) fail(`${LOADER}: no fetch of ${file} as wasm-split-cli writes it`);
      }
      const entry = "export const __wasm_split_load_run_page = wrapAsyncCb(makeLoad(";
      const at = out.indexOf(entry);
      const end = at < 0 ? -1 : out.indexOf("]));", at);
      if (end < 0) fail(`${LOADER} has no __wasm_split_load_run_page as wasm-split-cli writes it`);
      out = `${out.slice(0, at)}export const __wasm_split_load_run_page = wrapAsyncCb(withRunPagePack(makeLoad(${out.slice(at + entry.length, end)}])));${out.slice(end + 4)}`;
      return out;
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) runAsWasmBindgen(process.argv.slice(2));
