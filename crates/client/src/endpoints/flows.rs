//! Flows and deployments: names for the flow and deployment ids of a page of runs.

use flowgate_core::{Deployment, DeploymentFilter, Flow, FlowFilter, Named};
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::request::Method;
use crate::{Client, ClientError};

/// Each id once, in first-seen order.
fn unique(ids: impl IntoIterator<Item = Uuid>) -> Vec<Uuid> {
    let mut unique: Vec<Uuid> = Vec::new();
    for id in ids {
        if !unique.contains(&id) {
            unique.push(id);
        }
    }
    unique
}

impl Client {
    /// HTTP POST /flows/filter: the flows with these ids (duplicates asked once; at most
    /// 200 ids per call), decoded as `T`: [`Flow`] for each whole (every field kept), or
    /// [`Named`] for only its id and name, all a page of runs shows of a flow (a far smaller
    /// decoder in a wasm build).
    pub async fn flows_by_id<T: DeserializeOwned>(
        &self,
        ids: impl IntoIterator<Item = Uuid>,
    ) -> Result<Vec<T>, ClientError> {
        self.named_by_id(
            "/flows/filter",
            unique(ids),
            FlowFilter::by_ids,
            "flow list",
        )
        .await
    }

    /// HTTP POST /deployments/filter: the deployments with these ids (duplicates asked
    /// once; at most 200 ids per call), decoded as `T`: [`Deployment`] or [`Named`] (see
    /// [`Client::flows_by_id`]).
    pub async fn deployments_by_id<T: DeserializeOwned>(
        &self,
        ids: impl IntoIterator<Item = Uuid>,
    ) -> Result<Vec<T>, ClientError> {
        self.named_by_id(
            "/deployments/filter",
            unique(ids),
            DeploymentFilter::by_ids,
            "deployment list",
        )
        .await
    }

    /// HTTP POST /flows/filter: the first 200 flows by name (what a rule's scope offers).
    pub async fn flows_by_name(&self) -> Result<Vec<Flow>, ClientError> {
        let body = serde_json::json!({ "sort": "NAME_ASC", "limit": 200 });
        self.fetch(
            Method::Post,
            "/flows/filter",
            Some(&body),
            "flow list",
            || "The flows endpoint".into(),
        )
        .await
    }

    /// HTTP POST /flows/filter: the id and name of the flows that have a paused run, the first
    /// 200 by name. The inbox's names: asked beside its page of runs, not after it (a flow of
    /// the page not among them is asked for by id).
    pub async fn flow_names_with_paused_runs(&self) -> Result<Vec<Named>, ClientError> {
        self.named("/flows/filter", FlowFilter::with_paused_runs(), "flow list")
            .await
    }

    /// HTTP POST /deployments/filter: the id and name of the deployments that have a paused
    /// run, the first 200 by name (see [`Client::flow_names_with_paused_runs`]).
    pub async fn deployment_names_with_paused_runs(&self) -> Result<Vec<Named>, ClientError> {
        self.named(
            "/deployments/filter",
            DeploymentFilter::with_paused_runs(),
            "deployment list",
        )
        .await
    }

    /// HTTP POST /deployments/filter: the first 200 deployments by name.
    pub async fn deployments_by_name(&self) -> Result<Vec<Deployment>, ClientError> {
        let body = serde_json::json!({ "sort": "NAME_ASC", "limit": 200 });
        self.fetch(
            Method::Post,
            "/deployments/filter",
            Some(&body),
            "deployment list",
            || "The deployments endpoint".into(),
        )
        .await
    }

    async fn named_by_id<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        ids: Vec<Uuid>,
        body: fn(Vec<Uuid>) -> B,
        what: &'static str,
    ) -> Result<Vec<T>, ClientError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        self.named(path, body(ids), what).await
    }

    /// POST `body` to a filter endpoint of flows or deployments (one instance of the request
    /// code for both ways of asking: by id, and by their runs).
    async fn named<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: B,
        what: &'static str,
    ) -> Result<Vec<T>, ClientError> {
        let noun = format!("The {what}");
        self.fetch(Method::Post, path, Some(&body), what, move || noun)
            .await
    }
}

#[cfg(test)]
mod tests {
    use flowgate_core::{DeploymentFilter, FlowFilter};

    #[test]
    fn the_body_for_names_of_paused_runs_is_the_first_scripts() {
        // web/loader/first-reads.js sends this text; the console takes its answer only if its
        // own body is the same.
        let body =
            r#"{"flow_runs":{"state":{"type":{"any_":["PAUSED"]}}},"sort":"NAME_ASC","limit":200}"#;
        let flows =
            serde_json::to_string(&FlowFilter::with_paused_runs()).expect("a filter serializes");
        let deployments = serde_json::to_string(&DeploymentFilter::with_paused_runs())
            .expect("a filter serializes");
        assert_eq!((flows.as_str(), deployments.as_str()), (body, body));
    }
}
