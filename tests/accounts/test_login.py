"""Login: password hashing (E1) and throttling without user enumeration (E2)."""

import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from argon2 import PasswordHasher, Type
from fastapi.testclient import TestClient

from shelfwise.accounts import security
from shelfwise.accounts.models import User
from shelfwise.accounts.repository import AccountsRepository
from shelfwise.platform.context import AppContext
from shelfwise.platform.types import utcnow
from tests.accounts.conftest import NewClient, problem
from tests.factories import PASSWORD, create_organization, create_user, unique

INVALID_LOGIN = {
    "type": "about:blank",
    "title": "Unauthorized",
    "status": 401,
    "detail": "Invalid email or password.",
    "instance": "/api/auth/login",
}
THROTTLED = {
    "type": "about:blank",
    "title": "Too many requests",
    "status": 429,
    "detail": "Too many failed logins; try again later.",
    "instance": "/api/auth/login",
}


def argon2_parameters(encoded: str) -> tuple[str, int, dict[str, int]]:
    """('argon2id', 19, {'m': 19456, 't': 2, 'p': 1}) from a PHC string."""
    empty, variant, version, parameters, _salt, _digest = encoded.split("$")
    assert empty == ""
    values = {name: int(value) for name, value in (p.split("=") for p in parameters.split(","))}
    return variant, int(version.removeprefix("v=")), values


def assert_strong(encoded: str) -> None:
    variant, version, values = argon2_parameters(encoded)
    assert (variant, version) == ("argon2id", 19)
    assert values["m"] >= 19456
    assert values["t"] >= 2
    assert values["p"] == 1


def stored_hash(context: AppContext, user_id: uuid.UUID) -> str:
    with context.database.unit_of_work(write=False) as session:
        user = session.get(User, user_id)
        assert user is not None
        return user.password_hash


def new_user(context: AppContext) -> tuple[uuid.UUID, str]:
    """A user who belongs to an organization (login needs no organization, tokens do)."""
    email = f"{unique('login')}@example.com"
    user_id = create_user(context, email)
    create_organization(context, email)
    return user_id, email


def attempt(client: TestClient, email: str, password: str) -> httpx.Response:
    response: httpx.Response = client.post(
        "/api/auth/login", json={"email": email, "password": password}
    )
    return response


def headers_that_matter(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k not in {"x-request-id", "retry-after"}}


def retry_after(context: AppContext, response: httpx.Response) -> int:
    value = int(response.headers["retry-after"])
    assert 1 <= value <= context.settings.login_throttle_window.total_seconds()
    return value


def test_e1_new_hashes_are_argon2id_at_the_owasp_floor(context: AppContext) -> None:
    user_id, _email = new_user(context)
    encoded = stored_hash(context, user_id)
    assert_strong(encoded)
    assert PASSWORD not in encoded


@pytest.mark.parametrize(
    "weak_hasher",
    [
        pytest.param(PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1), id="t1-m8192"),
        pytest.param(
            PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1, type=Type.I),
            id="argon2i",
        ),
    ],
)
def test_e1_weaker_hash_is_upgraded_at_login(
    context: AppContext, client_from_new_ip: NewClient, weak_hasher: PasswordHasher
) -> None:
    user_id, email = new_user(context)
    weak = weak_hasher.hash(PASSWORD)
    with context.database.unit_of_work() as session:
        user = session.get(User, user_id)
        assert user is not None
        user.password_hash = weak
    client = client_from_new_ip()

    assert attempt(client, email, "not the password at all").status_code == 401
    assert stored_hash(context, user_id) == weak  # a failed login changes nothing

    assert attempt(client, email, PASSWORD).status_code == 200
    upgraded = stored_hash(context, user_id)
    assert upgraded != weak
    assert_strong(upgraded)
    assert security.verify_password(upgraded, PASSWORD)
    assert attempt(client, email, PASSWORD).status_code == 200
    assert stored_hash(context, user_id) == upgraded  # a strong hash is left alone


@pytest.mark.parametrize("case", ["unknown-user", "inactive-user"])
def test_e2_unknown_user_and_wrong_password_answer_identically(
    context: AppContext, client_from_new_ip: NewClient, case: str
) -> None:
    user_id, email = new_user(context)
    client = client_from_new_ip()
    wrong_password = attempt(client, email, "not the password at all")
    if case == "unknown-user":
        other = attempt(client, f"{unique('nobody')}@example.com", PASSWORD)
    else:
        with context.database.unit_of_work() as session:
            user = session.get(User, user_id)
            assert user is not None
            user.is_active = False
        other = attempt(client, email, PASSWORD)

    assert wrong_password.status_code == other.status_code == 401
    assert problem(wrong_password) == problem(other) == INVALID_LOGIN
    assert headers_that_matter(wrong_password) == headers_that_matter(other)


def test_e2_account_is_throttled_after_max_failures_even_with_the_right_password(
    context: AppContext, client_from_new_ip: NewClient
) -> None:
    limit = context.settings.login_max_failures_per_account
    _user_id, email = new_user(context)
    unknown = f"{unique('nobody')}@example.com"
    client = client_from_new_ip()
    for _ in range(limit):
        assert attempt(client, email, "not the password at all").status_code == 401
        assert attempt(client, unknown, "not the password at all").status_code == 401

    known = attempt(client, email, PASSWORD)
    from_elsewhere = attempt(client_from_new_ip(), email, PASSWORD)
    unknown_answer = attempt(client, unknown, PASSWORD)

    for response in (known, from_elsewhere, unknown_answer):
        assert response.status_code == 429
        assert problem(response) == THROTTLED
        retry_after(context, response)
    assert headers_that_matter(known) == headers_that_matter(unknown_answer)
    with context.database.unit_of_work(write=False) as session:
        # Throttled attempts are not failures: the count stays at the limit.
        since = utcnow() - context.settings.login_throttle_window
        assert AccountsRepository(session).count_failures(since=since, email=email) == limit


def test_e2_ip_is_throttled_across_different_emails(
    context: AppContext, client_from_new_ip: NewClient
) -> None:
    limit = context.settings.login_max_failures_per_ip
    _user_id, email = new_user(context)
    client = client_from_new_ip()
    for _ in range(limit):
        response = attempt(client, f"{unique('guess')}@example.com", "not the password at all")
        assert response.status_code == 401

    throttled = attempt(client, email, PASSWORD)
    assert throttled.status_code == 429
    assert problem(throttled) == THROTTLED
    retry_after(context, throttled)
    # The account itself is not throttled: the same login from another address works.
    assert attempt(client_from_new_ip(), email, PASSWORD).status_code == 200


def test_e2_successful_login_clears_the_accounts_failures(
    context: AppContext, client_from_new_ip: NewClient
) -> None:
    limit = context.settings.login_max_failures_per_account
    _user_id, email = new_user(context)
    for _ in range(limit - 1):
        assert attempt(client_from_new_ip(), email, "not the password at all").status_code == 401
    assert attempt(client_from_new_ip(), email, PASSWORD).status_code == 200
    with context.database.unit_of_work(write=False) as session:
        since = utcnow() - context.settings.login_throttle_window
        assert AccountsRepository(session).count_failures(since=since, email=email) == 0

    for _ in range(limit - 1):
        assert attempt(client_from_new_ip(), email, "not the password at all").status_code == 401
    # Without the reset this would be failure number 2 * (limit - 1) >= limit: a 429.
    assert attempt(client_from_new_ip(), email, PASSWORD).status_code == 200


def test_e2_email_case_and_spaces_do_not_dodge_the_account_throttle(
    context: AppContext, client_from_new_ip: NewClient
) -> None:
    limit = context.settings.login_max_failures_per_account
    _user_id, email = new_user(context)
    variants = [email.upper(), f"  {email}", email.title(), email]
    for index in range(limit):
        variant = variants[index % len(variants)]
        assert attempt(client_from_new_ip(), variant, "not the password").status_code == 401
    assert attempt(client_from_new_ip(), email, PASSWORD).status_code == 429


def test_e2_parallel_attempts_cannot_outrun_the_account_throttle(
    context: AppContext, client_from_new_ip: NewClient
) -> None:
    limit = context.settings.login_max_failures_per_account
    _user_id, email = new_user(context)
    browsers = [client_from_new_ip() for _ in range(limit + 3)]
    with ThreadPoolExecutor(len(browsers)) as pool:
        answers = list(
            pool.map(lambda b: attempt(b, email, "not the password").status_code, browsers)
        )
    assert sorted(answers) == [401] * limit + [429] * 3


def test_e2_parallel_attempts_cannot_outrun_the_ip_throttle(
    context: AppContext, client_from_new_ip: NewClient
) -> None:
    limit = context.settings.login_max_failures_per_ip
    client = client_from_new_ip()
    emails = [f"{unique('guess')}@example.com" for _ in range(limit + 3)]
    with ThreadPoolExecutor(8) as pool:
        answers = list(
            pool.map(lambda e: attempt(client, e, "not the password").status_code, emails)
        )
    assert sorted(answers) == [401] * limit + [429] * 3
