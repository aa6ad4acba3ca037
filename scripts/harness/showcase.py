"""The console's demo: what a team's morning looks like when flows wait for people.

Run as `python showcase.py` with PREFECT_API_URL pointing at the server: a Prefect runner
serves the deployments below, and runs created from them (by the harness, `--showcase`)
execute in processes it starts, pause for a person, and go on when resumed — real flows,
with the input each asks for described as a person would read it. The adversarial cases
(markup in names, broken schemas) stay in the test suites' seeds (`--demo`).
"""

from typing import Literal

from prefect import flow, pause_flow_run, serve
from prefect.input import RunInput
from pydantic import Field


class ReleaseSignOff(RunInput):
    """The sign-off a production release waits for."""

    approver: str = Field(description="Who signs off", min_length=2)
    run_migrations: bool = Field(default=True, description="Apply the 2 pending database migrations")
    rollout: Literal["canary 10% first", "all at once"] = "canary 10% first"
    note: str | None = Field(default=None, description="Anything the on-call engineer should know")


RELEASE_NOTES = """## {service} {version} to production

Staging has run it for 26 hours with no new errors.

**Changes**

- Checkout: Apple Pay for customers in the EU
- Search results cached for five minutes
- Fixed: order e-mails sent twice when a payment is retried

**Database:** two migrations (a `wallet` column on `orders`, an index on
`payments.created_at`); both are reversible."""


@flow(name="release-to-production")
def release_to_production(service: str, version: str, timeout: int = 86400) -> str:
    sign_off = pause_flow_run(
        wait_for_input=ReleaseSignOff.with_initial_data(
            description=RELEASE_NOTES.format(service=service, version=version)
        ),
        timeout=timeout,
    )
    return f"{service} {version} released; signed off by {sign_off.approver}"


class BackfillRange(RunInput):
    """How far back a backfill reloads."""

    days_back: int = Field(default=3, ge=1, le=30, description="Days to reload, counting back from yesterday")
    tables: list[Literal["orders", "payments", "refunds", "customers"]] = ["orders", "payments"]
    approver: str = Field(min_length=2)


BACKFILL_NOTES = """The warehouse load failed the last three nights: the billing API was down.
Reloading takes about 40 minutes per day of data and holds a lock on the tables it
reloads. **How far back should the backfill go?**"""


@flow(name="nightly-backfill")
def nightly_backfill(warehouse: str, timeout: int = 43200) -> str:
    chosen = pause_flow_run(
        wait_for_input=BackfillRange.with_initial_data(description=BACKFILL_NOTES),
        timeout=timeout,
    )
    return f"reloaded {chosen.days_back} days of {', '.join(chosen.tables)} into {warehouse}"


class QualityDecision(RunInput):
    """What to do with a load whose checks failed."""

    decision: Literal["hold the load", "publish anyway"] = "hold the load"
    reason: str = Field(min_length=3, description="Why; it goes in the audit log")


QUALITY_NOTES = """## 2 of 14 checks failed on `{table}`

- **Row count against the 7-day average:** expected within 20%, found 34% fewer rows
- **`customer_id` is never empty:** expected 0 empty, found 112

The other 12 checks passed. Publishing makes today's numbers visible on the sales
dashboard; holding keeps yesterday's there."""


@flow(name="data-quality-gate")
def data_quality_gate(table: str, timeout: int = 28800) -> str:
    decided = pause_flow_run(
        wait_for_input=QualityDecision.with_initial_data(description=QUALITY_NOTES.format(table=table)),
        timeout=timeout,
    )
    return f"{table}: {decided.decision} ({decided.reason})"


@flow(name="promote-model")
def promote_model(model: str, version: int, timeout: int = 172800) -> str:
    # A plain pause: the person checks the evaluation report and resumes, or rejects.
    pause_flow_run(timeout=timeout, key="promote")
    return f"{model} v{version} serves traffic"


# Each deployment with the parameters and tags its runs are created with (the harness reads
# these), so the inbox reads like a team's morning.
DEPLOYMENTS = [
    (release_to_production, "production", {"service": "web-shop", "version": "2.14.0"}, ["release", "web-shop"]),
    (nightly_backfill, "warehouse-nightly", {"warehouse": "analytics"}, ["warehouse"]),
    (data_quality_gate, "daily-orders", {"table": "daily_orders"}, ["warehouse", "quality"]),
    (promote_model, "weekly-retrain", {"model": "churn-classifier", "version": 7}, ["ml"]),
]

if __name__ == "__main__":
    serve(*[f.to_deployment(name=name, parameters=parameters, tags=tags)
            for f, name, parameters, tags in DEPLOYMENTS])
