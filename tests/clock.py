"""A clock the test moves: `sleep` records the pause and advances `now` by it."""

from dataclasses import dataclass, field


@dataclass
class FakeClock:
    now_seconds: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def now(self) -> float:
        return self.now_seconds

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now_seconds += seconds

    def advance(self, seconds: float) -> None:
        self.now_seconds += seconds
