"""The ASINs of a request: comma- or space-separated, upper-cased, de-duplicated in order."""

import re
from dataclasses import dataclass

from shelfwise.platform.errors import InvalidInputError

MAX_ASINS = 100
ASIN = re.compile(r"[A-Z0-9]{10}")
_SEPARATORS = re.compile(r"[\s,]+")


@dataclass(frozen=True)
class AsinList:
    """Every distinct ASIN asked for, in order, and which of them are not ASINs."""

    asins: tuple[str, ...]
    invalid: frozenset[str]

    @property
    def valid(self) -> list[str]:
        return [asin for asin in self.asins if asin not in self.invalid]


def parse_asins(text: str | None, field: str = "asins") -> AsinList:
    """422 when there is none or more than MAX_ASINS distinct ones; a malformed ASIN is kept
    (it gets an `invalid_asin` error item, as the rest of the request is still answered)."""
    asins = tuple(dict.fromkeys(part.upper() for part in _SEPARATORS.split(text or "") if part))
    if not asins:
        raise InvalidInputError(
            "Give at least one ASIN.", [{"field": field, "message": "no ASIN given"}]
        )
    if len(asins) > MAX_ASINS:
        message = f"{len(asins)} distinct ASINs given; a request takes at most {MAX_ASINS}."
        raise InvalidInputError(message, [{"field": field, "message": message}])
    return AsinList(asins, frozenset(asin for asin in asins if not ASIN.fullmatch(asin)))
