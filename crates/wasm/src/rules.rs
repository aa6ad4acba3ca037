//! Rules from JS: notify, remind and default-on-timeout rules stored as Prefect automations
//! (`flowgate_core::rules`), the server's notification blocks, and what rules will do — and
//! did — for a run.

use flowgate_core::FlowRun;
use flowgate_core::rules::{NewBlockKind, Rule, default_message, plan_for_run};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

use crate::client::{PrefectClient, promise, rejected_promise, with_flow_run_id, with_model};
use crate::convert::{Options, flow_run_id, from_js, invalid_argument, model_from_js, to_js};
use crate::{instant, stored_schema};

/// The default message of a notify rule: `{ subject, body }`, Prefect templates with a link
/// to the run in the console at `consoleUrl`. `afterSeconds` makes it a reminder's.
#[wasm_bindgen(js_name = defaultMessage, unchecked_return_type = "RuleMessage")]
pub fn js_default_message(
    #[wasm_bindgen(
        unchecked_param_type = "{ consoleUrl: string; afterSeconds?: number | null | undefined }"
    )]
    options: JsValue,
) -> Result<JsValue, JsValue> {
    let options = Options::new(
        "defaultMessage options",
        &options,
        &["consoleUrl", "afterSeconds"],
    )?;
    let console = options
        .get("consoleUrl")?
        .as_string()
        .ok_or_else(|| invalid_argument("consoleUrl must be the console's public URL, a string"))?;
    let after = match options.get("afterSeconds")? {
        value if value.is_undefined() || value.is_null() => None,
        value => Some(
            value
                .as_f64()
                .filter(|n| n.fract() == 0.0 && *n >= 0.0 && *n <= 1e12)
                .map(|n| n as u64)
                .ok_or_else(|| {
                    invalid_argument("afterSeconds must be a whole number of seconds")
                })?,
        ),
    };
    let message = default_message(&console, after).map_err(|m| invalid_argument(&m))?;
    to_js(&message)
}

/// What `rules` will do for `run` while it stays paused, in time order: each step's rule,
/// time and whether it will happen (`status.kind`: `due`, `passed`, `tooLate`, `willFail`,
/// `disabled`). `schema` (the run's stored input schema, object or text) tells what the
/// server answers a rule's resume.
#[wasm_bindgen(js_name = planRules, unchecked_return_type = "PlannedStep[]")]
pub fn plan_rules(
    #[wasm_bindgen(unchecked_param_type = "Rule[]")] rules: JsValue,
    #[wasm_bindgen(unchecked_param_type = "FlowRun")] run: JsValue,
    #[wasm_bindgen(
        unchecked_param_type = "{ schema?: JsonSchema | string | null | undefined; now?: Date | string | number | undefined } | undefined"
    )]
    options: JsValue,
) -> Result<JsValue, JsValue> {
    let rules: Vec<Rule> = model_from_js("rules", rules)?;
    let run: FlowRun = model_from_js("flow run", run)?;
    let options = Options::new("planRules options", &options, &["schema", "now"])?;
    let schema_value = match options.get("schema")? {
        value if value.is_undefined() => None,
        value => Some(from_js("schema", value)?),
    };
    let schema = schema_value.as_ref().map(stored_schema);
    to_js(&plan_for_run(
        &rules,
        &run,
        schema,
        instant(&options.get("now")?)?,
    ))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NewBlock {
    kind: NewBlockKind,
    name: String,
    url: String,
}

#[wasm_bindgen]
impl PrefectClient {
    /// `POST /automations/filter`: Flowgate's rules (automations it made), each
    /// `{ status: "rule", rule }` or, when changed elsewhere beyond what a rule describes,
    /// `{ status: "editedElsewhere", id, name, why }`. Other automations are not listed.
    #[wasm_bindgen(unchecked_return_type = "Promise<ListedRule[]>")]
    pub fn rules(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Cancellable | undefined")] options: JsValue,
    ) -> js_sys::Promise {
        promise(&self.inner, &options, |c| async move { c.rules().await })
    }

    /// `POST /automations/`: creates the rule as one automation. Never retried.
    #[wasm_bindgen(js_name = createRule, unchecked_return_type = "Promise<Rule>")]
    pub fn create_rule(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Rule")] rule: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Cancellable | undefined")] options: JsValue,
    ) -> js_sys::Promise {
        with_model(
            &self.inner,
            "rule",
            rule,
            &options,
            |c, rule: Rule| async move { c.create_rule(&rule).await },
        )
    }

    /// `PUT /automations/{rule.id}`: replaces the rule, which must be one Flowgate made
    /// (`foreignAutomation` otherwise). Never retried.
    #[wasm_bindgen(js_name = updateRule, unchecked_return_type = "Promise<Rule>")]
    pub fn update_rule(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Rule")] rule: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Cancellable | undefined")] options: JsValue,
    ) -> js_sys::Promise {
        with_model(
            &self.inner,
            "rule",
            rule,
            &options,
            |c, rule: Rule| async move { c.update_rule(&rule).await },
        )
    }

    /// `DELETE /automations/{id}`: deletes a rule Flowgate made (`foreignAutomation`
    /// otherwise).
    #[wasm_bindgen(js_name = deleteRule, unchecked_return_type = "Promise<void>")]
    pub fn delete_rule(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Cancellable | undefined")] options: JsValue,
    ) -> js_sys::Promise {
        match flow_run_id(&id) {
            Ok(id) => promise(&self.inner, &options, move |c| async move {
                c.delete_rule(id).await
            }),
            Err(_) => rejected_promise(invalid_argument(&format!(
                "{} is not a rule id (a UUID)",
                crate::convert::js_type(&id)
            ))),
        }
    }

    /// `POST /block_documents/filter`: the server's named blocks that can notify.
    #[wasm_bindgen(js_name = notifyBlocks, unchecked_return_type = "Promise<NotifyBlock[]>")]
    pub fn notify_blocks(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Cancellable | undefined")] options: JsValue,
    ) -> js_sys::Promise {
        promise(
            &self.inner,
            &options,
            |c| async move { c.notify_blocks().await },
        )
    }

    /// Creates a notification block that needs only a URL:
    /// `{ kind: "custom-webhook" | "slack-webhook" | "ms-teams-webhook", name, url }`.
    #[wasm_bindgen(js_name = createNotifyBlock, unchecked_return_type = "Promise<NotifyBlock>")]
    pub fn create_notify_block(
        &self,
        #[wasm_bindgen(unchecked_param_type = "NewNotifyBlock")] block: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Cancellable | undefined")] options: JsValue,
    ) -> js_sys::Promise {
        with_model(
            &self.inner,
            "notify block",
            block,
            &options,
            |c, block: NewBlock| async move {
                c.create_notify_block(block.kind, &block.name, &block.url)
                    .await
            },
        )
    }

    /// `GET /admin/settings`: whether the server's triggers and actions services run (rules
    /// fire only when both do); unknowns where the server does not say.
    #[wasm_bindgen(js_name = automationEngine, unchecked_return_type = "Promise<EngineStatus>")]
    pub fn automation_engine(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Cancellable | undefined")] options: JsValue,
    ) -> js_sys::Promise {
        promise(&self.inner, &options, |c| async move {
            c.automation_engine().await
        })
    }

    /// What automations did about run `id` (notifications sent, states changed, failures with
    /// Prefect's reason), newest first.
    #[wasm_bindgen(js_name = ruleActivity, unchecked_return_type = "Promise<RuleActivity[]>")]
    pub fn rule_activity(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Cancellable | undefined")] options: JsValue,
    ) -> js_sys::Promise {
        with_flow_run_id(&self.inner, &id, &options, |c, id| async move {
            c.rule_activity_of_run(id).await
        })
    }
}
