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

    It runs once per row of every import, so what does not change between rows (the parsers
    with the file's options) is made once here, not per row.
    """

    def __init__(self, mapping: ColumnMapping, defaults: FileDefaults) -> None:
        self.mapping = mapping
        self.defaults = defaults
        self._column_of = {target: column for column, target in mapping.columns.items()}
        self._parse_money = self._money_parser(defaults.currency)
        self._parse_datetime = partial(
            values.parse_datetime, default_timezone=defaults.timezone or UTC
        )
        self._parse_int = partial(
            values.parse_int, decimal_separator=defaults.decimal_separator or "."
        )

    def convert(self, record: Mapping[str, str]) -> ProductRow:
        problems: list[Problem] = []
        fields = self.mapping.apply(record)
        parsed = self._parsed
        texts = {target: self._text(fields, target, problems) for target in MAX_TEXT}
        source_id = texts[Target.SOURCE_ID] or self._text(fields, Target.SKU, problems)
        if not source_id:
            problems.append(Problem(self._required_column(Target.SOURCE_ID), "is empty"))
        if not texts[Target.TITLE]:
            problems.append(Problem(self._required_column(Target.TITLE), "is empty"))
        description = fields.get(Target.DESCRIPTION, "").strip() or None
        if description is not None and len(description) > MAX_DESCRIPTION:
            problems.append(
                Problem(self._column_of[Target.DESCRIPTION], f"longer than {MAX_DESCRIPTION}")
            )
        currency = parsed(fields, Target.CURRENCY, _currency, problems) or self.defaults.currency
        parse_money = (
            self._parse_money
            if currency == self.defaults.currency
            else self._money_parser(currency)
        )
        price = parsed(fields, Target.PRICE, parse_money, problems)
        cost = parsed(fields, Target.COST, parse_money, problems)
        updated_at = parsed(fields, Target.SOURCE_UPDATED_AT, self._parse_datetime, problems)
        gtin = parsed(fields, Target.GTIN, values.parse_gtin, problems)
        asin = parsed(fields, Target.ASIN, values.parse_asin, problems)
        images = parsed(fields, Target.IMAGES, values.parse_image_urls, problems) or []
        quantity = parsed(fields, Target.QUANTITY, self._parse_int, problems)
        if problems:
            raise RowRejected(problems)
        attributes = self._extra_columns(record)
        if price is not None:
            amount, price_currency = price
            attributes["price"] = {"amount": f"{amount:.2f}", "currency": price_currency}
        if quantity is not None:
            attributes["quantity"] = quantity
        for target, name in _ATTRIBUTE_TEXTS:
            if fields.get(target, "").strip():
                attributes[name] = fields[target].strip()
        return ProductRow(
            source_platform=self.defaults.source_platform,
            source_id=str(source_id),
            title=str(texts[Target.TITLE]),
            brand=texts[Target.BRAND],
            gtin=gtin,
            asin=asin,
            category=texts[Target.CATEGORY],
            description=description,
            images=images,
            attributes=attributes,
            cost_amount=cost[0] if cost else None,
            cost_currency=cost[1] if cost else None,
            source_updated_at=updated_at,
        )

    def _money_parser(self, currency: str | None) -> Callable[[str], tuple[Decimal, str] | None]:
        """Amount and currency of a price or cost cell (as `Money` holds them; the price goes
        to attributes as Money serializes it)."""
        return partial(
            values.parse_amount,
            default_currency=currency,
            decimal_separator=self.defaults.decimal_separator,
        )

    def _parsed(
        self,
        fields: Mapping[Target, str],
        target: Target,
        parse: Callable[[str], Any],
        problems: list[Problem],
    ) -> Any:
        text = fields.get(target, "")
        if not text.strip():
            return None
        try:
            return parse(text)
        except ValueError as error:
            problems.append(Problem(self._column_of[target], str(error)))
            return None

    def _text(
        self, fields: Mapping[Target, str], target: Target, problems: list[Problem]
    ) -> str | None:
        text = fields.get(target, "").strip()
        limit = MAX_TEXT.get(target, 200)
        if len(text) > limit:
            problems.append(Problem(self._column_of[target], f"longer than {limit} characters"))
            return None
        return text or None

    def _required_column(self, target: Target) -> str:
        return self._column_of.get(target, target.value)

    def _extra_columns(self, record: Mapping[str, str]) -> dict[str, Any]:
        return {
            column[:100]: value.strip()[:MAX_EXTRA_COLUMN_CHARS]
            for column, value in record.items()
            if column not in self.mapping.columns and value.strip()
        }


def _currency(text: str) -> str:
    code = values.parse_currency(text)
    if code is None:
        raise ValueError(f'"{text.strip()[:40]}" is not a currency (e.g. EUR, €, zł)')
    return code
