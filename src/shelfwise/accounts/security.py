"""Password hashing, access tokens and opaque secrets (E1, E3)."""

import hashlib
import secrets
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import jwt
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from cachetools import LRUCache

from shelfwise.platform.settings import Settings
from shelfwise.platform.types import utcnow

# OWASP's argon2id floor (E1): 19 MiB, 2 passes, 1 lane. Hashes below it are upgraded at login.
PASSWORD_HASHER = PasswordHasher(
    time_cost=2, memory_cost=19456, parallelism=1, hash_len=32, salt_len=16, type=Type.ID
)
# A real hash of a random password: unknown users cost the same time as wrong passwords (E2).
_DUMMY_HASH = PASSWORD_HASHER.hash(secrets.token_urlsafe(16))

ACCESS_TOKEN_ALGORITHM = "HS256"  # noqa: S105 - pinned: "none" and asymmetric-key confusion are refused
API_KEY_PREFIX = "swk_"
VERIFIED_TOKENS_KEPT = 4096  # about 1.5 MiB: the access tokens in use in one process


def hash_password(password: str) -> str:
    return PASSWORD_HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not the user exists."""
    try:
        return PASSWORD_HASHER.verify(password_hash or _DUMMY_HASH, password) and bool(
            password_hash
        )
    except (VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    return PASSWORD_HASHER.check_needs_rehash(password_hash)


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def new_refresh_token() -> str:
    return "swr_" + secrets.token_urlsafe(32)


def new_api_key() -> tuple[str, str]:
    """(full key shown once, display prefix)."""
    key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    return key, key[:12]


def signing_key(settings: Settings) -> str:
    """The HMAC key for access tokens: from settings, else generated once into the data dir."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value()
    path: Path = settings.data_dir / "secret.key"
    if not path.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    session_id: uuid.UUID
    token_id: str
    expires_at: datetime


class TokenCodec:
    """Issues and checks access tokens with every claim required (E3)."""

    def __init__(self, settings: Settings) -> None:
        self._key = signing_key(settings)
        self._issuer = settings.token_issuer
        self._audience = settings.token_audience
        self.ttl: timedelta = settings.access_token_ttl
        self._verified: LRUCache[str, AccessClaims] = LRUCache(maxsize=VERIFIED_TOKENS_KEPT)
        self._lock = threading.Lock()

    def issue(self, user_id: uuid.UUID, session_id: uuid.UUID) -> tuple[str, AccessClaims]:
        now = utcnow()
        claims = AccessClaims(user_id, session_id, secrets.token_urlsafe(12), now + self.ttl)
        payload = {
            "sub": str(user_id),
            "sid": str(session_id),
            "jti": claims.token_id,
            "iat": int(now.timestamp()),
            "nbf": int(now.timestamp()) - 5,
            "exp": int(claims.expires_at.timestamp()),
            "iss": self._issuer,
            "aud": self._audience,
        }
        token = jwt.encode(payload, self._key, algorithm=ACCESS_TOKEN_ALGORITHM)
        return token, claims

    def decode(self, token: str) -> AccessClaims | None:
        """The token's claims, or None for any forged, expired or malformed token.

        A token that verified once is remembered until it expires: its signature and claims
        cannot change, and verifying costs more than the rest of a small request. Only time can
        invalidate it (not-before is already past), so a hit re-checks the expiry alone;
        revocation is the session check's job, which runs on every request regardless."""
        with self._lock:
            claims = self._verified.get(token)
        if claims is not None:
            return claims if claims.expires_at > utcnow() else None
        claims = self._verify(token)
        if claims is not None:
            with self._lock:
                self._verified[token] = claims
        return claims

    def _verify(self, token: str) -> AccessClaims | None:
        try:
            payload = jwt.decode(
                token,
                self._key,
                algorithms=[ACCESS_TOKEN_ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["exp", "iat", "iss", "aud", "sub", "sid", "jti"]},
            )
            return AccessClaims(
                user_id=uuid.UUID(payload["sub"]),
                session_id=uuid.UUID(payload["sid"]),
                token_id=str(payload["jti"]),
                expires_at=datetime.fromtimestamp(payload["exp"], tz=utcnow().tzinfo),
            )
        except (jwt.PyJWTError, ValueError, TypeError, KeyError):
            return None
