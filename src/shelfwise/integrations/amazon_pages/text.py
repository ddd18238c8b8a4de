"""Visible text of nodes: inline scripts and styles inside Amazon's widgets are not text."""

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

_INVISIBLE = frozenset({"script", "style", "noscript", "template"})
_SPACES = re.compile(r"\s+")


def visible_text(node: LexborNode) -> str:
    """The node's text without script or style content, whitespace collapsed."""
    parts: list[str] = []
    _collect(node, parts)
    return _SPACES.sub(" ", " ".join(parts)).strip()


def _collect(node: LexborNode, parts: list[str]) -> None:
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            parts.append(child.text_content or "")
        elif tag not in _INVISIBLE and tag != "-comment":
            _collect(child, parts)


def first_text(tree: LexborHTMLParser | LexborNode, selectors: tuple[str, ...]) -> str | None:
    """Visible text of the first non-empty match of the first selector that has one."""
    for selector in selectors:
        for node in tree.css(selector):
            text = visible_text(node)
            if text:
                return text
    return None
