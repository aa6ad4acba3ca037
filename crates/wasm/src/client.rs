//! `PrefectClient`: `flowgate-client` for JS, every call a Promise.

use flowgate_client::core::{Flow, FlowRun, FlowRunFilter, FlowRunPageRequest};
use flowgate_client::{
    Auth, Client, ClientError, ClientOptions, DEFAULT_CONCURRENCY, Decided, Resumed,
};
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;

use crate::abort::{call_signal, cancellable, signal_from};
use crate::convert::{
    Options, client_error, flow_run_id, from_js, id_list, invalid_argument, model_from_js,
    plain_error, to_js,
};
use crate::decide::resumed_value;
use crate::json_text;

/// A Prefect API client.
#[wasm_bindgen]
pub struct PrefectClient {
    pub(crate) inner: Client,
}

/// `{ apiUrl, auth?, timeoutMs? }`, every key checked (a misspelt one is refused, not
/// ignored). Without `apiUrl` the client uses `/api` beside the page, which only a browser
/// page has: elsewhere (Node) `apiUrl` is required.
fn options_from(value: &JsValue) -> Result<ClientOptions, JsValue> {
    let options = Options::new(
        "PrefectClient options",
        value,
        &["apiUrl", "auth", "timeoutMs"],
    )?;
    let value = from_js("PrefectClient options", value.clone())?;
    let mut client = ClientOptions::default();
    let in_page = js_sys::Reflect::get(&js_sys::global(), &"location".into())
        .is_ok_and(|location| location.is_object());
    match value.get("apiUrl") {
        None | Some(Value::Null) if in_page => {}
        None | Some(Value::Null) => {
            return Err(plain_error(
                "invalidConfig",
                "PrefectClient needs { apiUrl } outside a browser page, e.g. new PrefectClient({ apiUrl: \"http://127.0.0.1:4200/api\" })",
            ));
        }
        Some(url) => {
            let url = url
                .as_str()
                .ok_or_else(|| invalid_argument("apiUrl must be a string"))?;
            if !in_page && !url.contains("://") {
                return Err(plain_error(
                    "invalidConfig",
                    &format!(
                        "apiUrl {url:?} is relative, which only a browser page can resolve: give the full URL, e.g. http://127.0.0.1:4200/api"
                    ),
                ));
            }
            client.api_url = url.to_owned();
        }
    }
    if let Some(ms) = value.get("timeoutMs").filter(|v| !v.is_null()) {
        client.timeout_ms = ms
            .as_u64()
            .and_then(|ms| u32::try_from(ms).ok())
            .filter(|ms| *ms > 0)
            .ok_or_else(|| invalid_argument("timeoutMs must be a whole number of milliseconds"))?;
    }
    let auth = options.get("auth")?;
    if auth.is_object() {
        Options::new("auth", &auth, &["basic", "bearer"])?;
    }
    client.auth = match value.get("auth") {
        None | Some(Value::Null) => None,
        Some(auth) => match (auth.get("basic"), auth.get("bearer")) {
            (Some(Value::String(pair)), None) => Some(Auth::Basic(pair.clone())),
            (None, Some(Value::String(key))) => Some(Auth::Bearer(key.clone())),
            _ => {
                return Err(invalid_argument(
                    "auth must be { basic: \"user:pass\" } or { bearer: \"<api key>\" }",
                ));
            }
        },
    };
    Ok(client)
}

/// Runs `call` on a copy of the client and resolves with its converted result; `options` is
/// the call's `{ signal? }` (see [`call_signal`]), checked before anything is sent.
pub(crate) fn promise<T, F>(
    client: &Client,
    options: &JsValue,
    call: impl FnOnce(Client) -> F + 'static,
) -> js_sys::Promise
where
    T: Serialize,
    F: std::future::Future<Output = Result<T, ClientError>> + 'static,
{
    let signal = match call_signal(options) {
        Ok(signal) => signal,
        Err(error) => return rejected_promise(error),
    };
    let client = client.clone();
    cancellable(signal, async move {
        match call(client).await {
            Ok(value) => to_js(&value),
            Err(err) => Err(client_error(&err)),
        }
    })
}

/// Reads `value` as the model `M`, then runs `call`; a value that does not fit rejects the
/// Promise with a `parse` error naming the JSON path.
pub(crate) fn with_model<M, T, F>(
    client: &Client,
    what: &'static str,
    value: JsValue,
    options: &JsValue,
    call: impl FnOnce(Client, M) -> F + 'static,
) -> js_sys::Promise
where
    M: serde::de::DeserializeOwned + 'static,
    T: Serialize,
    F: std::future::Future<Output = Result<T, ClientError>> + 'static,
{
    match model_from_js::<M>(what, value) {
        Ok(model) => promise(client, options, move |c| call(c, model)),
        Err(error) => rejected_promise(error),
    }
}

/// Reads `id` as a flow-run id, then runs `call`; an id that is not one rejects the Promise
/// with an `invalidArgument` error.
pub(crate) fn with_flow_run_id<T, F>(
    client: &Client,
    id: &JsValue,
    options: &JsValue,
    call: impl FnOnce(Client, uuid::Uuid) -> F + 'static,
) -> js_sys::Promise
where
    T: Serialize,
    F: std::future::Future<Output = Result<T, ClientError>> + 'static,
{
    match flow_run_id(id) {
        Ok(id) => promise(client, options, move |c| call(c, id)),
        Err(error) => rejected_promise(error),
    }
}

pub(crate) fn rejected_promise(error: JsValue) -> js_sys::Promise {
    js_sys::Promise::reject(&error)
}

#[wasm_bindgen]
impl PrefectClient {
    /// A client for `{ apiUrl, auth?, timeoutMs? }`; throws a `FlowgateError` of kind
    /// `invalidConfig` for options that cannot work.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "PrefectClientOptions | undefined")] options: JsValue,
    ) -> Result<PrefectClient, JsValue> {
        let options = options_from(&options)?;
        let inner = Client::new(options).map_err(|err| client_error(&err))?;
        Ok(PrefectClient { inner })
    }

    /// `GET /health`.
    #[wasm_bindgen(unchecked_return_type = "Promise<boolean>")]
    pub fn health(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Cancellable | undefined")] options: JsValue,
    ) -> js_sys::Promise {
        promise(&self.inner, &options, |c| async move { c.health().await })
    }

    /// `GET /admin/version`.
    #[wasm_bindgen(js_name = serverVersion, unchecked_return_type = "Promise<string>")]
    pub fn server_version(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Cancellable | undefined")] options: JsValue,
    ) -> js_sys::Promise {
        promise(&self.inner, &options, |c| async move {
            c.server_version().await
        })
    }

    /// `POST /flow_runs/filter`.
    #[wasm_bindgen(js_name = listFlowRuns, unchecked_return_type = "Promise<FlowRun[]>")]
    pub fn list_flow_runs(
        &self,
        #[wasm_bindgen(unchecked_param_type = "FlowRunFilter")] filter: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Cancellable | undefined")] options: JsValue,
    ) -> js_sys::Promise {
        with_model(
            &self.inner,
            "flow run filter",
            filter,
            &options,
            |c, filter: FlowRunFilter| async move { c.list_flow_runs(&filter).await },
        )
    }

    /// `POST /flow_runs/count`.
    #[wasm_bindgen(js_name = countFlowRuns, unchecked_return_type = "Promise<number>")]
    pub fn count_flow_runs(
        &self,
        #[wasm_bindgen(unchecked_param_type = "FlowRunFilter")] filter: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Cancellable | undefined")] options: JsValue,
    ) -> js_sys::Promise {
        with_model(
            &self.inner,
            "flow run filter",
            filter,
            &options,
            |c, filter: FlowRunFilter| async move { c.count_flow_runs(&filter).await },
        )
    }

    /// `POST /flow_runs/paginate`.
    #[wasm_bindgen(js_name = paginateFlowRuns, unchecked_return_type = "Promise<FlowRunPage>")]
    pub fn paginate_flow_runs(
        &self,
        #[wasm_bindgen(unchecked_param_type = "FlowRunPageRequest")] page: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Cancellable | undefined")] options: JsValue,
    ) -> js_sys::Promise {
        with_model(
            &self.inner,
            "flow run page request",
            page,
            &options,
            |c, page: FlowRunPageRequest| async move { c.paginate_flow_runs(&page).await },
        )
    }

    /// `GET /flow_runs/{id}`.
    #[wasm_bindgen(js_name = readFlowRun, unchecked_return_type = "Promise<FlowRun>")]
    pub fn read_flow_run(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Cancellable | undefined")] options: JsValue,
    ) -> js_sys::Promise {
        with_flow_run_id(&self.inner, &id, &options, |c, id| async move {
            c.read_flow_run(id).await
        })
    }

    /// `POST /flows/filter` for the flows of these ids.
    #[wasm_bindgen(js_name = flowsById, unchecked_return_type = "Promise<Flow[]>")]
    pub fn flows_by_id(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string[]")] ids: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Cancellable | undefined")] options: JsValue,
    ) -> js_sys::Promise {
        match id_list("ids", &ids) {
            Ok(ids) => promise(&self.inner, &options, move |c| async move {
                c.flows_by_id::<Flow>(ids).await
            }),
            Err(error) => rejected_promise(error),
        }
    }

    /// The schema text and description a paused run asks for; `null` when its pause did
    /// not ask for input.
    #[wasm_bindgen(js_name = readRunInputSchema, unchecked_return_type = "Promise<RunInputRequest | null>")]
    pub fn read_run_input_schema(
        &self,
        #[wasm_bindgen(unchecked_param_type = "FlowRun")] flow_run: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Cancellable | undefined")] options: JsValue,
    ) -> js_sys::Promise {
        with_model(
            &self.inner,
            "flow run",
            flow_run,
            &options,
            |c, run: FlowRun| async move { c.run_input_request(&run).await },
        )
    }

    /// `POST /flow_runs/{id}/resume`; never blindly retried. The input is an object or its
    /// JSON text (sent byte for byte as checked: `1.0` stays apart from `1`). With `{ decider?, record? }`
    /// the decision is recorded as a Prefect event when the run was resumed (`record`
    /// defaults to true); the answer's `record` says whether that worked.
    #[wasm_bindgen(unchecked_return_type = "Promise<Resumed>")]
    pub fn resume(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
        #[wasm_bindgen(
            unchecked_param_type = "Record<string, unknown> | string | null | undefined"
        )]
        run_input: JsValue,
        #[wasm_bindgen(unchecked_param_type = "ResumeOptions | undefined")] options: JsValue,
    ) -> js_sys::Promise {
        let parsed = flow_run_id(&id).and_then(|id| {
            let input = match run_input.as_string() {
                Some(text) => json_text("runInput", &text)?,
                None => from_js("runInput", run_input)?,
            };
            // Prefect takes the fields a run asks for as an object; anything else is a mistake
            // here, refused before it is sent.
            if !(input.is_object() || input.is_null()) {
                return Err(invalid_argument(&format!(
                    "runInput must be an object of the fields the run asks for (or its JSON text), not {}",
                    match &input {
                        Value::Array(_) => "an array",
                        Value::String(_) => "a string",
                        Value::Number(_) => "a number",
                        _ => "a boolean",
                    }
                )));
            }
            let options = Options::new(
                "resume options",
                &options,
                &["decider", "record", "signal"],
            )?;
            Ok((id, input, self.decider(&options)?, signal_from(&options)?))
        });
        let (id, input, decider, signal) = match parsed {
            Ok(parsed) => parsed,
            Err(error) => return rejected_promise(error),
        };
        let input = (!input.is_null()).then_some(input);
        let client = self.inner.clone();
        cancellable(signal, async move {
            match client
                .resume_decided(id, input.as_ref(), None, &decider, false)
                .await
            {
                Ok(decided) => to_js(&resumed_value(&decided)),
                Err(err) => Err(client_error(&err)),
            }
        })
    }

    /// Resumes each run once, `concurrency` (default 4) at a time, calling
    /// `onProgress({ flowRunId, accepted, answer, error, done, total })` as each completes; one failure
    /// never stops the batch. Each resume is recorded as `resume` records it.
    #[wasm_bindgen(js_name = resumeMany, unchecked_return_type = "Promise<BulkOutcome[]>")]
    pub fn resume_many(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string[]")] ids: JsValue,
        #[wasm_bindgen(unchecked_param_type = "ResumeManyOptions | undefined")] options: JsValue,
    ) -> js_sys::Promise {
        let parsed = id_list("ids", &ids).and_then(|ids| {
            let options = Options::new(
                "resumeMany options",
                &options,
                &["decider", "record", "concurrency", "onProgress", "signal"],
            )?;
            Ok((
                ids,
                self.decider(&options)?,
                bulk_options(&options)?,
                signal_from(&options)?,
            ))
        });
        let (ids, decider, (concurrency, on_progress), signal) = match parsed {
            Ok(parsed) => parsed,
            Err(error) => return rejected_promise(error),
        };
        let client = self.inner.clone();
        cancellable(signal, async move {
            let value = |o: &flowgate_client::BulkOutcome<Decided<Resumed>>| {
                bulk_outcome_value(o.flow_run_id, o.outcome.as_ref().map(resumed_value))
            };
            let mut progress = Progress::new(on_progress);
            let outcomes = client
                .resume_many_decided(&ids, concurrency, &decider, |outcome, done, total| {
                    progress.report(value(outcome), done, total);
                })
                .await;
            progress.finish(&outcomes.iter().map(value).collect::<Vec<_>>())
        })
    }
}

/// `concurrency` (default 4) and `onProgress` from a bulk call's options.
pub(crate) fn bulk_options(
    options: &Options,
) -> Result<(usize, Option<js_sys::Function>), JsValue> {
    let concurrency = match options.get("concurrency")? {
        v if v.is_undefined() || v.is_null() => DEFAULT_CONCURRENCY,
        v => match v.as_f64() {
            Some(n) if (1.0..=64.0).contains(&n) && n.fract() == 0.0 => n as usize,
            _ => {
                return Err(invalid_argument(
                    "concurrency must be a whole number from 1 to 64",
                ));
            }
        },
    };
    let on_progress = match options.get("onProgress")? {
        v if v.is_undefined() || v.is_null() => None,
        v => Some(
            v.dyn_into::<js_sys::Function>()
                .map_err(|_| invalid_argument("onProgress must be a function"))?,
        ),
    };
    Ok((concurrency, on_progress))
}

/// A bulk call's `onProgress`: called with each outcome and the count so far. The first
/// exception it throws is kept, and rejects the call's Promise once the batch is done (the
/// batch itself is not cut short: requests already sent cannot be taken back).
pub(crate) struct Progress {
    callback: Option<js_sys::Function>,
    thrown: Option<JsValue>,
}

impl Progress {
    pub(crate) fn new(callback: Option<js_sys::Function>) -> Progress {
        Progress {
            callback,
            thrown: None,
        }
    }

    pub(crate) fn report(&mut self, outcome: BulkOutcome, done: usize, total: usize) {
        let Some(callback) = &self.callback else {
            return;
        };
        let Ok(event) = outcome.to_js() else {
            return;
        };
        let _ = js_sys::Reflect::set(&event, &"done".into(), &(done as f64).into());
        let _ = js_sys::Reflect::set(&event, &"total".into(), &(total as f64).into());
        if let Err(thrown) = callback.call1(&JsValue::NULL, &event) {
            self.thrown.get_or_insert(thrown);
        }
    }

    /// The call's result: the outcomes, or what `onProgress` threw.
    pub(crate) fn finish(self, outcomes: &[BulkOutcome]) -> Result<JsValue, JsValue> {
        match self.thrown {
            Some(thrown) => Err(thrown),
            None => outcomes
                .iter()
                .map(BulkOutcome::to_js)
                .collect::<Result<js_sys::Array, _>>()
                .map(Into::into),
        }
    }
}

/// `{ flowRunId, accepted, answer, error }` for one run of a bulk action. `answer` is what
/// came back for what was sent; `accepted` says whether the server accepted it (a resume the
/// server answered with REJECT was sent and answered, but not accepted); `error` is a
/// `FlowgateError` like any thrown one.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BulkOutcome {
    flow_run_id: uuid::Uuid,
    accepted: bool,
    answer: Option<Value>,
    #[serde(skip)]
    error: Option<ClientError>,
}

impl BulkOutcome {
    fn to_js(&self) -> Result<JsValue, JsValue> {
        let value = to_js(self)?;
        let error = self.error.as_ref().map_or(JsValue::NULL, client_error);
        js_sys::Reflect::set(&value, &"error".into(), &error)?;
        Ok(value)
    }
}

/// One run's [`BulkOutcome`], from what came back for it.
pub(crate) fn bulk_outcome_value(
    flow_run_id: uuid::Uuid,
    outcome: Result<Value, &ClientError>,
) -> BulkOutcome {
    match outcome {
        Ok(answer) => BulkOutcome {
            flow_run_id,
            accepted: answer["result"]["status"]
                .as_str()
                .is_none_or(|status| status == "ACCEPT"),
            answer: Some(answer),
            error: None,
        },
        Err(err) => BulkOutcome {
            flow_run_id,
            accepted: false,
            answer: None,
            error: Some(err.clone()),
        },
    }
}
