"""Star rating and ratings count."""

import re

from shelfwise.integrations.amazon_pages.document import Document

_RATING = re.compile(r"(\d(?:[.,]\d)?)")
_DIGITS = re.compile(r"\d")
MAXIMUM_DIGITS = 12  # counts and ranks beyond are noise, and int() refuses 4,300+ digits


def rating(document: Document) -> float | None:
    """From "4,3 von 5 Sternen" or "4.6 out of 5 stars": the first number, either separator."""
    node = document.by_id("acrPopover")
    text = (node.attributes.get("title") or "") if node is not None else ""
    if not text:
        anchors = (("acrPopover", ".a-icon-alt"), ("averageCustomerReviews", ".a-icon-alt"))
        text = document.first_text(anchors) or ""
    match = _RATING.search(text)
    if match is None:
        return None
    value = float(match.group(1).replace(",", "."))
    return value if 0 <= value <= 5 else None


def review_count(document: Document) -> int | None:
    """From "1,010 customer reviews", "5.182 valoraciones" or "(2,357)": thousands dropped."""
    text = document.first_text((("acrCustomerReviewText", None),))
    if text is None:
        return None
    digits = "".join(_DIGITS.findall(text))
    return int(digits) if 0 < len(digits) <= MAXIMUM_DIGITS else None
