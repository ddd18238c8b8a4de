"""Visible text of nodes: inline scripts and styles inside Amazon's widgets are not text."""

import re

from selectolax.lexbor import LexborNode

_SKIPPED = frozenset({"script", "style", "noscript", "template", "-comment"})
_SPACES = re.compile(r"\s+")


def visible_text(node: LexborNode) -> str:
    """The node's text without script or style content, whitespace collapsed."""
    parts: list[str] = []
    # Iterative: a hostile page nests elements thousands deep, past Python's recursion limit.
    pending: list[LexborNode | None] = []
    current = node.child
    while current is not None or pending:
        if current is None:
            current = pending.pop()
            continue
        tag = current.tag
        if tag == "-text":
            parts.append(current.text_content or "")
        elif tag not in _SKIPPED and current.child is not None:
            pending.append(current.next)
            current = current.child
            continue
        current = current.next
    return _SPACES.sub(" ", " ".join(parts)).strip()
