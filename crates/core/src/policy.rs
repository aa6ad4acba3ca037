//! Who may decide a paused run: the gate's policy and its verdict for one person.
//!
//! The same pure function, [`policy_verdict`], runs in two places: natively in the gate,
//! where it is enforced, and in WebAssembly in the console and the npm package, where it says
//! before anything is sent what the gate will allow. Both read the same [`PolicyCase`] (the
//! gate serves it), so what the page says and what is enforced cannot differ.
//!
//! A policy is a list of [`Rule`]s, each matching runs by flow, deployment, tags and pause
//! key. Every rule that matches a run applies, and a flow may add one more in its run's
//! labels ([`labels`]): where several apply, all must hold — a person must be allowed by
//! each, the most approvals any of them asks for are needed, and four-eyes holds if any asks
//! for it. A run that no rule matches is governed by the policy's default rule, if it has
//! one; without one nobody may decide it through the gate.

mod canonical;
#[cfg(feature = "policy-file")]
mod file;
pub mod labels;
mod model;
mod verdict;

pub use canonical::canonical_json;
#[cfg(feature = "policy-file")]
pub use file::PolicyFileError;
pub use model::{Group, Policy, Principal, Rule, RunMatch};
pub use verdict::{
    Approval, Permission, Person, PolicyCase, PolicyVerdict, Proposal, Refusal, RunFacts,
    policy_verdict,
};
