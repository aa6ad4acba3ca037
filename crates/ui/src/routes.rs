//! The pages, one file each.

pub(crate) mod inbox;
pub(crate) mod rules;
pub(crate) mod run;
pub(crate) mod run_chunk;
pub(crate) mod runs;
pub(crate) mod settings;
