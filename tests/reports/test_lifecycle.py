"""The incident report shows the incident's whole life cycle as the stream recorded it (issue 16)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from reports.incident import _timeline
from stream.alerts import incidents as inc

OPENED = datetime(2026, 11, 3, 8, 10, tzinfo=timezone.utc)


def _row(state: dict) -> dict:
    """The columns the store's incidents view gives for ``state`` (the ones the timeline reads)."""
    return {"opened_at": OPENED, "severity": state["severity"], "count": state["count"],
            "last_seen": datetime.fromisoformat(state["last_seen"]), "acknowledged_at": None,
            "acknowledged_by": None, **{f"{key}_due": None for key in ("early_warning", "notification",
                                                                        "final_report")}}


def test_every_transition_with_who_and_how_is_on_the_timeline() -> None:
    state = inc.open_nis2("shop-berlin", "openai", {"lockout": 3}, 15, OPENED)
    state = inc.acknowledged(state, "lena.vogt", OPENED + timedelta(minutes=20), "U123")
    state = inc.resolved(state, OPENED + timedelta(hours=2), "lena.vogt", "U123")
    state = inc.record_signal(state, OPENED + timedelta(hours=5), kinds=("lockout",))

    lines = [(e.at - OPENED, e.what) for e in _timeline(_row(state), state)]

    assert lines[:4] == [
        (timedelta(0), "threshold crossed; incident opened (high)"),
        (timedelta(minutes=20), "acknowledged by lena.vogt (in Slack)"),
        (timedelta(hours=2), "resolved by lena.vogt (in Slack)"),
        (timedelta(hours=5), "reopened: the failures came back after it was resolved "
                             "(a new message links the resolved one)"),
    ]


def test_an_automatic_resolution_says_so() -> None:
    state = inc.open_nis2("shop-berlin", "openai", {"error": 20}, 15, OPENED)
    state = inc.resolved(state, OPENED + timedelta(hours=1))

    whats = [e.what for e in _timeline(_row(state), state)]

    assert "resolved (automatically, after the policy's quiet period)" in whats
