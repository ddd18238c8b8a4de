"""H3: while PostgreSQL is unreachable requests fail with 503 problem details, then recover alone.

The shared server is never stopped: one app points at a port where nothing listens, another
reaches PostgreSQL through a local TCP proxy that the test takes down (dropping every open
connection, as a restart does) and brings back.
"""

import contextlib
import socket
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from shelfwise.app import create_app
from shelfwise.platform.settings import Settings
from tests.factories import Tenant, create_product, unique

UNAVAILABLE = {
    "type": "about:blank",
    "title": "Service unavailable",
    "status": 503,
    "detail": "The database is not reachable; retry shortly.",
}


class TcpProxy:
    """Forwards 127.0.0.1:<port> to `target`; stop() refuses new and cuts open connections."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self._server: socket.socket | None = None
        self._threads: list[threading.Thread] = []
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._running = threading.Event()

    def start(self) -> None:
        server = socket.create_server(("127.0.0.1", self.port))  # SO_REUSEADDR: same port again
        server.settimeout(0.1)  # lets the accept loop notice stop()
        self.port = server.getsockname()[1]
        self._server = server
        self._running.set()
        self._spawn(self._accept, server)

    def stop(self) -> None:
        self._running.clear()
        for thread in self._threads:
            if thread.name == "proxy-accept":
                thread.join(timeout=5)
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for each in sockets:
            self._close(each)
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads = []

    def _spawn(self, target: Any, *args: Any) -> None:
        name = "proxy-accept" if target == self._accept else "proxy-pump"
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept(self, server: socket.socket) -> None:
        with server:
            while self._running.is_set():
                try:
                    downstream, _address = server.accept()
                except TimeoutError:
                    continue
                downstream.settimeout(None)
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
                with self._lock:
                    self._sockets += [downstream, upstream]
                self._spawn(self._pump, downstream, upstream)
                self._spawn(self._pump, upstream, downstream)

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        TcpProxy._close(sink)

    @staticmethod
    def _close(each: socket.socket) -> None:
        with contextlib.suppress(OSError):
            each.shutdown(socket.SHUT_RDWR)
        each.close()


def postgresql_only(settings: Settings) -> None:
    if settings.is_sqlite:
        pytest.skip("H3 drills PostgreSQL; SQLite is a file in the same process")


def settings_on_port(settings: Settings, port: int) -> Settings:
    url = make_url(settings.resolved_database_url).set(host="127.0.0.1", port=port)
    url = url.update_query_dict({"connect_timeout": "5"})  # bounded even if a SYN goes unanswered
    return settings.model_copy(update={"database_url": url.render_as_string(hide_password=False)})


def assert_unavailable(response: Any) -> None:
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "5"
    body = response.json()
    assert {key: body[key] for key in UNAVAILABLE} == UNAVAILABLE
    assert set(body) <= {*UNAVAILABLE, "instance", "request_id"}
    assert "Traceback" not in response.text
    assert "psycopg" not in response.text


@pytest.fixture
def proxy(settings: Settings) -> Iterator[TcpProxy]:
    postgresql_only(settings)
    url = make_url(settings.resolved_database_url)
    value = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    value.start()
    yield value
    value.stop()


@pytest.mark.timeout(60)
def test_h3_unreachable_database_answers_503_without_a_stack_trace(settings: Settings) -> None:
    postgresql_only(settings)
    down = settings_on_port(settings, 1)  # nothing listens on port 1: connection refused
    with TestClient(create_app(down), raise_server_exceptions=False) as client:
        health = client.get("/health")
        assert health.status_code == 503
        assert health.json()["status"] == "degraded"
        assert health.json()["checks"]["database"]["status"] == "error"

        # A correctly signed token: only the session lookup, which needs the database, is left.
        token, _claims = client.app.state.context.accounts.tokens.issue(uuid.uuid4(), uuid.uuid4())  # type: ignore[attr-defined]
        headers = {"Authorization": f"Bearer {token}"}
        assert_unavailable(client.get("/api/products", headers=headers))
        assert_unavailable(
            client.post(
                "/api/products",
                json={"source_platform": "manual", "source_id": "DOWN-1", "title": "Never"},
                headers=headers,
            )
        )


@pytest.mark.timeout(120)
def test_h3_requests_fail_with_503_during_an_outage_and_recover_by_themselves(
    settings: Settings, proxy: TcpProxy, tenant: Tenant
) -> None:
    through_proxy = settings_on_port(settings, proxy.port)
    source_id = unique("OUTAGE")
    body = {"source_platform": "manual", "source_id": source_id, "title": "Written once"}
    with TestClient(create_app(through_proxy), raise_server_exceptions=False) as client:
        before = create_product(client, tenant)  # pools a live connection through the proxy
        assert client.get("/health").status_code == 200

        proxy.stop()  # the database "restarts": open connections die, new ones are refused
        assert client.get("/health").status_code == 503
        assert_unavailable(client.get("/api/products", headers=tenant.headers))
        assert_unavailable(client.post("/api/products", json=body, headers=tenant.headers))

        proxy.start()
        assert client.get("/health").status_code == 200
        created = client.post("/api/products", json=body, headers=tenant.headers)
        assert created.status_code == 201, created.text
        listed = client.get("/api/products", headers=tenant.headers)
        assert listed.status_code == 200
        assert {item["id"] for item in listed.json()["items"]} == {
            before["id"],
            created.json()["id"],
        }

    owner = create_engine(settings.resolved_migration_url, poolclass=NullPool)
    try:
        with owner.connect() as connection:
            rows = connection.execute(
                text("SELECT count(*) FROM products WHERE organization_id = :org"),
                {"org": tenant.organization_id},
            ).scalar_one()
            written = connection.execute(
                text("SELECT count(*) FROM products WHERE source_id = :source_id"),
                {"source_id": source_id},
            ).scalar_one()
    finally:
        owner.dispose()
    assert (rows, written) == (2, 1)
