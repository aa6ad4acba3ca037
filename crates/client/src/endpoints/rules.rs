//! Rules as Prefect automations (see `flowgate_core::rules`): listing, creating, editing and
//! deleting Flowgate's own, the server's notification blocks, and what automations did about
//! a run. Automations without Flowgate's tag are never changed.

use chrono::{DateTime, Utc};
use flowgate_core::StateType;
use flowgate_core::rules::blocks::{NewBlockKind, check_new_block, notify_blocks_filter};
use flowgate_core::rules::{
    EngineStatus, ListedRule, NotifyBlock, Rule, RuleActivity, activity_filter, automation_body,
    listed_rule,
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::request::Method;
use crate::{Answer, Client, ClientError, response};

/// Automations read a page.
const PAGE: usize = 200;

impl Client {
    /// HTTP POST /automations/filter, every page: Flowgate's rules (automations tagged
    /// `flowgate.rule`), by name. Other automations are not returned.
    pub async fn rules(&self) -> Result<Vec<ListedRule>, ClientError> {
        let automations = self
            .every_page(
                "/automations/filter",
                "automations",
                "The automations endpoint",
                |offset| json!({ "sort": "NAME_ASC", "offset": offset, "limit": PAGE }),
            )
            .await?;
        Ok(automations.iter().filter_map(listed_rule).collect())
    }

    /// Every page of a filter endpoint, `body(offset)` asking for `PAGE` items from `offset`;
    /// `endpoint` names it when it is not found.
    async fn every_page(
        &self,
        path: &'static str,
        what: &'static str,
        endpoint: &'static str,
        body: impl Fn(usize) -> Value,
    ) -> Result<Vec<Value>, ClientError> {
        let mut all = Vec::new();
        for page in 0.. {
            let items: Vec<Value> = self
                .fetch(Method::Post, path, Some(&body(page * PAGE)), what, || {
                    endpoint.to_owned()
                })
                .await?;
            let last = items.len() < PAGE;
            all.extend(items);
            if last {
                break;
            }
        }
        Ok(all)
    }

    /// HTTP GET /automations/{id}: the rule, or [`ClientError::ForeignAutomation`] when the
    /// automation is not Flowgate's.
    pub async fn rule(&self, id: Uuid) -> Result<ListedRule, ClientError> {
        let automation: Value = self
            .fetch(
                Method::Get,
                &format!("/automations/{id}"),
                None::<&()>,
                "automation",
                || format!("Automation {id}"),
            )
            .await?;
        listed_rule(&automation).ok_or_else(|| ClientError::ForeignAutomation {
            id,
            name: automation
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
        })
    }

    /// HTTP POST /automations/: creates the rule as one automation (one request: it exists
    /// whole or not at all). Sent again only after a 503, which Prefect answers before doing
    /// anything. Returns it as the server stored it.
    pub async fn create_rule(&self, rule: &Rule) -> Result<Rule, ClientError> {
        checked(rule)?;
        let answer = self
            .call_retrying_busy(Method::Post, "/automations/", Some(&automation_body(rule)))
            .await?;
        self.check_answer(&answer, || "The automations endpoint".into())?;
        let stored: Value = response::decode(&answer.url, "automation", &answer.body)?;
        stored_rule(&answer.url, &stored)
    }

    /// HTTP PUT /automations/{id}: replaces the rule `rule.id` names, after reading it to make
    /// sure it is Flowgate's. Returns it as stored. The PUT carries the whole automation, so
    /// sending it twice leaves what sending it once does: it is sent again after a network
    /// failure (a keep-alive connection the server closed as the request went out) like a read.
    pub async fn update_rule(&self, rule: &Rule) -> Result<Rule, ClientError> {
        checked(rule)?;
        let id = rule.id.ok_or_else(|| ClientError::InvalidRule {
            field: "id".into(),
            message: "Only a rule that exists can be changed: it has no id.".into(),
        })?;
        self.rule(id).await?;
        let answer = self
            .call(
                Method::Put,
                &format!("/automations/{id}"),
                Some(&automation_body(rule)),
                true,
            )
            .await?;
        self.check_answer(&answer, || format!("Automation {id}"))?;
        match self.rule(id).await? {
            ListedRule::Rule { rule } => Ok(rule),
            ListedRule::EditedElsewhere { why, .. } => Err(ClientError::Http {
                status: answer.status,
                message: format!("the server stored the rule differently: {why}"),
            }),
        }
    }

    /// HTTP DELETE /automations/{id}, after reading it to make sure it is Flowgate's. Sent
    /// again after a network failure; a 404 then means the rule is gone — the attempt that
    /// failed on the way back deleted it, or someone else did since it was read — which is
    /// what was asked.
    pub async fn delete_rule(&self, id: Uuid) -> Result<(), ClientError> {
        self.rule(id).await?;
        let answer = self
            .call(
                Method::Delete,
                &format!("/automations/{id}"),
                None::<&()>,
                true,
            )
            .await?;
        match self.check_answer(&answer, || format!("Automation {id}")) {
            Err(ClientError::NotFound { .. }) => Ok(()),
            other => other,
        }
    }

    /// HTTP POST /block_documents/filter, every page: the server's named blocks that can
    /// notify, by name.
    pub async fn notify_blocks(&self) -> Result<Vec<NotifyBlock>, ClientError> {
        let documents = self
            .every_page(
                "/block_documents/filter",
                "block documents",
                "The block documents endpoint",
                |offset| notify_blocks_filter(offset, PAGE),
            )
            .await?;
        Ok(documents
            .iter()
            .filter_map(NotifyBlock::from_document)
            .collect())
    }

    /// Creates a notification block that needs only a URL: reads the block type and its
    /// newest schema, then HTTP POST /block_documents/. Sent again after a 503 (Prefect answers
    /// it before doing anything), and after an answer lost to the network or a timeout only
    /// when no block of that type and name exists then; if one does, the lost attempt made it
    /// (a name is one block of its type), and that block is the answer.
    pub async fn create_notify_block(
        &self,
        kind: NewBlockKind,
        name: &str,
        url: &str,
    ) -> Result<NotifyBlock, ClientError> {
        check_new_block(name, url).map_err(|(field, message)| ClientError::InvalidRule {
            field: field.into(),
            message,
        })?;
        let slug = kind.slug();
        let block_type: Value = self
            .fetch(
                Method::Get,
                &format!("/block_types/slug/{slug}"),
                None::<&()>,
                "block type",
                || format!("The block type {slug} (is its Prefect integration installed on the server?)"),
            )
            .await?;
        let type_id = block_type.get("id").cloned().unwrap_or(Value::Null);
        let schemas: Vec<Value> = self
            .fetch(
                Method::Post,
                "/block_schemas/filter",
                Some(&json!({ "block_schemas": { "block_type_id": { "any_": [type_id] } }, "limit": 1 })),
                "block schemas",
                || "The block schemas endpoint".into(),
            )
            .await?;
        let schema_id = schemas
            .first()
            .and_then(|s| s.get("id"))
            .cloned()
            .ok_or_else(|| ClientError::NotFound {
                what: format!("A schema of the block type {slug}"),
            })?;
        let body = json!({
            "name": name,
            "block_type_id": type_id,
            "block_schema_id": schema_id,
            "data": kind.data(name, url.trim()),
        });
        let create = || self.call_retrying_busy(Method::Post, "/block_documents/", Some(&body));
        let answer = match create().await {
            // The answer was lost: the block may have been made (a name is one block of its
            // type), or the request never reached the server (a kept-alive connection it
            // closed as the request went out). Read it by name before sending it again.
            Err(ClientError::Unreachable { .. } | ClientError::Timeout { .. }) => {
                match self.block_named(slug, name).await? {
                    Some(made) => made,
                    None => create().await?,
                }
            }
            other => other?,
        };
        self.check_answer(&answer, || "The block documents endpoint".into())?;
        let mut document: Value = response::decode(&answer.url, "block document", &answer.body)?;
        if document.get("block_type").is_none_or(Value::is_null) {
            document["block_type"] = block_type;
        }
        NotifyBlock::from_document(&document).ok_or_else(|| ClientError::Http {
            status: answer.status,
            message: "the server's new block has no id or name".into(),
        })
    }

    /// HTTP GET /block_types/slug/{slug}/block_documents/name/{name}: the answer with the
    /// block of that type and name, or `None` when there is none (404).
    async fn block_named(&self, slug: &str, name: &str) -> Result<Option<Answer>, ClientError> {
        let path = format!(
            "/block_types/slug/{slug}/block_documents/name/{}",
            super::run_input::encode_segment(name)
        );
        let answer = self.call(Method::Get, &path, None::<&()>, true).await?;
        match self.check_answer(&answer, || format!("The block {name}")) {
            Ok(()) => Ok(Some(answer)),
            Err(ClientError::NotFound { .. }) => Ok(None),
            Err(other) => Err(other),
        }
    }

    /// HTTP GET /admin/settings: whether the server's triggers and actions services run.
    /// Servers that do not tell (Prefect Cloud) give a status of unknowns.
    pub async fn automation_engine(&self) -> Result<EngineStatus, ClientError> {
        match self
            .fetch::<Value>(
                Method::Get,
                "/admin/settings",
                None::<&()>,
                "settings",
                || "The settings endpoint".into(),
            )
            .await
        {
            Ok(settings) => Ok(EngineStatus::from_settings(&settings)),
            Err(
                ClientError::NotFound { .. }
                | ClientError::NoSuchEndpoint { .. }
                | ClientError::Unauthorized { .. },
            ) => Ok(EngineStatus::default()),
            Err(other) => Err(other),
        }
    }

    /// HTTP POST /events/filter: what automations did about run `id` (see
    /// `flowgate_core::rules::activity`), newest first. `pause_states` are the ids of its
    /// paused states; `since` no later than the run's creation.
    pub async fn rule_activity(
        &self,
        id: Uuid,
        pause_states: &[Uuid],
        since: DateTime<Utc>,
    ) -> Result<Vec<RuleActivity>, ClientError> {
        let page = self
            .filter_events(&activity_filter(id, pause_states, since))
            .await?;
        Ok(page
            .events
            .iter()
            .filter_map(RuleActivity::from_event)
            .collect())
    }
}

impl Client {
    /// What automations did about run `id`: reads its states for the ids of its pauses and
    /// its first state's time, then [`Client::rule_activity`].
    pub async fn rule_activity_of_run(&self, id: Uuid) -> Result<Vec<RuleActivity>, ClientError> {
        let states = self.flow_run_states(id).await?;
        let Some(first) = states.first() else {
            // A run without states has had no pause; reading the run says whether it exists.
            self.read_flow_run(id).await?;
            return Ok(Vec::new());
        };
        let since = first.timestamp - chrono::Duration::minutes(1);
        let pauses: Vec<Uuid> = states
            .iter()
            .filter(|s| s.state_type == StateType::Paused)
            .map(|s| s.id)
            .collect();
        self.rule_activity(id, &pauses, since).await
    }
}

fn checked(rule: &Rule) -> Result<(), ClientError> {
    rule.check().map_err(|e| ClientError::InvalidRule {
        field: e.field.into(),
        message: e.message,
    })
}

fn stored_rule(url: &str, stored: &Value) -> Result<Rule, ClientError> {
    match listed_rule(stored) {
        Some(ListedRule::Rule { rule }) => Ok(rule),
        Some(ListedRule::EditedElsewhere { why, .. }) => Err(ClientError::Http {
            status: 201,
            message: format!("the server at {url} stored the rule differently: {why}"),
        }),
        None => Err(ClientError::Http {
            status: 201,
            message: format!(
                "the server at {url} stored the rule without Flowgate's tag (does this Prefect version keep automation tags?)"
            ),
        }),
    }
}
