"""Whatever arrives (noise, text, a page cut short), the parser answers and calls it an error."""

from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shelfwise.integrations.amazon_pages import PageType, parse_page

PAGES = Path(__file__).resolve().parents[4] / "shared" / "data" / "amazon_pages"
# All saved product pages: among them documents with script-embedded "</body></html>"s (Kindle,
# SanDisk, Old Spice: after its footer begins) and trailing output after the real end (EMUST).
PRODUCT_PAGES = (
    "000004458X_de_2022.html",
    "1849757097_couk_2024_book_usedonly.html",
    "B0011UCPM4_com_2017_kindle.html",
    "B0057OC5O8_com_2024.html",
    "B01MUGXRT9_es_2017.html",
    "B01MUGXRT9_es_2024_nobuybox.html",
    "B07G2L3JMM_com_2019.html",
    "B07P4HBRMV_com_2024_pricehidden.html",
    "B07WXL5YPW_cojp_2022.html",
    "B07ZPKN6YR_com_2023-12-13_renewed.html",
    "B0B4W57HC3_commx_2026.html",
    "B0BRZXRBZL_com_2025.html",
    "B0CS5XW6TN_in_2026_unavailable.html",
    "B0CY5QW186_in_2025.html",
    "B0G6KD54ZK_com_2026_deal.html",
)


@cache
def _page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


@given(st.binary(max_size=4096))
@settings(max_examples=200)
def test_random_bytes_are_an_error(document: bytes) -> None:
    assert parse_page(document).page_type is PageType.ERROR


@given(st.text(max_size=2048))
@settings(max_examples=200)
def test_random_text_is_an_error(document: str) -> None:
    assert parse_page(document).page_type is PageType.ERROR


@given(
    st.sampled_from(["<html>", "<div id='productTitle'>", "</span>", "<td>", "<!--", "&amp;"]),
    st.lists(st.text(max_size=40), max_size=30),
)
def test_tag_soup_is_an_error(tag: str, pieces: list[str]) -> None:
    assert parse_page(tag.join(pieces)).page_type is PageType.ERROR


_SLOW = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@given(name=st.sampled_from(PRODUCT_PAGES), fraction=st.floats(0, 1, exclude_max=True))
@_SLOW
def test_real_pages_cut_anywhere_before_their_end_are_an_error(
    shared_data: Path, name: str, fraction: float
) -> None:
    document = _page(name)
    end = document.rindex(b"</html>")
    page = parse_page(document[: int(end * fraction)])
    assert page.page_type is PageType.ERROR
    assert page.price is None


@pytest.mark.parametrize("name", PRODUCT_PAGES)
def test_pages_cut_in_their_last_bytes_are_an_error(shared_data: Path, name: str) -> None:
    document = _page(name)
    assert parse_page(document).page_type is PageType.PRODUCT
    end = document.rindex(b"</html>") + len("</html>") - 1
    for cut in range(end - 4000, end + 1, 400):
        assert parse_page(document[:cut]).page_type is PageType.ERROR, cut


_FIELD_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="<>&"), max_size=80
)
_NUMBERISH = st.one_of(
    _FIELD_TEXT,
    st.text(alphabet="0123456789.,", min_size=4000, max_size=6000),  # past int()'s limit
    st.from_regex(r"[#nº$€£¥₹ ]{0,2}[0-9.,]{1,40}( in | en )?[A-Za-z &>]{0,20}", fullmatch=True),
)


@given(
    title=st.text(alphabet=st.characters(whitelist_categories=["L", "N"]), min_size=1),
    price=_NUMBERISH,
    rating=_NUMBERISH,
    reviews=_NUMBERISH,
    ranks=_NUMBERISH,
    availability=_FIELD_TEXT,
    depth=st.integers(0, 3000),
)
@settings(max_examples=150, deadline=None)
def test_product_skeleton_with_any_field_values_never_raises(
    title: str,
    price: str,
    rating: str,
    reviews: str,
    ranks: str,
    availability: str,
    depth: int,
) -> None:
    nested = "<span>" * depth + availability + "</span>" * depth
    document = (
        '<html><head><link rel="canonical" href="https://www.amazon.de/x/dp/B000000001"></head>'
        f'<body><span id="productTitle">{title}</span>'
        f'<div id="corePrice_feature_div"><span class="a-offscreen">{price}</span></div>'
        f'<span id="acrPopover" title="{rating}"></span>'
        f'<span id="acrCustomerReviewText">{reviews}</span>'
        f'<div id="availability">{nested}</div>'
        f'<ul class="detail-bullet-list" id="detailBullets_feature_div"><li><span>'
        f'<span class="a-text-bold">Best Sellers Rank:</span> {ranks}</span></li></ul>'
        '<div id="navFooter"></div></body></html>'
    )
    page = parse_page(document)
    assert page.page_type is PageType.PRODUCT
    assert page.marketplace == "amazon.de"
    if page.price is not None:
        assert page.price.currency == "EUR"
        assert page.price.amount > 0
    assert page.rating is None or 0 <= page.rating <= 5
    assert all(rank.rank >= 0 and rank.category for rank in page.bsr)
