"""Your account (every signed-in user, any role): the organizations you belong to and
two-factor sign-in. Enrolment is the API's (POST /api/auth/totp/enroll, verify, disable): the
secret is shown once, as a QR code and as text, and only a code from the app turns it on."""

from typing import Annotated

import segno
from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from shelfwise.accounts.auth import Context, DbSession
from shelfwise.accounts.models import User
from shelfwise.accounts.principal import Principal
from shelfwise.accounts.repository import AccountsRepository
from shelfwise.platform.errors import InvalidInputError, PermissionDeniedError
from shelfwise.web.layout import page_values
from shelfwise.web.session import (
    MemberForm,
    PagePrincipal,
    redirect,
    render,
)

router = APIRouter(include_in_schema=False)
PAGE = "/dashboard/account"
Code = Annotated[str, Form(max_length=12)]


def _user(session: DbSession, principal: Principal) -> User:
    user = AccountsRepository(session).user_by_id(principal.user_id) if principal.user_id else None
    if user is None:  # dashboard sessions are users' (API keys never sign in here)
        raise PermissionDeniedError("API keys have no user account.")
    return user


def qr_svg(uri: str) -> str:
    """The otpauth URI as an inline SVG QR code (segno: pure Python, no image files)."""
    code = segno.make(uri, error="m")
    return str(code.svg_inline(scale=5, border=2, dark="#111", light="#fff", title="QR code"))


@router.get(PAGE)
def account_page(
    request: Request, principal: PagePrincipal, context: Context, session: DbSession
) -> Response:
    user = _user(session, principal)
    values = page_values(context, session, principal, "account", "Your account")
    values |= {
        "user": user,
        # A secret is stored but not turned on: enrolment began and waits for a code.
        "pending": user.totp_secret_sealed is not None and not user.is_totp_enabled,
        "enrolment": None,
    }
    return render(request, "profile.html", values)


@router.post(PAGE + "/totp/enroll")
def start_enrolment(
    request: Request,
    principal: MemberForm,
    context: Context,
    session: DbSession,
) -> Response:
    user = _user(session, principal)
    secret, uri = context.accounts.begin_totp_enrolment(session, user.id)
    values = page_values(context, session, principal, "account", "Set up two-factor sign-in")
    values |= {
        "user": user,
        "pending": True,
        "enrolment": {"secret": secret, "uri": uri, "qr": qr_svg(uri)},
    }
    return render(request, "profile.html", values)


@router.post(PAGE + "/totp/confirm")
def confirm_enrolment(
    request: Request,
    principal: MemberForm,
    context: Context,
    session: DbSession,
    code: Code,
) -> Response:
    user = _user(session, principal)
    try:
        context.accounts.confirm_totp(session, user.id, code.strip())
    except InvalidInputError:  # nothing was written; the enrolment still waits for a code
        return redirect(request, PAGE, "That code does not match; try the current one.", "error")
    return redirect(request, PAGE, "Two-factor sign-in is on: logins now ask for a code.")


@router.post(PAGE + "/totp/disable")
def disable(
    request: Request,
    principal: MemberForm,
    context: Context,
    session: DbSession,
    code: Code,
) -> Response:
    user = _user(session, principal)
    try:
        context.accounts.disable_totp(session, user.id, code.strip())
    except InvalidInputError:
        return redirect(request, PAGE, "That code does not match; nothing changed.", "error")
    return redirect(request, PAGE, "Two-factor sign-in is off.")
