"""Login with Amazon: refresh tokens exchanged for access tokens, as api.amazon.com does."""

import secrets
import threading
from dataclasses import dataclass, field

ACCESS_TOKEN_LIFETIME_SECONDS = 3600  # what LWA grants


@dataclass(frozen=True)
class Credentials:
    """What a seller's authorization gives an application (stored in our vault in real use)."""

    client_id: str
    client_secret: str
    refresh_token: str
    selling_partner_id: str


@dataclass
class _AccessToken:
    refresh_token: str
    selling_partner_id: str
    expires_at: float  # simulated seconds
    is_revoked: bool = False


class LwaError(Exception):
    """An LWA refusal, with the status and the OAuth error code LWA answers."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description


@dataclass
class LoginWithAmazon:
    credentials: dict[str, Credentials] = field(default_factory=dict)  # by refresh token
    revoked_refresh_tokens: set[str] = field(default_factory=set)
    _access_tokens: dict[str, _AccessToken] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def register(self, credentials: Credentials) -> Credentials:
        with self._lock:
            self.credentials[credentials.refresh_token] = credentials
        return credentials

    def exchange(self, form: dict[str, str], now: float) -> dict[str, object]:
        """Answer a token request (grant_type=refresh_token) or raise the LwaError LWA would."""
        if form.get("grant_type") != "refresh_token":
            raise LwaError(
                400,
                "unsupported_grant_type",
                "The authorization grant type is not supported by the authorization server",
            )
        with self._lock:
            granted = self.credentials.get(form.get("refresh_token", ""))
            if granted is None or granted.refresh_token in self.revoked_refresh_tokens:
                raise LwaError(
                    400,
                    "invalid_grant",
                    "The request has an invalid grant parameter : refresh_token",
                )
            if (form.get("client_id"), form.get("client_secret")) != (
                granted.client_id,
                granted.client_secret,
            ):
                raise LwaError(401, "invalid_client", "Client authentication failed")
            access_token = f"Atza|fake-{secrets.token_urlsafe(24)}"
            self._access_tokens[access_token] = _AccessToken(
                granted.refresh_token,
                granted.selling_partner_id,
                now + ACCESS_TOKEN_LIFETIME_SECONDS,
            )
        return {
            "access_token": access_token,
            "refresh_token": granted.refresh_token,
            "token_type": "bearer",
            "expires_in": ACCESS_TOKEN_LIFETIME_SECONDS,
        }

    def issue_restricted_data_token(self, selling_partner_id: str, now: float) -> str:
        """A restricted data token: an access token of the same grant, as the Tokens API mints."""
        with self._lock:
            granted = next(
                c for c in self.credentials.values() if c.selling_partner_id == selling_partner_id
            )
            token = f"Atz.sprdt|fake-{secrets.token_urlsafe(24)}"
            self._access_tokens[token] = _AccessToken(
                granted.refresh_token, selling_partner_id, now + ACCESS_TOKEN_LIFETIME_SECONDS
            )
        return token

    def selling_partner(self, access_token: str | None, now: float) -> str:
        """The selling partner an access token acts for; AccessDenied when it cannot be used."""
        if not access_token:
            raise AccessDenied("Access token is missing in the request header.")
        with self._lock:
            token = self._access_tokens.get(access_token)
            if token is None or token.is_revoked:
                raise AccessDenied(
                    "The access token you provided is revoked, malformed or invalid."
                )
            if now >= token.expires_at:
                raise AccessDenied("The access token you provided has expired.")
            return token.selling_partner_id

    def expire(self, access_token: str) -> None:
        with self._lock:
            if access_token in self._access_tokens:
                self._access_tokens[access_token].expires_at = float("-inf")

    def revoke_grant(self, refresh_token: str) -> None:
        """The seller removed the app: the refresh token and its access tokens stop working."""
        with self._lock:
            self.revoked_refresh_tokens.add(refresh_token)
            for token in self._access_tokens.values():
                if token.refresh_token == refresh_token:
                    token.is_revoked = True

    def refresh_token_of(self, access_token: str) -> str | None:
        with self._lock:
            token = self._access_tokens.get(access_token)
            return token.refresh_token if token else None


class AccessDenied(Exception):
    """A request whose x-amz-access-token cannot be used (SP-API answers 403 Unauthorized)."""
