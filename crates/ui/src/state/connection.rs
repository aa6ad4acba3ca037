//! Where the Prefect API is and how to authenticate, remembered in `localStorage` (the
//! secret only when the user ticks "remember").

use flowgate_client::{Auth, Client, ClientError, ClientOptions, Decider};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::storage;

const KEY: &str = "flowgate.connection";

/// Which credential to send.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub(crate) enum AuthKind {
    #[default]
    None,
    Basic,
    Bearer,
}

/// The connection settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Settings {
    pub(crate) api_url: String,
    pub(crate) auth: AuthKind,
    pub(crate) secret: String,
    pub(crate) remember: bool,
    /// The name decisions are recorded under (blank: the basic-auth user, else unnamed).
    #[serde(default)]
    pub(crate) decider: String,
    /// Whether decisions are recorded as Prefect events.
    #[serde(default = "yes")]
    pub(crate) record_decisions: bool,
    /// `system` (follow the browser), `light` or `dark`.
    #[serde(default = "system")]
    pub(crate) theme: String,
    /// Desktop notifications when a run pauses while the tab is in the background.
    #[serde(default)]
    pub(crate) notify: bool,
}

fn system() -> String {
    "system".into()
}

fn yes() -> bool {
    true
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            api_url: "/api".into(),
            auth: AuthKind::None,
            secret: String::new(),
            remember: false,
            decider: String::new(),
            record_decisions: true,
            theme: system(),
            notify: false,
        }
    }
}

impl Settings {
    pub(crate) fn options(&self) -> ClientOptions {
        let auth = match self.auth {
            AuthKind::None => None,
            AuthKind::Basic => Some(Auth::Basic(self.secret.clone())),
            AuthKind::Bearer => Some(Auth::Bearer(self.secret.clone())),
        };
        // A same-origin path (`/api`) is given the page's origin, so that an error names the
        // whole URL the console tried, not `/api/…`.
        let origin = web_sys::window().and_then(|w| w.location().origin().ok());
        let api_url = match origin.filter(|o| o.starts_with("http")) {
            Some(origin) if self.api_url.trim_start().starts_with('/') => {
                format!("{origin}{}", self.api_url.trim())
            }
            _ => self.api_url.clone(),
        };
        ClientOptions {
            auth,
            ..ClientOptions::new(api_url)
        }
    }

    /// Who decides: the name given, else the basic-auth user name; and whether to record.
    pub(crate) fn decider(&self) -> Decider {
        let auth = (self.auth == AuthKind::Basic).then(|| Auth::Basic(self.secret.clone()));
        Decider::new(Some(&self.decider), auth.as_ref(), self.record_decisions)
    }

    /// The run's page in Prefect's own UI, when the API URL says where that is.
    pub(crate) fn prefect_ui_run_url(&self, id: &str) -> Option<String> {
        let base = self.api_url.trim_end_matches('/').strip_suffix("/api")?;
        (!base.is_empty() && base.starts_with("http")).then(|| format!("{base}/runs/flow-run/{id}"))
    }
}

/// The connection, shared by every page.
#[derive(Clone, Copy)]
pub(crate) struct Connection {
    pub(crate) settings: RwSignal<Settings>,
}

impl Connection {
    pub(crate) fn load() -> Connection {
        let stored = storage()
            .and_then(|s| s.get_item(KEY).ok().flatten())
            .and_then(|text| serde_json::from_str::<Settings>(&text).ok())
            .unwrap_or_default();
        Connection {
            settings: RwSignal::new(stored),
        }
    }

    /// Applies and remembers new settings.
    pub(crate) fn save(&self, settings: Settings) {
        let mut kept = settings.clone();
        if !kept.remember {
            kept.secret.clear();
        }
        if let (Some(storage), Ok(text)) = (storage(), serde_json::to_string(&kept)) {
            let _ = storage.set_item(KEY, &text);
        }
        self.settings.set(settings);
    }

    /// A client for the current settings (tracked: resources re-run when they change).
    pub(crate) fn client(&self) -> Result<Client, ClientError> {
        Client::new(self.settings.get().options())
    }

    /// A client for the current settings, without tracking them.
    pub(crate) fn client_untracked(&self) -> Result<Client, ClientError> {
        Client::new(self.settings.get_untracked().options())
    }
}

/// The server's Prefect release, read once per connection (the header shows it; verdicts
/// that differ between releases follow it).
#[derive(Clone, Copy)]
pub(crate) struct ServerVersion(pub(crate) LocalResource<Result<String, ClientError>>);

impl ServerVersion {
    pub(crate) fn start(connection: Connection) -> ServerVersion {
        ServerVersion(LocalResource::new(move || {
            let client = connection.client();
            async move { client?.server_version().await }
        }))
    }

    /// The rules of the server's release, looked up in context once and read (tracked) on
    /// each call; those Flowgate is built against until it is read and where no console
    /// provides it (a page mounted alone, as in the browser tests); where it cannot be read,
    /// those marked unmeasured (only the server can tell).
    pub(crate) fn use_rules() -> impl Fn() -> flowgate_core::ServerRules + Copy {
        let server = use_context::<ServerVersion>();
        move || match server.and_then(|ServerVersion(version)| version.get()) {
            Some(Ok(version)) => flowgate_core::ServerRules::of_version_text(&version),
            Some(Err(_)) => flowgate_core::ServerRules::of(None),
            None => flowgate_core::ServerRules::BUILT_FOR,
        }
    }
}
