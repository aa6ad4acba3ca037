"""Times Prefect's own run-input check on the benchmark cases: hydrate, then
`schema_tools.validate(..., raise_on_error=True)` — what the resume endpoint runs.

Usage: python prefect_validate.py <approval.json>   (prints microseconds per call as JSON)
"""

import json
import sys
import time

from prefect.utilities import schema_tools
from prefect.utilities.schema_tools.hydration import HydrationContext


def check(run_input, schema):
    ctx = HydrationContext(raise_on_error=True, render_jinja=True, render_workspace_variables=True)
    hydrated = schema_tools.hydrate(run_input, ctx) or {}
    try:
        schema_tools.validate(hydrated, schema, raise_on_error=True)
        return True
    except schema_tools.ValidationError:
        return False


def main() -> None:
    data = json.load(open(sys.argv[1]))
    result = {}
    for name in ("valid", "invalid"):
        run_input = data[name]
        # The server parses the stored schema text on every resume.
        assert check(run_input, json.loads(data["schema"])) == (name == "valid")
        for _ in range(20):
            check(run_input, json.loads(data["schema"]))
        iterations, start = 0, time.perf_counter()
        while time.perf_counter() - start < 2.0:
            check(run_input, json.loads(data["schema"]))
            iterations += 1
        result[name] = (time.perf_counter() - start) * 1e6 / iterations
    print(json.dumps(result))


if __name__ == "__main__":
    main()
