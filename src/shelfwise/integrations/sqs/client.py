"""A message queue behind a narrow Protocol, and its boto3 implementation for SQS.

boto3's own retries are off (one attempt per call): the job that consumes the queue owns the
retry policy, and an unreachable queue defers it with `RetryableError`. Nothing here deletes a
message by itself; the consumer deletes what it has committed.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from shelfwise.integrations.errors import RetryableError, VendorRejectedError
from shelfwise.platform.settings import Settings

UNREACHABLE_DEFER_SECONDS = 30.0  # the job runs every minute; try again within it
# Error codes that say "later", not "never" (throttling), whatever their HTTP status.
_RETRYABLE_CODES = frozenset({"RequestThrottled", "ThrottlingException", "ServiceUnavailable"})


@dataclass(frozen=True, slots=True)
class Received:
    message_id: str
    receipt_handle: str
    body: str
    receive_count: int  # ApproximateReceiveCount: 1 on the first delivery


@dataclass(frozen=True, slots=True)
class DeleteOutcome:
    deleted: list[str]  # message ids
    failed: dict[str, str]  # message id -> the queue's reason


class MessageQueue(Protocol):
    def receive(
        self, max_messages: int, wait_seconds: int, visibility_seconds: int
    ) -> list[Received]: ...

    def delete(self, messages: Sequence[Received]) -> DeleteOutcome: ...

    def change_visibility(self, message: Received, visibility_seconds: int) -> None: ...

    def close(self) -> None: ...


class SqsQueue:
    """One SQS queue through boto3 (`endpoint_url` points it at ElasticMQ, LocalStack…)."""

    def __init__(
        self,
        queue_url: str,
        *,
        region: str,
        endpoint_url: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        read_timeout_seconds: float = 30.0,
    ) -> None:
        self.queue_url = queue_url
        config = Config(
            connect_timeout=5,
            read_timeout=read_timeout_seconds,
            retries={"total_max_attempts": 1, "mode": "standard"},
        )
        self._client: Any = boto3.session.Session().client(
            "sqs",
            region_name=region,
            endpoint_url=endpoint_url,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            config=config,
        )

    def receive(
        self, max_messages: int, wait_seconds: int, visibility_seconds: int
    ) -> list[Received]:
        answer = self._call(
            "ReceiveMessage",
            self._client.receive_message,
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=max_messages,
            WaitTimeSeconds=wait_seconds,
            VisibilityTimeout=visibility_seconds,
            MessageSystemAttributeNames=["ApproximateReceiveCount"],
        )
        return [
            Received(
                message_id=str(message["MessageId"]),
                receipt_handle=str(message["ReceiptHandle"]),
                body=str(message.get("Body", "")),
                receive_count=int((message.get("Attributes") or {}).get("ApproximateReceiveCount")
                                  or 1),
            )
            for message in answer.get("Messages") or []
        ]  # fmt: skip

    def delete(self, messages: Sequence[Received]) -> DeleteOutcome:
        deleted: list[str] = []
        failed: dict[str, str] = {}
        for start in range(0, len(messages), 10):  # SQS takes ten entries a call
            chunk = messages[start : start + 10]
            by_entry = {str(index): message for index, message in enumerate(chunk)}
            answer = self._call(
                "DeleteMessageBatch",
                self._client.delete_message_batch,
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": entry, "ReceiptHandle": message.receipt_handle}
                    for entry, message in by_entry.items()
                ],
            )
            deleted += [by_entry[row["Id"]].message_id for row in answer.get("Successful") or []]
            for row in answer.get("Failed") or []:
                reason = f"{row.get('Code')}: {row.get('Message', '')}".strip(": ")
                failed[by_entry[row["Id"]].message_id] = reason
        return DeleteOutcome(deleted, failed)

    def change_visibility(self, message: Received, visibility_seconds: int) -> None:
        self._call(
            "ChangeMessageVisibility",
            self._client.change_message_visibility,
            QueueUrl=self.queue_url,
            ReceiptHandle=message.receipt_handle,
            VisibilityTimeout=visibility_seconds,
        )

    def close(self) -> None:
        self._client.close()

    def _call(self, operation: str, method: Any, **parameters: Any) -> dict[str, Any]:
        try:
            answer: dict[str, Any] = method(**parameters)
        except ClientError as error:
            details = error.response.get("Error") or {}
            status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
            code = str(details.get("Code") or "")
            detail = f"SQS {operation}: {code} {details.get('Message') or ''}".strip()
            if status >= 500 or status == 429 or code in _RETRYABLE_CODES:
                raise RetryableError(detail, UNREACHABLE_DEFER_SECONDS) from error
            raise VendorRejectedError(detail, status or 400, vendor_reason=code) from error
        except BotoCoreError as error:  # no connection, a timeout, a cut answer
            raise RetryableError(f"SQS {operation}: {error}", UNREACHABLE_DEFER_SECONDS) from error
        return answer


def queue_from_settings(settings: Settings) -> SqsQueue | None:
    """The configured notifications queue; None when notifications are off."""
    if settings.notifications_queue_url is None:
        return None
    key_id = settings.notifications_access_key_id
    secret = settings.notifications_secret_access_key
    return SqsQueue(
        settings.notifications_queue_url,
        region=settings.notifications_region,
        endpoint_url=settings.notifications_endpoint_url,
        access_key_id=key_id.get_secret_value() if key_id else None,
        secret_access_key=secret.get_secret_value() if secret else None,
        # A long poll answers after up to wait_seconds: the read timeout must outlast it.
        read_timeout_seconds=settings.notifications_wait_seconds + 10.0,
    )
