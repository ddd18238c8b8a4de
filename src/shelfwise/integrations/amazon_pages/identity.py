"""Which product a page is about, where it is sold, and what it is called."""

import re
from urllib.parse import urlsplit

from selectolax.lexbor import LexborNode

from shelfwise.integrations.amazon_pages import details, marketplaces
from shelfwise.integrations.amazon_pages.detect import PRODUCT_TITLES
from shelfwise.integrations.amazon_pages.document import Document
from shelfwise.integrations.amazon_pages.marketplaces import Marketplace
from shelfwise.integrations.amazon_pages.text import visible_text

_ASIN_IN_PATH = re.compile(r"/(?:dp|gp/product|product|gp/aw/d)/([0-9A-Z]{10})(?:[/?#]|$)")
_ASIN = re.compile(r"^[0-9A-Z]{10}$")
_SERVER_NAME = re.compile(rb"ue_sn\s*=\s*['\"]([\w.-]+)['\"]")
_MARKETPLACE_ID = re.compile(rb"ue_mid\s*=\s*['\"]([A-Z0-9]+)['\"]")
# The byline names the brand inside a store link whose wording depends on the language.
_STORE_LINK = re.compile(
    r"^(?:Visit the|Besuche den|Visita la tienda de|Visitez la boutique|Visita lo Store di|"
    r"Bezoek de|Visite a loja|Brand:|Marke:|Marca:|Marque\s?:|ブランド:)\s*(.+?)"
    r"(?:\s*-?\s*(?:Store|Shop|Boutique))?\s*$",
    re.IGNORECASE,
)
_BRAND_LABELS = frozenset({"brand", "marke", "marca", "marque", "merk", "märke", "ブランド"})


def canonical_url(document: Document) -> str | None:
    node = document.canonical
    return node.attributes.get("href") if node is not None else None


def asin(document: Document, canonical: str | None, url: str | None) -> str | None:
    """The canonical ASIN: a variation page's form may carry the displayed child's ASIN."""
    for candidate in (canonical, url):
        if candidate:
            match = _ASIN_IN_PATH.search(candidate)
            if match:
                return match.group(1)
    node = document.by_id("ASIN")
    value = (node.attributes.get("value") or "").strip() if node is not None else ""
    return value if _ASIN.match(value) else None


def marketplace(document: bytes, canonical: str | None, url: str | None) -> Marketplace | None:
    """The marketplace the page states (canonical link, server name, id), else the URL's."""
    for candidate in (canonical, url):
        if candidate and candidate.startswith(("http://", "https://")):
            found = marketplaces.from_host(urlsplit(candidate).hostname or "")
            if found is not None:
                return found
    head = document[:262144]
    server = _SERVER_NAME.search(head)
    if server:
        found = marketplaces.from_host(server.group(1).decode("ascii"))
        if found is not None:
            return found
    marketplace_id = _MARKETPLACE_ID.search(head)
    if marketplace_id:
        return marketplaces.BY_ID.get(marketplace_id.group(1).decode("ascii"))
    return None


def title(document: Document) -> str | None:
    return document.first_text(tuple((identifier, None) for identifier in PRODUCT_TITLES))


def brand(document: Document) -> str | None:
    """The brand from the product overview, else the byline, else the details table."""
    overview = document.first_text(
        (("productOverview_feature_div", "tr.po-brand td:nth-child(2)"),)
    )
    if overview:
        return overview
    authors = [
        _author(node)
        for node in document.select(("bylineInfo", ".author"))
        or document.select(("byline", ".author"))
    ]
    if any(authors):
        return ", ".join(author for author in authors if author)
    byline = document.first_text((("bylineInfo", None), ("brand", None)))
    if byline:
        match = _STORE_LINK.match(byline)
        return match.group(1).strip() if match else byline
    cell = details.table_value(document, lambda label: label.lower() in _BRAND_LABELS)
    return (visible_text(cell) or None) if cell is not None else None


def _author(node: LexborNode) -> str:
    """An author as "Mat Follas (author)": the name link and the role, not the popover."""
    name_node = node.css_first("a.contributorNameID") or node.css_first("a")
    name = visible_text(name_node) if name_node is not None else ""
    role_node = node.css_first(".contribution")
    role = visible_text(role_node).strip(" ,()") if role_node is not None else ""
    return f"{name} ({role.lower()})" if name and role else name


def bullets(document: Document) -> list[str]:
    items = document.select(("feature-bullets", "li span.a-list-item")) or document.select(
        ("feature-bullets", "li")
    )
    seen: dict[str, None] = {}
    for node in items:
        text = visible_text(node)
        if text:
            seen.setdefault(text)
    return list(seen)
