"""FastAPI dependencies: the request's session (one unit of work) and its principal."""

import uuid
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session

from shelfwise.accounts.models import Role
from shelfwise.accounts.principal import Principal
from shelfwise.platform.context import AppContext
from shelfwise.platform.db import set_tenant
from shelfwise.platform.errors import AuthenticationError, InvalidInputError

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


Context = Annotated[AppContext, Depends(get_context)]


def request_session(request: Request, context: Context) -> Iterator[Session]:
    """One transaction per request, committed before the response is sent (scope="function")."""
    write = request.method not in READ_METHODS
    with context.database.unit_of_work(write=write) as session:
        yield session


DbSession = Annotated[Session, Depends(request_session, scope="function")]


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


def current_principal(
    context: Context,
    session: DbSession,
    authorization: Annotated[str | None, Header()] = None,
    x_organization_id: Annotated[str | None, Header()] = None,
) -> Principal:
    scheme, _, credential = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        raise AuthenticationError("Send Authorization: Bearer <access token or API key>.")
    principal = context.accounts.authenticate(
        session, credential.strip(), organization_header(x_organization_id)
    )
    set_tenant(session, principal.organization_id)
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def role_at_least(role: Role) -> object:
    """A dependency that admits only principals with `role` or higher."""

    def check(principal: CurrentPrincipal) -> Principal:
        principal.require(role)
        return principal

    return Depends(check)


Viewer = CurrentPrincipal
Analyst = Annotated[Principal, role_at_least(Role.ANALYST)]
Admin = Annotated[Principal, role_at_least(Role.ADMIN)]
Owner = Annotated[Principal, role_at_least(Role.OWNER)]
