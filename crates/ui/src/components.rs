//! Small pieces named for what the user sees.

pub(crate) mod countdown;
pub(crate) mod decision_outcome;
pub(crate) mod early_view;
pub(crate) mod error_view;
pub(crate) mod gate_asking;
pub(crate) mod local_time;
pub(crate) mod markdown;
pub(crate) mod numbers;
pub(crate) mod runs_table;
pub(crate) mod shortcuts;
pub(crate) mod state_badge;
pub(crate) mod verdict_line;
