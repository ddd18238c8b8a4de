"""What every dashboard page shows around its content: the user, organizations, CSRF token."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from shelfwise.accounts.models import Role
from shelfwise.accounts.principal import Principal
from shelfwise.accounts.repository import AccountsRepository
from shelfwise.demo.service import DEMO_ORGANIZATION
from shelfwise.platform.context import AppContext
from shelfwise.web.session import csrf_token

NAV = (
    ("overview", "/dashboard", "Overview"),
    ("catalog", "/dashboard/catalog", "Catalog"),
    ("asins", "/dashboard/asins", "ASINs"),
    ("accounts", "/dashboard/accounts", "Accounts"),
    ("imports", "/dashboard/imports", "Imports"),
    ("jobs", "/dashboard/jobs", "Jobs"),
    ("settings", "/dashboard/settings", "Settings"),
)


@dataclass(frozen=True)
class Organization:
    id: str
    name: str
    role: str


def page_values(
    context: AppContext, session: Session, principal: Principal, section: str, title: str
) -> dict[str, Any]:
    repository = AccountsRepository(session)
    user = repository.user_by_id(principal.user_id) if principal.user_id else None
    organizations = (
        [
            Organization(str(o.id), o.name, m.role.value)
            for m, o in repository.memberships_of(user.id)
        ]
        if user
        else []
    )
    active = next((o for o in organizations if o.id == str(principal.organization_id)), None)
    return {
        # Settings are for admins and owners: others do not get a link that would answer 403.
        "nav": [
            item for item in NAV if item[0] != "settings" or principal.role.at_least(Role.ADMIN)
        ],
        "section": section,
        "title": title,
        "principal": principal,
        "role": principal.role.value,
        "email": user.email if user else "",
        "organizations": organizations,
        "active_organization": active,
        "is_demo": active is not None and active.name == DEMO_ORGANIZATION,
        "csrf": csrf_token(context, principal.session_id) if principal.session_id else "",
    }
