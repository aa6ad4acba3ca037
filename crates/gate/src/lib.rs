//! The gate: a native service, behind an authenticating reverse proxy, through which people
//! decide paused Prefect runs — and the only way they can, once the proxy refuses their
//! direct state changes. It believes the person the proxy names (only from trusted proxy
//! addresses), asks the policy file who may approve or reject, counts N-of-M approvals of
//! one exact input, and resumes exactly once.
//!
//! It keeps nothing of its own: approvals, requesters and decisions are signed Prefect
//! events, so replicas are interchangeable and a restart loses nothing. The policy verdict
//! is `flowgate-core`'s, the same code the console runs in WebAssembly; Prefect is reached
//! through `flowgate-client`'s native transport. See this crate's README for the recipe.
#![cfg(not(target_arch = "wasm32"))]

pub mod config;
pub mod gate;
pub mod identity;
pub mod policy_store;
pub mod records;
pub mod routes;

use std::net::SocketAddr;
use std::sync::Arc;

/// Runs a gate with `config` until the process is stopped.
pub async fn serve(config: config::Config) -> Result<(), String> {
    let store = Arc::new(policy_store::PolicyStore::open(&config.policy)?);
    let listen = config.listen;
    let gate = Arc::new(gate::Gate::new(config, store.clone())?);
    store.watch();
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|err| format!("cannot listen on {listen}: {err}"))?;
    eprintln!("flowgate-gate {} listening on {listen}", gate.config.id);
    axum::serve(
        listener,
        routes::router(gate).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .map_err(|err| format!("the server stopped: {err}"))
}

#[cfg(test)]
mod tests {
    /// The policy files this crate's README shows are ones the gate accepts.
    #[test]
    fn the_readmes_policy_examples_parse() {
        let readme = include_str!("../README.md");
        let mut found = 0;
        for block in readme.split("```toml\n").skip(1) {
            let text = block.split("```").next().unwrap_or_default();
            if let Err(err) = flowgate_core::policy::Policy::from_toml(text) {
                panic!("README policy example does not parse: {err}\n{text}");
            }
            found += 1;
        }
        assert!(found > 0, "the README shows a policy file");
    }
}
