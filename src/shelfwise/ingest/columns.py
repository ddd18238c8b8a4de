"""Column-wise conversion of a batch of CSV rows: the common cells of a whole batch at once.

The per-row converter (rows.py) is the definition; this is a faster way to the same result for
the rows it is sure of. Each mapped column of the batch is converted by a comprehension over
the column (strip, length checks, the cell parsers' fast paths); a cell any of them is not sure
of marks its row, and every marked row goes through `RecordConverter.convert` as a record, so
its product or its problems (messages, fields) are exactly the per-row converter's. A mapping
with a field this module does not convert (SKU, currency, cost, quantity, bullets, ASIN) or a
column the file lacks converts the whole batch row by row. tests/ingest/test_columns.py checks
that both give the same result, row by row.
"""

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from itertools import repeat, starmap
from typing import Any, Final

from shelfwise.catalog.bulk import ProductRow
from shelfwise.catalog.identifiers import is_valid_gtin, normalize_gtin
from shelfwise.ingest import values
from shelfwise.ingest.mapping import Target
from shelfwise.ingest.rows import (
    MAX_DESCRIPTION,
    MAX_EXTRA_COLUMN_CHARS,
    MAX_TEXT,
    Problem,
    RecordConverter,
    RowRejected,
)


class _Refused:
    """A cell the fast path is not sure of: its row goes through the per-row converter."""


REFUSED: Final = _Refused()
_SUPPORTED = frozenset(
    {
        Target.SOURCE_ID,
        Target.TITLE,
        Target.BRAND,
        Target.CATEGORY,
        Target.DESCRIPTION,
        Target.GTIN,
        Target.PRICE,
        Target.IMAGES,
        Target.SOURCE_UPDATED_AT,
    }
)

_AMOUNT_DIGITS = 10  # the money parser's fast path reads amounts below 10**10

Converted = ProductRow | list[Problem]  # a row's product, or the problems that reject it


class ColumnConverter:
    """Rows of one file (lists of cells in header order) to products or problems, batch-wise."""

    def __init__(self, converter: RecordConverter, headers: Sequence[str]) -> None:
        self.converter = converter
        self.headers = tuple(headers)
        columns = converter.mapping.columns
        index = {header: position for position, header in enumerate(self.headers)}
        self._index_of = {target: index.get(column) for column, target in columns.items()}
        self.is_column_wise = (
            set(self._index_of) <= _SUPPORTED
            and {Target.SOURCE_ID, Target.TITLE} <= set(self._index_of)
            and None not in self._index_of.values()
        )
        self._extras = [
            (position, header[:100])
            for position, header in enumerate(self.headers)
            if header not in columns
        ]
        self._currency = converter.defaults.currency
        self._separator = converter.defaults.decimal_separator
        pattern = values.quick_money_pattern(self._separator)
        self._price_pattern = pattern.fullmatch if pattern is not None else None
        self._group_mark = "." if self._separator == "," else ","
        self._currencies: dict[tuple[str | None, str | None], Any] = {}
        self._timezone = converter.defaults.timezone or UTC

    def convert(self, rows: Sequence[list[str]]) -> list[Converted]:
        """Each row's product, or its problems, in order."""
        if not self.is_column_wise:
            return [self._one(row) for row in rows]
        index_of = self._index_of.get
        count = len(rows)
        source_ids = _texts(rows, index_of(Target.SOURCE_ID), MAX_TEXT[Target.SOURCE_ID], True)
        titles = _texts(rows, index_of(Target.TITLE), MAX_TEXT[Target.TITLE], True)
        brands = _texts(rows, index_of(Target.BRAND), MAX_TEXT[Target.BRAND], False)
        categories = _texts(rows, index_of(Target.CATEGORY), MAX_TEXT[Target.CATEGORY], False)
        descriptions = _texts(rows, index_of(Target.DESCRIPTION), MAX_DESCRIPTION, False)
        gtins = _cells(rows, index_of(Target.GTIN), _gtin)
        prices = _cells(rows, index_of(Target.PRICE), self._price)
        images = _cells(rows, index_of(Target.IMAGES), values.parse_image_urls)
        moments = _cells(rows, index_of(Target.SOURCE_UPDATED_AT), self._moment)
        attributes = self._attributes(rows, prices)
        columns = (source_ids, titles, brands, categories, descriptions, gtins, prices, images)
        refused = {
            position
            for column in (*columns, moments)
            if REFUSED in column
            for position, value in enumerate(column)
            if value is REFUSED
        }
        platform = self.converter.defaults.source_platform
        # In ProductRow's field order; a mapped ASIN or cost would not be column-wise.
        cells = (
            *(repeat(platform, count), source_ids, titles, brands, gtins, repeat(None, count)),
            *(categories, descriptions, [[] if urls is None else urls for urls in images]),
            *(attributes, repeat(None, count), repeat(None, count), moments),
        )
        products: list[Converted] = list(starmap(ProductRow, zip(*cells, strict=True)))
        for position in refused:
            products[position] = self._one(rows[position])
        assert len(products) == count
        return products

    def _one(self, row: list[str]) -> Converted:
        try:
            return self.converter.convert(dict(zip(self.headers, row, strict=True)))
        except RowRejected as rejected:
            return rejected.problems

    def _price(self, text: str) -> Any:
        """The price attribute, as the per-row converter writes it, of an amount the money
        parser's fast path reads; the amount's text made from its digits (f"{amount:.2f}")."""
        if self._price_pattern is None or not (match := self._price_pattern(text.strip())):
            return REFUSED
        before, whole, fraction, after = match.groups()
        signs = (before, after)
        if (currency := self._currencies.get(signs, REFUSED)) is REFUSED:
            currency = self._currencies[signs] = values.quick_currency(
                before, after, self._currency
            )
        integer = whole.replace(self._group_mark, "").lstrip("0") or "0"
        if currency is None or len(integer) > _AMOUNT_DIGITS:
            return REFUSED
        return {"amount": f"{integer}.{fraction or '':0<2}", "currency": currency}

    def _moment(self, text: str) -> Any:
        value = text.strip()
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            try:
                return values.parse_datetime(value, default_timezone=self._timezone)
            except ValueError:
                return REFUSED
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=self._timezone)

    def _attributes(self, rows: Sequence[list[str]], prices: list[Any]) -> list[dict[str, Any]]:
        """Unmapped columns kept as text, then the price (in the per-row converter's order)."""
        if not self._extras:
            return [{} if price is None else {"price": price} for price in prices]
        attributes: list[dict[str, Any]] = [
            {
                name: value.strip()[:MAX_EXTRA_COLUMN_CHARS]
                for position, name in self._extras
                if (value := row[position]) and not value.isspace()
            }
            for row in rows
        ]
        for attribute, price in zip(attributes, prices, strict=True):
            if price is not None:
                attribute["price"] = price
        return attributes


def _texts(rows: Sequence[list[str]], index: int | None, limit: int, required: bool) -> list[Any]:
    """A text column stripped; None when empty (REFUSED when required), REFUSED when too long."""
    if index is None:
        return [None] * len(rows)
    stripped = [row[index].strip() for row in rows]
    return [
        text if 0 < len(text) <= limit else (REFUSED if text or required else None)
        for text in stripped
    ]


def _cells(rows: Sequence[list[str]], index: int | None, parse: Callable[[str], Any]) -> list[Any]:
    """A parsed column: None for a blank cell (as the per-row converter), REFUSED for a cell
    its parser refuses."""
    if index is None:
        return [None] * len(rows)
    return [
        None if not (text := row[index]) or text.isspace() else _parsed(parse, text) for row in rows
    ]


def _parsed(parse: Callable[[str], Any], text: str) -> Any:
    try:
        return parse(text)
    except ValueError:
        return REFUSED


def _gtin(text: str) -> Any:
    value = normalize_gtin(text)
    if not value:
        return None
    return value if is_valid_gtin(value) else REFUSED
