"""H1's worker process: read-then-write transactions on a counter row (imported under spawn, so
it imports only what it needs)."""

from pathlib import Path
from typing import Any

from sqlalchemy import text

from shelfwise.platform.db import Database
from shelfwise.platform.settings import Settings


def count_up(database_path: str, transactions: int, start: Any, results: Any) -> None:
    """Run `transactions` units of work that read the counter and write it back plus one; put
    the errors met (as text) on `results`."""
    settings = Settings(
        data_dir=Path(database_path).parent, database_url=f"sqlite:///{database_path}"
    )
    database = Database(settings)
    errors: list[str] = []
    start.wait(timeout=60)
    for _ in range(transactions):
        try:
            with database.unit_of_work() as session:
                read = text("SELECT value FROM counter WHERE id = 1")
                value = session.execute(read).scalar_one()
                write = text("UPDATE counter SET value = :value WHERE id = 1")
                session.execute(write, {"value": value + 1})
        except Exception as error:  # noqa: BLE001 - a process boundary: the parent asserts on it
            errors.append(f"{type(error).__name__}: {error}")
    database.dispose()
    results.put(errors)
