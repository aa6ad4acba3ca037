// Lists what waits in a Prefect server and resumes one run, knowing the answer first.
//
//   node resume-paused.mjs <api-url>                      list paused runs and what they ask for
//   node resume-paused.mjs <api-url> <run-id> ['<json>']  check, then resume with that input
//
// Auth: PREFECT_API_KEY (Prefect Cloud) or PREFECT_API_AUTH_STRING (user:pass, self-hosted).
import { PrefectClient, checkResume } from "flowgate";

const [apiUrl, runId, inputJson] = process.argv.slice(2);
if (!apiUrl) {
  console.error("usage: node resume-paused.mjs <api-url> [<run-id> ['<input json>']]");
  process.exit(2);
}
const auth = process.env.PREFECT_API_KEY
  ? { bearer: process.env.PREFECT_API_KEY }
  : process.env.PREFECT_API_AUTH_STRING
    ? { basic: process.env.PREFECT_API_AUTH_STRING }
    : undefined;
const client = new PrefectClient({ apiUrl, auth });

try {
  if (!runId) {
    const paused = await client.listFlowRuns({
      flow_runs: { state: { type: { any_: ["PAUSED"] } } },
      sort: "START_TIME_DESC",
      limit: 50,
    });
    for (const run of paused) {
      const asks = await client.readRunInputSchema(run);
      const until = run.state.state_details.pause_timeout ?? "no timeout";
      console.log(`${run.id}  ${run.name}  (${run.state.name}, until ${until})${asks ? "  asks for input" : ""}`);
    }
    console.log(`${paused.length} paused run(s)`);
  } else {
    const run = await client.readFlowRun(runId);
    const asks = await client.readRunInputSchema(run);
    const verdict = checkResume(run, { schema: asks?.schema ?? null, runInputJson: inputJson });
    console.log(`predicted: ${verdict.status ?? `HTTP ${verdict.httpStatus}`} ${verdict.reason ?? ""}`);
    for (const error of verdict.errors) console.log(`  ${error.path || "(input)"}: ${error.message}`);
    if (verdict.decidedBy === "client" && verdict.status !== "ACCEPT") process.exit(1);
    const { result } = await client.resume(run.id, inputJson ? JSON.parse(inputJson) : undefined);
    console.log(`server:    ${result.status} ${result.details.reason ?? ""} -> ${result.state?.type ?? "no state"}`);
  }
} catch (error) {
  console.error(`${error.kind ?? "error"}: ${error.message}`);
  process.exit(1);
}
