"""Script and style bodies cut out before lexbor parses a page: half its bytes, none of its fields.

No field reads a script or style element's text from the tree (the gallery script and the
marketplace hints are read from the original bytes), so each large body is replaced by a short
numbered marker. A script or style body is raw text: the HTML tokenizer ends it at the first
"</script" or "</style" (any case) followed by whitespace, "/" or ">", and a script body holding
no "<!--" has no escaped state that could carry it further. Each cut ends exactly there.

Where a body begins is a guess made without tokenizing the page (a "<style>" may be inside a
comment or an attribute value), so `Document` checks every guess in the parsed tree: each marker
must be the whole text of a script or style element, in order. "<b>" in a marker makes an
element wherever the tokenizer is not in raw text (SVG content included). A marker elsewhere
means a guess was wrong, and the original page is parsed instead.
"""

import re
import secrets

# Random per process: a page cannot hold, as a script's whole text, a marker it cannot predict.
MARKER = b"<b>shelfwise-" + secrets.token_hex(8).encode() + b":"
_OPENING = re.compile(rb"<s(?:cript|tyle)[\t\n\x0c\r />]")  # lowercase, as Amazon writes them
_ENDS = {
    ord("c"): re.compile(rb"</[Ss][Cc][Rr][Ii][Pp][Tt][\t\n\x0c\r />]"),
    ord("t"): re.compile(rb"</[Ss][Tt][Yy][Ll][Ee][\t\n\x0c\r />]"),
}
# Only a body with a visible character is cut: the title check reads text with its scripts.
_VISIBLE = re.compile(rb"[\t\n\x0b\x0c\r ]*[!-~]")
SMALLEST_CUT = 512  # below it a marker saves lexbor less than it costs to check
_REACH = 4096  # how far back a start tag's surroundings are looked at


def marker(number: int) -> bytes:
    return b"%s%d</b>" % (MARKER, number)


def prune(data: bytes) -> tuple[bytes, int]:
    """The document with its large script and style bodies replaced by markers, and their count."""
    parts: list[bytes] = []
    kept = position = cuts = 0
    search = _OPENING.search
    while (opening := search(data, position)) is not None:
        start = opening.start()
        kind = data[start + 2]
        end_tag = data.find(b">", start)
        closing = _ENDS[kind].search(data, end_tag + 1)
        if closing is None:  # unterminated: the rest of the page is its body, kept as it is
            break
        body, end = end_tag + 1, closing.start()
        since, position = position, closing.end()
        if end - body < SMALLEST_CUT or _VISIBLE.match(data, body, end) is None:
            continue
        # "<!--" in a script body starts the escaped states, in which "</script>" may not end it.
        if kind == ord("c") and data.find(b"<!--", body, end) >= 0:
            continue
        if not _after_a_tag(data, start) or _in_comment(data, max(since, start - _REACH), start):
            continue
        parts += (data[kept:body], marker(cuts))
        kept = end
        cuts += 1
    parts.append(data[kept:])
    return b"".join(parts), cuts


def _after_a_tag(data: bytes, start: int) -> bool:
    """Whether only whitespace separates start from the previous ">": an HTML document quoted in
    an attribute value (ads' "htmlContentEncoded") has its newlines escaped as text."""
    previous = data.rfind(b">", max(start - _REACH, 0), start)
    return previous >= 0 and (previous + 1 == start or data[previous + 1 : start].isspace())


def _in_comment(data: bytes, since: int, start: int) -> bool:
    """Whether a "<!--" before start is still open: an IE conditional comment's script is text."""
    opened = data.rfind(b"<!--", since, start)
    return opened >= 0 and data.find(b"-->", opened + 2, start) < 0
