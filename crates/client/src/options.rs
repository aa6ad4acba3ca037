//! Where the Prefect API is and how to authenticate.

use crate::error::ClientError;

/// The Prefect API version this client speaks (`X-PREFECT-API-VERSION`).
pub const API_VERSION: &str = "0.8.4";

/// Default request timeout.
pub const DEFAULT_TIMEOUT_MS: u32 = 15_000;

/// Credentials for the Prefect API.
#[derive(Clone, PartialEq, Eq)]
pub enum Auth {
    /// HTTP Basic from a `user:pass` string, as self-hosted Prefect's
    /// `PREFECT_SERVER_API_AUTH_STRING` expects.
    Basic(String),
    /// A Prefect Cloud API key (`Authorization: Bearer <key>`).
    Bearer(String),
}

impl Auth {
    /// What kind of credential this is, in words for error messages (never the secret).
    pub fn kind(&self) -> &'static str {
        match self {
            Auth::Basic(_) => "the basic-auth user:password",
            Auth::Bearer(_) => "the API key",
        }
    }
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Secrets never reach logs.
        match self {
            Auth::Basic(_) => f.write_str("Auth::Basic(<redacted>)"),
            Auth::Bearer(_) => f.write_str("Auth::Bearer(<redacted>)"),
        }
    }
}

/// How to reach a Prefect server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientOptions {
    /// The API base: same-origin `/api` (the default), an absolute URL such as
    /// `http://127.0.0.1:4200/api`, or a Prefect Cloud workspace URL
    /// (`https://api.prefect.cloud/api/accounts/{account}/workspaces/{workspace}`).
    pub api_url: String,
    /// Credentials, if the server wants them.
    pub auth: Option<Auth>,
    /// How long one request may take before it is abandoned.
    pub timeout_ms: u32,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            api_url: "/api".into(),
            auth: None,
            timeout_ms: DEFAULT_TIMEOUT_MS,
        }
    }
}

impl ClientOptions {
    /// Options for the given API URL, no auth, default timeout.
    pub fn new(api_url: impl Into<String>) -> Self {
        ClientOptions {
            api_url: api_url.into(),
            ..ClientOptions::default()
        }
    }

    /// The same options with credentials.
    pub fn with_auth(mut self, auth: Auth) -> Self {
        self.auth = Some(auth);
        self
    }

    /// The same options with another timeout.
    pub fn with_timeout_ms(mut self, timeout_ms: u32) -> Self {
        self.timeout_ms = timeout_ms;
        self
    }

    /// Checks the options and returns the API base without a trailing slash.
    pub(crate) fn validated_base(&self) -> Result<String, ClientError> {
        let url = self.api_url.trim();
        let invalid = |why: &str| ClientError::InvalidConfig {
            message: why.to_owned(),
        };
        if url.is_empty() {
            return Err(invalid("the API URL is empty"));
        }
        if let Some(rest) = url
            .strip_prefix("http://")
            .or_else(|| url.strip_prefix("https://"))
        {
            let authority = rest.split('/').next().unwrap_or_default();
            if authority.contains('@') {
                return Err(invalid(
                    "the API URL holds credentials; give them as auth instead, so they never appear in URLs",
                ));
            }
            if authority.is_empty() {
                return Err(invalid("the API URL has no host"));
            }
        } else if !url.starts_with('/') {
            return Err(invalid(
                "the API URL must start with http://, https:// or / (same origin), e.g. http://127.0.0.1:4200/api",
            ));
        }
        if let Some(Auth::Basic(pair)) = &self.auth
            && !pair.contains(':')
        {
            return Err(invalid("basic auth must be given as user:password"));
        }
        if self.timeout_ms == 0 {
            return Err(invalid("the timeout must be more than 0 ms"));
        }
        Ok(url.trim_end_matches('/').to_owned())
    }
}
