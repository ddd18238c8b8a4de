"""Incoming rows to validated products: JSON items (pydantic) and mapped file records (the cell
parsers of values.py). A row that fails says which fields and why; the import goes on."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, tzinfo
from decimal import Decimal
from functools import partial
from typing import Any

from pydantic import ValidationError

from shelfwise.catalog.bulk import ProductRow
from shelfwise.ingest import values
from shelfwise.ingest.mapping import ColumnMapping, Target
from shelfwise.ingest.schemas import WebhookProduct
from shelfwise.operations.problems import field_path

MAX_TEXT = {Target.TITLE: 1000, Target.BRAND: 200, Target.CATEGORY: 200, Target.SOURCE_ID: 200}
MAX_SKU = 200
MAX_DESCRIPTION = 20_000
MAX_EXTRA_COLUMN_CHARS = 2000  # an unmapped column kept as an attribute
# Listing texts kept as attributes, by their plain names (an enum's .value is slow per row).
_ATTRIBUTE_TEXTS = ((Target.SKU, "sku"), (Target.BULLETS, "bullets"))


@dataclass(frozen=True, slots=True)
class Problem:
    field: str | None
    message: str


class RowRejected(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems = problems


@dataclass(frozen=True)
class FileDefaults:
    """What a file's rows fall back on, and how its cells are written."""

    source_platform: str
    currency: str | None = None
    decimal_separator: str | None = None
    timezone: tzinfo | None = None


def product_from_item(item: Any, source_platform: str) -> ProductRow:
    """A JSON product (the webhook/import schema); `source_platform` when it names none."""
    if isinstance(item, dict) and "source_platform" not in item:
        item = {**item, "source_platform": source_platform}
    try:
        product = WebhookProduct.model_validate(item)
    except ValidationError as error:
        raise RowRejected(
            [Problem(field_path(p["loc"]) or None, p["msg"]) for p in error.errors()]
        ) from None
    attributes = dict(product.attributes)
    if product.price is not None:
        attributes["price"] = product.price.model_dump(mode="json")
    return ProductRow(
        source_platform=product.source_platform,
        source_id=product.source_id,
        title=product.title,
        brand=product.brand,
        gtin=product.gtin,
        asin=product.asin,
        category=product.category,
        description=product.description,
        images=list(product.images),
        attributes=attributes,
        cost_amount=product.cost.amount if product.cost else None,
        cost_currency=product.cost.currency if product.cost else None,
        source_updated_at=product.source_updated_at,
    )


class RecordConverter:
    """Mapped file records to products. Unmapped non-empty columns are kept as text attributes
    (nothing in the file is dropped); listing-only fields (SKU, quantity, bullets, price) go to
    attributes too.

    It runs once per row of every import (a third of the reading thread's time), so what does not
    change between rows is settled here: each field's column, and the parsers of the mapped
    fields only, with the file's options.
    """

    def __init__(self, mapping: ColumnMapping, defaults: FileDefaults) -> None:
        self.mapping = mapping
        self.defaults = defaults
        self._column_of = {target: column for column, target in mapping.columns.items()}
        column = self._column_of.get
        self._texts = tuple(
            (target, name, limit)
            for target, limit in MAX_TEXT.items()
            if (name := column(target)) is not None
        )
        self._sku_column = column(Target.SKU)
        self._description_column = column(Target.DESCRIPTION)
        self._currency_column = column(Target.CURRENCY)
        self._price_column = column(Target.PRICE)
        self._cost_column = column(Target.COST)
        self._parse_money = self._money_parser(defaults.currency)
        parse_int = partial(values.parse_int, decimal_separator=defaults.decimal_separator or ".")
        parse_datetime = partial(values.parse_datetime, default_timezone=defaults.timezone or UTC)
        parsers: tuple[tuple[str, Target, Callable[[str], Any]], ...] = (
            ("source_updated_at", Target.SOURCE_UPDATED_AT, parse_datetime),
            ("gtin", Target.GTIN, values.parse_gtin),
            ("asin", Target.ASIN, values.parse_asin),
            ("images", Target.IMAGES, values.parse_image_urls),
            ("quantity", Target.QUANTITY, parse_int),
        )
        self._parsers = tuple(
            (field, name, parse)
            for field, target, parse in parsers
            if (name := column(target)) is not None
        )
        self._attribute_texts = tuple(
            (name, attribute)
            for target, attribute in _ATTRIBUTE_TEXTS
            if (name := column(target)) is not None
        )

    def convert(self, record: Mapping[str, str]) -> ProductRow:
        problems: list[Problem] = []
        text_of = record.get
        texts: dict[Target, str | None] = dict.fromkeys(MAX_TEXT)
        for target, column, limit in self._texts:
            text = text_of(column, "").strip()
            if len(text) > limit:
                problems.append(Problem(column, f"longer than {limit} characters"))
            elif text:
                texts[target] = text
        source_id = texts[Target.SOURCE_ID] or self._sku(record, problems)
        if not source_id:
            problems.append(Problem(self._required_column(Target.SOURCE_ID), "is empty"))
        if not texts[Target.TITLE]:
            problems.append(Problem(self._required_column(Target.TITLE), "is empty"))
        description = None
        if self._description_column is not None:
            description = text_of(self._description_column, "").strip() or None
            if description is not None and len(description) > MAX_DESCRIPTION:
                problems.append(Problem(self._description_column, f"longer than {MAX_DESCRIPTION}"))
        parse_money = self._parse_money
        if self._currency_column is not None:
            currency = _parsed(record, self._currency_column, _currency, problems)
            if currency and currency != self.defaults.currency:
                parse_money = self._money_parser(currency)
        price = cost = None
        if self._price_column is not None:
            price = _parsed(record, self._price_column, parse_money, problems)
        if self._cost_column is not None:
            cost = _parsed(record, self._cost_column, parse_money, problems)
        parsed = {
            field: _parsed(record, column, parse, problems)
            for field, column, parse in self._parsers
        }
        if problems:
            raise RowRejected(problems)
        attributes = self._extra_columns(record)
        if price is not None:
            amount, price_currency = price
            attributes["price"] = {"amount": f"{amount:.2f}", "currency": price_currency}
        if (quantity := parsed.get("quantity")) is not None:
            attributes["quantity"] = quantity
        for column, attribute in self._attribute_texts:
            if text := text_of(column, "").strip():
                attributes[attribute] = text
        return ProductRow(
            source_platform=self.defaults.source_platform,
            source_id=str(source_id),
            title=str(texts[Target.TITLE]),
            brand=texts[Target.BRAND],
            gtin=parsed.get("gtin"),
            asin=parsed.get("asin"),
            category=texts[Target.CATEGORY],
            description=description,
            images=parsed.get("images") or [],
            attributes=attributes,
            cost_amount=cost[0] if cost else None,
            cost_currency=cost[1] if cost else None,
            source_updated_at=parsed.get("source_updated_at"),
        )

    def _money_parser(self, currency: str | None) -> Callable[[str], tuple[Decimal, str] | None]:
        """Amount and currency of a price or cost cell (as `Money` holds them; the price goes
        to attributes as Money serializes it)."""
        return partial(
            values.parse_amount,
            default_currency=currency,
            decimal_separator=self.defaults.decimal_separator,
        )

    def _sku(self, record: Mapping[str, str], problems: list[Problem]) -> str | None:
        """The SKU as the source id of a file without one (the SKU's own length limit)."""
        if self._sku_column is None:
            return None
        text = record.get(self._sku_column, "").strip()
        if len(text) > MAX_SKU:
            problems.append(Problem(self._sku_column, f"longer than {MAX_SKU} characters"))
            return None
        return text or None

    def _required_column(self, target: Target) -> str:
        return self._column_of.get(target, target.value)

    def _extra_columns(self, record: Mapping[str, str]) -> dict[str, Any]:
        mapped = self.mapping.columns
        return {
            column[:100]: value.strip()[:MAX_EXTRA_COLUMN_CHARS]
            for column, value in record.items()
            if column not in mapped and value and not value.isspace()
        }


def _parsed(
    record: Mapping[str, str], column: str, parse: Callable[[str], Any], problems: list[Problem]
) -> Any:
    """A cell parsed, None when blank; a parser's ValueError becomes the column's problem."""
    text = record.get(column, "")
    if not text or text.isspace():
        return None
    try:
        return parse(text)
    except ValueError as error:
        problems.append(Problem(column, str(error)))
        return None


def _currency(text: str) -> str:
    code = values.parse_currency(text)
    if code is None:
        raise ValueError(f'"{text.strip()[:40]}" is not a currency (e.g. EUR, €, zł)')
    return code
