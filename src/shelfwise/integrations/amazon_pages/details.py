"""The product details: a two-column table (2019+) or a bullet list (books, 2021+)."""

from collections.abc import Callable

from selectolax.lexbor import LexborNode

from shelfwise.integrations.amazon_pages.document import Document
from shelfwise.integrations.amazon_pages.text import visible_text

_TABLE_HEADERS = "table.prodDetTable th"
_BULLET_LABELS = "li span.a-text-bold, li b"


def table_value(document: Document, is_label: Callable[[str], bool]) -> LexborNode | None:
    """The cell beside the first details-table header whose text `is_label` accepts."""
    details = document.by_id("prodDetails")
    # A table outside the usual widget costs one walk of the page, so it is the last resort.
    headers = (
        details.css(_TABLE_HEADERS) if details is not None else document.tree.css(_TABLE_HEADERS)
    )
    for header in headers:
        if is_label(visible_text(header)):
            cell = header.next
            while cell is not None and cell.tag != "td":
                cell = cell.next
            return cell
    return None


def bullet_item(document: Document, is_label: Callable[[str], bool]) -> LexborNode | None:
    """The details bullet whose bold label `is_label` accepts (the label is inside it)."""
    bullets = document.by_id("detailBulletsWrapper_feature_div") or document.by_id(
        "detailBullets_feature_div"
    )
    for label in bullets.css(_BULLET_LABELS) if bullets is not None else []:
        if is_label(visible_text(label)):
            return label.parent
    return None
