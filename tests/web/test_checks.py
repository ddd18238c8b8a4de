"""Content checks of the listing page against the marketplace rules, with their fixes."""

from shelfwise.catalog.models import Listing
from shelfwise.web.checks import content_checks


def failed(listing: Listing) -> dict[str, str]:
    return {check.label: check.fix for check in content_checks(listing) if not check.passed}


def test_a_complete_listing_passes_every_check() -> None:
    listing = Listing(
        marketplace="amazon.co.uk",
        title="Hearthware Stainless Steel Electric Kettle 1.7L",
        bullets=["1.7 litres", "3000 W", "Boil-dry protection", "Limescale filter", "2 years"],
        description="A quiet kettle for a family kitchen.",
        images=["https://images.example.com/kettle.jpg"],
    )
    assert failed(listing) == {}


def test_each_broken_rule_names_its_fix() -> None:
    listing = Listing(
        marketplace="ebay.de",
        title="Kettle kettle KETTLE! " + "x" * 80,
        bullets=["Best seller", "y" * 251],
        description=None,
        images=[],
    )
    assert failed(listing) == {
        "Title within 80 characters": "Shorten the title by 22 characters.",
        "Title without forbidden characters": "Remove ! from the title.",
        "No word more than 2 times in the title": "Repeat less: kettle.",
        "5 bullet points": "Add 3 bullet points (features, size, material, what is in the box).",
        "Bullet points within 250 characters": "Shorten bullet points 2.",
        "A description": "Write a description: what it is, who it is for, how it is used.",
        "No promotional phrases": "Remove: best seller.",
        "At least one image": "Add a main image.",
    }
