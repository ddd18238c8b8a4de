"""The bulk write path of product imports: one upsert per batch, keyed on the product's source.

A batch is decided as a whole and atomically per key (promise H2): on PostgreSQL the rows are
copied into a session-local staging table and merged by one `INSERT … ON CONFLICT DO UPDATE …
WHERE` (the decision is made on the row the statement locks, so two importers of overlapping
files leave the newest source timestamp whatever the interleaving), or, when the caller expects
every key to be new, first inserted plainly in a savepoint (see `upsert`); on SQLite write
transactions hold the database lock from BEGIN IMMEDIATE, so the existing keys are read once,
classified in Python and written with two executemany calls of values converted by the ORM
columns' own types.

Nothing here makes ORM objects, commits, audits or emits events: the import job does that.
Product objects already loaded in the caller's session are not refreshed by an upsert.
"""

import json
import json.encoder
import math
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from functools import cache, partial
from itertools import chain
from operator import attrgetter, itemgetter
from typing import Any, cast

import orjson
from sqlalchemy import (
    Boolean,
    Column,
    Dialect,
    MetaData,
    Numeric,
    Table,
    Text,
    Uuid,
    and_,
    bindparam,
    func,
    literal,
    literal_column,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.schema import CreateTable
from sqlalchemy.types import DateTime, NullType

from shelfwise.catalog.models import Product
from shelfwise.platform.ids import new_ids
from shelfwise.platform.repository import TenantRepository
from shelfwise.platform.types import utcnow

UNIQUE_VIOLATION = "23505"  # PostgreSQL's SQLSTATE

# The columns an import owns; everything else (id, organization, created_at) is the catalog's.
CONTENT_COLUMNS = (
    "title",
    "brand",
    "gtin",
    "asin",
    "category",
    "description",
    "images",
    "attributes",
    "cost_amount",
    "cost_currency",
    "source_updated_at",
)
KEY_COLUMNS = ("source_platform", "source_id")
INSERT_COLUMNS = (
    "id",
    "organization_id",
    *KEY_COLUMNS,
    *CONTENT_COLUMNS,
    "created_at",
    "updated_at",
)
SOURCE_AT_INDEX = CONTENT_COLUMNS.index("source_updated_at")
content_of = attrgetter(*CONTENT_COLUMNS)
key_of = attrgetter(*KEY_COLUMNS)
_source_at_of = attrgetter("source_updated_at")
PRODUCTS = cast(Table, Product.__table__)

Key = tuple[str, str]
Stored = tuple[Any, tuple[Any, ...]]  # a product's id and content as the database holds them


@dataclass(frozen=True, slots=True)
class ProductRow:
    """One validated incoming product."""

    source_platform: str
    source_id: str
    title: str
    brand: str | None
    gtin: str | None
    asin: str | None
    category: str | None
    description: str | None
    images: list[str]
    attributes: dict[str, Any]
    cost_amount: Decimal | None
    cost_currency: str | None
    source_updated_at: datetime | None  # aware UTC or None

    @property
    def key(self) -> Key:
        return (self.source_platform, self.source_id)


@dataclass(frozen=True, slots=True)
class UpsertCounts:
    created: int
    updated: int
    unchanged: int
    stale: int
    changed_ids: list[uuid.UUID]  # ids of created and updated products (for events)


def _is_at_least_as_new(incoming: ProductRow, kept: ProductRow) -> bool:
    if incoming.source_updated_at is None:
        return kept.source_updated_at is None
    return kept.source_updated_at is None or incoming.source_updated_at >= kept.source_updated_at


def newest_per_key(rows: Iterable[ProductRow]) -> tuple[list[ProductRow], int]:
    """De-duplicate a batch on (source_platform, source_id): keep the row with the newest
    source_updated_at (None counts as oldest; on a tie the later row wins). Returns (kept rows in
    first-seen order, number dropped)."""
    batch = list(rows)
    keys = list(map(key_of, batch))
    if len(set(keys)) == len(keys):  # the usual batch: every key once
        return batch, 0
    kept: dict[Key, ProductRow] = {}
    dropped = 0
    for key, row in zip(keys, batch, strict=True):
        earlier = kept.get(key)
        if earlier is not None:
            dropped += 1
            if not _is_at_least_as_new(row, earlier):
                continue
        kept[key] = row  # replacing a value keeps the key's first-seen position
    return list(kept.values()), dropped


def _check_batch(rows: Sequence[ProductRow]) -> None:
    if len(set(map(key_of, rows))) != len(rows):
        raise ValueError("rows repeat a (source_platform, source_id) key; use newest_per_key")
    for row, moment in zip(rows, map(_source_at_of, rows), strict=True):
        if moment is not None and moment.utcoffset() is None:
            raise ValueError(f"naive source_updated_at for source id {row.source_id!r}")


# The PostgreSQL staging table: temporary, so private to the connection and never WAL-logged;
# its rows go at commit, and those of an earlier call in the same transaction before each copy.
STAGING = Table(
    "product_upsert_staging",
    MetaData(),
    Column("id", Uuid, nullable=False),
    Column("source_platform", Text, nullable=False),
    Column("source_id", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("brand", Text),
    Column("gtin", Text),
    Column("asin", Text),
    Column("category", Text),
    Column("description", Text),
    # JSON as text, made into jsonb by the merge: psycopg's jsonb dumper is a Python call per
    # value, the text one is not (PostgreSQL parses the same text either way).
    Column("images", Text, nullable=False),
    Column("attributes", Text, nullable=False),
    Column("cost_amount", Numeric(14, 2)),
    Column("cost_currency", Text),
    Column("source_updated_at", DateTime(timezone=True)),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DELETE ROWS",
)
# The staging columns' types for binary COPY, in column order.
STAGING_TYPES = ["uuid", *["text"] * 10, "numeric", "text", "timestamptz"]
_JSON_COLUMNS = frozenset({"images", "attributes"})
_IMAGES_AT, _ATTRIBUTES_AT = CONTENT_COLUMNS.index("images"), CONTENT_COLUMNS.index("attributes")
COPY_STAGING = (
    f"COPY {STAGING.name} ({', '.join(STAGING.columns.keys())}) FROM STDIN (FORMAT BINARY)"
)


_ORJSON_STRICT = (
    orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_SUBCLASS
)


def staging_json(value: Any) -> str:
    """JSON of images and attributes for the staging COPY: orjson's, several times faster than
    json.dumps (psycopg's default) on these small documents. Where the two would differ,
    json.dumps writes it, so PostgreSQL stores or refuses what it did before: orjson refuses
    integers beyond 64 bits, keys that are not strings, lone surrogates and (with the options
    above) dataclasses, dates and subclasses of str or int, and writes NaN and infinities as
    null."""
    try:
        data = orjson.dumps(value, option=_ORJSON_STRICT)
    except orjson.JSONEncodeError:
        return json.dumps(value)
    if b"null" in data and _holds_non_finite_float(value):
        return json.dumps(value)
    return data.decode()


def _holds_non_finite_float(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(_holds_non_finite_float(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(_holds_non_finite_float(item) for item in value)
    return False


# SQLite statements with positional parameters (identifiers from the constants above only).
# An INSERT of many rows at once: SQLite executes it in one step without the GIL, where
# executemany took the GIL back for every row, and behind the thread parsing the next batch each
# wait for it was long (a writer thread gained nothing). It also ran at 0.6x the time of
# `INSERT … SELECT … FROM json_each(?)` of the batch as one JSON array, its former form.
INSERT_SQLITE_ROWS = "INSERT INTO {} ({}) VALUES {{}}".format(  # noqa: S608
    PRODUCTS.name, ", ".join(INSERT_COLUMNS)
)
INSERT_SQLITE_ROW = "({})".format(", ".join("?" * len(INSERT_COLUMNS)))
MAX_ROWS_PER_INSERT = 1000  # also bounded by SQLite's limit of bound variables (32,766)
UPDATE_SQLITE = "UPDATE {} SET {} WHERE id = ?".format(  # noqa: S608
    PRODUCTS.name, ", ".join(f"{name} = ?" for name in (*CONTENT_COLUMNS, "updated_at"))
)


class SqliteColumns:
    """The products columns as the ORM's types write and read them on SQLite, so the batch is
    compared and written at the storage level (raw executemany speed) with the ORM's values."""

    def __init__(self, dialect: Dialect) -> None:
        def bind(name: str) -> Callable[[Any], Any] | None:
            return PRODUCTS.c[name].type.dialect_impl(dialect).bind_processor(dialect)

        def read(name: str) -> Callable[[Any], Any]:
            processor = PRODUCTS.c[name].type.dialect_impl(dialect).result_processor(dialect, None)
            return processor or _same

        self.bind_id = bind("id") or _same
        self.read_id = read("id")
        self.bind_time = bind("updated_at") or _same
        self.read_source_at = read("source_updated_at")
        self.content_binders = [
            (index, _faster(processor))
            for index, name in enumerate(CONTENT_COLUMNS)
            if (processor := bind(name)) is not None
        ]
        self.content_readers = [read(name) for name in CONTENT_COLUMNS]

    def stored_contents(self, rows: Iterable[ProductRow]) -> list[tuple[Any, ...]]:
        """Each row's content in stored form, converted column by column (a tenth faster than
        row by row: no list per row, and zip transposes in C)."""
        columns: list[Iterable[Any]] = list(zip(*map(content_of, rows), strict=True))
        if not columns:
            return []
        for index, processor in self.content_binders:
            columns[index] = map(processor, columns[index])
        return list(zip(*columns, strict=True))

    def reads_the_same(self, stored: tuple[Any, ...], incoming: tuple[Any, ...]) -> bool:
        """Whether two stored forms read back equal: JSON with keys in another order or amounts
        beyond cents are stored differently but read back the same."""
        return stored == incoming or all(
            a == b or read(a) == read(b)
            for read, a, b in zip(self.content_readers, stored, incoming, strict=True)
        )


@cache
def _staging_setup(dialect: Dialect) -> str:
    """One round trip before the staging COPY: the table made if new, and emptied of an
    earlier call's rows in the transaction by TRUNCATE, not DELETE: a transaction of many
    batches (ingest/streaming.py) would otherwise scan every earlier batch's dead rows again in
    each merge, and the merge relies on the rows lying in the order they were copied."""
    create = CreateTable(STAGING, if_not_exists=True).compile(dialect=dialect)
    return f"{create}; TRUNCATE {STAGING.name}"


def _same(value: Any) -> Any:
    return value


_JSON_SAMPLES: tuple[Any, ...] = (
    [],
    ["a b", "https://x.example/1.jpg", '\u00e4"\\'],
    {},
    {"p": {"a": "1.00", "c": "EUR"}, "q": ["x", 1, 2.5, None, True]},
)
_TIME_SAMPLES = (
    datetime(2024, 5, 8, 11, 3, 5, 120034, tzinfo=timezone(timedelta(hours=2))),
    datetime(987, 12, 31, 23, 59, tzinfo=UTC),
)


class _JsonText:
    """json.dumps for lists and dicts without its per-call setup: one C encoder, made again
    after an error (which may leave the circular-reference markers filled)."""

    def __init__(self) -> None:
        self._renew()

    def _renew(self) -> None:
        defaults = json.JSONEncoder()
        self._encode = json.encoder.c_make_encoder(  # type: ignore[attr-defined]
            {},
            defaults.default,
            json.encoder.encode_basestring_ascii,
            None,
            defaults.key_separator,
            defaults.item_separator,
            False,
            False,
            True,
        )

    def __call__(self, value: Any) -> str | None:
        if type(value) is not list and type(value) is not dict:
            return None
        try:
            return "".join(self._encode(value, 0))
        except BaseException:
            self._renew()
            raise


def _utc_text(value: Any) -> str | None:
    """An aware datetime as SQLAlchemy's SQLite DateTime writes it in UTC, in C."""
    if type(value) is not datetime or value.tzinfo is None:
        return None
    utc = value if value.tzinfo is UTC else value.astimezone(UTC)
    text = utc.replace(tzinfo=None).isoformat(" ")
    return text if utc.microsecond else f"{text}.000000"


def _faster(processor: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`processor`, or a faster function that gives what it gives where it answers (checked
    here on samples: a column type or storage format changed keeps the processor)."""
    choices: tuple[tuple[Callable[[Any], Any], tuple[Any, ...]], ...] = (
        (_JsonText(), _JSON_SAMPLES),
        (_utc_text, _TIME_SAMPLES),
    )
    for fast, samples in choices:
        try:
            is_same = all(fast(sample) == processor(sample) for sample in samples)
        except (TypeError, ValueError, AttributeError):
            is_same = False
        if is_same:
            return partial(_first_of, fast, processor)
    return processor


def _first_of(fast: Callable[[Any], Any], processor: Callable[[Any], Any], value: Any) -> Any:
    return fast(value) or processor(value)


def _staged(name: str) -> Any:
    """A staging column as the products column takes it (JSON is staged as text)."""
    column = STAGING.c[name]
    return column.cast(JSONB) if name in _JSON_COLUMNS else column


@dataclass(frozen=True, slots=True)
class PreparedRows:
    """A batch with the values its upsert sends made ahead, where the caller likes: an import
    makes them in the thread that reads, so the writer thread's share of a batch (which holds
    the GIL against the reading) is little more than the database's."""

    rows: Sequence[ProductRow]
    dialect_name: str
    # Per row: PostgreSQL the staging COPY's values; SQLite (new id, its stored form, content).
    values: list[tuple[Any, ...]]


def prepare(rows: Sequence[ProductRow], dialect: Dialect) -> PreparedRows:
    """`rows` (unique per key, aware times) with what `ProductUpserts.upsert` sends for them."""
    _check_batch(rows)
    if dialect.name == "postgresql":
        # In key order: the merge takes the rows' locks in the order it reads the staging
        # table, and sorting here (by code point, which is UTF-8's byte order, PostgreSQL's
        # "C") spares the database a sort of wide tuples in the writer's critical path.
        staged = sorted(map(_staged_values, new_ids(len(rows)), rows), key=_staged_key)
        return PreparedRows(rows, dialect.name, staged)
    columns = SqliteColumns(dialect)
    product_ids = new_ids(len(rows))
    bound_ids = map(columns.bind_id, product_ids)
    values = list(zip(product_ids, bound_ids, columns.stored_contents(rows), strict=True))
    return PreparedRows(rows, dialect.name, values)


_staged_key = itemgetter(1, 2)  # (source_platform, source_id) of a row's staged values


def _staged_values(product_id: uuid.UUID, row: ProductRow) -> tuple[Any, ...]:
    content = list(content_of(row))
    content[_IMAGES_AT] = staging_json(content[_IMAGES_AT])
    content[_ATTRIBUTES_AT] = staging_json(content[_ATTRIBUTES_AT])
    return (product_id, *key_of(row), *content)


class ProductUpserts(TenantRepository[Product]):
    """Creates or refreshes one organization's products from import batches."""

    model = Product

    def upsert(
        self,
        rows: "Sequence[ProductRow] | PreparedRows",
        *,
        collect_ids: bool = True,
        likely_new: bool = False,
    ) -> UpsertCounts:
        """Write `rows` (unique per key; or `prepare`d for this database) in the caller's
        transaction and count what happened; `collect_ids=False` leaves `changed_ids` empty
        for a caller that only counts.

        `likely_new`: the caller expects none of the keys to exist (an import whose batches so
        far created every row). PostgreSQL then first tries a plain INSERT in a savepoint: its
        server time is about a seventh below the merge's, whose speculative insertion probes
        the unique index once more and writes a second WAL record per row. A key that exists
        after all (or that a concurrent importer just committed) rolls the savepoint back, and
        the merge decides as always. Each try takes a subtransaction id that PostgreSQL keeps
        until the transaction ends, so a caller holding one transaction over many batches
        stops guessing after a few dozen (see ingest/batches.py). SQLite ignores it: its
        upsert reads the stored keys first anyway."""
        dialect = self.session.get_bind().dialect
        prepared = rows if isinstance(rows, PreparedRows) else prepare(rows, dialect)
        if prepared.dialect_name != dialect.name:
            raise ValueError(f"rows prepared for {prepared.dialect_name}, not {dialect.name}")
        if not prepared.rows:
            return UpsertCounts(created=0, updated=0, unchanged=0, stale=0, changed_ids=[])
        self.session.flush()  # products the caller added through the ORM must be seen
        connection = self.session.connection()
        if connection.dialect.name == "postgresql":
            return self._upsert_postgresql(
                connection, prepared, collect_ids=collect_ids, likely_new=likely_new
            )
        return self._upsert_sqlite(connection, prepared, collect_ids=collect_ids)

    # PostgreSQL

    def _upsert_postgresql(
        self,
        connection: Connection,
        prepared: "PreparedRows",
        *,
        collect_ids: bool,
        likely_new: bool,
    ) -> UpsertCounts:
        rows = prepared.rows
        driver_connection: Any = connection.connection.driver_connection  # psycopg's, for COPY
        driver_connection.execute(_staging_setup(connection.dialect))
        with driver_connection.cursor() as cursor, cursor.copy(COPY_STAGING) as copy:
            copy.set_types(STAGING_TYPES)
            write_row = copy.write_row
            for values in prepared.values:
                write_row(values)
        now = utcnow()
        if likely_new and self._inserted_all(now):
            return UpsertCounts(
                created=len(rows),
                updated=0,
                unchanged=0,
                stale=0,
                changed_ids=[values[0] for values in prepared.values] if collect_ids else [],
            )
        merge = self._merge_statement(now)
        if collect_ids:
            changed = connection.execute(merge).all()
            created, changed_count = sum(1 for row in changed if row.inserted), len(changed)
        else:  # two numbers back instead of a row per changed product
            merged = merge.cte("merged")
            totals = select(func.count(), func.count().filter(merged.c.inserted))
            changed, (changed_count, created) = [], connection.execute(totals).one()
        stale = 0 if changed_count == len(rows) else self._count_stale(connection)
        return UpsertCounts(
            created=created,
            updated=changed_count - created,
            unchanged=len(rows) - changed_count - stale,
            stale=stale,
            changed_ids=[row.id for row in changed],
        )

    def _count_stale(self, connection: Connection) -> int:
        """Staged rows older than their product. Rows the merge left alone are locked by it
        until commit, so this sees the very versions it decided on; rows it wrote now equal
        their input and are never counted. One index lookup per staged row (a correlated
        subquery): a join would let the planner scan the whole catalog for each batch."""
        stored_at = self.scoped(
            select(Product.source_updated_at).where(
                Product.source_platform == STAGING.c.source_platform,
                Product.source_id == STAGING.c.source_id,
            ),
            Product,
        ).scalar_subquery()
        statement = (
            select(func.count()).select_from(STAGING).where(STAGING.c.source_updated_at < stored_at)
        )
        return int(connection.execute(statement).scalar_one())

    def _inserted_all(self, now: datetime) -> bool:
        """Whether a plain INSERT of every staged row succeeded (in a savepoint, rolled back
        when a key exists). The unique index decides on committed and in-flight rows alike: a
        key a concurrent transaction holds waits for it, and fails here if it commits."""
        savepoint = self.session.begin_nested()
        try:
            # Through the session's connection for the savepoint, which emits its SAVEPOINT
            # when first used (a connection taken before would run outside it).
            self.session.connection().execute(
                postgresql_insert(PRODUCTS).from_select(INSERT_COLUMNS, self._staged_rows(now))
            )
        except IntegrityError as error:
            savepoint.rollback()
            if getattr(error.orig, "sqlstate", None) != UNIQUE_VIOLATION:
                raise
            return False
        savepoint.commit()
        return True

    def _staged_rows(self, now: datetime) -> Any:
        """The staged rows as products' INSERT_COLUMNS, in the staging table's (key) order."""
        return select(
            STAGING.c.id,
            literal(self.organization_id, Uuid()),
            *(_staged(name) for name in (*KEY_COLUMNS, *CONTENT_COLUMNS)),
            literal(now, PRODUCTS.c.created_at.type),
            literal(now, PRODUCTS.c.updated_at.type),
        )

    def _merge_statement(self, now: datetime) -> Any:
        products = PRODUCTS
        # All writers take the row locks in the same order, key order, which is the staging
        # table's: `prepare` sorted the rows, one COPY wrote them into the emptied table, and
        # a sequential scan of a temporary table reads its pages in order (PostgreSQL never
        # synchronizes scans of local buffers). An order broken anyway could only deadlock
        # two importers, and PostgreSQL would abort one, whose job is retried.
        staged = self._staged_rows(now)
        statement = postgresql_insert(products).from_select(INSERT_COLUMNS, staged)
        incoming = statement.excluded
        stored_at, incoming_at = products.c.source_updated_at, incoming.source_updated_at
        is_not_stale = or_(stored_at.is_(None), incoming_at.is_(None), incoming_at >= stored_at)
        differs = or_(
            *(products.c[name].is_distinct_from(incoming[name]) for name in CONTENT_COLUMNS)
        )
        return statement.on_conflict_do_update(
            index_elements=["organization_id", *KEY_COLUMNS],
            set_={**{name: incoming[name] for name in CONTENT_COLUMNS}, "updated_at": now},
            where=and_(is_not_stale, differs),
        ).returning(products.c.id, literal_column("xmax = 0", Boolean).label("inserted"))

    # SQLite

    def _stored(self, connection: Connection, keys: list[Key]) -> dict[Key, Stored]:
        """The batch's existing products: stored id and content, as the database holds them.

        Asked per source platform with its source ids as one JSON array (`json_each`), which
        SQLite probes in the unique index: one cached statement with one parameter, where an
        IN list of bound values made SQLAlchemy render and SQLite parse thousands of them per
        query (a fifth of a large import). Given (platform, id) pairs it would scan the
        organization's whole catalog instead."""
        found: dict[Key, Stored] = {}
        source_ids: dict[str, list[str]] = {}
        for source_platform, source_id in keys:
            source_ids.setdefault(source_platform, []).append(source_id)
        for source_platform, ids in source_ids.items():
            parameters = {"platform": source_platform, "source_ids": json.dumps(ids)}
            for platform, source_id, product_id, *content in connection.execute(
                self._stored_statement, parameters
            ):
                found[(platform, source_id)] = (product_id, tuple(content))
        return found

    @property
    def _stored_statement(self) -> Any:
        stored_form = NullType()  # no result processing: compared with the incoming stored form
        columns: list[Any] = [
            type_coerce(getattr(Product, name), stored_form)
            for name in (*KEY_COLUMNS, "id", *CONTENT_COLUMNS)
        ]
        incoming = func.json_each(bindparam("source_ids")).table_valued("value")
        return self.scoped(
            select(*columns).where(
                Product.source_platform == bindparam("platform"),
                Product.source_id.in_(select(incoming.c.value)),
            )
        )

    def _upsert_sqlite(
        self, connection: Connection, prepared: "PreparedRows", *, collect_ids: bool
    ) -> UpsertCounts:
        rows = prepared.rows
        columns = SqliteColumns(connection.dialect)
        existing = self._stored(connection, [row.key for row in rows])
        now = columns.bind_time(utcnow())
        organization = columns.bind_id(self.organization_id)
        inserts: list[tuple[Any, ...]] = []
        updates: list[tuple[Any, ...]] = []
        stale = unchanged = 0
        changed_ids: list[uuid.UUID] = []
        for row, (product_id, bound_id, content) in zip(rows, prepared.values, strict=True):
            key = row.key
            found = existing.get(key)
            if found is None:
                inserts.append((bound_id, organization, *key, *content, now, now))
                if collect_ids:
                    changed_ids.append(product_id)
                continue
            stored_id, stored = found
            stored_at = columns.read_source_at(stored[SOURCE_AT_INDEX])
            incoming_at = row.source_updated_at
            if stored_at is not None and incoming_at is not None and incoming_at < stored_at:
                stale += 1
            elif columns.reads_the_same(stored, content):
                unchanged += 1
            else:
                updates.append((*content, now, stored_id))
                if collect_ids:
                    changed_ids.append(columns.read_id(stored_id))
        if inserts:
            _insert_sqlite(connection, inserts)
        if updates:
            connection.exec_driver_sql(UPDATE_SQLITE, updates)
        return UpsertCounts(
            created=len(inserts),
            updated=len(updates),
            unchanged=unchanged,
            stale=stale,
            changed_ids=changed_ids,
        )


def _insert_sqlite(connection: Connection, rows: list[tuple[Any, ...]]) -> None:
    """Insert stored-form rows by INSERTs of as many rows as SQLite binds at once."""
    driver_connection: sqlite3.Connection = connection.connection.driver_connection  # type: ignore[assignment]
    limit = driver_connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    per_statement = max(1, min(MAX_ROWS_PER_INSERT, limit // len(INSERT_COLUMNS)))
    for start in range(0, len(rows), per_statement):
        part = rows[start : start + per_statement]
        connection.exec_driver_sql(_insert_rows(len(part)), tuple(chain.from_iterable(part)))


@cache
def _insert_rows(count: int) -> str:
    return INSERT_SQLITE_ROWS.format(", ".join([INSERT_SQLITE_ROW] * count))
