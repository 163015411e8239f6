"""Alerts: incidents per (tenant, rule, provider, destination), their life cycle, Slack and webhook delivery,
NIS2 clocks."""

from stream.alerts.desk import IncidentDesk, signal_of
from stream.alerts.outbox import Outbox
from stream.alerts.outputs import AlertOutput, WebhookOutput
from stream.alerts.slack import DeliveryError, SlackNotifier
from stream.alerts.socket_mode import SocketModeListener

__all__ = ["AlertOutput", "DeliveryError", "IncidentDesk", "Outbox", "SlackNotifier", "SocketModeListener",
           "WebhookOutput", "signal_of"]
