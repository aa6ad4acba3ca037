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
    // Marks for the first view's waterfall (scripts/bench/console.mjs reads them): the wasm is
    // instantiated and running, then the app is mounted (its first reads are sent by then).
    performance_mark("flowgate:start");
    leptos::mount::mount_to_body(app::App);
    performance_mark("flowgate:mounted");
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance, js_name = mark)]
    fn performance_mark(name: &str);
}
