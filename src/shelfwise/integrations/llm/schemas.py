"""An LLM provider as the vault holds it, and the structured answer a rewrite must be.

The credential (kind `llm`) holds `base_url`, `model` and, except for a local server such as
Ollama that wants none, `api_key`. Any server speaking OpenAI's chat-completions format works:
https://api.openai.com/v1, https://api.groq.com/openai/v1, http://localhost:11434/v1 (Ollama).
"""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, SecretStr, StringConstraints, field_validator

CREDENTIAL_KIND = "llm"
SECRET_FIELDS = ("base_url", "model")  # required; api_key is optional

Text = Annotated[str, StringConstraints(strip_whitespace=True)]


class LLMConfig(BaseModel):
    """Where to send chat completions and as whom."""

    model_config = ConfigDict(extra="forbid")

    base_url: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
    model: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    api_key: SecretStr | None = None

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL, e.g. https://api.openai.com/v1")
        return value.rstrip("/")


class RewrittenContent(BaseModel):
    """What the model must answer (JSON), checked field by field before anything uses it."""

    model_config = ConfigDict(extra="ignore")

    title: Text = Field(min_length=1, max_length=1000)
    bullets: list[Text] = Field(default_factory=list, max_length=20)
    description: Text | None = Field(default=None, max_length=10_000)
