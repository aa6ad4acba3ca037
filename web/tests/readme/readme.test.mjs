// Every code block of README.md, docs/*.md, web/README.md and web/package/README.md, as a test. The JavaScript blocks
// run as written against the real Prefect server FLOWGATE_NODE_HARNESS names — the one change
// is the example's API URL (`http://127.0.0.1:4200/api`), which becomes that server's. The
// shell blocks name commands: each script must exist (a shell script, executable), and each harness
// subcommand must take every flag shown. The Rust blocks (docs/rust.md) are doctests of
// flowgate-client. Every relative link of those files must name a file that exists.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const READMES = [
  "README.md", "web/README.md", "web/package/README.md",
  ...readdirSync(root + "docs").filter((name) => name.endsWith(".md")).sort().map((name) => `docs/${name}`),
];
const EXAMPLE_API = "http://127.0.0.1:4200/api";

/** The fenced code blocks of a Markdown file: `{ lang, code, line }`. */
function blocks(path) {
  const lines = readFileSync(root + path, "utf8").split("\n");
  const found = [];
  let open = null;
  lines.forEach((text, i) => {
    const fence = text.match(/^```(\S*)/);
    if (!fence) return open?.body.push(text);
    if (open) {
      found.push({ lang: open.lang, code: open.body.join("\n"), line: open.line });
      open = null;
    } else {
      open = { lang: fence[1].split(",")[0], body: [], line: i + 1 };
    }
  });
  assert.equal(open, null, `${path}: a code block is not closed`);
  return found;
}

test("every code block is JavaScript, shell or Rust, so each kind is tested below", () => {
  for (const path of READMES) {
    for (const block of blocks(path)) {
      assert.ok(["js", "sh", "rust"].includes(block.lang), `${path}:${block.line} is \`${block.lang}\``);
    }
  }
});

for (const path of READMES) {
  for (const block of blocks(path).filter((b) => b.lang === "js")) {
    test(`${path}:${block.line}: the JavaScript runs against a real Prefect server`, async () => {
      const harnessPath = process.env.FLOWGATE_NODE_HARNESS;
      assert.ok(harnessPath, "FLOWGATE_NODE_HARNESS must name a running harness's harness.json");
      const { api_url: apiUrl } = JSON.parse(readFileSync(harnessPath, "utf8"));
      assert.ok(block.code.includes(EXAMPLE_API), "the example talks to a server");
      // Written beside the package's node_modules so that `from "flowgate"` resolves as in a
      // user's project; exported bindings let the test see what the example computed.
      const dir = `${root}web/node_modules/.cache/flowgate-readme`;
      mkdirSync(dir, { recursive: true });
      const file = `${dir}/${path.replaceAll("/", "_")}-${block.line}.mjs`;
      const names = [...block.code.matchAll(/^(?:const|let) \[?\s*(\w+)/gm)].map((m) => m[1]);
      writeFileSync(file, `${block.code.replaceAll(EXAMPLE_API, apiUrl)}\nexport { ${names.join(", ")} };\n`);
      const ran = await import(`${pathToFileURL(file)}?${Date.now()}`);
      // What every example computes: a paused run from the server, and a verdict on it or what
      // rules will do for it.
      assert.equal(ran.run.state.type, "PAUSED");
      if (ran.steps) {
        assert.ok(ran.steps.length > 0 && ran.steps.every((s) => s.status?.kind), JSON.stringify(ran.steps));
        return;
      }
      assert.ok(["ACCEPT", "REJECT", "ABORT", undefined].includes(ran.verdict.status), JSON.stringify(ran.verdict));
      assert.ok(ran.verdict.decidedBy, "the verdict says who decided it");
    });
  }
}

test("every relative link and picture of the docs names a file that exists", () => {
  let checked = 0;
  for (const path of [...READMES, ...readdirSync(root + "crates").map((c) => `crates/${c}/README.md`)]) {
    if (!existsSync(root + path)) continue;
    const text = readFileSync(root + path, "utf8");
    for (const link of text.matchAll(/\]\(([^)\s]+)\)|src="([^"]+)"/g)) {
      const target = (link[1] ?? link[2]).split("#")[0];
      if (!target || /^[a-z]+:/.test(target)) continue;
      assert.ok(existsSync(join(root, dirname(path), target)), `${path}: the link ${target} names no file`);
      checked++;
    }
  }
  assert.ok(checked > 30, `only ${checked} links checked`);
});

test("the shell blocks name scripts that exist and harness flags that exist", () => {
  const harnessHelp = new Map();
  const help = (sub) => {
    if (!harnessHelp.has(sub)) {
      harnessHelp.set(sub, execFileSync(`${root}.venv/bin/python`, [`${root}scripts/harness/prefect_harness.py`, sub, "--help"], { encoding: "utf8" }));
    }
    return harnessHelp.get(sub);
  };
  let checked = 0;
  for (const path of READMES) {
    for (const block of blocks(path).filter((b) => b.lang === "sh")) {
      for (const script of block.code.matchAll(/(?:^|[\s(&])(scripts\/[\w./-]+\.(?:sh|py))/g)) {
        accessSync(root + script[1], script[1].endsWith(".sh") ? constants.X_OK : constants.R_OK);
        checked++;
      }
      for (const line of block.code.replace(/\\\n\s*/g, " ").split("\n")) {
        const call = line.match(/prefect_harness\.py (\S+)(.*)/);
        if (!call) continue;
        const text = help(call[1]);
        for (const flag of call[2].matchAll(/--[\w-]+/g)) {
          assert.ok(text.includes(flag[0]), `${path}:${block.line}: \`${call[1]}\` takes no ${flag[0]}`);
          checked++;
        }
      }
    }
  }
  assert.ok(checked > 10, `only ${checked} commands checked`);
});

test("the package size README.md states is the build's, as build-package.sh measures it", () => {
  // Debian's gzip -9, as the build uses: Node's zlib compresses the same file differently.
  const dist = root + "web/package/dist/web/";
  const gz = (file) => execFileSync("gzip", ["-9", "-c", dist + file], { maxBuffer: 1 << 26 }).length;
  const kb = Math.floor((gz("flowgate_bg.wasm") + gz("flowgate.js")) / 1024);
  const stated = readFileSync(root + "README.md", "utf8").match(/gzipped size — (\d+) KB for the wasm and its JS glue/);
  assert.ok(stated, "README.md states the package's gzipped size");
  assert.equal(Number(stated[1]), kb, `README.md says ${stated[1]} KB; the build is ${kb} KB`);
});
