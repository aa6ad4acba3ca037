//! Starting runs of a deployment.

use flowgate_core::FlowRun;
use serde_json::Value;
use uuid::Uuid;

use crate::request::Method;
use crate::response;
use crate::{Client, ClientError};

impl Client {
    /// HTTP POST /deployments/{id}/create_flow_run with `body` (Prefect's
    /// `DeploymentFlowRunCreate`: parameters, tags, labels, …): the new run. Never retried:
    /// a second copy would start a second run.
    pub async fn create_flow_run(
        &self,
        deployment: Uuid,
        body: &Value,
    ) -> Result<FlowRun, ClientError> {
        let answer = self
            .call(
                Method::Post,
                &format!("/deployments/{deployment}/create_flow_run"),
                Some(body),
                false,
            )
            .await?;
        self.check_answer(&answer, || format!("Deployment {deployment}"))?;
        response::decode(&answer.url, "flow run", &answer.body)
    }
}
