"""The gateway's door: a request body is read within its size and time limits, parsed with a bounded
depth, and checked for the shapes extraction relies on, before anything else looks at it.

Whatever is refused here gets a coded 4xx that names the field, never the field's value.
"""

from __future__ import annotations

import asyncio
import json
import time

from starlette.requests import Request

from collector.gateway.errors import GatewayError

MAX_DEPTH = 64  # real chat bodies nest 5-8 levels; tool schemas rarely pass 20
TEXT_FIELDS = ("prompt", "input", "system", "instructions")


async def read_body(request: Request, limit: int, timeout_s: float) -> bytes:
    """The whole body, or a 413 past ``limit`` bytes, or a 408 when it does not arrive within ``timeout_s``."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise GatewayError(413, "body_too_large", f"body of {declared} bytes exceeds the {limit}-byte limit")
    deadline = time.monotonic() + timeout_s
    raw = bytearray()
    chunks = request.stream().__aiter__()
    while True:
        try:
            chunk = await asyncio.wait_for(chunks.__anext__(), max(0.0, deadline - time.monotonic()))
        except StopAsyncIteration:
            return bytes(raw)
        except TimeoutError:
            raise GatewayError(408, "body_timeout", f"the body did not arrive within {timeout_s:g} s") from None
        raw += chunk
        if len(raw) > limit:
            raise GatewayError(413, "body_too_large", f"body exceeds the {limit}-byte limit")


def json_object(raw: bytes) -> dict:
    """``raw`` as a JSON object nested at most ``MAX_DEPTH`` deep; else a 400 that says which rule it broke."""
    try:
        body = json.loads(raw)
    except RecursionError:
        raise GatewayError(400, "json_too_deep", f"the body nests deeper than {MAX_DEPTH} levels") from None
    except (ValueError, UnicodeDecodeError):
        raise GatewayError(400, "invalid_json", "the request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise GatewayError(400, "invalid_json", "the request body must be a JSON object")
    if _may_nest_deeper(raw, MAX_DEPTH) and _depth_exceeds(body, MAX_DEPTH):
        raise GatewayError(400, "json_too_deep", f"the body nests deeper than {MAX_DEPTH} levels")
    return body


def check_shapes(body: dict) -> dict:
    """Refuse bodies whose prompt fields are not what the OpenAI and Anthropic APIs define."""
    messages = body.get("messages")
    if messages is not None:
        if not isinstance(messages, list):
            raise GatewayError(400, "invalid_messages", "'messages' must be an array of message objects")
        for index, message in enumerate(messages):
            _check_message(message, index)
    for name in TEXT_FIELDS:
        value = body.get(name)
        if value is not None and not isinstance(value, (str, list)):
            raise GatewayError(400, "invalid_field", f"'{name}' must be a string or an array")
        if isinstance(value, list):
            _check_parts(value, name)
    return body


def _check_message(message, index: int) -> None:
    if not isinstance(message, dict):
        return  # a stray entry that is no message: extraction and the redirect skip it
    content = message.get("content")
    if content is not None and not isinstance(content, (str, list)):
        raise GatewayError(400, "invalid_messages", f"messages[{index}].content must be a string or an array")
    if isinstance(content, list):
        _check_parts(content, f"messages[{index}].content")
    if message.get("role") is not None and not isinstance(message.get("role"), str):
        raise GatewayError(400, "invalid_messages", f"messages[{index}].role must be a string")


def _check_parts(parts: list, where: str) -> None:
    for index, part in enumerate(parts):
        if isinstance(part, dict):
            text = part.get("text") if "text" in part else part.get("content")
            if text is not None and not isinstance(text, (str, list, int, float, bool)):
                raise GatewayError(400, "invalid_field", f"{where}[{index}] has a text of the wrong type")
        elif not isinstance(part, (str, int, float, list)) and part is not None:
            raise GatewayError(400, "invalid_field", f"{where}[{index}] must be a string or an object")


def _may_nest_deeper(raw: bytes, limit: int) -> bool:
    """False when ``raw`` holds no more than ``limit`` opening brackets in all, so it cannot nest deeper:
    a typical chat body (a dozen) skips the walk below, which costs more than the parse itself."""
    return raw.count(b"{") + raw.count(b"[") > limit


def _depth_exceeds(value, limit: int) -> bool:
    """Iterative, so a hostile depth cannot exhaust the stack."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(node, dict):
            stack.extend((child, depth + 1) for child in node.values() if isinstance(child, (dict, list)))
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node if isinstance(child, (dict, list)))
    return False
