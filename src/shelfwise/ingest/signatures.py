"""Webhook signatures (B1, B2, B4).

`X-Shelfwise-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + raw body)>`; a
sender may send several `v1=` (one per secret it holds during a rotation). The HMAC runs over the
exact bytes received, so a body re-serialized on the way (spaces, key order) no longer verifies.
"""

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass

SIGNATURE_HEADER = "X-Shelfwise-Signature"
TOLERANCE_SECONDS = 300


class SignatureError(Exception):
    """Why a delivery is not authentic (answered 401)."""


def hmac_sha256_hex(secret: bytes, message: bytes) -> str:
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def signed_content(timestamp: int, body: bytes) -> bytes:
    return f"{timestamp}.".encode() + body


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The header value a sender holding `secret` sends (also used by tests and docs)."""
    return f"t={timestamp},v1={hmac_sha256_hex(secret.encode(), signed_content(timestamp, body))}"


@dataclass(frozen=True)
class Signature:
    timestamp: int
    candidates: tuple[str, ...]  # the v1 values


def parse_header(value: str | None) -> Signature:
    if value is None or not value.strip():
        raise SignatureError(f"The {SIGNATURE_HEADER} header is missing.")
    timestamps: list[str] = []
    candidates: list[str] = []
    for part in value.split(","):
        name, _, item = part.strip().partition("=")
        if name == "t":
            timestamps.append(item.strip())
        elif name == "v1":
            candidates.append(item.strip())
    if len(timestamps) != 1 or not timestamps[0].isascii() or not timestamps[0].isdigit():
        raise SignatureError(f"{SIGNATURE_HEADER} needs exactly one t=<unix seconds>.")
    if not candidates:
        raise SignatureError(f"{SIGNATURE_HEADER} needs at least one v1=<hex HMAC-SHA256>.")
    return Signature(int(timestamps[0]), tuple(candidates))


def verify(signature: Signature, body: bytes, secrets: Iterable[str], now: float) -> None:
    """Raise SignatureError unless the timestamp is within the tolerance (either way) and some
    v1 is the HMAC of `<t>.<body>` under some active secret; comparisons are constant-time."""
    if abs(now - signature.timestamp) > TOLERANCE_SECONDS:
        raise SignatureError(
            f"The signature timestamp is more than {TOLERANCE_SECONDS} s from the server's clock."
        )
    content = signed_content(signature.timestamp, body)
    given = [candidate.encode("latin-1", "replace") for candidate in signature.candidates]
    matched = False
    for secret in secrets:
        expected = hmac_sha256_hex(secret.encode(), content).encode()
        for candidate in given:
            matched |= hmac.compare_digest(expected, candidate)
    if not matched:
        raise SignatureError("The signature does not match the body under any active secret.")


def content_digest(signature: Signature, body: bytes) -> str:
    """Identifies a delivery by what was signed: the same bytes re-sent are the same delivery."""
    return hashlib.sha256(signed_content(signature.timestamp, body)).hexdigest()
