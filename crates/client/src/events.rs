//! Live flow-run changes through Prefect's events websocket (`/api/events/out`), as
//! Prefect's own Python client subscribes: subprotocol `prefect`, an `auth` message, then a
//! `filter` message. The facts this relies on are in `flowgate_core::events`.

use chrono::{DateTime, Utc};
use flowgate_core::events::{
    FlowRunChange, ServerMessage, auth_message, flow_run_filter_message, parse_server_message,
};
use futures_util::future::{Either, select};
use futures_util::{SinkExt, StreamExt};
use gloo_net::websocket::futures::WebSocket;
use gloo_net::websocket::{Message, State, WebSocketError};

use crate::options::Auth;
use crate::{Client, ClientError, transport};

/// A subscription to flow-run state changes. Dropping it closes the socket.
pub struct FlowRunEvents {
    socket: WebSocket,
    url: String,
}

impl std::fmt::Debug for FlowRunEvents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FlowRunEvents")
            .field("url", &self.url)
            .finish()
    }
}

/// The websocket URL of the event stream for an API base URL: `http` becomes `ws`, `https`
/// becomes `wss`; a same-origin base (`/api`) stays relative, which browsers resolve
/// against the page (with the page's scheme).
pub(crate) fn events_url(base: &str) -> String {
    let url = format!("{base}/events/out");
    if let Some(rest) = url.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = url.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        url
    }
}

fn closed(url: &str, error: &WebSocketError, opened: bool) -> ClientError {
    match error {
        WebSocketError::ConnectionClose(close) if close.code == 1008 => ClientError::EventStream {
            url: url.to_owned(),
            detail: format!("the server refused the credentials ({})", close.reason),
            refused: true,
        },
        WebSocketError::ConnectionClose(close) => ClientError::EventStream {
            url: url.to_owned(),
            detail: if close.reason.is_empty() {
                format!("the connection closed (code {})", close.code)
            } else {
                format!(
                    "the connection closed (code {}: {})",
                    close.code, close.reason
                )
            },
            refused: !opened,
        },
        other => ClientError::EventStream {
            url: url.to_owned(),
            detail: other.to_string(),
            refused: !opened,
        },
    }
}

impl Client {
    /// Subscribes to every flow-run state change from `since` on. Resolves once the server
    /// has accepted the credentials and the filter was sent; fails with
    /// [`ClientError::EventStream`] when the socket cannot be opened or is refused (an old
    /// server, a proxy without websocket support, wrong credentials) and with
    /// [`ClientError::Timeout`] when the server does not answer the handshake in time.
    ///
    /// Without credentials, a socket refused with the `prefect` subprotocol is tried once
    /// more without it: some proxies drop subprotocols (Trunk's dev proxy does), and Prefect
    /// accepts such a socket when it has no auth ("legacy mode": no auth message, the filter
    /// first).
    pub async fn watch_flow_runs(
        &self,
        since: DateTime<Utc>,
    ) -> Result<FlowRunEvents, ClientError> {
        match self.open_events(since, true).await {
            Err(first @ ClientError::EventStream { refused: true, .. })
                if self.options.auth.is_none() =>
            {
                self.open_events(since, false).await.map_err(|_| first)
            }
            other => other,
        }
    }

    async fn open_events(
        &self,
        since: DateTime<Utc>,
        subprotocol: bool,
    ) -> Result<FlowRunEvents, ClientError> {
        let url = events_url(&self.options.validated_base()?);
        let token = match &self.options.auth {
            Some(Auth::Basic(pair)) => Some(pair.as_str()),
            Some(Auth::Bearer(key)) => Some(key.trim()),
            None => None,
        };
        let opened = if subprotocol {
            WebSocket::open_with_protocol(&url, "prefect")
        } else {
            WebSocket::open(&url)
        };
        let mut socket = opened.map_err(|err| ClientError::EventStream {
            url: url.clone(),
            detail: err.to_string(),
            refused: true,
        })?;
        let handshake = async {
            // The socket wrapper only wakes a pending send on `open` or `error`, and Node 20's
            // WebSocket reports a refused connection with an `error` while staying CONNECTING:
            // so the handshake waits for the socket to open by looking, and takes an error
            // event before it opened as a refusal.
            loop {
                match socket.state() {
                    State::Open => break,
                    State::Closing | State::Closed => {
                        return Err(ClientError::EventStream {
                            url: url.clone(),
                            detail: "the connection was refused".into(),
                            refused: true,
                        });
                    }
                    State::Connecting => {
                        match select(socket.next(), Box::pin(transport::sleep(20))).await {
                            Either::Left((Some(Err(err)), _)) => {
                                return Err(closed(&url, &err, false));
                            }
                            Either::Left((None, _)) => {
                                return Err(ClientError::EventStream {
                                    url: url.clone(),
                                    detail: "the connection was refused".into(),
                                    refused: true,
                                });
                            }
                            _ => {}
                        }
                    }
                }
            }
            if subprotocol {
                socket
                    .send(Message::Text(auth_message(token)))
                    .await
                    .map_err(|err| closed(&url, &err, false))?;
                loop {
                    match socket.next().await {
                        Some(Ok(Message::Text(text))) => {
                            if let Ok(ServerMessage::AuthSuccess) = parse_server_message(&text) {
                                break;
                            }
                        }
                        Some(Ok(Message::Bytes(_))) => {}
                        Some(Err(err)) => return Err(closed(&url, &err, true)),
                        None => {
                            return Err(ClientError::EventStream {
                                url: url.clone(),
                                detail: "the connection closed during authentication".into(),
                                refused: true,
                            });
                        }
                    }
                }
            }
            socket
                .send(Message::Text(flow_run_filter_message(since)))
                .await
                .map_err(|err| closed(&url, &err, true))
        };
        let timeout = transport::sleep(i32::try_from(self.options.timeout_ms).unwrap_or(i32::MAX));
        let outcome = match select(Box::pin(handshake), Box::pin(timeout)).await {
            Either::Left((result, _)) => result,
            Either::Right(_) => Err(ClientError::Timeout {
                url: url.clone(),
                after_ms: self.options.timeout_ms,
            }),
        };
        outcome?;
        Ok(FlowRunEvents { socket, url })
    }
}

impl FlowRunEvents {
    /// The next flow-run state change; an error when the socket closes or fails (then
    /// subscribe again: events sent meanwhile are lost, so read the current state over HTTP).
    /// Messages that are not flow-run state events are skipped.
    pub async fn next(&mut self) -> Result<FlowRunChange, ClientError> {
        loop {
            match self.socket.next().await {
                Some(Ok(Message::Text(text))) => {
                    if let Ok(ServerMessage::Event(event)) = parse_server_message(&text)
                        && let Some(change) = FlowRunChange::from_event(&event)
                    {
                        return Ok(change);
                    }
                }
                Some(Ok(Message::Bytes(_))) => {}
                Some(Err(err)) => return Err(closed(&self.url, &err, true)),
                None => {
                    return Err(ClientError::EventStream {
                        url: self.url.clone(),
                        detail: "the connection closed".into(),
                        refused: false,
                    });
                }
            }
        }
    }

    /// Closes the socket.
    pub fn close(self) {
        let _ = self.socket.close(Some(1000), None);
    }
}

/// The state of a followed event stream.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum WatchStatus {
    /// Opening the socket for the first time.
    Connecting,
    /// Events arrive as they happen.
    Live,
    /// The socket dropped after it had worked; trying again with backoff.
    Reconnecting {
        /// Why it dropped.
        reason: String,
    },
    /// The socket was refused before it ever opened (an old server, a proxy without
    /// websocket support, wrong credentials); tried again every minute. Poll instead.
    Refused {
        /// Why.
        reason: String,
    },
}

/// Attempts before a socket that never opened counts as refused.
const REFUSED_AFTER: u32 = 2;
/// How often a refused socket is tried again, in ms.
const RETRY_REFUSED_MS: i32 = 60_000;

/// Milliseconds before reconnect attempt `n` (1-based): 1 s, 2 s, 4 s, … at most 30 s.
fn reconnect_ms(n: u32) -> i32 {
    (1_000 * 2i32.pow(n.saturating_sub(1).min(5))).min(30_000)
}

impl Client {
    /// Follows flow-run state changes until `stopped()` says so: subscribes, calls
    /// `on_change` for each change and `on_status` when the connection's state changes,
    /// and reconnects with backoff when the socket drops. After every (re)connect the
    /// status is `Live` again: events sent while the socket was down are lost, so callers
    /// re-read what they show over HTTP then. `stopped` is checked between events and
    /// attempts.
    pub async fn follow_flow_runs(
        &self,
        mut on_change: impl FnMut(FlowRunChange),
        mut on_status: impl FnMut(WatchStatus),
        stopped: impl Fn() -> bool,
    ) {
        on_status(WatchStatus::Connecting);
        let mut ever_open = false;
        let mut failures = 0u32;
        while !stopped() {
            // With no backfill, `since` only guards against a local clock ahead of the server's.
            let now = DateTime::<Utc>::from_timestamp_millis(js_sys::Date::now() as i64)
                .unwrap_or_default();
            let reason = match self.watch_flow_runs(now - chrono::Duration::hours(1)).await {
                Ok(mut events) => {
                    ever_open = true;
                    failures = 0;
                    on_status(WatchStatus::Live);
                    loop {
                        match events.next().await {
                            Ok(_) if stopped() => {
                                events.close();
                                return;
                            }
                            Ok(change) => on_change(change),
                            Err(error) => break error.to_string(),
                        }
                    }
                }
                Err(error) => error.to_string(),
            };
            if stopped() {
                return;
            }
            failures += 1;
            let wait = if !ever_open && failures >= REFUSED_AFTER {
                on_status(WatchStatus::Refused { reason });
                RETRY_REFUSED_MS
            } else {
                if ever_open {
                    on_status(WatchStatus::Reconnecting { reason });
                }
                reconnect_ms(failures)
            };
            transport::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::events_url;

    #[test]
    fn the_event_stream_lives_beside_the_api() {
        assert_eq!(
            events_url("http://127.0.0.1:4200/api"),
            "ws://127.0.0.1:4200/api/events/out"
        );
        assert_eq!(
            events_url("https://api.prefect.cloud/api/accounts/a/workspaces/w"),
            "wss://api.prefect.cloud/api/accounts/a/workspaces/w/events/out"
        );
        assert_eq!(events_url("/api"), "/api/events/out");
    }
}
