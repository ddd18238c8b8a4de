"""The embedded job system's life cycle."""

import logging

import pytest

from shelfwise.jobs.system import JobSystem
from shelfwise.platform.context import AppContext
from shelfwise.platform.settings import Settings


def test_stopping_logs_no_critical_error(
    context: AppContext, job_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    system = JobSystem(context.database, job_settings, run_workers=True)
    system.start()
    system.stop()
    assert [
        record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR
    ] == []
