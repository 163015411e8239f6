"""A sovereign answer in the caller's API shape: OpenAI chat/completions/responses or Anthropic messages,
as one JSON body or as server-sent events."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

from collector.provider import Api


def answer_body(api: Api, text: str, model: str, prompt_tokens: int, completion_tokens: int) -> dict:
    """The non-streaming body for ``api``."""
    now = int(time.time())
    if api is Api.ANTHROPIC_MESSAGES:
        return {"id": "msg_douane", "type": "message", "role": "assistant", "model": model,
                "content": [{"type": "text", "text": text}], "stop_reason": "end_turn", "stop_sequence": None,
                "usage": {"input_tokens": prompt_tokens, "output_tokens": completion_tokens}}
    usage = {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
             "total_tokens": prompt_tokens + completion_tokens}
    if api is Api.OPENAI_COMPLETIONS:
        return {"id": "cmpl-douane", "object": "text_completion", "created": now, "model": model, "usage": usage,
                "choices": [{"index": 0, "text": text, "logprobs": None, "finish_reason": "stop"}]}
    if api is Api.OPENAI_RESPONSES:
        message = {"type": "message", "id": "msg_douane", "status": "completed", "role": "assistant",
                   "content": [{"type": "output_text", "text": text, "annotations": []}]}
        return {"id": "resp_douane", "object": "response", "created_at": now, "status": "completed", "model": model,
                "output": [message], "tools": [], "tool_choice": "auto", "parallel_tool_calls": True,
                "usage": {"input_tokens": prompt_tokens, "output_tokens": completion_tokens,
                          "total_tokens": prompt_tokens + completion_tokens,
                          "input_tokens_details": {"cached_tokens": 0},
                          "output_tokens_details": {"reasoning_tokens": 0}}}
    return {"id": "chatcmpl-douane", "object": "chat.completion", "created": now, "model": model, "usage": usage,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}]}


def answer_events(api: Api, text: str, model: str) -> Iterator[bytes]:
    """The same answer as server-sent events, a few words per chunk."""
    pieces = _pieces(text)
    if api is Api.ANTHROPIC_MESSAGES:
        yield from _anthropic(pieces, model)
        return
    for piece in [None, *pieces, ""]:
        delta = {"role": "assistant", "content": ""} if piece is None else ({"content": piece} if piece else {})
        chunk = {"id": "chatcmpl-douane", "object": "chat.completion.chunk", "created": int(time.time()),
                 "model": model, "choices": [{"index": 0, "delta": delta,
                                              "finish_reason": "stop" if piece == "" else None}]}
        yield f"data: {json.dumps(chunk)}\n\n".encode()
    yield b"data: [DONE]\n\n"


def _anthropic(pieces: list[str], model: str) -> Iterator[bytes]:
    def event(kind: str, body: dict) -> bytes:
        return f"event: {kind}\ndata: {json.dumps({'type': kind, **body})}\n\n".encode()

    start = {"id": "msg_douane", "type": "message", "role": "assistant", "model": model, "content": [],
             "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 0, "output_tokens": 0}}
    yield event("message_start", {"message": start})
    yield event("content_block_start", {"index": 0, "content_block": {"type": "text", "text": ""}})
    for piece in pieces:
        yield event("content_block_delta", {"index": 0, "delta": {"type": "text_delta", "text": piece}})
    yield event("content_block_stop", {"index": 0})
    yield event("message_delta", {"delta": {"stop_reason": "end_turn", "stop_sequence": None},
                                  "usage": {"output_tokens": len(pieces)}})
    yield event("message_stop", {})


def _pieces(text: str, words: int = 4) -> list[str]:
    tokens = text.split(" ")
    return [" ".join(tokens[i:i + words]) + (" " if i + words < len(tokens) else "")
            for i in range(0, len(tokens), words)] or [""]
