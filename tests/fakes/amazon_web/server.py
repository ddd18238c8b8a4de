"""A fake amazon.* web server on 127.0.0.1 serving the real saved pages of ../shared/data.

    with FakeAmazonWeb() as fake:
        fake.script("/dp/B0057OC5O8", [answers.captcha(), answers.unavailable()])
        httpx.get(f"{fake.url}/dp/B0057OC5O8")   # CAPTCHA, then 503, then the saved page

`/dp/<ASIN>` serves the saved page of that ASIN (newest capture), any other path a 404;
`/robots.txt` serves `robots` (an `Answer`). Scripted answers for a path are used first, in
order. Every request is recorded with its arrival time and user agent.
"""

import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Self

from tests.fakes.amazon_web import answers
from tests.fakes.amazon_web.answers import Answer
from tests.fakes.loopback import LoopbackFake, LoopbackHandler, start_loopback_server

DEFAULT_ROBOTS = "User-agent: *\nDisallow: /gp/cart\nDisallow: /ap/\nAllow: /dp/\n"


@dataclass(frozen=True)
class Recorded:
    path: str
    user_agent: str
    at: float  # time.monotonic() when the handler saw it


class FakeAmazonWeb(LoopbackFake):
    def __init__(self) -> None:
        self.robots: Answer = answers.robots(DEFAULT_ROBOTS)
        self.requests: list[Recorded] = []
        self._scripts: dict[str, deque[Answer]] = {}
        self._lock = threading.Lock()
        self._files = answers.product_files()

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the fake first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def script(self, path: str, scripted: Iterable[Answer]) -> None:
        with self._lock:
            self._scripts.setdefault(path, deque()).extend(scripted)

    def paths(self) -> list[str]:
        with self._lock:
            return [each.path for each in self.requests]

    def answer(self, path: str, user_agent: str) -> Answer:
        with self._lock:
            self.requests.append(Recorded(path, user_agent, time.monotonic()))
            queued = self._scripts.get(path)
            if queued:
                return queued.popleft()
        if path == "/robots.txt":
            return self.robots
        if path.startswith("/dp/") and path[4:] in self._files:
            return answers.page(self._files[path[4:]])
        return answers.not_found()

    def start(self) -> Self:
        fake = self

        class Handler(LoopbackHandler):
            def do_GET(self) -> None:
                answer = fake.answer(self.path, self.headers.get("user-agent", ""))
                if answer.reset:
                    # SO_LINGER 0: close() sends a TCP reset instead of an orderly FIN.
                    linger = struct.pack("ii", 1, 0)
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
                    self.close_connection = True
                    return
                self.send_answer(answer.status, answer.headers, answer.body, answer.stall_seconds)

        self._server = start_loopback_server(Handler, poll_interval=0.05)
        return self
