"""The chat client against the fake OpenAI-compatible server, through the orchestrator."""

from pathlib import Path

import orjson
import pytest
from openai.types.chat import ChatCompletionMessageParam

from shelfwise.integrations.llm.client import ChatClient, parse_json_answer
from shelfwise.integrations.llm.errors import (
    MalformedOutputError,
    ModelCredentialError,
    ModelUnavailableError,
)
from shelfwise.integrations.llm.schemas import RewrittenContent
from tests.fakes.openai.server import FakeOpenAI, Reply
from tests.integrations.llm.conftest import connect, llm_settings

REWRITE = {"title": "Acme Kettle 1.7 L", "bullets": ["Boils fast"], "description": "A kettle."}
MESSAGES: list[ChatCompletionMessageParam] = [
    {"role": "system", "content": "Answer JSON."},
    {"role": "user", "content": "<product_data>{}</product_data>"},
]


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
def test_completion_is_parsed_and_validated(
    fake: FakeOpenAI, chat: ChatClient, stream: bool
) -> None:
    fake.content = orjson.dumps(REWRITE).decode()

    answer = chat.structured(MESSAGES, RewrittenContent, stream=stream, max_tokens=300)

    assert answer == RewrittenContent.model_validate(REWRITE)
    [request] = fake.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer sk-test-key"
    assert request.body["model"] == "llama-3.1-8b-instant"
    assert request.body["messages"] == MESSAGES
    assert request.body["response_format"] == {"type": "json_object"}
    assert request.body["temperature"] == 0
    assert request.body["max_tokens"] == 300
    assert request.body.get("stream", False) is stream


def test_a_long_streamed_answer_arrives_whole(fake: FakeOpenAI, chat: ChatClient) -> None:
    long = {"title": "T", "bullets": [f"Point {n} " + "word " * 40 for n in range(5)]}
    fake.content = orjson.dumps(long).decode()

    answer = chat.structured(MESSAGES, RewrittenContent, stream=True, max_tokens=2000)

    assert answer.bullets == [bullet.strip() for bullet in long["bullets"]]


def test_429_then_success_is_retried_by_the_orchestrator(
    fake: FakeOpenAI, chat: ChatClient
) -> None:
    fake.content = orjson.dumps(REWRITE).decode()
    fake.queue(Reply(status=429, headers={"retry-after": "0"}))

    answer = chat.structured(MESSAGES, RewrittenContent, stream=False, max_tokens=100)

    assert answer.title == "Acme Kettle 1.7 L"
    assert len(fake.requests) == 2


def test_500_every_time_is_unavailable_after_the_tries(fake: FakeOpenAI, chat: ChatClient) -> None:
    fake.queue(Reply(status=500), Reply(status=500), Reply(status=500))

    with pytest.raises(ModelUnavailableError, match="failed after 3 tries"):
        chat.complete(MESSAGES, stream=False, max_tokens=100)
    assert len(fake.requests) == 3


def test_a_stalled_server_times_out(fake: FakeOpenAI, tmp_path: Path) -> None:
    client = connect(fake, llm_settings(tmp_path, llm_timeout=0.2, vendor_max_attempts=2))
    fake.queue(Reply(stall_seconds=1.0), Reply(stall_seconds=1.0))

    with pytest.raises(ModelUnavailableError):
        client.complete(MESSAGES, stream=True, max_tokens=100)
    client.close()
    assert len(fake.requests) == 2


def test_a_wrong_key_is_a_credential_error(fake: FakeOpenAI, tmp_path: Path) -> None:
    client = connect(fake, llm_settings(tmp_path), api_key="sk-wrong")

    with pytest.raises(
        ModelCredentialError, match="401: invalid_api_key: Incorrect API key"
    ) as refused:
        client.complete(MESSAGES, stream=False, max_tokens=100)
    client.close()
    assert len(fake.requests) == 1  # a refusal is not retried
    assert "sk-wrong" not in str(refused.value)  # the provider quoted it; we do not (D1)
    assert "provided: ••••)" in str(refused.value)


def test_a_local_server_needs_no_key(tmp_path: Path) -> None:
    with FakeOpenAI(api_key=None, content='{"title": "Local"}') as local:
        client = connect(local, llm_settings(tmp_path), api_key=None)
        answer = client.structured(MESSAGES, RewrittenContent, stream=False, max_tokens=50)
        client.close()
    assert answer.title == "Local"


def test_a_private_base_url_is_refused_unless_allowed(fake: FakeOpenAI, tmp_path: Path) -> None:
    client = connect(fake, llm_settings(tmp_path, llm_allow_private_hosts=False))

    with pytest.raises(ModelCredentialError, match="inside a private network"):
        client.complete(MESSAGES, stream=False, max_tokens=50)
    client.close()
    assert fake.requests == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Sure! Here is your listing: Acme Kettle", "not JSON"),
        ('{"title": "Acme", "bullets": "one string"}', "bullets: Input should be a valid list"),
        ('{"bullets": []}', "title: Field required"),
        ('["a", "b"]', "answer: Input should be a valid dictionary"),
        ('{"title": "Acme"', "not JSON"),
    ],
    ids=["prose", "wrong-type", "missing-title", "array", "truncated"],
)
def test_malformed_output_is_a_clear_error(
    fake: FakeOpenAI, chat: ChatClient, content: str, message: str
) -> None:
    fake.content = content

    with pytest.raises(MalformedOutputError, match=message):
        chat.structured(MESSAGES, RewrittenContent, stream=True, max_tokens=100)


def test_a_cut_completion_document_is_tried_again(fake: FakeOpenAI, chat: ChatClient) -> None:
    fake.content = '{"title": "Acme"}'
    fake.queue(Reply(raw_body=b'{"id": "chatcmpl-1", "choices": ['))

    answer = chat.complete(MESSAGES, stream=False, max_tokens=100)

    assert answer == '{"title": "Acme"}'
    assert len(fake.requests) == 2


def test_cut_documents_every_time_are_unavailable(fake: FakeOpenAI, chat: ChatClient) -> None:
    fake.queue(*[Reply(raw_body=b'{"id": "chatcmpl-1", "choices": [') for _ in range(3)])

    with pytest.raises(ModelUnavailableError, match="failed after 3 tries"):
        chat.complete(MESSAGES, stream=False, max_tokens=100)


def test_json_in_a_markdown_fence_is_accepted() -> None:
    answer = parse_json_answer('```json\n{"title": "Acme"}\n```', RewrittenContent)

    assert answer == RewrittenContent(title="Acme")


SSE = {"content-type": "text/event-stream"}


def test_an_error_event_inside_the_stream_is_unavailable(
    fake: FakeOpenAI, chat: ChatClient
) -> None:
    chunk = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "m"}
    event = {"error": {"message": "The server overloaded.", "type": "server_error"}}
    body = b"data: " + orjson.dumps({**chunk, "choices": [{"index": 0, "delta": {"content": "{"}}]})
    body += b"\n\ndata: " + orjson.dumps(event) + b"\n\n"
    fake.queue(Reply(raw_body=body, headers=SSE))

    with pytest.raises(ModelUnavailableError, match="The model failed: The server overloaded"):
        chat.complete(MESSAGES, stream=True, max_tokens=100)


def test_a_broken_chunk_in_the_stream_is_malformed_output(
    fake: FakeOpenAI, chat: ChatClient
) -> None:
    fake.queue(Reply(raw_body=b'data: {"id": "c", "choices": [\n\n', headers=SSE))

    with pytest.raises(MalformedOutputError, match="stream is broken"):
        chat.complete(MESSAGES, stream=True, max_tokens=100)
