"""The demo marketplace's Amazon: generated product pages for any ASIN, in process (no network).

`demo_transport()` answers like a storefront: `/robots.txt`, and `/dp/<ASIN>` with a page the
real parser reads (title, brand, price in US dollars, list price and deal on some, rating,
reviews, availability, Best Sellers Rank, images, bullets). Each ASIN always gets the same page.
`demo_client()` is the scraper chain wired to it for every Amazon storefront, without pauses
or retries; `demo_scraper()` that chain as an item source.
"""

import dataclasses
import html
import json
import random
import re
import uuid
from decimal import Decimal

import httpx

from shelfwise.integrations.scraper.client import ScraperClient
from shelfwise.integrations.scraper.settings import AMAZON_DOMAINS, Component, ScraperSettings
from shelfwise.integrations.scraper.source import PageScraper
from shelfwise.platform.breaker import CircuitBreakers
from shelfwise.platform.cache import build_cache
from shelfwise.platform.settings import Settings

DEMO_MARKETPLACE = "demo"
DEMO_HOST = "www.amazon.demo.invalid"  # .invalid never resolves (RFC 6761): nothing leaves
DEMO_BASE_URL = f"https://{DEMO_HOST}"
_PATH = re.compile(r"^/dp/([0-9A-Z]{10})$")
_BRANDS = ("Northwind", "Acme", "Brightline", "Kestrel", "Halden", "Oakridge", "Lumio", "Vesta")
_PRODUCTS = (
    ("Stainless Steel Electric Kettle 1.7 L", "Home & Kitchen", "Electric Kettles"),
    ("Wireless Ergonomic Mouse", "Electronics", "Computer Mice"),
    ("Insulated Water Bottle 750 ml", "Sports & Outdoors", "Sports Water Bottles"),
    ("Bamboo Cutting Board Set of 3", "Home & Kitchen", "Cutting Boards"),
    ("LED Desk Lamp with USB Charging Port", "Tools & Home Improvement", "Desk Lamps"),
    ("Cotton Bath Towels, Pack of 4", "Home & Kitchen", "Bath Towels"),
    ("Yoga Mat 6 mm Non-Slip", "Sports & Outdoors", "Yoga Mats"),
    ("Noise Cancelling Over-Ear Headphones", "Electronics", "Over-Ear Headphones"),
)
ROBOTS = "User-agent: *\nDisallow: /gp/cart\nAllow: /dp/\n"


def demo_page(asin: str) -> str:
    """The product page of `asin` in the demo marketplace."""
    pick = random.Random(asin)  # noqa: S311 - generated data, not a secret
    name, top_category, category = pick.choice(_PRODUCTS)
    brand = pick.choice(_BRANDS)
    title = f"{brand} {name}"
    price = Decimal(pick.randrange(799, 19999)) / 100
    is_deal = pick.random() < 0.25
    list_price = (price * Decimal("1.25")).quantize(Decimal("0.01")) if is_deal else None
    rating = pick.randrange(30, 50) / 10
    reviews = pick.randrange(5, 25000)
    top_rank, rank = pick.randrange(1000, 400000), pick.randrange(1, 500)
    images = [f"https://images.demo.invalid/{asin}/{index}.jpg" for index in range(1, 4)]
    gallery = json.dumps({"initial": [{"hiRes": url, "large": url} for url in images]})
    text = html.escape
    listed = (
        f'<span class="basisPrice">List Price: <span class="a-offscreen">${list_price}</span>'
        "</span>"
        if list_price
        else ""
    )
    deal = '<div id="dealBadge_feature_div"><span>Limited time deal</span></div>' if is_deal else ""
    bullets = "".join(
        f'<li><span class="a-list-item">{text(line)}</span></li>'
        for line in (
            f"{name} from {brand}, made to last.",
            f"Rated {rating} out of 5 by {reviews:,} customers.",
            "30-day returns; ships from the demo warehouse.",
        )
    )
    return f"""<!doctype html>
<html lang="en-us"><head><meta charset="utf-8"><title>{text(title)} : Amazon.com</title>
<link rel="canonical" href="{DEMO_BASE_URL}/dp/{asin}"></head>
<body>
<div id="dp"><h1><span id="productTitle">{text(title)}</span></h1>
<a id="bylineInfo" href="/stores/{brand}">Visit the {text(brand)} Store</a>
<span id="acrPopover" title="{rating} out of 5 stars"></span>
<span id="acrCustomerReviewText">{reviews:,} ratings</span>
<div id="corePriceDisplay_desktop_feature_div"><span class="priceToPay">
<span class="a-offscreen">${price}</span></span>{listed}</div>{deal}
<div id="availability"><span>In Stock</span></div>
<div id="feature-bullets"><ul>{bullets}</ul></div>
<img id="landingImage" data-old-hires="{images[0]}" src="{images[0]}" alt="{text(title)}">
<script>P.when('A').register("ImageBlockATF", function(A){{
var data = {{'colorImages': {gallery}}};}});</script>
<div id="prodDetails"><table class="prodDetTable"><tr><th>Best Sellers Rank</th>
<td>#{top_rank:,} in {text(top_category)} (See Top 100 in {text(top_category)})
#{rank:,} in {text(category)}</td></tr></table></div>
</div>
<div id="navFooter">Conditions of Use &amp; Sale</div>
</body></html>
"""


def _answer(request: httpx.Request) -> httpx.Response:
    if request.url.host != DEMO_HOST:  # the demo has no network: never a page for a real host
        raise httpx.ConnectError(f"The demo reaches only {DEMO_HOST}.", request=request)
    path = request.url.path
    if path == "/robots.txt":
        return httpx.Response(200, text=ROBOTS, headers={"content-type": "text/plain"})
    match = _PATH.match(path)
    if request.method != "GET" or match is None:
        return httpx.Response(404, text="<html><body>Page not found</body></html>")
    return httpx.Response(200, text=demo_page(match.group(1)))


def demo_transport() -> httpx.BaseTransport:
    """An httpx transport serving the demo marketplace's pages in process."""
    return httpx.MockTransport(_answer)


def demo_client(settings: Settings, transport: httpx.BaseTransport | None = None) -> ScraperClient:
    """The scraper chain on the demo transport; every Amazon storefront (and "demo") is served
    by the demo host, so the bridge's amazon.com asks reach the demo pages, never Amazon."""
    base = ScraperSettings.from_settings(settings)
    demo_urls = dict.fromkeys(AMAZON_DOMAINS | {DEMO_MARKETPLACE}, DEMO_BASE_URL)
    scraper_settings = dataclasses.replace(
        base,
        enabled=True,  # the demo is not the real scraper: it reaches no one
        base_urls=demo_urls,
        allowed_hosts=frozenset({DEMO_HOST}),
        # In process there is nothing to be polite to, and a retry cannot change the answer.
        disabled=base.disabled | {Component.THROTTLE, Component.RETRY},
    )
    return ScraperClient(
        scraper_settings,
        cache=build_cache(settings),
        breakers=CircuitBreakers.from_settings(settings),
        transport=transport or demo_transport(),
        resolver=None,  # in process: no address to check, no socket opened
    )


def demo_scraper(settings: Settings, organization_id: uuid.UUID) -> PageScraper:
    """The scraper wired to the demo pages, for any Amazon marketplace and "demo"."""
    return PageScraper(demo_client(settings), organization_id)
