"""The fake SQS against boto3 itself (the JSON protocol), and the SQS client on top of it."""

import hashlib
import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from shelfwise.integrations.errors import RetryableError, VendorRejectedError
from shelfwise.integrations.sqs.client import SqsQueue
from tests.fakes.sqs.server import FakeSqs, Fault


@pytest.fixture
def sqs() -> Iterator[FakeSqs]:
    with FakeSqs() as server:
        yield server


def boto_client(sqs: FakeSqs, **overrides: Any) -> Any:
    arguments = {
        "endpoint_url": sqs.url,
        "region_name": sqs.region,
        "aws_access_key_id": sqs.access_key_id,
        "aws_secret_access_key": sqs.secret_access_key,
    } | overrides
    return boto3.session.Session().client("sqs", **arguments)


def queue_client(sqs: FakeSqs, queue_url: str) -> SqsQueue:
    return SqsQueue(
        queue_url,
        region=sqs.region,
        endpoint_url=sqs.url,
        access_key_id=sqs.access_key_id,
        secret_access_key=sqs.secret_access_key,
        read_timeout_seconds=5,
    )


def test_send_receive_and_delete_through_boto3(sqs: FakeSqs) -> None:
    url = sqs.create_queue("notifications")
    client = boto_client(sqs)
    sent = client.send_message(QueueUrl=url, MessageBody='{"hello": 1}')
    assert sent["MD5OfMessageBody"] == hashlib.md5(b'{"hello": 1}').hexdigest()  # noqa: S324
    answer = client.receive_message(
        QueueUrl=url,
        MaxNumberOfMessages=10,
        WaitTimeSeconds=0,
        MessageSystemAttributeNames=["ApproximateReceiveCount"],
    )
    (message,) = answer["Messages"]
    assert message["MessageId"] == sent["MessageId"]
    assert message["Body"] == '{"hello": 1}'
    assert message["MD5OfBody"] == sent["MD5OfMessageBody"]
    assert message["Attributes"] == {"ApproximateReceiveCount": "1"}
    deleted = client.delete_message_batch(
        QueueUrl=url, Entries=[{"Id": "0", "ReceiptHandle": message["ReceiptHandle"]}]
    )
    assert deleted["Successful"] == [{"Id": "0"}] and deleted["Failed"] == []
    assert sqs.messages(url) == []
    assert sqs.calls == {"SendMessage": 1, "ReceiveMessage": 1, "DeleteMessageBatch": 1}


def test_an_undeleted_message_comes_back_after_its_visibility_timeout(sqs: FakeSqs) -> None:
    url = sqs.create_queue("notifications")
    queue = queue_client(sqs, url)
    sqs.send(url, "one")
    (first,) = queue.receive(10, 0, 30)
    assert first.receive_count == 1
    assert queue.receive(10, 0, 30) == []  # in flight: hidden
    sqs.advance(29)
    assert queue.receive(10, 0, 30) == []
    sqs.advance(2)
    (again,) = queue.receive(10, 0, 30)
    assert (again.message_id, again.receive_count) == (first.message_id, 2)
    assert again.receipt_handle != first.receipt_handle
    # The first delivery's handle no longer deletes it ("succeeds" without deleting, as SQS).
    outcome = queue.delete([first])
    assert outcome.deleted == [first.message_id] and len(sqs.messages(url)) == 1
    assert queue.delete([again]).deleted == [again.message_id]
    assert sqs.messages(url) == []


def test_change_visibility_releases_a_message_at_once(sqs: FakeSqs) -> None:
    url = sqs.create_queue("notifications")
    queue = queue_client(sqs, url)
    sqs.send(url, "one")
    (message,) = queue.receive(1, 0, 600)
    queue.change_visibility(message, 0)
    (again,) = queue.receive(1, 0, 600)
    assert again.receive_count == 2
    with pytest.raises(VendorRejectedError) as refused:
        queue.change_visibility(message, 0)  # the older handle: not in flight under it
    assert refused.value.vendor_reason == "AWS.SimpleQueueService.MessageNotInflight"


def test_a_long_poll_answers_as_soon_as_a_message_arrives(sqs: FakeSqs) -> None:
    url = sqs.create_queue("notifications")
    queue = queue_client(sqs, url)
    threading.Timer(0.3, lambda: sqs.send(url, "late")).start()
    started = time.monotonic()
    (message,) = queue.receive(10, 3, 30)
    waited = time.monotonic() - started
    assert message.body == "late"
    assert 0.25 < waited < 2.0
    started = time.monotonic()
    assert queue.receive(10, 1, 30) == []  # nothing: the poll waits its full second
    assert time.monotonic() - started >= 0.95


def test_receive_takes_at_most_max_messages_and_attributes_count_them(sqs: FakeSqs) -> None:
    url = sqs.create_queue("notifications", visibility_timeout=45)
    for number in range(13):
        sqs.send(url, f"message {number}")
    queue = queue_client(sqs, url)
    assert len(queue.receive(10, 0, 30)) == 10
    attributes = boto_client(sqs).get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
    assert attributes["Attributes"]["ApproximateNumberOfMessages"] == "3"
    assert attributes["Attributes"]["ApproximateNumberOfMessagesNotVisible"] == "10"
    assert attributes["Attributes"]["VisibilityTimeout"] == "45"
    with pytest.raises(ClientError) as invalid:
        boto_client(sqs).receive_message(QueueUrl=url, MaxNumberOfMessages=11)
    assert invalid.value.response["Error"]["Code"] == "InvalidParameterValue"


@pytest.mark.parametrize(
    ("entries", "code"),
    [
        pytest.param([], "AWS.SimpleQueueService.EmptyBatchRequest", id="empty"),
        pytest.param(
            [{"Id": str(n), "ReceiptHandle": "x"} for n in range(11)],
            "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
            id="eleven",
        ),
        pytest.param(
            [{"Id": "a", "ReceiptHandle": "x"}, {"Id": "a", "ReceiptHandle": "y"}],
            "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
            id="same-ids",
        ),
    ],
)
def test_delete_batch_refuses_what_sqs_refuses(
    sqs: FakeSqs, entries: list[dict[str, str]], code: str
) -> None:
    url = sqs.create_queue("notifications")
    with pytest.raises(ClientError) as refused:
        boto_client(sqs).delete_message_batch(QueueUrl=url, Entries=entries)
    assert refused.value.response["Error"]["Code"] == code


def test_an_invalid_receipt_handle_fails_its_entry_only(sqs: FakeSqs) -> None:
    url = sqs.create_queue("notifications")
    queue = queue_client(sqs, url)
    sqs.send(url, "one")
    (message,) = queue.receive(1, 0, 30)
    forged = type(message)("forged", "not-a-handle", "", 1)
    outcome = queue.delete([message, forged])
    assert outcome.deleted == [message.message_id]
    assert list(outcome.failed) == ["forged"]
    assert outcome.failed["forged"].startswith("ReceiptHandleIsInvalid")


def test_a_500_is_retryable_and_served_once(sqs: FakeSqs) -> None:
    url = sqs.create_queue("notifications")
    queue = queue_client(sqs, url)
    sqs.send(url, "one")
    sqs.inject(Fault(500), operation="ReceiveMessage")
    with pytest.raises(RetryableError) as deferred:
        queue.receive(10, 0, 30)
    assert deferred.value.defer_seconds == 30
    assert "InternalError" in deferred.value.detail
    assert sqs.calls["ReceiveMessage"] == 1  # boto3's own retries are off
    assert len(queue.receive(10, 0, 30)) == 1


def test_connection_refused_is_retryable_and_the_messages_wait(sqs: FakeSqs) -> None:
    url = sqs.create_queue("notifications")
    queue = queue_client(sqs, url)
    sqs.send(url, "one")
    queue.receive(1, 0, 0)  # a pooled keep-alive connection exists now
    sqs.refuse_connections()
    with pytest.raises(RetryableError) as deferred:
        queue.receive(10, 0, 30)
    assert "Could not connect" in deferred.value.detail
    sqs.accept_connections()
    (message,) = queue.receive(10, 0, 30)
    assert (message.body, message.receive_count) == ("one", 2)


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        pytest.param({"aws_access_key_id": "AKIAWRONG"}, "InvalidClientTokenId", id="wrong-key"),
        pytest.param({"region_name": "eu-west-1"}, "SignatureDoesNotMatch", id="wrong-region"),
    ],
)
def test_requests_must_be_signed_for_the_fake(
    sqs: FakeSqs, overrides: dict[str, str], code: str
) -> None:
    url = sqs.create_queue("notifications")
    with pytest.raises(ClientError) as refused:
        boto_client(sqs, **overrides).receive_message(QueueUrl=url)
    assert refused.value.response["Error"]["Code"] == code


def test_an_unknown_queue_is_a_terminal_error(sqs: FakeSqs) -> None:
    queue = queue_client(sqs, f"{sqs.url}/000000000000/missing")
    with pytest.raises(VendorRejectedError) as refused:
        queue.receive(10, 0, 30)
    assert refused.value.vendor_status == 400
    assert refused.value.vendor_reason == "AWS.SimpleQueueService.NonExistentQueue"
