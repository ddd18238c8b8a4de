"""Membership changes one member makes to another (the API and the dashboard alike): checked
against the actor's role, done by the accounts service, and audited in the same transaction."""

import uuid

from sqlalchemy.orm import Session

from shelfwise.accounts.models import Membership, Role, User
from shelfwise.accounts.principal import Principal
from shelfwise.accounts.repository import AccountsRepository
from shelfwise.accounts.service import AccountsService
from shelfwise.audit.service import audit
from shelfwise.platform.errors import PermissionDeniedError


def add(
    session: Session, accounts: AccountsService, principal: Principal, email: str, role: Role
) -> tuple[Membership, User]:
    """An existing user joins the organization; nobody grants a role above their own."""
    if role.at_least(principal.role) and role != principal.role:
        raise PermissionDeniedError("You cannot grant a role above your own.")
    membership, user = accounts.add_member(session, principal.organization_id, email, role)
    after = {"user_id": str(user.id), "role": role.value}
    audit(session, principal, "member.added", "membership", membership.id, after=after)
    return membership, user


def change_role(
    session: Session,
    accounts: AccountsService,
    principal: Principal,
    user_id: uuid.UUID,
    role: Role,
) -> tuple[Membership, User]:
    before = AccountsRepository(session).membership(principal.organization_id, user_id)
    membership, user = accounts.change_role(session, principal, user_id, role)
    audit(
        session,
        principal,
        "member.role_changed",
        "membership",
        membership.id,
        before={"role": before.role.value if before else None},
        after={"role": role.value},
    )
    return membership, user


def remove(
    session: Session, accounts: AccountsService, principal: Principal, user_id: uuid.UUID
) -> Membership:
    membership = accounts.remove_member(session, principal, user_id)
    before = {"user_id": str(user_id), "role": membership.role.value}
    audit(session, principal, "member.removed", "membership", membership.id, before=before)
    return membership
