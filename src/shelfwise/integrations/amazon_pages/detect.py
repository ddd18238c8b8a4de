"""What kind of page Amazon answered with: a product, a CAPTCHA, a sign-in or an error."""

from selectolax.lexbor import LexborHTMLParser

from shelfwise.integrations.amazon_pages.page import PageType

# A real product page that passed a CAPTCHA keeps "validateCaptcha" in a referrer URL, so
# CAPTCHAs are recognised by their form, never by the substring.
_CAPTCHA = 'form[action*="validateCaptcha"]'
_SIGNIN = 'form[name="signIn"], form#ap_login_form, input#ap_email'
# Every product page of every layout ends with the site footer, after all the fields parsed
# here, and then "</html>". A response cut off before them may hold a title and no price: a
# retry, not a product. "</html>" alone proves little (scripts embed whole "</body></html>"
# documents, some saved pages carry trailing output), so both are required, in that order.
_FOOTER = "#navFooter, #nav-ftr"
_FOOTER_MARKERS = (b"navFooter", b"nav-ftr")
PRODUCT_TITLES = ("#productTitle", "#ebooksProductTitle")


def is_complete(document: bytes) -> bool:
    """True when the document's last "</html>" follows its site footer."""
    footer = max(document.rfind(marker) for marker in _FOOTER_MARKERS)
    return footer >= 0 and document.rfind(b"</html>") > footer


def detect_page_type(tree: LexborHTMLParser, document: bytes) -> PageType:
    """The page's type; anything that is not a whole product page is an error (retry)."""
    if tree.css_first(_CAPTCHA) is not None:
        return PageType.CAPTCHA
    if tree.css_first(_SIGNIN) is not None:
        return PageType.SIGNIN
    if tree.css_first(_FOOTER) is None or not is_complete(document):
        return PageType.ERROR
    # The HTTP-200 "Sorry, something went wrong" shell has the product's canonical link and
    # page title but none of its content.
    for selector in PRODUCT_TITLES:
        node = tree.css_first(selector)
        if node is not None and node.text(strip=True):
            return PageType.PRODUCT
    return PageType.ERROR
