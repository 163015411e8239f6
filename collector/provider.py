"""What every tap knows of provider APIs: which API a path belongs to, its default host, and which
answers count as provider failures (lockouts, 5xx)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from douane.contract.events import ErrorClass


class Api(StrEnum):
    """The wire formats the gateway speaks."""

    OPENAI_CHAT = "openai.chat"
    OPENAI_COMPLETIONS = "openai.completions"
    OPENAI_EMBEDDINGS = "openai.embeddings"
    OPENAI_RESPONSES = "openai.responses"
    ANTHROPIC_MESSAGES = "anthropic.messages"
    AZURE_CHAT = "azure.chat"
    PASSTHROUGH = "passthrough"


@dataclass(frozen=True)
class Route:
    """A recognised request: its API, the upstream path, and the default host."""

    api: Api
    path: str
    default_host: str | None


_FIXED = {
    "/v1/chat/completions": (Api.OPENAI_CHAT, "api.openai.com"),
    "/v1/completions": (Api.OPENAI_COMPLETIONS, "api.openai.com"),
    "/v1/embeddings": (Api.OPENAI_EMBEDDINGS, "api.openai.com"),
    "/v1/responses": (Api.OPENAI_RESPONSES, "api.openai.com"),
    "/v1/messages": (Api.ANTHROPIC_MESSAGES, "api.anthropic.com"),
}
# A deployment name starts with a letter or digit: never "." or "..", which an HTTP client would fold
# into the path (the upstream would see another path than the one recorded).
_AZURE = re.compile(r"^/openai/deployments/[A-Za-z0-9][A-Za-z0-9._-]{0,63}/(chat/completions|completions|embeddings)$")
_PASSTHROUGH = re.compile(r"^/v1/[A-Za-z0-9/_.-]{1,200}$")


def route_for(path: str) -> Route | None:
    """The route of ``path``, or None when the gateway does not serve it."""
    if path in _FIXED:
        api, host = _FIXED[path]
        return Route(api, path, host)
    if _AZURE.match(path):
        return Route(Api.AZURE_CHAT, path, None)  # the resource host comes from the caller
    if _PASSTHROUGH.match(path) and not {".", ".."} & set(path.split("/")):
        return Route(Api.PASSTHROUGH, path, None)
    return None


FAILOVER_STATUS = {403: ErrorClass.LOCKOUT_403, 451: ErrorClass.LOCKOUT_451}
# What providers put in a 403 when the caller's region is refused (OpenAI: unsupported_country_region_territory)
_REGION_WORDS = re.compile(rb"unsupported_country|country|region|territor|geograph|location is not supported", re.I)


def failure_class(status: int) -> ErrorClass | None:
    """Why an upstream answer counts as a provider failure (lockout or 5xx), or None (status only)."""
    if status in FAILOVER_STATUS:
        return FAILOVER_STATUS[status]
    if status >= 500:
        return ErrorClass.UPSTREAM_5XX
    return None


def lockout_class(status: int, body: bytes) -> ErrorClass | None:
    """Like ``failure_class``, told apart by the body: is a 403 a region lockout or the caller's own?

    A 451 is a region lockout. A 403 is one only when the provider's error says so (country, region,
    territory); any other 403 (a revoked or wrong API key, a missing permission) belongs to the one
    tenant whose key it is: the gateway relays it and does not fail over.
    """
    if status == 403 and not _REGION_WORDS.search(body[:65536]):
        return None
    return failure_class(status)
