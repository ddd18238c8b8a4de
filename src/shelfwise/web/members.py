"""Settings actions on members: add an existing user by e-mail, change a role, remove a member.
The same service calls and audit entries as /api/organization/members."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from shelfwise.accounts.auth import Context, DbSession
from shelfwise.accounts.models import Role
from shelfwise.accounts.repository import AccountsRepository
from shelfwise.accounts.schemas import MemberCreate
from shelfwise.audit.service import audit
from shelfwise.platform.errors import PermissionDeniedError
from shelfwise.web.forms import checked
from shelfwise.web.session import (
    AdminForm,
    redirect,
)

router = APIRouter(include_in_schema=False)
BACK = "/dashboard/settings#members"


@router.post("/dashboard/settings/members")
def add_member(
    request: Request,
    principal: AdminForm,
    context: Context,
    session: DbSession,
    email: Annotated[str, Form(max_length=320)],
    role: Annotated[str, Form(max_length=20)],
) -> Response:
    body = checked(MemberCreate, email=email, role=role)
    if body.role.at_least(principal.role) and body.role != principal.role:
        raise PermissionDeniedError("You cannot grant a role above your own.")
    membership, user = context.accounts.add_member(
        session, principal.organization_id, body.email, body.role
    )
    audit(
        session,
        principal,
        "member.added",
        "membership",
        membership.id,
        after={"user_id": str(user.id), "role": body.role.value},
    )
    return redirect(request, BACK, f"{user.email} joined as {body.role.value}.")


@router.post("/dashboard/settings/members/{user_id}")
def change_role(
    user_id: uuid.UUID,
    request: Request,
    principal: AdminForm,
    context: Context,
    session: DbSession,
    role: Annotated[Role, Form()],
) -> Response:
    before = AccountsRepository(session).membership(principal.organization_id, user_id)
    membership, user = context.accounts.change_role(session, principal, user_id, role)
    # Audited like PATCH /api/organization/members/{id}.
    audit(
        session,
        principal,
        "member.role_changed",
        "membership",
        membership.id,
        before={"role": before.role.value if before else None},
        after={"role": role.value},
    )
    return redirect(request, BACK, f"{user.email} is now {role.value}.")


@router.post("/dashboard/settings/members/{user_id}/remove")
def remove_member(
    user_id: uuid.UUID,
    request: Request,
    principal: AdminForm,
    context: Context,
    session: DbSession,
) -> Response:
    user = AccountsRepository(session).user_by_id(user_id)
    membership = context.accounts.remove_member(session, principal, user_id)
    audit(
        session,
        principal,
        "member.removed",
        "membership",
        membership.id,
        before={"user_id": str(user_id), "role": membership.role.value},
    )
    email = user.email if user else str(user_id)
    if user_id == principal.user_id:
        # You left: this organization no longer answers; the dashboard falls back to another.
        return redirect(request, "/dashboard", f"You left the organization ({email}).")
    return redirect(request, BACK, f"Removed {email} from the organization.")
