"""Dashboard sign-in: cookies holding a session issued by the accounts service, CSRF, flashes.

The access token and refresh token are the API login's own (one revocable session per login);
the cookies are HttpOnly and SameSite=Lax, Secure when the request came over https."""

import hashlib
import hmac
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, unquote, urlsplit

from fastapi import Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from shelfwise.accounts.auth import Context, DbSession
from shelfwise.accounts.models import Role
from shelfwise.accounts.principal import Principal
from shelfwise.accounts.security import signing_key
from shelfwise.accounts.service import IssuedTokens
from shelfwise.platform.context import AppContext
from shelfwise.platform.errors import AuthenticationError, PermissionDeniedError

ACCESS_COOKIE = "sw_access"
REFRESH_COOKIE = "sw_refresh"
ORG_COOKIE = "sw_org"
FLASH_COOKIE = "sw_flash"
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def whole_percent(value: float | None) -> int:
    """Progress as whole percent, rounded down as app.js does: 100 only when all is done."""
    return int(value or 0)


templates.env.filters["whole_percent"] = whole_percent


class LoginRequired(Exception):  # a control-flow signal, answered with a redirect
    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


class PageForbidden(Exception):  # answered with an HTML 403 page
    pass


def safe_next(value: str | None) -> str:
    """A local path to go to after login; anything else (other hosts, `//evil`, schemes) is the
    overview, so the login form is never an open redirect."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/dashboard"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/dashboard"
    return value


_CSRF_KEYS: dict[int, bytes] = {}


def csrf_token(context: AppContext, session_id: uuid.UUID) -> str:
    """Per-session token: an HMAC of the session id, so nothing extra is stored. The key is
    derived from the token-signing key (read once per context; it may live in a file)."""
    key = _CSRF_KEYS.get(id(context))
    if key is None:
        key = hashlib.sha256(b"shelfwise-csrf:" + signing_key(context.settings).encode()).digest()
        _CSRF_KEYS[id(context)] = key
    return hmac.new(key, b"csrf:" + session_id.bytes, hashlib.sha256).hexdigest()


def cookie_options(request: Request) -> dict[str, Any]:
    """Every dashboard cookie, set or deleted: HttpOnly, SameSite=Lax, Secure over https."""
    return {"httponly": True, "samesite": "lax", "secure": request.url.scheme == "https"}


def set_login_cookies(request: Request, response: Response, tokens: IssuedTokens) -> None:
    common = cookie_options(request)
    response.set_cookie(ACCESS_COOKIE, tokens.access_token, path="/", **common)
    # The refresh token goes only to the dashboard, where an expired access token is renewed.
    response.set_cookie(REFRESH_COOKIE, tokens.refresh_token, path="/dashboard", **common)


def clear_login_cookies(request: Request, response: Response) -> None:
    common = cookie_options(request)
    response.delete_cookie(ACCESS_COOKIE, path="/", **common)
    response.delete_cookie(REFRESH_COOKIE, path="/dashboard", **common)
    response.delete_cookie(ORG_COOKIE, path="/", **common)


def _active_organization(request: Request) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.cookies.get(ORG_COOKIE, ""))
    except ValueError:
        return None


def _authenticate(
    context: AppContext, session: Session, token: str, organization_id: uuid.UUID | None
) -> Principal:
    try:
        return context.accounts.authenticate(session, token, organization_id)
    except AuthenticationError:
        if organization_id is None:
            raise
        # The chosen organization is gone (membership removed): fall back to the first one.
        return context.accounts.authenticate(session, token, None)


def page_principal(request: Request, context: Context, session: DbSession) -> Principal:
    """The signed-in user of a dashboard request, or a redirect to the login page."""
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    token = request.cookies.get(ACCESS_COOKIE)
    organization_id = _active_organization(request)
    if token and not token.startswith("swk_"):  # API keys never sign in to the dashboard
        try:
            principal = _authenticate(context, session, token, organization_id)
        except AuthenticationError:
            pass
        else:
            request.state.principal = principal  # for error pages, drawn with the navigation
            return principal
    refresh = request.cookies.get(REFRESH_COOKIE)
    if refresh:
        # Its own unit of work, like the API's refresh: a detected reuse revokes the session.
        with context.database.unit_of_work() as own:
            result = context.accounts.refresh(own, refresh)
        if result.tokens is not None:
            request.state.renewed_tokens = result.tokens
            try:
                principal = _authenticate(
                    context, session, result.tokens.access_token, organization_id
                )
            except AuthenticationError:
                pass
            else:
                request.state.principal = principal
                return principal
    raise LoginRequired(path)


PagePrincipal = Annotated[Principal, Depends(page_principal)]


def require_role(principal: Principal, role: Role) -> None:
    try:
        principal.require(role)
    except PermissionDeniedError as error:
        raise PageForbidden(error.detail) from error


def check_csrf(request: Request, context: AppContext, principal: Principal, token: str) -> None:
    if principal.session_id is None or not hmac.compare_digest(
        token, csrf_token(context, principal.session_id)
    ):
        raise PageForbidden("The form expired or came from another site; reload and try again.")


CsrfField = Annotated[str, Form(alias="csrf")]


def _form_poster(role: Role) -> Callable[..., Principal]:
    def form_poster(
        request: Request, principal: PagePrincipal, context: Context, csrf: CsrfField = ""
    ) -> Principal:
        """The signed-in user of a form post: the form's CSRF token checked first (a forged
        post learns nothing, not even the role it lacks), then the role the action needs."""
        check_csrf(request, context, principal, csrf)
        require_role(principal, role)
        return principal

    return form_poster


# What a dashboard form post is sent by: `principal: AdminForm` in an action's signature.
MemberForm = Annotated[Principal, Depends(_form_poster(Role.VIEWER))]
AnalystForm = Annotated[Principal, Depends(_form_poster(Role.ANALYST))]
AdminForm = Annotated[Principal, Depends(_form_poster(Role.ADMIN))]


def flash(request: Request, response: Response, message: str, kind: str = "ok") -> None:
    response.set_cookie(
        FLASH_COOKIE, quote(f"{kind}|{message}"), path="/", max_age=60, **cookie_options(request)
    )


def _renew(request: Request, response: Response) -> None:
    renewed = getattr(request.state, "renewed_tokens", None)
    if renewed is not None:
        set_login_cookies(request, response, renewed)


def redirect(request: Request, url: str, message: str | None = None, kind: str = "ok") -> Response:
    response = RedirectResponse(url, status_code=303)
    if message:
        flash(request, response, message, kind)
    _renew(request, response)
    return response


def render(
    request: Request,
    template: str,
    values: Mapping[str, Any],
    *,
    status_code: int = 200,
) -> Response:
    flashed = None
    if FLASH_COOKIE in request.cookies:
        kind, _, message = unquote(request.cookies[FLASH_COOKIE]).partition("|")
        flashed = {"kind": kind, "message": message}
    response = templates.TemplateResponse(
        request, template, {"flash": flashed, **values}, status_code=status_code
    )
    if flashed is not None:
        response.delete_cookie(FLASH_COOKIE, path="/", **cookie_options(request))
    _renew(request, response)
    return response


def login_redirect(next_path: str) -> Response:
    return RedirectResponse(f"/login?next={quote(safe_next(next_path), safe='')}", status_code=303)
