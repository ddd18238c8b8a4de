"""Rate limiter: calls a vendor accepts under a real SP-API usage plan, against the ceiling.

Run from the project root (needs Redis at 127.0.0.1:6379, or SHELFWISE_TEST_REDIS_URL):

    .venv/bin/python bench/ratelimit.py [--operation getItemOffersBatch] [--scale 72] [--hours 1]

1. reads the operation's usage plan (rate, burst) from the 'Usage Plan' table of its description
   in ../shared/data/spapi/models/productPricingV0.json (the published SP-API model);
2. starts the fake vendor (tests/fakes/token_bucket_server.py) on 127.0.0.1, enforcing that plan
   as a token bucket that answers 429 when empty, stamping arrivals with the kernel's clock;
3. starts 3 worker processes (spawn), each with its own VendorCaller on one shared RedisBuckets,
   and lets them call the operation as fast as the orchestrator allows for --hours simulated
   hours. Time is accelerated --scale times: the fake's rate and the plan given to the callers
   are both multiplied by it, so a simulated hour takes 3600/scale seconds (50 s by default).

It prints calls accepted in the window / the theoretical maximum (burst + rate x duration) and
the share of requests answered 429. Targets: ratio >= 0.97, throttled share < 0.5 %. Acceleration
magnifies the machine's scheduling jitter by the same factor (a 5 ms late wake-up is 0.36 s of
simulated time), so a loaded machine shows more 429s than production would. Last line: one JSON
object.
"""

import argparse
import json
import multiprocessing
import os
import re
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # `tests` is a package of the project root

from redis import Redis  # noqa: E402
from tests.fakes.token_bucket_server import FakeVendor  # noqa: E402

from shelfwise.integrations.errors import RetryableError  # noqa: E402
from shelfwise.integrations.http import UsagePlan, VendorCaller  # noqa: E402
from shelfwise.integrations.usage import InProcessUsage  # noqa: E402
from shelfwise.platform.logging import configure_logging  # noqa: E402
from shelfwise.platform.ratelimit import RedisBuckets  # noqa: E402
from shelfwise.platform.settings import Settings  # noqa: E402

MODEL = ROOT.parent / "shared" / "data" / "spapi" / "models" / "productPricingV0.json"
REDIS_URL = os.environ.get("SHELFWISE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
WORKERS = 3
PLAN_ROW = re.compile(  # | Rate (requests per second) | Burst |, | ---- | ---- |, | 0.1 | 1 |
    r"\*\*Usage Plan:\*\*.*?\|\s*-+\s*\|\s*-+\s*\|\s*\|\s*([\d.]+)\s*\|\s*(\d+)\s*\|", re.S
)


def usage_plan(operation_id: str) -> tuple[str, UsagePlan]:
    """(method and path, plan) of an operation, from its description's Usage Plan table."""
    model = json.loads(MODEL.read_text())
    for path, operations in model["paths"].items():
        for method, operation in operations.items():
            if isinstance(operation, dict) and operation.get("operationId") == operation_id:
                found = PLAN_ROW.search(operation.get("description", ""))
                if found is None:
                    raise SystemExit(f"{operation_id} has no Usage Plan table")
                plan = UsagePlan(float(found.group(1)), int(found.group(2)))
                return f"{method.upper()} {path}", plan
    raise SystemExit(f"no operation {operation_id} in {MODEL.name}")


def work(arguments: dict[str, Any], ready: Any, start: Any) -> None:
    """One worker process: call until the deadline, deferring as the orchestrator says."""
    configure_logging("WARNING", json=False)
    settings = Settings()
    client = Redis.from_url(REDIS_URL)
    buckets = RedisBuckets(client, arguments["prefix"], settings.vendor_rate_headroom)
    caller = VendorCaller(settings, buckets=buckets, usage=InProcessUsage())
    plan = UsagePlan(arguments["rate"], arguments["burst"])
    organization, credential = (
        uuid.UUID(arguments["organization"]),
        uuid.UUID(arguments["credential"]),
    )
    url, operation = arguments["url"], arguments["operation"]
    caller.call(
        organization, credential, "warm-up", UsagePlan(1000.0, 100), "GET", f"{url}/warm-up"
    )
    ready.release()
    start.wait()
    deadline = time.time() + arguments["seconds"]
    while time.time() < deadline:
        try:
            caller.call(
                organization, credential, operation, plan, "POST", f"{url}/operation", json={}
            )
        except RetryableError as error:
            time.sleep(min(error.defer_seconds, max(0.0, deadline - time.time())))
    caller.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--operation", default="getItemOffersBatch")
    parser.add_argument("--scale", type=float, default=72.0, help="time acceleration factor")
    parser.add_argument("--hours", type=float, default=1.0, help="simulated hours")
    options = parser.parse_args()
    route, plan = usage_plan(options.operation)
    rate, seconds = plan.rate_per_second * options.scale, options.hours * 3600 / options.scale
    print(
        f"operation: {options.operation} ({route}) usage plan rate {plan.rate_per_second}/s, "
        f"burst {plan.burst}, from {MODEL.name}"
    )
    print(
        f"time x{options.scale:g}: {options.hours:g} simulated h in {seconds:.1f} s; "
        f"{WORKERS} worker processes sharing RedisBuckets; fake at {rate:g}/s burst {plan.burst}"
    )
    prefix = f"shelfwise-bench:{uuid.uuid4().hex}"
    spawn = multiprocessing.get_context("spawn")
    ready, start = spawn.Semaphore(0), spawn.Event()
    redis = Redis.from_url(REDIS_URL)
    with FakeVendor(rate_per_second=rate, burst=plan.burst) as vendor:
        arguments = {
            "prefix": prefix,
            "rate": rate,
            "burst": plan.burst,
            "url": vendor.url,
            "operation": options.operation,
            "organization": str(uuid.uuid4()),
            "credential": str(uuid.uuid4()),
            "seconds": seconds,
        }
        workers = [
            spawn.Process(target=work, args=(arguments, ready, start)) for _ in range(WORKERS)
        ]
        for worker in workers:
            worker.start()
        for _ in workers:  # every worker imported, connected and waiting: measure steady state
            if not ready.acquire(timeout=90):
                raise SystemExit("a worker did not start")
        began = time.time()
        start.set()
        for worker in workers:
            worker.join(timeout=seconds + 60)
        history = [a for a in vendor.history("/operation") if began <= a.at <= began + seconds]
    for key in redis.scan_iter(match=f"{prefix}:*"):
        redis.delete(key)
    accepted = sum(1 for arrival in history if arrival.status == 200)
    throttled = sum(1 for arrival in history if arrival.status == 429)
    ceiling = plan.burst + rate * seconds
    ratio, share = accepted / ceiling, throttled / max(1, len(history))
    print(f"accepted {accepted} / theoretical maximum {ceiling:.1f} = {ratio:.4f} (target >= 0.97)")
    print(f"429s: {throttled} of {len(history)} requests = {share:.2%} (target < 0.5%)")
    print(f"load average over the last minute: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(
        json.dumps(
            {
                "bench": "ratelimit",
                "operation": options.operation,
                "ratio": round(ratio, 4),
                "throttled_share": round(share, 5),
            }
        )
    )


if __name__ == "__main__":
    main()
