"""Best Sellers Rank as printed in the product details, in every layout and language."""

import re

from selectolax.lexbor import LexborNode

from shelfwise.integrations.amazon_pages.document import Document
from shelfwise.integrations.amazon_pages.page import BestSellerRank
from shelfwise.integrations.amazon_pages.reviews import MAXIMUM_DIGITS
from shelfwise.integrations.amazon_pages.text import visible_text

_LABEL = re.compile(
    r"best\s?sellers?\s?rank|bestseller|clasificación en los más vendidos|"
    r"classement des meilleures ventes|posizione nella classifica|ranking dos mais vendidos|"
    r"plaatsing in bestsellerlijst|売れ筋ランキング|rangordning",
    re.IGNORECASE,
)
# "(See Top 100 in Books)" links; a category such as "Home & Garden (Books)" keeps its brackets.
_TOP_LINK = re.compile(r"\([^()]*\b100\b[^()]*\)")
# A rank carries a marker ("#", "nº", "n.°", "Nr.") or is followed by "in"/"en": a bare number
# inside a category ("PlayStation 5 Consoles") is not a rank.
_RANK = re.compile(
    r"(?:(?:#|nº|n\.°|Nr\.)\s?(\d[\d.,]*)|(?<![\w.,])(\d[\d.,]*)(?=\s+(?:in|en|dans|su|em|op|i|w)\s))"
)
_PREPOSITION = re.compile(r"^(?:in|en|dans|su|em|op|i|w)\s+")


def best_seller_ranks(document: Document) -> list[BestSellerRank]:
    text = _rank_text(document)
    return _parse(text) if text else []


def _rank_text(document: Document) -> str | None:
    sales_rank = document.by_id("SalesRank")  # 2015-2018 layouts
    if sales_rank is not None:
        value = sales_rank.css_first("td.value")
        return visible_text(value) if value is not None else _without_label(sales_rank)
    details = document.by_id("prodDetails")
    for header in details.css("table.prodDetTable th") if details is not None else []:
        if _LABEL.search(visible_text(header)):
            cell = _next_cell(header)
            return visible_text(cell) if cell is not None else None
    bullets = document.by_id("detailBulletsWrapper_feature_div") or document.by_id(
        "detailBullets_feature_div"
    )
    for label in bullets.css("li span.a-text-bold, li b") if bullets is not None else []:
        if _LABEL.search(visible_text(label)):
            item = label.parent
            return _without_label(item) if item is not None else None
    if details is None:  # a details table outside the usual widget: one walk of the page
        for header in document.tree.css("table.prodDetTable th"):
            if _LABEL.search(visible_text(header)):
                cell = _next_cell(header)
                return visible_text(cell) if cell is not None else None
    return None


def _next_cell(header: LexborNode) -> LexborNode | None:
    cell = header.next
    while cell is not None and cell.tag != "td":
        cell = cell.next
    return cell


def _without_label(node: LexborNode) -> str:
    text = visible_text(node)
    match = _LABEL.search(text)
    if match is None:
        return text
    rest = text[match.end() :]
    colon = rest.find(":")
    return rest[colon + 1 :] if 0 <= colon < 20 else rest


def _parse(text: str) -> list[BestSellerRank]:
    text = _TOP_LINK.sub(" ", text.replace("\xa0", " "))
    matches = list(_RANK.finditer(text))
    ranks: list[BestSellerRank] = []
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        category = _PREPOSITION.sub("", " ".join(text[match.end() : end].split()))
        digits = "".join(
            character for character in match.group(1) or match.group(2) if character.isdigit()
        )
        if category and 0 < len(digits) <= MAXIMUM_DIGITS:
            ranks.append(BestSellerRank(int(digits), category.strip(" ,;")))
    return ranks
