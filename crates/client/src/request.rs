//! Building requests: pure, no I/O, tested natively.

use base64::Engine;
use serde::Serialize;

use crate::error::ClientError;
use crate::options::{API_VERSION, Auth, ClientOptions};

/// HTTP methods the client uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    Get,
    Post,
    Put,
    Delete,
}

/// A request ready for the transport.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct ApiRequest {
    pub(crate) method: Method,
    pub(crate) url: String,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) body: Option<String>,
}

impl std::fmt::Debug for ApiRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Headers may hold credentials: only their names are shown.
        let names: Vec<&str> = self.headers.iter().map(|(name, _)| *name).collect();
        f.debug_struct("ApiRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &names)
            .field("body", &self.body)
            .finish()
    }
}

/// `method {base}{path}` with Prefect's headers, auth and a JSON body.
pub(crate) fn build(
    options: &ClientOptions,
    method: Method,
    path: &str,
    body: Option<&impl Serialize>,
) -> Result<ApiRequest, ClientError> {
    // Only the body's writing depends on its type: the rest is one function for every body
    // (a copy per body type was code the console's wasm carried for each).
    let body = body.map(serde_json::to_string).transpose().map_err(|err| {
        ClientError::InvalidArgument {
            message: format!("the request body cannot be written as JSON: {err}"),
        }
    })?;
    build_written(options, method, path, body)
}

/// [`build`] with the body already written as JSON.
fn build_written(
    options: &ClientOptions,
    method: Method,
    path: &str,
    body: Option<String>,
) -> Result<ApiRequest, ClientError> {
    let base = options.validated_base()?;
    let mut headers = vec![
        ("Accept", "application/json".to_owned()),
        ("X-PREFECT-API-VERSION", API_VERSION.to_owned()),
    ];
    match &options.auth {
        Some(Auth::Basic(pair)) => headers.push((
            "Authorization",
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(pair.as_bytes())
            ),
        )),
        Some(Auth::Bearer(key)) => {
            headers.push(("Authorization", format!("Bearer {}", key.trim())))
        }
        None => {}
    }
    if body.is_some() {
        headers.push(("Content-Type", "application/json".to_owned()));
    }
    Ok(ApiRequest {
        method,
        url: format!("{base}{path}"),
        headers,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header<'a>(request: &'a ApiRequest, name: &str) -> Option<&'a str> {
        request
            .headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn requests_carry_prefects_headers_and_auth() {
        let options = ClientOptions::new("http://127.0.0.1:4200/api/")
            .with_auth(Auth::Basic("flow:s3cret".into()));
        let request = build(
            &options,
            Method::Post,
            "/flow_runs/count",
            Some(&serde_json::json!({})),
        )
        .expect("builds");
        assert_eq!(request.url, "http://127.0.0.1:4200/api/flow_runs/count");
        assert_eq!(header(&request, "X-PREFECT-API-VERSION"), Some("0.8.4"));
        assert_eq!(
            header(&request, "Authorization"),
            Some("Basic ZmxvdzpzM2NyZXQ=")
        );
        assert_eq!(header(&request, "Content-Type"), Some("application/json"));
        assert_eq!(request.body.as_deref(), Some("{}"));
        let shown = format!("{request:?}");
        assert!(
            !shown.contains("ZmxvdzpzM2NyZXQ") && !shown.contains("s3cret"),
            "{shown}"
        );

        let cloud = ClientOptions::new("https://api.prefect.cloud/api/accounts/a/workspaces/w")
            .with_auth(Auth::Bearer("pnu_key".into()));
        let request = build(&cloud, Method::Get, "/health", None::<&()>).expect("builds");
        assert_eq!(
            request.url,
            "https://api.prefect.cloud/api/accounts/a/workspaces/w/health"
        );
        assert_eq!(header(&request, "Authorization"), Some("Bearer pnu_key"));
        assert_eq!(request.body, None);
        assert!(format!("{:?}", cloud.auth).contains("redacted"));
    }

    #[test]
    fn bad_options_are_refused_before_any_request() {
        for (url, auth, says) in [
            ("", None, "empty"),
            ("127.0.0.1:4200/api", None, "must start with"),
            ("http://user:pw@127.0.0.1/api", None, "holds credentials"),
            ("http:///api", None, "no host"),
            (
                "/api",
                Some(Auth::Basic("no-colon".into())),
                "user:password",
            ),
        ] {
            let mut options = ClientOptions::new(url);
            options.auth = auth;
            match build(&options, Method::Get, "/health", None::<&()>) {
                Err(ClientError::InvalidConfig { message }) => {
                    assert!(message.contains(says), "{url}: {message}");
                    assert!(!message.contains("pw"), "no secret in {message}");
                }
                other => panic!("{url}: expected InvalidConfig, got {other:?}"),
            }
        }
    }
}
