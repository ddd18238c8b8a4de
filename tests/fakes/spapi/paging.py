"""Opaque page tokens: the fake's own, so a client must pass back exactly what it was given."""

import base64
import binascii


class BadPageToken(ValueError):
    """A token this fake did not issue (SP-API answers 400)."""


def page_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def page_offset(token: str | None) -> int:
    if not token:
        return 0
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
        return int(text.removeprefix("offset:")) if text.startswith("offset:") else int("x")
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise BadPageToken(token) from error
