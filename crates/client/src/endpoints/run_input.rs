//! Run input: the schema and description a pause stored, and the stored response.

use flowgate_core::{FlowRun, StoredSchema};
use serde::Serialize;
use uuid::Uuid;

use crate::request::Method;
use crate::{Client, ClientError};

/// What a paused run asks for: the stored schema text and the description, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunInputRequest {
    /// The schema's JSON text as stored; `None` when nothing is stored under the key.
    pub schema: Option<String>,
    /// The description (Markdown text) the flow gave, if any. Render it as text.
    pub description: Option<String>,
}

impl RunInputRequest {
    /// The schema in the form the verdict takes.
    pub fn stored_schema(&self) -> StoredSchema<'_> {
        match &self.schema {
            Some(text) => StoredSchema::Text(text),
            None => StoredSchema::Missing,
        }
    }
}

impl Client {
    /// HTTP GET /flow_runs/{id}/input/{key}: the stored value's JSON text, or `None` when
    /// nothing is stored under the key (a missing description is normal). The server
    /// answers `text/plain`; the body is JSON all the same.
    pub async fn read_run_input(&self, id: Uuid, key: &str) -> Result<Option<String>, ClientError> {
        let path = format!("/flow_runs/{id}/input/{}", encode_segment(key));
        let answer = self.call(Method::Get, &path, None::<&()>, true).await?;
        if answer.status == 404 {
            return Ok(None);
        }
        self.check_answer(&answer, || format!("Run input {key:?} of flow run {id}"))?;
        Ok(Some(answer.body))
    }

    /// The schema and description a paused run's keyset points to; `None` when the pause
    /// did not ask for input.
    pub async fn run_input_request(
        &self,
        run: &FlowRun,
    ) -> Result<Option<RunInputRequest>, ClientError> {
        let Some(keyset) = run
            .state
            .as_ref()
            .and_then(|s| s.state_details.requested_input_keyset())
        else {
            return Ok(None);
        };
        // Both at once: neither read needs the other's answer.
        let read = |name: &'static str| async move {
            match keyset.get(name) {
                Some(key) => self.read_run_input(run.id, key).await,
                None => Ok(None),
            }
        };
        let (schema, description) =
            futures_util::future::join(read("schema"), read("description")).await;
        // The description is stored as a JSON string; fall back to the raw text if it is not one.
        let description =
            description?.map(|text| serde_json::from_str::<String>(&text).unwrap_or(text));
        Ok(Some(RunInputRequest {
            schema: schema?,
            description,
        }))
    }
}

/// Percent-encodes a path segment.
pub(crate) fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}
