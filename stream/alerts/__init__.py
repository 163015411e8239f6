"""Alerts: incidents per (tenant, rule, provider, destination), Slack delivery, NIS2 clocks."""

from stream.alerts.desk import IncidentDesk, signal_of
from stream.alerts.outbox import Outbox
from stream.alerts.slack import DeliveryError, SlackNotifier

__all__ = ["DeliveryError", "IncidentDesk", "Outbox", "SlackNotifier", "signal_of"]
