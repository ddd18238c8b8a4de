"""Accounts: users, organizations, members, login sessions, API keys and TOTP.

Services never commit; the request or command that calls them does.
"""

import math
import time
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from shelfwise.accounts import security, totp
from shelfwise.accounts.models import (
    ApiKey,
    AuthSession,
    LoginFailure,
    Membership,
    Organization,
    Role,
    User,
)
from shelfwise.accounts.principal import Principal
from shelfwise.accounts.repository import AccountsRepository
from shelfwise.platform.db import set_tenant
from shelfwise.platform.errors import (
    AuthenticationError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    ThrottledError,
)
from shelfwise.platform.settings import Settings
from shelfwise.platform.types import utcnow
from shelfwise.platform.vault import KeyRing

INVALID_LOGIN = "Invalid email or password."
INVALID_TOKEN = "Missing, invalid or expired credentials."  # noqa: S105 - a message
MIN_PASSWORD_LENGTH = 10
API_KEY_TOUCH_INTERVAL = 300.0  # seconds between writes of an API key's last_used_at


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    expires_in: int
    refresh_token: str
    session_id: uuid.UUID


@dataclass(frozen=True)
class LoginResult:
    """Either tokens or the error to answer with, so the caller can commit failures first."""

    tokens: IssuedTokens | None = None
    error: AuthenticationError | ThrottledError | None = None


def normalize_email(email: str) -> str:
    return email.strip().lower()


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInputError(
            "Password too short.",
            [{"field": "password", "message": f"at least {MIN_PASSWORD_LENGTH} characters"}],
        )


class AccountsService:
    def __init__(self, settings: Settings, key_ring: KeyRing, tokens: security.TokenCodec) -> None:
        self.settings = settings
        self.key_ring = key_ring
        self.tokens = tokens
        self._api_key_touched: dict[uuid.UUID, float] = {}

    # users and organizations
    def create_user(self, session: Session, email: str, password: str) -> User:
        repository = AccountsRepository(session)
        email = normalize_email(email)
        if "@" not in email:
            raise InvalidInputError(
                "Invalid e-mail.", [{"field": "email", "message": "not an e-mail"}]
            )
        check_password_strength(password)
        if repository.user_by_email(email) is not None:
            raise ConflictError(f"A user with e-mail {email} already exists.")
        user = User(email=email, password_hash=security.hash_password(password))
        session.add(user)
        session.flush()
        return user

    def create_organization(self, session: Session, name: str, owner: User) -> Organization:
        organization = Organization(name=name.strip())
        session.add(organization)
        session.flush()
        session.add(Membership(organization_id=organization.id, user_id=owner.id, role=Role.OWNER))
        session.flush()
        return organization

    def add_member(
        self, session: Session, organization_id: uuid.UUID, email: str, role: Role
    ) -> tuple[Membership, User]:
        repository = AccountsRepository(session)
        user = repository.user_by_email(email)
        if user is None:
            raise NotFoundError(f"No user with e-mail {normalize_email(email)}.")
        if repository.membership(organization_id, user.id) is not None:
            raise ConflictError("That user is already a member.")
        membership = Membership(organization_id=organization_id, user_id=user.id, role=role)
        session.add(membership)
        session.flush()
        return membership, user

    def change_role(
        self, session: Session, principal: Principal, user_id: uuid.UUID, role: Role
    ) -> tuple[Membership, User]:
        membership, user = self._member(session, principal.organization_id, user_id)
        self._check_may_manage(principal, membership.role, role)
        if membership.role == Role.OWNER and role != Role.OWNER:
            self._keep_an_owner(session, principal.organization_id)
        membership.role = role
        session.flush()
        return membership, user

    def remove_member(
        self, session: Session, principal: Principal, user_id: uuid.UUID
    ) -> Membership:
        membership, _user = self._member(session, principal.organization_id, user_id)
        self._check_may_manage(principal, membership.role, membership.role)
        if membership.role == Role.OWNER:
            self._keep_an_owner(session, principal.organization_id)
        session.delete(membership)
        session.flush()
        return membership

    def _member(
        self, session: Session, organization_id: uuid.UUID, user_id: uuid.UUID
    ) -> tuple[Membership, User]:
        repository = AccountsRepository(session)
        membership = repository.membership(organization_id, user_id)
        user = repository.user_by_id(user_id)
        if membership is None or user is None:
            raise NotFoundError("No such member.")
        return membership, user

    @staticmethod
    def _check_may_manage(principal: Principal, current: Role, wanted: Role) -> None:
        # Only owners touch owners; nobody grants a role above their own.
        principal.require(Role.ADMIN)
        if Role.OWNER in (current, wanted) and principal.role != Role.OWNER:
            raise PermissionDeniedError("Only an owner can change an owner's membership.")

    @staticmethod
    def _keep_an_owner(session: Session, organization_id: uuid.UUID) -> None:
        if AccountsRepository(session).count_owners(organization_id) <= 1:
            raise ConflictError("An organization keeps at least one owner.")

    # login, refresh, logout
    def login(
        self,
        session: Session,
        email: str,
        password: str,
        *,
        ip_address: str,
        user_agent: str | None = None,
        totp_code: str | None = None,
    ) -> LoginResult:
        repository = AccountsRepository(session)
        email = normalize_email(email)
        repository.lock_login_attempts(email, ip_address)
        now = utcnow()
        throttled = self._throttle(repository, email, ip_address, now)
        if throttled is not None:
            return LoginResult(error=throttled)
        user = repository.user_by_email(email)
        password_ok = security.verify_password(user.password_hash if user else None, password)
        if user is None or not password_ok or not user.is_active:
            session.add(LoginFailure(email=email, ip_address=ip_address, at=now))
            return LoginResult(error=AuthenticationError(INVALID_LOGIN))
        if user.is_totp_enabled and not self._accept_totp(session, user, totp_code or ""):
            session.add(LoginFailure(email=email, ip_address=ip_address, at=now))
            return LoginResult(
                error=AuthenticationError("A valid TOTP code is required.", totp_required=True)
            )
        if security.password_needs_rehash(user.password_hash):
            user.password_hash = security.hash_password(password)
        repository.clear_failures(email)
        repository.purge_failures_before(now - self.settings.login_throttle_window)
        return LoginResult(tokens=self._open_session(session, user, ip_address, user_agent))

    def _throttle(
        self, repository: AccountsRepository, email: str, ip_address: str, now: datetime
    ) -> ThrottledError | None:
        window = self.settings.login_throttle_window
        since = now - window
        limits = (
            ({"email": email}, self.settings.login_max_failures_per_account),
            ({"ip": ip_address}, self.settings.login_max_failures_per_ip),
        )
        for scope, limit in limits:
            if repository.count_failures(since=since, **scope) >= limit:
                oldest = repository.oldest_failure_since(since=since, **scope) or now
                retry = max(1, math.ceil((oldest + window - now).total_seconds()))
                return ThrottledError("Too many failed logins; try again later.", retry)
        return None

    def _accept_totp(self, session: Session, user: User, code: str) -> bool:
        if user.totp_secret_sealed is None:
            return False
        secret = totp.open_secret(self.key_ring, user.id, user.totp_secret_sealed)
        step = totp.matching_step(secret, code)
        if step is None or not AccountsRepository(session).claim_totp_step(user.id, step):
            return False
        set_committed_value(user, "totp_last_step", step)
        return True

    def _open_session(
        self, session: Session, user: User, ip_address: str | None, user_agent: str | None
    ) -> IssuedTokens:
        refresh_token = security.new_refresh_token()
        auth_session = AuthSession(
            user_id=user.id,
            refresh_token_hash=security.sha256_hex(refresh_token),
            expires_at=utcnow() + self.settings.refresh_token_ttl,
            ip_address=ip_address,
            user_agent=(user_agent or "")[:300] or None,
        )
        session.add(auth_session)
        session.flush()
        return self._tokens_for(user.id, auth_session.id, refresh_token)

    def _tokens_for(self, user_id: uuid.UUID, session_id: uuid.UUID, refresh: str) -> IssuedTokens:
        access, _claims = self.tokens.issue(user_id, session_id)
        return IssuedTokens(access, int(self.tokens.ttl.total_seconds()), refresh, session_id)

    def refresh(self, session: Session, refresh_token: str) -> LoginResult:
        """Rotate the refresh token. Presenting an already rotated token means it was copied:
        the whole session is revoked (the caller commits that, then answers 401)."""
        repository = AccountsRepository(session)
        presented = security.sha256_hex(refresh_token)
        now = utcnow()
        auth_session = repository.auth_session_by_refresh_hash(presented)
        if auth_session is None:
            reused = repository.auth_session_by_previous_refresh_hash(presented)
            if reused is not None and reused.revoked_at is None:
                reused.revoked_at = now
                session.flush()
            return LoginResult(error=AuthenticationError(INVALID_TOKEN))
        new_refresh = security.new_refresh_token()
        if not repository.rotate_refresh(
            auth_session.id, presented, security.sha256_hex(new_refresh), now
        ):
            return LoginResult(error=AuthenticationError(INVALID_TOKEN))
        return LoginResult(
            tokens=self._tokens_for(auth_session.user_id, auth_session.id, new_refresh)
        )

    def logout(self, session: Session, session_id: uuid.UUID) -> None:
        auth_session = AccountsRepository(session).auth_session(session_id)
        if auth_session is not None and auth_session.revoked_at is None:
            auth_session.revoked_at = utcnow()
            session.flush()

    # authentication of requests
    def authenticate(
        self, session: Session, credential: str, organization_id: uuid.UUID | None
    ) -> Principal:
        """The principal behind a bearer credential (access token or API key), or 401; its
        organization becomes the session's tenant."""
        repository = AccountsRepository(session)
        if credential.startswith(security.API_KEY_PREFIX):
            api_key = repository.api_key_by_hash(security.sha256_hex(credential))
            if api_key is None or api_key.revoked_at is not None:
                raise AuthenticationError(INVALID_TOKEN)
            if organization_id is not None and organization_id != api_key.organization_id:
                raise AuthenticationError("This API key belongs to another organization.")
            set_tenant(session, api_key.organization_id)
            return Principal(api_key.organization_id, api_key.role, api_key_id=api_key.id)
        claims = self.tokens.decode(credential)
        if claims is None:
            raise AuthenticationError(INVALID_TOKEN)
        found = repository.session_membership(
            claims.session_id, claims.user_id, utcnow(), organization_id
        )
        if found is None:
            if organization_id is not None and repository.auth_session(claims.session_id):
                raise AuthenticationError("You are not a member of that organization.")
            raise AuthenticationError(INVALID_TOKEN)
        return Principal(found[0], found[1], user_id=claims.user_id, session_id=claims.session_id)

    # API keys
    def api_key_use_due(self, api_key_id: uuid.UUID) -> bool:
        """Whether to write this key's last_used_at now: at most every few minutes per process."""
        now = time.monotonic()
        if now - self._api_key_touched.get(api_key_id, -math.inf) < API_KEY_TOUCH_INTERVAL:
            return False
        self._api_key_touched[api_key_id] = now
        return True

    def create_api_key(
        self, session: Session, principal: Principal, name: str, role: Role
    ) -> tuple[ApiKey, str]:
        principal.require(Role.ADMIN)
        if not principal.role.at_least(role):
            raise PermissionDeniedError("An API key cannot have a role above your own.")
        key, prefix = security.new_api_key()
        api_key = ApiKey(
            organization_id=principal.organization_id,
            name=name.strip(),
            prefix=prefix,
            key_hash=security.sha256_hex(key),
            role=role,
            created_by_user_id=principal.user_id,
        )
        session.add(api_key)
        session.flush()
        return api_key, key

    def revoke_api_key(
        self, session: Session, principal: Principal, api_key_id: uuid.UUID
    ) -> ApiKey:
        principal.require(Role.ADMIN)
        api_key = AccountsRepository(session).api_key(principal.organization_id, api_key_id)
        if api_key is None:
            raise NotFoundError("No such API key.")
        if api_key.revoked_at is None:
            api_key.revoked_at = utcnow()
            session.flush()
        return api_key

    # TOTP
    def begin_totp_enrolment(self, session: Session, user_id: uuid.UUID) -> tuple[str, str]:
        user = self._user(session, user_id)
        if user.is_totp_enabled:
            raise ConflictError("Two-factor authentication is already enabled.")
        secret = totp.new_secret()
        user.totp_secret_sealed = totp.seal_secret(self.key_ring, user.id, secret)
        user.totp_last_step = None
        session.flush()
        return secret, totp.provisioning_uri(secret, user.email)

    def confirm_totp(self, session: Session, user_id: uuid.UUID, code: str) -> None:
        user = self._user(session, user_id)
        if user.totp_secret_sealed is None:
            raise ConflictError("Start enrolment first.")
        if not self._accept_totp(session, user, code):
            raise InvalidInputError("Wrong code.", [{"field": "code", "message": "does not match"}])
        user.is_totp_enabled = True
        session.flush()

    def disable_totp(self, session: Session, user_id: uuid.UUID, code: str) -> None:
        user = self._user(session, user_id)
        if not user.is_totp_enabled or not self._accept_totp(session, user, code):
            raise InvalidInputError("Wrong code.", [{"field": "code", "message": "does not match"}])
        user.is_totp_enabled = False
        user.totp_secret_sealed = None
        session.flush()

    @staticmethod
    def _user(session: Session, user_id: uuid.UUID) -> User:
        user = AccountsRepository(session).user_by_id(user_id)
        if user is None:
            raise NotFoundError("No such user.")
        return user
