// Finishes the npm package's TypeScript declarations as wasm-bindgen writes them, for a
// consumer that compiles with `strict`, `exactOptionalPropertyTypes` and `lib: ["ES2022"]`:
// - a parameter that may be left out is declared `name: T | undefined`, which TypeScript
//   still requires: the trailing ones become optional (`name?: T | undefined`), so
//   `new PrefectClient()` and `checkResume(run)` type-check as they run;
// - the classes' `[Symbol.dispose]()` needs the disposable lib, which ES2022 does not have:
//   the file references it (TypeScript 5.2 and later).
// Usage: node scripts/package-declarations.mjs <file.d.ts>…
import { readFileSync, writeFileSync } from "node:fs";

/** Splits a parameter list at its top-level commas. */
function splitParams(text) {
  const params = [];
  let depth = 0;
  let current = "";
  for (const [i, c] of [...text].entries()) {
    if ("(<{[".includes(c)) depth++;
    else if (")}]".includes(c) || (c === ">" && text[i - 1] !== "=")) depth--;
    if (c === "," && depth === 0) {
      params.push(current);
      current = "";
    } else current += c;
  }
  if (current.trim()) params.push(current);
  return params;
}

/** The declaration line with its trailing `T | undefined` parameters made optional. */
function optionalTail(line) {
  const match = line.match(/^(\s*(?:export function |export declare function |constructor|[\w$]+)\s*\w*\()(.*)(\)(?:: .*)?;\s*)$/);
  if (!match) return line;
  const [, head, list, tail] = match;
  const params = splitParams(list);
  for (let i = params.length - 1; i >= 0; i--) {
    const param = params[i].match(/^(\s*)(\w+)\??: (.*)$/s);
    if (!param || !/\|\s*undefined\s*$/.test(param[3])) break;
    params[i] = `${param[1]}${param[2]}?: ${param[3]}`;
  }
  return head + params.join(",") + tail;
}

for (const file of process.argv.slice(2)) {
  let text = readFileSync(file, "utf8").split("\n").map(optionalTail).join("\n");
  if (text.includes("[Symbol.dispose]") && !text.includes('reference lib="esnext.disposable"')) {
    text = `/// <reference lib="esnext.disposable" />\n${text}`;
  }
  writeFileSync(file, text);
}
