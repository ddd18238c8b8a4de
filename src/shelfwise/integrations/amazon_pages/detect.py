"""What kind of page Amazon answered with: a product, a CAPTCHA, a sign-in or an error."""

from shelfwise.integrations.amazon_pages.document import Document
from shelfwise.integrations.amazon_pages.page import PageType

# Every product page of every layout ends with the site footer, after all the fields parsed
# here, and then "</html>". A response cut off before them may hold a title and no price: a
# retry, not a product. "</html>" alone proves little (scripts embed whole "</body></html>"
# documents, some saved pages carry trailing output), so both are required, in that order.
_FOOTERS = ("navFooter", "nav-ftr")
_AFTER_THE_END = frozenset({b"", b"\n", b"\r", b" ", b"\t", b"<"})
_SIGNIN_IDS = ("ap_login_form", "ap_email")
PRODUCT_TITLES = ("productTitle", "ebooksProductTitle", "btAsinTitle")  # btAsinTitle: before 2014


def is_complete(document: bytes, footer: str) -> bool:
    """True when the document's last "</html>" is a tag after the last mention of its footer."""
    position = document.rfind(footer.encode("ascii"))
    if position < 0:
        return False
    # Only an end after the footer counts: searching from it spares a scan of the whole page
    # for the "</HTML>" that modern pages never write, and searching for that one only after
    # the last "</html>" spares a second backward scan of the tail (0.049 -> 0.028 ms a page).
    end = document.rfind(b"</html>", position)
    end = max(end, document.rfind(b"</HTML>", max(position, end)))
    if end < 0:
        return False
    # Cut short inside a script, the last "</html>" ends a string: `writeln("...</html>")`.
    return document[end + 7 : end + 8] in _AFTER_THE_END


def detect_page_type(document: Document) -> PageType:
    """The page's type; anything that is not a whole product page is an error (retry)."""
    for form in document.forms:
        attributes = form.attributes
        # A real product page that passed a CAPTCHA keeps "validateCaptcha" in a referrer
        # URL, so CAPTCHAs are recognised by their form, never by the substring.
        if "validateCaptcha" in (attributes.get("action") or ""):
            return PageType.CAPTCHA
        if attributes.get("name") == "signIn":
            return PageType.SIGNIN
    if any(document.by_id(identifier) is not None for identifier in _SIGNIN_IDS):
        return PageType.SIGNIN
    footer = next((footer for footer in _FOOTERS if document.by_id(footer) is not None), None)
    if footer is None or not is_complete(document.data, footer):
        return PageType.ERROR
    # The HTTP-200 "Sorry, something went wrong" shell has the product's canonical link and
    # page title but none of its content.
    for identifier in PRODUCT_TITLES:
        node = document.by_id(identifier)
        if node is not None and node.text(strip=True):
            return PageType.PRODUCT
    return PageType.ERROR
