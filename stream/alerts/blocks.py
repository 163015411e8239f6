"""Block Kit messages for incidents, digests and NIS2 reminders. Metadata only, never content."""

from __future__ import annotations

from datetime import datetime

from stream.alerts.incidents import CLOCKS

ACK_ACTION = "douane.ack"
_ICON = {"critical": ":red_circle:", "high": ":large_orange_circle:", "medium": ":large_yellow_circle:",
         "low": ":white_circle:", "info": ":white_circle:"}


def incident_text(state: dict) -> str:
    """The plain-text fallback (notifications, screen readers)."""
    return (f"[{state['severity'].upper()}] {state['title']}: {state['tenant']}, {state['provider']} → "
            f"{_dest(state)} ({state['count']} calls)")


def incident_blocks(state: dict) -> list[dict]:
    """One incident: what, where, how often, why it matters, what to do, and who took it."""
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": f"{state['title']}"[:150]}},
        {"type": "section", "fields": [
            _field("Severity", f"{_ICON.get(state['severity'], '')} {state['severity']}"),
            _field("Tenant", state["tenant"]),
            _field("Provider", state["provider"]),
            _field("Destination", _dest(state)),
            _field("Calls", str(state["count"])),
            _field("Last seen", _when(state["last_seen"])),
        ]},
        {"type": "section", "text": {"type": "mrkdwn", "text": state["explanation"][:2900]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*What to do:* {state['remediation']}"[:2900]}},
    ]
    blocks.extend(_clocks(state))
    blocks.append({"type": "context", "elements": [
        {"type": "mrkdwn", "text": f"{' · '.join(state['articles'])} · rule `{state['rule_id']}` · "
                                   f"first seen {_when(state['first_seen'])} · incident `{state['id']}`"[:3000]}]})
    blocks.append(_ack(state))
    return blocks


def digest_text(tenant: str, states: list[dict]) -> str:
    """Fallback text of a digest."""
    return f"Douane digest for {tenant}: {len(states)} incidents"


def digest_blocks(tenant: str, states: list[dict]) -> list[dict]:
    """Many incidents in one message, updated in place as they grow."""
    lines = [f"{_ICON.get(s['severity'], '')} *{s['title']}* · {s['provider']} → {_dest(s)} · "
             f"{s['count']} calls · last {_when(s['last_seen'])}" + (" · _acknowledged_" if s["status"] ==
                                                                       "acknowledged" else "")
             for s in sorted(states, key=lambda s: (-_rank(s["severity"]), s["id"]))]
    blocks = [{"type": "header", "text": {"type": "plain_text", "text": f"Douane digest: {len(states)} incidents"}},
              {"type": "context", "elements": [{"type": "mrkdwn", "text": f"tenant `{tenant}`; too many new "
                                                                          "incidents to post one by one"}]}]
    for i in range(0, len(lines), 10):
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines[i:i + 10])[:2900]}})
    return blocks[:50]


def reminder_text(state: dict, clock: str) -> str:
    """A reminder that an Art. 23 deadline approaches."""
    label = dict(CLOCKS)[clock]
    due = _when(state["clocks"][clock])
    return f":alarm_clock: {label} for incident `{state['id']}` is due {due}."


def _clocks(state: dict) -> list[dict]:
    clocks = state.get("clocks")
    if not clocks:
        return []
    return [{"type": "section", "fields": [_field(label.split(" (")[0], _when(clocks[name]))
                                           for name, label in CLOCKS]}]


def _ack(state: dict) -> dict:
    if state["status"] == "acknowledged":
        return {"type": "context", "elements": [
            {"type": "mrkdwn", "text": f":white_check_mark: Acknowledged by {state['ack_by']} at "
                                       f"{_when(state['ack_at'])}"}]}
    return {"type": "actions", "elements": [
        {"type": "button", "action_id": ACK_ACTION, "value": state["id"][:2000], "style": "primary",
         "text": {"type": "plain_text", "text": "Acknowledge"}}]}


def _dest(state: dict) -> str:
    return ", ".join("anywhere" if d == "*" else d for d in state["destination"].split(","))


def _field(name: str, value: str) -> dict:
    return {"type": "mrkdwn", "text": f"*{name}*\n{value}"}


def _when(iso: str) -> str:
    return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M UTC")


def _rank(severity: str) -> int:
    return ["info", "low", "medium", "high", "critical"].index(severity)
