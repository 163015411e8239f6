"""The keyed hash an event carries is HMAC-SHA256 of the text, whatever the key's length."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collector.declare import content_hash


@pytest.mark.parametrize("key", [b"", b"k", b"bench-key", b"x" * 63, b"x" * 64, b"x" * 65, bytes(range(256))])
@given(text=st.text(max_size=300))
def test_the_content_hash_is_hmac_sha256_of_the_text(key: bytes, text: str) -> None:
    expected = hmac.new(key, text.encode(), hashlib.sha256).hexdigest()
    assert content_hash(text, key, "k1") == f"hmac-sha256:k1:{expected}"


def test_keys_do_not_share_hashing_state() -> None:
    first = content_hash("Anna", b"key-one", "k1")
    assert content_hash("Anna", b"key-two", "k2").split(":")[2] != first.split(":")[2]
    assert content_hash("Anna", b"key-one", "k1") == first  # the key's kept state is copied, never fed text
