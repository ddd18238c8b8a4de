"""Word-level diffs between two content versions."""

import difflib
import json
import re
from typing import Any

from shelfwise.catalog.schemas import DiffSegment, FieldDiff

CONTENT_FIELDS = ("title", "bullets", "description", "images", "attributes")
_TOKENS = re.compile(r"\s+|[^\s]+")


def as_text(value: Any) -> str:
    """A field's value as text for diffing: lists one item a line, mappings as sorted JSON."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(str(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, ensure_ascii=False, indent=1)
    return str(value)


def word_diff(old: str, new: str) -> list[DiffSegment]:
    """Segments of equal, deleted and inserted words (white space kept with its words)."""
    old_tokens, new_tokens = _TOKENS.findall(old), _TOKENS.findall(new)
    matcher = difflib.SequenceMatcher(a=old_tokens, b=new_tokens, autojunk=False)
    segments: list[DiffSegment] = []
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if tag == "equal":
            segments.append(DiffSegment(op="equal", text="".join(old_tokens[old_start:old_end])))
            continue
        if old_end > old_start:
            segments.append(DiffSegment(op="delete", text="".join(old_tokens[old_start:old_end])))
        if new_end > new_start:
            segments.append(DiffSegment(op="insert", text="".join(new_tokens[new_start:new_end])))
    return segments


def content_diff(old: dict[str, Any], new: dict[str, Any]) -> list[FieldDiff]:
    diffs = []
    for field in CONTENT_FIELDS:
        old_text, new_text = as_text(old.get(field)), as_text(new.get(field))
        diffs.append(
            FieldDiff(
                field=field, changed=old_text != new_text, segments=word_diff(old_text, new_text)
            )
        )
    return diffs
