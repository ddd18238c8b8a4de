"""Monthly partitions of the time-series tables on PostgreSQL (DESIGN 1.6).

`offer_snapshots` and `rank_snapshots` are partitioned by month of `observed_at`: a month's rows
sit together (their BRIN index and their eventual removal are per partition) and a chart of one
item's last weeks reads two or three partitions, not the whole history. A DEFAULT partition
takes what falls outside the months made so far, so an insert never fails for want of one.

Partitions are made by the tables' owner, so by `shelfwise migrate` (run at every deploy): this
month up to `MONTHS_AHEAD` months from now. Each gets the parent's
row-level security (a partition queried directly must not show other tenants' rows). SQLite
has no partitions; there the tables are plain.
"""

from datetime import UTC, date, datetime

from sqlalchemy import Connection, text

from shelfwise.platform.logging import get_logger

PARTITIONED = ("offer_snapshots", "rank_snapshots")
MONTHS_AHEAD = 24
TENANT_PREDICATE = "organization_id = NULLIF(current_setting('app.org_id', true), '')::uuid"
logger = get_logger(__name__)


def month_starts(first: date, last: date) -> list[date]:
    """The first day of every month from `first`'s to `last`'s, inclusive."""
    months = []
    month = first.replace(day=1)
    while month <= last:
        months.append(month)
        month = _next_month(month)
    return months


def _next_month(month: date) -> date:
    return (
        month.replace(year=month.year + 1, month=1)
        if month.month == 12
        else month.replace(month=month.month + 1)
    )


def partition_name(table: str, month: date) -> str:
    return f"{table}_{month:%Y_%m}"


def secure(connection: Connection, table: str) -> None:
    """Row-level security on a partition, as on its parent."""
    connection.execute(text(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY"))
    connection.execute(text(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY"))
    exists = connection.execute(
        text(
            "SELECT 1 FROM pg_policies WHERE tablename = :table AND policyname = 'tenant_isolation'"
        ),
        {"table": table},
    ).first()
    if exists is None:
        connection.execute(
            text(
                f"CREATE POLICY tenant_isolation ON {table} "
                f"USING ({TENANT_PREDICATE}) WITH CHECK ({TENANT_PREDICATE})"
            )
        )


def ensure_partitions(
    connection: Connection, now: datetime | None = None, since: date | None = None
) -> list[str]:
    """Make the missing monthly partitions of every partitioned table, from this month (or
    `since`, the oldest row a migration moves) to MONTHS_AHEAD months ahead; returns their
    names. Older stray rows stay in DEFAULT rather than calling for a partition each."""
    if connection.dialect.name != "postgresql":
        return []
    today = (now or datetime.now(UTC)).date()
    last = today
    for _ in range(MONTHS_AHEAD):
        last = _next_month(last.replace(day=1))
    made = []
    for table in PARTITIONED:
        kind = connection.execute(
            text("SELECT relkind FROM pg_class WHERE relname = :table"), {"table": table}
        ).scalar()
        if kind != "p":  # not (yet) partitioned: a schema older than migration 0011
            continue
        first = min(since, today) if since is not None else today
        existing = set(
            connection.execute(
                text(
                    "SELECT child.relname FROM pg_inherits"
                    " JOIN pg_class parent ON parent.oid = pg_inherits.inhparent"
                    " JOIN pg_class child ON child.oid = pg_inherits.inhrelid"
                    " WHERE parent.relname = :table"
                ),
                {"table": table},
            ).scalars()
        )
        for month in month_starts(first, last):
            name = partition_name(table, month)
            if name in existing:
                continue
            if _default_holds(connection, table, month):
                logger.warning("partition.skipped", partition=name, reason="rows in DEFAULT")
                continue
            connection.execute(
                text(
                    f"CREATE TABLE {name} PARTITION OF {table} FOR VALUES FROM"
                    f" ('{month.isoformat()}') TO ('{_next_month(month).isoformat()}')"
                )
            )
            secure(connection, name)
            made.append(name)
    return made


def _default_holds(connection: Connection, table: str, month: date) -> bool:
    """Whether the DEFAULT partition has rows of `month` (PostgreSQL then refuses the month)."""
    found = connection.execute(
        text(
            f"SELECT 1 FROM {table}_default"  # noqa: S608 - a constant table name
            " WHERE observed_at >= :start AND observed_at < :end LIMIT 1"
        ),
        {"start": month, "end": _next_month(month)},
    ).first()
    return found is not None
