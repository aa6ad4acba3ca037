//! The gate from JS: what its policy says for a person (core's `policy_verdict`, the very
//! function the gate enforces with), and deciding through it.

use flowgate_core::policy::{PolicyCase, policy_verdict};
use wasm_bindgen::prelude::*;

use crate::abort::{cancellable, signal_from};
use crate::client::{
    PrefectClient, Progress, bulk_outcome_value, promise, rejected_promise, with_flow_run_id,
};
use crate::convert::{
    Options, client_error, flow_run_id, id_list, invalid_argument, model_from_js, to_js,
};
use crate::options_input;

/// The run input an options object gives (see `options_input`), which must be an object.
fn run_input_of(options: &Options) -> Result<Option<serde_json::Value>, JsValue> {
    match options_input(options)? {
        serde_json::Value::Null => Ok(None),
        value @ serde_json::Value::Object(_) => Ok(Some(value)),
        _ => Err(invalid_argument(
            "runInput must be a plain object or the JSON text of one",
        )),
    }
}

/// What the gate's policy says for the case's person: whether they may approve (the input
/// given) or reject, with the reason in words. `policyCase` is what `client.gatePolicy(id)`
/// answered.
#[wasm_bindgen(js_name = checkPolicy, unchecked_return_type = "PolicyVerdict")]
pub fn check_policy(
    #[wasm_bindgen(unchecked_param_type = "PolicyCase")] policy_case: JsValue,
    #[wasm_bindgen(unchecked_param_type = "CheckPolicyOptions | undefined")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let case: PolicyCase = model_from_js("policy case", policy_case)?;
    let options = Options::new(
        "checkPolicy options",
        &options,
        &["runInput", "runInputJson"],
    )?;
    let input = run_input_of(&options)?;
    to_js(&policy_verdict(&case, input.as_ref()))
}

#[wasm_bindgen]
impl PrefectClient {
    /// `GET /gate/capabilities` beside the API (`…/api` → `…/gate`): the gate and who it says
    /// you are; `null` when no gate answers.
    #[wasm_bindgen(unchecked_return_type = "Promise<GateCapabilities | null>")]
    pub fn gate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Cancellable | undefined")] options: JsValue,
    ) -> js_sys::Promise {
        promise(&self.inner, &options, |c| async move { c.gate().await })
    }

    /// `GET /gate/flow_runs/{id}/policy`: the case `checkPolicy` decides from.
    #[wasm_bindgen(js_name = gatePolicy, unchecked_return_type = "Promise<PolicyCase>")]
    pub fn gate_policy(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Cancellable | undefined")] options: JsValue,
    ) -> js_sys::Promise {
        with_flow_run_id(&self.inner, &id, &options, |c, id| async move {
            c.gate_policy::<serde_json::Value>(id).await
        })
    }

    /// `POST /gate/flow_runs/{id}/approve`: approves with `{ runInput? | runInputJson? }`;
    /// the run resumes when this is the last approval needed. Never retried.
    #[wasm_bindgen(unchecked_return_type = "Promise<GateApproval>")]
    pub fn approve(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "ApproveOptions | undefined")] options: JsValue,
    ) -> js_sys::Promise {
        let parsed = flow_run_id(&id).and_then(|id| {
            let options = Options::new(
                "approve options",
                &options,
                &["runInput", "runInputJson", "signal"],
            )?;
            Ok((id, run_input_of(&options)?, signal_from(&options)?))
        });
        let (id, input, signal) = match parsed {
            Ok(parsed) => parsed,
            Err(error) => return rejected_promise(error),
        };
        let client = self.inner.clone();
        cancellable(signal, async move {
            match client
                .gate_approve::<serde_json::Value>(id, input.as_ref())
                .await
            {
                Ok(approval) => to_js(&approval),
                Err(err) => Err(client_error(&err)),
            }
        })
    }

    /// `POST /gate/flow_runs/approve`: approves runs that ask no input, each with its own
    /// outcome, `chunk` (default 25) runs a request.
    #[wasm_bindgen(js_name = approveMany, unchecked_return_type = "Promise<GateBulkOutcome[]>")]
    pub fn approve_many(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string[]")] ids: JsValue,
        #[wasm_bindgen(
            unchecked_param_type = "{ chunk?: number | undefined; signal?: AbortSignalLike | undefined } | undefined"
        )]
        options: JsValue,
    ) -> js_sys::Promise {
        let parsed = id_list("ids", &ids).and_then(|ids| {
            let options = Options::new("approveMany options", &options, &["chunk", "signal"])?;
            let chunk = match options.get("chunk")? {
                value if value.is_undefined() || value.is_null() => 25,
                value => match value.as_f64() {
                    Some(n) if n.fract() == 0.0 && (1.0..=1000.0).contains(&n) => n as usize,
                    _ => {
                        return Err(invalid_argument(
                            "chunk must be a whole number from 1 to 1000",
                        ));
                    }
                },
            };
            Ok((ids, chunk, signal_from(&options)?))
        });
        let (ids, chunk, signal) = match parsed {
            Ok(parsed) => parsed,
            Err(error) => return rejected_promise(error),
        };
        let client = self.inner.clone();
        cancellable(signal, async move {
            let outcomes = client.gate_approve_many(&ids, chunk, |_, _, _| {}).await;
            // As resumeMany's: each error a FlowgateError like a thrown one.
            let values: Vec<_> = outcomes
                .iter()
                .map(|o| {
                    let answer = o
                        .outcome
                        .as_ref()
                        .map(|a| serde_json::to_value(a).unwrap_or_default());
                    bulk_outcome_value(o.flow_run_id, answer)
                })
                .collect();
            Progress::new(None).finish(&values)
        })
    }

    /// `POST /gate/flow_runs/{id}/reject` with `{ reason }`: the run ends Cancelled,
    /// `Rejected by <the person the gate signed in>: <reason>`. Never retried.
    #[wasm_bindgen(js_name = gateReject, unchecked_return_type = "Promise<GateReject>")]
    pub fn gate_reject(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
        #[wasm_bindgen(
            unchecked_param_type = "{ reason: string; signal?: AbortSignalLike | undefined }"
        )]
        options: JsValue,
    ) -> js_sys::Promise {
        let parsed = flow_run_id(&id).and_then(|id| {
            let checked = Options::new("gateReject options", &options, &["reason", "signal"])?;
            let reason = checked.get("reason")?.as_string().ok_or_else(|| {
                invalid_argument("gateReject needs { reason }, a string saying why")
            })?;
            Ok((id, reason, signal_from(&checked)?))
        });
        let (id, reason, signal) = match parsed {
            Ok(parsed) => parsed,
            Err(error) => return rejected_promise(error),
        };
        let client = self.inner.clone();
        cancellable(signal, async move {
            match client.gate_reject::<serde_json::Value>(id, &reason).await {
                Ok(rejected) => to_js(&rejected),
                Err(err) => Err(client_error(&err)),
            }
        })
    }
}
