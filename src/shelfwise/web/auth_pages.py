"""Login (with the TOTP step when enrolled), logout and the organization switcher."""

import hmac
import secrets
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from shelfwise.accounts.auth import Context, DbSession
from shelfwise.accounts.repository import AccountsRepository
from shelfwise.web.session import (
    ORG_COOKIE,
    MemberForm,
    clear_login_cookies,
    cookie_options,
    redirect,
    render,
    safe_next,
    set_login_cookies,
)

router = APIRouter(include_in_schema=False)
LOGIN_COOKIE = "sw_login"
EXPIRED_FORM = "The login form expired; please try again."


def _login_page(request: Request, values: dict[str, Any], status_code: int = 200) -> Response:
    """The form with a fresh login token in a cookie and a hidden field (double submit): a
    cross-site POST carries no SameSite=Lax cookie, so nobody can log a victim into their
    account from another site (login CSRF)."""
    token = secrets.token_urlsafe(24)
    response = render(
        request, "login.html", values | {"login_token": token}, status_code=status_code
    )
    response.set_cookie(LOGIN_COOKIE, token, path="/login", max_age=3600, **cookie_options(request))
    return response


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    return _login_page(request, {"next": safe_next(next), "email": "", "error": None})


@router.post("/login")
def login(
    request: Request,
    context: Context,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1000)],
    totp_code: Annotated[str, Form(max_length=12)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/dashboard",
    login_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, login_token):
        values: dict[str, Any] = {"next": safe_next(next), "email": email, "error": EXPIRED_FORM}
        return _login_page(request, values, status_code=403)
    # The API login's own unit of work and service: failed attempts are committed and throttled
    # the same way (E2); no session cookie is set before login succeeds (no fixation).
    with context.database.unit_of_work() as session:
        result = context.accounts.login(
            session,
            email,
            password,
            ip_address=request.client.host if request.client else "unknown",
            user_agent=request.headers.get("user-agent"),
            totp_code=totp_code or None,
        )
    if result.tokens is None:
        error = result.error
        totp = bool(error is not None and error.extra.get("totp_required"))
        asking_for_code = totp and not totp_code  # the first step succeeded: ask for the code
        values = {
            "next": safe_next(next),
            "email": email,
            "error": None if asking_for_code or error is None else error.detail,
            "totp": totp,
            # The password is needed again with the code; it goes back in the form it came in.
            "password": password if totp else "",
        }
        status = 200 if asking_for_code or error is None else error.status_code
        return _login_page(request, values, status_code=status)
    response = redirect(request, safe_next(next))
    set_login_cookies(request, response, result.tokens)
    response.delete_cookie(ORG_COOKIE, path="/", **cookie_options(request))
    response.delete_cookie(LOGIN_COOKIE, path="/login", **cookie_options(request))
    return response


@router.post("/logout")
def logout(
    request: Request,
    principal: MemberForm,
    context: Context,
    session: DbSession,
) -> Response:
    if principal.session_id is not None:
        context.accounts.logout(session, principal.session_id)  # revokes the session server-side
    response = redirect(request, "/login", "You are logged out.")
    clear_login_cookies(request, response)
    return response


@router.post("/dashboard/organization")
def switch_organization(
    request: Request,
    principal: MemberForm,
    session: DbSession,
    organization_id: Annotated[uuid.UUID, Form()],
) -> Response:
    if principal.user_id is None or not AccountsRepository(session).membership(
        organization_id, principal.user_id
    ):
        return redirect(
            request, "/dashboard", "You are not a member of that organization.", "error"
        )
    response = redirect(request, "/dashboard", "Organization switched.")
    response.set_cookie(ORG_COOKIE, str(organization_id), path="/", **cookie_options(request))
    return response
