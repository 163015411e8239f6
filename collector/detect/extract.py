"""The text of a provider request, wherever the API carries it: every string a model may read.

Reading a fixed list of fields (``messages[].content``, ``prompt``, ...) is a bypass waiting to
happen: tool-call arguments, tool results, ``tools[].description``, ``metadata``, Cohere's
``message``, Gemini's ``contents[].parts`` and Bedrock's ``toolResult`` all reach the provider.
So the whole JSON value is walked and every string is kept, except the values of keys that only
name structure (``role``, ``type``, ``model``, ...) and binary payloads (base64, data URLs).
Strings that hold JSON (tool-call ``arguments``) are decoded and walked too, so escaped text
(``\\u0040``) reads as what the model sees. The walk is iterative: no input can exhaust the stack.
"""

from __future__ import annotations

import json
import re

MAX_TEXT_CHARS = 1_000_000
"""Collection stops here; detection scans no further anyway."""

MAX_JSON_DECODES = 64
"""Strings that hold JSON are decoded at most this many times per request (nested encodings)."""

STRUCTURAL_KEYS = frozenset({
    "role", "type", "model", "object", "media_type", "mime_type", "mimeType", "detail", "encoding_format",
    "status", "stop_reason", "finish_reason", "service_tier", "reasoning_effort", "format", "tool_choice",
})
"""Keys whose values are enumerations, never free text (ids stay in: a sender may put anything there)."""

_IDENTIFIER_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,63}")
_BASE64 = re.compile(r"[A-Za-z0-9+/=_-]{64,}")
_DATA_URL = re.compile(r"data:[\w.+-]+/[\w.+-]+(?:;[\w=.-]+)*;base64,")
_MIN_NUMBER = 100_000  # shorter numbers are parameters (max_tokens, seeds); longer ones may be phone or ids


def request_text(body: object) -> str:
    """Every piece of text in a provider request body, in document order, joined by newlines; never raises."""
    parts: list[str] = []
    size = 0
    decodes = 0
    stack: list[object] = [body]
    while stack and size < MAX_TEXT_CHARS:
        value = stack.pop()
        if isinstance(value, str):
            decoded = _json_inside(value) if decodes < MAX_JSON_DECODES else None
            if decoded is not None:
                decodes += 1
                stack.append(decoded)
            elif not _binary(value):
                parts.append(value)
                size += len(value) + 1
        elif isinstance(value, dict):
            stack.extend(reversed(_children(value)))
        elif isinstance(value, list | tuple):
            stack.extend(reversed(value))
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) >= _MIN_NUMBER:
            parts.append(str(value))
    return "\n".join(parts)[:MAX_TEXT_CHARS]


def _children(obj: dict) -> list[object]:
    """A dict's readable content: values of content keys, and keys that are not identifiers (``{"a@b.de": 1}``)."""
    children: list[object] = []
    for key, value in obj.items():
        if not isinstance(key, str):
            continue
        if not _IDENTIFIER_KEY.fullmatch(key):
            children.append(key)
        if key not in STRUCTURAL_KEYS or not isinstance(value, str):
            children.append(value)
    return children


def _json_inside(text: str) -> object | None:
    """The JSON object or array a string holds (tool-call arguments), or None."""
    stripped = text.strip()
    if len(stripped) < 2 or stripped[0] not in "[{" or stripped[-1] not in "]}":
        return None
    try:
        return json.loads(stripped)
    except (ValueError, RecursionError):
        return None


def _binary(text: str) -> bool:
    """Base64 payloads and data URLs (images, audio, files): nothing detection can read."""
    return bool(_DATA_URL.match(text) or (len(text) >= 64 and _BASE64.fullmatch(text)))
