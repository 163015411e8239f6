"""The gateway and the stream must never disagree on one event (issue 15, class 9).

Decision: the engine re-resolves every event from its host, model and region hints against its
own registry, and never trusts the event's ``processing_country`` / ``entity_country``. Those
fields are what a tap *claims*; an SDK, OTel or log tap could claim anything, and the gateway
and the stream load the same registry, so re-resolving gives both callers the same answer.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from collector.declare import app_context, draft_event, personal_data
from collector.provider import Api
from douane.contract import Action, Outcome, decode_event, encode
from rules.engine import Engine
from rules.policy import load_policy
from rules.registry import load_registry
from stream.policies import PolicySet

EXAMPLES = Path(__file__).parents[2] / "deploy" / "examples"
POLICY = load_policy(EXAMPLES / "woocommerce-shop.policy.yaml")
KEY = b"k" * 32
GATEWAY = Engine(load_registry(), POLICY)
STREAM = PolicySet([POLICY])

ROUTES = [
    ("api.openai.com", Api.OPENAI_CHAT, {"model": "gpt-4o"}, "support_chat"),
    ("eu.api.openai.com", Api.OPENAI_CHAT, {"model": "gpt-4o"}, "support_chat"),
    ("api.anthropic.com", Api.ANTHROPIC_MESSAGES, {"model": "claude", "inference_geo": "us"}, "support_chat"),
    ("api.deepseek.com", Api.OPENAI_CHAT, {"model": "deepseek-chat"}, "checkout"),
    ("bedrock-runtime.eu-central-1.amazonaws.com", Api.OPENAI_CHAT, {"model": "eu.anthropic.claude"}, "content"),
    ("shop-ai.openai.azure.com", Api.AZURE_CHAT, {"model": "gpt-4o"}, "checkout"),
    ("api.mistral.ai", Api.OPENAI_CHAT, {"model": "mistral-large"}, "product_discovery"),
]
TEXT = "Hello, I am Jana Novak, jana@example.org, +49 30 1234567; my order is late."


@pytest.mark.parametrize(("host", "api", "body", "feature"), ROUTES, ids=[r[0] for r in ROUTES])
@pytest.mark.parametrize("claimed", [(None, None), ("DE", "DE"), ("CN", "US")], ids=["none", "eea", "foreign"])
def test_gateway_and_stream_agree_on_one_event(host, api, body, feature, claimed) -> None:
    headers = {"x-douane-platform": "woocommerce", "x-douane-feature": feature}
    draft = draft_event("shop-berlin", host, "/v1/chat/completions", body, api,
                        personal_data(TEXT, KEY, "k1"), app=app_context(headers))
    applied = GATEWAY.evaluate(draft)
    destination = draft.destination.model_copy(update={"processing_country": claimed[0],
                                                       "entity_country": claimed[1]})
    published = draft.model_copy(update={"destination": destination,
                                         "outcome": Outcome(action=Action.FORWARDED, status=200, verdict=applied)})
    audited = STREAM.audit(decode_event(encode(published))).verdict
    assert (audited.decision, audited.basis, audited.enforcement) == (applied.decision, applied.basis,
                                                                      applied.enforcement)
    assert audited.findings == applied.findings
    assert audited.destinations == applied.destinations
