// A typed use of the package; `tsc --noEmit` proves the declarations describe it.
import init, {
  PrefectClient,
  checkPolicy,
  defaultMessage,
  planRules,
  type ListedRule,
  type PlannedStep,
  type Rule,
  type RuleActivity,
  type GateApproval,
  type GateCapabilities,
  type PolicyCase,
  type PolicyVerdict,
  checkResume,
  checkReject,
  type RejectCheck,
  type Rejected,
  type Decision,
  validateRunInput,
  parseFlowRun,
  type FlowRun,
  type FlowgateError,
  type ResumeVerdict,
  type SetStateStatus,
  type StateType,
  type FlowRunChange,
  type WatchStatus,
} from "flowgate";

export async function approveFirst(apiUrl: string, apiKey: string): Promise<SetStateStatus | null> {
  await init();
  const client = new PrefectClient({ apiUrl, auth: { bearer: apiKey }, timeoutMs: 10_000 });
  const runs: FlowRun[] = await client.listFlowRuns({
    flow_runs: { state: { type: { any_: ["PAUSED"] } } },
    sort: "START_TIME_DESC",
    limit: 50,
  });
  const run = runs[0];
  if (!run) return null;
  const asks = await client.readRunInputSchema(run);
  const input = { approver: "ana" };
  const verdict: ResumeVerdict = checkResume(run, { schema: asks?.schema ?? null, runInput: input });
  if (verdict.decidedBy === "client" && verdict.status !== "ACCEPT") {
    const fields: string[] = verdict.errors.map((e) => `${e.path}: ${e.message}`);
    throw new Error(`${verdict.reason} (${fields.join("; ")})`);
  }
  try {
    const { result, stateWritten } = await client.resume(run.id, input);
    const newType: StateType | undefined = result.state?.type;
    void newType;
    void stateWritten;
    return result.status;
  } catch (e) {
    const err = e as FlowgateError;
    if (err.kind === "unauthorized") throw new Error(`check ${err.details.credential ?? "the credentials"}`);
    if (err.kind === "timeout") throw new Error(`no answer in ${err.details.afterMs} ms`);
    if (err.kind === "resumeInterrupted" && err.details.resumed === null) throw new Error("unknown: read the run");
    // @ts-expect-error: a timeout has no credential
    if (err.kind === "timeout") void err.details.credential;
    throw err;
  }
}

/** The verdict narrows on its status. */
export function describe(verdict: ResumeVerdict): string {
  if (verdict.status !== null) {
    const code: 200 | 201 = verdict.httpStatus;
    return `${verdict.status} (${code}) ${verdict.reason ?? ""}`;
  }
  if (verdict.decidedBy === "server") return `only the server can tell: ${verdict.reason}`;
  const refused: 422 | 500 = verdict.httpStatus;
  return `HTTP ${refused}: ${verdict.reason.toUpperCase()}`;
}

export function typedPieces(json: string): boolean | null {
  const run: FlowRun = parseFlowRun(json);
  const state: StateType | null = run.state_type;
  void state;
  const check = validateRunInput({ type: "object" }, "{}");
  const valid: boolean | null = check.valid;
  const by: "client" | "server" = check.decidedBy;
  void by;
  // @ts-expect-error: statuses are a closed union
  const wrong: SetStateStatus = "MAYBE";
  void wrong;
  return valid;
}

/** Follows paused runs until `stop` resolves; returns the ids seen pausing. */
export async function followPauses(client: PrefectClient, stop: Promise<void>): Promise<string[]> {
  const paused: string[] = [];
  const watch = client.watchFlowRuns({
    filter: { states: ["PAUSED"] },
    onChange: (change: FlowRunChange) => {
      if (change.stateType === "PAUSED") paused.push(change.flowRunId);
    },
    onStatus: (status: WatchStatus) => {
      if (status.state === "reconnecting" || status.state === "refused") console.warn(status.reason);
    },
  });
  await stop;
  watch.close();
  return paused;
}

/** Rejects a paused run if Flowgate can, saying what happens to its process. */
export async function rejectIfPaused(client: PrefectClient, run: FlowRun, reason: string): Promise<string> {
  const check: RejectCheck = checkReject(run, { reason, decider: "ana" });
  if (!check.rejectable) return check.reason;
  const proposed: "CANCELLING" | "CANCELLED" = check.proposed;
  const rejected: Rejected = await client.reject(run.id, { reason, decider: "ana" });
  const record = rejected.record;
  const recordNote = record === null ? "not recorded" : record.error === null ? `recorded as ${record.eventId}` : `record missing: ${record.error.message}`;
  const decisions: Decision[] = await client.decisions(run.id);
  // Optional arguments may be left out; options are typed.
  const plain = await client.resume(run.id);
  const named = await client.resume(run.id, { approver: "ana" }, { decider: "ana", record: true });
  // @ts-expect-error: record is a boolean
  await client.resume(run.id, undefined, { record: "yes" });
  void plain.record;
  void named.stateWritten;
  const who: (string | null)[] = decisions.map((d) => d.decider);
  void who;
  return `${proposed}: ${check.explanation} (${recordNote})`;
}

// A bulk outcome narrows on `error`; `accepted` is the server's acceptance; its failure is a
// FlowgateError, narrowed on `kind`.
export async function resumeAll(client: PrefectClient, ids: string[]): Promise<string[]> {
  // The DOM's AbortSignal gives a decision call up.
  const controller = new AbortController();
  const outcomes = await client.resumeMany(ids, { concurrency: 2, signal: controller.signal });
  await client.resume(ids[0] ?? "", { approver: "ana" }, { signal: AbortSignal.timeout(5000) });
  await client.readFlowRun(ids[0] ?? "", { signal: AbortSignal.timeout(5000) });
  await client.approve(ids[0] ?? "", { runInput: {}, signal: controller.signal });
  return outcomes.map((o) => {
    if (o.error === null) return `${o.flowRunId}: ${o.accepted ? "accepted" : o.answer.result.status}`;
    const error: FlowgateError = o.error;
    if (error.kind === "resumeInterrupted") {
      const happened: boolean | null = error.details.resumed;
      return `${o.flowRunId}: interrupted, resumed ${happened}`;
    }
    return `${o.flowRunId}: ${error.kind}: ${error.message}`;
  });
}

// Through a gate: the policy's verdict narrows on `status`, its refusal on `kind`; the gate's
// refusals are FlowgateErrors of kind `gateRefused`.
export async function approveIfAllowed(client: PrefectClient, id: string, runInput: Record<string, unknown>): Promise<string> {
  const found: GateCapabilities | null = await client.gate();
  if (!found) return "no gate: decide with resume()";
  const policyCase: PolicyCase = await client.gatePolicy(id);
  const verdict: PolicyVerdict = checkPolicy(policyCase, { runInput });
  if (verdict.approve.status === "refused") {
    const refusal = verdict.approve.refusal;
    if (refusal.kind === "differentInput") return `another input: ${JSON.stringify(refusal.proposal.input)}`;
    if (refusal.kind === "notAllowed") return `only ${refusal.allowed.join(", ")}`;
    return verdict.approve.reason;
  }
  try {
    const approval: GateApproval = await client.approve(id, { runInput });
    return approval.outcome === "resumed" ? `resumed by ${approval.approvers.join(" and ")}` : verdict.message;
  } catch (e) {
    const error = e as FlowgateError;
    if (error.kind === "gateRefused") return `${error.details.status}: ${error.details.message}`;
    throw e;
  }
}

// Rules: a reminder made from the default message, listed back (narrowing on `status`), and
// what they will do for a run (narrowing on `status.kind`).
export async function remindReleases(client: PrefectClient, run: FlowRun): Promise<string[]> {
  const [block] = await client.notifyBlocks();
  if (!block) return ["no notification block"];
  const rule: Rule = {
    name: "Remind #releases",
    scope: { tags: ["release"] },
    afterSeconds: 1800,
    action: { kind: "notify", block: block.id, ...defaultMessage({ consoleUrl: "https://flowgate.example.com", afterSeconds: 1800 }) },
  };
  try {
    await client.createRule(rule);
  } catch (e) {
    const error = e as FlowgateError;
    if (error.kind === "invalidRule") return [`${error.details.field}: ${error.message}`];
    throw e;
  }
  const listed: ListedRule[] = await client.rules();
  const rules = listed.flatMap((l) => (l.status === "rule" ? [l.rule] : []));
  const steps: PlannedStep[] = planRules(rules, run, { now: new Date() });
  const done: RuleActivity[] = await client.ruleActivity(run.id);
  return [
    ...steps.map((s) => (s.status.kind === "willFail" ? `${s.ruleName}: ${s.status.reason}` : `${s.ruleName} at ${s.at}`)),
    ...done.map((a) => `${a.automationName}: ${a.succeeded ? "done" : a.reason}`),
  ];
}
