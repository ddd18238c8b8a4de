"""The edge cases ../shared/data/README.md lists, each on the saved page that shows it."""

from decimal import Decimal
from pathlib import Path

from shelfwise.integrations.amazon_pages import Money, PageType, parse_page
from tests.integrations.amazon_pages.conftest import page_bytes, parsed


def test_no_featured_offer_has_no_price_although_the_page_shows_other_amounts(
    pages_dir: Path,
) -> None:
    path = pages_dir / "B01MUGXRT9_es_2024_nobuybox.html"
    page = parsed(path)
    assert "149,00" in page_bytes(path).decode()  # a carousel's price, not this item's
    assert page.page_type is PageType.PRODUCT
    assert page.price is None
    assert page.list_price is None
    assert page.in_stock is None


def test_used_only_offer_is_the_featured_price(pages_dir: Path) -> None:
    page = parsed(pages_dir / "1849757097_couk_2024_book_usedonly.html")
    assert page.price == Money(Decimal("4.45"), "GBP")


def test_price_hidden_until_added_to_cart_is_no_price(pages_dir: Path) -> None:
    page = parsed(pages_dir / "B07P4HBRMV_com_2024_pricehidden.html")
    assert page.price is None  # not 0, not the used offer, not a carousel price
    assert page.title is not None
    assert page.title.startswith("SanDisk 256GB High Endurance")


def test_currently_unavailable_is_out_of_stock_without_price(pages_dir: Path) -> None:
    page = parsed(pages_dir / "B0CS5XW6TN_in_2026_unavailable.html")
    assert page.price is None
    assert page.in_stock is False
    assert page.availability == (
        "Currently unavailable. We don't know when or if this item will be back in stock."
    )


def test_limited_time_deal_has_price_list_price_and_flag(pages_dir: Path) -> None:
    page = parsed(pages_dir / "B0G6KD54ZK_com_2026_deal.html")
    assert page.is_deal is True
    assert page.price == Money(Decimal("32.97"), "USD")
    assert page.list_price == Money(Decimal("49.99"), "USD")


def test_pages_without_a_deal_are_not_deals(pages_dir: Path) -> None:
    assert parsed(pages_dir / "B0057OC5O8_com_2024.html").is_deal is False
    assert parsed(pages_dir / "B07ZPKN6YR_com_2023-12-13_renewed.html").is_deal is False


def test_two_prices_on_one_page_the_total_is_the_featured_price(pages_dir: Path) -> None:
    # amazon.com.mx: "Artículo: $1,950.27 + importación $331.55 = Total: $2,281.82".
    page = parsed(pages_dir / "B0B4W57HC3_commx_2026.html")
    assert page.price == Money(Decimal("2281.82"), "MXN")


def test_renewed_list_price_is_not_the_price(pages_dir: Path) -> None:
    # #apex_desktop's first .a-offscreen is the $307.95 list price.
    page = parsed(pages_dir / "B07ZPKN6YR_com_2023-12-13_renewed.html")
    assert page.price == Money(Decimal("259.00"), "USD")
    assert page.list_price == Money(Decimal("307.95"), "USD")


def test_dollar_sign_means_pesos_on_amazon_com_mx(pages_dir: Path) -> None:
    page = parsed(pages_dir / "B0B4W57HC3_commx_2026.html")
    assert page.marketplace == "amazon.com.mx"
    assert page.price is not None
    assert page.price.currency == "MXN"


def test_decimal_commas_and_dot_thousands(pages_dir: Path) -> None:
    spanish = parsed(pages_dir / "B01MUGXRT9_es_2024_nobuybox.html")
    assert (spanish.rating, spanish.review_count) == (4.1, 5182)  # "4,1", "5.182"
    german = parsed(pages_dir / "000004458X_de_2022.html")
    assert german.price == Money(Decimal("8.00"), "EUR")  # "8,00€"
    assert german.rating == 4.3
    old_spanish = parsed(pages_dir / "B01MUGXRT9_es_2017.html")
    assert old_spanish.price == Money(Decimal("219.00"), "EUR")  # "EUR 219,00"


def test_yen_has_no_minor_unit(pages_dir: Path) -> None:
    page = parsed(pages_dir / "B07WXL5YPW_cojp_2022.html")
    assert page.to_json()["price"] == {"amount": "32970", "currency": "JPY"}


def test_variation_page_answers_the_canonical_asin_not_the_form_field(pages_dir: Path) -> None:
    path = pages_dir / "B0B4W57HC3_commx_2026.html"
    assert b'name="ASIN" value="B06ZZPNYHC"' in page_bytes(path)
    assert parsed(path).asin == "B0B4W57HC3"


def test_http_200_error_shell_is_an_error_not_an_empty_product(pages_dir: Path) -> None:
    page = parsed(pages_dir / "1982181281_com_2025_errorstate.html")
    assert page.page_type is PageType.ERROR
    assert page.asin == "1982181281"  # the scraper knows which ASIN to retry


def test_product_page_containing_validate_captcha_is_a_product(pages_dir: Path) -> None:
    path = pages_dir / "B0BRZXRBZL_com_2025.html"
    assert b"validateCaptcha" in page_bytes(path)
    assert parsed(path).page_type is PageType.PRODUCT


def test_captcha_pages_are_detected_by_their_form(pages_dir: Path) -> None:
    for name in ("captcha_com_2024_image_a.html", "captcha_com_2026_button.html"):
        assert parsed(pages_dir / name).page_type is PageType.CAPTCHA


def test_captcha_substring_without_the_form_is_not_a_captcha() -> None:
    text = "<html><body><a href='/errors/validateCaptcha?x'>validateCaptcha</a></body></html>"
    assert parse_page(text).page_type is PageType.ERROR
    form = "<html><body><form action='/errors/validateCaptcha'></form></body></html>"
    assert parse_page(form).page_type is PageType.CAPTCHA


def test_503_page_is_an_error_with_the_marketplace_from_the_url(pages_dir: Path) -> None:
    page = parse_page(
        (pages_dir / "error503_es_2025_mobile.html").read_bytes(), url="https://www.amazon.es/"
    )
    assert (page.page_type, page.marketplace) == (PageType.ERROR, "amazon.es")


def test_sign_in_redirect_is_not_a_product(pages_dir: Path) -> None:
    page = parsed(pages_dir / "signin_redirect_in_2026.html")
    assert (page.page_type, page.marketplace, page.title) == (PageType.SIGNIN, "amazon.in", None)


def test_layout_drift_same_asin_2017_and_2024(pages_dir: Path) -> None:
    old = parsed(pages_dir / "B01MUGXRT9_es_2017.html")
    new = parsed(pages_dir / "B01MUGXRT9_es_2024_nobuybox.html")
    assert old.asin == new.asin == "B01MUGXRT9"
    assert old.bsr[0].category == new.bsr[0].category == "Hogar y cocina"


def test_product_pages_carry_gallery_and_bullets(pages_dir: Path) -> None:
    page = parsed(pages_dir / "B0057OC5O8_com_2024.html")
    assert page.main_image in page.images
    assert len(page.bullets) == 4
    assert all(bullet and bullet == bullet.strip() for bullet in page.bullets)


def _details_page(ranks_html: str, marketplace: str = "amazon.fr") -> str:
    return (
        f'<html><head><link rel="canonical" href="https://www.{marketplace}/x/dp/B000000001">'
        '</head><body><span id="productTitle">Produit</span><div id="prodDetails">'
        '<table class="prodDetTable"><tr><th>Classement des meilleures ventes d\'Amazon</th>'
        f"<td>{ranks_html}</td></tr></table></div>"
        '<div id="navFooter"></div></body></html>'
    )


def test_ranks_with_french_space_thousands() -> None:
    page = parse_page(
        _details_page(
            "<span>1\u202f155 en Cuisine et Maison (<a>Voir les 100 premiers en Cuisine</a>)"
            "</span><br><span>12 en <a>Poêles</a></span>"
        )
    )
    assert [(rank.rank, rank.category) for rank in page.bsr] == [
        (1155, "Cuisine et Maison"),
        (12, "Poêles"),
    ]


def test_ranks_in_japanese() -> None:
    page = parse_page(
        _details_page(
            "<span>- 4位ゲーム (<a>ゲームの売れ筋ランキングを見る</a>)</span>"
            "<span>- 1位<a>Nintendo Switch本体</a></span>",
            marketplace="amazon.co.jp",
        )
    )
    assert [(rank.rank, rank.category) for rank in page.bsr] == [
        (4, "ゲーム"),
        (1, "Nintendo Switch本体"),
    ]


def test_number_inside_a_category_is_not_a_rank() -> None:
    page = parse_page(_details_page("<span>#3 in <a>PlayStation 5 Consoles</a></span>"))
    assert [(rank.rank, rank.category) for rank in page.bsr] == [(3, "PlayStation 5 Consoles")]


def test_struck_through_amount_in_the_price_widget_is_the_list_price() -> None:
    page = parse_page(
        '<html><head><link rel="canonical" href="https://www.amazon.co.uk/x/dp/B000000001">'
        '</head><body><span id="productTitle">Kettle</span><div id="corePrice_feature_div">'
        '<span class="a-price" data-a-strike="true"><span class="a-offscreen">£39.99</span>'
        '</span><span class="a-price"><span class="a-offscreen">£24.50</span></span></div>'
        '<div id="navFooter"></div></body></html>'
    )
    assert page.price == Money(Decimal("24.50"), "GBP")
    assert page.list_price == Money(Decimal("39.99"), "GBP")


def test_page_in_a_declared_legacy_charset_is_decoded() -> None:
    document = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">'
        '<link rel="canonical" href="https://www.amazon.co.jp/dp/B000000001"></head><body>'
        '<span id="productTitle">任天堂 スイッチ</span>'
        '<div id="priceblock_ourprice">￥32,970</div><div id="navFooter"></div></body></html>'
    ).encode("shift_jis")
    page = parse_page(document)
    assert (page.title, page.price) == ("任天堂 スイッチ", Money(Decimal("32970"), "JPY"))


def test_text_and_bytes_of_a_page_parse_alike(pages_dir: Path) -> None:
    path = pages_dir / "B0CY5QW186_in_2025.html"
    assert parse_page(page_bytes(path).decode("utf-8")) == parsed(path)
