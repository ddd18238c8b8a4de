"""Visible text of nodes: inline scripts and styles inside Amazon's widgets are not text."""

import re

from selectolax.lexbor import LexborNode

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
