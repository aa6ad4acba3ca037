//! The package's TypeScript declarations, written once. wasm-bindgen attaches them to the
//! exports through `unchecked_param_type` / `unchecked_return_type`; `tsc --noEmit` over
//! `web/tests/types/example.ts` checks them.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** Prefect's state types. */
export type StateType =
  | "SCHEDULED" | "PENDING" | "RUNNING" | "COMPLETED" | "FAILED"
  | "CANCELLED" | "CRASHED" | "PAUSED" | "CANCELLING";
/** What the server did with a requested state change. */
export type SetStateStatus = "ACCEPT" | "REJECT" | "ABORT" | "WAIT";
/** The `type` tag of orchestration details. Input REJECTs carry `abort_details`. */
export type DetailsType = "accept_details" | "reject_details" | "abort_details" | "wait_details";
/** A JSON Schema object, as a pause stores it. */
export type JsonSchema = Record<string, unknown>;
/** ISO 8601 instants, as Prefect writes them (`2026-11-28T21:52:22.275000Z`). */
export type Timestamp = string;

export interface StateDetails {
  flow_run_id: string | null;
  task_run_id: string | null;
  child_flow_run_id: string | null;
  scheduled_time: Timestamp | null;
  cache_key: string | null;
  cache_expiration: Timestamp | null;
  deferred: boolean | null;
  untrackable_result: boolean;
  pause_timeout: Timestamp | null;
  pause_reschedule: boolean;
  pause_key: string | null;
  run_input_keyset: { schema?: string | undefined; response?: string | undefined; description?: string | undefined; [key: string]: string | undefined } | null;
  refresh_cache: boolean | null;
  retriable: boolean | null;
  transition_id: string | null;
  task_parameters_id: string | null;
  traceparent: string | null;
  deployment_concurrency_lease_id: string | null;
  [field: string]: unknown;
}

export interface State {
  id: string;
  type: StateType;
  name: string | null;
  timestamp: Timestamp;
  message: string | null;
  data: unknown;
  state_details: StateDetails;
  [field: string]: unknown;
}

export interface FlowRunPolicy {
  max_retries: number;
  retry_delay_seconds: number;
  retries: number | null;
  retry_delay: number | null;
  pause_keys: string[] | null;
  resuming: boolean | null;
  retry_type: string | null;
  [field: string]: unknown;
}

/** A flow run, every field Prefect 3.9.1 returns (unknown fields are kept too). */
export interface FlowRun {
  id: string;
  created: Timestamp | null;
  updated: Timestamp | null;
  name: string;
  flow_id: string;
  state_id: string | null;
  deployment_id: string | null;
  deployment_version: string | null;
  work_queue_id: string | null;
  work_queue_name: string | null;
  flow_version: string | null;
  parameters: Record<string, unknown>;
  idempotency_key: string | null;
  context: Record<string, unknown>;
  empirical_policy: FlowRunPolicy;
  tags: string[];
  labels: Record<string, string | number | boolean>;
  parent_task_run_id: string | null;
  state_type: StateType | null;
  state_name: string | null;
  run_count: number;
  expected_start_time: Timestamp | null;
  next_scheduled_start_time: Timestamp | null;
  start_time: Timestamp | null;
  end_time: Timestamp | null;
  total_run_time: number;
  estimated_run_time: number;
  estimated_start_time_delta: number;
  auto_scheduled: boolean;
  infrastructure_document_id: string | null;
  infrastructure_pid: string | null;
  created_by: { id: string | null; type: string | null; display_value: string | null } | null;
  work_pool_id: string | null;
  work_pool_name: string | null;
  state: State | null;
  job_variables: Record<string, unknown> | null;
  [field: string]: unknown;
}

export interface Flow {
  id: string;
  created: Timestamp | null;
  updated: Timestamp | null;
  name: string;
  tags: string[];
  labels: Record<string, unknown> | null;
  [field: string]: unknown;
}

export type OrchestrationDetails =
  | { type: "accept_details" }
  | { type: "reject_details"; reason: string | null }
  | { type: "abort_details"; reason: string | null }
  | { type: "wait_details"; delay_seconds: number; reason: string | null };

/** The body of a resume answer. */
export interface OrchestrationResult {
  state: State | null;
  status: SetStateStatus;
  details: OrchestrationDetails;
}

/** The JSON Schema keyword a validation error is about (`falseSchema` for a `false` schema). */
export type ValidationKeyword =
  | "type" | "enum" | "const" | "required" | "dependentRequired" | "minLength" | "maxLength"
  | "pattern" | "format" | "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum"
  | "multipleOf" | "minItems" | "maxItems" | "uniqueItems" | "items" | "contains" | "minContains"
  | "maxContains" | "minProperties" | "maxProperties" | "additionalProperties" | "anyOf" | "oneOf"
  | "not" | "unevaluatedItems" | "unevaluatedProperties" | "falseSchema";

/** One validation error, for showing next to a form field. */
export interface ValidationIssue {
  /** The field as Prefect names it, for people: "" for the whole input, "address", "tags[1]". */
  path: string;
  /** Where in the input, step by step: `["tags", 1]`; empty for the whole input. Place errors by this. */
  instancePath: (string | number)[];
  /** Where in the schema the failing keyword stands (Python's `absolute_schema_path`): `["properties", "count", "type"]`. */
  schemaPath: (string | number)[];
  keyword: ValidationKeyword;
  /** Python jsonschema's message, as the server words it. */
  message: string;
}

/** The state in a predicted answer: new, or the unchanged current one. */
export interface VerdictState { type: StateType; name: string | null; message: string | null; unchanged: boolean }

/** What `POST /flow_runs/{id}/resume` will answer, decided before sending it. Narrow on
 * `status` (or `httpStatus`, or `decidedBy`):
 * - an orchestration result known field by field (`status` ACCEPT, REJECT or ABORT, HTTP 200/201);
 * - the server refusing the request (HTTP 422) or failing on the stored data (HTTP 500);
 * - only the server can decide (Jinja templates, workspace variables): `decidedBy: "server"`. */
export type ResumeVerdict =
  | {
      decidedBy: "client";
      /** 201 when a new state is written, 200 otherwise. */
      httpStatus: 200 | 201;
      status: "ACCEPT";
      detailsType: DetailsType;
      reason: null;
      state: VerdictState | null;
      /** Every validation error, for forms. */
      errors: ValidationIssue[];
      /** On ACCEPT of an input pause: the input the server will store. */
      storedInput: unknown | null;
    }
  | {
      decidedBy: "client";
      httpStatus: 200 | 201;
      status: "REJECT" | "ABORT" | "WAIT";
      detailsType: DetailsType;
      /** The server's reason, byte for byte: it always gives one. */
      reason: string;
      /** null for ABORT. */
      state: VerdictState | null;
      errors: ValidationIssue[];
      storedInput: null;
    }
  | {
      decidedBy: "client"; httpStatus: 422 | 500; status: null; detailsType: null;
      reason: string; state: null; errors: ValidationIssue[]; storedInput: null;
    }
  | {
      decidedBy: "server"; httpStatus: null; status: null; detailsType: null;
      reason: string; state: null; errors: ValidationIssue[]; storedInput: null;
    };

export interface CheckResumeOptions {
  /** The stored run-input schema: an object, its JSON text, or null/absent if none is stored. */
  schema?: JsonSchema | string | null | undefined;
  /** The `run_input` to send. */
  runInput?: Record<string, unknown> | null | undefined;
  /** The `run_input` as JSON text instead: keeps `1.0` apart from `1`, as the server does. */
  runInputJson?: string | undefined;
  /** When the request will be made; defaults to now. */
  now?: Date | string | number | undefined;
  /**
   * The server's release, as `client.serverVersion()` gives it; defaults to 3.9.1. Before
   * 3.7.5 a schema reference that leads nowhere makes the server fail (HTTP 500). For a
   * release outside those measured (3.4 to 3.9) the verdict is `decidedBy: "server"`, its
   * reason saying why.
   */
  serverVersion?: string | undefined;
}

export interface RunInputValidation {
  /** null when only the server can tell. */
  valid: boolean | null;
  /** The server's REJECT reason, word for word. */
  reason: string | null;
  errors: ValidationIssue[];
  /** The error the reason names (it may sit inside an anyOf and so not be among `errors`). */
  cause: ValidationIssue | null;
  decidedBy: "client" | "server";
}

export type FlowRunSort =
  | "ID_DESC" | "START_TIME_ASC" | "START_TIME_DESC" | "EXPECTED_START_TIME_ASC"
  | "EXPECTED_START_TIME_DESC" | "NAME_ASC" | "NAME_DESC" | "NEXT_SCHEDULED_START_TIME_ASC"
  | "END_TIME_DESC";

export interface TimeRange { before_?: Timestamp | undefined; after_?: Timestamp | undefined; is_null_?: boolean | undefined }

/** Prefect's flow-run filter body (`/flow_runs/filter`, `/flow_runs/count`). */
export interface FlowRunFilter {
  flows?: {
    id?: { any_?: string[] | undefined; not_any_?: string[] | undefined } | undefined;
    name?: { any_?: string[] | undefined; like_?: string | undefined } | undefined;
    tags?: { all_?: string[] | undefined; any_?: string[] | undefined; is_null_?: boolean | undefined } | undefined;
  } | undefined;
  flow_runs?: {
    id?: { any_?: string[] | undefined; not_any_?: string[] | undefined } | undefined;
    name?: { any_?: string[] | undefined; like_?: string | undefined } | undefined;
    tags?: { all_?: string[] | undefined; any_?: string[] | undefined; is_null_?: boolean | undefined } | undefined;
    state?: {
      type?: { any_?: StateType[] | undefined; not_any_?: StateType[] | undefined } | undefined;
      name?: { any_?: string[] | undefined; not_any_?: string[] | undefined } | undefined;
    } | undefined;
    start_time?: TimeRange | undefined;
    expected_start_time?: TimeRange | undefined;
    deployment_id?: { any_?: string[] | undefined; is_null_?: boolean | undefined } | undefined;
    [criterion: string]: unknown;
  } | undefined;
  deployments?: {
    id?: { any_?: string[] | undefined; not_any_?: string[] | undefined } | undefined;
    name?: { any_?: string[] | undefined; like_?: string | undefined } | undefined;
  } | undefined;
  sort?: FlowRunSort | undefined;
  /** At most 200. */
  limit?: number | undefined;
  offset?: number | undefined;
}

/** Body of `/flow_runs/paginate`. */
export interface FlowRunPageRequest extends Omit<FlowRunFilter, "limit" | "offset"> {
  /** 1-based. */
  page: number;
  limit: number;
}

export interface FlowRunPage {
  results: FlowRun[];
  count: number;
  limit: number;
  pages: number;
  page: number;
}

export interface PrefectClientOptions {
  /** Default "/api" (same origin). E.g. "http://127.0.0.1:4200/api" or a Prefect Cloud workspace URL. */
  apiUrl?: string | undefined;
  /** `{ basic: "user:pass" }` for self-hosted auth, `{ bearer: "<api key>" }` for Prefect Cloud. */
  auth?: { basic: string } | { bearer: string } | undefined;
  /** Per-request timeout; default 15000. */
  timeoutMs?: number | undefined;
}

/** What a paused run asks for. Render `description` as text, never as HTML. */
export interface RunInputRequest {
  schema: string | null;
  description: string | null;
}

export interface Resumed {
  result: OrchestrationResult;
  /** True when a new state was written (HTTP 201). */
  stateWritten: boolean;
  /** The decision's record: null when nothing was recorded (recording off, or the run did
   * not change); otherwise the event's id, or why recording failed (the resume stands). */
  record: DecisionRecord | null;
}

export type DecisionRecord =
  | { eventId: string; error: null }
  | { eventId: null; error: { message: string; details: FlowgateErrorDetails } };

/** Optional arguments, typed (merged into the generated class declaration). */
export interface PrefectClient {
  resume(id: string, runInput?: Record<string, unknown> | null | undefined, options?: ResumeOptions | undefined): Promise<Resumed>;
}

/**
 * An `AbortSignal` (browsers', Node's, or anything shaped like one). Declared here so that a
 * consumer without the DOM lib can type it.
 */
export interface AbortSignalLike {
  readonly aborted: boolean;
  addEventListener(type: "abort", listener: () => void): void;
  removeEventListener(type: "abort", listener: () => void): void;
}

/**
 * A call that can be given up — every call of `PrefectClient` that returns a Promise takes
 * `signal`, as its last argument's options: when it aborts, the call rejects at once with a
 * `FlowgateError` of kind `aborted` and its requests are aborted (a change already at the
 * server may still take effect: read the run to know).
 */
export interface Cancellable {
  signal?: AbortSignalLike | undefined;
}

/** Who decides. The name is what the person gives; no server checks it. */
export interface DecideOptions {
  /** Trimmed; when blank or left out, the user name of the client's basic-auth credentials. */
  decider?: string | null | undefined;
  /** Record the decision as a Prefect event (`flowgate.decision.*`); default true. */
  record?: boolean | undefined;
}

export interface CheckRejectOptions extends DecideOptions {
  /** Why the run is rejected; required, at most 2,000 characters. */
  reason: string;
  /** When the request will be made; defaults to now. */
  now?: Date | string | number | undefined;
  /**
   * The server's release, as `client.serverVersion()` gives it; defaults to 3.9.1. Before
   * 3.8.6 a paused run cannot go to CANCELLING, so a deployment's run is planned CANCELLED.
   * For a release outside those measured (3.4 to 3.9) the plan is the nearest measured
   * release's and its verdict is `decidedBy: "server"`, its reason saying why.
   */
  serverVersion?: string | undefined;
}

/** `client.resume`'s options. */
export interface ResumeOptions extends DecideOptions, Cancellable {}

export interface RejectOptions extends DecideOptions, Cancellable {
  /** Why the run is rejected; required. The state message becomes "Rejected by <decider>: <reason>". */
  reason: string;
}

export interface RejectManyOptions extends RejectOptions {
  /** Rejects in flight at once; default 4. */
  concurrency?: number | undefined;
  onProgress?: ((progress: BulkRejectProgress) => void) | undefined;
}

/** What becomes of the run and of a flow process that may still wait. */
export type Aftermath =
  | { kind: "stoppedByRunner" }
  | { kind: "idleUntil"; until: Timestamp; thenFailed: boolean | null }
  | { kind: "nothingWaits" }
  | { kind: "failedByServer" }
  | { kind: "unchanged" };

export interface RejectPlan {
  /** The state proposed through `set_state` (never forced). */
  proposed: "CANCELLING" | "CANCELLED";
  /** The state message sent. */
  message: string;
  /** Whether the run's new state carries the message (false where Prefect writes its own). */
  keepsMessage: boolean;
  aftermath: Aftermath;
  /** The aftermath in plain words (times in UTC). */
  explanation: string;
}

export type RejectCheck =
  | (RejectPlan & { rejectable: true; verdict: ResumeVerdict })
  | { rejectable: false; reason: string };

export interface Rejected extends RejectPlan {
  /** What the server was predicted to answer. */
  predicted: ResumeVerdict;
  result: OrchestrationResult;
  stateWritten: boolean;
  record: DecisionRecord | null;
}

/** One run of a bulk reject: its answer, or the `FlowgateError` it met (`error` narrows it; `accepted` only when the server accepted). */
export type BulkRejectOutcome =
  | { flowRunId: string; accepted: boolean; answer: Rejected; error: null }
  | { flowRunId: string; accepted: false; answer: null; error: FlowgateError };

export type BulkRejectProgress = BulkRejectOutcome & { done: number; total: number };

/** A decision recorded as a Prefect event. */
export interface Decision {
  id: string;
  occurred: Timestamp;
  kind: "resumed" | "rejected";
  flowRunId: string;
  /** The name the person gave, or, through a gate, the user its proxy asserted. */
  decider: string | null;
  /** The gate that checked the decider's identity; null when it is a name the person gave. */
  checkedBy: string | null;
  /** Through a gate: everyone whose approval the resume completed (empty otherwise). */
  approvers: string[];
  reason: string | null;
  /** The input sent with a resume. */
  input: unknown | null;
  /** The state the run was left in, e.g. "RUNNING" or "CANCELLED". */
  stateType: string | null;
  bulk: boolean;
}

/** The data of each kind of failure; `kind` in `details` repeats the error's `kind`. */
export interface FlowgateErrorDetailsByKind {
  invalidConfig: { kind: "invalidConfig"; message: string };
  invalidArgument: { kind: "invalidArgument"; message: string };
  /** The URL answered as if it were no Prefect API (404 for the path itself): check apiUrl. */
  noSuchEndpoint: { kind: "noSuchEndpoint"; url: string };
  /** The call was given up through its `signal`. */
  aborted: { kind: "aborted"; message: string };
  /** The client (or watch) was freed before this call: make a new one. */
  closed: { kind: "closed"; message: string };
  unreachable: { kind: "unreachable"; url: string; detail: string };
  timeout: { kind: "timeout"; url: string; afterMs: number };
  /** Which credential was refused ("the API key", "the basic-auth user:password"), never the secret. */
  unauthorized: { kind: "unauthorized"; status: number; credential: string | null };
  notFound: { kind: "notFound"; what: string };
  validation: { kind: "validation"; message: string; details: { location: string; message: string }[] };
  http: { kind: "http"; status: number; message: string };
  decode: { kind: "decode"; url: string; error: { what: string; path: string; message: string } };
  /** `resumed`: true if the run left its pause (the resume went through), false if not, null if unknown. */
  resumeInterrupted: { kind: "resumeInterrupted"; flowRunId: string; resumed: boolean | null; cause: FlowgateErrorDetails };
  rejectInterrupted: { kind: "rejectInterrupted"; flowRunId: string; rejected: boolean | null; cause: FlowgateErrorDetails };
  notRejectable: { kind: "notRejectable"; flowRunId: string; message: string };
  eventStream: { kind: "eventStream"; url: string; detail: string; refused: boolean };
  gateRefused: { kind: "gateRefused"; status: number; reason: string; message: string };
  /** The automation was not made by Flowgate: Flowgate changes and deletes only its own rules. */
  foreignAutomation: { kind: "foreignAutomation"; id: string; name: string };
  /** A rule (or a new notification block) cannot be written as given; `field` names what. */
  invalidRule: { kind: "invalidRule"; field: string; message: string };
  /** A value that does not fit the model, by JSON path. */
  parse: { kind: "parse"; what: string; path: string; message: string };
  internal: { kind: "internal"; message: string };
}

export type FlowgateErrorKind = keyof FlowgateErrorDetailsByKind;

/** The data of any failure the client reports (as in a bulk outcome's `error.details`). */
export type FlowgateErrorDetails = Exclude<FlowgateErrorDetailsByKind[Exclude<FlowgateErrorKind, "parse" | "internal">], null>;

/** Every thrown error and rejected Promise is one of these: narrow on `kind` to type `details`. */
export type FlowgateError = {
  [K in FlowgateErrorKind]: Error & { name: "FlowgateError"; kind: K; details: FlowgateErrorDetailsByKind[K] };
}[FlowgateErrorKind];

/**
 * One run of a bulk resume: the server's answer, or the `FlowgateError` it met (`error`
 * narrows it). `accepted` is true only when the server accepted the resume: a REJECT is an
 * answer, not an acceptance.
 */
export type BulkOutcome =
  | { flowRunId: string; accepted: boolean; answer: Resumed; error: null }
  | { flowRunId: string; accepted: false; answer: null; error: FlowgateError };

export type BulkProgress = BulkOutcome & { done: number; total: number };

/** A flow run's state change, from Prefect's event stream. */
export interface FlowRunChange {
  flowRunId: string;
  /** The type of the state it entered. */
  stateType: StateType;
  /** The state's name: "Paused", "Suspended", "Resuming", "Running", … */
  stateName: string;
  /** The type of the state it left, when the event says. */
  previousType: StateType | null;
  occurred: string;
  eventId: string;
}

/** The state of a watch's connection. On each "live", re-read what you show: events sent
 * while the socket was down are lost. "refused": the socket never opened (an old server, a
 * proxy without websocket support, wrong credentials); it is tried again every minute. */
export type WatchStatus =
  | { state: "connecting" }
  | { state: "live" }
  | { state: "reconnecting"; reason: string }
  | { state: "refused"; reason: string };

export interface WatchFlowRunsOptions {
  /** Only changes into or out of these state types, and only these runs. */
  filter?: { states?: StateType[] | undefined; flowRunIds?: string[] | undefined } | undefined;
  onChange: (change: FlowRunChange) => void;
  onStatus?: ((status: WatchStatus) => void) | undefined;
  /**
   * Called with what `onChange` or `onStatus` threw; the watch goes on. Without it, what they
   * throw goes to `console.error` (never an unhandled rejection).
   */
  onError?: ((error: unknown) => void) | undefined;
}

export interface ResumeManyOptions extends DecideOptions, Cancellable {
  /** Resumes in flight at once; default 4. */
  concurrency?: number | undefined;
  onProgress?: ((progress: BulkProgress) => void) | undefined;
}
/** Someone a gate's rule names: a user (`"alice"`), a group (`"group:release-managers"`) or anyone (`"*"`). */
export type Principal = string;

/** A rule of a gate's policy; its keys are the policy file's (snake_case). */
export interface PolicyRule {
  name: string;
  matches: { flows?: string[] | undefined; deployments?: string[] | undefined; tags?: string[] | undefined; pause_keys?: string[] | undefined };
  approvers: Principal[];
  rejecters: Principal[];
  approvals: number;
  four_eyes: boolean;
}

/** A policy group: members the file lists, and whether the proxy's groups header adds more. */
export interface PolicyGroup { members: string[]; from_proxy: boolean }

/** A person as the gate's authenticating proxy asserted them. */
export interface GatePerson { user: string; groups: string[] }

/** What `client.gatePolicy(id)` answers and `checkPolicy` decides from. */
export interface PolicyCase {
  rules: PolicyRule[];
  groups: Record<string, PolicyGroup>;
  run: {
    flowRunId: string;
    pauseStateId: string | null;
    flow: string;
    deployment: string | null;
    tags: string[];
    pauseKey: string | null;
    labels: Record<string, unknown>;
    requesters: string[];
    asksInput: boolean;
  };
  person: GatePerson;
  approvals: { user: string; groups: string[]; input: unknown | null; occurred: Timestamp }[];
}

/** Why a gate's policy refuses, as data (`kind` narrows the rest). */
export type PolicyRefusal =
  | { kind: "noRule" }
  | { kind: "badLabel"; label: string; value: string; problem: string }
  | { kind: "unknownGroup"; group: string }
  | { kind: "notAllowed"; allowed: Principal[] }
  | { kind: "requester" }
  | { kind: "alreadyApproved" }
  | { kind: "differentInput"; proposal: PolicyProposal };

/** The approvals given for one input. */
export interface PolicyProposal { input: unknown | null; approvers: string[] }

/** Allowed (`completes`: this approval resumes the run, or the reject ends it), or refused with the reason. */
export type PolicyPermission =
  | { status: "allowed"; completes: boolean }
  | { status: "refused"; refusal: PolicyRefusal; reason: string };

/** What a gate's policy says for one person on one run: the same verdict the gate enforces. */
export interface PolicyVerdict {
  rules: string[];
  needed: number;
  proposals: PolicyProposal[];
  approve: PolicyPermission;
  reject: PolicyPermission;
  /** e.g. "You may approve — 1 of 2 approvals so far (alice)." */
  message: string;
}

export interface CheckPolicyOptions {
  /** The input the person would approve. */
  runInput?: Record<string, unknown> | null | undefined;
  /** The input as JSON text instead (keeps `1.0` apart from `1`). */
  runInputJson?: string | undefined;
}

/** `client.approve`'s options: the input approved, and a signal to give the call up. */
export interface ApproveOptions extends CheckPolicyOptions, Cancellable {}

/** `client.gate()`: the gate beside the API, and who it says you are. */
export interface GateCapabilities { gate: string; version: string; person: GatePerson }

/** A gate's decision record: the event's id, or why it could not be written (the decision stands). */
export interface GateRecord { eventId: string | null; error: string | null }

/** What an approval through a gate did. */
export interface GateApproval {
  outcome: "recorded" | "resumed" | "alreadyResumed";
  needed: number;
  approvers: string[];
  /** `recorded`: what the policy says now for the approver. */
  message: string | null;
  /** `resumed`: Prefect's answer. */
  result: OrchestrationResult | null;
  /** `resumed`: the decision's record. */
  record: GateRecord | null;
  /** `alreadyResumed`: the run's state now. */
  stateType: StateType | null;
}

export type GateBulkOutcome =
  | { flowRunId: string; accepted: boolean; answer: GateApproval; error: null }
  | { flowRunId: string; accepted: false; answer: null; error: FlowgateError };

/** What a reject through a gate did. */
export interface GateReject { result: OrchestrationResult; message: string; record: GateRecord }

/** Which paused runs a rule watches: runs of these flows (if any), of these deployments (if
 * any), carrying one of these tags (if any). Ids are Prefect's. */
export interface RuleScope { flows?: string[] | undefined; deployments?: string[] | undefined; tags?: string[] | undefined }

/** What a rule does. `subject` and `body` are Prefect templates (Jinja; `flow_run`, `flow`,
 * `deployment`, `event`); `defaultMessage` writes good ones. */
export type RuleAction =
  | { kind: "notify"; block: string; subject: string; body: string }
  | { kind: "reject"; reason: string }
  | { kind: "resume" };

/** A rule, stored as one Prefect automation tagged `flowgate.rule`. */
export interface Rule {
  /** The automation's id; absent before it is created. */
  id?: string | null | undefined;
  name: string;
  enabled?: boolean | undefined;
  scope?: RuleScope | undefined;
  /** Absent or null: when a run pauses. A number (≥ 10): when it is still paused that many
   * seconds after pausing (a reminder, or a default outcome; reject and resume need one). */
  afterSeconds?: number | null | undefined;
  action: RuleAction;
}

/** A rule as read back: complete (`id`, `enabled`, `scope` filled in). */
export type StoredRule = Rule & { id: string; enabled: boolean; scope: Required<RuleScope>; afterSeconds: number | null };

/** One of Flowgate's automations: a rule, or one changed elsewhere beyond what a rule describes. */
export type ListedRule =
  | { status: "rule"; rule: StoredRule }
  | { status: "editedElsewhere"; id: string; name: string; why: string };

export interface RuleMessage { subject: string; body: string }

/** A server block that can notify. */
export interface NotifyBlock { id: string; name: string; typeName: string; typeSlug: string }

export interface NewNotifyBlock {
  kind: "custom-webhook" | "slack-webhook" | "ms-teams-webhook";
  /** Lowercase letters, digits and dashes (Prefect's rule for block names). */
  name: string;
  url: string;
}

/** Whether rules can fire: the server's triggers and actions services (null: the server does not say). */
export interface EngineStatus { triggers: boolean | null; actions: boolean | null; warning: string | null }

/** What one rule will do for a paused run, and when. */
export interface PlannedStep {
  ruleId: string | null;
  ruleName: string;
  action: "notify" | "reject" | "resume";
  afterSeconds: number | null;
  at: Timestamp;
  status:
    | { kind: "due" }
    | { kind: "passed" }
    | { kind: "tooLate"; timeout: Timestamp }
    | { kind: "willFail"; reason: string }
    | { kind: "disabled" };
}

/** What an automation did (or tried) for a run, from Prefect's events. */
export interface RuleActivity {
  id: string;
  occurred: Timestamp;
  automationId: string;
  automationName: string;
  actionType: string;
  succeeded: boolean;
  reason: string | null;
  blockName: string | null;
}
"#;
