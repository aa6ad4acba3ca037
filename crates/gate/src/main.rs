//! `flowgate-gate`: reads its settings from the environment (see the crate's README) and
//! serves until stopped. A bad setting or policy file stops it at once, saying which.

#[cfg(not(target_arch = "wasm32"))]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    let vars = std::env::vars().collect();
    let result = match flowgate_gate::config::Config::from_vars(&vars) {
        Ok(config) => flowgate_gate::serve(config).await,
        Err(err) => Err(err),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("flowgate-gate: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {}
