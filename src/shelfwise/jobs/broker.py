"""The Dramatiq broker: in-process (embedded), Redis or RabbitMQ, with one actor per job kind.

Every actor takes one job id. Dramatiq's own retries are off (max_retries=0): retries are
scheduled in the database by the runner, which survives the broker.
"""

from dramatiq import Actor, Broker, Message
from dramatiq.brokers.rabbitmq import RabbitmqBroker
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker

from shelfwise.jobs import registry
from shelfwise.jobs.runtime import JobRunner

# Long imports and sweeps must not be cut by Dramatiq's default ten-minute limit.
TIME_LIMIT_MS = 6 * 60 * 60 * 1000


def build_broker(broker_url: str | None) -> Broker:
    if broker_url is None:
        return StubBroker()
    if broker_url.startswith(("redis://", "rediss://", "unix://")):
        return RedisBroker(url=broker_url)  # type: ignore[no-untyped-call]  # untyped upstream
    if broker_url.startswith(("amqp://", "amqps://")):
        return RabbitmqBroker(url=broker_url)
    raise ValueError("SHELFWISE_BROKER_URL must be redis://… or amqp://…")


def queue_name(namespace: str, queue: str) -> str:
    """Queues carry the installation's namespace, so installations sharing a broker never take
    each other's messages."""
    return f"{namespace}-{queue}"


def declare_actors(
    broker: Broker, runner: JobRunner, namespace: str
) -> dict[str, Actor[[str], None]]:
    """One actor per declared job kind, all executing through `runner`."""
    actors: dict[str, Actor[[str], None]] = {}
    for name, declared in registry.JOB_KINDS.items():
        actors[name] = Actor(
            runner.execute,
            broker=broker,
            actor_name=name,
            queue_name=queue_name(namespace, declared.queue),
            priority=0,
            options={"max_retries": 0, "time_limit": TIME_LIMIT_MS},
        )
    return actors


def message_for(kind: str, job_id: str, namespace: str) -> Message[None]:
    return Message(
        queue_name=queue_name(namespace, registry.kind(kind).queue),
        actor_name=kind,
        args=(job_id,),
        kwargs={},
        options={},
    )
