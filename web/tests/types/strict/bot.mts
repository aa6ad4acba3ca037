// An approval bot in strict TypeScript, as a Node developer writes it against the package
// (`tsc -p web/tests/types/strict`): strict, noUncheckedIndexedAccess,
// exactOptionalPropertyTypes, lib ES2022 only (no DOM), skipLibCheck off. Each optional
// parameter is called both ways, and optional properties take `undefined`.
import {
  PrefectClient,
  checkResume,
  isFlowgateError,
  planRules,
  type AbortSignalLike,
  type BulkOutcome,
  type FlowRun,
  type FlowgateError,
  type ResumeVerdict,
} from "flowgate";

// Without the DOM lib there is no AbortSignal type: the package's own shape of one.
const never: AbortSignalLike = { aborted: false, addEventListener() {}, removeEventListener() {} };

export async function approveAll(apiUrl: string, key: string | undefined): Promise<string[]> {
  const bare = new PrefectClient();
  void bare;
  const client = new PrefectClient({ apiUrl, auth: key === undefined ? undefined : { bearer: key }, timeoutMs: undefined });
  const runs: FlowRun[] = await client.listFlowRuns({ flow_runs: { state: { type: { any_: ["PAUSED"] } } }, limit: 10, offset: undefined });
  const first = runs[0];
  if (first === undefined) return [];
  const asks = await client.readRunInputSchema(first, { signal: undefined });
  const again: FlowRun = await client.readFlowRun(first.id, { signal: never });
  void again;
  // The README's own call: a schema that may be absent.
  const verdict: ResumeVerdict = checkResume(first, { schema: asks?.schema, runInput: undefined, now: undefined });
  const plain: ResumeVerdict = checkResume(first);
  void plain;
  if (verdict.status === "REJECT") {
    const reason: string = verdict.reason;
    return [reason];
  }
  await client.resume(first.id);
  await client.resume(first.id, { approver: "ana" });
  await client.resume(first.id, undefined, { decider: undefined, record: true, signal: undefined });
  const outcomes: BulkOutcome[] = await client.resumeMany(runs.map((r) => r.id));
  await client.resumeMany([], { concurrency: undefined, onProgress: undefined });
  planRules([], first);
  planRules([], first, { schema: undefined, now: undefined });
  const watch = client.watchFlowRuns({ onChange: () => {}, onStatus: undefined, onError: (e: unknown) => void e, filter: { states: ["PAUSED"], flowRunIds: undefined } });
  watch.close();
  try {
    await client.health();
    await client.health({ signal: never });
  } catch (e) {
    if (isFlowgateError(e)) {
      const known: FlowgateError = e;
      if (known.kind === "noSuchEndpoint") return [known.details.url];
      return [known.kind, known.details.kind];
    }
  }
  return outcomes.map((o) => (o.error === null ? `${o.flowRunId}: ${o.accepted}` : `${o.flowRunId}: ${o.error.kind}`));
}
