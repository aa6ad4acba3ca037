//! The Flowgate console, mounted by Trunk from the root `index.html`.
//!
//! The DOM lives only in this crate; data comes from `flowgate-client`, verdicts from
//! `flowgate-core`. Nothing from the server is rendered as HTML: every run name, message,
//! tag and description is text.

mod app;
mod components;
mod routes;
mod run_input_form;
mod state;

fn main() {
    leptos::mount::mount_to_body(app::App);
}
