"""(De)serialisation of wire models to the JSON bytes that travel on Kafka."""

from __future__ import annotations

import json
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from douane.contract.events import AICallEvent
from douane.contract.redirect import RedirectRequest, RedirectResponse
from douane.contract.verdict import Verdict

M = TypeVar("M", bound=BaseModel)

MAX_EVENT_BYTES = 256 * 1024
"""Larger values are refused before parsing: an audit event is a few KB at most."""

MAX_REDIRECT_BYTES = 1024 * 1024
"""Redirect requests and answers carry content; Kafka's default message limit bounds them."""


class DecodeError(ValueError):
    """Bytes that are not a valid wire message; ``reason`` says what is wrong."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def encode(model: BaseModel) -> bytes:
    """Serialise a wire model to compact UTF-8 JSON, with the ``schema`` field by its wire name."""
    return model.model_dump_json(by_alias=True, exclude_none=True).encode()


def decode(data: bytes | None, model: type[M], max_bytes: int = MAX_EVENT_BYTES) -> M:
    """Parse ``data`` into ``model`` or raise :class:`DecodeError` naming the problem."""
    if data is None:
        raise DecodeError("empty message (tombstone or null value)")
    if len(data) > max_bytes:
        raise DecodeError(f"message of {len(data)} bytes exceeds the {max_bytes}-byte limit")
    try:
        return model.model_validate_json(data)
    except ValidationError as exc:
        raise DecodeError(_describe(exc, model)) from None


def decode_event(data: bytes | None) -> AICallEvent:
    """Parse an ``AICallEvent`` from Kafka bytes."""
    return decode(data, AICallEvent)


def decode_verdict(data: bytes | None) -> Verdict:
    """Parse a ``Verdict`` from Kafka bytes."""
    return decode(data, Verdict)


def decode_redirect(data: bytes | None) -> RedirectRequest:
    """Parse a ``RedirectRequest`` from Kafka bytes."""
    return decode(data, RedirectRequest, MAX_REDIRECT_BYTES)


def decode_response(data: bytes | None) -> RedirectResponse:
    """Parse a ``RedirectResponse`` from Kafka bytes."""
    return decode(data, RedirectResponse, MAX_REDIRECT_BYTES)


def _describe(exc: ValidationError, model: type[BaseModel]) -> str:
    """Summarise a validation error without echoing input values (they may hold content)."""
    parts = []
    for err in exc.errors(include_input=False, include_url=False)[:5]:
        where = ".".join(str(p) for p in err["loc"]) or "<root>"
        parts.append(f"{where}: {err['msg']}")
    more = exc.error_count() - len(parts)
    suffix = f" (+{more} more)" if more > 0 else ""
    return f"invalid {model.__name__}: " + "; ".join(parts) + suffix


def json_schemas() -> dict[str, dict]:
    """The JSON Schemas of every top-level wire model, keyed by their ``schema`` value."""
    return {
        "douane.ai_call/1": AICallEvent.model_json_schema(by_alias=True),
        "douane.verdict/1": Verdict.model_json_schema(by_alias=True),
        "douane.redirect/1": RedirectRequest.model_json_schema(by_alias=True),
        "douane.response/1": RedirectResponse.model_json_schema(by_alias=True),
    }


def dumps_pretty(obj: object) -> str:
    """Indented, key-sorted JSON for humans and for deterministic files."""
    return json.dumps(obj, indent=2, sort_keys=True)
