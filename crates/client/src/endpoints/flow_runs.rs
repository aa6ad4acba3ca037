//! Flow runs: list, count, page, read.

use flowgate_core::{FlowRun, FlowRunFilter, FlowRunPage, FlowRunPageRequest};
use uuid::Uuid;

use crate::request::Method;
use crate::{Client, ClientError};

impl Client {
    /// HTTP POST /flow_runs/filter: the runs matching `filter`, in its sort order (at most
    /// 200 per call; use `offset` or [`Client::paginate_flow_runs`] for more).
    pub async fn list_flow_runs(
        &self,
        filter: &FlowRunFilter,
    ) -> Result<Vec<FlowRun>, ClientError> {
        self.fetch(
            Method::Post,
            "/flow_runs/filter",
            Some(filter),
            "flow run list",
            || "The flow-run list".into(),
        )
        .await
    }

    /// HTTP POST /flow_runs/count: how many runs match `filter`.
    pub async fn count_flow_runs(&self, filter: &FlowRunFilter) -> Result<u64, ClientError> {
        let criteria = FlowRunFilter {
            sort: None,
            limit: None,
            offset: None,
            ..filter.clone()
        };
        self.fetch(
            Method::Post,
            "/flow_runs/count",
            Some(&criteria),
            "flow run count",
            || "The flow-run count".into(),
        )
        .await
    }

    /// HTTP POST /flow_runs/paginate: one page of runs with the total count.
    pub async fn paginate_flow_runs(
        &self,
        page: &FlowRunPageRequest,
    ) -> Result<FlowRunPage, ClientError> {
        self.fetch(
            Method::Post,
            "/flow_runs/paginate",
            Some(page),
            "flow run page",
            || "The flow-run page".into(),
        )
        .await
    }

    /// HTTP GET /flow_runs/{id}: one run.
    pub async fn read_flow_run(&self, id: Uuid) -> Result<FlowRun, ClientError> {
        self.fetch(
            Method::Get,
            &format!("/flow_runs/{id}"),
            None::<&()>,
            "flow run",
            || format!("Flow run {id}"),
        )
        .await
    }

    /// Reads the run until `shows` holds for it, at most `tries` times, 200 ms apart: an
    /// event can arrive before the server's write is visible to a read. The last run read,
    /// whether or not it shows it.
    pub async fn read_flow_run_until(
        &self,
        id: Uuid,
        tries: usize,
        shows: impl Fn(&FlowRun) -> bool,
    ) -> Result<FlowRun, ClientError> {
        let mut attempt = 1;
        loop {
            let run = self.read_flow_run(id).await?;
            if shows(&run) || attempt >= tries {
                return Ok(run);
            }
            attempt += 1;
            crate::transport::sleep(200).await;
        }
    }
}
