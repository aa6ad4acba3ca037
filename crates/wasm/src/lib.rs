//! The npm package `flowgate`: Flowgate's verdicts, validation and Prefect client for
//! JS/TS apps.
//!
//! A thin layer: every export converts its arguments, calls `flowgate-core` or
//! `flowgate-client`, and converts the result back. No logic lives here, and this is the
//! only crate with `#[wasm_bindgen]` exports. The exports are tracked in their own issue.

pub use flowgate_client as client;
pub use flowgate_core as core;
