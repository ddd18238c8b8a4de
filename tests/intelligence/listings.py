"""Listing content for score tests: one that earns every point, changed one field at a time."""

from dataclasses import replace
from typing import Any

from shelfwise.intelligence.scoring import Image, ListingContent

TITLE = (
    "Acme Sterling Silver Charm Bracelet for Women, Adjustable 18-21 cm Chain, "
    "Hypoallergenic, Gift Box"
)  # 98 characters
BULLETS = (
    "Solid 925 sterling silver, nickel free and safe for sensitive skin",
    "Adjustable chain fits wrists from 18 to 21 cm with a secure lobster clasp",
    "Five interchangeable charms: heart, star, moon, clover and key",
    "Polished by hand and plated with rhodium so it keeps its shine",
    "Arrives in a gift box with a polishing cloth and care card",
)
DESCRIPTION = ("This charm bracelet is made of solid 925 sterling silver. " * 20).strip()  # 1159
ATTRIBUTES = {
    "material": "Sterling Silver",
    "color": "Silver",
    "size": "Adjustable",
    "clasp_type": "Lobster Claw",
    "item_type_keyword": "charm-bracelets",
}


def image(number: int, width: int | None = 1600, height: int | None = 1600) -> Image:
    return Image(f"https://images.example/{number}.jpg", width, height)


PERFECT = ListingContent(
    title=TITLE,
    bullets=BULLETS,
    description=DESCRIPTION,
    images=tuple(image(number) for number in range(1, 8)),
    attributes=ATTRIBUTES,
    search_terms="charm bracelet silver women gift",
    product_type="BRACELET",
    brand="Acme",
)


def content(**changes: Any) -> ListingContent:
    return replace(PERFECT, **changes)
