"""What a job handler raises to tell the queue whether to try again."""


class PermanentJobError(Exception):
    """Bad data, a revoked grant, a 403: trying again cannot help. The job fails at once."""


class TransientJobError(Exception):
    """A timeout, a 5xx, a throttle: try again later (optionally no sooner than `defer`)."""

    def __init__(self, message: str, defer_seconds: float | None = None) -> None:
        super().__init__(message)
        self.defer_seconds = defer_seconds


class JobCancelled(Exception):
    """Raised inside a handler when the user cancelled the job; it ends as `cancelled`."""


class JobGone(Exception):
    """The job row (or the row it acts on) no longer exists; nothing to do."""


class JobLeaseLost(Exception):
    """This attempt no longer owns its job: it sent no heartbeat within the lease and the job was
    handed to another attempt. It stops; the batch it was about to commit rolls back."""
