"""Login, sessions, organizations, members, API keys and TOTP."""

import uuid

from fastapi import APIRouter, Request, Response, status

from shelfwise.accounts import members
from shelfwise.accounts.auth import Admin, Context, CurrentPrincipal, DbSession
from shelfwise.accounts.models import ApiKey
from shelfwise.accounts.repository import AccountsRepository
from shelfwise.accounts.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyOut,
    LoginRequest,
    MemberCreate,
    MemberOut,
    MemberUpdate,
    MeResponse,
    OrganizationCreate,
    OrganizationOut,
    RefreshRequest,
    TokenResponse,
    TotpCodeRequest,
    TotpEnrolment,
)
from shelfwise.accounts.service import IssuedTokens
from shelfwise.audit.service import audit
from shelfwise.operations.json_body import JsonRoute
from shelfwise.platform.errors import NotFoundError, PermissionDeniedError

router = APIRouter(prefix="/api", tags=["accounts"], route_class=JsonRoute)


def _token_response(tokens: IssuedTokens) -> TokenResponse:
    return TokenResponse(
        access_token=tokens.access_token,
        expires_in=tokens.expires_in,
        refresh_token=tokens.refresh_token,
    )


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/auth/login", response_model=TokenResponse, summary="Log in with e-mail and password")
def login(body: LoginRequest, request: Request, context: Context) -> TokenResponse:
    # Its own unit of work: a failed attempt must be committed although the answer is an error.
    with context.database.unit_of_work() as session:
        result = context.accounts.login(
            session,
            body.email,
            body.password,
            ip_address=_client_ip(request),
            user_agent=request.headers.get("user-agent"),
            totp_code=body.totp_code,
        )
    if result.error is not None:
        raise result.error
    assert result.tokens is not None
    return _token_response(result.tokens)


@router.post("/auth/refresh", response_model=TokenResponse, summary="Exchange a refresh token")
def refresh(body: RefreshRequest, context: Context) -> TokenResponse:
    # Its own unit of work: a detected token reuse revokes the session although we answer 401.
    with context.database.unit_of_work() as session:
        result = context.accounts.refresh(session, body.refresh_token)
    if result.error is not None:
        raise result.error
    assert result.tokens is not None
    return _token_response(result.tokens)


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT, summary="End this session")
def logout(principal: CurrentPrincipal, context: Context, session: DbSession) -> Response:
    if principal.session_id is not None:
        context.accounts.logout(session, principal.session_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/auth/me", response_model=MeResponse, summary="Who am I, and in which organizations")
def me(principal: CurrentPrincipal, session: DbSession) -> MeResponse:
    repository = AccountsRepository(session)
    user = repository.user_by_id(principal.user_id) if principal.user_id else None
    organizations = (
        [
            OrganizationOut(id=o.id, name=o.name, role=m.role)
            for m, o in repository.memberships_of(user.id)
        ]
        if user
        else []
    )
    return MeResponse(
        user_id=principal.user_id,
        email=user.email if user else None,
        is_totp_enabled=bool(user and user.is_totp_enabled),
        organization_id=principal.organization_id,
        role=principal.role,
        organizations=organizations,
    )


@router.post("/auth/totp/enroll", response_model=TotpEnrolment, summary="Start TOTP enrolment")
def totp_enroll(principal: CurrentPrincipal, context: Context, session: DbSession) -> TotpEnrolment:
    user_id = _require_user(principal.user_id)
    secret, uri = context.accounts.begin_totp_enrolment(session, user_id)
    return TotpEnrolment(secret=secret, otpauth_uri=uri)


@router.post("/auth/totp/verify", status_code=204, summary="Confirm TOTP enrolment with a code")
def totp_verify(
    body: TotpCodeRequest, principal: CurrentPrincipal, context: Context, session: DbSession
) -> Response:
    context.accounts.confirm_totp(session, _require_user(principal.user_id), body.code)
    return Response(status_code=204)


@router.post("/auth/totp/disable", status_code=204, summary="Turn TOTP off (needs a current code)")
def totp_disable(
    body: TotpCodeRequest, principal: CurrentPrincipal, context: Context, session: DbSession
) -> Response:
    context.accounts.disable_totp(session, _require_user(principal.user_id), body.code)
    return Response(status_code=204)


def _require_user(user_id: uuid.UUID | None) -> uuid.UUID:
    if user_id is None:
        raise PermissionDeniedError("API keys have no user account.")
    return user_id


@router.post(
    "/organizations",
    response_model=OrganizationOut,
    status_code=201,
    summary="Create an organization you own",
)
def create_organization(
    body: OrganizationCreate, principal: CurrentPrincipal, context: Context, session: DbSession
) -> OrganizationOut:
    user = AccountsRepository(session).user_by_id(_require_user(principal.user_id))
    if user is None:
        raise NotFoundError("No such user.")
    organization = context.accounts.create_organization(session, body.name, user)
    return OrganizationOut(id=organization.id, name=organization.name, role=principal.role.OWNER)


@router.get(
    "/organization/members", response_model=list[MemberOut], summary="Members of this organization"
)
def list_members(principal: CurrentPrincipal, session: DbSession) -> list[MemberOut]:
    rows = AccountsRepository(session).members_of(principal.organization_id)
    return [
        MemberOut(user_id=u.id, email=u.email, role=m.role, joined_at=m.created_at) for m, u in rows
    ]


@router.post(
    "/organization/members",
    response_model=MemberOut,
    status_code=201,
    summary="Add an existing user",
)
def add_member(
    body: MemberCreate, principal: Admin, context: Context, session: DbSession
) -> MemberOut:
    membership, user = members.add(session, context.accounts, principal, body.email, body.role)
    return MemberOut(
        user_id=user.id, email=user.email, role=membership.role, joined_at=membership.created_at
    )


@router.patch(
    "/organization/members/{user_id}", response_model=MemberOut, summary="Change a member's role"
)
def change_member(
    user_id: uuid.UUID, body: MemberUpdate, principal: Admin, context: Context, session: DbSession
) -> MemberOut:
    membership, user = members.change_role(session, context.accounts, principal, user_id, body.role)
    return MemberOut(
        user_id=user.id, email=user.email, role=membership.role, joined_at=membership.created_at
    )


@router.delete("/organization/members/{user_id}", status_code=204, summary="Remove a member")
def remove_member(
    user_id: uuid.UUID, principal: Admin, context: Context, session: DbSession
) -> Response:
    members.remove(session, context.accounts, principal, user_id)
    return Response(status_code=204)


def _api_key_out(api_key: ApiKey) -> ApiKeyOut:
    return ApiKeyOut.model_validate(api_key, from_attributes=True)


@router.get("/api-keys", response_model=list[ApiKeyOut], summary="API keys of this organization")
def list_api_keys(principal: Admin, session: DbSession) -> list[ApiKeyOut]:
    return [
        _api_key_out(k) for k in AccountsRepository(session).api_keys_of(principal.organization_id)
    ]


@router.post(
    "/api-keys",
    response_model=ApiKeyCreated,
    status_code=201,
    summary="Create an API key (shown once)",
)
def create_api_key(
    body: ApiKeyCreate, principal: Admin, context: Context, session: DbSession
) -> ApiKeyCreated:
    api_key, key = context.accounts.create_api_key(session, principal, body.name, body.role)
    audit(
        session,
        principal,
        "api_key.created",
        "api_key",
        api_key.id,
        after={"name": api_key.name, "role": api_key.role.value, "prefix": api_key.prefix},
    )
    return ApiKeyCreated(**_api_key_out(api_key).model_dump(), key=key)


@router.delete("/api-keys/{api_key_id}", status_code=204, summary="Revoke an API key")
def revoke_api_key(
    api_key_id: uuid.UUID, principal: Admin, context: Context, session: DbSession
) -> Response:
    api_key = context.accounts.revoke_api_key(session, principal, api_key_id)
    audit(
        session, principal, "api_key.revoked", "api_key", api_key.id, before={"name": api_key.name}
    )
    return Response(status_code=204)
