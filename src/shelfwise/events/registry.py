"""Which job kinds subscribe to which event types (declared next to the subscribing job)."""

from collections import defaultdict

SUBSCRIPTIONS: dict[str, set[str]] = defaultdict(set)  # event type -> job kinds


def subscribe(job_name: str, *event_types: str) -> None:
    """Deliver every event of `event_types` to the job `job_name` (at least once)."""
    if not event_types:
        raise ValueError("subscribe to at least one event type")
    for event_type in event_types:
        SUBSCRIPTIONS[event_type].add(job_name)


def subscribers_of(event_type: str) -> list[str]:
    return sorted(SUBSCRIPTIONS.get(event_type, ()))
