//! Flowgate's Prefect REST client.
//!
//! Owns every HTTP call to Prefect (self-hosted or Cloud): base URL, authentication,
//! timeouts, and turning each failure into an error a person can act on. Its wire types
//! are `flowgate-core`'s; it defines none of its own. It must not depend on `leptos`.
//!
//! The client itself is tracked in its own issue; this crate fixes its place in the
//! workspace (`ui → client → core`, `wasm → client, core`).

pub use flowgate_core as core;
