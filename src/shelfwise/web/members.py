"""Settings actions on members: add an existing user by e-mail, change a role, remove a member,
through accounts/members.py as /api/organization/members does."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from shelfwise.accounts import members
from shelfwise.accounts.auth import Context, DbSession
from shelfwise.accounts.models import Role
from shelfwise.accounts.repository import AccountsRepository
from shelfwise.accounts.schemas import MemberCreate
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
    _, user = members.add(session, context.accounts, principal, body.email, body.role)
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
    _, user = members.change_role(session, context.accounts, principal, user_id, role)
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
    members.remove(session, context.accounts, principal, user_id)
    email = user.email if user else str(user_id)
    if user_id == principal.user_id:
        # You left: this organization no longer answers; the dashboard falls back to another.
        return redirect(request, "/dashboard", f"You left the organization ({email}).")
    return redirect(request, BACK, f"Removed {email} from the organization.")
