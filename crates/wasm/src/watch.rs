//! `client.watchFlowRuns({ filter?, onChange, onStatus? })`: live flow-run changes through
//! Prefect's events websocket, reconnecting with backoff, until `close()`.

use std::collections::HashSet;

use flowgate_client::{WatchStatus, parse_flow_run_id};
use flowgate_core::{FlowRunChange, StateType};
use futures_util::future::{AbortHandle, abortable};
use serde_json::{Value, json};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;

use crate::client::PrefectClient;
use crate::convert::{Options, from_js, invalid_argument, only_keys, to_js};

/// Node 20 has `WebSocket` (behind a flag) but no global `CloseEvent`, which the socket
/// wrapper needs to detach its close listener when a watch ends; without it the socket's
/// late close event would call a listener that is gone. Defines a minimal one where it is
/// missing (only there: browsers and newer Nodes have their own, so no code is ever built
/// from text in a browser).
fn ensure_close_event() {
    let global = js_sys::global();
    let missing =
        js_sys::Reflect::get(&global, &"CloseEvent".into()).is_ok_and(|v| v.is_undefined());
    if !missing {
        return;
    }
    let define = js_sys::Function::new_no_args(
        "globalThis.CloseEvent = class CloseEvent extends Event { \
           constructor(type, init = {}) { super(type, init); this.code = init.code ?? 0; \
             this.reason = init.reason ?? ''; this.wasClean = init.wasClean ?? false; } };",
    );
    let _ = define.call0(&JsValue::NULL);
}

/// A running watch; `close()` ends it and closes its socket.
#[wasm_bindgen]
pub struct FlowRunWatch {
    handle: AbortHandle,
}

#[wasm_bindgen]
impl FlowRunWatch {
    /// Stops watching: no callback is called after this, and the socket is closed.
    pub fn close(&self) {
        self.handle.abort();
    }
}

/// Which changes the caller wants: by the state entered (or left) and by run.
struct Wanted {
    states: Option<HashSet<String>>,
    runs: Option<HashSet<uuid::Uuid>>,
}

impl Wanted {
    fn admits(&self, change: &FlowRunChange) -> bool {
        let state_ok = self.states.as_ref().is_none_or(|states| {
            states.contains(change.state_type.as_str())
                || change
                    .previous_type
                    .as_ref()
                    .is_some_and(|p| states.contains(p.as_str()))
        });
        state_ok
            && self
                .runs
                .as_ref()
                .is_none_or(|runs| runs.contains(&change.flow_run_id))
    }
}

fn wanted_from(filter: &Value) -> Result<Wanted, JsValue> {
    if filter.is_null() {
        return Ok(Wanted {
            states: None,
            runs: None,
        });
    }
    if !filter.is_object() {
        return Err(invalid_argument(
            "filter must be an object such as { states: [\"PAUSED\"] }",
        ));
    }
    if let Some(object) = filter.as_object() {
        only_keys(
            "filter",
            object.keys().cloned().collect(),
            &["states", "flowRunIds"],
        )?;
    }
    let list = |key: &str| -> Result<Option<Vec<String>>, JsValue> {
        match filter.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| {
                    v.as_str().map(str::to_owned).ok_or_else(|| {
                        invalid_argument(&format!("filter.{key} must be a list of strings"))
                    })
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(invalid_argument(&format!(
                "filter.{key} must be a list of strings"
            ))),
        }
    };
    // A state type the server does not have (a lower-case "paused") would never match: it is
    // refused, as the same list in a listFlowRuns filter gets a 422.
    let states = match list("states")? {
        None => None,
        Some(states) => Some(
            states
                .iter()
                .map(|s| match StateType::from_wire(s) {
                    StateType::Unknown(_) => Err(invalid_argument(&format!(
                        "filter.states has {s:?}, which is not a state type; they are {}",
                        StateType::KNOWN
                            .iter()
                            .map(StateType::as_str)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))),
                    known => Ok(known.as_str().to_owned()),
                })
                .collect::<Result<HashSet<_>, _>>()?,
        ),
    };
    let runs = match list("flowRunIds")? {
        None => None,
        Some(ids) => Some(
            ids.iter()
                .map(|id| parse_flow_run_id(id).map_err(|err| invalid_argument(&err.to_string())))
                .collect::<Result<HashSet<_>, _>>()?,
        ),
    };
    Ok(Wanted { states, runs })
}

fn callback(
    options: &Options,
    key: &str,
    required: bool,
) -> Result<Option<js_sys::Function>, JsValue> {
    let value = options.get(key)?;
    if value.is_undefined() || value.is_null() {
        return if required {
            Err(invalid_argument(&format!(
                "watchFlowRuns needs {key}, a function"
            )))
        } else {
            Ok(None)
        };
    }
    value
        .dyn_into::<js_sys::Function>()
        .map(Some)
        .map_err(|_| invalid_argument(&format!("{key} must be a function")))
}

/// Where an exception thrown by a watch's callback goes: to `onError(error)` when given,
/// else to `console.error`; the watch goes on either way. Thrown from inside the watch, it
/// would otherwise surface as an unhandled rejection, which ends a Node process.
#[derive(Clone)]
struct Report {
    on_error: Option<js_sys::Function>,
}

impl Report {
    /// Calls `f(value)`, reporting what it throws.
    fn call(&self, f: &js_sys::Function, value: Result<JsValue, JsValue>) {
        if let Err(thrown) = value.and_then(|value| f.call1(&JsValue::NULL, &value)) {
            self.thrown(thrown);
        }
    }

    fn thrown(&self, thrown: JsValue) {
        let reported = self
            .on_error
            .as_ref()
            .is_some_and(|on_error| on_error.call1(&JsValue::NULL, &thrown).is_ok());
        if !reported {
            let console = js_sys::Reflect::get(&js_sys::global(), &"console".into());
            if let Some(error) = console
                .and_then(|c| js_sys::Reflect::get(&c, &"error".into()))
                .ok()
                .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
            {
                let _ = error.call2(
                    &JsValue::NULL,
                    &"flowgate: a watchFlowRuns callback threw:".into(),
                    &thrown,
                );
            }
        }
    }
}

fn change_to_js(change: &FlowRunChange) -> Result<JsValue, JsValue> {
    to_js(&json!({
        "flowRunId": change.flow_run_id,
        "stateType": change.state_type.as_str(),
        "stateName": change.state_name,
        "previousType": change.previous_type.as_ref().map(StateType::as_str),
        "occurred": flowgate_core::timestamp::format(&change.occurred),
        "eventId": change.event_id,
    }))
}

#[wasm_bindgen]
impl PrefectClient {
    /// Watches flow-run state changes through Prefect's events websocket, calling
    /// `onChange(change)` for each and `onStatus(status)` when the connection's state
    /// changes (`connecting`, `live`, `reconnecting`, `refused`), reconnecting with backoff
    /// until `close()`. Events sent while the socket is down are lost: on each `live`,
    /// re-read what you show. Node 20 needs `--experimental-websocket`.
    #[wasm_bindgen(js_name = watchFlowRuns)]
    pub fn watch_flow_runs(
        &self,
        #[wasm_bindgen(unchecked_param_type = "WatchFlowRunsOptions")] options: JsValue,
    ) -> Result<FlowRunWatch, JsValue> {
        if options.is_undefined() || options.is_null() {
            return Err(invalid_argument(
                "watchFlowRuns takes { onChange, onStatus?, onError?, filter? }",
            ));
        }
        let options = Options::new(
            "watchFlowRuns options",
            &options,
            &["filter", "onChange", "onStatus", "onError"],
        )?;
        let on_change =
            callback(&options, "onChange", true)?.ok_or_else(|| invalid_argument("onChange"))?;
        let on_status = callback(&options, "onStatus", false)?;
        let report = Report {
            on_error: callback(&options, "onError", false)?,
        };
        let wanted = wanted_from(&from_js("filter", options.get("filter")?)?)?;
        let has_websocket =
            js_sys::Reflect::has(&js_sys::global(), &"WebSocket".into()).unwrap_or(false);
        if !has_websocket {
            return Err(crate::convert::plain_error(
                "invalidConfig",
                "This JavaScript runtime has no WebSocket: Node 20 needs --experimental-websocket (Node 22 has it built in).",
            ));
        }
        ensure_close_event();
        let client = self.inner.clone();
        let (follow, handle) = abortable(async move {
            client
                .follow_flow_runs(
                    |change| {
                        if wanted.admits(&change) {
                            report.call(&on_change, change_to_js(&change));
                        }
                    },
                    |status: WatchStatus| {
                        if let Some(f) = &on_status {
                            report.call(f, to_js(&status));
                        }
                    },
                    || false,
                )
                .await;
        });
        spawn_local(async move {
            let _ = follow.await;
        });
        Ok(FlowRunWatch { handle })
    }
}
