"""The canonical link and the page's end, both found without a second walk or a whole-page scan."""

from shelfwise.integrations.amazon_pages import PageType, parse_page

_BODY = '<span id="productTitle">Kettle</span><div id="navFooter">footer</div>'


def _page(head: str, body: str = "", end: str = "</body></html>") -> str:
    return f"<html><head>{head}</head><body>{body}{_BODY}{end}"


def test_canonical_link_in_the_head_wins_over_one_in_the_body() -> None:
    document = _page(
        '<link id="css" rel="stylesheet" href="https://www.amazon.fr/dp/B000000009">'
        '<link rel="canonical" href="https://www.amazon.de/x/dp/B000000001">',
        '<link rel="canonical" href="https://www.amazon.co.uk/x/dp/B000000002">',
    )
    page = parse_page(document)
    assert (page.asin, page.marketplace) == ("B000000001", "amazon.de")


def test_canonical_link_only_in_the_body_is_found() -> None:
    document = _page(
        '<link id="css" rel="stylesheet" href="https://www.amazon.fr/dp/B000000009">',
        '<div id="x"><link rel="canonical" href="https://www.amazon.co.uk/x/dp/B000000002">'
        '<link rel="canonical" href="https://www.amazon.de/x/dp/B000000001"></div>',
    )
    page = parse_page(document)
    assert (page.asin, page.marketplace) == ("B000000002", "amazon.co.uk")


def test_a_link_with_an_id_is_no_canonical_link() -> None:
    page = parse_page(
        _page('<link id="c" rel="alternate" href="https://www.amazon.fr/dp/B00000000X">')
    )
    assert (page.asin, page.marketplace) == (None, None)


def test_uppercase_end_after_the_footer_completes_the_page() -> None:
    assert parse_page(_page("", end="</BODY></HTML>\n")).page_type is PageType.PRODUCT


def test_an_end_only_before_the_footer_is_a_cut_page() -> None:
    # A script's "</html>" before the footer does not end the page.
    document = _page("", body="<script>w('</html>')</script>", end="")
    assert parse_page(document).page_type is PageType.ERROR
    assert parse_page(document + "</body></HTML>").page_type is PageType.PRODUCT
