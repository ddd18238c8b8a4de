"""The fake's queues: messages with visibility timeouts, receipt handles and receive counts.

Time is the fake's own clock (`now`), which a test moves with `advance` to let a visibility
timeout run out without waiting; long polls wait in real time for a message to show.
"""

import hashlib
import threading
import time
import uuid
from dataclasses import dataclass, field


class QueueError(Exception):
    """An SQS error answer: its `__type` shape name, query-compatible code, HTTP status."""

    def __init__(self, shape: str, message: str, query_code: str | None = None) -> None:
        super().__init__(message)
        self.shape = shape
        self.message = message
        self.query_code = query_code or shape


@dataclass
class Message:
    message_id: str
    body: str
    sent_at: float
    visible_at: float
    receive_count: int = 0
    receipt_handle: str | None = None  # the latest one: only it deletes the message
    first_received_at: float | None = None

    @property
    def md5_of_body(self) -> str:
        return hashlib.md5(self.body.encode(), usedforsecurity=False).hexdigest()


@dataclass
class FakeQueue:
    name: str
    url: str
    visibility_timeout: int = 30
    messages: dict[str, Message] = field(default_factory=dict)  # by id, in sending order
    handles: dict[str, str] = field(default_factory=dict)  # every handle issued -> message id


class Queues:
    """All queues of the fake; thread-safe (each HTTP connection has a thread)."""

    def __init__(self) -> None:
        self._queues: dict[str, FakeQueue] = {}
        self._offset = 0.0
        self._changed = threading.Condition()

    def now(self) -> float:
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        with self._changed:
            self._offset += seconds
            self._changed.notify_all()

    def create(self, name: str, url: str, visibility_timeout: int = 30) -> FakeQueue:
        with self._changed:
            queue = FakeQueue(name, url, visibility_timeout)
            self._queues[url] = queue
            return queue

    def get(self, url: object) -> FakeQueue:
        queue = self._queues.get(url) if isinstance(url, str) else None
        if queue is None:
            raise QueueError(
                "QueueDoesNotExist",
                "The specified queue does not exist.",
                "AWS.SimpleQueueService.NonExistentQueue",
            )
        return queue

    def send(self, url: str, body: str, delay_seconds: int = 0) -> Message:
        with self._changed:
            queue = self.get(url)
            now = self.now()
            message = Message(str(uuid.uuid4()), body, now, now + delay_seconds)
            queue.messages[message.message_id] = message
            self._changed.notify_all()
            return message

    def receive(
        self, url: str, max_messages: int, wait_seconds: float, visibility: int | None
    ) -> list[Message]:
        """Up to `max_messages` visible messages, waiting up to `wait_seconds` (real) for one."""
        deadline = time.monotonic() + wait_seconds
        with self._changed:
            queue = self.get(url)
            while True:
                now = self.now()
                visible = [m for m in queue.messages.values() if m.visible_at <= now]
                if visible or time.monotonic() >= deadline:
                    break
                self._changed.wait(min(0.05, max(0.0, deadline - time.monotonic())))
            taken = visible[:max_messages]
            timeout = queue.visibility_timeout if visibility is None else visibility
            for message in taken:
                message.receive_count += 1
                message.visible_at = now + timeout
                message.first_received_at = message.first_received_at or now
                message.receipt_handle = uuid.uuid4().hex + uuid.uuid4().hex
                queue.handles[message.receipt_handle] = message.message_id
            return taken

    def delete(self, url: str, receipt_handle: str) -> None:
        with self._changed:
            queue = self.get(url)
            message_id = queue.handles.get(receipt_handle)
            if message_id is None:
                raise QueueError(
                    "ReceiptHandleIsInvalid",
                    f'The input receipt handle "{receipt_handle}" is not a valid receipt handle.',
                )
            message = queue.messages.get(message_id)
            # As SQS says: an earlier handle of a message received again "succeeds, but the
            # message will not be deleted".
            if message is not None and message.receipt_handle == receipt_handle:
                del queue.messages[message_id]

    def change_visibility(self, url: str, receipt_handle: str, timeout: int) -> None:
        with self._changed:
            queue = self.get(url)
            message_id = queue.handles.get(receipt_handle)
            if message_id is None:
                raise QueueError(
                    "ReceiptHandleIsInvalid",
                    f'The input receipt handle "{receipt_handle}" is not a valid receipt handle.',
                )
            message = queue.messages.get(message_id)
            now = self.now()
            if (
                message is None
                or message.receipt_handle != receipt_handle
                or (message.visible_at <= now)
            ):
                raise QueueError(
                    "MessageNotInflight",
                    "The message referred to is not in flight.",
                    "AWS.SimpleQueueService.MessageNotInflight",
                )
            message.visible_at = now + timeout
            self._changed.notify_all()

    def counts(self, url: str) -> tuple[int, int]:
        """(visible, in flight) messages of the queue."""
        with self._changed:
            queue = self.get(url)
            now = self.now()
            visible = sum(1 for m in queue.messages.values() if m.visible_at <= now)
            return visible, len(queue.messages) - visible
