"""Parsers for imported cell text, used by row validation.

Each returns None (or []) for an empty cell and raises `ValueError` with a message fit to show the
user as is; the caller adds the row and the column.
"""

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from urllib.parse import urlsplit

from price_parser import Price
from price_parser._currencies import CURRENCIES

from shelfwise.catalog.identifiers import (
    gtin_check_digit,
    is_valid_asin,
    is_valid_gtin,
    normalize_asin,
    normalize_gtin,
)
from shelfwise.catalog.schemas import Money

ISO_CURRENCIES = frozenset(code for code in CURRENCIES if re.fullmatch(r"[A-Z]{3}", code))
MAX_IMAGES = 50
_MAX_NUMBER_CHARS = 40
_MAX_AMOUNT = Decimal(10) ** 10  # Money holds 12 digits, 2 of them decimals

# Symbol (casefolded) -> currencies it may mean, the usual one first; a default currency among
# them wins (so "$" is MXN in a file from amazon.com.mx).
_SYMBOLS: dict[str, tuple[str, ...]] = {
    "$": ("USD", "CAD", "AUD", "NZD", "MXN", "SGD", "HKD", "ARS", "CLP", "COP"),
    "us$": ("USD",),
    "c$": ("CAD", "NIO"),
    "ca$": ("CAD",),
    "a$": ("AUD",),
    "au$": ("AUD",),
    "nz$": ("NZD",),
    "mx$": ("MXN",),
    "r$": ("BRL",),
    "s$": ("SGD",),
    "hk$": ("HKD",),
    "€": ("EUR",),
    "euro": ("EUR",),
    "£": ("GBP",),
    "¥": ("JPY", "CNY"),
    "￥": ("JPY", "CNY"),
    "cn¥": ("CNY",),
    "元": ("CNY",),
    "rmb": ("CNY",),
    "zł": ("PLN",),
    "zl": ("PLN",),
    "kč": ("CZK",),
    "ft": ("HUF",),
    "lei": ("RON",),
    "kr": ("SEK", "NOK", "DKK", "ISK"),
    "kr.": ("DKK", "SEK", "NOK", "ISK"),
    "fr.": ("CHF",),
    "₹": ("INR",),
    "rs.": ("INR",),
    "₽": ("RUB",),
    "₺": ("TRY",),
    "₩": ("KRW",),
    "₪": ("ILS",),
}
_PRICE_PARSER_SYMBOLS: dict[str, set[str]] = {}
for _code, _info in CURRENCIES.items():
    for _key in ("s", "sn"):
        _PRICE_PARSER_SYMBOLS.setdefault(str(_info[_key]).casefold(), set()).add(_code)

_SPACES = " \u00a0\u202f\u2009'\u2019"  # digit-group separators besides "." and ","
_MINUS = "-\u2212"
_AMOUNT_ONLY = re.compile(rf"[+{re.escape(_MINUS)}]?\s*\d[\d.,{re.escape(_SPACES)}]*")
_ISO_FIRST = re.compile(r"([A-Za-z]{3})\s*(.+)", re.DOTALL)
_ISO_LAST = re.compile(r"(.+?)\s*([A-Za-z]{3})", re.DOTALL)

_TRUE = frozenset({"true", "yes", "y", "1", "ja", "j", "tak", "t", "sí", "si", "s", "oui", "o"})
_FALSE = frozenset({"false", "no", "n", "0", "nein", "nie", "non", "falsch", "f"})

_ZONES = {"UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "BST": 1, "CET": 1, "WEST": 1, "CEST": 2}
_ZONES |= {"EET": 2, "EEST": 3, "MSK": 3, "JST": 9, "AEST": 10, "AEDT": 11, "HST": -10}
_ZONES |= {"AKST": -9, "AKDT": -8, "PST": -8, "PDT": -7, "MST": -7, "MDT": -6, "CST": -6}
_ZONES |= {"CDT": -5, "EST": -5, "EDT": -4, "BRT": -3}
_ZONED = re.compile(
    r"(?P<when>\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)\s*"
    r"(?P<zone>[A-Za-z]{1,5})?\s*(?:(?P<sign>[+-])(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?)?"
)
_DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")

# parse_money's fast path: signs it reads itself, and per decimal mark an amount grouped by the
# other mark ("1.234,56") or not ("1234,56"), with up to two decimals, a sign or an ISO code
# before or after it, one space at most between them.
_QUICK_SYMBOLS = frozenset({"€", "£", "$"})


def _quick_money_pattern(mark: str) -> re.Pattern[str]:
    group = re.escape("." if mark == "," else ",")
    amount = rf"(?P<whole>[0-9]{{1,3}}(?:{group}[0-9]{{3}})+|[0-9]+)"
    amount += rf"(?:{re.escape(mark)}(?P<fraction>[0-9]{{1,2}}))?"
    sign = r"[€£$]|[A-Za-z]{3}"
    return re.compile(rf"(?:(?P<before>{sign}) ?)?{amount}(?: ?(?P<after>{sign}))?")


_QUICK_MONEY = {mark: _quick_money_pattern(mark) for mark in ".,"}

_IMAGE_URL_SEPARATORS = re.compile(r"[|\s]+|[,;](?=\s*https?://)", re.IGNORECASE)
# A URL with a plain host name, which urlsplit would take as http(s) with a host: no need to ask.
_PLAIN_URL = re.compile(r"https?://[a-z0-9.-]+(?::[0-9]+)?(?:[/?#]|\Z)", re.IGNORECASE | re.ASCII)


def parse_money(
    text: str, *, default_currency: str | None = None, decimal_separator: str | None = None
) -> Money | None:
    """An amount with its currency: "1.234,56 €" is 1234.56 EUR, "$12.48" 12.48 USD.

    The currency comes from the text (a symbol or ISO code), else `default_currency`; a symbol
    that several currencies use ("$", "¥", "kr") means `default_currency` when it is one of them.
    `decimal_separator` ("." or ",") is the file's decimal mark; without it price-parser guesses,
    reading "1.234" as 1234.
    """
    value = text.strip()
    if not value:
        return None
    quick = _quick_money(value, default_currency, decimal_separator)
    if quick is not None:
        return Money(amount=quick[0], currency=quick[1])
    return _parse_money_in_full(value, default_currency, decimal_separator)


def parse_amount(
    text: str, *, default_currency: str | None = None, decimal_separator: str | None = None
) -> tuple[Decimal, str] | None:
    """`parse_money`'s (amount, currency) without building a Money: an import's hot path."""
    value = text.strip()
    if not value:
        return None
    quick = _quick_money(value, default_currency, decimal_separator)
    if quick is not None:
        return quick
    money = _parse_money_in_full(value, default_currency, decimal_separator)
    return (money.amount, money.currency)


def _quick_money(
    value: str, default_currency: str | None, decimal_separator: str | None
) -> tuple[Decimal, str] | None:
    """The common case without price-parser: an amount written in the file's notation with at
    most one currency sign or ISO code, before or after it. None for anything else (a sign, an
    amount grouped by spaces, other symbols, an error), which the full parser reads: it gives
    the same result wherever both apply (tests/ingest/test_value_fast_paths.py)."""
    pattern = _QUICK_MONEY.get(decimal_separator or "")
    if pattern is None or (match := pattern.fullmatch(value)) is None:
        return None
    before, whole, fraction, after = match.group("before", "whole", "fraction", "after")
    currency = quick_currency(before, after, default_currency)
    if currency is None:
        return None
    digits = whole.replace("." if decimal_separator == "," else ",", "")
    amount = Decimal(f"{digits}.{fraction}" if fraction else digits)
    return (amount, currency) if amount < _MAX_AMOUNT else None


def quick_currency(
    before: str | None, after: str | None, default_currency: str | None
) -> str | None:
    """The currency of an amount `_quick_money` matched, from the sign before or after it;
    None where the full parser must decide."""
    if before is not None and after is not None:
        return None
    if default_currency is not None and default_currency not in ISO_CURRENCIES:
        return None
    sign = before or after
    if sign is None:
        return default_currency
    if sign in _QUICK_SYMBOLS:
        return _currency_of_symbol(sign, default_currency)
    return sign.upper() if sign.upper() in ISO_CURRENCIES else None


def quick_money_pattern(decimal_separator: str | None) -> re.Pattern[str] | None:
    """`_quick_money`'s pattern for a decimal mark (groups: before, whole, fraction, after)."""
    return _QUICK_MONEY.get(decimal_separator or "")


def _parse_money_in_full(
    value: str, default_currency: str | None, decimal_separator: str | None
) -> Money:
    shown = _show(value)
    if default_currency is not None and default_currency not in ISO_CURRENCIES:
        raise ValueError(f"{_show(default_currency)} is not an ISO 4217 currency code")
    currency, rest = _split_iso_code(value)
    price = Price.fromstring(rest, decimal_separator=decimal_separator)
    if price.currency is not None:
        symbol_currency = _currency_of_symbol(price.currency, currency or default_currency)
        if currency not in (None, symbol_currency):
            raise ValueError(f"{shown} names two currencies, {currency} and {symbol_currency}")
        currency = symbol_currency
        rest = rest.replace(price.currency, " ", 1)
    rest = rest.strip()
    if price.amount is None or not _AMOUNT_ONLY.fullmatch(rest):
        raise ValueError(f"{shown} is not a price")
    if rest[0] in _MINUS:
        raise ValueError(f"{shown} is negative; a price cannot be")
    currency = currency or default_currency
    if currency is None:
        raise ValueError(f"{shown} has no currency; add a symbol or a currency column")
    amount = price.amount
    if amount >= _MAX_AMOUNT:
        raise ValueError(f"{shown} is too large for a price")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"{shown} has more than 2 decimal places")
    return Money(amount=amount, currency=currency)


def parse_currency(text: str) -> str | None:
    """An ISO 4217 code from a code ("eur") or an unambiguous symbol ("€", "zł")."""
    value = text.strip()
    if not value:
        return None
    if value.upper() in ISO_CURRENCIES:
        return value.upper()
    return _currency_of_symbol(value, None)


def parse_decimal(text: str, *, decimal_separator: str = ".") -> Decimal | None:
    """A plain number in the file's notation: "1.234,5" with "," as the decimal mark is 1234.5."""
    value = text.strip()
    if not value:
        return None
    if decimal_separator not in (".", ","):
        raise ValueError(f"{_show(decimal_separator)} is not a decimal mark; use '.' or ','")
    group = re.escape(("," if decimal_separator == "." else ".") + _SPACES)
    match = re.fullmatch(
        rf"([+{re.escape(_MINUS)}]?)\s*(\d{{1,3}}(?:[{group}]\d{{3}})+|\d+)(?:{re.escape(decimal_separator)}(\d+))?",
        value,
    )
    if len(value) > _MAX_NUMBER_CHARS or match is None:
        mark = "decimal comma" if decimal_separator == "," else "decimal point"
        raise ValueError(f"{_show(value)} is not a number (this file uses a {mark})")
    sign, whole, fraction = match.groups()
    digits = re.sub(r"\D", "", whole)
    negative = "-" if sign and sign in _MINUS else ""
    return Decimal(f"{negative}{digits}.{fraction}" if fraction else f"{negative}{digits}")


def parse_int(text: str, *, decimal_separator: str = ".") -> int | None:
    """A whole number: "1.234" is 1234 where "," is the decimal mark, and refused where "." is."""
    number = parse_decimal(text, decimal_separator=decimal_separator)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise ValueError(f"{_show(text.strip())} is not a whole number")
    return int(number)


def parse_bool(text: str) -> bool | None:
    """Yes/no in English, German, Polish, Spanish or French, or 1/0."""
    value = text.strip().casefold()
    if not value:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{_show(text.strip())} is not yes or no (e.g. true/false, yes/no, 1/0)")


def parse_image_urls(text: str) -> list[str]:
    """Image URLs separated by "|", white space or commas (commas inside a URL stay)."""
    urls: list[str] = []
    # The usual cell, URLs joined by "|" alone, splits without the regular expression.
    is_plain = " " not in text and "," not in text and ";" not in text and text.isprintable()
    for part in text.split("|") if is_plain else _IMAGE_URL_SEPARATORS.split(text):
        url = part.strip(",;")
        if not url or url in urls:
            continue
        if len(url) > 2048 or not (_PLAIN_URL.match(url) or _is_http_url(url)):
            raise ValueError(f"{_show(url)} is not an http(s) image URL")
        urls.append(url)
    if len(urls) > MAX_IMAGES:
        raise ValueError(f"{len(urls)} images; at most {MAX_IMAGES} are allowed")
    return urls


def parse_datetime(text: str, *, default_timezone: tzinfo = UTC) -> datetime | None:
    """A moment: ISO 8601, Amazon's "2015-05-08 11:03:05 PDT", "… GMT-8" or "08.05.2015 11:03".

    A date alone is midnight; a time without a zone is in `default_timezone`.
    """
    value = text.strip()
    if not value:
        return None
    try:
        moment = _parse_moment(value)
    except ValueError as error:
        raise ValueError(
            f"{_show(value)} is not a date and time ({error}; write e.g. 2024-05-08 11:03:05"
            " or 2024-05-08T11:03:05Z)"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=default_timezone)


def parse_gtin(text: str) -> str | None:
    """A GTIN-8, UPC-A, EAN-13 or GTIN-14 with its check digit verified; dashes and spaces go."""
    value = normalize_gtin(text)
    if not value:
        return None
    if is_valid_gtin(value):  # the usual case, before working out what is wrong
        return value
    shown = _show(value)
    if re.fullmatch(r"\d+(?:[.,]\d+)?[eE]\+?\d+", value):
        raise ValueError(
            f"{shown} is a number in scientific notation, not a GTIN: format the column as text"
        )
    if not (value.isascii() and value.isdigit()):
        raise ValueError(f"{shown} is not a GTIN: it may contain digits only")
    if len(value) not in (8, 12, 13, 14):
        raise ValueError(f"{shown} has {len(value)} digits; a GTIN has 8, 12, 13 or 14")
    if not is_valid_gtin(value):
        expected = gtin_check_digit(value[:-1])
        raise ValueError(f"{shown} is not a valid GTIN: its check digit should be {expected}")
    return value


def parse_asin(text: str) -> str | None:
    """An ASIN (B0 + 8 letters or digits, or a book's ISBN-10 with its check digit)."""
    value = normalize_asin(text)
    if not value:
        return None
    if not is_valid_asin(value):
        raise ValueError(
            f"{_show(value)} is not a valid ASIN (B0 + 8 letters or digits, or an ISBN-10)"
        )
    return value


def _split_iso_code(value: str) -> tuple[str | None, str]:
    for pattern, code_group, rest_group in ((_ISO_FIRST, 1, 2), (_ISO_LAST, 2, 1)):
        match = pattern.fullmatch(value)
        if match and match.group(code_group).upper() in ISO_CURRENCIES:
            return match.group(code_group).upper(), match.group(rest_group)
    return None, value


def _is_http_url(url: str) -> bool:
    parsed = urlsplit(url)
    return parsed.scheme.lower() in ("http", "https") and bool(parsed.netloc)


def _currency_of_symbol(symbol: str, default_currency: str | None) -> str:
    key = symbol.strip().casefold()
    candidates = _SYMBOLS.get(key) or tuple(sorted(_PRICE_PARSER_SYMBOLS.get(key, ())))
    if not candidates:
        raise ValueError(f"{_show(symbol)} is not a currency Shelfwise knows")
    if default_currency in candidates:
        return default_currency
    if len(candidates) > 1 and key not in _SYMBOLS:
        raise ValueError(f"{_show(symbol)} may be {', '.join(candidates)}: name the currency")
    return candidates[0]


def _parse_moment(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        pass
    if zoned := _ZONED.fullmatch(value):
        moment = datetime.fromisoformat(zoned["when"].replace(" ", "T"))
        zone, sign, hours, minutes = zoned.group("zone", "sign", "hours", "minutes")
        if zone is None and sign is None:
            raise ValueError("no time zone")
        offset = timedelta(0)
        if zone is not None:
            if zone.upper() not in _ZONES:
                raise ValueError(f"unknown time zone {zone}")
            offset = timedelta(hours=_ZONES[zone.upper()])
        if sign is not None:
            extra = timedelta(hours=int(hours), minutes=int(minutes or 0))
            offset += extra if sign == "+" else -extra
        return moment.replace(tzinfo=timezone(offset))
    if dotted := _DOTTED.fullmatch(value):
        day, month, year, hour, minute, second = (int(part or 0) for part in dotted.groups())
        return datetime(year, month, day, hour, minute, second)
    raise ValueError("unknown format")


def _show(value: str) -> str:
    """The value quoted for a message, shortened when long."""
    return repr(value if len(value) <= 60 else value[:57] + "...")
