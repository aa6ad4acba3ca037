//! The gate in front of Prefect, if there is one (`crates/gate`), found once per connection:
//! with it, decisions go through the gate and pages show what its policy says for the person
//! signed in, computed by core's `policy_verdict` from the case the gate serves.

use flowgate_client::ClientError;
use flowgate_core::gate::GateCapabilities;
use leptos::prelude::*;

use crate::state::connection::Connection;

/// Whether a gate answered, and for whom.
#[derive(Clone, Copy)]
pub(crate) struct GatePresence {
    found: Signal<Option<Result<Option<GateCapabilities>, ClientError>>>,
}

impl GatePresence {
    /// No gate, known at once (a component mounted without the app around it).
    pub(crate) fn absent() -> GatePresence {
        GatePresence {
            found: Signal::derive(|| Some(Ok(None))),
        }
    }

    /// Asks for a gate beside the connection's API (again when the settings change).
    pub(crate) fn start(connection: Connection) -> GatePresence {
        let found = LocalResource::new(move || {
            let client = connection.client();
            async move { client?.gate().await }
        });
        GatePresence {
            found: Signal::derive(move || found.get()),
        }
    }

    /// `None` while asking; then the gate, no gate, or why the gate refused the person.
    pub(crate) fn get(&self) -> Option<Result<Option<GateCapabilities>, ClientError>> {
        self.found.get()
    }

    /// Whether decisions go through a gate (tracked): a gate answered, even if it refused.
    pub(crate) fn present(&self) -> bool {
        matches!(self.found.get(), Some(Ok(Some(_)) | Err(_)))
    }

    /// Whether the question is still open (tracked).
    pub(crate) fn asking(&self) -> bool {
        self.found.get().is_none()
    }
}
