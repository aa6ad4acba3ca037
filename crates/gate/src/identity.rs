//! Who is asking: the person the authenticating proxy asserts in its headers, believed only
//! when the request comes straight from a trusted proxy address.

use std::net::SocketAddr;

use axum::http::HeaderMap;
use flowgate_core::policy::Person;

use crate::config::Config;

/// The longest user or group name the gate accepts.
const MAX_NAME: usize = 256;

/// The person `headers` assert, if `peer` is a trusted proxy and the user header is sound;
/// otherwise why not, in words for a 401.
pub fn person(config: &Config, peer: SocketAddr, headers: &HeaderMap) -> Result<Person, String> {
    let peer_ip = peer.ip().to_canonical();
    if !config
        .trusted_proxies
        .iter()
        .any(|ip| ip.to_canonical() == peer_ip)
    {
        return Err(format!(
            "The gate only takes requests through its authenticating proxy; {peer_ip} is not one \
             (FLOWGATE_GATE_TRUSTED_PROXIES)."
        ));
    }
    let mut users = headers.get_all(config.user_header.as_str()).iter();
    let user = match (users.next(), users.next()) {
        (Some(value), None) => value
            .to_str()
            .ok()
            .map(str::trim)
            .filter(|u| sound(u))
            .ok_or_else(|| {
                format!(
                    "The proxy's {} header is not a user name.",
                    config.user_header
                )
            })?,
        (None, _) => {
            return Err(format!(
                "The proxy sent no {} header: sign in through the proxy.",
                config.user_header
            ));
        }
        (Some(_), Some(_)) => {
            return Err(format!("The proxy sent {} twice.", config.user_header));
        }
    };
    let mut groups: Vec<String> = Vec::new();
    for value in headers.get_all(config.groups_header.as_str()) {
        let text = value
            .to_str()
            .map_err(|_| format!("The proxy's {} header is not text.", config.groups_header))?;
        for group in text.split(',').map(str::trim).filter(|g| !g.is_empty()) {
            if !sound(group) {
                return Err(format!(
                    "The proxy's {} header holds a name too long or with control characters.",
                    config.groups_header
                ));
            }
            if !groups.iter().any(|g| g == group) {
                groups.push(group.to_owned());
            }
        }
    }
    Ok(Person {
        user: user.to_owned(),
        groups,
    })
}

fn sound(name: &str) -> bool {
    !name.is_empty() && name.len() <= MAX_NAME && !name.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config() -> Config {
        let vars: HashMap<String, String> = [
            ("FLOWGATE_GATE_PREFECT_API", "http://127.0.0.1:4200/api"),
            ("FLOWGATE_GATE_POLICY", "p.toml"),
            ("FLOWGATE_GATE_SECRET", "0123456789abcdef0123456789abcdef"),
            ("FLOWGATE_GATE_TRUSTED_PROXIES", "127.0.0.1"),
        ]
        .iter()
        .map(|(k, v)| ((*k).into(), (*v).into()))
        .collect();
        Config::from_vars(&vars).expect("config")
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(*k, v.parse().expect("header value"));
        }
        map
    }

    #[test]
    fn only_a_trusted_proxy_names_the_person() {
        let config = config();
        let proxy: SocketAddr = "127.0.0.1:50000".parse().expect("addr");
        let mapped: SocketAddr = "[::ffff:127.0.0.1]:50000".parse().expect("addr");
        let elsewhere: SocketAddr = "127.0.0.2:50000".parse().expect("addr");
        let asserted = headers(&[
            ("x-forwarded-user", " alice "),
            ("x-forwarded-groups", "sre, release-managers,sre"),
        ]);
        let person = person(&config, proxy, &asserted).expect("trusted");
        assert_eq!(person.user, "alice");
        assert_eq!(person.groups, vec!["sre", "release-managers"]);
        assert!(super::person(&config, mapped, &asserted).is_ok());
        let err = super::person(&config, elsewhere, &asserted).expect_err("untrusted");
        assert!(err.contains("127.0.0.2 is not one"), "{err}");
        for bad in [
            headers(&[]),
            headers(&[("x-forwarded-user", "")]),
            headers(&[("x-forwarded-user", "a"), ("x-forwarded-user", "b")]),
        ] {
            assert!(super::person(&config, proxy, &bad).is_err(), "{bad:?}");
        }
    }
}
