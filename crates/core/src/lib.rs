//! Flowgate's core: Prefect's flow-run models, the resume verdict and the reject plan.
//!
//! This crate owns the Prefect wire models ([`FlowRun`], [`State`], [`OrchestrationResult`],
//! the list-endpoint bodies) and decides, before any request is sent, what Prefect's
//! `POST /flow_runs/{id}/resume` will answer ([`resume_verdict`]), down to the reason text.
//!
//! It touches no DOM and no network and compiles natively and to `wasm32`: the client, the
//! console and the npm package all build on it. It must never depend on `web-sys`, `gloo`
//! or `leptos`. One dependency differs by target: in WebAssembly, schema `pattern`s run on
//! the host's `RegExp` through `js-sys`/`wasm-bindgen` (`run_input::pattern`), natively on
//! `fancy-regex`.
//!
//! Models are lossless: every document the server returns parses and serializes back to
//! an equal JSON value. Unknown fields are kept, and enum values a newer server adds parse
//! as an explicit `Unknown` variant.

mod open_enum;

pub mod decision;
pub mod events;
pub mod filter;
pub mod flow_run;
pub mod gate;
pub mod orchestration;
pub mod parse;
pub mod policy;
pub mod reject;
pub mod resume;
pub mod rules;
pub mod run_input;
pub mod state;
pub mod timestamp;
pub mod version;

pub use decision::{Decision, DecisionKind, EventPage, NewDecision};
pub use events::{Event, FlowRunChange, ServerMessage};
pub use filter::{
    DeploymentFilter, FlowFilter, FlowRunFilter, FlowRunPage, FlowRunPageRequest, FlowRunSort,
};
pub use flow_run::{Deployment, Flow, FlowRun, FlowRunPolicy, Named};
pub use orchestration::{
    DetailsType, OrchestrationDetails, OrchestrationResult, ProposedState, ResumeRequest,
    SetStateRequest, SetStateStatus,
};
pub use parse::ParseError;
pub use policy::{PolicyCase, PolicyVerdict, policy_verdict};
pub use reject::{
    Aftermath, RejectPlan, cancel_verdict, cancel_verdict_on, reject_message, reject_plan,
    reject_plan_on,
};
pub use resume::{
    ExpectedAnswer, ExpectedState, ResumeVerdict, StoredSchema, resume_verdict, resume_verdict_with,
};
pub use run_input::{Searches, Undecided};
pub use state::{State, StateDetails, StateType};
pub use version::{MEASURED_RANGE, PrefectVersion, ServerRules, Unmeasured};
