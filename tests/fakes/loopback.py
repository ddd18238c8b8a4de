"""Pieces shared by the fake vendors: a threaded loopback HTTP server and kernel arrival times.

A request's arrival is the kernel's receive timestamp (Linux SO_TIMESTAMPNS), as a real vendor
stamps requests at its edge: a handler thread that the scheduler wakes late must not make two
well-spaced requests look bunched.
"""

import socket
import struct
import sys
import threading
import time as clock
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from time import time
from types import TracebackType
from typing import Self

SO_TIMESTAMPNS = 35  # Linux; the socket module does not name it
KERNEL_TIMESTAMPS = sys.platform == "linux"


def start_loopback_server(
    handler: type[BaseHTTPRequestHandler], *, poll_interval: float = 0.5
) -> ThreadingHTTPServer:
    """Serve `handler` on 127.0.0.1 (a free port) from daemon threads of this process.

    `shutdown()` waits up to `poll_interval` for the serving loop to notice; a fake started
    once per test wants it short.
    """
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler, bind_and_activate=False)
    if KERNEL_TIMESTAMPS:  # inherited by every accepted connection
        server.socket.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    server.server_bind()
    server.server_activate()
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(poll_interval,), daemon=True).start()
    return server


class LoopbackHandler(BaseHTTPRequestHandler):
    """What every fake's request handler shares: keep-alive, the kernel arrival time, the body
    read, the answer written (after an optional stall), and no request log."""

    protocol_version = "HTTP/1.1"  # keep-alive, like a real API
    disable_nagle_algorithm = True  # headers and body leave at once
    arrival = 0.0

    def handle_one_request(self) -> None:
        self.arrival = arrival_time(self.connection)
        super().handle_one_request()

    def read_body(self) -> bytes:
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length else b""

    def send_answer(
        self, status: int, headers: dict[str, str], body: bytes, stall_seconds: float = 0.0
    ) -> None:
        if stall_seconds:
            clock.sleep(stall_seconds)
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (a timeout test)

    def log_message(self, format: str, *args: object) -> None:
        pass


class LoopbackFake:
    """The lifecycle of a fake vendor: `start()` (the subclass's) sets `_server`; `stop()` and
    the context manager end it."""

    _server: ThreadingHTTPServer | None = None

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def arrival_time(connection: socket.socket) -> float:
    """When the next request's first byte reached this host (wall clock, like time.time())."""
    if KERNEL_TIMESTAMPS:
        try:
            _data, ancillary, _flags, _address = connection.recvmsg(
                1, socket.CMSG_SPACE(16), socket.MSG_PEEK
            )
        except OSError:
            return time()
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(payload) >= 16:
                seconds, nanoseconds = struct.unpack("qq", payload[:16])
                return float(seconds + nanoseconds / 1e9)
    return time()
