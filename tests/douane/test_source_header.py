"""The ``douane.source`` header: which call on ``douane.ai-calls`` a published finding or signal came from."""

from __future__ import annotations

import pytest

from douane.contract.source import SOURCE, read_source, source_headers


def test_the_header_names_the_call_and_reads_back() -> None:
    headers = source_headers(3, 1234)
    assert headers == [(SOURCE, b"douane.ai-calls/3@1234")]
    assert read_source(headers) == (3, 1234)
    assert read_source(dict(headers)) == (3, 1234)  # as a Faust event holds them


@pytest.mark.parametrize("headers", [
    None, [], {}, [("douane.dlq.source", b"douane.ai-calls/3@1234")],
    {SOURCE: b"douane.findings/3@1234"},  # not a call
    {SOURCE: b"douane.ai-calls/3"}, {SOURCE: b"douane.ai-calls/x@1"}, {SOURCE: b"douane.ai-calls/1@-4"},
    {SOURCE: b""}, {SOURCE: b"\xff\xfe"},
])
def test_a_missing_or_bad_header_names_no_call(headers) -> None:
    assert read_source(headers) is None
