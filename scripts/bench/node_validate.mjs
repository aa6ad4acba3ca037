// Times Flowgate's validateRunInput (the wasm build, in Node) on the benchmark cases.
// Usage: node node_validate.mjs <package dir> <approval.json>
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

const require = createRequire(import.meta.url);
const { validateRunInput } = require(resolve(process.argv[2], "flowgate_wasm.js"));
const data = JSON.parse(readFileSync(process.argv[3], "utf8"));

// Two schemas differing only in title, used in turn: every check compiles anew ("cold").
const other = data.schema.replace('"title":"Approval"', '"title":"Approval2"');
if (other === data.schema) throw new Error("the bench schema has no title to vary");

function time(fn) {
  for (let i = 0; i < 200; i++) fn(i);
  let iterations = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  while (elapsed < 2_000_000_000n) {
    fn(iterations);
    iterations++;
    elapsed = process.hrtime.bigint() - start;
  }
  return Number(elapsed) / 1000 / iterations;
}

const result = {};
for (const name of ["valid", "invalid"]) {
  const schemas = [data.schema, other];
  result[`cold_${name}`] = time((i) => validateRunInput(schemas[i % 2], data[name]));
}
for (const name of ["valid", "invalid"]) {
  const input = data[name];
  const check = validateRunInput(data.schema, input);
  if (check.valid !== (name === "valid")) throw new Error(`unexpected verdict for ${name}: ${JSON.stringify(check)}`);
  for (let i = 0; i < 200; i++) validateRunInput(data.schema, input);
  let iterations = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  while (elapsed < 2_000_000_000n) {
    validateRunInput(data.schema, input);
    iterations++;
    elapsed = process.hrtime.bigint() - start;
  }
  result[name] = Number(elapsed) / 1000 / iterations;
}
console.log(JSON.stringify(result));
