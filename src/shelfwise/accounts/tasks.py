"""Housekeeping of login state."""

from typing import Any

from shelfwise.accounts.repository import AccountsRepository
from shelfwise.jobs.context import JobContext
from shelfwise.jobs.registry import job, periodic
from shelfwise.platform.types import utcnow


@job("accounts.purge_expired", max_attempts=3)
def purge_expired(context: JobContext) -> dict[str, Any]:
    """Delete expired or revoked sessions and login failures older than the throttle window."""
    now = utcnow()
    window = context.settings.login_throttle_window
    with context.unit_of_work() as session:
        repository = AccountsRepository(session)
        sessions = repository.purge_sessions(expired_before=now, revoked_before=now - window)
        failures = repository.purge_failures_before(now - window)
    return {"sessions_deleted": sessions, "login_failures_deleted": failures}


periodic("accounts.purge_expired", cron="7 * * * *")
