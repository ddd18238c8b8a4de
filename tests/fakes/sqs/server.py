"""The fake SQS server: the JSON protocol of botocore's SQS client, faults, restarts.

    with FakeSqs() as fake:
        url = fake.create_queue("notifications")
        fake.send(url, body)                       # or boto3's send_message
        client = boto3.client("sqs", endpoint_url=fake.url, region_name=fake.region, ...)

A request is POST / with `X-Amz-Target: AmazonSQS.<Operation>` and an
`application/x-amz-json-1.0` body; answers are JSON, errors `{"__type", "message"}` with the
query-compatible `x-amzn-query-error` header, as SQS sends them. The Authorization header must be
SigV4 for service `sqs` with the fake's access key. Faults: `inject(...)` answers the next
requests with a status (500, 503), and `refuse_connections()` closes the port (and the open
keep-alive connections) until `accept_connections()`.
"""

import contextlib
import json
import socket
import threading
import uuid
from collections import deque
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from typing import Any, Self

from tests.fakes.loopback import LoopbackFake, LoopbackHandler, start_loopback_server
from tests.fakes.sqs.queue import Message, QueueError, Queues

ACCESS_KEY_ID = "AKIAFAKESQS000000001"
SECRET_ACCESS_KEY = "fake-sqs-secret-access-key"
REGION = "us-east-1"
ACCOUNT = "000000000000"
JSON_CONTENT = "application/x-amz-json-1.0"
_ERROR_PREFIX = "com.amazonaws.sqs#"


@dataclass(frozen=True)
class Fault:
    status: int = 500  # answered with SQS's internal-error body


class FakeSqs(LoopbackFake):
    def __init__(self) -> None:
        self.queues = Queues()
        self.region = REGION
        self.access_key_id = ACCESS_KEY_ID
        self.secret_access_key = SECRET_ACCESS_KEY
        self.calls: dict[str, int] = {}
        self._faults: dict[str | None, deque[Fault]] = {}
        self._lock = threading.Lock()
        self._port = 0
        self._connections: set[socket.socket] = set()

    # -- what a test uses -------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    def create_queue(self, name: str, visibility_timeout: int = 30) -> str:
        url = f"{self.url}/{ACCOUNT}/{name}"
        self.queues.create(name, url, visibility_timeout)
        return url

    def send(self, queue_url: str, body: str) -> str:
        return self.queues.send(queue_url, body).message_id

    def advance(self, seconds: float) -> None:
        """Move the fake's clock (visibility timeouts run out) without waiting."""
        self.queues.advance(seconds)

    def messages(self, queue_url: str) -> list[Message]:
        return list(self.queues.get(queue_url).messages.values())

    def inject(self, *faults: Fault, operation: str | None = None) -> None:
        """Answer the next requests (to `operation`, or any) with these faults, in order."""
        with self._lock:
            self._faults.setdefault(operation, deque()).extend(faults)

    def refuse_connections(self) -> None:
        """Close the port and every open connection: clients get "connection refused"."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        with self._lock:
            for connection in list(self._connections):
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
            self._connections.clear()

    def accept_connections(self) -> None:
        """Listen again on the same port (queues and messages kept)."""
        server = ThreadingHTTPServer(("127.0.0.1", self._port), self._handler())
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
        self._server = server

    def start(self) -> Self:
        self._server = start_loopback_server(self._handler(), poll_interval=0.02)
        self._port = int(self._server.server_address[1])
        return self

    # -- answering ----------------------------------------------------------------------------

    def reply(self, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        target = headers.get("x-amz-target", "")
        operation = target.removeprefix("AmazonSQS.")
        with self._lock:
            self.calls[operation] = self.calls.get(operation, 0) + 1
            fault = self._next_fault(operation)
        if fault is not None:
            return _error(fault.status, "InternalError", "We encountered an internal error.")
        try:
            if not target.startswith("AmazonSQS.") or operation not in self._operations():
                raise _Problem(400, "UnknownOperationException", f"Unknown target {target!r}.")
            if not headers.get("content-type", "").startswith(JSON_CONTENT):
                raise _Problem(400, "InvalidParameterValue", f"Use {JSON_CONTENT}.")
            self._authenticate(headers.get("authorization", ""))
            try:
                request = json.loads(body or b"{}")
            except json.JSONDecodeError:
                raise _Problem(400, "SerializationException", "The body is not JSON.") from None
            if not isinstance(request, dict):
                raise _Problem(400, "SerializationException", "The body is not an object.")
            answer = self._operations()[operation](request)
        except _Problem as problem:
            return _error(problem.status, problem.shape, problem.message, problem.query_code)
        except QueueError as error:
            return _error(400, error.shape, error.message, error.query_code)
        return 200, _headers(), json.dumps(answer).encode()

    def _next_fault(self, operation: str) -> Fault | None:
        for key in (operation, None):
            queued = self._faults.get(key)
            if queued:
                return queued.popleft()
        return None

    def _authenticate(self, authorization: str) -> None:
        # SigV4: "AWS4-HMAC-SHA256 Credential=KEY/20260101/us-east-1/sqs/aws4_request, ..."
        prefix = "AWS4-HMAC-SHA256 Credential="
        if not authorization.startswith(prefix):
            raise _Problem(403, "MissingAuthenticationToken", "Request is missing credentials.")
        scope = authorization.removeprefix(prefix).split(",", 1)[0].split("/")
        if len(scope) != 5 or scope[0] != self.access_key_id:
            raise _Problem(
                403,
                "InvalidClientTokenId",
                "The security token included in the request is invalid.",
            )
        if scope[2] != self.region or scope[3] != "sqs":
            raise _Problem(403, "SignatureDoesNotMatch", f"Credential scope {scope[2:4]}.")

    def _operations(self) -> dict[str, Any]:
        return {
            "SendMessage": self._send_message,
            "ReceiveMessage": self._receive_message,
            "DeleteMessageBatch": self._delete_message_batch,
            "ChangeMessageVisibility": self._change_message_visibility,
            "GetQueueAttributes": self._get_queue_attributes,
        }

    def _send_message(self, request: dict[str, Any]) -> dict[str, Any]:
        body = request.get("MessageBody")
        if not isinstance(body, str) or not body:
            raise _Problem(400, "MissingParameter", "MessageBody is required.")
        delay = _integer(request, "DelaySeconds", 0, 0, 900)
        message = self.queues.send(request.get("QueueUrl", ""), body, delay)
        return {"MessageId": message.message_id, "MD5OfMessageBody": message.md5_of_body}

    def _receive_message(self, request: dict[str, Any]) -> dict[str, Any]:
        url = request.get("QueueUrl")
        self.queues.get(url)
        most = _integer(request, "MaxNumberOfMessages", 1, 1, 10)
        wait = _integer(request, "WaitTimeSeconds", 0, 0, 20)
        visibility = request.get("VisibilityTimeout")
        if visibility is not None:
            visibility = _integer(request, "VisibilityTimeout", 0, 0, 43200)
        names = set(request.get("MessageSystemAttributeNames") or [])
        names |= set(request.get("AttributeNames") or [])
        taken = self.queues.receive(str(url), most, wait, visibility)
        if not taken:
            return {}
        return {"Messages": [_message(message, names) for message in taken]}

    def _delete_message_batch(self, request: dict[str, Any]) -> dict[str, Any]:
        url = str(request.get("QueueUrl"))
        self.queues.get(url)
        entries = request.get("Entries") or []
        if not entries:
            raise _Problem(
                400,
                "EmptyBatchRequest",
                "There should be at least one entry in the request.",
                "AWS.SimpleQueueService.EmptyBatchRequest",
            )
        if len(entries) > 10:
            raise _Problem(
                400,
                "TooManyEntriesInBatchRequest",
                f"Maximum number of entries per request are 10. You have sent {len(entries)}.",
                "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
            )
        ids = [entry.get("Id") for entry in entries]
        if len(set(ids)) != len(ids):
            raise _Problem(
                400,
                "BatchEntryIdsNotDistinct",
                "Two or more batch entries in the request have the same Id.",
                "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
            )
        successful, failed = [], []
        for entry in entries:
            try:
                self.queues.delete(url, str(entry.get("ReceiptHandle")))
            except QueueError as error:
                failed.append(
                    {"Id": entry["Id"], "SenderFault": True, "Code": error.query_code,
                     "Message": error.message}
                )  # fmt: skip
            else:
                successful.append({"Id": entry["Id"]})
        return {"Successful": successful, "Failed": failed}

    def _change_message_visibility(self, request: dict[str, Any]) -> dict[str, Any]:
        timeout = _integer(request, "VisibilityTimeout", -1, 0, 43200)
        if timeout < 0:
            raise _Problem(400, "MissingParameter", "VisibilityTimeout is required.")
        handle = str(request.get("ReceiptHandle") or "")
        self.queues.change_visibility(str(request.get("QueueUrl")), handle, timeout)
        return {}

    def _get_queue_attributes(self, request: dict[str, Any]) -> dict[str, Any]:
        url = str(request.get("QueueUrl"))
        queue = self.queues.get(url)
        visible, hidden = self.queues.counts(url)
        attributes = {
            "ApproximateNumberOfMessages": str(visible),
            "ApproximateNumberOfMessagesNotVisible": str(hidden),
            "ApproximateNumberOfMessagesDelayed": "0",
            "VisibilityTimeout": str(queue.visibility_timeout),
            "QueueArn": f"arn:aws:sqs:{self.region}:{ACCOUNT}:{queue.name}",
        }
        wanted = set(request.get("AttributeNames") or [])
        if "All" not in wanted:
            attributes = {name: value for name, value in attributes.items() if name in wanted}
        return {"Attributes": attributes}

    # -- serving ------------------------------------------------------------------------------

    def _handler(self) -> type[LoopbackHandler]:
        fake = self

        class Handler(LoopbackHandler):
            def setup(self) -> None:
                super().setup()
                with fake._lock:
                    fake._connections.add(self.connection)

            def finish(self) -> None:
                with fake._lock:
                    fake._connections.discard(self.connection)
                super().finish()

            def do_POST(self) -> None:
                body = self.read_body()
                headers = {name.lower(): value for name, value in self.headers.items()}
                status, answer_headers, answer = fake.reply(headers, body)
                self.send_answer(status, answer_headers, answer)

        return Handler


class _Problem(Exception):
    def __init__(self, status: int, shape: str, message: str, query_code: str | None = None):
        super().__init__(message)
        self.status = status
        self.shape = shape
        self.message = message
        self.query_code = query_code or shape


def _integer(request: dict[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = request.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _Problem(
            400,
            "InvalidParameterValue",
            f"Value {value!r} for parameter {name} is invalid: it must be {low} to {high}.",
        )
    return value


def _message(message: Message, names: set[str]) -> dict[str, Any]:
    attributes = {
        "ApproximateReceiveCount": str(message.receive_count),
        "SentTimestamp": str(int(message.sent_at * 1000)),
        "ApproximateFirstReceiveTimestamp": str(int((message.first_received_at or 0) * 1000)),
    }
    if "All" not in names:
        attributes = {name: value for name, value in attributes.items() if name in names}
    answer: dict[str, Any] = {
        "MessageId": message.message_id,
        "ReceiptHandle": message.receipt_handle,
        "MD5OfBody": message.md5_of_body,
        "Body": message.body,
    }
    if attributes:
        answer["Attributes"] = attributes
    return answer


def _headers() -> dict[str, str]:
    return {"content-type": JSON_CONTENT, "x-amzn-RequestId": str(uuid.uuid4())}


def _error(
    status: int, shape: str, message: str, query_code: str | None = None
) -> tuple[int, dict[str, str], bytes]:
    fault = "Receiver" if status >= 500 else "Sender"
    headers = _headers() | {"x-amzn-query-error": f"{query_code or shape};{fault}"}
    body = {"__type": f"{_ERROR_PREFIX}{shape}", "message": message}
    return status, headers, json.dumps(body).encode()
