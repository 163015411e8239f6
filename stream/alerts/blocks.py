"""Block Kit messages for incidents, digests and NIS2 reminders. Metadata only, never content."""

from __future__ import annotations

from datetime import datetime

from rules.types import ANYWHERE
from rules.wording import in_words, shipped_wording
from stream.alerts.incidents import CLOCKS

ACK_ACTION = "douane.ack"
RESOLVE_ACTION = "douane.resolve"
LOCATION_UNKNOWN = "chapter-v.location-unknown"  # its destinations are the importer's seat, never a processing place
_ICON = {"critical": ":red_circle:", "high": ":large_orange_circle:", "medium": ":large_yellow_circle:",
         "low": ":white_circle:", "info": ":white_circle:"}
NO_REGION = "the provider names no region, so it may process in any country"
_STATUS = {"acknowledged": "_acknowledged_", "resolved": "_resolved_", "reopened": "_reopened_"}


def plural(n: int, word: str, words: str | None = None) -> str:
    """``1 call``, ``2 calls``."""
    return f"{n} {word if n == 1 else (words or word + 's')}"


def incident_text(state: dict) -> str:
    """The plain-text fallback (notifications, screen readers)."""
    where = f" to {_dest(state, short=True)}" if _has_dest(state) else ""
    if _seat_only(state):
        where = f" (contracting entity in {_seat(state)})"
    elif _seat(state):
        where += f"; contracting entity in {_seat(state)}"
    again = "Reopened: " if state["status"] == "reopened" else ""
    return (f"[{state['severity'].upper()}] {again}{_title(state)}: {tenant_name(state)}, "
            f"{provider_name(state)}{where} ({plural(state['count'], 'call')})")


def incident_blocks(state: dict, previous_link: str | None = None) -> list[dict]:
    """One incident: what, where, how often, why it matters, what to do, and who took it."""
    fields = [_field("Severity", f"{_ICON.get(state['severity'], '')} {state['severity']}"),
              _field("Tenant", tenant_name(state)), _field("Provider", provider_name(state))]
    if _seat_only(state):
        fields.append(_field("Destination", f"Not determined; {_seat(state)} is where the contracting entity "
                                            "sits, not where the data is processed"))
    elif _has_dest(state):
        fields.append(_field("Destination", _dest(state)))
        if _seat(state):
            fields.append(_field("Contracting entity", f"In {_seat(state)}: where it sits, not where the data "
                                                       "is processed"))
    fields += [_field("Calls", str(state["count"])), _field("Last seen", _when(state["last_seen"]))]
    title = ("Reopened: " if state["status"] == "reopened" else "") + state["title"]
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
        {"type": "section", "fields": fields},
        {"type": "section", "text": {"type": "mrkdwn", "text": state["explanation"][:2900]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*What to do:* {state['remediation']}"[:2900]}},
    ]
    blocks.extend(_clocks(state))
    if state.get("previous"):
        blocks.append(_previous(state["previous"], previous_link))
    blocks.append({"type": "context", "elements": [
        {"type": "mrkdwn", "text": f"{' · '.join(state['articles'])} · rule `{state['rule_id']}` · "
                                   f"first seen {_when(state['first_seen'])} · incident `{state['id']}`"[:3000]}]})
    blocks.extend(_status(state))
    return blocks


def digest_text(tenant: str, states: list[dict]) -> str:
    """Fallback text of a digest."""
    shown = tenant_name(states[0]) if states else tenant
    return f"Douane digest for {shown}: {_digest_count(states)} (low or medium severity)"


def digest_blocks(tenant: str, states: list[dict]) -> list[dict]:
    """Low and medium incidents in one message, each line with its own Acknowledge button."""
    shown = tenant_name(states[0]) if states else tenant
    blocks = [{"type": "header", "text": {"type": "plain_text", "text": f"Douane digest: {_digest_count(states)}"}},
              {"type": "context", "elements": [{"type": "mrkdwn", "text": (
                  f"{shown}: many new low- and medium-severity incidents, so they share one message. "
                  f"High and critical incidents always get a message of their own.{_digest_tally(states)}")}]}]
    ordered = sorted(states, key=lambda s: (-_rank(s["severity"]), s["id"]))
    for n, s in enumerate(ordered[:47]):
        blocks.append(_digest_line(s, n))
    if len(ordered) > 47:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": (
            f"and {plural(len(ordered) - 47, 'more incident')}; run `douane report` for the full list")}]})
    return blocks


def _digest_count(states: list[dict]) -> str:
    """``5 incidents, 214 calls``: those still listed (not moved out), so each count update shows."""
    listed = [s for s in states if not s.get("moved_to")]
    return f"{plural(len(listed), 'incident')}, {plural(sum(s['count'] for s in listed), 'call')}"


def _digest_tally(states: list[dict]) -> str:
    """`` Now: 3 open, 1 acknowledged, 1 moved out; last call 12:04 UTC.``"""
    if not states:
        return ""
    kinds = ["moved out" if s.get("moved_to") else "open" if s["status"] in ("open", "reopened") else s["status"]
             for s in states]
    tally = ", ".join(f"{kinds.count(k)} {k}" for k in ("open", "acknowledged", "resolved", "moved out") if k in kinds)
    return f" Now: {tally}; last call {_when(max(s['last_seen'] for s in states))}."


def moved_text(state: dict, channel: str) -> str:
    """Fallback text of a message whose incident moved to another channel."""
    return (f"Moved to <#{channel}>: {_title(state)}, {tenant_name(state)}, {provider_name(state)} "
            f"(severity now {state['severity']})")


def moved_blocks(state: dict, channel: str, link: str | None) -> list[dict]:
    """What an incident's earlier message becomes when it moves: where it went and why, no buttons."""
    there = f"there (<{link}|open the message>)" if link else "there"
    return [
        {"type": "header", "text": {"type": "plain_text", "text": f"Moved: {state['title']}"[:150]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": (
            f":arrow_right: Severity is now {state['severity']}, and the policy sends {state['severity']} "
            f"incidents to <#{channel}>: follow it {there}; this copy is no longer updated.")}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": (
            f"{tenant_name(state)} · {provider_name(state)} · incident `{state['id']}`")[:3000]}]},
    ]


def reminder_text(state: dict, clock: str) -> str:
    """A reminder that an Art. 23 deadline approaches."""
    return (f":alarm_clock: {reminder_mark(state, clock)}: {_title(state)}, {tenant_name(state)} "
            f"(incident opened {_when(state['first_seen'])}).")


def reminder_mark(state: dict, clock: str) -> str:
    """The part of a reminder that never changes (deadline and due time): how a sent one is recognised."""
    return f"{dict(CLOCKS)[clock]} is due {_when(state['clocks'][clock])}"


def tenant_name(state: dict) -> str:
    """The shop as people call it, with its id when the two differ."""
    name = state.get("tenant_name")
    return f"{name} ({state['tenant']})" if name and name != state["tenant"] else state["tenant"]


def provider_name(state: dict) -> str:
    """The provider's name from the registry, or its id; never 'unknown' without saying why."""
    if state["provider"] == "unknown":
        return "an unregistered provider"
    return state.get("provider_name") or state["provider"]


def _digest_line(state: dict, n: int) -> dict:
    where = f" · {_dest(state, short=True)}" if _has_dest(state) and not _seat_only(state) else ""
    if _seat(state):
        where += f" · contracting entity in {_seat(state)}"
    status = f" · {_STATUS[state['status']]}" if state["status"] in _STATUS else ""
    if state.get("moved_to"):
        link = f" (<{state['moved_link']}|open>)" if state.get("moved_link") else ""
        text = (f":arrow_right: ~{state['title']}~ · {provider_name(state)} · moved to <#{state['moved_to']}>{link} "
                f"(severity now {state['severity']})")
        return {"type": "section", "text": {"type": "mrkdwn", "text": text[:2900]}}
    text = (f"{_ICON.get(state['severity'], '')} *{state['title']}* · {provider_name(state)}{where} · "
            f"{plural(state['count'], 'call')} · last {_when(state['last_seen'])}{status}")
    line = {"type": "section", "text": {"type": "mrkdwn", "text": text[:2900]}}
    if state["status"] in ("open", "reopened"):
        line["accessory"] = _button("Acknowledge", f"{ACK_ACTION}:{n}", state["id"], "primary")
    return line


def _previous(previous: dict, link: str | None) -> dict:
    who = f" by {previous['resolved_by']}" if previous.get("resolved_by") else " automatically after a quiet period"
    when = f" on {_when(previous['resolved_at'])}" if previous.get("resolved_at") else ""
    earlier = f"<{link}|earlier message>" if link else "earlier message"
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": (
        f":repeat: Recurred after it was resolved{who}{when} ({plural(previous['count'], 'call')} then); "
        f"see the {earlier}.")}]}


def _clocks(state: dict) -> list[dict]:
    clocks = state.get("clocks")
    if not clocks:
        return []
    return [{"type": "section", "fields": [_field(label.split(" (")[0], _when(clocks[name]))
                                           for name, label in CLOCKS]}]


def _status(state: dict) -> list[dict]:
    done: list[dict] = []
    if state.get("ack_by"):
        done.append({"type": "mrkdwn", "text": f":white_check_mark: Acknowledged by {state['ack_by']} at "
                                              f"{_when(state['ack_at'])}"})
    if state["status"] == "resolved":
        who = f"by {state['resolved_by']}" if state.get("resolved_by") else "automatically after a quiet period"
        done.append({"type": "mrkdwn", "text": f":heavy_check_mark: Resolved {who} at {_when(state['resolved_at'])}"})
        return [{"type": "context", "elements": done}]
    buttons = [_button("Resolve", RESOLVE_ACTION, state["id"])]
    if state["status"] in ("open", "reopened"):
        buttons.insert(0, _button("Acknowledge", ACK_ACTION, state["id"], "primary"))
    return ([{"type": "context", "elements": done}] if done else []) + [{"type": "actions", "elements": buttons}]


def _button(label: str, action_id: str, incident: str, style: str | None = None) -> dict:
    button = {"type": "button", "action_id": action_id, "value": incident[:2000],
              "text": {"type": "plain_text", "text": label}}
    return button | ({"style": style} if style else {})


def _has_dest(state: dict) -> bool:
    return state.get("destination", "-") not in ("-", "")


def _seat(state: dict) -> str:
    """The countries that are only the contracting entity's seat (``Ireland``), '' when none is known to be."""
    return in_words(shipped_wording().place(c) for c in _seat_codes(state))


def _seat_codes(state: dict) -> list[str]:
    codes = state["destination"].split(",") if _has_dest(state) else []
    if state.get("rule_id") == LOCATION_UNKNOWN and "*" not in codes:
        return codes  # the rule says so: no processing place is known
    return [c for c in state.get("seat", "").split(",") if c]


def _processing(state: dict) -> list[str]:
    seat = _seat_codes(state)
    return [d for d in state["destination"].split(",") if d not in seat] if _has_dest(state) else []


def _seat_only(state: dict) -> bool:
    """No processing location is known: the destinations are only the contracting entity's seat."""
    return bool(_seat_codes(state)) and not _processing(state)


def _dest(state: dict, short: bool = False) -> str:
    """The processing places in rules.wording's names; the long form says why a place is unknown."""
    places = _processing(state)
    named = shipped_wording().places(places)
    return named if short or ANYWHERE not in places else f"{named} ({NO_REGION})"


def _title(state: dict) -> str:
    """The title as a phrase inside a sentence (no full stop before the colon)."""
    return state["title"].rstrip(". ")


def _field(name: str, value: str) -> dict:
    return {"type": "mrkdwn", "text": f"*{name}*\n{value}"}


def _when(iso: str) -> str:
    return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M UTC")


def _rank(severity: str) -> int:
    return ["info", "low", "medium", "high", "critical"].index(severity)
