//! The only code that touches the network, one file per host: gloo-net's `fetch` in
//! WebAssembly (browsers, workers, Node), reqwest on tokio natively (the gate). Both offer
//! the same four functions; everything above them is shared and pure.

#[cfg(target_arch = "wasm32")]
mod browser;
#[cfg(not(target_arch = "wasm32"))]
mod native;

#[cfg(target_arch = "wasm32")]
pub(crate) use browser::{now, random_uuid, send, sleep};
#[cfg(not(target_arch = "wasm32"))]
pub(crate) use native::{now, random_uuid, send, sleep};

/// A request that got no HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NoAnswer {
    /// The network failed (refused, reset, DNS, CORS).
    Network(String),
    /// The timeout fired first.
    Timeout,
}

/// An answer: its status, its body, and whether it is an HTML page (never Prefect's: a proxy,
/// a gateway or a sign-in page answered instead).
pub(crate) type Reply = (u16, String, bool);
