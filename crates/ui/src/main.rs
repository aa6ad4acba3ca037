//! The Flowgate console, mounted by Trunk from the root `index.html`.
//!
//! The DOM lives only in this crate. Until the console's own issue lands it shows what
//! Flowgate is and where the Prefect server behind it lives.

use leptos::prelude::*;

fn main() {
    mount_to_body(App);
}

/// The console's root.
#[component]
fn App() -> impl IntoView {
    view! {
        <main class="placeholder">
            <h1>"Flowgate"</h1>
            <p>"A console for Prefect's paused flow runs: see what waits for you, fill in the input it asks for, resume it."</p>
            <p>
                "This build is the workspace foundation; the console arrives with its own issue. "
                "The Prefect API is proxied at "
                <a href="/api/docs">"/api"</a>
                "."
            </p>
        </main>
    }
}
