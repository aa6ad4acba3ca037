//! The API calls, one file per resource area.

pub(crate) mod deployments;
pub(crate) mod flow_runs;
pub(crate) mod flows;
pub(crate) mod gate;
pub(crate) mod health;
pub(crate) mod history;
pub(crate) mod reject;
pub(crate) mod resume;
pub(crate) mod rules;
pub(crate) mod run_input;
pub(crate) mod state_change;
