"""A fake OpenAI-compatible chat-completions server on 127.0.0.1.

It speaks the wire format of `POST /v1/chat/completions`: a `chat.completion` document, or
with `"stream": true` Server-Sent Events (`data: {chat.completion.chunk}` lines, then
`data: [DONE]`); errors carry OpenAI's body `{"error": {"message", "type", "param", "code"}}`.
It checks the bearer key when one is set, records every request, and plays queued `Reply`s
(status, content, a stall before answering, raw bodies for malformed answers) before its
default answer, the rewrite in `content`.
"""

import itertools
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Self

import orjson

from tests.fakes.loopback import LoopbackFake, LoopbackHandler, start_loopback_server

COMPLETIONS_PATH = "/v1/chat/completions"
ERROR_TYPES = {
    400: "invalid_request_error",
    401: "invalid_request_error",
    404: "invalid_request_error",
    429: "rate_limit_exceeded",
    500: "server_error",
    503: "server_error",
}


@dataclass
class Reply:
    """One queued answer: an error status, other content, a stall, or a raw body."""

    status: int = 200
    content: str | None = None  # the assistant's text; None: the fake's default content
    stall_seconds: float = 0.0
    raw_body: bytes | None = None  # sent as is (a broken document)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


def error_body(status: int, message: str) -> bytes:
    kind = ERROR_TYPES.get(status, "invalid_request_error")
    code = "invalid_api_key" if status == 401 else None
    return orjson.dumps({"error": {"message": message, "type": kind, "param": None, "code": code}})


class FakeOpenAI(LoopbackFake):
    def __init__(self, *, content: str = "{}", api_key: str | None = "sk-test-key") -> None:
        self.content = content
        self.api_key = api_key
        self.requests: list[Recorded] = []
        self.replies: deque[Reply] = deque()
        self.lock = threading.Lock()
        self._numbers = itertools.count(1)

    @property
    def url(self) -> str:
        """The base URL a client is configured with (as https://api.openai.com/v1)."""
        assert self._server is not None, "start the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def start(self) -> Self:
        fake = self

        class Handler(LoopbackHandler):
            def do_POST(self) -> None:
                fake.handle(self)

        self._server = start_loopback_server(Handler, poll_interval=0.05)
        return self

    def queue(self, *replies: Reply) -> None:
        with self.lock:
            self.replies.extend(replies)

    def handle(self, handler: LoopbackHandler) -> None:
        raw = handler.read_body()
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError:
            body = {}
        with self.lock:
            headers = {name.lower(): value for name, value in handler.headers.items()}
            self.requests.append(Recorded(handler.path, headers, body))
            reply = self.replies.popleft() if self.replies else Reply()
        json_headers = {"content-type": "application/json", **reply.headers}
        if handler.path != COMPLETIONS_PATH:
            handler.send_answer(404, json_headers, error_body(404, "Unknown path."))
            return
        key = self.api_key
        if key is not None and handler.headers.get("authorization") != f"Bearer {key}":
            # As OpenAI does, the refusal quotes the key it was given (OpenAI masks its middle).
            given = handler.headers.get("authorization", "").removeprefix("Bearer ")
            said = f"Incorrect API key provided: {given}."
            handler.send_answer(401, json_headers, error_body(401, said))
            return
        if reply.raw_body is not None:
            handler.send_answer(reply.status, json_headers, reply.raw_body, reply.stall_seconds)
            return
        if reply.status != 200:
            message = "Rate limit reached." if reply.status == 429 else "The server had an error."
            answer = error_body(reply.status, message)
            handler.send_answer(reply.status, json_headers, answer, reply.stall_seconds)
            return
        content = self.content if reply.content is None else reply.content
        model = str(body.get("model", "fake-model"))
        number = next(self._numbers)
        if body.get("stream"):
            events = self._stream(number, model, content)
            headers = {"content-type": "text/event-stream", **reply.headers}
            handler.send_answer(200, headers, events, reply.stall_seconds)
            return
        completion = {
            "id": f"chatcmpl-{number}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                    "logprobs": None,
                }
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
        }
        handler.send_answer(200, json_headers, orjson.dumps(completion), reply.stall_seconds)

    @staticmethod
    def _stream(number: int, model: str, content: str) -> bytes:
        """The answer in chunks of 16 characters, as the real API streams tokens."""
        created = int(time.time())
        pieces = [content[start : start + 16] for start in range(0, len(content), 16)]
        deltas: list[dict[str, Any]] = [{"role": "assistant", "content": ""}]
        deltas += [{"content": piece} for piece in pieces]
        lines = []
        for index, delta in enumerate([*deltas, {}]):
            last = index == len(deltas)
            chunk = {
                "id": f"chatcmpl-{number}",
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": [
                    {"index": 0, "delta": delta, "finish_reason": "stop" if last else None}
                ],
            }
            lines.append(b"data: " + orjson.dumps(chunk) + b"\n\n")
        lines.append(b"data: [DONE]\n\n")
        return b"".join(lines)
