"""A parsed page with its elements indexed by id: one walk of the tree instead of one per field."""

from selectolax.lexbor import LexborHTMLParser, LexborNode

from shelfwise.integrations.amazon_pages.text import visible_text

CANONICAL = 'link[rel="canonical"]'
_INDEXED = f"[id], form, {CANONICAL}"
# lexbor's numbers for the two tags the walk looks for: comparing numbers instead of decoded
# tag names takes 7% off the walk's Python loop (0.69 -> 0.65 ms a page, 650 nodes).
_TAG_IDS = LexborHTMLParser("<form></form><link>")
_FORM = _TAG_IDS.css("form")[0].tag_id
_LINK = _TAG_IDS.css("link")[0].tag_id
# (element id, selector inside it or None for the element itself)
Anchor = tuple[str, str | None]


class Document:
    """The page's bytes, its tree, and its first element of each id (Amazon's widgets have ids).

    A CSS query walks the whole tree of a page of 10,000-40,000 elements; indexing the ids once
    costs about one such walk, after which every field is looked up inside its small widget.
    """

    __slots__ = ("canonical", "data", "forms", "ids", "tree")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.tree = LexborHTMLParser(data)
        self.ids: dict[str, LexborNode] = {}
        self.forms: list[LexborNode] = []  # CAPTCHA and sign-in pages are known by their forms
        # The first canonical link in document order: the head's when it has one (the head
        # precedes the body), else the body's, which a query of its own would walk the page for.
        self.canonical: LexborNode | None = None
        for node in self.tree.css(_INDEXED):
            tag = node.tag_id
            if tag == _FORM:
                self.forms.append(node)
            elif tag == _LINK and self.canonical is None and node.css_matches(CANONICAL):
                self.canonical = node
            identifier = node.id
            if identifier and identifier not in self.ids:
                self.ids[identifier] = node

    def by_id(self, identifier: str) -> LexborNode | None:
        return self.ids.get(identifier)

    def select(self, anchor: Anchor) -> list[LexborNode]:
        identifier, selector = anchor
        node = self.ids.get(identifier)
        if node is None:
            return []
        return node.css(selector) if selector else [node]

    def first_text(self, anchors: tuple[Anchor, ...]) -> str | None:
        """Visible text of the first non-empty match, trying the anchors in order."""
        for anchor in anchors:
            for node in self.select(anchor):
                text = visible_text(node)
                if text:
                    return text
        return None
