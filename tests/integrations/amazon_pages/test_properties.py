"""Whatever arrives (noise, text, a page cut short), the parser answers and calls it an error."""

from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shelfwise.integrations.amazon_pages import PageType, parse_page

PAGES = Path(__file__).resolve().parents[4] / "shared" / "data" / "amazon_pages"
# Whole documents around script-embedded "</body></html>"s (the Kindle and SanDisk pages) and
# trailing output after the real end (the EMUST page).
PRODUCT_PAGES = (
    "B0057OC5O8_com_2024.html",
    "B0011UCPM4_com_2017_kindle.html",
    "B07P4HBRMV_com_2024_pricehidden.html",
    "B0BRZXRBZL_com_2025.html",
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


@given(fraction=st.floats(0, 1, exclude_max=True))
@_SLOW
def test_page_with_a_script_embedded_document_cut_before_its_footer_is_an_error(
    shared_data: Path, fraction: float
) -> None:
    # This page's scripts hold a whole "</body></html>" document after the footer begins: cut
    # between that and the real end, the page is taken as complete (every parsed field precedes
    # the footer, so nothing it reads is lost). Cut before the footer, it is an error.
    document = _page("000004458X_de_2022.html")
    end = document.index(b'id="navFooter"')
    assert parse_page(document[: int(end * fraction)]).page_type is PageType.ERROR


def test_whole_pages_are_products(shared_data: Path) -> None:
    for name in PRODUCT_PAGES:
        assert parse_page(_page(name)).page_type is PageType.PRODUCT


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
