//! Flows: names for the flow ids of a page of runs.

use flowgate_core::{Flow, FlowFilter};
use uuid::Uuid;

use crate::request::Method;
use crate::{Client, ClientError};

impl Client {
    /// HTTP POST /flows/filter: the flows with these ids (duplicates asked once; at most
    /// 200 ids per call).
    pub async fn flows_by_id(
        &self,
        ids: impl IntoIterator<Item = Uuid>,
    ) -> Result<Vec<Flow>, ClientError> {
        let mut unique: Vec<Uuid> = Vec::new();
        for id in ids {
            if !unique.contains(&id) {
                unique.push(id);
            }
        }
        if unique.is_empty() {
            return Ok(Vec::new());
        }
        self.fetch(
            Method::Post,
            "/flows/filter",
            Some(&FlowFilter::by_ids(unique)),
            "flow list",
            || "The flow list".into(),
        )
        .await
    }
}
