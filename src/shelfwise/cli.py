"""The `shelfwise` command line."""

import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from shelfwise.accounts.models import Role
from shelfwise.accounts.repository import AccountsRepository
from shelfwise.platform.context import AppContext
from shelfwise.platform.db import Database
from shelfwise.platform.errors import ShelfwiseError
from shelfwise.platform.logging import configure_logging
from shelfwise.platform.migrate import migrate as run_migrations
from shelfwise.platform.settings import Settings, get_settings
from shelfwise.platform.vault import generate_key, key_file_path, read_key_file, write_key_file

if TYPE_CHECKING:
    from shelfwise.jobs.system import JobSystem

app = typer.Typer(
    help="Shelfwise: operations platform for marketplace sellers.", no_args_is_help=True
)
user_app = typer.Typer(help="Manage user accounts.", no_args_is_help=True)
org_app = typer.Typer(help="Manage organizations and their members.", no_args_is_help=True)
vault_app = typer.Typer(help="Manage the credential vault's keys.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(org_app, name="org")
app.add_typer(vault_app, name="vault")


def _context(settings: Settings) -> AppContext:
    configure_logging(settings.log_level, json=settings.log_json)
    if settings.is_sqlite:
        run_migrations(settings)  # the embedded database keeps itself current
    return AppContext.build(settings, Database(settings))


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=1)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default SHELFWISE_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default SHELFWISE_PORT)")] = None,
) -> None:
    """Run the server: API, dashboard and background work, on the embedded default."""
    import uvicorn

    from shelfwise.app import create_app
    from shelfwise.demo.service import ensure_demo

    settings = get_settings()
    context = _context(settings)
    if settings.demo:
        login = ensure_demo(context)
        if login is not None:
            typer.echo(
                f"Demo login: {login.email} / {login.password}  "
                f"(organization {login.organization_id})"
            )
    bind_host, bind_port = host or settings.host, port or settings.port
    typer.echo(
        f"Shelfwise is starting on http://{bind_host}:{bind_port}  "
        f"(data in {settings.data_dir.resolve()})"
    )
    uvicorn.run(
        create_app(settings, context),
        host=bind_host,
        port=bind_port,
        log_config=None,
        access_log=False,
    )


def _run_until_signalled(system: "JobSystem", what: str) -> None:
    import signal
    import threading

    stop = threading.Event()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signal_number, lambda *_: stop.set())
    system.start()
    typer.echo(f"{what} running; Ctrl-C to stop")
    stop.wait()
    system.stop()


@app.command()
def worker() -> None:
    """Run job workers (and a relay) against SHELFWISE_BROKER_URL; start as many as you like."""
    from shelfwise.jobs.system import JobSystem

    settings = get_settings()
    if settings.broker_url is None:
        _fail("set SHELFWISE_BROKER_URL (redis://… or amqp://…); embedded jobs run inside `serve`")
    context = _context(settings)
    _run_until_signalled(JobSystem(context.database, settings, run_workers=True), "worker")


@app.command()
def scheduler() -> None:
    """Fire periodic jobs (each tick once, however many schedulers run)."""
    from shelfwise.jobs.system import JobSystem

    settings = get_settings()
    context = _context(settings)
    system = JobSystem(context.database, settings, run_workers=False, run_scheduler=True)
    _run_until_signalled(system, "scheduler")


@app.command()
def migrate() -> None:
    """Bring the database schema up to date (and grant the application role on PostgreSQL)."""
    settings = get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    run_migrations(settings)
    typer.echo("database is up to date")


@app.command()
def demo() -> None:
    """Create the demo organization with its catalog (does nothing if it exists)."""
    from shelfwise.demo.service import ensure_demo

    login = ensure_demo(_context(get_settings()), force=True)
    assert login is not None
    typer.echo(f"Demo login: {login.email} / {login.password}")
    typer.echo(str(login.organization_id))


@app.command("parse-page")
def parse_page(
    file: Annotated[Path, typer.Argument(help="A saved Amazon page (HTML)")],
    url: Annotated[
        str | None, typer.Option(help="The page's URL: its marketplace when the page names none")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Parse an Amazon product detail page: page type, ASIN, title, price, rating, ranks."""
    import json

    from shelfwise.integrations.amazon_pages import parse_page as parse

    try:
        document = file.read_bytes()
    except OSError as error:
        _fail(f"cannot read {file}: {error.strerror}")
        return
    result = parse(document, url=url).to_json()
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    for key, value in result.items():
        typer.echo(f"{key}: {json.dumps(value, ensure_ascii=False)}")


@app.command()
def fetch(
    asins: Annotated[list[str], typer.Argument(help="ASINs (comma or space separated)")],
    marketplace: Annotated[str, typer.Option(help="The storefront's domain")] = "amazon.com",
    org: Annotated[
        uuid.UUID | None,
        typer.Option(help="Organization (default: the only one, else the demo's)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Fetch Amazon items by ASIN through the ASIN bridge (cache, then the best source)."""
    import orjson

    from shelfwise.bridge.service import fetch_now

    context = _context(get_settings())
    try:
        answer = fetch_now(context, org, marketplace, " ".join(asins))
    except ShelfwiseError as error:
        _fail(error.detail)
        return
    finally:
        context.database.dispose()
    if as_json:
        typer.echo(
            orjson.dumps(
                {
                    "marketplace": answer.marketplace,
                    "demo": answer.is_demo,
                    "items": [orjson.loads(entry) for entry in answer.entries],
                }
            ).decode()
        )
        return
    for entry in answer.entries:
        item = orjson.loads(entry)
        if "error" in item:
            typer.echo(f"{item['asin']}  error {item['error']['code']}: {item['error']['message']}")
            continue
        demo = "  [demo]" if item["demo"] else ""
        typer.echo(
            f"{item['asin']}  {item['price'] or '-'} {item['currency'] or ''}  "
            f"deal {item['deal_score'] if item['deal_score'] is not None else '-'}  "
            f"{item['title']}{demo}"
        )


@user_app.command("create")
def user_create(
    email: str,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input")
    ] = False,
) -> None:
    """Create a user account."""
    password = (
        sys.stdin.readline().rstrip("\r\n")
        if password_stdin
        else typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    )
    context = _context(get_settings())
    try:
        with context.database.unit_of_work() as session:
            user = context.accounts.create_user(session, email, password)
            user_id = user.id
    except ShelfwiseError as error:
        _fail(error.detail)
    typer.echo(str(user_id))


@org_app.command("create")
def org_create(
    name: str, owner: Annotated[str, typer.Option(help="E-mail of the owning user")]
) -> None:
    """Create an organization owned by an existing user; prints its id last."""
    context = _context(get_settings())
    with context.database.unit_of_work() as session:
        user = AccountsRepository(session).user_by_email(owner)
        if user is None:
            _fail(f"no user with e-mail {owner}")
            return
        organization = context.accounts.create_organization(session, name, user)
        organization_id = organization.id
    typer.echo(f"created organization {name!r} owned by {owner}")
    typer.echo(str(organization_id))


@org_app.command("add-member")
def org_add_member(
    organization_id: uuid.UUID,
    email: str,
    role: Annotated[Role, typer.Option(help="owner, admin, analyst or viewer")] = Role.VIEWER,
) -> None:
    """Add an existing user to an organization with a role."""
    context = _context(get_settings())
    try:
        with context.database.unit_of_work() as session:
            if AccountsRepository(session).organization(organization_id) is None:
                _fail(f"no organization {organization_id}")
            context.accounts.add_member(session, organization_id, email, role)
    except ShelfwiseError as error:
        _fail(error.detail)
    typer.echo(f"{email} is now {role.value} of {organization_id}")


@vault_app.command("rotate-key")
def vault_rotate_key(
    generate: Annotated[bool, typer.Option(help="Add a new key to the key file first")] = True,
) -> None:
    """Rewrap every organization's data key under the current key-encryption key.

    With a key file (the default), a new key is added in front of the old ones, which stay so
    that an interrupted rotation can simply be run again. With SHELFWISE_VAULT_KEYS, put the new
    key first yourself and run with --no-generate.
    """
    settings = get_settings()
    if generate:
        if settings.vault_keys is not None:
            _fail(
                "keys come from SHELFWISE_VAULT_KEYS: put the new key first and use --no-generate"
            )
        path: Path = key_file_path(settings)
        existing = read_key_file(path) if path.exists() else []
        write_key_file(path, [generate_key(), *existing])
    context = _context(settings)
    report = context.vault.rotate(context.database)
    typer.echo(
        f"rewrapped {report.rewrapped} of {report.organizations} organization keys and "
        f"{report.user_secrets_rewrapped} two-factor secrets "
        f"under key {context.key_ring.current_id}"
    )


@vault_app.command("prune-keys")
def vault_prune_keys() -> None:
    """Drop key-encryption keys that no longer wrap anything (run after a completed rotation)."""
    settings = get_settings()
    context = _context(settings)
    if settings.vault_keys is not None:
        _fail("keys come from SHELFWISE_VAULT_KEYS: remove old keys there yourself")
    if context.vault.keys_in_use(context.database) - {context.key_ring.current_id}:
        _fail(
            "some rows are still wrapped by an older key: "
            "run `shelfwise vault rotate-key --no-generate` first"
        )
    path = key_file_path(settings)
    write_key_file(path, [context.key_ring.current])
    typer.echo("kept only the current key")


if __name__ == "__main__":
    app()
