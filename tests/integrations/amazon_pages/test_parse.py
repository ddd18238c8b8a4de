"""Bytes that are not UTF-8 where the parser reads (ids, links, forms, text) never make it raise."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shelfwise.integrations.amazon_pages import PageType, parse_page

_CANONICAL = b'<link rel="canonical" href="https://www.amazon.de/x/dp/B000000001">'
_END = b'<div id="navFooter">footer</div></body></html>'


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'<div id="bad\xa1">x</div>', id="id"),
        pytest.param(
            b'<link rel="canonical" href="https://www.amazon.de/dp/B000000001\xa1">', id="href"
        ),
        pytest.param(b'<form action="/errors/validate\xa1"></form>', id="form-action"),
        pytest.param(b'<form name="\xff"></form>', id="form-name"),
    ],
)
def test_bad_bytes_in_attributes_are_an_error_page_not_an_exception(body: bytes) -> None:
    assert parse_page(b"<html><body>" + body + _END).page_type is PageType.ERROR


def test_bad_bytes_in_a_read_text_become_replacement_characters() -> None:
    page = parse_page(
        b"<html><head>" + _CANONICAL + b'</head><body><span id="productTitle">Kettle \xa1 steel'
        b"</span>" + _END
    )
    assert page.page_type is PageType.PRODUCT
    assert (page.asin, page.marketplace) == ("B000000001", "amazon.de")
    assert page.title == "Kettle \ufffd steel"


def test_a_multibyte_character_cut_at_the_end_is_an_error() -> None:
    document = '<html><body><span id="productTitle">Küche</span>'.encode()
    cut = document[: document.index("ü".encode()) + 1]  # the first of the two bytes of "ü"
    assert parse_page(cut).page_type is PageType.ERROR


@given(st.binary(max_size=24), st.binary(max_size=24))
@settings(max_examples=200)
def test_any_bytes_in_the_title_and_its_id_never_raise(title: bytes, identifier: bytes) -> None:
    page = parse_page(
        b"<html><head>"
        + _CANONICAL
        + b'</head><body><span id="productTitle">'
        + title
        + b'</span><b id="'
        + identifier.replace(b'"', b"")
        + b'">x</b>'
        + _END
    )
    assert page.asin == "B000000001"
