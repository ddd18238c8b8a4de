"""Per-(selling partner, operation) token buckets sized from the models' usage plans."""

import threading
from dataclasses import dataclass, field

from tests.fakes.spapi.models import UsagePlan

# Sums of rate x elapsed fall a hair short of 1.0 at exact refill instants (0.1 x 10 s); a
# request arriving then is on time, not early.
_EPSILON = 1e-9


@dataclass
class _Bucket:
    tokens: float
    updated_at: float  # simulated seconds


@dataclass
class UsagePlanBuckets:
    """SP-API's token buckets: a request takes a token; tokens return at `rate` per second."""

    plans: dict[str, UsagePlan] = field(default_factory=dict)  # operation id -> plan
    _buckets: dict[tuple[str, str], _Bucket] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, selling_partner_id: str, operation_id: str, at: float) -> bool:
        """Take a token for a request arriving at simulated time `at`; False means throttled."""
        plan = self.plans[operation_id]
        with self._lock:
            bucket = self._buckets.setdefault(
                (selling_partner_id, operation_id), _Bucket(float(plan.burst), at)
            )
            elapsed = max(0.0, at - bucket.updated_at)  # threads may answer out of order
            bucket.tokens = min(float(plan.burst), bucket.tokens + elapsed * plan.rate)
            bucket.updated_at = max(bucket.updated_at, at)
            if bucket.tokens < 1.0 - _EPSILON:
                return False
            bucket.tokens -= 1.0
            return True

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()
