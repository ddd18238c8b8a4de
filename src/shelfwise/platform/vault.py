"""Envelope encryption for the credential vault (D1-D3).

Each organization has an AES-256 data key; it is stored wrapped (AES-256-GCM) by a key-encryption
key (KEK) that lives outside the database: in `SHELFWISE_VAULT_KEYS` or a key file. Secrets are
sealed with the data key and bound to `organization_id|credential_id` as associated data, so a
ciphertext copied into another row fails to open. Several KEKs can be configured during rotation:
the first one wraps, any of them unwraps (rows record which one wrapped them).
"""

import base64
import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shelfwise.platform.settings import Settings

NONCE_BYTES = 12
KEY_BYTES = 32


class VaultError(Exception):
    """A key is missing or a ciphertext does not open (tampered, moved or wrong key)."""


def seal(key: bytes, plaintext: bytes, associated_data: bytes) -> bytes:
    """nonce || AES-256-GCM(ciphertext || tag)."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, associated_data)


def open_sealed(key: bytes, sealed: bytes, associated_data: bytes) -> bytes:
    """Inverse of `seal`; raises VaultError when the bytes or the binding do not match."""
    if len(sealed) < NONCE_BYTES + 16:
        raise VaultError("sealed value is truncated")
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], associated_data)
    except InvalidTag as error:
        raise VaultError("sealed value does not open with this key and binding") from error


def key_id(key: bytes) -> str:
    """A short public fingerprint of a key-encryption key."""
    return hashlib.sha256(b"shelfwise-kek" + key).hexdigest()[:16]


def generate_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def encode_key(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode()


def decode_key(text: str) -> bytes:
    key = base64.urlsafe_b64decode(text.strip().encode())
    if len(key) != KEY_BYTES:
        raise VaultError("a key-encryption key must be 32 bytes, base64-encoded")
    return key


@dataclass(frozen=True)
class KeyRing:
    """The configured key-encryption keys, current first."""

    keys: tuple[bytes, ...]

    @property
    def current(self) -> bytes:
        return self.keys[0]

    @property
    def current_id(self) -> str:
        return key_id(self.current)

    def by_id(self, wanted: str) -> bytes:
        for key in self.keys:
            if key_id(key) == wanted:
                return key
        raise VaultError(f"key-encryption key {wanted} is not configured")

    def wrap(self, data_key: bytes, binding: bytes) -> tuple[bytes, str]:
        return seal(self.current, data_key, binding), self.current_id

    def unwrap(self, wrapped: bytes, wrapped_by: str, binding: bytes) -> bytes:
        return open_sealed(self.by_id(wrapped_by), wrapped, binding)


def key_file_path(settings: Settings) -> Path:
    return settings.vault_key_file or settings.data_dir / "vault.keys"


def read_key_file(path: Path) -> list[bytes]:
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    return [decode_key(line) for line in lines if not line.lstrip().startswith("#")]


def write_key_file(path: Path, keys: list[bytes]) -> None:
    """Write atomically with owner-only permissions: a crash never leaves a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write("# Shelfwise key-encryption keys, current first. Keep a backup.\n")
        handle.writelines(encode_key(key) + "\n" for key in keys)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def load_key_ring(settings: Settings, *, create: bool = True) -> KeyRing:
    """Keys from the environment, else from the key file (generated when absent and allowed)."""
    if settings.vault_keys is not None:
        keys = [decode_key(part) for part in settings.vault_keys.get_secret_value().split(",")]
        if not keys:
            raise VaultError("SHELFWISE_VAULT_KEYS is empty")
        return KeyRing(tuple(keys))
    path = key_file_path(settings)
    if not path.exists():
        if not create:
            raise VaultError(f"no key file at {path}")
        write_key_file(path, [generate_key()])
    keys = read_key_file(path)
    if not keys:
        raise VaultError(f"key file {path} holds no key")
    return KeyRing(tuple(keys))
