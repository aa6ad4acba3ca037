//! The client in headless Chromium against real Prefect servers started by the harness.
//!
//! `scripts/ci/real-server.sh` starts two servers and passes their `harness.json` contents at build
//! time: `FLOWGATE_CLIENT_HARNESS` (seeded paused runs, `--bulk 20`) and
//! `FLOWGATE_AUTH_HARNESS` (a bare server with `PREFECT_SERVER_API_AUTH_STRING=flow:gate-secret`).
//! Without them every test fails: none passes against a server that is not running.
#![cfg(target_arch = "wasm32")]

mod connection;
mod events;
mod reads;
mod reject;
mod resume;
mod support;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
