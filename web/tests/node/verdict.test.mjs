// The package's pure API, imported exactly as users import it: every recorded answer of the
// real Prefect server replayed through checkResume, Prefect's own validator (the oracle
// corpus) against validateRunInput, and parse errors that name the JSON path.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { checkReject, checkResume, validateRunInput, parseFlowRun, parseOrchestrationResult } from "flowgate";

const recorded = JSON.parse(
  readFileSync(new URL("../../../crates/core/tests/fixtures/resume_cases.json", import.meta.url), "utf8"),
);

test("checkResume predicts every recorded server answer, branch by branch", () => {
  const branches = new Set();
  for (const c of recorded) {
    const verdict = checkResume(c.flow_run, { schema: c.schema, runInput: c.request.run_input, now: c.now });
    const { status, body } = c.response;
    if (verdict.decidedBy === "server") {
      assert.match(c.name, /server_decides$/, `${c.name} undecided: ${verdict.reason}`);
      continue;
    }
    assert.equal(verdict.httpStatus, status, c.name);
    if (status === 200 || status === 201) {
      assert.equal(verdict.status, body.status, c.name);
      assert.equal(verdict.detailsType, body.details.type, c.name);
      assert.equal(verdict.reason, body.details.reason ?? null, c.name);
      assert.equal(verdict.state?.type ?? null, body.state?.type ?? null, c.name);
      assert.equal(verdict.state?.name ?? null, body.state?.name ?? null, c.name);
      assert.equal(verdict.state?.message ?? null, body.state?.message ?? null, c.name);
      branches.add(`${body.status}/${body.details.type}/${status}`);
    } else {
      branches.add(`HTTP ${status}`);
    }
  }
  for (const branch of ["ACCEPT/accept_details/201", "REJECT/abort_details/200", "REJECT/reject_details/200",
    "REJECT/reject_details/201", "ABORT/abort_details/200", "HTTP 422", "HTTP 500"]) {
    assert.ok(branches.has(branch), `the corpus covers ${branch}`);
  }
});

test("serverVersion: each release's recorded answers by its rules; outside 3.4 to 3.9 the server decides", () => {
  const fixtures = new URL("../../../crates/core/tests/fixtures/releases/3.4.25/", import.meta.url);
  const old = JSON.parse(readFileSync(new URL("resume_cases.json", fixtures), "utf8"));
  let compared = 0;
  for (const c of old) {
    const verdict = checkResume(c.flow_run, { schema: c.schema, runInput: c.request.run_input, now: c.now, serverVersion: "3.4.25" });
    if (verdict.decidedBy === "server") continue;
    assert.equal(verdict.httpStatus, c.response.status, c.name);
    if (c.response.status < 300) assert.equal(verdict.reason, c.response.body.details.reason ?? null, c.name);
    compared++;
  }
  assert.ok(compared >= 40, `${compared} of 3.4.25's answers compared`);
  const plain = recorded.find((c) => c.name === "plain_accept") ?? recorded.find((c) => c.response.body?.status === "ACCEPT");
  const options = { now: plain.now };
  assert.equal(checkResume(plain.flow_run, options).decidedBy, "client");
  for (const [version, why] of [["3.10.0", /^This server runs Prefect 3\.10\.0, newer than the releases Flowgate's verdicts are exact for \(3\.4 to 3\.9\)\.$/],
    ["3.3.9", /^This server runs Prefect 3\.3\.9, older than/], ["2.20.1", /^This server's Prefect release could not be read/]]) {
    const verdict = checkResume(plain.flow_run, { ...options, serverVersion: version });
    assert.equal(verdict.decidedBy, "server", version);
    assert.equal(verdict.status, null, version);
    assert.match(verdict.reason, why, version);
    const reject = checkReject(plain.flow_run, { ...options, reason: "r", serverVersion: version });
    assert.equal(reject.rejectable, true);
    assert.equal(reject.verdict.decidedBy, "server", version);
    assert.match(reject.verdict.reason, why, version);
  }
  assert.throws(() => checkResume(plain.flow_run, { serverVersion: "latest" }), (e) => e.kind === "invalidArgument" && /not a Prefect release/.test(e.message));
});

test("JSON text keeps floats apart from integers, as the server sees them", () => {
  const c = recorded.find((x) => x.name === "input_wrong_type");
  const text = '{"approver": "x", "count": 1.0, "tags": 2.0, "address": {"city": "c"}}';
  assert.equal(validateRunInput(c.schema, text).reason, "Reason: Validation failed for field 'tags'. Failure reason: 2.0 is not of type 'array'");
  assert.equal(checkResume(c.flow_run, { schema: c.schema, runInputJson: text, now: c.now }).reason,
    "Reason: Validation failed for field 'tags'. Failure reason: 2.0 is not of type 'array'");
  assert.equal(validateRunInput(c.schema, JSON.parse(text)).reason, "Reason: Validation failed for field 'tags'. Failure reason: 2 is not of type 'array'");
});

test("a rejected verdict lists every field error for forms", () => {
  const c = recorded.find((x) => x.name === "input_wrong_type");
  const verdict = checkResume(c.flow_run, { schema: JSON.parse(c.schema), runInput: { approver: 5, count: "z", address: {} } });
  assert.equal(verdict.status, "REJECT");
  assert.equal(verdict.reason, "Reason: Validation failed for field 'count'. Failure reason: 'z' is not of type 'integer'");
  assert.deepEqual(verdict.errors.map((e) => e.path).sort(), ["address", "approver", "count"]);
  // Structured: the place as steps, the schema path of the keyword, the keyword itself.
  const count = verdict.errors.find((e) => e.path === "count");
  assert.deepEqual(count.instancePath, ["count"]);
  assert.equal(count.keyword, "type");
  assert.deepEqual(count.schemaPath.slice(0, 2), ["properties", "count"]);
  assert.equal(count.schemaPath.at(-1), "type");
  assert.ok(verdict.errors.every((e) => Array.isArray(e.instancePath) && e.schemaPath.length > 0));
  // validateRunInput names the error its reason is about.
  const judged = validateRunInput(JSON.parse(c.schema), { approver: 5, count: "z", address: {} });
  assert.deepEqual(judged.cause, count);
});

test("patterns read as Python's re reads them, through the host RegExp", () => {
  const schema = (pattern) => ({ type: "object", properties: { v: { type: "string", pattern } } });
  const check = (pattern, v) => validateRunInput(schema(pattern), { v });
  // `$` also matches before a final newline; `\d` is any Unicode digit; `(?P<n>)`, `{,2}`.
  assert.equal(check("^ab$", "ab\n").valid, true);
  assert.equal(check("^ab\\Z", "ab\n").valid, false);
  assert.equal(check("^\\d+$", "٣٤").valid, true);
  assert.equal(check("^(?P<x>a)(?P=x){,2}$", "aaa").valid, true);
  const rejected = check("^[a-z]+$", "A1");
  assert.equal(rejected.reason, "Reason: Validation failed for field 'v'. Failure reason: 'A1' does not match '^[a-z]+$'");
  // What no engine here can run is left to the server, never guessed.
  const unknown = check("(?x) a # comment", "a");
  assert.equal(unknown.valid, null);
  assert.equal(unknown.decidedBy, "server");
  assert.match(unknown.reason, /the pattern '\(\?x\) a # comment' cannot be compiled here/);
});

test("validateRunInput gives Prefect's own verdict on the oracle corpus", { skip: false }, () => {
  const path = process.env.FLOWGATE_ORACLE_CORPUS;
  assert.ok(path, "FLOWGATE_ORACLE_CORPUS must name a corpus from scripts/oracle/prefect_oracle.py");
  const corpus = JSON.parse(readFileSync(path, "utf8"));
  let same = 0;
  const differences = [];
  for (const c of corpus.cases) {
    // JSON text, as the server receives it: a JS object cannot keep 1.0 apart from 1.
    const result = validateRunInput(corpus.schemas[c.schema], c.input_json);
    const want = c.expected;
    const ok =
      want.status === "ACCEPT" ? result.valid === true
      : want.status === "REJECT" ? result.valid === false && result.reason === want.reason
      : result.valid === false && result.reason.startsWith("The server fails");
    if (ok) same++;
    else differences.push(`${c.name}: prefect ${JSON.stringify(want)} flowgate ${JSON.stringify(result)}`);
  }
  console.log(`validateRunInput vs prefect: ${same}/${corpus.cases.length} identical`);
  assert.ok(corpus.cases.length >= 2000);
  assert.deepEqual(differences.slice(0, 10), []);
});

test("input nested too deep, or containing itself, is refused and the module keeps working", () => {
  const schema = { type: "object", properties: { a: { type: "integer" } } };
  const deep = {};
  let node = deep;
  for (let i = 0; i < 100000; i++) node = node.next = {};
  const looped = { a: 1 };
  looped.self = looped;
  for (const input of [deep, looped]) {
    assert.throws(() => validateRunInput(schema, input), (err) =>
      err.name === "FlowgateError" && err.kind === "invalidArgument" &&
      err.message === "runInput is nested more than 128 levels deep, or contains itself");
  }
  let shallow = { a: 1 };
  for (let i = 0; i < 100; i++) shallow = { a: 1, next: shallow };
  assert.equal(validateRunInput(schema, shallow).valid, true);
  assert.equal(validateRunInput(schema, { a: "x" }).reason,
    // Prefect makes an optional property without a default nullable, hence anyOf's words.
    "Reason: Validation failed for field 'a'. Failure reason: 'x' is not valid under any of the given schemas");
});

test("malformed documents are refused with the JSON path", () => {
  const run = structuredClone(recorded[0].flow_run);
  assert.deepEqual(parseFlowRun(JSON.stringify(run)), run, "lossless through JSON text");
  run.state.timestamp = "yesterday";
  assert.throws(() => parseFlowRun(run), (err) => {
    assert.equal(err.name, "FlowgateError");
    assert.equal(err.kind, "parse");
    assert.equal(err.details.path, "state.timestamp");
    assert.match(err.message, /`state\.timestamp`/);
    return true;
  });
  const text = JSON.stringify(recorded[0].flow_run);
  assert.throws(() => parseFlowRun(text.slice(0, text.length - 30)), (err) => err.kind === "parse" && /EOF/.test(err.message));
  assert.throws(() => parseOrchestrationResult({ status: "ACCEPT" }), (err) => err.kind === "parse");
  const accepted = recorded.find((x) => x.name === "plain_accept").response.body;
  assert.deepEqual(parseOrchestrationResult(accepted), accepted);
  assert.throws(() => validateRunInput({}, "not an object"), (err) => err.kind === "invalidArgument");
  assert.throws(() => checkResume(recorded[0].flow_run, { now: "soon" }), (err) => err.kind === "invalidArgument");
});
