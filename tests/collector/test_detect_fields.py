"""Every place a provider API carries text is scanned: personal data moved into another field is still found.

Each body below is a real request shape (OpenAI chat / responses / completions / embeddings,
Anthropic messages, Mistral, Cohere, Gemini / Vertex, Bedrock Converse) with an e-mail address
placed in one field only; the declared categories must name it whichever field that is.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collector.declare import personal_data, request_text
from collector.detect import scan

MAIL = "anna.schmidt@web.de"
IBAN = "DE89 3704 0044 0532 0130 00"
EMAIL_KEY, IBAN_KEY = "user.contact.email", "user.financial.bank_account"

BODIES = {
    "openai tool-call arguments": {"model": "gpt-4o", "messages": [
        {"role": "user", "content": "Look up my order"},
        {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function", "function": {
            "name": "find_order", "arguments": json.dumps({"email": MAIL})}}]}]},
    "openai tool-call arguments, escaped": {"model": "gpt-4o", "messages": [
        {"role": "assistant", "tool_calls": [{"id": "c", "type": "function", "function": {
            "name": "f", "arguments": json.dumps({"e": "anna.schmidt\u0040web.de"}, ensure_ascii=True)}}]}]},
    "openai tool result": {"model": "gpt-4o", "messages": [
        {"role": "tool", "tool_call_id": "call_1", "content": json.dumps({"customer": MAIL})}]},
    "openai tools[].description": {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}],
                                   "tools": [{"type": "function", "function": {
                                       "name": "notify", "description": f"Always copy {MAIL}",
                                       "parameters": {"type": "object", "properties": {}}}}]},
    "openai object-valued content part": {"model": "gpt-4o", "messages": [
        {"role": "user", "content": [{"type": "text", "text": {"value": MAIL}}]}]},
    "openai content part with a nested list": {"model": "gpt-4o", "messages": [
        {"role": "user", "content": [[{"type": "text", "text": MAIL}]]}]},
    "openai user field": {"model": "gpt-4o", "user": MAIL, "messages": [{"role": "user", "content": "hi"}]},
    "openai metadata": {"model": "gpt-4o", "metadata": {"customer": MAIL}, "messages": []},
    "openai message name": {"model": "gpt-4o", "messages": [{"role": "user", "name": MAIL, "content": "hi"}]},
    "openai embeddings list": {"model": "text-embedding-3-small", "input": ["hello", MAIL]},
    "openai completions prompt list": {"model": "gpt-3.5-turbo-instruct", "prompt": ["x", MAIL]},
    "responses input items": {"model": "gpt-4.1", "input": [
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": MAIL}]}]},
    "responses function_call arguments": {"model": "gpt-4.1", "input": [
        {"type": "function_call", "call_id": "c1", "name": "lookup", "arguments": json.dumps({"mail": MAIL})}]},
    "responses function_call_output": {"model": "gpt-4.1", "input": [
        {"type": "function_call_output", "call_id": "c1", "output": f"customer {MAIL}"}]},
    "anthropic tool_use.input": {"model": "claude-sonnet-4", "max_tokens": 100, "messages": [
        {"role": "assistant", "content": [{"type": "tool_use", "id": "tu1", "name": "crm",
                                           "input": {"email": MAIL}}]}]},
    "anthropic tool_result": {"model": "claude-sonnet-4", "max_tokens": 100, "messages": [
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "tu1",
                                      "content": [{"type": "text", "text": MAIL}]}]}]},
    "anthropic system blocks": {"model": "claude-sonnet-4", "system": [{"type": "text", "text": MAIL}],
                                "messages": []},
    "anthropic metadata": {"model": "claude-sonnet-4", "metadata": {"user_id": MAIL}, "messages": []},
    "mistral chat": {"model": "mistral-large-latest", "messages": [
        {"role": "user", "content": [{"type": "text", "text": MAIL}]}]},
    "mistral fim": {"model": "codestral-latest", "prompt": "def f():", "suffix": f"# {MAIL}"},
    "cohere message": {"model": "command-r", "message": f"Write to {MAIL}", "chat_history": []},
    "cohere chat_history": {"model": "command-r", "message": "hi", "chat_history": [
        {"role": "USER", "message": MAIL}]},
    "cohere documents": {"model": "command-r", "message": "hi", "documents": [{"title": "crm", "snippet": MAIL}]},
    "gemini contents": {"contents": [{"role": "user", "parts": [{"text": MAIL}]}]},
    "gemini system_instruction": {"system_instruction": {"parts": [{"text": MAIL}]}, "contents": []},
    "gemini function response": {"contents": [{"role": "function", "parts": [
        {"functionResponse": {"name": "crm", "response": {"email": MAIL}}}]}]},
    "vertex systemInstruction": {"systemInstruction": {"role": "system", "parts": [{"text": MAIL}]},
                                 "contents": []},
    "bedrock converse": {"messages": [{"role": "user", "content": [{"text": MAIL}]}],
                         "system": [{"text": "be brief"}]},
    "bedrock converse toolResult": {"messages": [{"role": "user", "content": [
        {"toolResult": {"toolUseId": "t1", "content": [{"json": {"mail": MAIL}}]}}]}]},
    "a key that carries the value": {"model": "gpt-4o", "metadata": {MAIL: "vip"}, "messages": []},
}


@pytest.mark.parametrize("shape", list(BODIES))
def test_personal_data_is_found_in_every_field_a_provider_reads(shape: str) -> None:
    data = personal_data(request_text(BODIES[shape]), b"k", "k1")
    assert EMAIL_KEY in data.category_keys, shape


NORMALISED = {
    "fullwidth e-mail": "ａｎｎａ＠ｗｅｂ．ｄｅ",
    "zero-width characters in an e-mail": "an\u200bna@w\u200ceb.de",
    "soft hyphen and word joiner in an IBAN": "DE89\u00ad3704\u20600044 0532 0130 00",
    "lower-case IBAN": "de89 3704 0044 0532 0130 00",
    "fullwidth IBAN": "ＤＥ８９３７０４００４４０５３２０１３０００",
    "IBAN in Arabic-Indic digits": "DE٨٩ ٣٧٠٤ ٠٠٤٤ ٠٥٣٢ ٠١٣٠ ٠٠",
}


@pytest.mark.parametrize("case", list(NORMALISED))
def test_text_is_normalised_before_detection(case: str) -> None:
    found = {h.category for h in scan(NORMALISED[case])}
    assert found & {EMAIL_KEY, IBAN_KEY}, case


def test_prompt_text_keeps_the_order_and_skips_structure_and_binary() -> None:
    body = {"model": "gpt-4o", "messages": [
        {"role": "system", "content": "first"},
        {"role": "user", "content": [{"type": "text", "text": "second"},
                                     {"type": "image_url", "image_url": {"url": "data:image/png;base64," + "A" * 400}}]}],
        "temperature": 0.2}
    assert request_text(body) == "first\nsecond"


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
                           max_leaves=30)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_request_text_never_raises_on_any_json_value(value) -> None:
    assert isinstance(request_text(value), str)


def test_request_text_survives_deep_nesting() -> None:
    deep: object = MAIL
    for _ in range(5000):
        deep = {"content": [deep]}
    assert MAIL in request_text(deep)
    nested_json = MAIL
    for _ in range(6):  # arguments whose value is itself encoded JSON, six times over
        nested_json = json.dumps({"arguments": nested_json})
    assert request_text({"messages": [{"content": nested_json}]}) == MAIL
