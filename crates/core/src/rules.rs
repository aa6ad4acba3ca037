//! Rules that reach people about paused runs, stored as Prefect automations.
//!
//! Flowgate runs no scheduler of its own: a [`Rule`] is written as one Prefect automation
//! (`POST /automations/`) whose trigger watches the run's state events and whose action is
//! Prefect's own — `send-notification` through a notification block, `change-flow-run-state`
//! to reject, `resume-flow-run` to resume. Prefect's triggers and actions services do the
//! work, scaled with the server; a person can still see every rule in Prefect's UI.
//!
//! - [`model`]: the rule as a person writes it, and its checks.
//! - [`automation`]: a rule as an automation body and back. Flowgate owns exactly the
//!   automations tagged [`RULE_TAG`]; it lists, edits and deletes no others.
//! - [`message`]: the default message, written for a person deciding.
//! - [`plan`]: which rules apply to a paused run and what each will do when.
//! - [`blocks`]: the server's notification blocks, and whether its automation engine runs.
//! - [`activity`]: what automations did about a run, read back from Prefect's events.

pub mod activity;
pub mod automation;
pub mod blocks;
pub mod message;
pub mod model;
pub mod plan;

pub use activity::{RuleActivity, activity_filter};
pub use automation::{ListedRule, RULE_TAG, automation_body, listed_rule};
pub use blocks::{EngineStatus, NewBlockKind, NotifyBlock};
pub use message::{DefaultMessage, default_message};
pub use model::{MIN_AFTER_SECONDS, Rule, RuleAction, RuleError, Scope};
pub use plan::{PlannedStep, StepStatus, plan_for_run};
