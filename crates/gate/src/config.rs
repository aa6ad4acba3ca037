//! The gate's settings, read from the environment once at start. A setting that is missing
//! or malformed stops the gate with a message naming it.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use flowgate_client::{Auth, ClientOptions};

/// Where the gate listens, whom it trusts and how it reaches Prefect.
#[derive(Clone)]
pub struct Config {
    /// `FLOWGATE_GATE_LISTEN`: the address to listen on (default `127.0.0.1:4300`).
    pub listen: SocketAddr,
    /// `FLOWGATE_GATE_PREFECT_API` (+ `FLOWGATE_GATE_PREFECT_AUTH` `user:pass`, or
    /// `FLOWGATE_GATE_PREFECT_API_KEY`): Prefect's API on its internal address.
    pub prefect: ClientOptions,
    /// `FLOWGATE_GATE_POLICY`: the policy file.
    pub policy: PathBuf,
    /// `FLOWGATE_GATE_TRUSTED_PROXIES`: the addresses whose identity headers are believed
    /// (comma-separated IPs; default `127.0.0.1,::1`).
    pub trusted_proxies: Vec<IpAddr>,
    /// `FLOWGATE_GATE_USER_HEADER` (default `X-Forwarded-User`).
    pub user_header: String,
    /// `FLOWGATE_GATE_GROUPS_HEADER` (default `X-Forwarded-Groups`, comma-separated).
    pub groups_header: String,
    /// `FLOWGATE_GATE_SECRET` or `FLOWGATE_GATE_SECRET_FILE`: the key every replica signs
    /// and checks its records with (at least 32 bytes).
    pub secret: Vec<u8>,
    /// `FLOWGATE_GATE_ID`: this gate's name in its records (default `gate@<listen>`).
    pub id: String,
    /// `FLOWGATE_GATE_SETTLE_MS`: how long an approval waits for Prefect to store it before
    /// counting (default 15000; Prefect's event persister writes in batches).
    pub settle_ms: u64,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("prefect", &self.prefect)
            .field("policy", &self.policy)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// The smallest signing key the gate accepts.
const MIN_SECRET: usize = 32;

impl Config {
    /// Reads the settings from `vars` (the process environment in `main`).
    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Config, String> {
        let get = |name: &str| {
            vars.get(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let listen: SocketAddr = get("FLOWGATE_GATE_LISTEN")
            .unwrap_or_else(|| "127.0.0.1:4300".into())
            .parse()
            .map_err(|_| {
                "FLOWGATE_GATE_LISTEN must be an address and port, such as 127.0.0.1:4300"
                    .to_owned()
            })?;
        let api = get("FLOWGATE_GATE_PREFECT_API").ok_or(
            "FLOWGATE_GATE_PREFECT_API is not set: give Prefect's API URL, such as http://127.0.0.1:4200/api",
        )?;
        let mut prefect = ClientOptions::new(&api);
        prefect.auth = match (
            get("FLOWGATE_GATE_PREFECT_AUTH"),
            get("FLOWGATE_GATE_PREFECT_API_KEY"),
        ) {
            (Some(_), Some(_)) => {
                return Err(
                    "set FLOWGATE_GATE_PREFECT_AUTH or FLOWGATE_GATE_PREFECT_API_KEY, not both"
                        .into(),
                );
            }
            (Some(pair), None) => Some(Auth::Basic(pair)),
            (None, Some(key)) => Some(Auth::Bearer(key)),
            (None, None) => None,
        };
        if !api.starts_with("http://") && !api.starts_with("https://") {
            return Err(format!(
                "FLOWGATE_GATE_PREFECT_API must be an absolute http(s) URL, not {api:?}"
            ));
        }
        flowgate_client::Client::new(prefect.clone())
            .map_err(|err| format!("FLOWGATE_GATE_PREFECT_API: {err}"))?;
        let policy = PathBuf::from(get("FLOWGATE_GATE_POLICY").ok_or(
            "FLOWGATE_GATE_POLICY is not set: give the path of the policy file (see crates/gate/README.md)",
        )?);
        let trusted_proxies = get("FLOWGATE_GATE_TRUSTED_PROXIES")
            .unwrap_or_else(|| "127.0.0.1,::1".into())
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<IpAddr>().map_err(|_| {
                    format!("FLOWGATE_GATE_TRUSTED_PROXIES: {s:?} is not an IP address")
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let secret = match (
            get("FLOWGATE_GATE_SECRET"),
            get("FLOWGATE_GATE_SECRET_FILE"),
        ) {
            (Some(secret), None) => secret.into_bytes(),
            (None, Some(path)) => std::fs::read_to_string(&path)
                .map_err(|err| format!("FLOWGATE_GATE_SECRET_FILE {path}: {err}"))?
                .trim()
                .as_bytes()
                .to_vec(),
            (Some(_), Some(_)) => {
                return Err(
                    "set FLOWGATE_GATE_SECRET or FLOWGATE_GATE_SECRET_FILE, not both".into(),
                );
            }
            (None, None) => {
                return Err("FLOWGATE_GATE_SECRET (or _FILE) is not set: every gate replica signs its records with the same secret of 32 bytes or more".into());
            }
        };
        if secret.len() < MIN_SECRET {
            return Err(format!(
                "the gate's secret is {} bytes; it must be at least {MIN_SECRET} (e.g. `openssl rand -hex 32`)",
                secret.len()
            ));
        }
        let settle_ms = match get("FLOWGATE_GATE_SETTLE_MS") {
            None => 15_000,
            Some(text) => text.parse().map_err(|_| {
                format!("FLOWGATE_GATE_SETTLE_MS must be milliseconds, not {text:?}")
            })?,
        };
        Ok(Config {
            id: get("FLOWGATE_GATE_ID").unwrap_or_else(|| format!("gate@{listen}")),
            listen,
            prefect,
            policy,
            trusted_proxies,
            user_header: get("FLOWGATE_GATE_USER_HEADER")
                .unwrap_or_else(|| "X-Forwarded-User".into()),
            groups_header: get("FLOWGATE_GATE_GROUPS_HEADER")
                .unwrap_or_else(|| "X-Forwarded-Groups".into()),
            secret,
            settle_ms,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect()
    }

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn settings_are_checked_and_named() {
        let base = [
            ("FLOWGATE_GATE_PREFECT_API", "http://127.0.0.1:4200/api"),
            ("FLOWGATE_GATE_POLICY", "policy.toml"),
            ("FLOWGATE_GATE_SECRET", SECRET),
        ];
        let config = Config::from_vars(&vars(&base)).expect("valid");
        assert_eq!(config.listen.to_string(), "127.0.0.1:4300");
        assert_eq!(config.trusted_proxies.len(), 2);
        assert!(
            !format!("{config:?}").contains(SECRET),
            "the secret never reaches a log"
        );

        for (change, says) in [
            (("FLOWGATE_GATE_SECRET", "short"), "at least 32"),
            (
                ("FLOWGATE_GATE_PREFECT_API", "/api"),
                "absolute http(s) URL",
            ),
            (
                ("FLOWGATE_GATE_TRUSTED_PROXIES", "nginx"),
                "\"nginx\" is not an IP address",
            ),
            (("FLOWGATE_GATE_LISTEN", "4300"), "FLOWGATE_GATE_LISTEN"),
            (
                ("FLOWGATE_GATE_POLICY", ""),
                "FLOWGATE_GATE_POLICY is not set",
            ),
        ] {
            let mut v = vars(&base);
            v.insert(change.0.into(), change.1.into());
            let err = Config::from_vars(&v).expect_err(change.1);
            assert!(err.contains(says), "{change:?}: {err}");
        }
    }
}
