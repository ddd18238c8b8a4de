"""Who is acting: recorded in the audit log and in content versions."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    kind: str  # "user" | "api_key" | "automation" | "system"
    id: str | None = None

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.id}" if self.id else self.kind


SYSTEM = Actor("system")
