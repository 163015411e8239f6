"""The redirect path: a full request for the sovereign worker, and its answer.

Unlike ``AICallEvent`` these messages carry content — the prompt and the answer — because
the sovereign model has to read one and write the other. They travel only on
``douane.redirect`` and ``douane.responses``, which stay inside the jurisdiction and are
kept for an hour (see ``topics.py``). Key on Kafka: the correlation id, so a request and
its answer can be matched by whoever waits for it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal
from uuid import UUID

from pydantic import ConfigDict, Field, StringConstraints

from douane.contract.events import WireModel
from douane.contract.types import NonNegFloat, NonNegInt, ShortText, Slug, UtcDatetime

REDIRECT_SCHEMA = "douane.redirect/1"
RESPONSE_SCHEMA = "douane.response/1"

Content = Annotated[str, StringConstraints(max_length=200_000)]
"""Prompt or answer text, bounded so one message stays well under Kafka's size limit."""


class RequestKind(StrEnum):
    """Which generation API the caller used."""

    CHAT = "chat"
    COMPLETION = "completion"


class ChatMessage(WireModel):
    """One turn of a conversation, flattened to text."""

    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: Content


class RedirectRequest(WireModel):
    """A call the gateway may not forward, handed to the sovereign worker."""

    schema_: Literal["douane.redirect/1"] = Field(REDIRECT_SCHEMA, alias="schema")
    correlation_id: UUID
    event_id: UUID | None = Field(None, description="the AICallEvent of the call, when there is one")
    tenant: Slug
    kind: RequestKind
    model: ShortText | None = Field(None, description="the model the caller asked for (informative)")
    messages: tuple[ChatMessage, ...] = ()
    prompt: Content | None = None
    max_tokens: int = Field(256, ge=1, le=32_768)
    temperature: float = Field(0.0, ge=0.0, le=2.0)
    stream: bool = False
    deadline: UtcDatetime = Field(description="the caller stops waiting at this instant")
    fallback_answer: Content | None = Field(None, description="the policy's safe answer for degraded mode")

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    def text_prompt(self) -> str:
        """The request as one prompt string (for engines without a chat template)."""
        if self.kind is RequestKind.COMPLETION:
            return self.prompt or ""
        return "\n".join(f"{m.role}: {m.content}" for m in self.messages) + "\nassistant:"


class ReplyStatus(StrEnum):
    """Whether the worker produced an answer."""

    OK = "ok"
    ERROR = "error"


class ReplyError(WireModel):
    """Why the worker could not answer: a class the gateway can map, and a short message."""

    kind: Literal["timeout", "expired", "engine_error", "overloaded", "bad_request", "unavailable"]
    message: ShortText


class RedirectResponse(WireModel):
    """The sovereign worker's answer to one ``RedirectRequest``."""

    schema_: Literal["douane.response/1"] = Field(RESPONSE_SCHEMA, alias="schema")
    correlation_id: UUID
    status: ReplyStatus
    text: Content = ""
    finish_reason: Literal["stop", "length", "error"] = "stop"
    engine: Slug
    model: ShortText
    prompt_tokens: NonNegInt = 0
    completion_tokens: NonNegInt = 0
    latency_ms: NonNegFloat = 0.0
    error: ReplyError | None = None

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)
