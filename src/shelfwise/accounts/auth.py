"""FastAPI dependencies: the request's session (one unit of work) and its principal."""

import uuid
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Annotated, Any

from anyio import CancelScope, CapacityLimiter, to_thread
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from shelfwise.accounts.models import Role
from shelfwise.accounts.principal import Principal
from shelfwise.accounts.repository import AccountsRepository
from shelfwise.operations.endpoint_thread import in_endpoint_thread, marked_dependency
from shelfwise.operations.request_transaction import CURRENT_TRANSACTION, RequestTransaction
from shelfwise.platform.context import AppContext
from shelfwise.platform.errors import AuthenticationError, InvalidInputError
from shelfwise.platform.types import utcnow

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_context(request: Request) -> AppContext:
    # async: no I/O, so FastAPI runs it on the event loop rather than in a worker thread.
    context: AppContext = request.app.state.context
    return context


Context = Annotated[AppContext, Depends(get_context)]


async def request_session(request: Request, context: Context) -> AsyncIterator[Session]:
    """One transaction per request, committed before the response is sent (scope="function")."""
    write = request.method not in READ_METHODS
    # Opening does no I/O (the first query takes the connection), so it runs on the event loop.
    # A sync endpoint commits in its own worker thread (`finish_in_endpoint_thread`); otherwise
    # the commit or rollback goes to a worker thread here. Like FastAPI's own sync-generator
    # handling, that exit is shielded and never waits for a free worker (a full pool could be
    # waiting for this session's connection).
    transaction = RequestTransaction(context.database.unit_of_work(write=write))
    token = CURRENT_TRANSACTION.set(transaction)
    exit_limiter = CapacityLimiter(1)
    try:
        yield transaction.session
    except BaseException as error:
        if not transaction.finished:
            with CancelScope(shield=True):
                await to_thread.run_sync(transaction.finish, error, limiter=exit_limiter)
        raise
    finally:
        CURRENT_TRANSACTION.reset(token)
    if not transaction.finished:
        with CancelScope(shield=True):
            await to_thread.run_sync(transaction.finish, limiter=exit_limiter)


def _request_session_in_thread(request: Request, context: Context) -> Iterator[Session]:
    """`request_session` in a sync endpoint's thread (operations/endpoint_thread.py): opened,
    committed or rolled back there, around the endpoint, with no thread hop of its own."""
    with context.database.unit_of_work(write=request.method not in READ_METHODS) as session:
        yield session


DbSession = Annotated[
    Session,
    Depends(in_endpoint_thread(request_session, run=_request_session_in_thread), scope="function"),
]


MISSING_BEARER = "Send Authorization: Bearer <access token or API key>."
ORGANIZATION_HEADER = "X-Organization-Id"
SECURITY_SCHEMES = {
    "Bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "An access token from POST /api/auth/login, or an API key (swk_…).",
    },
    "Organization": {
        "type": "apiKey",
        "in": "header",
        "name": ORGANIZATION_HEADER,
        "description": "The organization to act in, for users of several (default: the first"
        " one joined).",
    },
}


def bearer_credential(authorization: str | None) -> str | None:
    """The credential of an `Authorization: Bearer …` header, or None when there is none."""
    scheme, _, credential = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        return None
    return credential.strip()


def organization_header(value: str | None) -> uuid.UUID | None:
    if value is None or not value.strip():
        return None
    try:
        return uuid.UUID(value.strip())
    except ValueError as error:
        raise InvalidInputError(
            "X-Organization-Id is not a UUID.",
            [{"field": "header.X-Organization-Id", "message": "not a UUID"}],
        ) from error


def current_principal(request: Request, context: Context, session: DbSession) -> Principal:
    """The caller behind `Authorization: Bearer …`, acting in `X-Organization-Id` (if given).

    The headers are read here, not declared as parameters: FastAPI's validation of two header
    parameters cost a tenth of a small authenticated request. OpenAPI still documents them, as
    security schemes (see `document_security`)."""
    headers = request.headers
    x_organization_id = headers.get(ORGANIZATION_HEADER)
    credential = bearer_credential(headers.get("authorization"))
    if credential is None:
        raise AuthenticationError(MISSING_BEARER)
    principal = context.accounts.authenticate(
        session, credential, organization_header(x_organization_id)
    )
    if principal.api_key_id is not None and context.accounts.api_key_use_due(principal.api_key_id):
        _record_api_key_use(context, session, request.method, principal.api_key_id)
    return principal


def _record_api_key_use(
    context: AppContext, session: Session, method: str, api_key_id: uuid.UUID
) -> None:
    """A write request records it in its own transaction; a read request in a short one of its
    own (a write inside a read transaction could fail on SQLite's snapshot rules)."""
    if method not in READ_METHODS:
        AccountsRepository(session).touch_api_key(api_key_id, utcnow())
        return
    with context.database.unit_of_work() as write_session:
        AccountsRepository(write_session).touch_api_key(api_key_id, utcnow())


# A sync endpoint resolves its principal in its own worker thread, first: one thread hop less per
# authenticated request (see operations/endpoint_thread.py).
CurrentPrincipal = Annotated[Principal, Depends(in_endpoint_thread(current_principal))]


def role_at_least(role: Role) -> object:
    """A dependency that admits only principals with `role` or higher."""

    def require(principal: Principal) -> Principal:
        principal.require(role)
        return principal

    async def check(principal: CurrentPrincipal) -> Principal:  # no I/O: stays on the loop
        return require(principal)

    # Where the principal is resolved in a sync endpoint's thread, so is the role check.
    return Depends(in_endpoint_thread(check, run=require))


Viewer = CurrentPrincipal
Analyst = Annotated[Principal, role_at_least(Role.ANALYST)]
Admin = Annotated[Principal, role_at_least(Role.ADMIN)]
Owner = Annotated[Principal, role_at_least(Role.OWNER)]


def document_security(app: FastAPI, routers: Iterable[APIRouter]) -> None:
    """Publish the bearer token and X-Organization-Id in OpenAPI on every route of `routers`
    that requires them (those depending on `current_principal`)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = build()
        document.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
        routes = (route for router in routers for route in router.routes)
        for route in routes:
            if not isinstance(route, APIRoute) or not _needs_principal(route.dependant):
                continue
            for method in route.methods or ():
                operation = document["paths"].get(route.path_format, {}).get(method.lower())
                if operation is not None:
                    # Bearer alone, or with the optional organization header.
                    operation["security"] = [{"Bearer": []}, {"Bearer": [], "Organization": []}]
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def _needs_principal(dependant: Dependant) -> bool:
    call = dependant.call
    return (call is not None and marked_dependency(call) is current_principal) or any(
        _needs_principal(child) for child in dependant.dependencies
    )
