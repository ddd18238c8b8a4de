"""Simulated time: the fake's clock runs `acceleration` times faster than the wall clock.

Buckets refill and LWA tokens expire on this clock, so a simulated hour of usage plans runs in
3600 / acceleration real seconds while request arrivals stay real kernel timestamps.
"""

import time
from dataclasses import dataclass, field


@dataclass
class SimulatedClock:
    acceleration: float = 1.0
    started_at: float = field(default_factory=time.time)  # wall clock, time.time()

    def at(self, wall_time: float) -> float:
        """The simulated time (seconds since the start) of a wall-clock instant."""
        return (wall_time - self.started_at) * self.acceleration

    def now(self) -> float:
        return self.at(time.time())
