"""TOTP (RFC 6238) secrets sealed under the vault's key ring, bound to the user id."""

import time
import uuid

import pyotp

from shelfwise.platform.vault import KeyRing, open_sealed, seal

ISSUER = "Shelfwise"
KEY_ID_BYTES = 16


def _binding(user_id: uuid.UUID) -> bytes:
    return f"user|{user_id}|totp".encode()


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return str(pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER))


def seal_secret(ring: KeyRing, user_id: uuid.UUID, secret: str) -> bytes:
    """key id (16 ASCII bytes) || sealed secret, so rotation can find the wrapping key."""
    return ring.current_id.encode() + seal(ring.current, secret.encode(), _binding(user_id))


def open_secret(ring: KeyRing, user_id: uuid.UUID, sealed: bytes) -> str:
    wrapped_by = sealed[:KEY_ID_BYTES].decode(errors="replace")
    return open_sealed(ring.by_id(wrapped_by), sealed[KEY_ID_BYTES:], _binding(user_id)).decode()


def matching_step(secret: str, code: str, *, now: float | None = None) -> int | None:
    """The time step whose code equals `code` (±1 step for clock drift), or None."""
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    moment = time.time() if now is None else now
    step = int(moment // totp.interval)
    for candidate in (step, step - 1, step + 1):
        if totp.verify(code, for_time=candidate * totp.interval):
            return candidate
    return None
