"""``douane alerts``: check the Slack connection with a sample alert."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import typer

from douane.cli.common import fail, settings

app = typer.Typer(help="Slack alerts for compliance officers.", no_args_is_help=True)


def notifier():
    """A Slack notifier from DOUANE_SLACK_TOKEN (and DOUANE_SLACK_BASE_URL), or a clear exit."""
    from stream.alerts import SlackNotifier

    cfg = settings()
    if cfg.slack_token is None:
        fail("DOUANE_SLACK_TOKEN is not set: create a Slack app with the chat:write and channels:history scopes, "
             "install it, and export its bot token (xoxb-...)")
    return SlackNotifier.connect(cfg.slack_token.get_secret_value(), base_url=cfg.slack_base_url)


@app.command()
def test(channel: str = typer.Option(..., help="channel id (C...) the bot has been invited to")) -> None:
    """Send a sample incident to a real workspace, to check token, scope and channel."""
    from douane.contract import Basis, Decision, Finding, Severity, Verdict
    from douane.ids import uuid7
    from stream.alerts import DeliveryError
    from stream.alerts import blocks
    from stream.alerts.incidents import record_finding

    now = datetime.now(timezone.utc)
    verdict = Verdict(event_id=uuid7(), tenant="douane-test", decided_at=now, decision=Decision.UNAUTHORISED,
                      basis=Basis.NONE, provider="example-provider", destinations=("US",))
    finding = Finding(rule_id="douane.alerts-test", title="Douane test alert", articles=("GDPR Art. 44",),
                      severity=Severity.INFO, explanation="This is a test of Douane's Slack alerts. No call was made.",
                      remediation="Nothing to do: if you can read this, alerts reach this channel.")
    state = record_finding(None, verdict, finding, now)

    async def send() -> tuple[dict, str]:
        slack = notifier()
        who = await slack.check()
        return who, await slack.send(channel, None, blocks.incident_text(state), blocks.incident_blocks(state))

    try:
        who, ts = asyncio.run(send())
    except DeliveryError as exc:
        hint = " (invite the bot to the channel)" if exc.reason in ("not_in_channel", "channel_not_found") else ""
        fail(f"Slack: {exc.reason}{hint}")
    typer.echo(f"sent to {channel} in {who.get('team', '?')} as {who.get('user', '?')} (ts {ts})")
