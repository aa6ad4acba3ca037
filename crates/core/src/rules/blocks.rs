//! Notification blocks (the server's blocks that can `notify`: Slack, Teams, Mattermost,
//! Discord, custom webhook, …) and the automation engine's state, as Flowgate reads them.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

/// A block document that can notify, as `POST /block_documents/filter` returns it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NotifyBlock {
    /// The block document's id: what a notify rule names.
    pub id: Uuid,
    /// Its name.
    pub name: String,
    /// Its block type's name, e.g. "Slack Webhook".
    pub type_name: String,
    /// Its block type's slug, e.g. `slack-webhook`.
    pub type_slug: String,
}

impl NotifyBlock {
    /// Reads one block document; `None` when it lacks an id or a name (anonymous blocks).
    pub fn from_document(document: &Value) -> Option<NotifyBlock> {
        let text =
            |value: &Value, key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
        let block_type = document.get("block_type").unwrap_or(&Value::Null);
        Some(NotifyBlock {
            id: text(document, "id").and_then(|id| Uuid::parse_str(&id).ok())?,
            name: text(document, "name")?,
            type_name: text(block_type, "name")
                .or_else(|| text(document, "block_type_name"))
                .unwrap_or_default(),
            type_slug: text(block_type, "slug").unwrap_or_default(),
        })
    }
}

/// The body of `POST /block_documents/filter` for named blocks that can notify.
pub fn notify_blocks_filter(offset: usize, limit: usize) -> Value {
    json!({
        "block_schemas": { "block_capabilities": { "all_": ["notify"] } },
        "block_documents": { "is_anonymous": { "eq_": false } },
        "include_secrets": false,
        "sort": "NAME_ASC",
        "offset": offset,
        "limit": limit,
    })
}

/// A notification block a person can create from Flowgate: one that needs only a URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NewBlockKind {
    /// Prefect's "Custom Webhook": a JSON POST of `{"subject": …, "body": …}` to the URL.
    CustomWebhook,
    /// Prefect's "Slack Webhook": an incoming-webhook URL.
    SlackWebhook,
    /// Prefect's "Microsoft Teams Webhook": a workflow webhook URL.
    MsTeamsWebhook,
}

impl NewBlockKind {
    /// The block type's slug on the server.
    pub fn slug(self) -> &'static str {
        match self {
            NewBlockKind::CustomWebhook => "custom-webhook",
            NewBlockKind::SlackWebhook => "slack-webhook",
            NewBlockKind::MsTeamsWebhook => "ms-teams-webhook",
        }
    }

    /// The block document's `data` for `url`.
    pub fn data(self, name: &str, url: &str) -> Value {
        match self {
            NewBlockKind::CustomWebhook => json!({
                "name": name,
                "url": url,
                "method": "POST",
                "json_data": { "subject": "{{subject}}", "body": "{{body}}" },
                "timeout": 10,
            }),
            NewBlockKind::SlackWebhook | NewBlockKind::MsTeamsWebhook => json!({ "url": url }),
        }
    }
}

/// Checks a new block's name and URL before anything is sent: Prefect's block names are
/// lowercase letters, digits and dashes.
pub fn check_new_block(name: &str, url: &str) -> Result<(), (&'static str, String)> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err((
            "name",
            format!("A block's name is lowercase letters, digits and dashes; {name:?} is not."),
        ));
    }
    let url = url.trim();
    if !(url.starts_with("https://") || url.starts_with("http://")) || url.len() < 10 {
        return Err((
            "url",
            format!("The webhook URL must start with http:// or https://; {url:?} does not."),
        ));
    }
    Ok(())
}

/// Whether the server's automation engine runs, as `GET /admin/settings` tells; `None` where
/// the server does not say (Prefect Cloud, a proxy that hides it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EngineStatus {
    /// The triggers service (evaluates automations' triggers).
    pub triggers: Option<bool>,
    /// The actions service (carries out their actions).
    pub actions: Option<bool>,
    /// What a person should know, when rules will not fire.
    pub warning: Option<String>,
}

impl EngineStatus {
    /// Reads `GET /admin/settings`.
    pub fn from_settings(settings: &Value) -> EngineStatus {
        let enabled = |service: &str| {
            settings
                .pointer(&format!("/server/services/{service}/enabled"))
                .and_then(Value::as_bool)
        };
        // Prefect 3.9 runs its actions service under the triggers service's setting; a server
        // that has one of its own for actions says so.
        let triggers = enabled("triggers");
        let actions = enabled("actions").or(triggers);
        let separate = settings.pointer("/server/services/actions").is_some();
        let off: Vec<&str> = [
            ("triggers", triggers),
            ("actions", actions.filter(|_| separate)),
        ]
        .iter()
        .filter(|(_, on)| *on == Some(false))
        .map(|(name, _)| *name)
        .collect();
        let warning = (!off.is_empty()).then(|| {
            let settings: Vec<String> = off
                .iter()
                .map(|s| {
                    format!(
                        "PREFECT_SERVER_SERVICES_{}_ENABLED=false",
                        s.to_ascii_uppercase()
                    )
                })
                .collect();
            format!(
                "The server's {} service{} turned off ({}): rules are stored but will not fire.",
                off.join(" and "),
                if off.len() > 1 { "s are" } else { " is" },
                settings.join(", ")
            )
        });
        EngineStatus {
            triggers,
            actions,
            warning,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_turned_off_triggers_service_is_named() {
        let status = EngineStatus::from_settings(&json!({
            "server": {"services": {"triggers": {"enabled": false}, "actions": {"enabled": true}}}
        }));
        assert_eq!(status.triggers, Some(false));
        assert!(
            status
                .warning
                .as_deref()
                .is_some_and(|w| w.contains("triggers service is turned off")),
            "{status:?}"
        );
        assert_eq!(EngineStatus::from_settings(&json!({})).warning, None);
    }

    #[test]
    fn block_names_follow_prefects_rule() {
        assert!(check_new_block("releases-2", "https://hooks.example/x").is_ok());
        assert_eq!(
            check_new_block("Releases", "https://hooks.example/x").map_err(|e| e.0),
            Err("name")
        );
        assert_eq!(
            check_new_block("r", "hooks.example").map_err(|e| e.0),
            Err("url")
        );
    }
}
