"""Event tests deliver through a real job system: the fixtures of tests/jobs."""

from tests.jobs.conftest import effects_table, job_settings, job_system

__all__ = ["effects_table", "job_settings", "job_system"]
