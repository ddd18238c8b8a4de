"""The LLM path of optimization: prompt, answer, checks, and the offline optimizer as fallback.

Product data is untrusted (a scraped title may say "Ignore previous instructions…"): it goes
into the user message only, as JSON inside a `<product_data>` block that it cannot close (its
`<` and `>` are escaped), the system prompt says it is data, and the answer is checked anyway
(validation.py), so an obeyed injection still cannot put promotional text or invented claims
into a proposal.
"""

import enum
from dataclasses import dataclass

import orjson
from openai.types.chat import ChatCompletionMessageParam

from shelfwise.integrations.errors import RetryableError, VendorRejectedError
from shelfwise.integrations.llm.client import ChatClient
from shelfwise.integrations.llm.errors import MalformedOutputError, ModelCredentialError
from shelfwise.integrations.llm.prompts import load_prompt
from shelfwise.integrations.llm.schemas import RewrittenContent
from shelfwise.intelligence.content import ProposedContent, SourceContent
from shelfwise.intelligence.optimizer import optimize
from shelfwise.intelligence.rules import MarketplaceRules
from shelfwise.intelligence.validation import EmptyRewriteError, check_rewrite
from shelfwise.platform.logging import get_logger

PROMPT_VERSION = "rewrite_listing.v1"
OFFLINE = "offline"
LLM = "llm"
logger = get_logger(__name__)


class Scope(enum.StrEnum):
    """Which fields a proposal rewrites; the others keep the listing's current content."""

    ALL = "all"
    TITLE = "title"
    DESCRIPTION = "description"


_SCOPE_RULES = {
    Scope.ALL: "Rewrite the title, the bullets and the description.",
    Scope.TITLE: "Rewrite the title only; answer bullets as [] and description as null.",
    Scope.DESCRIPTION: (
        "Rewrite the description only; answer the title unchanged and bullets as []."
    ),
}


@dataclass(frozen=True)
class Rewrite:
    content: ProposedContent
    source: str  # "llm" or "offline"
    model: str | None
    prompt_version: str | None
    notes: tuple[str, ...]
    fallback_reason: str | None  # why the offline optimizer stood in for a configured model


def _product_block(source: SourceContent) -> str:
    data = {
        "brand": source.brand,
        "title": source.title,
        "bullets": list(source.bullets),
        "description": source.description,
        "attributes": source.attributes,
    }
    text = orjson.dumps(data, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2).decode()
    # Still valid JSON, but no `</product_data>` can appear inside the block.
    return text.replace("<", "\\u003c").replace(">", "\\u003e")


def build_messages(
    source: SourceContent, rules: MarketplaceRules, marketplace: str, scope: Scope
) -> list[ChatCompletionMessageParam]:
    prompt = load_prompt(PROMPT_VERSION)
    system = prompt.system.substitute(
        marketplace=marketplace,
        platform=rules.platform,
        title_max=rules.title_max,
        forbidden_characters=" ".join(rules.forbidden_title_characters),
        bullet_count=rules.bullets_recommended,
        bullet_max=rules.bullet_max,
        description_max=rules.description_max,
        forbidden_terms=", ".join(rules.forbidden_terms),
        scope_rule=_SCOPE_RULES[scope],
    )
    user = prompt.user.substitute(product_data=_product_block(source))
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def _scoped(proposed: ProposedContent, source: SourceContent, scope: Scope) -> ProposedContent:
    """Fields outside the scope keep the listing's current content."""
    if scope is Scope.TITLE:
        return ProposedContent(proposed.title, source.bullets, source.description)
    if scope is Scope.DESCRIPTION:
        return ProposedContent(source.title, source.bullets, proposed.description)
    return proposed


def offline(source: SourceContent, rules: MarketplaceRules, scope: Scope) -> ProposedContent:
    return _scoped(optimize(source, rules), source, scope)


def rewrite(
    source: SourceContent,
    rules: MarketplaceRules,
    marketplace: str,
    scope: Scope,
    client: ChatClient | None,
) -> Rewrite:
    """A proposal's content: the model's checked rewrite, or the offline optimizer's."""
    if client is None:
        return Rewrite(offline(source, rules, scope), OFFLINE, None, None, (), None)
    messages = build_messages(source, rules, marketplace, scope)
    try:
        answer = client.structured(
            messages,
            RewrittenContent,
            stream=scope is Scope.ALL,  # the long answer: streamed
            max_tokens=2000 if scope is Scope.ALL else 600,
        )
        # Only the fields in scope are checked; the others are the listing's own.
        proposed = ProposedContent(
            answer.title if scope is not Scope.DESCRIPTION else source.title,
            tuple(answer.bullets) if scope is Scope.ALL else (),
            answer.description if scope is not Scope.TITLE else None,
        )
        checked = check_rewrite(proposed, source, rules)
    except (
        RetryableError,
        ModelCredentialError,
        VendorRejectedError,
        MalformedOutputError,
        EmptyRewriteError,
    ) as failed:
        reason = f"{type(failed).__name__}: {failed}"[:1000]
        logger.info("optimization.fallback", reason=type(failed).__name__)
        return Rewrite(offline(source, rules, scope), OFFLINE, None, None, (), reason)
    return Rewrite(
        _scoped(checked.content, source, scope),
        LLM,
        client.model,
        PROMPT_VERSION,
        checked.notes,
        None,
    )
