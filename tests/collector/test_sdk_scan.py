"""What the SDK tap declares about a body's content: scanned when it can read it, "not observed" when it cannot."""

from __future__ import annotations

import gzip
import json
import time

import httpx
import pytest

from collector.provider import route_for
from collector.tap.sdk import SdkTap, Sent
from douane.contract.events import ScanState


def declared(content: bytes):
    events = []
    tap = SdkTap(tenant="shop-berlin", emit=events.append, content_key=b"k")
    tap.declare(Sent(tap, httpx, "api.openai.com", route_for("/v1/chat/completions"), content, time.perf_counter()),
                200, None, 10)
    return events[0].personal_data


CHAT = json.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": "mail anna@web.de"}]}).encode()


def test_a_json_body_is_scanned() -> None:
    data = declared(CHAT)
    assert data.scan is ScanState.COMPLETE and "user.contact.email" in data.category_keys


@pytest.mark.parametrize("content", [gzip.compress(CHAT), b"--b\r\nContent-Disposition: form-data\r\n\r\n\xff\xfe",
                                     b"[1, 2]", b"[" * 100_000])
def test_a_body_the_tap_cannot_read_is_not_observed(content: bytes) -> None:
    data = declared(content)
    assert data.scan is ScanState.NOT_OBSERVED and not data.categories
