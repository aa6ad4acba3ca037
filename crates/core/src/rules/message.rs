//! The default message of a notify rule: written for the person who must decide, with a link
//! that opens the run in Flowgate, ready to decide, and Prefect's own link beside it.
//!
//! Prefect renders it (Jinja, sandboxed) when the rule fires, with the run (`flow_run`), its
//! flow, its deployment and the triggering state event. What Prefect's template context
//! cannot give is left to the linked page: automations rebuild `flow_run.state` from the
//! event's labels without its details, so neither the pause's deadline nor whether it asks
//! for input can be rendered (measured on Prefect 3.9.1; see docs/rules.md).

use serde::Serialize;

use super::automation::duration_words;

/// A subject and a body, both Prefect templates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DefaultMessage {
    /// The subject template.
    pub subject: String,
    /// The body template.
    pub body: String,
}

/// The console's public URL as a message links to it: `http(s)://…`, without a trailing
/// slash, with no quotes or braces that would break the template.
pub fn console_base(console_url: &str) -> Result<String, String> {
    let given = console_url.trim();
    let scheme = ["https://", "http://"]
        .into_iter()
        .find(|scheme| given.starts_with(scheme))
        .ok_or_else(|| {
            format!("The console's public URL must start with http:// or https://; {console_url:?} does not.")
        })?;
    let rest = given[scheme.len()..].trim_end_matches('/');
    let url = format!("{scheme}{rest}");
    if rest.is_empty() || rest.starts_with('/') {
        return Err(format!(
            "The console's public URL {console_url:?} has no host."
        ));
    }
    if let Some(bad) = url
        .chars()
        .find(|c| c.is_whitespace() || matches!(c, '{' | '}' | '%' | '"' | '<' | '>'))
    {
        return Err(format!(
            "The console's public URL cannot hold {bad:?}: {console_url:?}."
        ));
    }
    Ok(url)
}

/// The default message for a rule that notifies when a run pauses (`after_seconds` `None`) or
/// reminds when it is still paused after a wait.
pub fn default_message(
    console_url: &str,
    after_seconds: Option<u64>,
) -> Result<DefaultMessage, String> {
    let console = console_base(console_url)?;
    let (subject, lead) = match after_seconds {
        None => (
            "Waiting for a decision: {{ flow.name }} › {{ flow_run.name }}".to_owned(),
            "{{ flow.name }} › {{ flow_run.name }} has paused and waits for a decision.".to_owned(),
        ),
        Some(seconds) => {
            let wait = duration_words(seconds);
            (
                format!(
                    "Still waiting after {wait}: {{{{ flow.name }}}} › {{{{ flow_run.name }}}}"
                ),
                format!(
                    "{{{{ flow.name }}}} › {{{{ flow_run.name }}}} has been waiting for a decision for {wait}."
                ),
            )
        }
    };
    let body = format!(
        "{lead}\n\
         State: {{{{ flow_run.state.name }}}} since {{{{ event.occurred.strftime('%Y-%m-%d %H:%M UTC') }}}}\
         {{% if deployment %}} · deployment {{{{ deployment.name }}}}{{% endif %}}\
         {{% if flow_run.tags %}} · tags {{{{ flow_run.tags | join(', ') }}}}{{% endif %}}\n\n\
         Decide in Flowgate (what it asks for, and when the pause times out):\n\
         {console}/runs/{{{{ flow_run.id }}}}\n\
         {{% if flow_run|ui_url %}}In Prefect: {{{{ flow_run|ui_url }}}}\n{{% endif %}}"
    );
    Ok(DefaultMessage { subject, body })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_opens_the_run_in_the_console() {
        let message = default_message("https://flowgate.example.com/", None).expect("valid");
        assert!(
            message
                .body
                .contains("https://flowgate.example.com/runs/{{ flow_run.id }}\n"),
            "{}",
            message.body
        );
        assert!(
            message
                .subject
                .starts_with("Waiting for a decision: {{ flow.name }}")
        );
        let reminder = default_message("http://127.0.0.1:8080", Some(1800)).expect("valid");
        assert!(
            reminder
                .subject
                .starts_with("Still waiting after 30 min: {{ flow.name }}")
        );
    }

    #[test]
    fn a_console_url_that_would_break_the_link_is_refused() {
        for (url, says) in [
            ("flowgate.example", "must start with"),
            ("https://", "no host"),
            ("https://x/{{ secret }}", "cannot hold"),
            ("https://x y", "cannot hold"),
        ] {
            let error = default_message(url, None).expect_err("refused");
            assert!(error.contains(says), "{url}: {error}");
        }
    }
}
