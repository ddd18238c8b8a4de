"""Best Sellers Rank as printed in the product details, in every layout and language."""

import re

from selectolax.lexbor import LexborNode

from shelfwise.integrations.amazon_pages import details
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
_TOP_LINK = re.compile(r"\([^()]*(?:\b100\b|売れ筋ランキングを見る)[^()]*\)")
# A number with its thousands separators: "1,643,215", "1.643.215", French "1 155".
_NUMBER = r"\d(?:[\d.,\u202f\u00a0]|\s(?=\d{3}(?!\d)))*"
# A rank carries a marker ("#", "nº", "n.°", "Nr.", Japanese "位" after it) or is followed by
# "in"/"en"/...: a bare number inside a category ("PlayStation 5 Consoles") is not a rank.
_RANK = re.compile(
    rf"(?:#|nº|n\.°|Nr\.)\s?({_NUMBER})"
    rf"|(?<![\w.,])({_NUMBER})(?=\s+(?:in|en|dans|su|em|op|i|w)\s)"
    rf"|(?<![\w.,])({_NUMBER})位"
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
    is_label = _is_label
    item = (
        details.bullet_item(document, is_label) if document.by_id("prodDetails") is None else None
    )
    if item is not None:
        return _without_label(item)
    cell = details.table_value(document, is_label)
    if cell is not None:
        return visible_text(cell)
    item = details.bullet_item(document, is_label)
    return _without_label(item) if item is not None else None


def _is_label(text: str) -> bool:
    return _LABEL.search(text) is not None


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
        category = _PREPOSITION.sub("", " ".join(text[match.end() : end].split())).strip(" -")
        number = match.group(1) or match.group(2) or match.group(3)
        digits = "".join(character for character in number if character.isdigit())
        if category and 0 < len(digits) <= MAXIMUM_DIGITS:
            ranks.append(BestSellerRank(int(digits), category.strip(" ,;")))
    return ranks
