//! Rejects and the decision record for JS: `checkReject`, `client.reject`,
//! `client.rejectMany`, `client.decisions` and `client.flowRunStates`.

use flowgate_client::core::{FlowRun, RejectPlan, reject_message, reject_plan_on};
use flowgate_client::{Auth, ClientError, Decided, Decider, Rejected, Resumed};
use serde_json::{Value, json};
use uuid::Uuid;
use wasm_bindgen::prelude::*;

use crate::abort::{cancellable, signal_from};
use crate::client::{PrefectClient, bulk_outcome_value, rejected_promise, with_flow_run_id};
use crate::convert::{
    Options, client_error, client_error_data, flow_run_id, id_list, invalid_argument,
    model_from_js, to_js,
};
use crate::{Verdict, instant};

/// The plan for JS: what will be proposed, the predicted answer, what happens next.
fn plan_value(plan: &RejectPlan, message: &str) -> Value {
    // Outside the measured releases the answer is only the nearest measured release's, so
    // the verdict leaves it to the server, as checkResume's does.
    let verdict = match &plan.unmeasured {
        None => Verdict::answer(&plan.answer),
        Some(release) => Verdict::unanswered("server", None, release.reason()),
    };
    json!({
        "rejectable": true,
        "proposed": plan.proposed.to_string(),
        "message": message,
        "verdict": serde_json::to_value(verdict).unwrap_or(Value::Null),
        "keepsMessage": plan.keeps_message,
        "aftermath": plan.aftermath,
        "explanation": plan.aftermath.explain(),
    })
}

/// `{ eventId }`, `{ error }` or null for a decision's record.
fn record_value(record: &Option<Result<Uuid, ClientError>>) -> Value {
    match record {
        None => Value::Null,
        Some(Ok(id)) => json!({ "eventId": id, "error": null }),
        Some(Err(err)) => json!({
            "eventId": null,
            "error": { "message": err.to_string(), "details": client_error_data(err) },
        }),
    }
}

pub(crate) fn resumed_value(decided: &Decided<Resumed>) -> Value {
    let mut value = serde_json::to_value(&decided.outcome).unwrap_or(Value::Null);
    value["record"] = record_value(&decided.record);
    value
}

fn rejected_value(decided: &Decided<Rejected>) -> Value {
    let outcome = &decided.outcome;
    let mut value = plan_value(&outcome.plan, &outcome.message);
    if let Value::Object(map) = &mut value {
        map.remove("rejectable");
        let verdict = map.remove("verdict").unwrap_or(Value::Null);
        map.insert("predicted".into(), verdict);
    }
    value["result"] = serde_json::to_value(&outcome.result).unwrap_or(Value::Null);
    value["stateWritten"] = json!(outcome.state_written);
    value["record"] = record_value(&decided.record);
    value
}

impl PrefectClient {
    /// Who decides, from a decision call's options: the name given, else the user of this
    /// client's basic-auth credentials (see [`decider_from`]).
    pub(crate) fn decider(&self, options: &Options) -> Result<Decider, JsValue> {
        decider_from(options, self.inner.options().auth.as_ref())
    }
}

/// `{ decider?, record? }` from an options object, by the client's one rule
/// ([`Decider::new`]): the name given, else the user name of `auth`'s basic credentials;
/// recorded unless `record` is false.
fn decider_from(options: &Options, auth: Option<&Auth>) -> Result<Decider, JsValue> {
    let name = match options.get("decider")? {
        v if v.is_undefined() || v.is_null() => None,
        v => Some(
            v.as_string()
                .ok_or_else(|| invalid_argument("decider must be a string (a person's name)"))?,
        ),
    };
    let record = match options.get("record")? {
        v if v.is_undefined() => true,
        v => v
            .as_bool()
            .ok_or_else(|| invalid_argument("record must be true or false"))?,
    };
    Ok(Decider::new(name.as_deref(), auth, record))
}

fn reason_from(options: &Options) -> Result<String, JsValue> {
    options
        .get("reason")?
        .as_string()
        .ok_or_else(|| invalid_argument("reason must be a string: rejecting a run needs one"))
}

/// How Flowgate would reject this run, and what the server will answer: `{ rejectable:
/// false, reason }` for a run that is not paused.
#[wasm_bindgen(js_name = checkReject, unchecked_return_type = "RejectCheck")]
pub fn check_reject(
    #[wasm_bindgen(unchecked_param_type = "FlowRun | string")] flow_run: JsValue,
    #[wasm_bindgen(unchecked_param_type = "CheckRejectOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let run: FlowRun = model_from_js("flow run", flow_run)?;
    let options = Options::new(
        "checkReject options",
        &options,
        &["reason", "decider", "record", "now", "serverVersion"],
    )?;
    let decider = decider_from(&options, None)?;
    // The server's release (`client.serverVersion()`): before 3.8.6 a paused run cannot go
    // to CANCELLING, and the plan differs.
    let rules = crate::server_rules(&options)?;
    let reason = reason_from(&options)?;
    let message =
        reject_message(decider.name.as_deref(), &reason).map_err(|m| invalid_argument(&m))?;
    let now = instant(&options.get("now")?)?;
    let value = match reject_plan_on(&run, &message, now, rules) {
        Ok(plan) => plan_value(&plan, &message),
        Err(reason) => json!({ "rejectable": false, "reason": reason }),
    };
    to_js(&value)
}

#[wasm_bindgen]
impl PrefectClient {
    /// Rejects a paused run with `{ reason, decider?, record? }`: ends it Cancelled as
    /// `checkReject` plans, and records the decision as a Prefect event (unless `record:
    /// false`). Never blindly retried.
    #[wasm_bindgen(unchecked_return_type = "Promise<Rejected>")]
    pub fn reject(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "RejectOptions")] options: JsValue,
    ) -> js_sys::Promise {
        let parsed = flow_run_id(&id).and_then(|id| {
            let options = Options::new(
                "reject options",
                &options,
                &["reason", "decider", "record", "signal"],
            )?;
            Ok((
                id,
                self.decider(&options)?,
                reason_from(&options)?,
                signal_from(&options)?,
            ))
        });
        let (id, decider, reason, signal) = match parsed {
            Ok(parsed) => parsed,
            Err(error) => return rejected_promise(error),
        };
        let client = self.inner.clone();
        cancellable(signal, async move {
            match client.reject_decided(id, &reason, &decider, false).await {
                Ok(decided) => to_js(&rejected_value(&decided)),
                Err(err) => Err(client_error(&err)),
            }
        })
    }

    /// Rejects each run once with the same `{ reason, decider?, record?, concurrency?,
    /// onProgress? }`, as `resumeMany` resumes.
    #[wasm_bindgen(js_name = rejectMany, unchecked_return_type = "Promise<BulkRejectOutcome[]>")]
    pub fn reject_many(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string[]")] ids: JsValue,
        #[wasm_bindgen(unchecked_param_type = "RejectManyOptions")] options: JsValue,
    ) -> js_sys::Promise {
        let parsed = id_list("ids", &ids).and_then(|ids| {
            let options = Options::new(
                "rejectMany options",
                &options,
                &[
                    "reason",
                    "decider",
                    "record",
                    "concurrency",
                    "onProgress",
                    "signal",
                ],
            )?;
            let bulk = crate::client::bulk_options(&options)?;
            let signal = signal_from(&options)?;
            Ok((
                ids,
                self.decider(&options)?,
                reason_from(&options)?,
                bulk,
                signal,
            ))
        });
        let (ids, decider, reason, (concurrency, on_progress), signal) = match parsed {
            Ok(parsed) => parsed,
            Err(error) => return rejected_promise(error),
        };
        let client = self.inner.clone();
        cancellable(signal, async move {
            let value = |o: &flowgate_client::BulkOutcome<Decided<Rejected>>| {
                bulk_outcome_value(o.flow_run_id, o.outcome.as_ref().map(rejected_value))
            };
            let mut progress = crate::client::Progress::new(on_progress);
            let outcomes = client
                .reject_many(
                    &ids,
                    &reason,
                    concurrency,
                    &decider,
                    |outcome, done, total| progress.report(value(outcome), done, total),
                )
                .await;
            progress.finish(&outcomes.iter().map(value).collect::<Vec<_>>())
        })
    }

    /// The decisions recorded for a run (Prefect events `flowgate.decision.*`), newest
    /// first. Prefect stores events a few seconds after they are sent.
    #[wasm_bindgen(unchecked_return_type = "Promise<Decision[]>")]
    pub fn decisions(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Cancellable | undefined")] options: JsValue,
    ) -> js_sys::Promise {
        with_flow_run_id(&self.inner, &id, &options, |client, id| async move {
            let run = client.read_flow_run(id).await?;
            let since = run.created.unwrap_or_default();
            client.decisions(id, since).await
        })
    }

    /// Every state the run has been in, oldest first (`GET /flow_run_states/`).
    #[wasm_bindgen(js_name = flowRunStates, unchecked_return_type = "Promise<State[]>")]
    pub fn flow_run_states(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Cancellable | undefined")] options: JsValue,
    ) -> js_sys::Promise {
        with_flow_run_id(&self.inner, &id, &options, |client, id| async move {
            client.flow_run_states(id).await
        })
    }
}
