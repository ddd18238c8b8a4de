"""Chat completions with an OpenAI-compatible server, JSON answers validated with pydantic.

Errors come out typed: `ModelUnavailableError` (429, 5xx, timeouts: retryable),
`ModelCredentialError` (401/403/404: the key or model is wrong), `MalformedOutputError` (the
answer is not the JSON asked for). Callers fall back to the offline optimizer on any of them.
"""

import re
import uuid
from dataclasses import dataclass
from typing import TypeVar

import httpx
import openai
import orjson
import pydantic
from openai.types.chat import ChatCompletionMessageParam

from shelfwise.integrations.errors import BudgetExceededError, RetryableError, VendorRejectedError
from shelfwise.integrations.http import VendorCaller
from shelfwise.integrations.llm.errors import (
    MalformedOutputError,
    ModelCredentialError,
    ModelUnavailableError,
)
from shelfwise.integrations.llm.schemas import LLMConfig
from shelfwise.integrations.llm.transport import CallOwner, OrchestratedTransport

Model = TypeVar("Model", bound=pydantic.BaseModel)
# Local models often wrap JSON in a Markdown fence even in JSON mode.
_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL)
# Ollama accepts any key and some proxies insist on one: the SDK then sends this placeholder.
# sk-…, sk-proj-…, gsk_… (Groq), and any long token with a key-like prefix.
_KEY_SHAPED = re.compile(r"\b(?:sk|gsk|key|api)[-_][\w*.-]{3,}", re.IGNORECASE)
NO_KEY = "not-needed"


@dataclass(frozen=True)
class LLMConnection:
    """An organization's model provider, read from its `llm` credential."""

    organization_id: uuid.UUID
    credential_id: uuid.UUID
    config: LLMConfig


class ChatClient:
    """One provider's chat completions, every request through the orchestrator."""

    def __init__(
        self,
        connection: LLMConnection,
        caller: VendorCaller,
        *,
        timeout: float,
        allow_private_hosts: bool,
    ) -> None:
        self.connection = connection
        owner = CallOwner(connection.organization_id, connection.credential_id)
        transport = OrchestratedTransport(
            caller, owner, timeout=timeout, allow_private_hosts=allow_private_hosts
        )
        config = connection.config
        api_key = config.api_key.get_secret_value() if config.api_key is not None else NO_KEY
        self._http = httpx.Client(transport=transport, timeout=timeout)
        self._openai = openai.OpenAI(
            api_key=api_key,
            base_url=config.base_url,
            max_retries=0,  # the orchestrator retries
            timeout=timeout,
            http_client=self._http,
        )

    @property
    def model(self) -> str:
        return self.connection.config.model

    def close(self) -> None:
        self._http.close()

    def complete(
        self, messages: list[ChatCompletionMessageParam], *, stream: bool, max_tokens: int
    ) -> str:
        """The assistant's text; streamed (SSE) when `stream`, so a long answer keeps the
        connection busy chunk by chunk instead of idling into the read timeout."""
        try:
            if stream:
                parts: list[str] = []
                chunks = self._openai.chat.completions.create(
                    model=self.model,
                    messages=messages,
                    max_tokens=max_tokens,
                    temperature=0,
                    response_format={"type": "json_object"},
                    stream=True,
                )
                for chunk in chunks:
                    for choice in chunk.choices:
                        if choice.delta.content:
                            parts.append(choice.delta.content)
                return "".join(parts)
            completion = self._openai.chat.completions.create(
                model=self.model,
                messages=messages,
                max_tokens=max_tokens,
                temperature=0,
                response_format={"type": "json_object"},
            )
        except openai.APIConnectionError as error:
            raise _translated(error) from None
        except openai.APIStatusError as error:  # only when the SDK sees a status we let through
            raise _from_status(error.status_code, error.message) from None
        except openai.APIError as error:  # e.g. an `error` event inside the SSE stream
            said = redacted(error.message)
            raise ModelUnavailableError(f"The model failed: {said}", 0.0) from None
        except ValueError as broken:  # a chunk of the stream that is not JSON
            raise MalformedOutputError(f"The model's stream is broken ({broken}).") from None
        if not completion.choices or completion.choices[0].message.content is None:
            raise MalformedOutputError("The model answered with no content.")
        return completion.choices[0].message.content

    def structured(
        self,
        messages: list[ChatCompletionMessageParam],
        schema: type[Model],
        *,
        stream: bool,
        max_tokens: int,
    ) -> Model:
        """The answer parsed as JSON and validated as `schema`."""
        return parse_json_answer(
            self.complete(messages, stream=stream, max_tokens=max_tokens), schema
        )


def parse_json_answer(text: str, schema: type[Model]) -> Model:
    stripped = text.strip()
    fenced = _FENCE.match(stripped)
    if fenced:
        stripped = fenced.group(1)
    try:
        document = orjson.loads(stripped)
    except orjson.JSONDecodeError:
        raise MalformedOutputError(
            f"The model's answer is not JSON (it began {stripped[:60]!r})."
        ) from None
    try:
        return schema.model_validate(document)
    except pydantic.ValidationError as invalid:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in problem['loc']) or 'answer'}: {problem['msg']}"
            for problem in invalid.errors()[:5]
        )
        raise MalformedOutputError(f"The model's JSON is not a rewrite ({problems}).") from None


def redacted(text: str) -> str:
    """`text` without anything shaped like an API key: providers quote the key they refused,
    and these messages are stored with proposals and shown (D1)."""
    return _KEY_SHAPED.sub("••••", text)


def _from_status(status: int, said: str) -> Exception:
    said = redacted(said)
    if status in (401, 403, 404):
        return ModelCredentialError(
            f"The model provider refused the credential or model ({status}: {said[:200]}); fix"
            " the `llm` credential's api_key, base_url or model."
        )
    if status == 429 or status >= 500:
        return ModelUnavailableError(f"The model provider is unavailable ({status}).", 0.0)
    return VendorRejectedError(f"The model provider refused the request ({status}).", status)


def _translated(error: openai.APIConnectionError) -> Exception:
    """What the orchestrator raised inside the SDK, typed for our callers."""
    cause = error.__cause__
    if isinstance(cause, ModelCredentialError | BudgetExceededError | ModelUnavailableError):
        return cause
    if isinstance(cause, VendorRejectedError):
        return _from_status(cause.vendor_status, cause.vendor_reason or cause.detail)
    if isinstance(cause, RetryableError):
        return ModelUnavailableError(cause.detail, cause.defer_seconds or 0.0)
    return ModelUnavailableError(f"The model server could not be reached ({error}).", 0.0)
