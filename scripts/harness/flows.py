"""Real Prefect flows that pause, for Flowgate's tests and demo data.

Run as `python flows.py KIND ID_FILE [TIMEOUT]` with PREFECT_API_URL pointing at the
server. The flow writes its run id to ID_FILE, then pauses (or, for `done`, completes).
"""

import sys
from pathlib import Path
from typing import Literal

from prefect import flow, pause_flow_run
from prefect.input import RunInput
from prefect.runtime import flow_run
from pydantic import BaseModel


class Address(BaseModel):
    city: str
    zip: str | None = None


class Contact(BaseModel):
    name: str
    email: str | None = None


class Approval(RunInput):
    """What the deploy gate asks a person for."""

    approver: str
    count: int = 1
    level: Literal["low", "high"] = "low"
    address: Address
    tags: list[str] = []
    contacts: list[Contact] = []


DESCRIPTION = (
    "## Approve the nightly deploy\n\n"
    "Fill in who approves and why. `count` defaults to 1. <b>Markup stays text.</b>"
)


def record_id(id_file: str) -> None:
    Path(id_file).write_text(str(flow_run.id))


@flow(name="wait-for-human")
def wait_for_human(id_file: str, timeout: int = 3600) -> str:
    record_id(id_file)
    pause_flow_run(timeout=timeout)
    return "resumed"


@flow(name="keyed-gate")
def keyed_gate(id_file: str, timeout: int = 3600) -> str:
    record_id(id_file)
    pause_flow_run(timeout=timeout, key="approval-gate")
    return "resumed"


@flow(name="approve-deploy")
def approve_deploy(id_file: str, timeout: int = 3600) -> str:
    record_id(id_file)
    approval = pause_flow_run(
        wait_for_input=Approval.with_initial_data(description=DESCRIPTION),
        timeout=timeout,
    )
    return f"approved by {approval.approver}"


@flow(name="nightly-report")
def nightly_report(id_file: str, timeout: int = 0) -> str:
    record_id(id_file)
    return "done"


FLOWS = {
    "plain": wait_for_human,
    "keyed": keyed_gate,
    "input": approve_deploy,
    "done": nightly_report,
}

if __name__ == "__main__":
    kind, id_file = sys.argv[1], sys.argv[2]
    timeout = int(sys.argv[3]) if len(sys.argv) > 3 else 3600
    FLOWS[kind](id_file=id_file, timeout=timeout)
