"""Real Prefect flows that pause, for Flowgate's tests and demo data.

Run as `python flows.py KIND ID_FILE [TIMEOUT]` with PREFECT_API_URL pointing at the
server. The flow writes its run id to ID_FILE, then pauses (or, for `done`, completes).
"""

import os
import sys
from pathlib import Path
from typing import Literal

from prefect import flow, pause_flow_run
from prefect.exceptions import FlowPauseTimeout
from prefect.input import RunInput
from prefect.runtime import flow_run
from pydantic import BaseModel, Field


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


class Window(BaseModel):
    start: str = Field(description="When the release may begin (ISO 8601)", json_schema_extra={"format": "date-time"})
    hours: int = Field(default=2, ge=1, le=12)


class Release(RunInput):
    """A release gate that asks for every kind of field the console's form draws."""

    approver: str = Field(description="Who signs off", min_length=2)
    replicas: int = Field(default=3, ge=1, le=50)
    canary_share: float = Field(default=0.1, gt=0, le=1)
    notify: bool = True
    channel: Literal["stable", "beta", "nightly"] = "stable"
    ticket: str | None = None
    window: Window
    fallback: Window | None = None
    regions: list[str] = ["eu-west"]
    owners: list[Contact] = []
    version: tuple[int, int, int] = (1, 0, 0)
    limits: dict[str, int] = {}


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


@flow(name="wait-for-human")
def wait_past_timeout(id_file: str, timeout: int = 3600) -> str:
    """The plain gate whose pause times out and stays PAUSED: when the wait ends, the process
    exits before Prefect's engine can mark the run failed (nothing resumes it, nothing fails
    it), the case the resume rule rejects. Nothing has to kill it in time."""
    record_id(id_file)
    try:
        pause_flow_run(timeout=timeout)
    except FlowPauseTimeout:
        os._exit(0)
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


@flow(name="release-gate")
def release_gate(id_file: str, timeout: int = 3600) -> str:
    record_id(id_file)
    release = pause_flow_run(
        wait_for_input=Release.with_initial_data(
            description="Sign off the release: pick the channel, the window and the limits."
        ),
        timeout=timeout,
    )
    return f"released by {release.approver}"


@flow(name="nightly-report")
def nightly_report(id_file: str, timeout: int = 0) -> str:
    record_id(id_file)
    return "done"


FLOWS = {
    "plain": wait_for_human,
    "timed_out": wait_past_timeout,
    "keyed": keyed_gate,
    "input": approve_deploy,
    "release": release_gate,
    "done": nightly_report,
}

if __name__ == "__main__":
    kind, id_file = sys.argv[1], sys.argv[2]
    timeout = int(sys.argv[3]) if len(sys.argv) > 3 else 3600
    if kind == "serve":
        # A runner that serves the plain gate as deployment `wait-for-human/served-gate`:
        # runs created from it execute in processes the runner starts, watches and stops.
        wait_for_human.serve(name="served-gate", parameters={"id_file": id_file, "timeout": timeout})
    else:
        FLOWS[kind](id_file=id_file, timeout=timeout)
