"""Resumes paused runs with Prefect's own Python client, for the bulk-resume benchmark.

    python prefect_resume.py API_URL MODE CONCURRENCY < ids.json

MODE `sync`: `resume_flow_run` one after another with the synchronous client; `async`: the
async client with CONCURRENCY resumes in flight (asyncio); `raw`: bare HTTP POSTs with
httpx at CONCURRENCY, no client logic at all (the server's own ceiling). Prints JSON:
{seconds, latencies_ms, statuses}.
"""

import asyncio
import json
import os
import sys
import time

import httpx


def main() -> None:
    api_url, mode, concurrency = sys.argv[1], sys.argv[2], int(sys.argv[3])
    ids = json.load(sys.stdin)
    os.environ["PREFECT_API_URL"] = api_url
    from prefect.client.orchestration import get_client

    latencies = []
    statuses = {}

    def count(status: str) -> None:
        statuses[status] = statuses.get(status, 0) + 1

    start = time.perf_counter()
    if mode == "sync":
        with get_client(sync_client=True) as client:
            for run_id in ids:
                t = time.perf_counter()
                result = client.resume_flow_run(run_id)
                latencies.append((time.perf_counter() - t) * 1000)
                count(result.status.value)
    else:
        async def run() -> None:
            gate = asyncio.Semaphore(concurrency)

            async def one(client, run_id):
                async with gate:
                    t = time.perf_counter()
                    if mode == "raw":
                        response = await client.post(f"/flow_runs/{run_id}/resume", json={})
                        status = response.json().get("status", str(response.status_code))
                    else:
                        status = (await client.resume_flow_run(run_id)).status.value
                    latencies.append((time.perf_counter() - t) * 1000)
                    count(status)

            if mode == "raw":
                limits = httpx.Limits(max_connections=concurrency)
                async with httpx.AsyncClient(base_url=api_url, timeout=60, limits=limits) as client:
                    await asyncio.gather(*(one(client, i) for i in ids))
            else:
                async with get_client() as client:
                    await asyncio.gather(*(one(client, i) for i in ids))

        asyncio.run(run())
    print(json.dumps({"seconds": time.perf_counter() - start, "latencies_ms": latencies, "statuses": statuses}))


if __name__ == "__main__":
    main()
