//! The run page's input form mounted in headless Chromium: generated from the schema Prefect
//! stores for a pydantic `RunInput` (captured from Prefect 3.9.1's `create_v2_schema`), with
//! errors inline and the verdict line as the user types.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use flowgate_client::RunInputRequest;
use flowgate_core::FlowRun;
use leptos::prelude::*;
use serde_json::{Value, json};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{
    Element, Event, EventInit, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement,
};

use super::decision::DecisionSignals;
use super::{EditMode, RunDetail};
use crate::state::connection::Connection;

wasm_bindgen_test_configure!(run_in_browser);

/// A description with Markdown, raw HTML and links of every kind.
const DESCRIPTION: &str = "<b>Sign off</b> the **release** of `v2`:\n\n\
    - read [the notes](https://example.com/notes)\n\
    - [not a link](javascript:alert(1)) and [nor this](java%0Ascript:alert(1))\n\n\
    <img src=x onerror=alert(1)> ![alt text](https://example.com/pixel.png)";

const RELEASE_SCHEMA: &str = include_str!("../../../tests/fixtures/release_schema.json");
const CASES: &str = include_str!("../../../../core/tests/fixtures/resume_cases.json");

/// A real paused run that asked for input (recorded from the server), its pause made
/// endless so the verdict does not depend on when the test runs.
fn paused_run() -> FlowRun {
    let cases: Vec<Value> = serde_json::from_str(CASES).expect("the recorded cases");
    let mut run = cases
        .into_iter()
        .find(|case| case["name"] == "input_empty")
        .expect("the input_empty case")["flow_run"]
        .take();
    run["state"]["state_details"]["pause_timeout"] = Value::Null;
    serde_json::from_value(run).expect("a flow run")
}

struct Page {
    root: Element,
    input: RwSignal<String>,
    run_id: String,
}

/// Mounts the run page's detail view for a paused run asking for `schema`, with no draft.
fn mount(schema: Option<&str>) -> Page {
    crate::state::drafts::clear(&paused_run().id.to_string());
    mount_from_drafts(schema)
}

/// Mounts the detail view as the run page does on a reload: from the saved draft.
fn mount_from_drafts(schema: Option<&str>) -> Page {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let run = paused_run();
    let run_id = run.id.to_string();
    let input = RwSignal::new(crate::state::drafts::load(&run_id).unwrap_or_else(|| "{}".into()));
    let asks = RunInputRequest {
        schema: schema.map(str::to_owned),
        description: Some(DESCRIPTION.into()),
    };
    let host = root.clone().unchecked_into::<web_sys::HtmlElement>();
    let handle = leptos::mount::mount_to(host, move || {
        provide_context(Connection::load());
        view! {
            <RunDetail run=run asks=Some(asks) flow=None deployment=None input=input mode=RwSignal::new(EditMode::Form)
                decisions=DecisionSignals {
                    outcome: RwSignal::new(None),
                    own_decision: RwSignal::new(false),
                    reloads: RwSignal::new(0),
                    deciding: RwSignal::new(None),
                }
                elsewhere=RwSignal::new(None)
                reject_reason=RwSignal::new(String::new()) from_link=false/>
        }
    });
    handle.forget();
    Page {
        root,
        input,
        run_id,
    }
}

/// The release form with its two required fields filled, so the input is valid.
async fn mount_with_required_filled() -> Page {
    let page = mount(Some(RELEASE_SCHEMA));
    settle().await;
    page.type_into(r#"[data-path="/approver"] input"#, "ana")
        .await;
    page.type_into(
        r#"[data-path="/window/start"] input"#,
        "2026-12-01T22:00:00Z",
    )
    .await;
    page
}

/// Lets Leptos run its effects and redraw.
async fn settle() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

impl Page {
    fn find(&self, selector: &str) -> Element {
        self.root
            .query_selector(selector)
            .unwrap()
            .unwrap_or_else(|| panic!("nothing matches {selector}"))
    }

    fn count(&self, selector: &str) -> u32 {
        self.root.query_selector_all(selector).unwrap().length()
    }

    fn text(&self, selector: &str) -> String {
        self.find(selector).text_content().unwrap_or_default()
    }

    fn value(&self) -> Value {
        serde_json::from_str(&self.input.get_untracked()).expect("the form writes JSON")
    }

    fn fire(element: &Element, kind: &str) {
        let init = EventInit::new();
        init.set_bubbles(true);
        let event = Event::new_with_event_init_dict(kind, &init).unwrap();
        element.dispatch_event(&event).unwrap();
    }

    async fn type_into(&self, selector: &str, text: &str) {
        let element = self.find(selector);
        if let Some(input) = element.dyn_ref::<HtmlInputElement>() {
            input.set_value(text);
        } else if let Some(area) = element.dyn_ref::<HtmlTextAreaElement>() {
            area.set_value(text);
        }
        Self::fire(&element, "input");
        settle().await;
    }

    async fn click(&self, selector: &str) {
        self.find(selector)
            .unchecked_into::<web_sys::HtmlElement>()
            .click();
        settle().await;
    }

    async fn choose(&self, selector: &str, option_text: &str) {
        let select = self.find(selector).unchecked_into::<HtmlSelectElement>();
        let options = select.options();
        let index = (0..options.length())
            .find(|&i| {
                options.item(i).and_then(|o| o.text_content()).as_deref() == Some(option_text)
            })
            .unwrap_or_else(|| panic!("no option {option_text}"));
        select.set_selected_index(index as i32);
        Self::fire(&select, "change");
        settle().await;
    }

    fn verdict(&self) -> String {
        self.text("[data-testid=verdict]")
    }

    fn unmount(self) {
        crate::state::drafts::clear(&self.run_id);
        self.root.remove();
    }
}

#[wasm_bindgen_test]
async fn the_form_draws_a_widget_for_every_schema_feature_with_defaults_filled() {
    let page = mount(Some(RELEASE_SCHEMA));
    settle().await;
    // Text with its constraint as a hint, required marks, description as text.
    let approver = page.find(r#"[data-path="/approver"] input"#);
    assert_eq!(
        approver.get_attribute("placeholder").as_deref(),
        Some("at least 2 characters")
    );
    assert_eq!(page.count(r#"[data-path="/approver"] abbr.required"#), 1);
    assert_eq!(page.count(r#"[data-path="/replicas"] abbr.required"#), 0);
    assert_eq!(
        page.text(r#"[data-path="/approver"] .help"#),
        "Who signs off"
    );
    assert_eq!(page.count("b"), 0, "raw HTML in the description is text");
    // Numbers with their bounds, the default prefilled.
    let replicas = page
        .find(r#"[data-path="/replicas"] input"#)
        .unchecked_into::<HtmlInputElement>();
    assert_eq!(replicas.value(), "3");
    assert_eq!(replicas.placeholder(), "≥ 1, ≤ 50");
    assert_eq!(
        page.find(r#"[data-path="/canary_share"] input"#)
            .unchecked_into::<HtmlInputElement>()
            .placeholder(),
        "> 0, ≤ 1"
    );
    // A checkbox, a select of the Literal's values.
    assert!(
        page.find(r#"[data-path="/notify"] input[type=checkbox]"#)
            .unchecked_into::<HtmlInputElement>()
            .checked()
    );
    assert_eq!(
        page.text(r#"[data-path="/channel"] select"#),
        "— not set —stablebetanightly"
    );
    // An optional string, a nested required object through $ref, an optional object.
    assert_eq!(page.count(r#"[data-path="/ticket"] input"#), 1);
    assert_eq!(
        page.count(r#"fieldset[data-path="/window"] [data-path="/window/start"] input"#),
        1
    );
    assert_eq!(
        page.text(r#"[data-path="/window/start"] .help"#),
        "When the release may begin (ISO 8601)"
    );
    assert_eq!(
        page.count(r#"[data-path="/fallback/start"]"#),
        0,
        "an optional object starts absent"
    );
    // A list with its default item, a list of objects, a tuple, a dictionary.
    assert_eq!(page.count(r#"fieldset[data-path="/regions"] li"#), 1);
    assert_eq!(page.count(r#"fieldset[data-path="/owners"] li"#), 0);
    assert_eq!(page.count(r#"fieldset[data-path="/version"] input"#), 3);
    assert_eq!(page.count(r#"fieldset[data-path="/limits"] li"#), 0);
    // The input starts as the defaults; the required fields are missing, which the verdict
    // line says as a form not filled in yet, with no error shown before the person acts.
    assert_eq!(
        page.value(),
        json!({"replicas": 3, "canary_share": 0.1, "notify": true, "channel": "stable",
            "ticket": null, "window": {"hours": 2}, "fallback": null, "regions": ["eu-west"],
            "owners": [], "version": [1, 0, 0], "limits": {}})
    );
    assert!(
        page.verdict()
            .starts_with("not filled in yet; as it is, it will be rejected: "),
        "{}",
        page.verdict()
    );
    assert_eq!(
        page.count(".field-error li"),
        0,
        "no error before the person acts"
    );
    // Once a field is touched the errors show, the verdict in the server's words.
    page.type_into(r#"[data-path="/approver"] input"#, "a")
        .await;
    assert!(
        page.verdict().starts_with("will be rejected: "),
        "{}",
        page.verdict()
    );
    assert!(
        page.count(".field-error li") > 0,
        "the errors show once the person acts"
    );
    page.unmount();
}

#[wasm_bindgen_test]
async fn each_keystroke_revalidates_with_the_servers_words_inline_and_in_the_verdict() {
    let page = mount_with_required_filled().await;
    assert_eq!(page.verdict(), "will be accepted: the run goes to Running");

    page.type_into(r#"[data-path="/replicas"] input"#, "abc")
        .await;
    assert_eq!(
        page.value()["replicas"],
        json!("abc"),
        "what is typed is what is sent"
    );
    assert_eq!(
        page.verdict(),
        "will be rejected: Reason: Validation failed for field 'replicas'. Failure reason: 'abc' is not of type 'integer'"
    );
    assert_eq!(
        page.text(r#"[data-path="/replicas"] .field-error"#),
        "'abc' is not of type 'integer'"
    );
    page.type_into(r#"[data-path="/replicas"] input"#, "60")
        .await;
    assert_eq!(
        page.text(r#"[data-path="/replicas"] .field-error"#),
        "60 is greater than the maximum of 50"
    );
    page.type_into(r#"[data-path="/approver"] input"#, "a")
        .await;
    assert_eq!(
        page.text(r#"[data-path="/approver"] .field-error"#),
        "'a' is too short"
    );
    page.type_into(r#"[data-path="/approver"] input"#, "").await;
    assert_eq!(
        page.value().get("approver"),
        None,
        "an emptied required box leaves the key out"
    );
    assert_eq!(
        page.text(r#"div.object > .field-error"#),
        "'approver' is a required property"
    );
    page.type_into(r#"[data-path="/approver"] input"#, "ana")
        .await;
    page.type_into(r#"[data-path="/replicas"] input"#, "5")
        .await;
    assert_eq!(page.text(r#"[data-path="/replicas"] .field-error"#), "");
    assert_eq!(page.verdict(), "will be accepted: the run goes to Running");
    page.unmount();
}

#[wasm_bindgen_test]
async fn lists_tuples_dictionaries_and_optionals_build_the_input() {
    let page = mount_with_required_filled().await;
    page.choose(r#"[data-path="/channel"] select"#, "beta")
        .await;
    page.click(r#"[data-path="/notify"] input"#).await;
    page.type_into(r#"[data-path="/ticket"] input"#, "REL-7")
        .await;

    page.click(r#"fieldset[data-path="/regions"] > button.add"#)
        .await;
    page.type_into(r#"[data-path="/regions/1"] input"#, "us-east")
        .await;
    page.click(r#"fieldset[data-path="/regions"] li:first-child button.remove"#)
        .await;
    page.click(r#"fieldset[data-path="/owners"] > button.add"#)
        .await;
    page.type_into(r#"[data-path="/owners/0/name"] input"#, "ops")
        .await;
    page.type_into(r#"[data-path="/version/2"] input"#, "4")
        .await;

    page.click(r#"fieldset[data-path="/limits"] > button.add"#)
        .await;
    page.type_into(r#"fieldset[data-path="/limits"] input.key"#, "cpu")
        .await;
    page.type_into(r#"[data-path="/limits/cpu"] input"#, "4")
        .await;
    page.click(r#"fieldset[data-path="/limits"] > button.add"#)
        .await;
    page.type_into(
        r#"fieldset[data-path="/limits"] li:nth-child(2) input.key"#,
        "cpu",
    )
    .await;
    assert_eq!(
        page.text(r#"fieldset[data-path="/limits"] li:nth-child(2) .error"#),
        "another row has this key; this one keeps its old key"
    );
    page.click(r#"fieldset[data-path="/limits"] li:nth-child(2) button.remove"#)
        .await;

    page.click(r#"fieldset.optional legend input"#).await;
    page.type_into(
        r#"[data-path="/fallback/start"] input"#,
        "2026-12-02T22:00:00Z",
    )
    .await;
    page.type_into(r#"[data-path="/fallback/hours"] input"#, "")
        .await;

    assert_eq!(
        page.value(),
        json!({"replicas": 3, "canary_share": 0.1, "notify": false, "channel": "beta",
            "ticket": "REL-7", "window": {"hours": 2, "start": "2026-12-01T22:00:00Z"},
            "fallback": {"start": "2026-12-02T22:00:00Z"}, "regions": ["us-east"],
            "owners": [{"name": "ops", "email": null}], "version": [1, 0, 4], "limits": {"cpu": 4},
            "approver": "ana"})
    );
    assert_eq!(page.verdict(), "will be accepted: the run goes to Running");
    page.type_into(r#"[data-path="/ticket"] input"#, "").await;
    assert_eq!(
        page.value()["ticket"],
        Value::Null,
        "an emptied optional box is None"
    );
    page.unmount();
}

#[wasm_bindgen_test]
async fn raw_json_mode_edits_the_same_input_and_the_form_follows() {
    let page = mount(Some(RELEASE_SCHEMA));
    settle().await;
    page.click("[data-testid=mode-json]").await;
    assert_eq!(page.count("[data-testid=schema-form]"), 0);
    page.type_into(
        "[data-testid=run-input]",
        r#"{"approver": "bo", "window": {"start": "x"}, "limits": {"a": 1}}"#,
    )
    .await;
    assert_eq!(page.verdict(), "will be accepted: the run goes to Running");
    page.type_into("[data-testid=run-input]", r#"{"approver": "#)
        .await;
    assert!(
        page.verdict().starts_with("not JSON yet"),
        "{}",
        page.verdict()
    );
    assert!(
        page.find("[data-testid=mode-form]")
            .unchecked_into::<web_sys::HtmlButtonElement>()
            .disabled(),
        "no way back to the form while the JSON does not parse"
    );
    page.type_into(
        "[data-testid=run-input]",
        r#"{"approver": "bo", "window": {"start": "x"}, "limits": {"a": 1}}"#,
    )
    .await;
    page.click("[data-testid=mode-form]").await;
    assert_eq!(
        page.find(r#"[data-path="/approver"] input"#)
            .unchecked_into::<HtmlInputElement>()
            .value(),
        "bo"
    );
    assert_eq!(page.count(r#"fieldset[data-path="/limits"] li"#), 1);
    page.unmount();
}

#[wasm_bindgen_test]
async fn without_a_readable_schema_only_json_is_offered() {
    let page = mount(Some("{not json"));
    settle().await;
    assert_eq!(page.count("[data-testid=schema-form]"), 0);
    assert_eq!(page.count("[data-testid=run-input]"), 1);
    assert_eq!(
        page.verdict(),
        "will be rejected: Run input schema is not valid JSON."
    );
    page.unmount();
}

#[wasm_bindgen_test]
async fn half_typed_json_in_a_sub_editor_survives_a_reload() {
    let schema = r#"{"type": "object", "required": ["name"],
        "properties": {"name": {"type": "string"}, "extra": {"title": "Extra"}}}"#;
    let page = mount(Some(schema));
    settle().await;
    page.type_into(r#"[data-path="/name"] input"#, "ana").await;
    page.type_into(r#"[data-path="/extra"] textarea"#, r#"{"half": "#)
        .await;
    assert!(
        page.verdict()
            .contains("the JSON at /extra is not finished"),
        "{}",
        page.verdict()
    );
    // A reload draws the page again from what was saved: the half-typed text is back in its
    // editor, and still holds the resume back.
    page.root.remove();
    let page = mount_from_drafts(Some(schema));
    settle().await;
    let area = page
        .find(r#"[data-path="/extra"] textarea"#)
        .unchecked_into::<HtmlTextAreaElement>();
    assert_eq!(area.value(), r#"{"half": "#);
    assert_eq!(page.value()["name"], json!("ana"));
    assert!(
        page.verdict()
            .contains("the JSON at /extra is not finished"),
        "{}",
        page.verdict()
    );
    page.type_into(r#"[data-path="/extra"] textarea"#, r#"{"half": 1}"#)
        .await;
    assert_eq!(page.value()["extra"], json!({"half": 1}));
    assert!(
        !page.verdict().contains("not finished"),
        "{}",
        page.verdict()
    );
    assert!(crate::state::drafts::load_unparsed(&page.run_id).is_empty());
    page.unmount();
}

#[wasm_bindgen_test]
async fn the_description_is_markdown_and_inert() {
    let page = mount(Some(RELEASE_SCHEMA));
    settle().await;
    let description = r#"[data-testid="description"]"#;
    assert_eq!(page.text(&format!("{description} strong")), "release");
    assert_eq!(page.text(&format!("{description} code")), "v2");
    assert_eq!(page.count(&format!("{description} li")), 2);
    // Raw HTML is shown as the text it is; nothing is loaded or run.
    assert_eq!(
        page.count(&format!("{description} b, {description} img")),
        0
    );
    assert!(page.text(description).contains("<b>Sign off</b> the"));
    assert!(
        page.text(description)
            .contains("<img src=x onerror=alert(1)>")
    );
    assert!(page.text(description).contains("alt text"));
    // One link, to https; the others keep their text and lose their target.
    assert_eq!(page.count(&format!("{description} a")), 1);
    let link = page.find(&format!("{description} a"));
    assert_eq!(
        link.get_attribute("href").as_deref(),
        Some("https://example.com/notes")
    );
    assert_eq!(
        link.get_attribute("rel").as_deref(),
        Some("noopener noreferrer nofollow")
    );
    assert!(page.text(description).contains("not a link"));
    assert!(page.text(description).contains("nor this"));
}
