"""A parsed page with its elements indexed by id: one walk of the tree instead of one per field."""

from selectolax.lexbor import LexborHTMLParser, LexborNode

from shelfwise.integrations.amazon_pages.prune import MARKER, marker, prune
from shelfwise.integrations.amazon_pages.text import visible_text

_MARKER = MARKER.decode()
_LISTED = frozenset({"form", "script", "style"})

# (element id, selector inside it or None for the element itself)
Anchor = tuple[str, str | None]


class Document:
    """The page's bytes, its tree, and its first element of each id (Amazon's widgets have ids).

    A CSS query walks the whole tree of a page of 10,000-40,000 elements; indexing the ids once
    costs about one such walk, after which every field is looked up inside its small widget.
    The tree is the page's with its large script and style bodies cut (`prune`) whenever every
    cut proves, in that same walk, to have been inside a script or style element.
    """

    __slots__ = ("data", "forms", "ids", "tree")

    def __init__(self, data: bytes) -> None:
        self.data = data
        pruned, cuts = prune(data)
        if not (cuts and self._index(pruned, cuts)):
            self._index(data, 0)

    def _index(self, data: bytes, cuts: int) -> bool:
        """Parse and index `data`; False when its `cuts` markers are not all where they belong."""
        self.tree = LexborHTMLParser(data)
        self.ids: dict[str, LexborNode] = {}
        self.forms: list[LexborNode] = []  # CAPTCHA and sign-in pages are known by their forms
        found = previous = 0
        for node in self.tree.css("[id], form, script, style" if cuts else "[id], form"):
            tag = node.tag
            if tag in _LISTED:
                # Listed once per selector it matches: a form with an id comes twice in a row.
                address = node.mem_id
                if address == previous:
                    continue
                previous = address
                if tag == "form":
                    self.forms.append(node)
                elif cuts:
                    child = node.child
                    text = child.text_content if child is not None else None
                    if child is not None and text is not None and text.startswith(_MARKER):
                        # Each marker must be its element's whole text, in the order of the cuts.
                        if child.next is not None or text != marker(found).decode():
                            return False
                        found += 1
            identifier = node.id
            if identifier and identifier not in self.ids:
                self.ids[identifier] = node
        return found == cuts

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
